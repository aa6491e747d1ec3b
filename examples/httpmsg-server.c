/*
 * httpmsg-server - a small HTTP/1.1 server on libhttpmsg, written to be read
 * as the model of how a server drives the parser.
 *
 *   httpmsg-server [--host ADDR] [--port N] [--quiet] [--max-conns N]
 *                  [--idle-timeout S] [--header-timeout S]
 *                  [--max-head N] [--max-body N]
 *
 * Every request gets "200 OK", text/plain, "Hello World"; the path /echo
 * (with or without a query, in origin-form "/echo?a=1" or absolute-form
 * "http://host/echo?a=1") answers with the request as the parser saw it:
 * request line, header fields, an empty line, the body (de-chunked), and
 * trailer fields if any.  HEAD gets no body, and the Content-Length GET
 * would get: that of the same echo with "GET" in place of "HEAD".  Each
 * request is logged on standard output unless --quiet.  Bad input gets the
 * status httpmsg_err_status() names, then the connection is closed; so does
 * a Host value that is not uri-host [ ":" port ] (400), which the parser
 * leaves to us.
 *
 * How it works, in the order a request meets it:
 *
 *  - One thread, one epoll loop, non-blocking sockets (level-triggered).
 *  - One read buffer serves every connection.  Each read is parsed straight
 *    out of it: the parser keeps its own small state between reads, so a
 *    request is never gathered before parsing.  The only bytes a connection
 *    keeps are those it needs: the request line and fields as text when they
 *    are logged or echoed, the body for /echo, and (only while the client is
 *    not reading our answers) input not parsed yet.
 *  - on_headers_complete pauses when the request says "Expect: 100-continue"
 *    and has a body: execute() returns before any body byte is consumed, the
 *    loop sends "100 Continue", resumes, and parsing goes on with the body.
 *  - on_message_complete always pauses: execute() returns at the end of each
 *    request, the loop queues that request's answer, resumes, and parses the
 *    next pipelined request from the same buffer.  So answers go out in
 *    order, and the loop can stop between requests when the client does not
 *    read (back-pressure) or the connection must close.
 *  - Timeouts: a head must arrive within --header-timeout of its first byte,
 *    empty lines before it aside (a client trickling bytes is answered 408
 *    and dropped); a connection silent (empty lines aside) for
 *    --idle-timeout is closed.
 *    --max-conns caps connections (beyond it: 503 and close).
 *    SIGINT/SIGTERM stop accepting, let the requests under way finish (2 s
 *    at most) and exit 0.
 */
#define _GNU_SOURCE /* accept4, signalfd */
#include <httpmsg.h>

#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Options                                                                   */
/* ------------------------------------------------------------------------ */

static struct {
    const char *host, *port;
    int quiet;
    unsigned max_conns;
    int64_t idle_ms, header_ms; /* timeouts */
    size_t max_head;            /* httpmsg_set_max_head() */
    uint64_t max_body;          /* httpmsg_set_max_body() */
} opt = {"127.0.0.1", "8080", 0, 1000, 60000, 10000, HTTPMSG_DEFAULT_MAX_HEAD, 1024 * 1024};

enum {
    READ_BUF = 64 * 1024,     /* one read, shared by all connections */
    OUT_HIGH = 256 * 1024,    /* answers queued beyond this: stop parsing until they drain */
    KEEP_CAP = 64 * 1024,     /* larger per-connection buffers are freed once done with */
    LINGER_MS = 2000,         /* after the last answer: read and discard this long at most */
    STOP_GRACE_MS = 2000,     /* on SIGINT/SIGTERM: requests under way get this long */
    TICK_MS = 250             /* how often timeouts are checked */
};

/* ------------------------------------------------------------------------ */
/* A growable byte buffer                                                    */
/* ------------------------------------------------------------------------ */

struct buf {
    char *p;
    size_t len, cap;
};

static int buf_add(struct buf *b, const void *d, size_t n)
{
    if (n == 0)
        return 0;
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 256;
        char *np;
        while (cap - b->len < n)
            cap *= 2;
        if (!(np = realloc(b->p, cap)))
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
    return 0;
}

static int buf_str(struct buf *b, const char *s) { return buf_add(b, s, strlen(s)); }

static int buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return -1;
    return buf_add(b, tmp, (size_t)n);
}

/* Empty the buffer; give its memory back if it grew large. */
static void buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->cap > KEEP_CAP) {
        free(b->p);
        b->p = NULL;
        b->cap = 0;
    }
}

static void buf_free(struct buf *b)
{
    free(b->p);
    *b = (struct buf){0};
}

/* ------------------------------------------------------------------------ */
/* Connections                                                               */
/* ------------------------------------------------------------------------ */

enum phase {
    IDLE,  /* between requests: nothing of the next one received */
    HEAD,  /* receiving a head: the header timeout runs */
    BODY,  /* head complete, receiving the body */
    LINGER /* last answer sent, write side shut: discarding input until EOF */
};

enum pause_reason { PAUSED_HEAD, PAUSED_MESSAGE };

struct conn {
    int fd;
    unsigned long id;
    char peer[80];
    httpmsg_parser parser; /* parser.data points back here */
    enum phase phase;
    int64_t head_start, last_io, linger_start;
    uint32_t events; /* the epoll interest registered now */
    int dead;        /* close at the end of this event */

