/*
 * test_spec.c - runs the conformance cases in the files tests/spec/NN-name.txt.
 *
 * A case file holds cases like this (lines starting with '#' outside a case
 * are comments):
 *
 *   === a short name
 *   type: request            request | response | both
 *   flags: bare-lf,obs-fold  optional, httpmsg-dump --lenient names
 *   max-head: 64             optional
 *   max-body: 10             optional (0 allows no body byte; absent, no limit)
 *   --- input
 *   GET / HTTP/1.1\r\n       the input: lines joined without their newlines,
 *   \r\n                     escapes \r \n \t \\ \xHH decoded
 *   --- output
 *   message-begin            the expected httpmsg-dump output, line by line
 *   ...
 *
 * Every case is run whole, byte by byte, cut at every offset into two
 * pieces, at seeded random multi-splits, and pausing in every callback (whole
 * and byte by byte); each piece is a heap copy of its exact size, so that
 * AddressSanitizer sees any over-read; and again with each piece placed
 * flush against an inaccessible page, after it or before it, so that a
 * vector load reaching past a piece faults even without AddressSanitizer.
 * All runs must print the expected output, byte for byte.  Whole, byte by
 * byte, in two pieces and against the guard page, the raw pieces must also
 * be the same with the field-end callbacks set and unset, and but for their
 * own with the header name and value callbacks unset (trace.h, `raw`).
 * HTTPMSG_IMPL selects the scanning code; the test is skipped (77) where it
 * is missing.
 */
#include "trace.h"

#ifdef HTTPMSG_MINICHECK
#include "minicheck.h" /* cross builds without Check */
#else
#include <check.h>
#endif
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spec_case {
    char *name, *file;
    int line;
    struct trace_opts o;
    char *input;
    size_t ninput;
    char *expect;
};

static struct spec_case *cases;
static size_t ncases, capcases;

static void die(const char *file, int line, const char *why)
{
    fprintf(stderr, "%s:%d: %s\n", file, line, why);
    exit(2);
}

static char *xstrdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (!d)
        die("test_spec", 0, "out of memory");
    return strcpy(d, s);
}

static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            die("test_spec", 0, "out of memory");
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = 0;
}

static int hexdig(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode one input line's escapes onto the case's input. */
static void decode_line(struct spec_case *c, size_t *cap, const char *s, const char *file, int line)
{
    while (*s) {
        char ch = *s++;
        if (ch == '\\') {
            switch (*s++) {
            case 'r': ch = '\r'; break;
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case '\\': ch = '\\'; break;
            case 'x': {
                int h = hexdig(s[0]), l = h < 0 ? -1 : hexdig(s[1]);
                if (l < 0)
                    die(file, line, "bad \\x escape");
                ch = (char)(h * 16 + l);
                s += 2;
                break;
            }
            default: die(file, line, "unknown escape in input");
            }
        }
        append(&c->input, &c->ninput, cap, &ch, 1);
    }
}

static void finish_case(struct spec_case *c, const char *file, int line)
{
    size_t n;
    if (!c->input || !c->expect)
        die(file, line, "case without '--- input' or '--- output'");
    n = strlen(c->expect);
    while (n && c->expect[n - 1] == '\n' && (n < 2 || c->expect[n - 2] == '\n'))
        c->expect[--n] = 0; /* blank lines at the end of a case do not count */
}

static void load_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    int lineno = 0, section = 0; /* 0 header, 1 input, 2 output */
    struct spec_case *c = NULL;
    size_t incap = 0, outlen = 0, outcap = 0;
    if (!f)
        die(path, 0, "cannot open");
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        lineno++;
        if (n && line[n - 1] == '\n')
            line[--n] = 0;
        else if (!feof(f))
            die(path, lineno, "line too long");
        if (strncmp(line, "=== ", 4) == 0) {
            if (c)
                finish_case(c, path, lineno);
            if (ncases == capcases) {
                capcases = capcases ? capcases * 2 : 256;
                cases = realloc(cases, capcases * sizeof *cases);
                if (!cases)
                    die(path, lineno, "out of memory");
            }
            c = &cases[ncases++];
            memset(c, 0, sizeof *c);
            c->name = xstrdup(line + 4);
            c->file = xstrdup(path);
            c->line = lineno;
            c->o.type = HTTPMSG_REQUEST;
            c->o.copy = 1;
            c->o.max_body = HTTPMSG_NO_LENGTH;
            section = 0;
            incap = outlen = outcap = 0;
            continue;
        }
        if (!c) {
            if (n && line[0] != '#')
                die(path, lineno, "text before the first case");
            continue;
        }
        if (strcmp(line, "--- input") == 0) {
            section = 1;
            append(&c->input, &c->ninput, &incap, "", 0);
        } else if (strcmp(line, "--- output") == 0) {
            section = 2;
            append(&c->expect, &outlen, &outcap, "", 0);
        } else if (section == 1) {
            decode_line(c, &incap, line, path, lineno);
        } else if (section == 2) {
            if (n) {
                append(&c->expect, &outlen, &outcap, line, n);
                append(&c->expect, &outlen, &outcap, "\n", 1);
            }
        } else if (n == 0 || line[0] == '#') {
            continue;
        } else if (strncmp(line, "type: ", 6) == 0) {
            const char *t = line + 6;
            c->o.type = strcmp(t, "request") == 0    ? HTTPMSG_REQUEST
                        : strcmp(t, "response") == 0 ? HTTPMSG_RESPONSE
                        : strcmp(t, "both") == 0     ? HTTPMSG_BOTH
                                                     : (httpmsg_type)0;
            if (!c->o.type)
                die(path, lineno, "bad type");
        } else if (strncmp(line, "flags: ", 7) == 0) {
            if (trace_parse_flags(line + 7, &c->o.flags))
                die(path, lineno, "unknown flag");
        } else if (strncmp(line, "max-head: ", 10) == 0) {
            c->o.max_head = strtoul(line + 10, NULL, 10);
        } else if (strncmp(line, "max-body: ", 10) == 0) {
            c->o.max_body = strtoull(line + 10, NULL, 10);
        } else {
            die(path, lineno, "unknown case header line");
        }
    }
    if (c)
        finish_case(c, path, lineno);
    fclose(f);
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void load_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    if (!d)
        die(dir, 0, "cannot open the spec directory");
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n] = malloc(strlen(dir) + l + 2);
            sprintf(names[n++], "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        load_file(names[i]);
        free(names[i]);
    }
    free(names);
}

