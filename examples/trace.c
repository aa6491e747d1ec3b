/*
 * trace.c - see trace.h.  One context per run; callbacks assemble each
 * element from its pieces and print it when its *_complete call arrives.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "trace.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct {
    const char *name;
    uint32_t bit;
} flag_names[] = {
    {"bare-lf", HTTPMSG_LENIENT_BARE_LF},
    {"obs-fold", HTTPMSG_LENIENT_OBS_FOLD},
    {"dup-content-length", HTTPMSG_LENIENT_DUP_CONTENT_LENGTH},
    {"te-with-cl", HTTPMSG_LENIENT_TE_WITH_CL},
    {"value-chars", HTTPMSG_LENIENT_VALUE_CHARS},
    {"target", HTTPMSG_LENIENT_TARGET},
    {"missing-reason-sp", HTTPMSG_LENIENT_MISSING_REASON_SP},
    {"whitespace", HTTPMSG_LENIENT_WHITESPACE},
    {"transfer-codings", HTTPMSG_LENIENT_TRANSFER_CODINGS},
    {"data-after-close", HTTPMSG_LENIENT_DATA_AFTER_CLOSE},
    {"all", HTTPMSG_LENIENT_ALL_},
};

const char *trace_flag_list(void)
{
    return "bare-lf,obs-fold,dup-content-length,te-with-cl,value-chars,target,"
           "missing-reason-sp,whitespace,transfer-codings,data-after-close,all";
}

int trace_parse_flags(const char *list, uint32_t *flags)
{
    uint32_t f = 0;
    const char *s = list;
    while (*s) {
        size_t n = strcspn(s, ","), i;
        for (i = 0; i < sizeof flag_names / sizeof *flag_names; i++)
            if (strlen(flag_names[i].name) == n && memcmp(flag_names[i].name, s, n) == 0)
                break;
        if (n && i == sizeof flag_names / sizeof *flag_names)
            return -1;
        if (n)
            f |= flag_names[i].bit;
        s += n;
        if (*s == ',')
            s++;
    }
    *flags = f;
    return 0;
}

void trace_buf_free(struct trace_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int trace_buf_add(struct trace_buf *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *np;
        while (cap < b->len + n + 1)
            cap *= 2;
        np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

static int buf_vprintf(struct trace_buf *b, const char *fmt, va_list ap)
{
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    return trace_buf_add(b, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

int trace_buf_printf(struct trace_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* Append; on allocation failure *oom is set. */
static void buf_add(struct trace_buf *b, const char *s, size_t n, int *oom)
{
    if (trace_buf_add(b, s, n) != 0)
        *oom = 1;
}

struct ctx {
    httpmsg_parser p;
    const struct trace_opts *o;
    struct trace_buf *out;
    struct trace_buf el, name, body; /* element being assembled; field name; body */
    const char *piece, *piece_end;   /* the buffer of the current execute call */
    unsigned calls;                  /* callbacks during the current execute call */
    int oom, broken;
};

#define CTX(p) ((struct ctx *)(p)->data)

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void out_printf(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (buf_vprintf(c->out, fmt, ap) != 0)
        c->oom = 1;
    va_end(ap);
}

static void broken(struct ctx *c, const char *what)
{
    if (!c->broken)
        out_printf(c, "INVARIANT %s\n", what);
    c->broken = 1;
}

/* A quoted string with the format's escapes. */
static void out_quoted(struct ctx *c, const struct trace_buf *b)
{
    buf_add(c->out, "\"", 1, &c->oom);
    for (size_t i = 0; i < b->len; i++) {
        unsigned char ch = (unsigned char)b->p[i];
        char esc[5];
        const char *e = NULL;
        switch (ch) {
        case '\\': e = "\\\\"; break;
        case '"': e = "\\\""; break;
        case '\r': e = "\\r"; break;
        case '\n': e = "\\n"; break;
        case '\t': e = "\\t"; break;
        default:
            if (ch < 0x20 || ch >= 0x7f) {
                snprintf(esc, sizeof esc, "\\x%02x", ch);
                e = esc;
            }
        }
        if (e)
            buf_add(c->out, e, strlen(e), &c->oom);
        else
            buf_add(c->out, (const char *)&ch, 1, &c->oom);
    }
    buf_add(c->out, "\"", 1, &c->oom);
}