    /* the request being parsed */
    enum pause_reason paused_for;
    int echo;         /* the target is /echo */
    int head_req;     /* its method is HEAD (known once the method is parsed;
                         0 between requests, whatever the parser last saw) */
    int name_at;      /* bytes of the field name that match "host" so far; -1: not Host */
    int in_host;      /* the field value being read is Host's */
    int host_st;      /* where that value's syntax check stands: enum host_state */
    char lit6[46];    /* an IPv6 literal's text so far (at most 45 bytes) */
    int lit6_len;
    int recording;    /* keep the fields as text (to log or echo them) */
    int reject;       /* status a callback decided to answer with, or 0 */
    const char *reject_why;
    size_t target_at; /* where the target starts in `head` */
    struct buf head;  /* "METHOD TARGET HTTP/x.y\n" and "Name: value\n" lines */
    struct buf body;  /* /echo only: the body */
    struct buf trail; /* trailer fields as "Name: value\n" lines */
    struct buf *fields; /* where field lines go now: head, then trail */
    uint64_t body_len;

    /* output */
    struct buf out;   /* queued answers, written from out_off */
    size_t out_off;
    int close_after;  /* no more requests: close once `out` is written */
    int peer_eof;     /* the client shut its side */
    struct buf held;  /* input read but not parsed yet (only under back-pressure) */

    struct conn *prev, *next; /* every connection, for timeouts and shutdown */
};

static int epfd = -1, listen_fd = -1, sig_fd = -1;
static int listener_tag, signal_tag; /* epoll tags that are not connections */
static int listener_paused, stopping;
static int64_t now, stop_deadline;
static struct conn *conns;
static unsigned nconns;
static unsigned long next_id = 1;
static char rbuf[READ_BUF];

static int64_t clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The Date field value (RFC 9110 §6.6.1), formatted once a second. */
static const char *http_date(void)
{
    static char text[64];
    static time_t at = -1;
    time_t t = time(NULL);
    if (t != at) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        at = t;
    }
    return text;
}

/* Print one log entry (unless --quiet), as one write. */
static void log_entry(const struct buf *b)
{
    if (!opt.quiet && b->len) {
        fwrite(b->p, 1, b->len, stdout);
        fflush(stdout);
    }
}

/* Register what we want to hear about: input unless we stopped reading,
 * output while answers wait to be written.  Reading stops while input is
 * held, and while more than OUT_HIGH of answers wait: a read that ended
 * right at the end of a request left nothing to hold, yet the next one
 * would queue more answers for a client that does not read them. */
static void update_events(struct conn *c)
{
    uint32_t ev = 0;
    if (c->phase == LINGER ||
        (!c->close_after && !c->peer_eof && !c->held.len && c->out.len - c->out_off <= OUT_HIGH))
        ev |= EPOLLIN;
    if (c->out.len > c->out_off)
        ev |= EPOLLOUT;
    if (ev != c->events) {
        struct epoll_event e = {.events = ev, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e);
        c->events = ev;
    }
}

static void conn_close(struct conn *c)
{
    close(c->fd); /* also removes it from the epoll set */
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    nconns--;
    buf_free(&c->head);
    buf_free(&c->body);
    buf_free(&c->trail);
    buf_free(&c->out);
    buf_free(&c->held);
    free(c);
    if (listener_paused && !stopping) { /* a slot or a descriptor is free again */
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &listener_tag};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &e) == 0)
            listener_paused = 0;
    }
}

/* Write what we can of the queued answers.  Returns -1 on a write error. */
static int flush(struct conn *c)
{
    while (c->out.len > c->out_off) {
        ssize_t n = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->out_off += (size_t)n;
        c->last_io = now;
    }
    c->out_off = 0;
    buf_clear(&c->out);
    return 0;
}

/* Keep bytes that were read but not parsed yet, to parse once the client has
 * read our answers. */
static void hold(struct conn *c, const char *data, size_t len)
{
    if (buf_add(&c->held, data, len) < 0)
        c->dead = 1;
}

/* ------------------------------------------------------------------------ */
/* Parser callbacks: they only record what the answer and the log need       */
/* ------------------------------------------------------------------------ */

/* Stop the request: execute() returns HTTPMSG_ERR_USER and we answer
 * `status`. */
static int reject(struct conn *c, int status, const char *why)
{
    c->reject = status;
    c->reject_why = why;
    return -1;
}

static int record(struct conn *c, struct buf *b, const char *at, size_t len)
{
    return buf_add(b, at, len) < 0 ? reject(c, 500, "out of memory") : HTTPMSG_CB_OK;
}

/* The Host value (RFC 9112 §3.2, RFC 9110 §7.2, RFC 3986 §3.2.2):
 *
 *   Host        = uri-host [ ":" port ]      port = *DIGIT
 *   uri-host    = IP-literal / IPv4address / reg-name
 *   IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
 *   IPvFuture   = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
 *   reg-name    = *( unreserved / pct-encoded / sub-delims )
 *
 * An IPv4address is also a reg-name.  An IPv6address is scanned for its
 * characters (hex digits, ':' and '.') and kept, then checked whole at its
 * ']' with inet_pton(), whose text form is RFC 3986's (RFC 4291 §2.2, no
 * zone).  An empty value is valid (the target has no authority); an empty
 * host before a port is not, as an http URI has a host (RFC 9110 §4.2.1).
 * The value comes in pieces when it is split across reads, so it is checked
 * one byte at a time as they come: host_step() moves from state to state,
 * and only an IPv6 literal is copied (at most 45 bytes). */