/* Run one case with the given cuts; fail the test with a clear message if the
 * output differs from the expected one. */
static void run_cuts(const struct spec_case *c, const struct trace_opts *o, const size_t *cuts, size_t ncuts,
                     const char *mode)
{
    struct trace_buf out = {0};
    trace_run(o, c->input, c->ninput, cuts, ncuts, &out);
    if (strcmp(out.p ? out.p : "", c->expect) != 0) {
        char where[256] = "";
        size_t w = 0;
        for (size_t i = 0; i < ncuts && w < sizeof where - 24; i++)
            w += (size_t)snprintf(where + w, sizeof where - w, "%s%zu", i ? "," : "", cuts[i]);
        ck_abort_msg("%s:%d: case '%s' (%s, cuts at [%s]):\n--- expected\n%s--- got\n%s", c->file, c->line, c->name,
                     mode, where, c->expect, out.p ? out.p : "");
    }
    trace_buf_free(&out);
}

/* Run one case with the given cuts in the raw format with every callback
 * set, without the field-end callbacks, and without the header name and
 * value callbacks too: the pieces must be the same, but for those missing
 * (the library takes other code when they are unset). */
static void run_ends(const struct spec_case *c, const struct trace_opts *o, const size_t *cuts, size_t ncuts,
                     const char *mode)
{
    struct trace_opts r = *o;
    struct trace_buf with = {0}, without = {0}, nodata = {0};
    char *want;
    int rw, rn, rd;
    r.raw = 1;
    rw = trace_run(&r, c->input, c->ninput, cuts, ncuts, &with);
    r.no_field_ends = 1;
    rn = trace_run(&r, c->input, c->ninput, cuts, ncuts, &without);
    r.no_field_data = 1;
    rd = trace_run(&r, c->input, c->ninput, cuts, ncuts, &nodata);
    want = trace_raw_drop_field_data(with.p ? with.p : "");
    if (!want)
        die("test_spec", 0, "out of memory");
    if (rw == 2 || rn == 2 || rd == 2 || rw != rn || rw != rd ||
        strcmp(with.p ? with.p : "", without.p ? without.p : "") != 0 || strcmp(want, nodata.p ? nodata.p : "") != 0)
        ck_abort_msg("%s:%d: case '%s' (%s, %zu cuts): the pieces differ without the field callbacks "
                     "(results %d %d %d):\n--- with them\n%s--- without the field-end ones\n%s"
                     "--- without the header name and value ones either\n%s",
                     c->file, c->line, c->name, mode, ncuts, rw, rn, rd, with.p ? with.p : "",
                     without.p ? without.p : "", nodata.p ? nodata.p : "");
    free(want);
    trace_buf_free(&with);
    trace_buf_free(&without);
    trace_buf_free(&nodata);
}

/* Run one case with the given cuts, marking the end of input: the output
 * must be `whole`'s, the same run's in one piece (no call may wait for a
 * later piece, or for httpmsg_finish(), once its bytes are in). */