static void out_line(struct ctx *c, const char *label, const struct trace_buf *a, const struct trace_buf *b)
{
    buf_add(c->out, label, strlen(label), &c->oom);
    buf_add(c->out, " ", 1, &c->oom);
    out_quoted(c, a);
    if (b) {
        buf_add(c->out, " ", 1, &c->oom);
        out_quoted(c, b);
    }
    buf_add(c->out, "\n", 1, &c->oom);
}

static void flush_body(struct ctx *c)
{
    if (c->body.len) {
        out_line(c, "body", &c->body, NULL);
        c->body.len = 0;
    }
}

/* Every callback passes here: count it, and say whether to pause. */
static int ret(struct ctx *c)
{
    if (++c->calls > 1 && c->o->pause)
        broken(c, "a callback ran after another one paused");
    return c->o->pause ? HTTPMSG_CB_PAUSE : HTTPMSG_CB_OK;
}

/* A piece must lie inside the current buffer; the documented exceptions are
 * whitespace (held back or an obs-fold) and, in HTTPMSG_BOTH mode, a method
 * prefix of "HTTP". */
static void check_piece(struct ctx *c, const char *at, size_t n, int ws_ok, int http_ok)
{
    size_t i;
    if (n == 0)
        broken(c, "a data callback got len 0");
    if (at >= c->piece && at <= c->piece_end && n <= (size_t)(c->piece_end - at))
        return;
    for (i = 0; i < n && ws_ok && (at[i] == ' ' || at[i] == '\t'); i++)
        ;
    if (ws_ok && i == n)
        return;
    if (http_ok && n <= 4 && memcmp(at, "HTTP", n) == 0)
        return;
    broken(c, "a span lies outside the buffer");
}

static int add_piece(httpmsg_parser *p, const char *at, size_t n, int ws_ok, int http_ok)
{
    struct ctx *c = CTX(p);
    check_piece(c, at, n, ws_ok, http_ok);
    buf_add(&c->el, at, n, &c->oom);
    return ret(c);
}

