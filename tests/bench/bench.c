/*
 * bench.c - libhttpmsg throughput on typical messages, for users to measure
 * on their own machines (not run by ctest).
 *
 *   httpmsg-bench [--rounds N] [--mb X] [--seg N] [--inputs a,b] [--impl NAME]
 *                 [--modes whole,seg]
 *
 * Each input is one message repeated back to back into a stream of about
 * X MB (default 2).  Every round parses every stream whole (one execute
 * call) and in --seg-byte pieces (default 64, as a slow network delivers
 * them); rounds interleave inputs and modes, and the report gives the median
 * over rounds in MB/s (10^6 bytes) and millions of messages per second.
 * Callbacks do a little real work (store the span, add up lengths) and the
 * counts are checked against the generator on every pass.
 */
#define _POSIX_C_SOURCE 200809L
#include <httpmsg.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct input {
    const char *name;
    httpmsg_type type;
    const char *head;   /* the head, CRLFs included */
    size_t body;        /* Content-Length body bytes appended, or chunk count when chunked */
    int chunked;        /* body is `body` chunks of 1000 bytes */
    unsigned headers;   /* header fields per message */
};

static const struct input inputs[] = {
    {"browser-get", HTTPMSG_REQUEST,
     "GET /static/img/2024/07/landscape-with-mountains-and-lake-large.jpg HTTP/1.1\r\n"
     "Host: photos.example.org\r\n"
     "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
     "Accept: image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5\r\n"
     "Accept-Language: en-GB,en;q=0.7,fr;q=0.3\r\n"
     "Accept-Encoding: gzip, deflate, br, zstd\r\n"
     "Referer: https://photos.example.org/gallery/summer?page=3&sort=recent\r\n"
     "Connection: keep-alive\r\n"
     "Cookie: session=7f3a9c2e41b8d06f5e2a; theme=dark; consent=analytics:0,ads:0; last_seen=1721990000; "
     "cart=empty; ab_bucket=control-17\r\n"
     "Sec-Fetch-Dest: image\r\n"
     "Sec-Fetch-Mode: no-cors\r\n"
     "\r\n",
     0, 0, 10},
    {"tool-get", HTTPMSG_REQUEST, "GET /health HTTP/1.1\r\nHost: 10.0.0.7:9000\r\nUser-Agent: probe/2.1\r\nAccept: */*\r\n\r\n",
     0, 0, 3},
    {"form-post", HTTPMSG_REQUEST,
     "POST /api/v2/login?next=%2Fhome HTTP/1.1\r\n"
     "Host: accounts.example.net\r\n"
     "User-Agent: python-client/3.4\r\n"
     "Accept-Encoding: gzip, deflate\r\n"
     "Accept: */*\r\n"
     "Connection: keep-alive\r\n"
     "Content-Type: application/x-www-form-urlencoded\r\n"
     "Content-Length: 41\r\n"
     "\r\n",
     41, 0, 7},
    {"file-response", HTTPMSG_RESPONSE,
     "HTTP/1.1 200 OK\r\n"
     "Server: exampled/1.9\r\n"
     "Date: Fri, 27 Nov 2026 08:30:00 GMT\r\n"
     "Content-Type: text/html; charset=utf-8\r\n"
     "Content-Length: 700\r\n"
     "Last-Modified: Mon, 02 Mar 2026 17:45:12 GMT\r\n"
     "ETag: \"5e2a-1f3c9b\"\r\n"
     "Cache-Control: public, max-age=3600\r\n"
     "Connection: keep-alive\r\n"
     "\r\n",
     700, 0, 8},
    {"chunked-response", HTTPMSG_RESPONSE,
     "HTTP/1.1 200 OK\r\n"
     "Server: exampled/1.9\r\n"
     "Content-Type: application/json\r\n"
     "Transfer-Encoding: chunked\r\n"
     "Connection: keep-alive\r\n"
     "\r\n",
     12, 1, 4},
    {"upload", HTTPMSG_REQUEST,
     "PUT /bucket/archive-2026.tar HTTP/1.1\r\nHost: store.example.com\r\nContent-Type: application/x-tar\r\n"
     "Content-Length: 50000\r\n\r\n",
     50000, 0, 3},
    {"many-fields", HTTPMSG_REQUEST, NULL, 0, 0, 40},
};
#define NINPUTS (sizeof inputs / sizeof *inputs)

struct counts {
    uint64_t messages, headers, token_bytes, body_bytes;
};

struct ctx {
    struct counts c;
    const char *last_ptr;
    size_t last_len;
};

#define CTX(p) ((struct ctx *)(p)->data)
static int on_span(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = CTX(p);
    c->last_ptr = at;
    c->last_len = n;
    c->c.token_bytes += n;
    return 0;
}
static int on_header(httpmsg_parser *p)
{
    CTX(p)->c.headers++;
    return 0;
}
static int on_body(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = CTX(p);
    c->last_ptr = at;
    c->c.body_bytes += n;
    return 0;
}
static int on_done(httpmsg_parser *p)
{
    CTX(p)->c.messages++;
    return 0;
}
static const httpmsg_settings settings = {
    .on_method = on_span,
    .on_target = on_span,
    .on_reason = on_span,
    .on_header_name = on_span,
    .on_header_value = on_span,
    .on_header_value_complete = on_header,
    .on_body = on_body,
    .on_message_complete = on_done,
};