enum host_state {
    HOST_START,                   /* nothing yet (an empty value is valid) */
    HOST_NAME,                    /* in a reg-name */
    HOST_PCT1, HOST_PCT2,         /* after '%': two hex digits */
    HOST_LIT,                     /* after '[' */
    HOST_LIT6,                    /* in an IPv6address */
    HOST_FUT_V, HOST_FUT_HEX,     /* IPvFuture: after "v", in its 1*HEXDIG */
    HOST_FUT_DOT, HOST_FUT,       /* after its ".", in what follows */
    HOST_LIT_END,                 /* after ']' */
    HOST_PORT,                    /* after ':' */
    HOST_BAD
};

static int is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }
static int is_hex(unsigned char ch) { return is_digit(ch) || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f'); }
static int is_alpha(unsigned char ch) { return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'; }
static int is_unreserved(unsigned char ch)
{
    return is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}
static int is_sub_delim(unsigned char ch) { return ch && strchr("!$&'()*+,;=", ch) != NULL; }

static int host_step(int st, unsigned char ch)
{
    if (st == HOST_START && (ch == '[' || ch == ':')) /* a port needs a host (RFC 9110 §4.2.1) */
        return ch == '[' ? HOST_LIT : HOST_BAD;
    if (st == HOST_LIT && (ch | 0x20) == 'v')
        return HOST_FUT_V;
    switch (st) {
    case HOST_START: /* else a reg-name */
    case HOST_NAME:
        if (is_unreserved(ch) || is_sub_delim(ch))
            return HOST_NAME;
        return ch == '%' ? HOST_PCT1 : ch == ':' ? HOST_PORT : HOST_BAD;
    case HOST_PCT1:
        return is_hex(ch) ? HOST_PCT2 : HOST_BAD;
    case HOST_PCT2:
        return is_hex(ch) ? HOST_NAME : HOST_BAD;
    case HOST_LIT: /* else an IPv6address */
    case HOST_LIT6:
        if (ch == ']' && st == HOST_LIT6)
            return HOST_LIT_END;
        return is_hex(ch) || ch == '.' || ch == ':' ? HOST_LIT6 : HOST_BAD;
    case HOST_FUT_V:
    case HOST_FUT_HEX:
        return is_hex(ch) ? HOST_FUT_HEX : ch == '.' && st == HOST_FUT_HEX ? HOST_FUT_DOT : HOST_BAD;
    case HOST_FUT_DOT:
    case HOST_FUT:
        if (ch == ']' && st == HOST_FUT)
            return HOST_LIT_END;
        return is_unreserved(ch) || is_sub_delim(ch) || ch == ':' ? HOST_FUT : HOST_BAD;
    case HOST_LIT_END:
        return ch == ':' ? HOST_PORT : HOST_BAD;
    case HOST_PORT:
        return is_digit(ch) ? HOST_PORT : HOST_BAD;
    default:
        return HOST_BAD;
    }
}

/* Whether a value that ends in state `st` is a whole Host value. */
static int host_done(int st)
{
    return st == HOST_START || st == HOST_NAME || st == HOST_LIT_END || st == HOST_PORT;
}

static int on_message_begin(httpmsg_parser *p)
{
    struct conn *c = p->data;
    if (c->phase != HEAD) { /* a pipelined request: its head starts now */
        c->phase = HEAD;
        c->head_start = now;
    }
    c->echo = c->reject = c->head_req = 0;
    c->name_at = c->in_host = 0;
    c->recording = 1; /* the request line always: it says where to go */
    c->head.len = c->body.len = c->trail.len = 0;
    c->fields = &c->head;
    c->body_len = 0;
    return HTTPMSG_CB_OK;
}

/* Pieces of the method, target and fields.  An element that lies wholly in
 * one read comes as one piece; one split across reads comes in several. */
static int on_method(httpmsg_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    return record(c, &c->head, at, len);
}

static int on_method_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    /* Kept here rather than asked of httpmsg_get_method() when answering an
     * error: between requests the parser still names the last request's
     * method, and an error there (a stray byte, a timeout) is no answer to
     * a HEAD. */
    c->head_req = httpmsg_get_method(p) == HTTPMSG_METHOD_HEAD;
    c->target_at = c->head.len + 1;
    return record(c, &c->head, " ", 1);
}

static int on_target(httpmsg_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    return record(c, &c->head, at, len);
}

/* Whether t[0..n) starts with `lower` (lowercase), in any case. */
static int starts_nocase(const char *t, size_t n, const char *lower)
{
    size_t i;
    for (i = 0; lower[i]; i++)
        if (i >= n || ((unsigned char)t[i] | 0x20) != (unsigned char)lower[i])
            return 0;
    return 1;
}

static int on_target_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    const char *t = c->head.p + c->target_at;
    size_t n = c->head.len - c->target_at, skip = 0, host;
    /* The resource is named by the path: in origin-form the target starts
     * with it; in absolute-form (RFC 9112 §3.2.2, which a server must
     * accept) it follows the scheme and the authority, which ends at the
     * first '/' or '?'.  An http(s) authority must name a host (RFC 9110
     * §4.2.1, a MUST) and should carry no userinfo (§4.2.4): both 400. */
    if (starts_nocase(t, n, "http://"))
        skip = 7;
    else if (starts_nocase(t, n, "https://"))
        skip = 8;
    else if (starts_nocase(t, n, "http:") || starts_nocase(t, n, "https:"))
        return reject(c, 400, "no host in the request-target"); /* no "//" authority */
    if (skip) {
        for (host = skip; skip < n && t[skip] != '/' && t[skip] != '?'; skip++)
            if (t[skip] == '@')
                return reject(c, 400, "userinfo in the request-target");
        if (skip == host || t[host] == ':')
            return reject(c, 400, "no host in the request-target");
    }
    t += skip;
    n -= skip;
    c->echo = n >= 5 && memcmp(t, "/echo", 5) == 0 && (n == 5 || t[5] == '?');
    c->recording = c->echo || !opt.quiet; /* else the fields are not kept at all */
    return HTTPMSG_CB_OK;
}