static int on_message_begin(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    out_printf(c, "message-begin\n");
    c->el.len = c->name.len = c->body.len = 0;
    return ret(c);
}
static int on_method(httpmsg_parser *p, const char *at, size_t n) { return add_piece(p, at, n, 0, 1); }
static int on_method_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    out_line(c, "method", &c->el, NULL);
    c->el.len = 0;
    return ret(c);
}
static int on_target(httpmsg_parser *p, const char *at, size_t n) { return add_piece(p, at, n, 0, 0); }
static int on_target_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    out_line(c, "url", &c->el, NULL);
    c->el.len = 0;
    return ret(c);
}
static void out_version(struct ctx *c)
{
    out_printf(c, "version %d.%d\n", httpmsg_http_major(&c->p), httpmsg_http_minor(&c->p));
}
static int on_version_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    if (httpmsg_message_type(p) == HTTPMSG_REQUEST)
        out_version(c); /* responses: after the reason, as the format orders it */
    return ret(c);
}
static int on_status_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    out_printf(c, "status %d\n", httpmsg_status(p));
    return ret(c);
}
static int on_reason(httpmsg_parser *p, const char *at, size_t n) { return add_piece(p, at, n, 0, 0); }
static int on_reason_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    out_line(c, "reason", &c->el, NULL);
    c->el.len = 0;
    out_version(c);
    return ret(c);
}
static int on_name(httpmsg_parser *p, const char *at, size_t n) { return add_piece(p, at, n, 0, 0); }
static int on_name_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    c->name.len = 0;
    buf_add(&c->name, c->el.p ? c->el.p : "", c->el.len, &c->oom);
    c->el.len = 0;
    return ret(c);
}
static int on_value(httpmsg_parser *p, const char *at, size_t n) { return add_piece(p, at, n, 1, 0); }
static int on_header_value_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    out_line(c, "header", &c->name, &c->el);
    c->el.len = 0;
    return ret(c);
}
static int on_trailer_value_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    flush_body(c);
    out_line(c, "trailer", &c->name, &c->el);
    c->el.len = 0;
    return ret(c);
}
static int on_headers_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    char body[40];
    switch (httpmsg_body_kind(p)) {
    case HTTPMSG_BODY_LENGTH: snprintf(body, sizeof body, "length:%" PRIu64, httpmsg_content_length(p)); break;
    case HTTPMSG_BODY_CHUNKED: strcpy(body, "chunked"); break;
    case HTTPMSG_BODY_EOF: strcpy(body, "eof"); break;
    default: strcpy(body, "none"); break;
    }
    out_printf(c, "headers-complete keep-alive=%d body=%s upgrade=%d\n", httpmsg_should_keep_alive(p), body,
               httpmsg_is_upgrade(p));
    return ret(c);
}
static int on_body(httpmsg_parser *p, const char *at, size_t n)
{
    struct ctx *c = CTX(p);
    check_piece(c, at, n, 0, 0);
    buf_add(&c->body, at, n, &c->oom);
    return ret(c);
}
static int on_chunk_extension(httpmsg_parser *p, const char *at, size_t n) { return add_piece(p, at, n, 0, 0); }
static int on_chunk_extension_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    c->el.len = 0; /* the dump format does not show extensions */
    return ret(c);
}
static int on_other(httpmsg_parser *p) { return ret(CTX(p)); }
static int on_message_complete(httpmsg_parser *p)
{
    struct ctx *c = CTX(p);
    flush_body(c);
    out_printf(c, "message-complete\n");
    return ret(c);
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
    .on_header_name = on_name,
    .on_header_name_complete = on_name_complete,
    .on_header_value = on_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_chunk_extension = on_chunk_extension,
    .on_chunk_extension_complete = on_chunk_extension_complete,
    .on_chunk_header = on_other,
    .on_chunk_complete = on_other,
    .on_trailer_name = on_name,
    .on_trailer_name_complete = on_name_complete,
    .on_trailer_value = on_value,
    .on_trailer_value_complete = on_trailer_value_complete,
    .on_message_complete = on_message_complete,
};

/* The raw recorder: every callback prints its name (and piece), so that
 * two runs compare piece by piece; the field-end callbacks are silent. */
