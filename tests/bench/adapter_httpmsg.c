/*
 * adapter_httpmsg.c - the libhttpmsg adapter for the shared peer benchmark
 * (../shared/bench), which this project does not vendor.  Run from the top of
 * this tree, after building into build/:
 *
 *   HTTPMSG_ADAPTER=$PWD/tests/bench/adapter_httpmsg.c HTTPMSG_PREFIX=$PWD/build \
 *     ../shared/bench/run.sh
 *
 * Does the same work as the peers' adapters: span callbacks store the span in
 * a small struct and add its length; counts come from the notifications.
 */
#include "bench.h"

#include <httpmsg.h>

struct ctx {
    struct result *r;
    struct msg_spans m;
};

#define C(p) ((struct ctx *)(p)->data)

static int on_method(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    c->m.method = (struct span){at, n};
    c->r->token_bytes += n;
    c->r->spans++;
    return 0;
}
static int on_target(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    c->m.url = (struct span){at, n};
    c->r->token_bytes += n;
    c->r->spans++;
    return 0;
}
static int on_reason(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    c->m.reason = (struct span){at, n};
    c->r->token_bytes += n;
    c->r->spans++;
    return 0;
}
static int on_name(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    c->m.name[c->m.nh % SPAN_MAX_HEADERS] = (struct span){at, n};
    c->r->token_bytes += n;
    c->r->spans++;
    return 0;
}
static int on_value(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = C(p);
    c->m.value[c->m.nh % SPAN_MAX_HEADERS] = (struct span){at, n};
    c->r->token_bytes += n;
    c->r->spans++;
    return 0;
}
static int on_value_complete(httpmsg_parser *p) /* once per field, empty values too */
{
    struct ctx *c = C(p);
    c->r->headers++;
    c->m.nh++;
    return 0;
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
    .on_header_value_complete = on_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static size_t parse_stream(const char *buf, size_t len, size_t seg, enum msg_type type, struct result *out)
{
    struct ctx c;
    httpmsg_parser p;
    size_t off = 0, used;
    c.r = out;
    c.m.nh = 0;
    httpmsg_init(&p, type == MSG_RESPONSE ? HTTPMSG_RESPONSE : HTTPMSG_REQUEST, &settings);
    p.data = &c;
    if (seg == 0)
        seg = len;
    while (off < len) {
        size_t n = len - off < seg ? len - off : seg;
        if (httpmsg_execute(&p, buf + off, n, &used) != HTTPMSG_OK) {
            out->error = 1;
            return off + used;
        }
        off += n;
    }
    return off;
}

static const struct adapter adapter_httpmsg = {
    .name = "httpmsg",
    .version = HTTPMSG_VERSION_STRING,
    .order = 5,
    .how = "httpmsg_execute() once on the whole stream / once per segment; span callbacks store+sum",
    .parse_stream = parse_stream,
};
BENCH_ADAPTER(adapter_httpmsg)
