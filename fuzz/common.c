/*
 * common.c - see common.h.  The checker's callbacks record each event and
 * check it against httpmsg.h: the order of events, where pieces point, the
 * grammar of each element, the accessors, the body accounting, the head
 * limit, pauses, upgrades and sticky errors.  Any breach calls fuzz_fail().
 */
#include "common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Failures, text buffers                                                    */
/* ------------------------------------------------------------------------ */

static const char *target_name = "?";
static const struct trace_buf *current_log; /* printed on failure */

void fuzz_set_target(const char *name) { target_name = name; }

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "\n==== fuzz target %s: invariant broken: ", target_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (current_log && current_log->p)
        fprintf(stderr, "---- checker events so far\n%s---- end\n", current_log->p);
    fflush(stderr);
    abort();
}

/* The trace module's text buffer; running out of memory is a finding. */
static void buf_add(struct trace_buf *b, const void *s, size_t n)
{
    if (trace_buf_add(b, s, n) != 0)
        fuzz_fail("out of memory");
}

#define buf_printf(b, ...)                                                                             \
    do {                                                                                               \
        if (trace_buf_printf((b), __VA_ARGS__) != 0)                                                   \
            fuzz_fail("out of memory");                                                                \
    } while (0)

static void buf_quoted(struct trace_buf *b, const char *s, size_t n)
{
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            buf_printf(b, "\\x%02x", ch);
        else
            buf_add(b, &ch, 1);
    }
    buf_add(b, "\"", 1);
}

/* ------------------------------------------------------------------------ */
/* Options from the input                                                    */
/* ------------------------------------------------------------------------ */

int fuzz_config(const uint8_t *d, size_t n, struct fuzz_cfg *cfg)
{
    if (n < FUZZ_CONFIG_BYTES)
        return 0;
    memset(cfg, 0, sizeof *cfg);
    cfg->flags = (uint32_t)d[0] | ((uint32_t)(d[1] & 3) << 8);
    switch ((d[1] >> 2) & 3) {
    case 0: cfg->max_head = 0; break;
    case 1: cfg->max_head = 16 + (size_t)d[2]; break;
    case 2: cfg->max_head = 16 + 16 * (size_t)d[2]; break;
    default: cfg->max_head = 16 + 256 * (size_t)d[2]; break;
    }
    switch ((d[1] >> 4) & 3) {
    case 0: cfg->max_body = HTTPMSG_NO_LENGTH; break;
    case 1: cfg->max_body = (uint64_t)d[3]; break; /* 0 included */
    case 2: cfg->max_body = 1 + 64 * (uint64_t)d[3]; break;
    default: cfg->max_body = UINT64_MAX - 1 - d[3]; break;
    }
    cfg->user_err_at = -1;
    switch (d[1] >> 6) {
    case 0: cfg->hc_ret = HTTPMSG_CB_OK; break;
    case 1: cfg->hc_ret = HTTPMSG_CB_SKIP_BODY; break;
    case 2: cfg->hc_ret = HTTPMSG_CB_UPGRADE; break;
    default:
        cfg->hc_ret = HTTPMSG_CB_OK;
        cfg->user_err_at = (d[2] ^ d[3]) & 63;
        cfg->user_err_data = ((d[2] ^ d[3]) >> 6) & 1;
        break;
    }
    return 1;
}