static int on_version_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    if (buf_printf(&c->head, " HTTP/%d.%d\n", httpmsg_http_major(p), httpmsg_http_minor(p)) < 0)
        return reject(c, 500, "out of memory");
    return HTTPMSG_CB_OK;
}

static int on_field_piece(httpmsg_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    return c->recording ? record(c, c->fields, at, len) : HTTPMSG_CB_OK;
}

static int on_field_name_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    return c->recording ? record(c, c->fields, ": ", 2) : HTTPMSG_CB_OK;
}

static int on_field_value_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    return c->recording ? record(c, c->fields, "\n", 1) : HTTPMSG_CB_OK;
}

/* Header fields (not trailers): as above, and each Host value is checked. */
static int on_header_name(httpmsg_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    for (size_t i = 0; i < len && c->name_at >= 0; i++)
        c->name_at = c->name_at < 4 && ((unsigned char)at[i] | 0x20) == "host"[c->name_at] ? c->name_at + 1 : -1;
    return on_field_piece(p, at, len);
}

static int on_header_name_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    c->in_host = c->name_at == 4;
    c->host_st = HOST_START;
    c->name_at = 0; /* for the next field's name */
    return on_field_name_complete(p);
}

static int on_header_value(httpmsg_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    int rc = on_field_piece(p, at, len); /* first, so that the log shows it */
    if (rc != HTTPMSG_CB_OK || !c->in_host)
        return rc;
    for (size_t i = 0; i < len; i++) {
        int prev = c->host_st;
        c->host_st = host_step(prev, (unsigned char)at[i]);
        if (c->host_st == HOST_LIT) { /* '[' */
            c->lit6_len = 0;
        } else if (c->host_st == HOST_LIT6) {
            if (c->lit6_len == (int)sizeof c->lit6 - 1)
                c->host_st = HOST_BAD; /* longer than any IPv6 address */
            else
                c->lit6[c->lit6_len++] = at[i];
        } else if (c->host_st == HOST_LIT_END && prev == HOST_LIT6) { /* its ']' */
            struct in6_addr a;
            c->lit6[c->lit6_len] = '\0';
            if (inet_pton(AF_INET6, c->lit6, &a) != 1)
                c->host_st = HOST_BAD;
        }
        if (c->host_st == HOST_BAD)
            return reject(c, 400, "invalid Host header field value");
    }
    return HTTPMSG_CB_OK;
}

static int on_header_value_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    int rc = on_field_value_complete(p);
    if (rc == HTTPMSG_CB_OK && c->in_host && !host_done(c->host_st))
        return reject(c, 400, "invalid Host header field value");
    c->in_host = 0;
    return rc;
}

static int on_trailer_name(httpmsg_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    c->fields = &c->trail;
    return on_field_piece(p, at, len);
}

static int on_headers_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    c->phase = BODY;
    /* RFC 9112 §3.2: an HTTP/1.1 request carries a Host, and no request
     * more than one. */
    if (httpmsg_host_count(p) > 1)
        return reject(c, 400, "a request may carry only one Host header field");
    if (httpmsg_http_minor(p) >= 1 && httpmsg_host_count(p) == 0)
        return reject(c, 400, "an HTTP/1.1 request needs a Host header field");
    /* After a CONNECT head the stream would be a tunnel; we open none. */
    if (httpmsg_get_method(p) == HTTPMSG_METHOD_CONNECT)
        return reject(c, 501, "CONNECT is not supported");
    if (httpmsg_expect_continue(p) && (httpmsg_body_kind(p) == HTTPMSG_BODY_CHUNKED ||
                                       (httpmsg_body_kind(p) == HTTPMSG_BODY_LENGTH && httpmsg_content_length(p) > 0))) {
        /* No body byte is consumed yet: pause, so the loop sends
         * "100 Continue" before it parses (and so reads) the body.  Without
         * a body there is nothing to wait for, and no 100 to send (RFC 9110
         * §10.1.1): the request completes at once and gets its answer. */
        c->paused_for = PAUSED_HEAD;
        return HTTPMSG_CB_PAUSE;
    }
    return HTTPMSG_CB_OK;
}