static int raw_data(httpmsg_parser *p, const char *name, const char *at, size_t n, int ws_ok, int http_ok)
{
    struct ctx *c = CTX(p);
    struct trace_buf piece = {(char *)(uintptr_t)at, n, n};
    check_piece(c, at, n, ws_ok, http_ok);
    out_printf(c, "%s ", name);
    out_quoted(c, &piece);
    buf_add(c->out, "\n", 1, &c->oom);
    return ret(c);
}
static int raw_note(httpmsg_parser *p, const char *name)
{
    struct ctx *c = CTX(p);
    out_printf(c, "%s\n", name);
    return ret(c);
}
static int raw_silent(httpmsg_parser *p) { return ret(CTX(p)); }
#define RAW_DATA(f, ws_ok, http_ok)                                                                    \
    static int raw_##f(httpmsg_parser *p, const char *at, size_t n)                                    \
    {                                                                                                  \
        return raw_data(p, #f, at, n, ws_ok, http_ok);                                                 \
    }
#define RAW_NOTE(f) \
    static int raw_##f(httpmsg_parser *p) { return raw_note(p, #f); }
RAW_NOTE(message_begin)
RAW_DATA(method, 0, 1)
RAW_NOTE(method_complete)
RAW_DATA(target, 0, 0)
RAW_NOTE(target_complete)
RAW_NOTE(version_complete)
RAW_NOTE(status_complete)
RAW_DATA(reason, 0, 0)
RAW_NOTE(reason_complete)
RAW_DATA(header_name, 0, 0)
RAW_DATA(header_value, 1, 0)
RAW_NOTE(headers_complete)
RAW_DATA(body, 0, 0)
RAW_DATA(chunk_extension, 0, 0)
RAW_NOTE(chunk_extension_complete)
RAW_NOTE(chunk_header)
RAW_NOTE(chunk_complete)
RAW_DATA(trailer_name, 0, 0)
RAW_DATA(trailer_value, 1, 0)
RAW_NOTE(message_complete)

#define RAW_SETTINGS(ends, name, value)                                                                \
    {                                                                                                  \
        .on_message_begin = raw_message_begin, .on_method = raw_method,                                \
        .on_method_complete = raw_method_complete, .on_target = raw_target,                            \
        .on_target_complete = raw_target_complete, .on_version_complete = raw_version_complete,        \
        .on_status_complete = raw_status_complete, .on_reason = raw_reason,                            \
        .on_reason_complete = raw_reason_complete, .on_header_name = name,                             \
        .on_header_name_complete = ends, .on_header_value = value,                                     \
        .on_header_value_complete = ends, .on_headers_complete = raw_headers_complete,                 \
        .on_body = raw_body, .on_chunk_extension = raw_chunk_extension,                                \
        .on_chunk_extension_complete = raw_chunk_extension_complete,                                   \
        .on_chunk_header = raw_chunk_header, .on_chunk_complete = raw_chunk_complete,                  \
        .on_trailer_name = raw_trailer_name, .on_trailer_name_complete = ends,                         \
        .on_trailer_value = raw_trailer_value, .on_trailer_value_complete = ends,                      \
        .on_message_complete = raw_message_complete,                                                   \
    }
static const httpmsg_settings raw_settings = RAW_SETTINGS(raw_silent, raw_header_name, raw_header_value);
static const httpmsg_settings raw_settings_no_ends = RAW_SETTINGS(NULL, raw_header_name, raw_header_value);
static const httpmsg_settings raw_settings_no_data = RAW_SETTINGS(NULL, NULL, NULL);

char *trace_raw_drop_field_data(const char *raw)
{
    char *out = malloc(strlen(raw) + 1), *w = out;
    if (!out)
        return NULL;
    while (*raw) {
        size_t n = strcspn(raw, "\n");
        n += raw[n] == '\n';
        if (strncmp(raw, "header_name ", 12) != 0 && strncmp(raw, "header_value ", 13) != 0) {
            memcpy(w, raw, n);
            w += n;
        }
        raw += n;
    }
    *w = 0;
    return out;
}

static void out_error(struct ctx *c, httpmsg_err e)
{
    flush_body(c);
    out_printf(c, "error offset=%" PRIu64 " code=%s\n", httpmsg_error_offset(&c->p), httpmsg_errname(e));
}

/* Feed one piece.  Returns 0 to go on, 1 after a parse error, 2 after an
 * invariant breach, 3 after an upgrade (stop, successfully). */
static int feed(struct ctx *c, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t used = len + 1;
        httpmsg_err e;
        c->piece = buf + off;
        c->piece_end = buf + len;
        c->calls = 0;
        e = httpmsg_execute(&c->p, buf + off, len - off, &used);
        if (used > len - off) {
            broken(c, "used > len");
            return 2;
        }
        off += used;
        if (e == HTTPMSG_OK) {
            if (off != len)
                broken(c, "HTTPMSG_OK without consuming everything");
        } else if (e == HTTPMSG_PAUSED) {
            if (!c->o->pause)
                broken(c, "paused without being asked");
            if (httpmsg_execute(&c->p, buf + off, len - off, &used) != HTTPMSG_PAUSED || used != 0)
                broken(c, "a paused parser did not stay paused");
            httpmsg_resume(&c->p);
        } else if (e == HTTPMSG_UPGRADE) {
            out_printf(c, "upgrade offset=%" PRIu64 "\n", httpmsg_bytes_consumed(&c->p));
            return 3;
        } else {
            size_t again = 1;
            out_error(c, e);
            if (httpmsg_execute(&c->p, buf, len, &again) != e || again != 0 || httpmsg_finish(&c->p) != e)
                broken(c, "an error did not stick");
            return 1;
        }
        if (c->broken)
            return 2;
    }
    return 0;
}