int fuzz_cuts(const uint8_t **d, size_t *n, httpmsg_type *type, size_t **cuts, size_t *ncuts, int has_pause_byte,
              uint8_t *pause_byte)
{
    const uint8_t *s = *d, *gaps;
    size_t left = *n, k, m = 0, at = 0;
    uint8_t b;
    if (left < (size_t)(1 + (has_pause_byte != 0)))
        return 0;
    b = *s++;
    left--;
    if (has_pause_byte) {
        *pause_byte = *s++;
        left--;
    }
    *type = (b & 3) == 1 ? HTTPMSG_REQUEST : (b & 3) == 2 ? HTTPMSG_RESPONSE : HTTPMSG_BOTH;
    k = (b >> 2) & 31;
    if (b & 0x80)
        k = 0;
    if (k > left)
        k = left;
    gaps = s;
    s += k;
    left -= k;
    *cuts = malloc((left + 1) * sizeof **cuts);
    if (!*cuts)
        fuzz_fail("out of memory");
    if (b & 0x80) {
        for (size_t i = 1; i < left; i++)
            (*cuts)[m++] = i;
    } else {
        for (size_t i = 0; i < k; i++) {
            at += 1 + (size_t)gaps[i];
            if (at >= left)
                break;
            (*cuts)[m++] = at;
        }
    }
    *d = s;
    *n = left;
    *ncuts = m;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* The trace module                                                          */
/* ------------------------------------------------------------------------ */

static void trace_opts_for(httpmsg_type type, const struct fuzz_cfg *cfg, struct trace_opts *o)
{
    memset(o, 0, sizeof *o);
    o->type = type;
    o->flags = cfg->flags;
    o->max_head = cfg->max_head;
    o->max_body = cfg->max_body;
    o->copy = 1;
}

void fuzz_trace(httpmsg_type type, const struct fuzz_cfg *cfg, const uint8_t *in, size_t n, const size_t *cuts,
                size_t ncuts, int mode, struct trace_buf *out)
{
    struct trace_opts o;
    trace_opts_for(type, cfg, &o);
    o.pause = (mode & FUZZ_TRACE_PAUSE) != 0;
    o.mark_end = (mode & FUZZ_TRACE_MARK_END) != 0;
    if (trace_run(&o, (const char *)in, n, cuts, ncuts, out) == 2)
        fuzz_fail("the trace module reports (mode %d, %zu cuts):\n%s", mode, ncuts, out->p ? out->p : "");
}

void fuzz_field_ends(httpmsg_type type, const struct fuzz_cfg *cfg, const uint8_t *in, size_t n, const size_t *cuts,
                     size_t ncuts)
{
    struct trace_opts o;
    struct trace_buf with = {0}, without = {0}, want = {0};
    trace_opts_for(type, cfg, &o);
    o.raw = 1;
    if (trace_run(&o, (const char *)in, n, cuts, ncuts, &with) == 2)
        fuzz_fail("the trace module reports (raw, %zu cuts):\n%s", ncuts, with.p ? with.p : "");
    o.no_field_ends = 1;
    if (trace_run(&o, (const char *)in, n, cuts, ncuts, &without) == 2)
        fuzz_fail("the trace module reports (raw, no field ends, %zu cuts):\n%s", ncuts, without.p ? without.p : "");
    fuzz_same("raw pieces", &with, "with the field-end callbacks", &without, "without them");
    trace_buf_free(&without);
    o.no_field_data = 1;
    if (trace_run(&o, (const char *)in, n, cuts, ncuts, &without) == 2)
        fuzz_fail("the trace module reports (raw, no field callbacks, %zu cuts):\n%s", ncuts,
                  without.p ? without.p : "");
    want.p = trace_raw_drop_field_data(with.p ? with.p : "");
    if (!want.p)
        fuzz_fail("out of memory");
    fuzz_same("raw pieces", &want, "with the field callbacks (theirs left out)", &without,
              "without the header name and value callbacks");
    free(want.p);
    trace_buf_free(&with);
    trace_buf_free(&without);
}

void fuzz_same(const char *what, const struct trace_buf *a, const char *aname, const struct trace_buf *b,
               const char *bname)
{
    const char *x = a->p ? a->p : "", *y = b->p ? b->p : "";
    if (strcmp(x, y) != 0)
        fuzz_fail("%s differ\n---- %s\n%s---- %s\n%s---- end", what, aname, x, bname, y);
}

/* ------------------------------------------------------------------------ */
/* The checker                                                               */
/* ------------------------------------------------------------------------ */

enum ev {
    EV_NONE,
    EV_BEGIN,
    EV_METHOD,
    EV_METHOD_C,
    EV_TARGET,
    EV_TARGET_C,
    EV_VERSION_C,
    EV_STATUS_C,
    EV_REASON,
    EV_REASON_C,
    EV_HNAME,
    EV_HNAME_C,
    EV_HVAL,
    EV_HVAL_C,
    EV_HEADERS_C,
    EV_BODY,
    EV_EXT,
    EV_EXT_C,
    EV_CHUNK_H,
    EV_CHUNK_C,
    EV_TNAME,
    EV_TNAME_C,
    EV_TVAL,
    EV_TVAL_C,
    EV_MSG_C
};

static const char *const ev_names[] = {
    "(none)", "message_begin", "method", "method_complete", "target", "target_complete", "version_complete",
    "status_complete", "reason", "reason_complete", "header_name", "header_name_complete", "header_value",
    "header_value_complete", "headers_complete", "body", "chunk_extension", "chunk_extension_complete",
    "chunk_header", "chunk_complete", "trailer_name", "trailer_name_complete", "trailer_value",
    "trailer_value_complete", "message_complete",
};

/* The stretch of the stream the head limit applies to. */
enum region { R_NONE, R_HEAD, R_CHUNK_LINE, R_TRAILER };

struct chk {
    httpmsg_parser slot[2]; /* the parser, and where it moves to */
    httpmsg_parser *p;
    const struct check_opts *o;
    struct trace_buf *log;
    struct trace_buf el, name, body;
    size_t max_head;
    uint64_t total; /* input bytes */

    /* the current execute or finish call */
    uintptr_t buf, buf_end;
    uint64_t base;     /* stream offset of buf */
    uint64_t last_end; /* stream offset after the last in-buffer piece */
    int body_started;  /* this body (or chunk) has had a piece, ending at body_end */
    uint64_t body_end, body_origin; /* body_origin: where it must start (CHECK_PAUSE_EVERY) */
    int in_call;
    int paused;      /* a callback of this call returned PAUSE */
    int last_data;   /* the previous data callback of this call, EV_NONE after a notification */
    int last_in;     /* ... whether its piece lay in the buffer */
    int last_ev;

    /* the message */
    int prev; /* previous event */
    int begun, mtype, version_done, target_done, names_seen;
    int kind; /* body kind as framed, HTTPMSG_BODY_NONE when skipped */
    int upgrade_msg, chunk_last, has_te, keep_alive, status;
    int closed; /* the last message ended the connection: only CLOSED may follow */
    int over_limit; /* a response's Content-Length over the body limit, not skipped: BODY_TOO_LARGE follows */
    int ka_may_rise; /* the body of a response read until close was skipped: keep-alive may now hold */
    uint64_t cl, got, chunk_size, chunk_got, chunk_sum;
    unsigned hosts, ncl;
    int cl_plain;
    uint64_t cl_value;
    int hname_cl, hname_host, hname_te;

    /* the head limit (CHECK_PAUSE_EVERY: every event's stream offset is known) */
    int region;
    uint64_t region_start;

    /* callback results */
    unsigned notes;
    uint32_t rng;
    uint32_t erng; /* whether a piece's end gets a zero-length call */
    int user_ret; /* the error a callback returned, 0 if none */
    int dead;     /* an error was returned: no callback may run */
};

static const char *evn(int ev) { return ev_names[ev]; }

static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* May this byte appear in a field value or reason phrase? */
static int value_byte_ok(const struct chk *c, unsigned char ch)
{
    if (c->o->cfg->flags & HTTPMSG_LENIENT_VALUE_CHARS)
        return ch != 0 && ch != '\r' && ch != '\n';
    return ch == ' ' || ch == '\t' || (ch > 0x20 && ch != 0x7f);
}

static int ci_eq(const struct trace_buf *b, const char *lc)
{
    size_t n = strlen(lc);
    if (b->len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = b->p[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        if (ch != lc[i])
            return 0;
    }
    return 1;
}

static void reset_message(struct chk *c)
{
    c->begun = 0;
    c->mtype = c->o->type == HTTPMSG_BOTH ? 0 : (int)c->o->type;
    c->version_done = c->target_done = c->names_seen = 0;
    c->kind = HTTPMSG_BODY_NONE;
    c->upgrade_msg = c->chunk_last = c->has_te = c->keep_alive = c->status = 0;
    c->over_limit = c->ka_may_rise = 0;
    c->cl = HTTPMSG_NO_LENGTH;
    c->got = c->chunk_size = c->chunk_got = c->chunk_sum = 0;
    c->hosts = c->ncl = 0;
    c->cl_plain = 0;
    c->cl_value = 0;
    c->hname_cl = c->hname_host = c->hname_te = 0;
    c->el.len = c->name.len = c->body.len = 0;
}

/* The order of events (httpmsg.h, "The order of events for one message"). */
static void check_order(struct chk *c, int ev)
{
    int pr = c->prev, ok;
    switch (ev) {
    case EV_BEGIN: ok = pr == EV_NONE || pr == EV_MSG_C; break;
    case EV_METHOD: ok = pr == EV_BEGIN || pr == EV_METHOD; break;
    case EV_METHOD_C: ok = pr == EV_METHOD; break; /* a method is never empty */
    case EV_TARGET: ok = pr == EV_METHOD_C || pr == EV_TARGET; break;
    case EV_TARGET_C: ok = pr == EV_TARGET; break; /* nor a target */
    case EV_VERSION_C: ok = pr == EV_TARGET_C || (pr == EV_BEGIN && c->mtype != HTTPMSG_REQUEST); break;
    case EV_STATUS_C: ok = pr == EV_VERSION_C && c->mtype == HTTPMSG_RESPONSE; break;
    case EV_REASON: ok = pr == EV_STATUS_C || pr == EV_REASON; break;
    case EV_REASON_C: ok = pr == EV_STATUS_C || pr == EV_REASON; break;
    case EV_HNAME:
        ok = pr == EV_HNAME || pr == EV_HVAL_C || pr == EV_REASON_C || (pr == EV_VERSION_C && c->mtype == HTTPMSG_REQUEST);
        break;
    case EV_HNAME_C: ok = pr == EV_HNAME; break;
    case EV_HVAL: ok = pr == EV_HNAME_C || pr == EV_HVAL; break;
    case EV_HVAL_C: ok = pr == EV_HNAME_C || pr == EV_HVAL; break;
    case EV_HEADERS_C:
        ok = pr == EV_HVAL_C || pr == EV_REASON_C || (pr == EV_VERSION_C && c->mtype == HTTPMSG_REQUEST);
        break;
    case EV_BODY:
        if (c->kind == HTTPMSG_BODY_CHUNKED)
            ok = (pr == EV_CHUNK_H && c->chunk_size > 0) || pr == EV_BODY;
        else
            ok = (c->kind == HTTPMSG_BODY_LENGTH || c->kind == HTTPMSG_BODY_EOF) && (pr == EV_HEADERS_C || pr == EV_BODY);
        break;
    case EV_EXT:
        ok = c->kind == HTTPMSG_BODY_CHUNKED &&
             (pr == EV_HEADERS_C || (pr == EV_CHUNK_C && !c->chunk_last) || pr == EV_EXT);
        break;
    case EV_EXT_C: ok = pr == EV_EXT; break;
    case EV_CHUNK_H:
        ok = c->kind == HTTPMSG_BODY_CHUNKED &&
             (pr == EV_HEADERS_C || (pr == EV_CHUNK_C && !c->chunk_last) || pr == EV_EXT_C);
        break;
    case EV_CHUNK_C: ok = pr == EV_CHUNK_H || (pr == EV_BODY && c->kind == HTTPMSG_BODY_CHUNKED); break;
    case EV_TNAME: ok = (pr == EV_CHUNK_C && c->chunk_last) || pr == EV_TVAL_C || pr == EV_TNAME; break;
    case EV_TNAME_C: ok = pr == EV_TNAME; break;
    case EV_TVAL: ok = pr == EV_TNAME_C || pr == EV_TVAL; break;
    case EV_TVAL_C: ok = pr == EV_TNAME_C || pr == EV_TVAL; break;
    case EV_MSG_C:
        switch (c->kind) {
        case HTTPMSG_BODY_NONE: ok = pr == EV_HEADERS_C; break;
        case HTTPMSG_BODY_LENGTH: ok = pr == EV_BODY || (pr == EV_HEADERS_C && c->cl == 0); break;
        case HTTPMSG_BODY_EOF: ok = pr == EV_BODY || pr == EV_HEADERS_C; break;
        default: ok = (pr == EV_CHUNK_C && c->chunk_last) || pr == EV_TVAL_C; break;
        }
        break;
    default: ok = 0; break;
    }
    if (!ok)
        fuzz_fail("event %s after %s (body kind %d)", evn(ev), evn(pr), c->kind);
}

/* Entry of every callback. */
static struct chk *enter(httpmsg_parser *p, int ev)
{
    struct chk *c = p ? (struct chk *)p->data : NULL;
    if (!c || p != c->p)
        fuzz_fail("callback %s got a parser pointer other than the one executing", evn(ev));
    if (!c->in_call)
        fuzz_fail("callback %s outside execute/finish", evn(ev));
    if (c->dead)
        fuzz_fail("callback %s after an error was returned", evn(ev));
    if (c->paused)
        fuzz_fail("callback %s ran after another one paused", evn(ev));
    if (c->over_limit)
        fuzz_fail("callback %s after the head of a response over the body limit", evn(ev));
    check_order(c, ev);
    c->prev = ev;
    c->last_ev = ev;
    return c;
}

/* What a callback returns: `base`, maybe with a pause, or the injected error
 * for callback number cfg->user_err_at (counting notifications, and data
 * callbacks too with cfg->user_err_data). */
static int leave(struct chk *c, int note, int base)
{
    int pause = 0;
    if (note)
        c->last_data = EV_NONE;
    if (note || c->o->cfg->user_err_data) {
        unsigned k = c->notes++;
        if (c->o->cfg->user_err_at >= 0 && k == (unsigned)c->o->cfg->user_err_at) {
            c->user_ret = (k & 1) ? 8 : -42; /* 8: not a valid return anywhere */
            return c->user_ret;
        }
    }
    switch (c->o->pause) {
    case CHECK_PAUSE_EVERY: pause = 1; break;
    case CHECK_PAUSE_RANDOM:
        c->rng ^= c->rng << 13;
        c->rng ^= c->rng >> 17;
        c->rng ^= c->rng << 5;
        pause = ((c->rng >> 8) & ((2u << (c->o->seed & 3)) - 1)) == 0;
        break;
    default: break;
    }
    if (pause) {
        c->paused = 1;
        base |= HTTPMSG_CB_PAUSE;
    }
    return base;
}

static int data_cb(httpmsg_parser *p, int ev, const char *at, size_t n)
{
    struct chk *c = enter(p, ev);
    uintptr_t a = (uintptr_t)at;
    int in;
    if (n == 0 || !at)
        fuzz_fail("%s called with len %zu, at %p", evn(ev), n, (const void *)at);
    in = a >= c->buf && a <= c->buf_end && n <= c->buf_end - a;
    if (!in) {
        size_t i = 0;
        int ok = 0;
        if (a < c->buf_end && a + n > c->buf)
            fuzz_fail("%s piece [%p, +%zu) straddles the buffer", evn(ev), (const void *)at, n);
        if (ev == EV_HVAL || ev == EV_TVAL) {
            /* held-back whitespace, or an obs-fold: runs of one byte */
            while (i < n && at[i] == at[0] && (at[0] == ' ' || at[0] == '\t'))
                i++;
            ok = i == n;
        } else if (ev == EV_METHOD && c->o->type == HTTPMSG_BOTH && c->el.len == 0 && n <= 4) {
            ok = memcmp(at, "HTTP", n) == 0;
        }
        if (!ok)
            fuzz_fail("%s piece of %zu bytes lies outside the buffer of its call", evn(ev), n);
    }
    if (in) {
        /* no byte is delivered twice, and pieces come in stream order */
        uint64_t off = c->base + (a - c->buf);
        if (off < c->last_end)
            fuzz_fail("%s piece at offset %" PRIu64 " before the end of an earlier piece (%" PRIu64 ")", evn(ev), off,
                      c->last_end);
        c->last_end = off + n;
        if (ev == EV_BODY) {
            /* body bytes (or a chunk's data) are contiguous in the stream */
            if (c->body_started ? off != c->body_end
                                : c->o->pause == CHECK_PAUSE_EVERY && off != c->body_origin)
                fuzz_fail("body piece at offset %" PRIu64 ", expected at %" PRIu64, off,
                          c->body_started ? c->body_end : c->body_origin);
            c->body_started = 1;
            c->body_end = off + n;
        }
    }
    /* an element wholly inside one buffer comes as one piece */
    if (c->last_data == ev && c->last_in && in)
        fuzz_fail("%s delivered as two pieces from the same buffer", evn(ev));
    c->last_data = ev;
    c->last_in = in;

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)at[i];
        int ok = 1;
        switch (ev) {
        case EV_METHOD:
        case EV_HNAME:
        case EV_TNAME: ok = is_tchar(ch); break;
        case EV_TARGET:
            ok = (ch > 0x20 && ch < 0x7f) || (ch >= 0x80 && (c->o->cfg->flags & HTTPMSG_LENIENT_TARGET));
            break;
        case EV_REASON:
        case EV_HVAL:
        case EV_TVAL: ok = value_byte_ok(c, ch); break;
        case EV_EXT: ok = ch != '\r' && ch != '\n' && ch != 0; break;
        default: break;
        }
        if (!ok)
            fuzz_fail("%s piece holds byte 0x%02x", evn(ev), ch);
    }
    if (ev == EV_METHOD && c->o->type == HTTPMSG_BOTH)
        c->mtype = HTTPMSG_REQUEST;
    if (ev == EV_METHOD)
        c->begun = 2; /* inside the request line */
    if (ev == EV_BODY) {
        if (c->kind == HTTPMSG_BODY_LENGTH && n > c->cl - c->got)
            fuzz_fail("body beyond Content-Length %" PRIu64 " (had %" PRIu64 ", got %zu more)", c->cl, c->got, n);
        if (c->kind == HTTPMSG_BODY_CHUNKED) {
            if (n > c->chunk_size - c->chunk_got)
                fuzz_fail("chunk data beyond the chunk size %" PRIu64, c->chunk_size);
            if (httpmsg_chunk_size(p) != c->chunk_size)
                fuzz_fail("httpmsg_chunk_size() changed inside the chunk");
            c->chunk_got += n;
        }
        c->got += n;
        if (c->o->cfg->max_body != HTTPMSG_NO_LENGTH && c->got > c->o->cfg->max_body)
            fuzz_fail("body of %" PRIu64 " bytes beyond the limit %" PRIu64, c->got, c->o->cfg->max_body);
        buf_add(&c->body, at, n);
    } else {
        buf_add(&c->el, at, n);
    }
    return leave(c, 0, HTTPMSG_CB_OK);
}