static int on_body(httpmsg_parser *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    c->body_len += len;
    return c->echo ? record(c, &c->body, at, len) : HTTPMSG_CB_OK; /* else dropped, never copied */
}

static int on_message_complete(httpmsg_parser *p)
{
    struct conn *c = p->data;
    /* Return to the read loop: it answers this request before the parser
     * looks at the next one. */
    c->paused_for = PAUSED_MESSAGE;
    return HTTPMSG_CB_PAUSE;
}

static const httpmsg_settings settings = {
    .on_message_begin = on_message_begin,
    .on_method = on_method,
    .on_method_complete = on_method_complete,
    .on_target = on_target,
    .on_target_complete = on_target_complete,
    .on_version_complete = on_version_complete,
    .on_header_name = on_header_name,
    .on_header_name_complete = on_header_name_complete,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_trailer_name = on_trailer_name,
    .on_trailer_name_complete = on_field_name_complete,
    .on_trailer_value = on_field_piece,
    .on_trailer_value_complete = on_field_value_complete,
    .on_message_complete = on_message_complete,
};

/* ------------------------------------------------------------------------ */
/* Answers                                                                   */
/* ------------------------------------------------------------------------ */

/* Queue a status line and fields.  `keep` says whether the connection stays
 * open; an HTTP/1.0 client is told so explicitly. */
static void queue_head(struct conn *c, int status, uint64_t length, int keep)
{
    const char *connection = !keep ? "Connection: close\r\n"
                             : httpmsg_http_minor(&c->parser) == 0 ? "Connection: keep-alive\r\n"
                                                                     : "";
    if (buf_printf(&c->out,
                   "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: httpmsg-server\r\n"
                   "Content-Type: text/plain\r\nContent-Length: %" PRIu64 "\r\n%s\r\n",
                   status, httpmsg_status_reason(status), http_date(), length, connection) < 0)
        c->dead = 1;
}

static void queue(struct conn *c, const char *data, size_t len)
{
    if (buf_add(&c->out, data, len) < 0)
        c->dead = 1;
}

/* The head as recorded, one indented line each, for the log. */
static void log_head(struct buf *lb, const struct conn *c)
{
    const char *s = c->head.p, *end = s ? s + c->head.len : s, *nl;
    buf_printf(lb, "#%lu %s", c->id, c->peer);
    for (int first = 1; s < end; s = nl + 1, first = 0) {
        if (!(nl = memchr(s, '\n', (size_t)(end - s))))
            nl = end;
        buf_str(lb, first ? "  " : "    ");
        buf_add(lb, s, (size_t)(nl - s));
        buf_str(lb, "\n");
    }
    if (c->head.len == 0)
        buf_str(lb, "\n");
}

/* A request is complete (the parser paused in on_message_complete): queue
 * its answer and get ready for the next one. */
static void answer(struct conn *c)
{
    httpmsg_parser *p = &c->parser;
    int keep = httpmsg_should_keep_alive(p) && !stopping;
    int head_only = c->head_req;
    static const char hello[] = "Hello World";
    uint64_t length;

    if (c->echo) {
        /* the request as parsed: head, empty line, body, trailers */
        length = c->head.len + 1 + c->body.len + (c->trail.len ? 14 + c->trail.len : 0);
        /* HEAD gets the Content-Length GET would (RFC 9110 §9.3.2): the
         * same echo, whose request line would say "GET", not "HEAD". */
        if (head_only)
            length -= sizeof "HEAD" - sizeof "GET";
        queue_head(c, 200, length, keep);
        if (!head_only) {
            queue(c, c->head.p, c->head.len);
            queue(c, "\n", 1);
            if (c->body.len)
                queue(c, c->body.p, c->body.len);
            if (c->trail.len) {
                queue(c, "\n--- trailers\n", 14);
                queue(c, c->trail.p, c->trail.len);
            }
        }
    } else {
        length = sizeof hello - 1;
        queue_head(c, 200, length, keep);
        if (!head_only)
            queue(c, hello, length);
    }
    if (!opt.quiet) {
        struct buf lb = {0};
        log_head(&lb, c);
        buf_printf(&lb, "  -> 200, %" PRIu64 " body bytes in, %" PRIu64 " out%s\n", c->body_len,
                   head_only ? 0 : length, keep ? "" : ", closing");
        log_entry(&lb);
        buf_free(&lb);
    }
    c->phase = IDLE;
    c->close_after = !keep;
    c->head_req = 0; /* what comes next is not this HEAD's: see on_method_complete */
    buf_clear(&c->head);
    buf_clear(&c->body);
    buf_clear(&c->trail);
}

/* Answer a request that failed, then close: after a parse error the stream's
 * framing can no longer be trusted. */
static void answer_error(struct conn *c, int status, const char *name, const char *why)
{
    struct buf body = {0};
    int head_only = c->head_req; /* the failing request is a HEAD */

    buf_printf(&body, "%d %s: %s\n", status, httpmsg_status_reason(status), why);
    queue_head(c, status, body.len, 0);
    if (!head_only)
        queue(c, body.p, body.len);
    if (!opt.quiet) {
        struct buf lb = {0};
        log_head(&lb, c);
        buf_printf(&lb, "  -> %d %s (%s: %s), closing\n", status, httpmsg_status_reason(status), name, why);
        log_entry(&lb);
        buf_free(&lb);
    }
    buf_free(&body);
    c->close_after = 1;
}

