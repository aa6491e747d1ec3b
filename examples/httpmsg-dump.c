/*
 * httpmsg-dump - parse raw HTTP/1.1 messages and print one event per line.
 *
 *   httpmsg-dump [--type request|response|both] [--split N] [--lenient F,...]
 *                [--max-head N] [--max-body N] [FILE|-]
 *
 * Reads FILE (or standard input), parses every message in it, signals end of
 * input at the end, and prints the events in the format README.md describes.
 * Exit status: 0 every message parsed, 1 a parse error, 2 bad usage or an
 * unreadable input.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The usage text: on stdout for --help (exit 0), on stderr after a
 * usage error (exit 2). */
static int usage(const char *why)
{
    FILE *out = why ? stderr : stdout;
    if (why)
        fprintf(stderr, "httpmsg-dump: %s\n", why);
    fprintf(out,
            "usage: httpmsg-dump [--type request|response|both] [--split N] [--lenient F,...]\n"
            "                    [--max-head N] [--max-body N] [FILE|-]\n"
            "  --type     what the input holds (default: both, detected per message)\n"
            "  --split N  feed the input in N-byte pieces (the output must not change)\n"
            "  --lenient  accept what these flags allow: %s\n"
            "  --max-head head size limit in bytes (default %u)\n"
            "  --max-body body size limit in bytes, 0 allowing none (default: no limit)\n",
            trace_flag_list(), (unsigned)HTTPMSG_DEFAULT_MAX_HEAD);
    return why ? 2 : 0;
}

/* A whole decimal number, no sign, no junk. */
static int parse_size(const char *s, unsigned long long *v)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return (errno || *end) ? -1 : 0;
}

static char *read_all(FILE *f, size_t *n)
{
    size_t cap = 65536, len = 0, got;
    char *buf = malloc(cap), *nb;
    if (!buf)
        return NULL;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    *n = len;
    return buf;
}

int main(int argc, char **argv)
{
    struct trace_opts o = {.type = HTTPMSG_BOTH, .max_body = HTTPMSG_NO_LENGTH};
    struct trace_buf out = {0};
    unsigned long long split = 0, v;
    const char *path = NULL;
    size_t n = 0, *cuts = NULL, ncuts = 0;
    char *in;
    FILE *f = stdin;
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--type") == 0 && val) {
            if (strcmp(val, "request") == 0)
                o.type = HTTPMSG_REQUEST;
            else if (strcmp(val, "response") == 0)
                o.type = HTTPMSG_RESPONSE;
            else if (strcmp(val, "both") == 0)
                o.type = HTTPMSG_BOTH;
            else
                return usage("--type takes request, response or both");
            i++;
        } else if (strcmp(a, "--split") == 0 && val) {
            if (parse_size(val, &split) || split == 0)
                return usage("--split takes a positive number of bytes");
            i++;
        } else if (strcmp(a, "--lenient") == 0 && val) {
            if (trace_parse_flags(val, &o.flags))
                return usage("unknown --lenient flag");
            i++;
        } else if (strcmp(a, "--max-head") == 0 && val) {
            if (parse_size(val, &v) || v < 16 || v > (1ull << 31))
                return usage("--max-head takes a number from 16 to 2147483648");
            o.max_head = (size_t)v;
            i++;
        } else if (strcmp(a, "--max-body") == 0 && val) {
            if (parse_size(val, &v))
                return usage("--max-body takes a number of bytes");
            o.max_body = v;
            i++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            return usage(NULL);
        } else if (a[0] == '-' && a[1] != 0) {
            return usage("unknown option or missing value");
        } else if (!path) {
            path = a;
        } else {
            return usage("only one input file");
        }
    }
    if (path && strcmp(path, "-") != 0 && !(f = fopen(path, "rb"))) {
        fprintf(stderr, "httpmsg-dump: %s: %s\n", path, strerror(errno));
        return 2;
    }
    in = read_all(f, &n);
    if (f != stdin)
        fclose(f);
    if (!in) {
        fprintf(stderr, "httpmsg-dump: cannot read %s\n", path ? path : "standard input");
        return 2;
    }
    if (split && n > split) {
        cuts = malloc((n / split + 1) * sizeof *cuts);
        if (!cuts) {
            free(in);
            return 2;
        }
        for (size_t at = split; at < n; at += split)
            cuts[ncuts++] = at;
    }
    rc = trace_run(&o, in, n, cuts, ncuts, &out);
    if (out.len)
        fwrite(out.p, 1, out.len, stdout);
    if (rc == 2)
        fprintf(stderr, "httpmsg-dump: internal error (see the INVARIANT line)\n");
    trace_buf_free(&out);
    free(cuts);
    free(in);
    return rc == 2 ? 3 : rc;
}
