/*
 * test_threads.c - parsers on different threads do not interfere, and the
 * first calls into the library may race.  Eight threads wait at a barrier,
 * then make the process's first library calls at once (so the one-time
 * choice of scanning code races), each with its own scanning path forced
 * where the CPU has several.  Each parses every input below, whole and cut
 * into pieces of many sizes, many times over, and keeps the event log of
 * each; all runs of an input, on every thread, must give the same log, and
 * a few logs are also checked against what they must be.  Built under
 * ThreadSanitizer in CI (.ci/run), where it also proves the library keeps
 * no shared state that two parsers write.  Plain C and pthreads: no test
 * framework, whose first calls could run before the threads'.
 */
#define _POSIX_C_SOURCE 200809L
#include <httpmsg.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define NTHREADS 8
#define ROUNDS 400
#define LOG_MAX 1024

/* A log: one letter per event, data after its letter; a data callback that
 * continues the element of the one before it (a piece) adds its bytes to
 * that entry, so a log does not depend on where the input was cut. */
struct rec {
    char log[LOG_MAX];
    size_t len;
    int last; /* the letter of the open data element, or 0 */
    int overflow;
};

static void put(struct rec *r, const char *s, size_t n)
{
    if (r->len + n >= LOG_MAX) {
        r->overflow = 1;
        return;
    }
    memcpy(r->log + r->len, s, n);
    r->len += n;
    r->log[r->len] = '\0';
}
static int data(httpmsg_parser *p, int letter, const char *at, size_t n)
{
    struct rec *r = p->data;
    char l = (char)letter;
    if (r->last != letter)
        put(r, &l, 1);
    put(r, at, n);
    r->last = letter;
    return HTTPMSG_CB_OK;
}
static int note(httpmsg_parser *p, char letter)
{
    struct rec *r = p->data;
    put(r, &letter, 1);
    r->last = 0;
    return HTTPMSG_CB_OK;
}
static int on_method(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'M', at, n); }
static int on_target(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'T', at, n); }
static int on_reason(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'R', at, n); }
static int on_name(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'N', at, n); }
static int on_value(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'V', at, n); }
static int on_body(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'B', at, n); }
static int on_ext(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'E', at, n); }
static int on_tname(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'n', at, n); }
static int on_tvalue(httpmsg_parser *p, const char *at, size_t n) { return data(p, 'v', at, n); }
static int on_value_done(httpmsg_parser *p) { return note(p, ';'); }
static int on_chunk(httpmsg_parser *p)
{
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)httpmsg_chunk_size(p));
    note(p, 'C');
    put(p->data, num, strlen(num));
    return HTTPMSG_CB_OK;
}
static int on_head(httpmsg_parser *p)
{
    char s[48];
    snprintf(s, sizeof s, "%d.%d/%d/%d", httpmsg_http_major(p), httpmsg_http_minor(p), httpmsg_status(p),
             httpmsg_should_keep_alive(p));
    note(p, '#');
    put(p->data, s, strlen(s));
    return HTTPMSG_CB_OK;
}
static int on_done(httpmsg_parser *p) { return note(p, '>'); }

static const httpmsg_settings cbs = {
    .on_method = on_method, .on_target = on_target, .on_reason = on_reason,
    .on_header_name = on_name, .on_header_value = on_value, .on_header_value_complete = on_value_done,
    .on_headers_complete = on_head, .on_body = on_body, .on_chunk_extension = on_ext,
    .on_chunk_header = on_chunk, .on_trailer_name = on_tname, .on_trailer_value = on_tvalue,
    .on_message_complete = on_done,
};