static void answer_parse_error(struct conn *c, httpmsg_err err)
{
    char name[96];
    if (err == HTTPMSG_ERR_USER) {
        answer_error(c, c->reject, "rejected", c->reject_why);
        return;
    }
    snprintf(name, sizeof name, "%s at byte %" PRIu64, httpmsg_errname(err), httpmsg_error_offset(&c->parser));
    /* a code that is no error (status 0) means a fault of ours: 500 */
    answer_error(c, httpmsg_err_status(err) ? httpmsg_err_status(err) : 500, name, httpmsg_strerror(err));
}

/* ------------------------------------------------------------------------ */
/* The read loop                                                             */
/* ------------------------------------------------------------------------ */

/* Parse `len` bytes of input and answer every request they complete. */
static void feed(struct conn *c, const char *data, size_t len)
{
    while (len > 0 && !c->close_after && !c->dead) {
        size_t used = 0;
        httpmsg_err err = httpmsg_execute(&c->parser, data, len, &used);
        data += used;
        len -= used;
        switch (err) {
        case HTTPMSG_OK: /* all consumed; the parser waits for more */
            break;
        case HTTPMSG_PAUSED:
            if (c->paused_for == PAUSED_HEAD)
                queue(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            else
                answer(c);
            if (c->close_after)
                return; /* whatever follows is not read (RFC 9112 §9.6) */
            httpmsg_resume(&c->parser);
            /* Back-pressure: while the client leaves our answers unread,
             * parse no further; keep the rest for later. */
            if (c->out.len - c->out_off > OUT_HIGH) {
                if (flush(c) < 0) {
                    c->dead = 1;
                    return;
                }
                if (c->out.len - c->out_off > OUT_HIGH) {
                    hold(c, data, len);
                    return;
                }
            }
            break;
        case HTTPMSG_UPGRADE:
            /* An "Upgrade" request, already answered as plain HTTP: we
             * decline every upgrade, so the stream goes on as HTTP/1.1. */
            httpmsg_resume(&c->parser);
            break;
        default:
            answer_parse_error(c, err);
            return;
        }
    }
}

static void start_linger(struct conn *c)
{
    /* Shut our side so the client sees the end of the answer, but keep
     * reading: closing with unread input would reset the connection and
     * could destroy the answer before the client reads it. */
    shutdown(c->fd, SHUT_WR);
    c->phase = LINGER;
    c->linger_start = now;
}

/* How many bytes at the start of b are CR or LF. */
static size_t strspn_crlf(const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && (b[i] == '\r' || b[i] == '\n'))
        i++;
    return i;
}

static void on_readable(struct conn *c)
{
    ssize_t n = recv(c->fd, rbuf, sizeof rbuf, 0);
    int blank;
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            c->dead = 1;
        return;
    }
    if (c->phase == LINGER) { /* discard until the client closes */
        if (n == 0)
            c->dead = 1;
        return;
    }
    /* Empty lines alone between requests (RFC 9112 §2.2) are no activity:
     * they start no header timeout, nor put off the idle one (else a client
     * could hold the connection with a CRLF now and then). */
    blank = n > 0 && c->phase == IDLE && (size_t)n == strspn_crlf(rbuf, (size_t)n);
    if (!blank)
        c->last_io = now;
    if (n == 0) { /* the client shut its side */
        c->peer_eof = 1;
        if (!c->close_after) {
            httpmsg_err err = httpmsg_finish(&c->parser);
            if (err == HTTPMSG_UPGRADE) {
                /* an Upgrade request, answered (from a pause) and declined
                 * as HTTP, ended the input: the upgrade it left pending
                 * comes out here; declined too, the stream just ends */
                httpmsg_resume(&c->parser);
                err = httpmsg_finish(&c->parser);
            }
            if (err == HTTPMSG_OK) /* between requests: done once our answers are out */
                c->close_after = 1;
            else
                answer_parse_error(c, err); /* cut short in a request */
        }
        return;
    }
    if (c->close_after)
        return; /* input after the last request is not parsed */
    if (c->phase == IDLE && !blank) { /* a request's first byte: the header timeout starts */
        c->phase = HEAD;
        c->head_start = now;
    }
    feed(c, rbuf, (size_t)n);
}

static void on_writable(struct conn *c)
{
    if (flush(c) < 0) {
        c->dead = 1;
        return;
    }
    if (c->out.len > c->out_off)
        return;
    if (c->held.len && !c->close_after) { /* the client caught up: parse what we held */
        struct buf h = c->held;
        c->held = (struct buf){0};
        feed(c, h.p, h.len);
        buf_free(&h);
        if (flush(c) < 0)
            c->dead = 1;
    }
}

static void conn_event(struct conn *c, uint32_t events)
{
    /* A hang-up or error is handled by whichever side we are busy with:
     * the read or the write reports it. */
    if ((events & EPOLLIN) || ((events & (EPOLLHUP | EPOLLERR)) && (c->events & EPOLLIN)))
        on_readable(c);
    else if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        on_writable(c);
    if (!c->dead && flush(c) < 0)
        c->dead = 1;
    /* That flush may have sent every answer while input is held back for
     * back-pressure: no event would come for it (the read side is off, and
     * nothing waits to be written), so parse it now. */
    while (!c->dead && c->held.len && !c->close_after && c->out.len == c->out_off)
        on_writable(c);
    if (!c->dead && c->close_after && c->phase != LINGER && c->out.len == c->out_off) {
        if (c->peer_eof)
            c->dead = 1;
        else
            start_linger(c);
    }
    if (c->dead)
        conn_close(c);
    else
        update_events(c);
}