struct stream {
    char *buf;
    size_t len;
    struct counts want;
};

static void add(char **b, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n > *cap) {
        *cap = (*len + n) * 2;
        if (!(*b = realloc(*b, *cap))) {
            perror("realloc");
            exit(2);
        }
    }
    memcpy(*b + *len, s, n);
    *len += n;
}

/* One message of the input; its expected counts. */
static void build_message(const struct input *in, char **m, size_t *mlen, struct counts *c)
{
    size_t cap = 0;
    char line[128];
    *m = NULL;
    *mlen = 0;
    memset(c, 0, sizeof *c);
    c->messages = 1;
    c->headers = in->headers;
    if (in->head) {
        add(m, mlen, &cap, in->head, strlen(in->head));
    } else {
        const char *start = "GET /search?q=parser&lang=en HTTP/1.1\r\n";
        add(m, mlen, &cap, start, strlen(start));
        for (unsigned i = 0; i < in->headers; i++) {
            int n = snprintf(line, sizeof line, "X-Field-%02u: value-%u-abcdefghijklmnopqrstuvwxyz\r\n", i, i * 7919);
            add(m, mlen, &cap, line, (size_t)n);
        }
        add(m, mlen, &cap, "\r\n", 2);
    }
    /* token bytes: everything in the head but separators, CRLFs, "HTTP/1.1", status digits */
    {
        const char *h = *m, *e = *m + *mlen;
        const char *eol = memchr(h, '\r', (size_t)(e - h));
        if (in->type == HTTPMSG_REQUEST) {
            c->token_bytes += (size_t)(eol - h) - 10; /* method SP target SP HTTP/1.1 */
        } else {
            c->token_bytes += (size_t)(eol - h) - 13; /* HTTP/1.1 SP 3DIGIT SP reason */
        }
        for (h = eol + 2; h < e && *h != '\r'; h = eol + 2) {
            eol = memchr(h, '\r', (size_t)(e - h));
            c->token_bytes += (size_t)(eol - h) - 2; /* "name: value" minus ": " */
        }
    }
    if (in->chunked) {
        char data[1000];
        memset(data, 'j', sizeof data);
        for (size_t k = 0; k < in->body; k++) {
            add(m, mlen, &cap, "3e8\r\n", 5);
            add(m, mlen, &cap, data, sizeof data);
            add(m, mlen, &cap, "\r\n", 2);
        }
        add(m, mlen, &cap, "0\r\n\r\n", 5);
        c->body_bytes = in->body * sizeof data;
    } else {
        for (size_t k = 0; k < in->body; k++)
            add(m, mlen, &cap, "b", 1);
        c->body_bytes = in->body;
    }
}

static void build_stream(const struct input *in, double mb, struct stream *st)
{
    char *m;
    size_t mlen, cap = 0, n;
    struct counts c;
    build_message(in, &m, &mlen, &c);
    n = (size_t)(mb * 1e6 / (double)mlen);
    if (n == 0)
        n = 1;
    st->buf = NULL;
    st->len = 0;
    for (size_t i = 0; i < n; i++)
        add(&st->buf, &st->len, &cap, m, mlen);
    st->want.messages = n;
    st->want.headers = c.headers * n;
    st->want.token_bytes = c.token_bytes * n;
    st->want.body_bytes = c.body_bytes * n;
    free(m);
}

static int parse(const struct input *in, const struct stream *st, size_t seg, const char *impl, struct counts *got)
{
    httpmsg_parser p;
    struct ctx c;
    size_t off = 0, used;
    memset(&c, 0, sizeof c);
    httpmsg_init(&p, in->type, &settings);
    if (impl && httpmsg_set_impl(&p, impl) != HTTPMSG_OK)
        return -1;
    p.data = &c;
    if (seg == 0)
        seg = st->len;
    while (off < st->len) {
        size_t n = st->len - off < seg ? st->len - off : seg;
        if (httpmsg_execute(&p, st->buf + off, n, &used) != HTTPMSG_OK)
            return -1;
        off += n;
    }
    *got = c.c;
    return 0;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int wanted(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *s = list; s && *s;) {
        size_t k = strcspn(s, ",");
        if (k == n && strncmp(s, name, n) == 0)
            return 1;
        s += k + (s[k] == ',');
    }
    return list == NULL;
}