static void flush_body(struct chk *c)
{
    if (c->body.len) {
        buf_add(c->log, "body ", 5);
        buf_quoted(c->log, c->body.p, c->body.len);
        buf_add(c->log, "\n", 1);
        c->body.len = 0;
    }
}

static void log_el(struct chk *c, const char *label)
{
    buf_printf(c->log, "%s ", label);
    buf_quoted(c->log, c->el.p, c->el.len);
    buf_add(c->log, "\n", 1);
}

static int on_message_begin(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_BEGIN);
    int mt = httpmsg_message_type(p);
    if (c->closed)
        fuzz_fail("a message after one that ended the connection");
    reset_message(c);
    c->begun = 1;
    if (c->o->type != HTTPMSG_BOTH ? mt != (int)c->o->type : (mt != 0 && mt != HTTPMSG_REQUEST))
        fuzz_fail("httpmsg_message_type() is %d at message begin", mt);
    buf_add(c->log, "begin\n", 6);
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_method(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_METHOD, at, n); }
static int on_method_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_METHOD_C);
    httpmsg_method m = httpmsg_get_method(p), want = httpmsg_method_from_name(c->el.p, c->el.len);
    c->mtype = HTTPMSG_REQUEST;
    if (httpmsg_message_type(p) != HTTPMSG_REQUEST)
        fuzz_fail("message type %d at method_complete", (int)httpmsg_message_type(p));
    if (want == HTTPMSG_METHOD_NONE || m != want)
        fuzz_fail("httpmsg_get_method() is %d, the name gives %d", (int)m, (int)want);
    {
        const char *mn = httpmsg_method_name(m);
        if (m == HTTPMSG_METHOD_OTHER ? mn != NULL : (!mn || strlen(mn) != c->el.len || memcmp(mn, c->el.p, c->el.len)))
            fuzz_fail("httpmsg_method_name(%d) is %s", (int)m, mn ? mn : "NULL");
    }
    log_el(c, "method");
    buf_printf(c->log, "method-id %d\n", (int)m);
    c->el.len = 0;
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_target(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_TARGET, at, n); }
static int on_target_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_TARGET_C);
    log_el(c, "url");
    c->el.len = 0;
    c->target_done = 1;
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_version_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_VERSION_C);
    int mt = httpmsg_message_type(p);
    if (c->mtype == 0)
        c->mtype = HTTPMSG_RESPONSE;
    if (mt != c->mtype)
        fuzz_fail("message type %d at version_complete, the events say %d", mt, c->mtype);
    if (httpmsg_http_major(p) != 1 || httpmsg_http_minor(p) < 0 || httpmsg_http_minor(p) > 9)
        fuzz_fail("version %d.%d", httpmsg_http_major(p), httpmsg_http_minor(p));
    c->version_done = 1;
    c->begun = 1;
    buf_printf(c->log, "version %d.%d\n", httpmsg_http_major(p), httpmsg_http_minor(p));
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_status_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_STATUS_C);
    int st = httpmsg_status(p);
    if (st < 100 || st > 999)
        fuzz_fail("status %d", st);
    if (httpmsg_status_reason(st) && !*httpmsg_status_reason(st))
        fuzz_fail("empty standard reason for %d", st);
    buf_printf(c->log, "status %d\n", st);
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_reason(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_REASON, at, n); }
static int on_reason_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_REASON_C);
    log_el(c, "reason");
    c->el.len = 0;
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_hname(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_HNAME, at, n); }
static int on_tname(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_TNAME, at, n); }
static int name_complete(httpmsg_parser *p, int ev)
{
    struct chk *c = enter(p, ev);
    if (c->el.len == 0)
        fuzz_fail("empty field name");
    c->names_seen = 1;
    c->name.len = 0;
    buf_add(&c->name, c->el.p, c->el.len);
    c->hname_cl = c->hname_host = c->hname_te = 0;
    if (ev == EV_HNAME_C) {
        c->hname_cl = ci_eq(&c->el, "content-length");
        c->hname_host = ci_eq(&c->el, "host");
        c->hname_te = ci_eq(&c->el, "transfer-encoding");
        c->hosts += (unsigned)c->hname_host;
        c->ncl += (unsigned)c->hname_cl;
        c->has_te |= c->hname_te;
    }
    c->el.len = 0;
    return leave(c, 1, HTTPMSG_CB_OK);
}
static int on_hname_complete(httpmsg_parser *p) { return name_complete(p, EV_HNAME_C); }
static int on_tname_complete(httpmsg_parser *p) { return name_complete(p, EV_TNAME_C); }