static void run_same(const struct spec_case *c, const struct trace_opts *o, const size_t *cuts, size_t ncuts,
                     const char *mode, const char *whole)
{
    struct trace_buf out = {0};
    trace_run(o, c->input, c->ninput, cuts, ncuts, &out);
    if (strcmp(out.p ? out.p : "", whole) != 0)
        ck_abort_msg("%s:%d: case '%s' (%s, %zu cuts, the first at %zu): not as in one piece before the end of "
                     "input:\n--- in one piece\n%.1500s--- got\n%.1500s",
                     c->file, c->line, c->name, mode, ncuts, ncuts ? cuts[0] : 0, whole, out.p ? out.p : "");
    trace_buf_free(&out);
}

/* The next two-piece cut after k in n bytes: every one, but for a stride
 * through the middle of very long inputs. */
static size_t next_cut(size_t k, size_t n) { return k + ((n > 4096 && k > 256 && k < n - 256) ? n / 512 : 1); }

START_TEST(spec_case)
{
    const struct spec_case *c = &cases[_i];
    struct trace_opts o = c->o;
    size_t n = c->ninput, *cuts = malloc((n + 1) * sizeof *cuts), k;
    uint64_t seed = 1469598103934665603u;
    struct trace_opts mk = o; /* marking the end of input */
    struct trace_buf whole = {0};

    ck_assert_ptr_nonnull(cuts);
    run_cuts(c, &o, NULL, 0, "whole");
    run_ends(c, &o, NULL, 0, "whole");
    mk.mark_end = 1;
    trace_run(&mk, c->input, c->ninput, NULL, 0, &whole);
    for (k = 1; k < n; k++)
        cuts[k - 1] = k;
    run_cuts(c, &o, cuts, n ? n - 1 : 0, "byte by byte");
    run_ends(c, &o, cuts, n ? n - 1 : 0, "byte by byte");
    run_same(c, &mk, cuts, n ? n - 1 : 0, "byte by byte", whole.p ? whole.p : "");
    /* every two-piece split */
    for (k = 1; k < n; k = next_cut(k, n)) {
        run_cuts(c, &o, &k, 1, "two pieces");
        run_ends(c, &o, &k, 1, "two pieces");
        run_same(c, &mk, &k, 1, "two pieces", whole.p ? whole.p : "");
    }
    /* random multi-splits, seeded by the case name so failures reproduce */
    for (const char *s = c->name; *s; s++)
        seed = (seed ^ (unsigned char)*s) * 1099511628211u;
    for (int round = 0; round < 6 && n > 2; round++) {
        size_t m = 0, at = 0;
        while (m < 12) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            at += 1 + (size_t)((seed >> 33) % (n / 4 + 2));
            if (at >= n)
                break;
            cuts[m++] = at;
        }
        run_cuts(c, &o, cuts, m, "random pieces");
    }
    /* against guard pages: any read past either end of a piece faults */
    o.guard = 1;
    run_cuts(c, &o, NULL, 0, "whole, ending at a guard page");
    run_ends(c, &o, NULL, 0, "whole, ending at a guard page");
    for (k = 1; k < n; k++)
        cuts[k - 1] = k;
    run_cuts(c, &o, cuts, n ? n - 1 : 0, "byte by byte, each piece ending at a guard page");
    for (k = 1; k < n; k = next_cut(k, n))
        run_cuts(c, &o, &k, 1, "two pieces, ending at a guard page");
    o.guard = 2;
    run_cuts(c, &o, NULL, 0, "whole, starting at a guard page");
    run_cuts(c, &o, cuts, n ? n - 1 : 0, "byte by byte, each piece starting at a guard page");
    for (k = 1; k < n; k = next_cut(k, n))
        run_cuts(c, &o, &k, 1, "two pieces, starting at a guard page");
    o.guard = 0;
    o.pause = 1;
    run_cuts(c, &o, NULL, 0, "whole, pausing in every callback");
    for (k = 1; k < n; k++)
        cuts[k - 1] = k;
    run_cuts(c, &o, cuts, n ? n - 1 : 0, "byte by byte, pausing in every callback");
    trace_buf_free(&whole);
    free(cuts);
}
END_TEST

int main(int argc, char **argv)
{
    SRunner *sr;
    Suite *su;
    TCase *tc;
    int failed;
    if (argc != 2) {
        fprintf(stderr, "usage: test_spec SPEC_DIR\n");
        return 2;
    }
    {
        const char *want = getenv("HTTPMSG_IMPL");
        if (want && *want && strcmp(want, httpmsg_impl_name(NULL)) != 0) {
            printf("scanning implementation %s is not available here: skipped\n", want);
            return 77;
        }
    }
    load_dir(argv[1]);
    if (ncases == 0)
        die(argv[1], 0, "no cases");
    printf("%zu spec cases, scanning: %s\n", ncases, httpmsg_impl_name(NULL));
    su = suite_create("spec");
    tc = tcase_create("cases");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, spec_case, 0, (int)ncases);
    suite_add_tcase(su, tc);
    sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