/* Every name of a comma list is one of names[0..n): else say which is not. */
static int list_ok(const char *opt, const char *list, const char *const *names, size_t n)
{
    if (list && !*list) {
        fprintf(stderr, "httpmsg-bench: %s: an empty list\n", opt);
        return 0;
    }
    for (const char *s = list; s && *s;) {
        size_t k = strcspn(s, ","), i;
        for (i = 0; i < n && !(strlen(names[i]) == k && strncmp(s, names[i], k) == 0); i++)
            ;
        if (i == n) {
            fprintf(stderr, "httpmsg-bench: %s: no such name: %.*s (", opt, (int)k, s);
            for (i = 0; i < n; i++)
                fprintf(stderr, "%s%s", i ? ", " : "", names[i]);
            fprintf(stderr, ")\n");
            return 0;
        }
        s += k + (s[k] == ',');
    }
    return 1;
}

int main(int argc, char **argv)
{
    unsigned rounds = 31;
    double mb = 2;
    size_t seg = 64;
    const char *only = NULL, *impl = NULL, *modes = NULL;
    struct stream streams[NINPUTS];
    double *ns[NINPUTS][2];

    for (int i = 1; i < argc; i += 2) { /* options come in pairs */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v || a[0] != '-') {
            fprintf(stderr, "usage: httpmsg-bench [--rounds N] [--mb X] [--seg N] [--inputs a,b] [--impl NAME] "
                            "[--modes whole,seg]\n");
            return 2;
        }
        if (strcmp(a, "--rounds") == 0)
            rounds = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(a, "--mb") == 0)
            mb = strtod(v, NULL);
        else if (strcmp(a, "--seg") == 0)
            seg = strtoul(v, NULL, 10);
        else if (strcmp(a, "--inputs") == 0)
            only = v;
        else if (strcmp(a, "--impl") == 0)
            impl = v;
        else if (strcmp(a, "--modes") == 0)
            modes = v;
        else {
            fprintf(stderr, "httpmsg-bench: unknown option %s\n", a);
            return 2;
        }
    }
    if (rounds == 0 || seg == 0 || mb <= 0) {
        fprintf(stderr, "httpmsg-bench: --rounds, --seg and --mb must be positive\n");
        return 2;
    }
    {
        static const char *const mode_names[] = {"whole", "seg"};
        const char *input_names[NINPUTS];
        for (size_t k = 0; k < NINPUTS; k++)
            input_names[k] = inputs[k].name;
        if (!list_ok("--inputs", only, input_names, NINPUTS) || !list_ok("--modes", modes, mode_names, 2))
            return 2;
    }
    {
        httpmsg_parser p;
        httpmsg_init(&p, HTTPMSG_REQUEST, NULL);
        if (impl && httpmsg_set_impl(&p, impl) != HTTPMSG_OK) {
            fprintf(stderr, "httpmsg-bench: implementation %s is not available here\n", impl);
            return 2;
        }
        printf("libhttpmsg %s, scanning: %s; %u rounds, ~%.1f MB per stream, seg = %zu bytes\n", httpmsg_version(),
               httpmsg_impl_name(&p), rounds, mb, seg);
    }
    for (size_t k = 0; k < NINPUTS; k++) {
        build_stream(&inputs[k], mb, &streams[k]);
        ns[k][0] = calloc(rounds, sizeof(double));
        ns[k][1] = calloc(rounds, sizeof(double));
    }
    for (unsigned r = 0; r < rounds; r++) {
        for (size_t k = 0; k < NINPUTS; k++) {
            if (!wanted(only, inputs[k].name))
                continue;
            for (int mode = 0; mode < 2; mode++) {
                struct counts got;
                if (!wanted(modes, mode ? "seg" : "whole"))
                    continue;
                double t0 = now_ns();
                int rc = parse(&inputs[k], &streams[k], mode ? seg : 0, impl, &got);
                double t1 = now_ns();
                if (rc || memcmp(&got, &streams[k].want, sizeof got) != 0) {
                    fprintf(stderr, "httpmsg-bench: %s (%s): wrong counts or parse error\n", inputs[k].name,
                            mode ? "seg" : "whole");
                    return 1;
                }
                ns[k][mode][r] = t1 - t0;
            }
        }
    }
    printf("%-17s %6s %10s %10s %10s %10s\n", "input", "B/msg", "whole MB/s", "Mmsg/s", "seg MB/s", "Mmsg/s");
    for (size_t k = 0; k < NINPUTS; k++) {
        double med[2];
        if (!wanted(only, inputs[k].name))
            continue;
        printf("%-17s %6zu", inputs[k].name, streams[k].len / (size_t)streams[k].want.messages);
        for (int mode = 0; mode < 2; mode++) {
            qsort(ns[k][mode], rounds, sizeof(double), cmp_double);
            med[mode] = ns[k][mode][rounds / 2];
            if (wanted(modes, mode ? "seg" : "whole"))
                printf(" %10.0f %10.3f", streams[k].len / med[mode] * 1e3, streams[k].want.messages / med[mode] * 1e3);
            else
                printf(" %10s %10s", "-", "-"); /* not measured */
        }
        printf("\n");
    }
    for (size_t k = 0; k < NINPUTS; k++) {
        free(streams[k].buf);
        free(ns[k][0]);
        free(ns[k][1]);
    }
    return 0;
}