static int on_hval(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_HVAL, at, n); }
static int on_tval(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_TVAL, at, n); }
static int value_complete(httpmsg_parser *p, int ev)
{
    struct chk *c = enter(p, ev);
    if (c->el.len && (c->el.p[0] == ' ' || c->el.p[0] == '\t' || c->el.p[c->el.len - 1] == ' ' ||
                      c->el.p[c->el.len - 1] == '\t'))
        fuzz_fail("field value with leading or trailing whitespace");
    if (c->hname_cl) {
        size_t i;
        uint64_t v = 0;
        for (i = 0; i < c->el.len && c->el.p[i] >= '0' && c->el.p[i] <= '9' && v < UINT64_MAX / 100; i++)
            v = v * 10 + (uint64_t)(c->el.p[i] - '0');
        c->cl_plain = i == c->el.len && i > 0;
        c->cl_value = v;
    }
    buf_add(c->log, ev == EV_HVAL_C ? "header " : "trailer ", ev == EV_HVAL_C ? 7 : 8);
    buf_quoted(c->log, c->name.p, c->name.len);
    buf_add(c->log, " ", 1);
    buf_quoted(c->log, c->el.p, c->el.len);
    buf_add(c->log, "\n", 1);
    c->el.len = 0;
    return leave(c, 1, HTTPMSG_CB_OK);
}
static int on_hval_complete(httpmsg_parser *p) { return value_complete(p, EV_HVAL_C); }
static int on_tval_complete(httpmsg_parser *p) { return value_complete(p, EV_TVAL_C); }