/* A mapping with an inaccessible page after (or before) room for `n` bytes. */
struct guarded {
    char *map, *room;
    size_t maplen, roomlen;
};

static int guard_map(struct guarded *g, size_t n, int after)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    g->roomlen = (n + page - 1) / page * page;
    if (g->roomlen == 0)
        g->roomlen = page;
    g->maplen = g->roomlen + page;
    g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->map == MAP_FAILED)
        return -1;
    g->room = after ? g->map : g->map + page;
    return mprotect(after ? g->map + g->roomlen : g->map, page, PROT_NONE);
}

/* Where a piece of `len` bytes goes: flush against the guard page. */
static char *guard_place(struct guarded *g, size_t len, int after)
{
    return after ? g->room + g->roomlen - len : g->room;
}

int trace_run(const struct trace_opts *o, const char *in, size_t n, const size_t *cuts, size_t ncuts,
              struct trace_buf *out)
{
    struct ctx *c = calloc(1, sizeof *c);
    struct guarded g = {0};
    size_t start = 0;
    int rc = 0;
    httpmsg_err e;
    if (!c)
        return 2;
    if (o->guard && guard_map(&g, n, o->guard == 1) != 0) {
        free(c);
        return 2;
    }
    c->o = o;
    c->out = out;
    httpmsg_init(&c->p, o->type,
                 !o->raw            ? &settings
                 : o->no_field_data ? &raw_settings_no_data
                 : o->no_field_ends ? &raw_settings_no_ends
                                    : &raw_settings);
    c->p.data = c;
    if (httpmsg_set_flags(&c->p, o->flags) != HTTPMSG_OK ||
        (o->max_head && httpmsg_set_max_head(&c->p, o->max_head) != HTTPMSG_OK) ||
        httpmsg_set_max_body(&c->p, o->max_body) != HTTPMSG_OK) {
        broken(c, "bad options");
        rc = 2;
    }
    for (size_t i = 0; i <= ncuts && rc == 0; i++) {
        size_t stop = i < ncuts ? cuts[i] : n;
        const char *piece = in + start;
        char *copy = NULL;
        if (stop < start || stop > n) {
            broken(c, "bad cuts");
            rc = 2;
            break;
        }
        if (stop == start) /* an empty piece must change nothing */
            continue;
        if (o->guard) {
            char *at = guard_place(&g, stop - start, o->guard == 1);
            memcpy(at, in + start, stop - start);
            piece = at;
        } else if (o->copy) {
            copy = malloc(stop - start);
            if (!copy) {
                rc = 2;
                break;
            }
            memcpy(copy, in + start, stop - start);
            piece = copy;
        }
        rc = feed(c, piece, stop - start);
        free(copy);
        start = stop;
    }
    if (rc == 0) {
        if (o->mark_end) {
            flush_body(c);
            out_printf(c, "end of input\n");
        }
        do {
            c->calls = 0;
            e = httpmsg_finish(&c->p);
            if (e == HTTPMSG_PAUSED)
                httpmsg_resume(&c->p);
        } while (e == HTTPMSG_PAUSED && !c->broken);
        if (e == HTTPMSG_UPGRADE) { /* seen only now when a pause deferred it */
            out_printf(c, "upgrade offset=%" PRIu64 "\n", httpmsg_bytes_consumed(&c->p));
        } else if (e != HTTPMSG_OK) {
            out_error(c, e);
            rc = 1;
        }
    }
    if (rc == 3)
        rc = 0;
    if (c->broken)
        rc = 2;
    if (c->oom)
        rc = 2;
    if (g.map)
        munmap(g.map, g.maplen);
    trace_buf_free(&c->el);
    trace_buf_free(&c->name);
    trace_buf_free(&c->body);
    free(c);
    return rc;
}
