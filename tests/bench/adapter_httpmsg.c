/*
 * adapter_httpmsg.c - the libhttpmsg adapter for the shared peer benchmark
 * (../shared/bench), which this project does not vendor.  Run from the top of
 * this tree, after building into build/:
 *
 *   HTTPMSG_ADAPTER=$PWD/tests/bench/adapter_httpmsg.c HTTPMSG_PREFIX=$PWD/build \
 *     ../shared/bench/run.sh
 *
 * or, to measure the -march=native build in the same run, with the prefix
 * tests/bench/bench-prefix.sh makes.
 *
 * Does the same work as the peers' adapters: span callbacks store the span in
 * a small struct and add its length.  Like the llhttp adapter, it spends two
 * callbacks per field, name and value, and counts a field at the first piece
 * of its name: a name piece continues the last one only when that one ended
 * the previous buffer and this one starts the next (the pieces of one name
 * are delivered so; two names always have at least ':' between them).
 * Registers "httpmsg" (the library's own choice of scanning code), "hm-native"
 * (the same from the -march=native copy, when linked) and one adapter per
 * forced implementation this CPU runs (hm-avx512, hm-avx2, hm-sse4.2,
 * hm-scalar), so all are measured in the same run.
 */
#include "bench.h"

#include <httpmsg.h>

struct ctx {
    struct result *r;
    struct msg_spans m;
    const char *buf;      /* the piece being parsed */
    const char *name_end; /* where the last name piece ended */
};

#define C(p) ((struct ctx *)(p)->data)

/* Keep a head span and count it. */
static inline int keep(struct ctx *c, struct span *slot, const char *at, size_t n)
{
    *slot = (struct span){at, n};
    c->r->token_bytes += n;
    c->r->spans++;
    return 0;
}
static int on_method(httpmsg_parser *p, const char *at, size_t n) { return keep(C(p), &C(p)->m.method, at, n); }
static int on_target(httpmsg_parser *p, const char *at, size_t n) { return keep(C(p), &C(p)->m.url, at, n); }
static int on_reason(httpmsg_parser *p, const char *at, size_t n) { return keep(C(p), &C(p)->m.reason, at, n); }
static int on_name(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    if (at != c->buf || c->name_end != c->buf) { /* a new field */
        c->r->headers++;
        c->m.nh++;
    }
    c->name_end = at + n;
    return keep(c, &c->m.name[c->m.nh % SPAN_MAX_HEADERS], at, n);
}
static int on_value(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    return keep(c, &c->m.value[c->m.nh % SPAN_MAX_HEADERS], at, n);
}
static int on_headers_complete(httpmsg_parser *p)
{
    struct ctx *c = C(p);
    c->r->num_sum += (uint64_t)httpmsg_http_minor(p) + (uint64_t)httpmsg_status(p);
    c->m.nh = 0;
    return 0;
}
static int on_body(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    c->m.body = (struct span){at, n};
    c->r->body_bytes += n;
    c->r->spans++;
    return 0;
}
static int on_message_complete(httpmsg_parser *p)
{
    C(p)->r->messages++;
    return 0;
}

static const httpmsg_settings settings = {
    .on_method = on_method,
    .on_target = on_target,
    .on_reason = on_reason,
    .on_header_name = on_name,
    .on_header_value = on_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* The library's entry points the driver needs.  tests/bench/bench-prefix.sh
 * links a second copy, built with -march=native, whose symbols start with
 * hmnat_; weak references find it when it is there. */
struct entry {
    httpmsg_err (*init)(httpmsg_parser *, httpmsg_type, const httpmsg_settings *);
    httpmsg_err (*set_impl)(httpmsg_parser *, const char *);
    httpmsg_err (*execute)(httpmsg_parser *, const char *, size_t, size_t *);
};
extern httpmsg_err hmnat_init(httpmsg_parser *, httpmsg_type, const httpmsg_settings *) __attribute__((weak));
extern httpmsg_err hmnat_set_impl(httpmsg_parser *, const char *) __attribute__((weak));
extern httpmsg_err hmnat_execute(httpmsg_parser *, const char *, size_t, size_t *) __attribute__((weak));
static const struct entry lib = {httpmsg_init, httpmsg_set_impl, httpmsg_execute};
static const struct entry native = {hmnat_init, hmnat_set_impl, hmnat_execute};

/* impl: NULL for the library's own choice, else a forced scanning path. */
static size_t parse_with(const struct entry *e, const char *impl, const char *buf, size_t len, size_t seg,
                         enum msg_type type, struct result *out)
{
    struct ctx c;
    httpmsg_parser p;
    size_t off = 0, used;
    c.r = out;
    c.m.nh = 0;
    c.name_end = NULL;
    e->init(&p, type == MSG_RESPONSE ? HTTPMSG_RESPONSE : HTTPMSG_REQUEST, &settings);
    if (impl && e->set_impl(&p, impl) != HTTPMSG_OK) {
        out->error = 1;
        return 0;
    }
    p.data = &c;
    if (seg == 0)
        seg = len;
    while (off < len) {
        size_t n = len - off < seg ? len - off : seg;
        c.buf = buf + off;
        if (e->execute(&p, buf + off, n, &used) != HTTPMSG_OK) {
            out->error = 1;
            return off + used;
        }
        off += n;
    }
    return off;
}

/* e is linked, and impl NULL or a path this CPU and build run. */
static int runnable(const struct entry *e, const char *impl)
{
    httpmsg_parser p;
    return e->init && (!impl || (e->init(&p, HTTPMSG_REQUEST, NULL) == HTTPMSG_OK && e->set_impl(&p, impl) == HTTPMSG_OK));
}

#define VARIANT(sym, e, impl, label, ord)                                                              \
    static size_t parse_##sym(const char *buf, size_t len, size_t seg, enum msg_type type, struct result *out) \
    {                                                                                                  \
        return parse_with(&e, impl, buf, len, seg, type, out);                                         \
    }                                                                                                  \
    static const struct adapter adapter_##sym = {                                                     \
        .name = label,                                                                                 \
        .version = HTTPMSG_VERSION_STRING,                                                             \
        .order = ord,                                                                                  \
        .how = "httpmsg_execute() once on the whole stream / once per segment; span callbacks "       \
               "store+sum; scanning: " label,                                                          \
        .parse_stream = parse_##sym,                                                                   \
    };                                                                                                 \
    static void __attribute__((constructor)) register_##sym(void)                                      \
    {                                                                                                  \
        if (runnable(&e, impl))                                                                        \
            bench_register(&adapter_##sym);                                                            \
    }

/* the library as shipped: it picks the fastest scanning code this CPU runs */
VARIANT(httpmsg, lib, NULL, "httpmsg", 5)
/* the same, built with -march=native (when bench-prefix.sh linked it) */
VARIANT(httpmsg_native, native, NULL, "hm-native", 6)
#if defined(__x86_64__)
VARIANT(httpmsg_avx512, lib, "avx512", "hm-avx512", 7)
VARIANT(httpmsg_avx2, lib, "avx2", "hm-avx2", 7)
VARIANT(httpmsg_sse42, lib, "sse4.2", "hm-sse4.2", 8)
#elif defined(__aarch64__)
VARIANT(httpmsg_neon, lib, "neon", "hm-neon", 7)
#endif
VARIANT(httpmsg_scalar, lib, "scalar", "hm-scalar", 9)