/* ------------------------------------------------------------------------ */
/* Accepting, timeouts, shutdown                                             */
/* ------------------------------------------------------------------------ */

static void format_peer(char *out, size_t size, const struct sockaddr_storage *sa)
{
    char host[64], port[8];
    if (getnameinfo((const struct sockaddr *)sa, sizeof *sa, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(out, size, "?");
    else if (sa->ss_family == AF_INET6)
        snprintf(out, size, "[%s]:%s", host, port);
    else
        snprintf(out, size, "%s:%s", host, port);
}

static void pause_listener(void)
{
    if (!listener_paused) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, listen_fd, NULL);
        listener_paused = 1;
    }
}

static void accept_all(void)
{
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        int one = 1, fd = accept4(listen_fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct conn *c;
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* out of descriptors: retry when a connection closes */
                fprintf(stderr, "httpmsg-server: accept: %s\n", strerror(errno));
                pause_listener();
            }
            return;
        }
        if (nconns >= opt.max_conns) {
            static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                       "Content-Length: 20\r\nConnection: close\r\n\r\n"
                                       "too many connections";
            ssize_t ignored = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL); /* best effort */
            (void)ignored;
            close(fd);
            if (!opt.quiet) {
                printf("connection refused: %u connections open (--max-conns)\n", nconns);
                fflush(stdout);
            }
            continue;
        }
        if (!(c = calloc(1, sizeof *c))) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* answers go out whole */
        c->fd = fd;
        c->id = next_id++;
        format_peer(c->peer, sizeof c->peer, &sa);
        c->phase = IDLE;
        c->last_io = now;
        httpmsg_init(&c->parser, HTTPMSG_REQUEST, &settings);
        httpmsg_set_max_head(&c->parser, opt.max_head);
        httpmsg_set_max_body(&c->parser, opt.max_body);
        c->parser.data = c;
        c->events = EPOLLIN;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
            close(fd);
            free(c);
            continue;
        }
        c->next = conns;
        if (conns)
            conns->prev = c;
        conns = c;
        nconns++;
    }
}

/* Once per tick: close connections whose time is up. */
static void check_timeouts(void)
{
    struct conn *c, *next;
    for (c = conns; c; c = next) {
        next = c->next;
        if (c->phase == LINGER) {
            if (now - c->linger_start > LINGER_MS)
                c->dead = 1;
        } else if (stopping && now > stop_deadline) {
            c->dead = 1;
        } else if (c->phase == HEAD && !c->close_after && now - c->head_start > opt.header_ms) {
            /* a slow or stalled head (e.g. one byte now and then) */
            answer_error(c, 408, "header timeout", "the request head took too long");
            if (flush(c) < 0)
                c->dead = 1;
            else if (c->out.len == c->out_off)
                start_linger(c);
        } else if (now - c->last_io > opt.idle_ms) {
            if (!opt.quiet) {
                printf("#%lu %s  idle for %" PRId64 " ms, closing\n", c->id, c->peer, now - c->last_io);
                fflush(stdout);
            }
            c->dead = 1;
        }
        if (c->dead)
            conn_close(c);
        else
            update_events(c);
    }
}

/* SIGINT or SIGTERM: stop accepting; idle connections close now, the others
 * after their current request (Connection: close) or the grace period. */
static void begin_shutdown(void)
{
    struct conn *c, *next;
    if (!opt.quiet) {
        printf("httpmsg-server: shutting down\n");
        fflush(stdout);
    }
    stopping = 1;
    stop_deadline = now + STOP_GRACE_MS;
    close(listen_fd);
    listen_fd = -1;
    for (c = conns; c; c = next) {
        next = c->next;
        if (c->phase == IDLE && c->out.len == c->out_off && !c->held.len)
            conn_close(c);
    }
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                     */
/* ------------------------------------------------------------------------ */

static int open_listener(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res, *ai;
    int rc, fd = -1, one = 1;
    if ((rc = getaddrinfo(opt.host, opt.port, &hints, &res)) != 0) {
        fprintf(stderr, "httpmsg-server: %s: %s\n", opt.host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0)
            break;
        rc = errno;
        close(fd);
        fd = -1;
        errno = rc;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "httpmsg-server: cannot listen on %s port %s: %s\n", opt.host, opt.port, strerror(errno));
    return fd;
}

/* Make room for --max-conns descriptors, or lower it to what we can have. */
static void fit_descriptor_limit(void)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)opt.max_conns + 16;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        opt.max_conns = rl.rlim_cur > 32 ? (unsigned)(rl.rlim_cur - 16) : 16;
        fprintf(stderr, "httpmsg-server: descriptor limit: --max-conns lowered to %u\n", opt.max_conns);
    }
}