static int on_headers_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_HEADERS_C);
    int kind = (int)httpmsg_body_kind(p), ka = httpmsg_should_keep_alive(p), up = httpmsg_is_upgrade(p);
    int mt = httpmsg_message_type(p), st = httpmsg_status(p), r, over = 0;
    uint64_t cl = httpmsg_content_length(p);

    if (mt != c->mtype || (mt != HTTPMSG_REQUEST && mt != HTTPMSG_RESPONSE))
        fuzz_fail("message type %d at headers_complete, the events say %d", mt, c->mtype);
    if (httpmsg_http_major(p) != 1)
        fuzz_fail("major version %d at headers_complete", httpmsg_http_major(p));
    if (kind < HTTPMSG_BODY_NONE || kind > HTTPMSG_BODY_EOF)
        fuzz_fail("body kind %d", kind);
    if (httpmsg_is_chunked(p) != (kind == HTTPMSG_BODY_CHUNKED))
        fuzz_fail("httpmsg_is_chunked() is %d with body kind %d", httpmsg_is_chunked(p), kind);
    if ((kind == HTTPMSG_BODY_CHUNKED || kind == HTTPMSG_BODY_EOF) && cl != HTTPMSG_NO_LENGTH)
        fuzz_fail("Content-Length %" PRIu64 " reported for body kind %d", cl, kind);
    if (kind == HTTPMSG_BODY_LENGTH) {
        if (cl == HTTPMSG_NO_LENGTH)
            fuzz_fail("body kind length without a Content-Length");
        if (c->ncl == 0)
            fuzz_fail("body kind length, but no Content-Length field");
        if (c->ncl == 1 && c->cl_plain && cl != c->cl_value)
            fuzz_fail("Content-Length is %" PRIu64 ", the field says %" PRIu64, cl, c->cl_value);
        /* a request's limit is checked before this callback, a response's
         * after it (it may skip the body) */
        over = c->o->cfg->max_body != HTTPMSG_NO_LENGTH && cl > c->o->cfg->max_body;
        if (over && mt == HTTPMSG_REQUEST)
            fuzz_fail("Content-Length %" PRIu64 " over the body limit passed", cl);
    }
    if (mt == HTTPMSG_REQUEST) {
        if (kind == HTTPMSG_BODY_EOF)
            fuzz_fail("request body read until close");
        if (!c->has_te && c->ncl == 0 && kind != HTTPMSG_BODY_NONE)
            fuzz_fail("request without framing fields has body kind %d", kind);
        if (httpmsg_get_method(p) == HTTPMSG_METHOD_CONNECT && !up)
            fuzz_fail("CONNECT is not an upgrade");
        if (st != 0)
            fuzz_fail("request with status %d", st);
    } else {
        if ((st < 200 || st == 204 || st == 304) && kind != HTTPMSG_BODY_NONE)
            fuzz_fail("status %d with body kind %d", st, kind);
        if (st == 101 && !up)
            fuzz_fail("101 is not an upgrade");
        if (httpmsg_expect_continue(p))
            fuzz_fail("expect-continue on a response");
        if (httpmsg_get_method(p) != HTTPMSG_METHOD_NONE)
            fuzz_fail("response with a method");
    }
    if (kind == HTTPMSG_BODY_EOF && ka)
        fuzz_fail("keep-alive with a body read until close");
    if (httpmsg_expect_continue(p) && httpmsg_http_minor(p) < 1)
        fuzz_fail("expect-continue in HTTP/1.0");
    if ((unsigned)httpmsg_host_count(p) != (c->hosts > 255 ? 255 : c->hosts))
        fuzz_fail("httpmsg_host_count() is %d, %u Host fields seen", httpmsg_host_count(p), c->hosts);
    buf_printf(c->log, "headers keep-alive=%d body=%d cl=%" PRIu64 " upgrade=%d hosts=%d expect=%d\n", ka, kind, cl,
               up, httpmsg_host_count(p), httpmsg_expect_continue(p));

    c->cl = cl;
    c->kind = kind;
    c->body_started = 0;
    c->upgrade_msg = up;
    c->keep_alive = ka;
    c->status = st;
    r = leave(c, 1, c->o->cfg->hc_ret);
    if (r == c->user_ret && r != 0)
        return r;
    if ((r & (HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE)) && mt == HTTPMSG_REQUEST &&
        (kind == HTTPMSG_BODY_CHUNKED || (kind == HTTPMSG_BODY_LENGTH && cl > 0))) {
        c->user_ret = r; /* refused: a request's head alone frames its content */
        return r;
    }
    if (r & (HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE))
        c->kind = HTTPMSG_BODY_NONE;
    if (r & HTTPMSG_CB_UPGRADE)
        c->upgrade_msg = 1;
    c->over_limit = over && c->kind == HTTPMSG_BODY_LENGTH;
    c->ka_may_rise = kind == HTTPMSG_BODY_EOF && (r & (HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE));
    return r;
}

static int on_body(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_BODY, at, n); }
static int on_ext(httpmsg_parser *p, const char *at, size_t n) { return data_cb(p, EV_EXT, at, n); }
static int on_ext_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_EXT_C);
    if (c->el.len == 0 || c->el.p[0] != ';')
        fuzz_fail("chunk extension does not start with ';'");
    log_el(c, "ext");
    c->el.len = 0;
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_chunk_header(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_CHUNK_H);
    c->chunk_size = httpmsg_chunk_size(p);
    c->chunk_got = 0;
    c->body_started = 0;
    if (c->chunk_size > UINT64_MAX - c->chunk_sum)
        fuzz_fail("chunk sizes overflow");
    c->chunk_sum += c->chunk_size;
    if (c->o->cfg->max_body != HTTPMSG_NO_LENGTH && c->chunk_sum > c->o->cfg->max_body)
        fuzz_fail("chunk of %" PRIu64 " bytes accepted past the body limit", c->chunk_size);
    c->chunk_last = c->chunk_size == 0;
    buf_printf(c->log, "chunk %" PRIu64 "\n", c->chunk_size);
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_chunk_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_CHUNK_C);
    if (c->chunk_got != c->chunk_size)
        fuzz_fail("chunk of size %" PRIu64 " complete after %" PRIu64 " bytes", c->chunk_size, c->chunk_got);
    flush_body(c);
    buf_add(c->log, "chunk-end\n", 10);
    return leave(c, 1, HTTPMSG_CB_OK);
}

static int on_message_complete(httpmsg_parser *p)
{
    struct chk *c = enter(p, EV_MSG_C);
    switch (c->kind) {
    case HTTPMSG_BODY_NONE:
        if (c->got)
            fuzz_fail("%" PRIu64 " body bytes for a message without body", c->got);
        break;
    case HTTPMSG_BODY_LENGTH:
        if (c->got != c->cl)
            fuzz_fail("message complete after %" PRIu64 " of Content-Length %" PRIu64 " bytes", c->got, c->cl);
        break;
    case HTTPMSG_BODY_CHUNKED:
        if (c->got != c->chunk_sum || !c->chunk_last)
            fuzz_fail("chunked message complete after %" PRIu64 " bytes, chunk sizes say %" PRIu64, c->got,
                      c->chunk_sum);
        break;
    default: break;
    }
    flush_body(c);
    buf_add(c->log, "complete\n", 9);
    c->begun = 0;
    /* RFC 9112 §9.3: a response without framing, read until close, keeps
     * the connection when it has no body after all (it answers HEAD, or is
     * a CONNECT's tunnel) */
    if (httpmsg_should_keep_alive(p) != c->keep_alive) {
        if (!c->ka_may_rise || c->keep_alive)
            fuzz_fail("keep-alive went from %d at headers_complete to %d", c->keep_alive, !c->keep_alive);
        c->keep_alive = 1;
    }
    /* RFC 9112 §9.3, §9.6: after this message, only empty lines may come */
    c->closed = !c->keep_alive && !c->upgrade_msg && !(c->mtype == HTTPMSG_RESPONSE && c->status < 200) &&
                !(c->o->cfg->flags & HTTPMSG_LENIENT_DATA_AFTER_CLOSE);
    return leave(c, 1, HTTPMSG_CB_OK);
}