static const struct input {
    httpmsg_type type;
    const char *text;
    const char *want; /* the log it must give, or NULL: the same on every run */
} inputs[] = {
    {HTTPMSG_REQUEST, "GET /one HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
     "MGETT/oneNHostVa;NContent-LengthV5;#1.1/0/1Bhello>!0"},
    {HTTPMSG_REQUEST,
     "POST /upload?x=1 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: a-rather-long-user-agent-string/1.0 "
     "(with a comment; and more text to scan)\r\nTransfer-Encoding: chunked\r\n\r\n"
     "5;ext=\"quoted value\"\r\nabcde\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer-One: t1\r\n\r\n"
     "DELETE /two/longer HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
     NULL},
    {HTTPMSG_RESPONSE,
     "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\n\r\n"
     "Hello World"
     "HTTP/1.1 404 Not Found Here\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
     "HTTP/1.0 200 OK\r\n\r\nread until close",
     NULL},
    {HTTPMSG_BOTH, "HTTP/1.1 204 No Content\r\nX: y\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
     "R" "No Content" "NXVy;#1.1/204/1>MGETT/NHostVh;#1.1/0/1>!0"},
    /* errors: the code and its offset are logged too */
    {HTTPMSG_REQUEST, "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", NULL},
    {HTTPMSG_REQUEST, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", NULL},
    {HTTPMSG_REQUEST, "GET /a b HTTP/1.1\r\n\r\n", NULL},
};
#define NINPUTS (sizeof inputs / sizeof *inputs)

/* Parses one input cut into pieces of `piece` bytes (0: whole), then
 * finishes; logs the result as '!' and its code, and for an error, '@'
 * and its offset. */
static void run(httpmsg_parser *p, const char *impl, const struct input *in, size_t piece, struct rec *r)
{
    size_t n = strlen(in->text), off = 0, used, len;
    httpmsg_err e = HTTPMSG_OK;
    char s[48];
    memset(r, 0, sizeof *r);
    httpmsg_init(p, in->type, &cbs);
    if (impl)
        httpmsg_set_impl(p, impl);
    p->data = r;
    while (off < n && e == HTTPMSG_OK) {
        len = piece && n - off > piece ? piece : n - off;
        e = httpmsg_execute(p, in->text + off, len, &used);
        off += used;
    }
    if (e == HTTPMSG_OK)
        e = httpmsg_finish(p);
    snprintf(s, sizeof s, "!%d", (int)e);
    put(r, s, strlen(s));
    if (e > HTTPMSG_ERR_USER) {
        snprintf(s, sizeof s, "@%llu", (unsigned long long)httpmsg_error_offset(p));
        put(r, s, strlen(s));
    }
}

struct job {
    pthread_t id;
    const char *impl; /* forced path, or NULL */
    const char *got;  /* impl name the thread's first parser got */
    struct rec first[NINPUTS];
    long bad; /* runs whose log differed from the thread's first */
};

static pthread_barrier_t start;

static void *work(void *arg)
{
    struct job *j = arg;
    httpmsg_parser p;
    struct rec r;
    pthread_barrier_wait(&start);
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < NINPUTS; i++) {
            for (size_t piece = 0; piece <= 17; piece += round % 2 ? 1 : 3) {
                run(&p, j->impl, &inputs[i], piece, &r);
                if (round == 0 && piece == 0) {
                    j->first[i] = r;
                    j->got = httpmsg_impl_name(&p);
                } else if (r.overflow || strcmp(r.log, j->first[i].log) != 0) {
                    j->bad++;
                }
            }
        }
    }
    return NULL;
}

int main(void)
{
    static const char *const paths[] = {NULL, "scalar", "sse4.2", "avx2", "avx512", "neon"};
    static struct job jobs[NTHREADS];
    httpmsg_parser probe;
    int failures = 0;

    pthread_barrier_init(&start, NULL, NTHREADS);
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t].impl = paths[t % (sizeof paths / sizeof *paths)];
        if (pthread_create(&jobs[t].id, NULL, work, &jobs[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(jobs[t].id, NULL);

    /* a path the CPU or build lacks is refused, and the parser keeps the
     * default: compare with what a parser gets now */
    httpmsg_init(&probe, HTTPMSG_REQUEST, NULL);
    for (int t = 0; t < NTHREADS; t++) {
        const char *want = httpmsg_impl_name(&probe);
        if (jobs[t].impl && httpmsg_set_impl(&probe, jobs[t].impl) == HTTPMSG_OK)
            want = jobs[t].impl;
        httpmsg_init(&probe, HTTPMSG_REQUEST, NULL);
        if (!jobs[t].got || strcmp(jobs[t].got, want) != 0) {
            fprintf(stderr, "thread %d: parsed with %s, not %s\n", t, jobs[t].got ? jobs[t].got : "(none)", want);
            failures++;
        }
        if (jobs[t].bad) {
            fprintf(stderr, "thread %d (%s): %ld runs gave another log\n", t, jobs[t].got, jobs[t].bad);
            failures++;
        }
        for (size_t i = 0; i < NINPUTS; i++) {
            const char *log = jobs[t].first[i].log;
            if (jobs[t].first[i].overflow || strcmp(log, jobs[0].first[i].log) != 0 ||
                (inputs[i].want && strcmp(log, inputs[i].want) != 0)) {
                fprintf(stderr, "thread %d (%s), input %zu:\n  got  %s\n  want %s\n", t, jobs[t].got, i, log,
                        inputs[i].want ? inputs[i].want : jobs[0].first[i].log);
                failures++;
            }
        }
    }
    printf("%d threads x %d rounds x %zu inputs, paths:", NTHREADS, ROUNDS, NINPUTS);
    for (int t = 0; t < NTHREADS; t++)
        printf(" %s", jobs[t].got ? jobs[t].got : "?");
    printf("; %d failures\n", failures);
    return failures != 0;
}