static int usage(const char *why)
{
    FILE *f = why ? stderr : stdout;
    if (why)
        fprintf(stderr, "httpmsg-server: %s\n", why);
    fprintf(f,
            "usage: httpmsg-server [--host ADDR] [--port N] [--quiet] [--max-conns N]\n"
            "                      [--idle-timeout S] [--header-timeout S] [--max-head N] [--max-body N]\n"
            "Answers every request with 200 \"Hello World\"; /echo answers with the request as parsed.\n"
            "  --host ADDR         address or name to listen on (default 127.0.0.1; ::1 for IPv6)\n"
            "  --port N            port (default 8080; 0 picks a free one, printed at start)\n"
            "  --quiet             do not log requests\n"
            "  --max-conns N       connections open at once; more get 503 (default 1000)\n"
            "  --idle-timeout S    close a connection silent this long, in seconds (default 60)\n"
            "  --header-timeout S  a request head must arrive within S seconds of its first byte,\n"
            "                      else 408 and close (default 10)\n"
            "  --max-head N        request line and header section limit, bytes (default %u):\n"
            "                      a longer request line gets 414, a longer head 431\n"
            "  --max-body N        request body limit, bytes (default 1048576): larger gets 413\n"
            "SIGINT or SIGTERM: stop accepting, finish the requests under way (2 s at most), exit 0.\n",
            (unsigned)HTTPMSG_DEFAULT_MAX_HEAD);
    return 2;
}

static int parse_number(const char *s, unsigned long long max, unsigned long long *v)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno || *end || *v > max ? -1 : 0;
}

static int parse_seconds(const char *s, int64_t *ms)
{
    char *end;
    double d;
    if (!s || ((*s < '0' || *s > '9') && *s != '.'))
        return -1;
    d = strtod(s, &end);
    if (*end || !(d > 0) || d > 1e6)
        return -1;
    *ms = (int64_t)(d * 1000 + 0.5);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long v;
    sigset_t sigs;
    struct epoll_event ev, events[64];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            opt.quiet = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(NULL);
            return 0;
        }
        if (!val)
            return usage("unknown option or missing value");
        i++;
        if (strcmp(a, "--host") == 0) {
            opt.host = val;
        } else if (strcmp(a, "--port") == 0) {
            if (parse_number(val, 65535, &v))
                return usage("--port takes a number from 0 to 65535");
            opt.port = val;
        } else if (strcmp(a, "--max-conns") == 0) {
            if (parse_number(val, 1000000, &v) || v == 0)
                return usage("--max-conns takes a number from 1 to 1000000");
            opt.max_conns = (unsigned)v;
        } else if (strcmp(a, "--idle-timeout") == 0) {
            if (parse_seconds(val, &opt.idle_ms))
                return usage("--idle-timeout takes a positive number of seconds");
        } else if (strcmp(a, "--header-timeout") == 0) {
            if (parse_seconds(val, &opt.header_ms))
                return usage("--header-timeout takes a positive number of seconds");
        } else if (strcmp(a, "--max-head") == 0) {
            if (parse_number(val, 1ull << 31, &v) || v < 16)
                return usage("--max-head takes a number from 16 to 2147483648");
            opt.max_head = (size_t)v;
        } else if (strcmp(a, "--max-body") == 0) {
            if (parse_number(val, UINT64_MAX - 1, &v))
                return usage("--max-body takes a number of bytes");
            opt.max_body = v;
        } else {
            return usage("unknown option");
        }
    }

    /* SIGINT and SIGTERM arrive through a descriptor, as events like any
     * other; a client that goes away must not kill us with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    fit_descriptor_limit();
    if ((sig_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
        (epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        perror("httpmsg-server");
        return 1;
    }
    if ((listen_fd = open_listener()) < 0)
        return 1;
    ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &listener_tag};
    epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
    ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &signal_tag};
    epoll_ctl(epfd, EPOLL_CTL_ADD, sig_fd, &ev);

    {
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        char where[80];
        getsockname(listen_fd, (struct sockaddr *)&sa, &sl);
        format_peer(where, sizeof where, &sa);
        printf("httpmsg-server: listening on http://%s/ (libhttpmsg %s, %s)\n", where, httpmsg_version(),
               httpmsg_impl_name(NULL));
        fflush(stdout);
    }

    int64_t next_tick = 0;
    now = clock_ms();
    while (!(stopping && nconns == 0)) {
        int timeout = nconns || listener_paused ? TICK_MS : -1;
        int n = epoll_wait(epfd, events, 64, timeout);
        if (n < 0 && errno != EINTR) {
            perror("httpmsg-server: epoll_wait");
            break;
        }
        now = clock_ms();
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == &listener_tag) {
                if (!stopping)
                    accept_all();
            } else if (tag == &signal_tag) {
                struct signalfd_siginfo si;
                while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
                    ;
                if (!stopping)
                    begin_shutdown();
            } else {
                conn_event(tag, events[i].events);
            }
        }
        if (now >= next_tick) {
            check_timeouts();
            next_tick = now + TICK_MS;
            if (listener_paused && !stopping && nconns < opt.max_conns) { /* retry after EMFILE */
                ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &listener_tag};
                if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) == 0)
                    listener_paused = 0;
            }
        }
    }
    while (conns)
        conn_close(conns);
    if (listen_fd >= 0)
        close(listen_fd);
    close(sig_fd);
    close(epfd);
    if (!opt.quiet)
        printf("httpmsg-server: stopped (%lu connections served)\n", next_id - 1);
    return 0;
}