static const httpmsg_settings settings = {
    .on_message_begin = on_message_begin,
    .on_method = on_method,
    .on_method_complete = on_method_complete,
    .on_target = on_target,
    .on_target_complete = on_target_complete,
    .on_version_complete = on_version_complete,
    .on_status_complete = on_status_complete,
    .on_reason = on_reason,
    .on_reason_complete = on_reason_complete,
    .on_header_name = on_hname,
    .on_header_name_complete = on_hname_complete,
    .on_header_value = on_hval,
    .on_header_value_complete = on_hval_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_chunk_extension = on_ext,
    .on_chunk_extension_complete = on_ext_complete,
    .on_chunk_header = on_chunk_header,
    .on_chunk_complete = on_chunk_complete,
    .on_trailer_name = on_tname,
    .on_trailer_name_complete = on_tname_complete,
    .on_trailer_value = on_tval,
    .on_trailer_value_complete = on_tval_complete,
    .on_message_complete = on_message_complete,
};

/* ------------------------------------------------------------------------ */
/* The head limit, from the stream offset of each event                      */
/* ------------------------------------------------------------------------ */

static void region_set(struct chk *c, int r, uint64_t at)
{
    c->region = r;
    c->region_start = at;
}

static void region_check_end(struct chk *c, uint64_t at, const char *what)
{
    if (at < c->region_start || at - c->region_start > c->max_head)
        fuzz_fail("%s of %" PRIu64 " bytes (from offset %" PRIu64 ") passed the head limit %zu", what,
                  at - c->region_start, c->region_start, c->max_head);
}

/* The callback that paused was `ev`; the stream now stands at `at`. */
static void region_event(struct chk *c, int ev, uint64_t at)
{
    if (c->o->pause != CHECK_PAUSE_EVERY)
        return;
    switch (ev) {
    case EV_HEADERS_C:
        if (c->region != R_HEAD)
            fuzz_fail("headers_complete outside a head");
        region_check_end(c, at, "a head");
        c->body_origin = at;
        region_set(c, c->kind == HTTPMSG_BODY_CHUNKED ? R_CHUNK_LINE : R_NONE, at);
        break;
    case EV_CHUNK_H:
        if (c->region != R_CHUNK_LINE)
            fuzz_fail("chunk_header outside a chunk-size line");
        region_check_end(c, at, "a chunk-size line");
        c->body_origin = at;
        region_set(c, R_NONE, at);
        break;
    case EV_CHUNK_C: region_set(c, c->chunk_last ? R_TRAILER : R_CHUNK_LINE, at); break;
    case EV_MSG_C:
        if (c->region == R_TRAILER)
            region_check_end(c, at, "a trailer section");
        region_set(c, c->closed ? R_NONE : R_HEAD, at);
        break;
    default: break;
    }
}

static int is_limit_error(httpmsg_err e)
{
    return e == HTTPMSG_ERR_URI_TOO_LONG || e == HTTPMSG_ERR_HEAD_TOO_LARGE || e == HTTPMSG_ERR_CHUNK_EXTENSION_TOO_LONG;
}

static void region_error(struct chk *c, httpmsg_err e, uint64_t off)
{
    uint64_t lim = c->region_start + c->max_head;
    if (c->o->pause != CHECK_PAUSE_EVERY) {
        if (is_limit_error(e) && c->max_head >= c->total + 1)
            fuzz_fail("%s with a limit of %zu over an input of %" PRIu64 " bytes", httpmsg_errname(e), c->max_head,
                      c->total);
        return;
    }
    if (c->region != R_NONE && off > lim && e != HTTPMSG_ERR_USER)
        fuzz_fail("%s at offset %" PRIu64 ", past the head limit at %" PRIu64, httpmsg_errname(e), off, lim);
    if (!is_limit_error(e))
        return;
    if (c->region == R_NONE)
        fuzz_fail("%s outside any limited section", httpmsg_errname(e));
    if (off != lim)
        fuzz_fail("%s at offset %" PRIu64 ", the limit is at %" PRIu64, httpmsg_errname(e), off, lim);
    if ((e == HTTPMSG_ERR_CHUNK_EXTENSION_TOO_LONG) != (c->region == R_CHUNK_LINE))
        fuzz_fail("%s in section kind %d", httpmsg_errname(e), c->region);
    if (e == HTTPMSG_ERR_URI_TOO_LONG &&
        (c->region != R_HEAD || c->mtype == HTTPMSG_RESPONSE || c->names_seen || !c->begun))
        fuzz_fail("URI_TOO_LONG outside a request line");
    if (e == HTTPMSG_ERR_HEAD_TOO_LARGE && c->begun == 2 && !c->target_done)
        fuzz_fail("HEAD_TOO_LARGE inside a request line");
}

/* ------------------------------------------------------------------------ */
/* The driver                                                                */
/* ------------------------------------------------------------------------ */

static httpmsg_err call_execute(struct chk *c, const char *buf, size_t len, size_t *used)
{
    httpmsg_err e;
    c->buf = (uintptr_t)buf;
    c->buf_end = (uintptr_t)buf + len;
    c->base = httpmsg_bytes_consumed(c->p);
    c->in_call = 1;
    c->paused = 0;
    c->last_data = EV_NONE;
    c->last_ev = EV_NONE;
    e = httpmsg_execute(c->p, buf, len, used);
    c->in_call = 0;
    return e;
}

static httpmsg_err call_finish(struct chk *c)
{
    httpmsg_err e;
    c->buf = c->buf_end = 0; /* finish has no bytes to point into */
    c->in_call = 1;
    c->paused = 0;
    c->last_data = EV_NONE;
    c->last_ev = EV_NONE;
    e = httpmsg_finish(c->p);
    c->in_call = 0;
    return e;
}

/* After a pause, the parser stays paused until resumed. */
static void paused(struct chk *c, const char *rest, size_t nrest)
{
    static const char one[1] = {'x'};
    uint64_t at = httpmsg_bytes_consumed(c->p);
    size_t used = 1;
    if (!c->paused)
        fuzz_fail("PAUSED, but no callback paused");
    if (c->user_ret)
        fuzz_fail("PAUSED after a callback returned %d", c->user_ret);
    if (c->last_ev == EV_NONE)
        fuzz_fail("PAUSED without a callback");
    region_event(c, c->last_ev, at);
    c->dead = 1; /* no callback while paused */
    if (call_execute(c, nrest ? rest : one, nrest ? nrest : 1, &used) != HTTPMSG_PAUSED || used != 0)
        fuzz_fail("a paused parser did not stay paused");
    if (call_finish(c) != HTTPMSG_PAUSED || httpmsg_get_error(c->p) != HTTPMSG_PAUSED ||
        httpmsg_bytes_consumed(c->p) != at)
        fuzz_fail("finish on a paused parser did not return PAUSED and change nothing");
    c->dead = 0;
    if (httpmsg_resume(c->p) != HTTPMSG_OK || httpmsg_get_error(c->p) != HTTPMSG_OK)
        fuzz_fail("resume after a pause failed");
}

static void upgraded(struct chk *c, const char *rest, size_t nrest)
{
    static const char one[1] = {'x'};
    uint64_t at = httpmsg_bytes_consumed(c->p);
    size_t used = 1;
    if (!c->upgrade_msg || c->prev != EV_MSG_C)
        fuzz_fail("UPGRADE after %s, the message was %san upgrade", evn(c->prev), c->upgrade_msg ? "" : "not ");
    if (!httpmsg_is_upgrade(c->p))
        fuzz_fail("UPGRADE, but httpmsg_is_upgrade() is 0");
    buf_printf(c->log, "upgrade offset=%" PRIu64 "\n", at);
    c->dead = 1;
    if (call_execute(c, nrest ? rest : one, nrest ? nrest : 1, &used) != HTTPMSG_UPGRADE || used != 0 ||
        httpmsg_bytes_consumed(c->p) != at)
        fuzz_fail("an upgraded parser did not stay upgraded");
    if (call_finish(c) != HTTPMSG_UPGRADE)
        fuzz_fail("finish on an upgraded parser did not return UPGRADE");
    c->dead = 0;
    /* decline the upgrade: go on parsing HTTP after it, unless its message
     * ended the connection (then only empty lines may come, as after any
     * closing message) */
    if (httpmsg_resume(c->p) != HTTPMSG_OK)
        fuzz_fail("resume after an upgrade failed");
    c->closed = !c->keep_alive && !(c->o->cfg->flags & HTTPMSG_LENIENT_DATA_AFTER_CLOSE);
    region_set(c, c->closed ? R_NONE : R_HEAD, at); /* no limit on the empty lines after a close */
}

/* An error came back from execute (before, used) or finish (used == SIZE_MAX). */
static void failed(struct chk *c, httpmsg_err e, uint64_t before, size_t used, const char *buf, size_t len)
{
    static const char one[1] = {'x'};
    uint64_t off = httpmsg_error_offset(c->p);
    size_t again = 1;
    const char *name = httpmsg_errname(e);
    if ((int)e <= (int)HTTPMSG_UPGRADE || (int)e >= (int)HTTPMSG_ERR_COUNT_ || e == HTTPMSG_ERR_INVALID_ARGUMENT)
        fuzz_fail("execute/finish returned %d (%s)", (int)e, name);
    if (strcmp(name, "UNKNOWN") == 0 || httpmsg_err_status(e) < 400 || !httpmsg_strerror(e) ||
        !*httpmsg_strerror(e) || strcmp(httpmsg_strerror(e), "unknown error") == 0)
        fuzz_fail("error %d without a name, text or status", (int)e);
    if (httpmsg_get_error(c->p) != e)
        fuzz_fail("httpmsg_get_error() is %d, the call returned %s", (int)httpmsg_get_error(c->p), name);
    if (e == HTTPMSG_ERR_USER) {
        if (!c->user_ret || httpmsg_user_error(c->p) != c->user_ret)
            fuzz_fail("USER error, httpmsg_user_error() %d, the callback returned %d", httpmsg_user_error(c->p),
                      c->user_ret);
    } else if (c->user_ret) {
        fuzz_fail("a callback returned %d, the call returned %s", c->user_ret, name);
    } else if (httpmsg_user_error(c->p) != 0) {
        fuzz_fail("httpmsg_user_error() is %d after %s", httpmsg_user_error(c->p), name);
    }
    if (used != SIZE_MAX && off != before + used)
        fuzz_fail("error offset %" PRIu64 ", the call started at %" PRIu64 " and used %zu", off, before, used);
    if (off != httpmsg_bytes_consumed(c->p) || off > c->total)
        fuzz_fail("error offset %" PRIu64 ", %" PRIu64 " bytes consumed, %" PRIu64 " in the input", off,
                  httpmsg_bytes_consumed(c->p), c->total);
    if (e == HTTPMSG_ERR_INCOMPLETE && (used != SIZE_MAX || off != c->total))
        fuzz_fail("INCOMPLETE at offset %" PRIu64 " of %" PRIu64, off, c->total);
    if (c->paused && e != HTTPMSG_ERR_USER && !(e == HTTPMSG_ERR_BODY_TOO_LARGE && c->over_limit))
        fuzz_fail("%s after a callback paused", name);
    if (c->over_limit && e != HTTPMSG_ERR_BODY_TOO_LARGE && e != HTTPMSG_ERR_USER)
        fuzz_fail("%s after the head of a response over the body limit", name);
    /* after a message that ended the connection: CLOSED, or a bad or cut
     * line end among the empty lines still allowed there */
    if (e == HTTPMSG_ERR_CLOSED && !c->closed)
        fuzz_fail("CLOSED without a message that ended the connection");
    if (c->closed && e != HTTPMSG_ERR_USER && e != HTTPMSG_ERR_CLOSED && e != HTTPMSG_ERR_BARE_CR &&
        !(e == HTTPMSG_ERR_BARE_LF && !(httpmsg_get_flags(c->p) & HTTPMSG_LENIENT_BARE_LF)) &&
        e != HTTPMSG_ERR_INCOMPLETE)
        fuzz_fail("%s after a message that ended the connection", name);
    region_error(c, e, off);

    flush_body(c);
    if (e == HTTPMSG_ERR_USER) /* where a callback stops is the parser's business */
        buf_printf(c->log, "error code=%s\n", name);
    else
        buf_printf(c->log, "error code=%s offset=%" PRIu64 "\n", name, off);

    /* sticky: nothing changes, no callback runs */
    c->dead = 1;
    if (call_execute(c, len ? buf : one, len ? len : 1, &again) != e || again != 0)
        fuzz_fail("execute after %s did not return it", name);
    if (call_execute(c, NULL, 0, &again) != e || again != 0)
        fuzz_fail("an empty execute after %s did not return it", name);
    if (call_finish(c) != e || httpmsg_resume(c->p) != e || httpmsg_get_error(c->p) != e ||
        httpmsg_error_offset(c->p) != off || httpmsg_bytes_consumed(c->p) != off)
        fuzz_fail("%s did not stick", name);
}

/* Feed one piece.  Returns 0 to go on, 1 after an error. */
static int feed(struct chk *c, const char *buf, size_t len)
{
    size_t off = 0;
    for (;;) {
        uint64_t before = httpmsg_bytes_consumed(c->p);
        if (off == len) {
            /* at the piece's end, now and then a zero-length call: it
             * makes what needs no more bytes (what a pause put off), and
             * the events do not change */
            c->erng ^= c->erng << 13;
            c->erng ^= c->erng >> 17;
            c->erng ^= c->erng << 5;
            if (c->erng & 0x100)
                return 0;
        }
        size_t used = SIZE_MAX;
        httpmsg_err e = call_execute(c, buf + off, len - off, &used);
        if (used > len - off)
            fuzz_fail("used %zu > len %zu", used, len - off);
        if (httpmsg_bytes_consumed(c->p) != before + used)
            fuzz_fail("bytes consumed %" PRIu64 ", expected %" PRIu64 " + %zu", httpmsg_bytes_consumed(c->p), before,
                      used);
        if (e > HTTPMSG_UPGRADE) {
            failed(c, e, before, used, buf + off, len - off);
            return 1;
        }
        if (httpmsg_get_error(c->p) != e)
            fuzz_fail("httpmsg_get_error() is %d, execute returned %d", (int)httpmsg_get_error(c->p), (int)e);
        if (c->over_limit)
            fuzz_fail("execute returned %d after the head of a response over the body limit", (int)e);
        if (c->user_ret)
            fuzz_fail("a callback returned %d, execute returned %d", c->user_ret, (int)e);
        off += used;
        if (e == HTTPMSG_OK) {
            if (off != len)
                fuzz_fail("OK without consuming everything");
            if (c->paused)
                fuzz_fail("OK though a callback paused");
            if (used == 0) /* the piece was all consumed: done */
                return 0;
        } else if (e == HTTPMSG_PAUSED) {
            paused(c, buf + off, len - off);
        } else {
            if (c->paused)
                fuzz_fail("UPGRADE though a callback paused");
            upgraded(c, buf + off, len - off);
        }
    }
    return 0;
}

static void move_parser(struct chk *c)
{
    httpmsg_parser *to = c->p == &c->slot[0] ? &c->slot[1] : &c->slot[0];
    memcpy(to, c->p, sizeof *to);
    memset(c->p, 0xa5, sizeof *c->p);
    c->p = to;
}

static void drive(struct chk *c, const uint8_t *in, size_t n)
{
    const struct check_opts *o = c->o;
    size_t start = 0;
    int stop = 0;
    httpmsg_err e;

    c->prev = EV_NONE;
    c->notes = 0;
    c->user_ret = 0;
    c->dead = 0;
    c->closed = 0;
    c->last_end = 0;
    c->body_started = 0;
    c->rng = 0x9e3779b9u ^ (o->seed * 0x01000193u);
    c->erng = 0x2545f491u ^ (o->seed * 0x01000193u);
    reset_message(c);
    region_set(c, R_HEAD, 0);
    for (size_t i = 0; i <= o->ncuts && !stop; i++) {
        size_t end = i < o->ncuts ? o->cuts[i] : n;
        char *piece;
        if (end < start || end > n)
            fuzz_fail("bad cuts");
        if (end == start)
            continue;
        piece = malloc(end - start); /* exactly the piece: ASan sees over-reads */
        if (!piece)
            fuzz_fail("out of memory");
        memcpy(piece, in + start, end - start);
        stop = feed(c, piece, end - start);
        free(piece);
        start = end;
        if (o->move && !stop)
            move_parser(c);
    }
    if (stop)
        return;
    for (;;) {
        uint64_t before = httpmsg_bytes_consumed(c->p);
        e = call_finish(c);
        if (httpmsg_bytes_consumed(c->p) != before)
            fuzz_fail("finish consumed bytes");
        if (e == HTTPMSG_PAUSED) {
            paused(c, NULL, 0);
        } else if (e == HTTPMSG_UPGRADE) {
            upgraded(c, NULL, 0);
        } else {
            break;
        }
    }
    if (e != HTTPMSG_OK) {
        failed(c, e, 0, SIZE_MAX, NULL, 0);
        return;
    }
    if (c->user_ret || c->paused)
        fuzz_fail("finish returned OK though a callback returned %d", c->user_ret ? c->user_ret : 1);
    buf_add(c->log, "finish\n", 7);
    /* after a successful finish: finish again is OK, data is CLOSED */
    c->dead = 1;
    if (call_finish(c) != HTTPMSG_OK)
        fuzz_fail("a second finish did not return OK");
    {
        static const char one[1] = {'x'};
        size_t used = 1;
        if (call_execute(c, one, 1, &used) != HTTPMSG_ERR_CLOSED || used != 0 ||
            httpmsg_error_offset(c->p) != c->total)
            fuzz_fail("data after finish did not give CLOSED at the end of the stream");
    }
}

static void run_once(struct chk *c, const uint8_t *in, size_t n, struct trace_buf *log)
{
    c->log = log;
    current_log = log;
    drive(c, in, n);
    current_log = NULL;
}

/* httpmsg_init() with the scanning code `impl` (NULL: the default).
 * Returns 0, or -1 if this CPU or build lacks it. */
static int init_with_impl(httpmsg_parser *p, httpmsg_type type, const char *impl)
{
    if (httpmsg_init(p, type, &settings) != HTTPMSG_OK)
        return -2;
    if (impl && httpmsg_set_impl(p, impl) != HTTPMSG_OK)
        return -1;
    return 0;
}

const char *const fuzz_impls[] = {"scalar", "sse4.2", "avx2", "avx512", "neon", NULL};

int check_run(const struct check_opts *o, const uint8_t *in, size_t n, struct trace_buf *log)
{
    struct chk *c = calloc(1, sizeof *c);
    int r;
    if (!c)
        fuzz_fail("out of memory");
    c->o = o;
    c->total = n;
    c->p = &c->slot[0];
    c->max_head = o->cfg->max_head ? o->cfg->max_head : HTTPMSG_DEFAULT_MAX_HEAD;
    r = init_with_impl(c->p, o->type, o->impl);
    if (r == -2)
        fuzz_fail("init failed");
    if (r < 0) {
        free(c);
        return -1;
    }
    c->p->data = c;
    if (httpmsg_set_flags(c->p, o->cfg->flags) != HTTPMSG_OK || httpmsg_get_flags(c->p) != o->cfg->flags ||
        (o->cfg->max_head && httpmsg_set_max_head(c->p, o->cfg->max_head) != HTTPMSG_OK) ||
        httpmsg_set_max_body(c->p, o->cfg->max_body) != HTTPMSG_OK)
        fuzz_fail("setting the options failed");
    run_once(c, in, n, log);
    if (o->again) {
        struct trace_buf second = {0};
        httpmsg_reset(c->p);
        if (httpmsg_get_error(c->p) != HTTPMSG_OK || httpmsg_bytes_consumed(c->p) != 0 ||
            httpmsg_get_flags(c->p) != o->cfg->flags || c->p->data != c)
            fuzz_fail("reset did not start over with the same options");
        run_once(c, in, n, &second);
        fuzz_same("the logs before and after httpmsg_reset()", log, "first run", &second, "after reset");
        trace_buf_free(&second);
    }
    trace_buf_free(&c->el);
    trace_buf_free(&c->name);
    trace_buf_free(&c->body);
    free(c);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The request, response and both targets                                   */
/* ------------------------------------------------------------------------ */

void fuzz_parse_target(httpmsg_type type, const uint8_t *d, size_t n)
{
    struct fuzz_cfg cfg;
    struct check_opts o;
    struct trace_buf t = {0}, a = {0}, b = {0};
    if (!fuzz_config(d, n, &cfg))
        return;
    d += FUZZ_CONFIG_BYTES;
    n -= FUZZ_CONFIG_BYTES;
    /* the trace module's own checks, whole */
    fuzz_trace(type, &cfg, d, n, NULL, 0, 0, &t);
    /* the checker, whole, without pauses */
    memset(&o, 0, sizeof o);
    o.type = type;
    o.cfg = &cfg;
    check_run(&o, d, n, &a);
    /* pausing in every callback, so that each event's offset is known (the
     * head limit), then again after httpmsg_reset(): the same events */
    o.pause = CHECK_PAUSE_EVERY;
    o.again = 1;
    check_run(&o, d, n, &b);
    fuzz_same("checker logs without and with pauses", &a, "no pause", &b, "pausing in every callback");
    /* every scanning implementation this CPU runs gives the same events */
    o.pause = CHECK_PAUSE_NEVER;
    o.again = 0;
    for (int i = 0; fuzz_impls[i]; i++) {
        struct trace_buf x = {0};
        char what[96];
        o.impl = fuzz_impls[i];
        if (check_run(&o, d, n, &x) == 0) {
            snprintf(what, sizeof what, "checker logs of the default and the %s scanner", fuzz_impls[i]);
            fuzz_same(what, &a, "default", &x, fuzz_impls[i]);
        }
        trace_buf_free(&x);
    }
    trace_buf_free(&t);
    trace_buf_free(&a);
    trace_buf_free(&b);
}
