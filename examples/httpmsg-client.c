/*
 * httpmsg-client - fetch URLs over HTTP/1.1, parsing the answers with
 * libhttpmsg; the model of how a client drives the parser.
 *
 *   httpmsg-client [-X METHOD] [-H 'Name: value']... [-d DATA] [-i] [-v]
 *                  [--connect-timeout S] [--read-timeout S] URL...
 *
 * Sends one request per URL (Host always, first; Content-Length, or one
 * chunk when -H 'Transfer-Encoding: chunked' is given, for -d, and
 * Content-Length: 0 for a POST, PUT or PATCH without -d) and prints each
 * response body on standard output.  The URL's path and query go as given
 * but for the visible characters RFC 3986 leaves out of them (" < > \ ^ `
 * { | } [ ]), which are percent-encoded.  Consecutive URLs on the same host
 * and port reuse the connection while the server keeps it open and the
 * request did not say "Connection: close", and while it shows nothing to
 * read when the next request is due (no close, no bytes no request asked
 * for).  If a kept connection turns out to be closed before any answer, an
 * idempotent request (RFC 9110 §9.2.2) is sent once more on a new one;
 * another method fails instead of being sent twice.
 *
 * How the response is read: the socket is read into a buffer and each read is
 * handed to httpmsg_execute() as it is.  The parser reports the status line,
 * fields and body in pieces that point into that buffer; they are printed at
 * once, never gathered, but for -i's copy of the head, held until the head
 * is complete and valid (a malformed response is discarded, RFC 9112
 * §6.3).  The body may be framed by Content-Length, chunked
 * (with trailers) or the end of the connection (then httpmsg_finish() at EOF
 * completes it).  Interim 1xx responses are parsed and skipped; a 101 to a
 * request without Upgrade is a malformed response (RFC 9110 §7.8).  A folded
 * field line (obs-fold) in a response is taken as one SP, as RFC 9112 §5.2
 * asks of a user agent (HTTPMSG_LENIENT_OBS_FOLD).  A response
 * to HEAD has no body: on_headers_complete says so with
 * HTTPMSG_CB_SKIP_BODY.  on_message_complete of the final response pauses
 * the parser, so execute() returns exactly at its end; resuming it later
 * parses the next response on the same connection.
 *
 * CONNECT (a proxy tunnel) is refused, as is a -H Transfer-Encoding given
 * with a -H Content-Length (RFC 9112 §6.2).  Error messages count bytes
 * from the start of the failing answer.
 *
 * Exit status: 0 every response was received (whatever its status), 1 the
 * output could not be written, 2 bad usage or a malformed URL, 3 the host
 * cannot be resolved or reached, 4 a timeout, 5 a malformed or incomplete
 * response.  The read timeout bounds each wait for bytes, not the whole
 * response; the connect timeout, each address tried.  A response head (or
 * trailer section) is limited to the library's default, 80 KiB.
 */
#define _GNU_SOURCE /* getaddrinfo and friends under -std=c11 */
#include <httpmsg.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { EXIT_OUTPUT = 1, EXIT_USAGE = 2, EXIT_CONNECT = 3, EXIT_TIMEOUT = 4, EXIT_RESPONSE = 5 };

static struct {
    const char *method;
    const char **headers; /* -H values, as given */
    int nheaders;
    const char *data;     /* -d, or NULL */
    int include, verbose;
    int connect_ms, read_ms;
} opt = {NULL, NULL, 0, NULL, 0, 0, 10000, 30000};

static void fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "httpmsg-client: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------------------ */
/* URLs: http://host[:port][/path][?query][#fragment]                        */
/* ------------------------------------------------------------------------ */

struct url {
    char host[256];      /* name or address, without brackets */
    char port[6];
    char authority[300]; /* as written: the Host field value */
    const char *target;  /* path and query; the fragment is dropped */
    size_t target_len;
    int root_only_query; /* "http://h?q": the target is "/" + the query */
};

static int parse_url(const char *s, struct url *u)
{
    const char *auth, *end, *host, *host_end, *port = NULL, *t;
    size_t n;

    memset(u, 0, sizeof *u);
    if (strncasecmp(s, "http://", 7) != 0) {
        fail("malformed URL '%s': only http:// URLs are supported", s);
        return -1;
    }
    auth = s + 7;
    end = auth + strcspn(auth, "/?#");
    if (memchr(auth, '@', (size_t)(end - auth))) {
        fail("malformed URL '%s': user names in URLs are not supported", s);
        return -1;
    }
    if (*auth == '[') { /* an IPv6 address */
        host = auth + 1;
        if (!(host_end = memchr(host, ']', (size_t)(end - host)))) {
            fail("malformed URL '%s': '[' without ']'", s);
            return -1;
        }
        t = host_end + 1;
        if (t < end && *t != ':') {
            fail("malformed URL '%s': junk after ']'", s);
            return -1;
        }
        if (t < end)
            port = t + 1;
    } else {
        host = auth;
        host_end = memchr(auth, ':', (size_t)(end - auth));
        if (host_end)
            port = host_end + 1;
        else
            host_end = end;
    }
    n = (size_t)(host_end - host);
    if (n == 0 || n >= sizeof u->host) {
        fail("malformed URL '%s': %s host", s, n ? "over-long" : "no");
        return -1;
    }
    memcpy(u->host, host, n);
    if (*auth == '[') { /* RFC 3986 §3.2.2: an IPv6 address; IPvFuture we cannot reach */
        struct in6_addr a6;
        if (inet_pton(AF_INET6, u->host, &a6) != 1) {
            fail("malformed URL '%s': no IPv6 address inside [ ]", s);
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)u->host[i];
        if (ch <= ' ' || ch >= 0x7f || strchr("\"<>\\^`{|}:[]", ch)) {
            if (!(ch == ':' && *auth == '[')) {
                fail("malformed URL '%s': bad character in host", s);
                return -1;
            }
        }
    }
    if (port && port < end) {
        size_t pn = (size_t)(end - port);
        unsigned long v = 0;
        for (size_t i = 0; i < pn; i++) {
            if (port[i] < '0' || port[i] > '9' || pn > 5) {
                fail("malformed URL '%s': bad port", s);
                return -1;
            }
            v = v * 10 + (unsigned long)(port[i] - '0');
        }
        if (v == 0 || v > 65535) {
            fail("malformed URL '%s': port out of range", s);
            return -1;
        }
        snprintf(u->port, sizeof u->port, "%lu", v);
    } else {
        strcpy(u->port, "80"); /* no port, or "host:" (RFC 3986 allows an empty one) */
    }
    n = (size_t)(end - auth);
    if (n >= sizeof u->authority) {
        fail("malformed URL '%s': over-long host", s);
        return -1;
    }
    memcpy(u->authority, auth, n);
    if (port && port == end) /* "host:" -> "host" */
        u->authority[n - 1] = 0;
    /* the request-target: what follows the authority, up to a fragment */
    u->target = end;
    u->target_len = strcspn(end, "#");
    for (size_t i = 0; i < u->target_len; i++) {
        unsigned char ch = (unsigned char)end[i];
        if (ch <= ' ' || ch >= 0x7f) {
            fail("malformed URL '%s': space, control or non-ASCII character in the path "
                 "(percent-encode it)", s);
            return -1;
        }
    }
    u->root_only_query = u->target_len > 0 && *end == '?';
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Sockets with timeouts                                                     */
/* ------------------------------------------------------------------------ */

/* Wait until `fd` is ready for `events`; 0 ready, -1 timeout, -2 error. */
static int wait_fd(int fd, short events, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int n;
    do
        n = poll(&pfd, 1, ms);
    while (n < 0 && errno == EINTR);
    return n > 0 ? 0 : n == 0 ? -1 : -2;
}

/* Connect to the URL's host, trying each address; returns the socket, or a
 * negative exit status after a message. */
static int connect_to(const struct url *u)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res, *ai;
    int rc, fd = -1, why = 0, timed_out = 0;

    if ((rc = getaddrinfo(u->host, u->port, &hints, &res)) != 0) {
        fail("cannot resolve host '%s': %s", u->host, gai_strerror(rc));
        return -EXIT_CONNECT;
    }
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        char addr[64] = "?";
        int err = 0;
        socklen_t el = sizeof err;
        getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
        if (opt.verbose)
            fprintf(stderr, "* connecting to %s port %s\n", addr, u->port);
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            why = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            if (errno != EINPROGRESS) {
                err = errno;
            } else if ((rc = wait_fd(fd, POLLOUT, opt.connect_ms)) == -1) {
                err = ETIMEDOUT;
                timed_out = 1;
            } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0) {
                err = errno;
            }
        }
        if (err) {
            if (opt.verbose)
                fprintf(stderr, "* %s: %s\n", addr, strerror(err));
            why = err;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (timed_out && why == ETIMEDOUT)
            fail("cannot connect to %s port %s: timed out after %d ms", u->host, u->port, opt.connect_ms);
        else
            fail("cannot connect to %s port %s: %s", u->host, u->port, strerror(why));
        return timed_out && why == ETIMEDOUT ? -EXIT_TIMEOUT : -EXIT_CONNECT;
    }
    if (opt.verbose)
        fprintf(stderr, "* connected\n");
    return fd;
}

/* Send all of it.  Returns 0, -1 on a timeout, or -2 if the server closed or
 * reset the connection (it may have answered early: read that answer). */
static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -2;
            if (wait_fd(fd, POLLOUT, opt.read_ms) == -1)
                return -1;
            continue;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The request                                                               */
/* ------------------------------------------------------------------------ */

struct text {
    char *p;
    size_t len, cap;
};

static void add(struct text *t, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (n > t->cap - t->len) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap - t->len < n)
            cap *= 2;
        if (!(t->p = realloc(t->p, cap))) {
            fail("out of memory");
            exit(1);
        }
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
}

static void adds(struct text *t, const char *s) { add(t, s, strlen(s)); }

/* The value of the `nth` (from 0) -H header named `name`, or NULL. */
static const char *user_header_n(const char *name, int nth)
{
    size_t n = strlen(name);
    for (int i = 0; i < opt.nheaders; i++)
        if (strncasecmp(opt.headers[i], name, n) == 0 && opt.headers[i][n] == ':' && nth-- == 0)
            return opt.headers[i] + n + 1;
    return NULL;
}

/* The first -H header named `name`, or NULL. */
static const char *user_header(const char *name) { return user_header_n(name, 0); }

/* Whether the comma-separated list `v` (a field value) holds `token`, or,
 * with `last`, ends with it; case-insensitive, whitespace around elements
 * ignored. */
static int list_has(const char *v, const char *token, int last)
{
    size_t n = strlen(token);
    int found = 0;
    while (v && *v) {
        const char *e = strchr(v, ','), *end = e ? e : v + strlen(v);
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > v) { /* empty elements do not count (RFC 9110 §5.6.1) */
            found = (size_t)(end - v) == n && strncasecmp(v, token, n) == 0;
            if (found && !last)
                return 1;
        }
        v = e ? e + 1 : NULL;
    }
    return found;
}

/* Whether some -H 'Connection: ...' holds "close". */
static int says_close(void)
{
    const char *v;
    for (int i = 0; (v = user_header_n("Connection", i)) != NULL; i++)
        if (list_has(v, "close", 0))
            return 1;
    return 0;
}

/* The request's body goes chunked: -H 'Transfer-Encoding: ...' ending in
 * chunked (main() refuses one that does not). */
static int send_chunked(void) { return user_header("Transfer-Encoding") != NULL; }

/* RFC 9110 §9.2.2: a request that may be sent twice without harm. */
static int idempotent(const char *m)
{
    static const char *const ok[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strcmp(m, ok[i]) == 0)
            return 1;
    return 0;
}

/* Whether a request with this method means something by its content (RFC
 * 9110 §9.3): then an empty one is sent as Content-Length: 0 (§8.6). */
static int takes_content(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

/* The URL's path and query as a request-target: the visible characters
 * that RFC 3986 leaves out of both (a browser's choice too) go
 * percent-encoded; the URL parser refused the others. */
static void add_target(struct text *req, const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("\"<>\\^`{|}[]", t[i])) {
            char pct[4];
            snprintf(pct, sizeof pct, "%%%02X", (unsigned char)t[i]);
            adds(req, pct);
        } else {
            add(req, t + i, 1);
        }
    }
}

static void build_request(struct text *req, const struct url *u)
{
    int chunked = send_chunked();
    const char *host = user_header("Host");
    char line[64];

    req->len = 0;
    adds(req, opt.method);
    adds(req, " ");
    if (u->target_len == 0 || u->root_only_query)
        adds(req, "/");
    add_target(req, u->target, u->target_len);
    adds(req, " HTTP/1.1\r\n");
    /* Host first (RFC 9112 §3.2): the URL's, or the one given with -H */
    adds(req, "Host:");
    adds(req, host ? host : " ");
    adds(req, host ? "" : u->authority);
    adds(req, "\r\n");
    if (!user_header("User-Agent"))
        adds(req, "User-Agent: httpmsg-client/" HTTPMSG_VERSION_STRING "\r\n");
    if (!user_header("Accept"))
        adds(req, "Accept: */*\r\n");
    for (int i = 0; i < opt.nheaders; i++) {
        if (strncasecmp(opt.headers[i], "Host:", 5) == 0) /* sent above (given once) */
            continue;
        adds(req, opt.headers[i]);
        adds(req, "\r\n");
    }
    if (opt.data) {
        if (!user_header("Content-Type"))
            adds(req, "Content-Type: application/x-www-form-urlencoded\r\n");
    }
    if ((opt.data || takes_content(opt.method)) && !chunked && !user_header("Content-Length")) {
        snprintf(line, sizeof line, "Content-Length: %zu\r\n", opt.data ? strlen(opt.data) : (size_t)0);
        adds(req, line);
    }
    adds(req, "\r\n");
    if (chunked) { /* the data (if any) as one chunk, then the last chunk */
        size_t n = opt.data ? strlen(opt.data) : 0;
        if (n) {
            snprintf(line, sizeof line, "%zx\r\n", n);
            adds(req, line);
            add(req, opt.data, n);
            adds(req, "\r\n");
        }
        adds(req, "0\r\n\r\n");
    } else if (opt.data) {
        add(req, opt.data, strlen(opt.data));
    }
}

/* -v: the request head as sent, then the body's size. */
static void show_request(const struct text *req)
{
    const char *s = req->p, *end = req->p + req->len, *nl;
    while ((nl = memchr(s, '\n', (size_t)(end - s))) && nl - s > 1) {
        fprintf(stderr, "> %.*s\n", (int)(nl - s - 1), s);
        s = nl + 1;
    }
    fprintf(stderr, ">\n");
    if (nl && end - (nl + 1) > 0)
        fprintf(stderr, "* %zu bytes of body sent\n", (size_t)(end - (nl + 1)));
}

/* ------------------------------------------------------------------------ */
/* The response: parser callbacks                                            */
/* ------------------------------------------------------------------------ */

struct response {
    int head_request; /* we sent HEAD: the response has no body */
    int interim;      /* this message is a 1xx: parsed, not shown */
    int done;         /* the final response is complete */
    int keep_alive;   /* and the connection may carry another request */
    int line_open;    /* a "< " line is open on stderr (-v) */
    int unasked_101;  /* a 101 though the request asked for no upgrade */
    int head_shown;   /* -i: the head is out; trailers go straight after the body */
    uint64_t start;   /* the parser's stream offset where this answer begins */
};

/* -i: the final response's head, held until it is complete and valid: a
 * user agent discards a malformed response (RFC 9112 §6.3), so none of it
 * is printed.  The head limit bounds it. */
static struct text head_out;

/* -i: text of the final response's head (held) or trailers (printed). */
static void include_text(struct response *r, const char *s, size_t n)
{
    if (!opt.include || r->interim)
        return;
    if (r->head_shown)
        fwrite(s, 1, n, stdout); /* a failure is seen by ferror() */
    else
        add(&head_out, s, n);
}

/* Show response head text: on stdout with -i (not for 1xx), on stderr with
 * -v, each line there starting with "< ". */
static void show(struct response *r, const char *s, size_t n)
{
    include_text(r, s, n);
    if (opt.verbose) {
        if (!r->line_open)
            fputs("< ", stderr);
        r->line_open = 1;
        fwrite(s, 1, n, stderr);
    }
}

static void show_line_end(struct response *r)
{
    include_text(r, "\r\n", 2);
    if (opt.verbose) {
        fputs(r->line_open ? "\n" : "<\n", stderr);
        r->line_open = 0;
    }
}

static int on_message_begin(httpmsg_parser *p)
{
    struct response *r = p->data;
    r->interim = 0;
    head_out.len = 0; /* what a failed try held */
    return HTTPMSG_CB_OK;
}

static int on_status_complete(httpmsg_parser *p)
{
    struct response *r = p->data;
    int status = httpmsg_status(p);
    char line[32];
    /* 1xx responses other than 101 are interim: the final one follows */
    r->interim = status < 200 && status != 101;
    snprintf(line, sizeof line, "HTTP/%d.%d %d ", httpmsg_http_major(p), httpmsg_http_minor(p), status);
    show(r, line, strlen(line));
    return HTTPMSG_CB_OK;
}

/* Pieces of the reason phrase, field names and values: shown as they come. */
static int on_piece(httpmsg_parser *p, const char *at, size_t len)
{
    show(p->data, at, len);
    return HTTPMSG_CB_OK;
}

static int on_line_end(httpmsg_parser *p)
{
    show_line_end(p->data);
    return HTTPMSG_CB_OK;
}

static int on_name_complete(httpmsg_parser *p)
{
    show(p->data, ": ", 2);
    return HTTPMSG_CB_OK;
}

static int on_headers_complete(httpmsg_parser *p)
{
    struct response *r = p->data;
    show_line_end(r); /* the empty line ending the head */
    /* A server may switch only to a protocol the request asked for (RFC
     * 9110 §7.8): a 101 to a request without Upgrade is no answer. */
    if (httpmsg_status(p) == 101 && !user_header("Upgrade")) {
        r->unasked_101 = 1;
        return -1;
    }
    if (opt.include && !r->interim) { /* the head is whole and valid: out with it */
        fwrite(head_out.p, 1, head_out.len, stdout);
        head_out.len = 0;
        r->head_shown = 1;
    }
    /* A response to HEAD describes a body it does not carry. */
    return r->head_request ? HTTPMSG_CB_SKIP_BODY : HTTPMSG_CB_OK;
}

static int on_body(httpmsg_parser *p, const char *at, size_t len)
{
    (void)p;
    /* stop at once if the body cannot be written: read_response() says so */
    return fwrite(at, 1, len, stdout) == len ? HTTPMSG_CB_OK : -1;
}

static int on_message_complete(httpmsg_parser *p)
{
    struct response *r = p->data;
    if (r->interim)
        return HTTPMSG_CB_OK; /* go on with the next response */
    r->done = 1;
    r->keep_alive = httpmsg_should_keep_alive(p) && !httpmsg_is_upgrade(p);
    /* Stop right here: execute() returns with `used` at the end of this
     * response; anything after it belongs to no request of ours. */
    return HTTPMSG_CB_PAUSE;
}

static const httpmsg_settings settings = {
    .on_message_begin = on_message_begin,
    .on_status_complete = on_status_complete,
    .on_reason = on_piece,
    .on_reason_complete = on_line_end,
    .on_header_name = on_piece,
    .on_header_name_complete = on_name_complete,
    .on_header_value = on_piece,
    .on_header_value_complete = on_line_end,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_trailer_name = on_piece, /* trailers: shown like fields, after the body */
    .on_trailer_name_complete = on_name_complete,
    .on_trailer_value = on_piece,
    .on_trailer_value_complete = on_line_end,
    .on_message_complete = on_message_complete,
};

/* ------------------------------------------------------------------------ */
/* One exchange                                                              */
/* ------------------------------------------------------------------------ */

/* Byte counts are this answer's own (1xx included), not the connection's. */
static void malformed(const httpmsg_parser *p, httpmsg_err err, const struct response *r, const struct url *u)
{
    fflush(stdout);
    if (err == HTTPMSG_ERR_INCOMPLETE)
        fail("%s:%s closed the connection before the response was complete (after %llu bytes)", u->host,
             u->port, (unsigned long long)(httpmsg_bytes_consumed(p) - r->start));
    else
        fail("malformed response from %s:%s: %s (%s at byte %llu)", u->host, u->port, httpmsg_strerror(err),
             httpmsg_errname(err), (unsigned long long)(httpmsg_error_offset(p) - r->start));
}

/* Read and parse until the final response is complete.  Returns 0, or an
 * exit status after a message; *got says whether any byte arrived. */
static int read_response(int fd, httpmsg_parser *p, struct response *r, const struct url *u, int *got)
{
    char buf[16384];
    *got = 0;
    while (!r->done) {
        ssize_t n;
        size_t off = 0;
        if (wait_fd(fd, POLLIN, opt.read_ms) == -1) {
            fflush(stdout);
            fail("no answer from %s:%s for %d ms: timed out", u->host, u->port, opt.read_ms);
            return EXIT_TIMEOUT;
        }
        n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n < 0) {
            if (!*got)
                return -1; /* the caller may retry on a new connection */
            fflush(stdout);
            fail("reading from %s:%s: %s", u->host, u->port, strerror(errno));
            return EXIT_RESPONSE;
        }
        if (n == 0) {
            /* End of input: completes a body read until close; anything
             * else cut short is an incomplete response. */
            httpmsg_err err;
            if (!*got)
                return -1;
            err = httpmsg_finish(p);
            if (r->done)
                break;
            malformed(p, err == HTTPMSG_OK ? HTTPMSG_ERR_INCOMPLETE : err, r, u);
            return EXIT_RESPONSE;
        }
        *got = 1;
        while (off < (size_t)n && !r->done) {
            size_t used;
            httpmsg_err err = httpmsg_execute(p, buf + off, (size_t)n - off, &used);
            off += used;
            if (err == HTTPMSG_PAUSED || err == HTTPMSG_UPGRADE)
                break; /* the final response is complete */
            if (r->unasked_101) {
                fflush(stdout);
                fail("malformed response from %s:%s: 101 Switching Protocols, but the request asked for no upgrade",
                     u->host, u->port);
                return EXIT_RESPONSE;
            }
            if (err == HTTPMSG_ERR_USER || ferror(stdout)) {
                fail("writing the output: %s", strerror(errno));
                return EXIT_OUTPUT;
            }
            if (err != HTTPMSG_OK) {
                malformed(p, err, r, u);
                return EXIT_RESPONSE;
            }
        }
        if (off < (size_t)n) {
            if (opt.verbose)
                fprintf(stderr, "* %zu bytes after the response ignored; closing\n", (size_t)n - off);
            r->keep_alive = 0;
        }
    }
    return 0;
}

/* The connection kept between URLs. */
static struct {
    int fd;
    char host[256], port[6];
    httpmsg_parser parser;
} conn = {.fd = -1};

static void drop_connection(void)
{
    if (conn.fd >= 0) {
        if (opt.verbose)
            fprintf(stderr, "* closing connection\n");
        close(conn.fd);
        conn.fd = -1;
    }
}

static int fetch(const char *s, struct text *req)
{
    struct url u;
    struct response r = {0};
    int rc, got, reused;

    if (parse_url(s, &u) < 0)
        return EXIT_USAGE;
    build_request(req, &u);
    for (int attempt = 0;; attempt++) {
        reused = conn.fd >= 0 && strcmp(conn.host, u.host) == 0 && strcmp(conn.port, u.port) == 0;
        if (reused && wait_fd(conn.fd, POLLIN, 0) == 0) {
            /* Readable before we asked anything: the server closed the
             * kept connection, or sent bytes that answer no request (RFC
             * 9112 §6.3: not to be taken as the next response).  A new
             * connection, rather than a request doomed to fail. */
            if (opt.verbose)
                fprintf(stderr, "* kept connection was closed or sent unasked bytes; not reused\n");
            reused = 0;
        }
        if (!reused) {
            drop_connection();
            if ((rc = connect_to(&u)) < 0)
                return -rc;
            conn.fd = rc;
            snprintf(conn.host, sizeof conn.host, "%s", u.host);
            snprintf(conn.port, sizeof conn.port, "%s", u.port);
            httpmsg_init(&conn.parser, HTTPMSG_RESPONSE, &settings);
            httpmsg_set_flags(&conn.parser, HTTPMSG_LENIENT_OBS_FOLD); /* RFC 9112 §5.2 */
        } else if (opt.verbose) {
            fprintf(stderr, "* reusing connection to %s port %s\n", u.host, u.port);
        }
        r = (struct response){.head_request = strcmp(opt.method, "HEAD") == 0,
                              .start = httpmsg_bytes_consumed(&conn.parser)};
        conn.parser.data = &r;
        if (opt.verbose)
            show_request(req);
        rc = send_all(conn.fd, req->p, req->len);
        if (rc == -1) {
            fail("sending to %s:%s timed out", u.host, u.port);
            return EXIT_TIMEOUT;
        }
        /* rc == -2: the server closed while we sent; read what it said */
        rc = read_response(conn.fd, &conn.parser, &r, &u, &got);
        if (rc == -1 && reused && attempt == 0 && idempotent(opt.method)) {
            /* The server closed the kept connection without answering,
             * maybe before our request reached it (RFC 9112 §9.3.1): an
             * idempotent request may be tried once more on a new one. */
            if (opt.verbose)
                fprintf(stderr, "* kept connection was closed by the server; retrying\n");
            drop_connection();
            continue;
        }
        if (rc == -1) {
            fail("%s:%s closed the connection without answering", u.host, u.port);
            rc = EXIT_RESPONSE;
        }
        break;
    }
    /* RFC 9112 §9.6: after sending "close", send nothing more there */
    if (rc != 0 || !r.keep_alive || says_close())
        drop_connection();
    else
        httpmsg_resume(&conn.parser); /* ready for the next response */
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Options                                                                   */
/* ------------------------------------------------------------------------ */

static int usage(const char *why)
{
    FILE *f = why ? stderr : stdout;
    if (why)
        fprintf(stderr, "httpmsg-client: %s\n", why);
    fprintf(f,
            "usage: httpmsg-client [-X METHOD] [-H 'Name: value']... [-d DATA] [-i] [-v]\n"
            "                      [--connect-timeout S] [--read-timeout S] URL...\n"
            "Fetches each http:// URL and prints the response body.\n"
            "  -X METHOD           request method (default GET, or POST with -d; not CONNECT)\n"
            "  -H 'Name: value'    add a header field (replaces Host, User-Agent, Accept,\n"
            "                      Content-Type if given; a Transfer-Encoding, given once,\n"
            "                      must end in chunked: the -d data then goes as a chunk)\n"
            "  -d DATA             send DATA as the body (form content type by default)\n"
            "  -i                  print the status line and header fields before the body\n"
            "  -v                  show the exchange on standard error (> sent, < received)\n"
            "  --connect-timeout S give up on an address after S seconds (default 10)\n"
            "  --read-timeout S    give up when the server is silent for S seconds (default 30)\n"
            "URLs: http://host[:port][/path][?query]; host is a name, an IPv4 address or\n"
            "[an IPv6 address].  Several URLs on one host and port share a connection.\n"
            "Exit status: 0 responses received, 1 output not written, 2 bad usage or URL,\n"
            "3 cannot resolve or connect, 4 timeout, 5 malformed or incomplete response.\n");
    return EXIT_USAGE;
}

static int parse_seconds(const char *s, int *ms)
{
    char *end;
    double d;
    if (!s || ((*s < '0' || *s > '9') && *s != '.'))
        return -1;
    d = strtod(s, &end);
    if (*end || !(d > 0) || d > 86400)
        return -1;
    *ms = (int)(d * 1000 + 0.5);
    if (*ms == 0) /* under half a millisecond: the least there is, not none */
        *ms = 1;
    return 0;
}

static int is_token(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              strchr("!#$%&'*+-.^_`|~", s[i])))
            return 0;
    return 1;
}

/* Read the command line into opt and urls (room for argc entries).  Returns
 * -1 to go on, else the exit status (0 after --help). */
static int parse_args(int argc, char **argv, const char **urls, int *nurls)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(NULL);
            return 0;
        } else if (strcmp(a, "-i") == 0) {
            opt.include = 1;
        } else if (strcmp(a, "-v") == 0) {
            opt.verbose = 1;
        } else if (a[0] == '-' && a[1]) {
            if (!val)
                return usage("unknown option or missing value");
            i++;
            if (strcmp(a, "-X") == 0) {
                if (!is_token(val, strlen(val)))
                    return usage("-X takes a method name (a token, e.g. GET)");
                if (strcmp(val, "CONNECT") == 0) /* authority-form, then a tunnel */
                    return usage("-X CONNECT is not supported (it asks a proxy for a tunnel)");
                opt.method = val;
            } else if (strcmp(a, "-H") == 0) {
                const char *colon = strchr(val, ':');
                if (!colon || !is_token(val, (size_t)(colon - val)))
                    return usage("-H takes 'Name: value'");
                for (const char *v = colon + 1; *v; v++) /* field-value, RFC 9110 §5.5 */
                    if (((unsigned char)*v < ' ' && *v != '\t') || *v == 0x7f)
                        return usage("-H: a control character in the value");
                opt.headers[opt.nheaders++] = val;
            } else if (strcmp(a, "-d") == 0) {
                opt.data = val;
            } else if (strcmp(a, "--connect-timeout") == 0) {
                if (parse_seconds(val, &opt.connect_ms))
                    return usage("--connect-timeout takes a positive number of seconds");
            } else if (strcmp(a, "--read-timeout") == 0) {
                if (parse_seconds(val, &opt.read_ms))
                    return usage("--read-timeout takes a positive number of seconds");
            } else {
                return usage("unknown option");
            }
        } else {
            urls[(*nurls)++] = a;
        }
    }
    if (*nurls == 0)
        return usage("no URL");
    if (!opt.method)
        opt.method = opt.data ? "POST" : "GET";
    if (user_header_n("Transfer-Encoding", 1))
        return usage("give Transfer-Encoding once with -H");
    if (user_header_n("Host", 1))
        return usage("give Host once with -H");
    if (user_header("Transfer-Encoding") && !list_has(user_header("Transfer-Encoding"), "chunked", 1))
        return usage("a Transfer-Encoding given with -H must end in chunked (RFC 9112 §6.1)");
    if (user_header("Transfer-Encoding") && user_header("Content-Length"))
        return usage("give Transfer-Encoding or Content-Length, not both (RFC 9112 §6.2)");
    return -1;
}

int main(int argc, char **argv)
{
    const char **urls;
    int nurls = 0, rc;
    struct text req = {0};

    /* A closed standard descriptor would go to the first socket, and the
     * output (or -v's) into the request: hold each one closed with a
     * read-only /dev/null, so that writing it fails (exit 1) instead. */
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDONLY) != fd)
            return EXIT_OUTPUT;
    /* A reader that went away (a pipe into head) is an output error, exit
     * 1, not a signal; sockets send with MSG_NOSIGNAL anyway. */
    signal(SIGPIPE, SIG_IGN);
    if (!(urls = calloc((size_t)argc, sizeof *urls)) || !(opt.headers = calloc((size_t)argc, sizeof *opt.headers))) {
        free(urls);
        return 1;
    }
    if ((rc = parse_args(argc, argv, urls, &nurls)) >= 0) {
        free(urls);
        free(opt.headers);
        return rc;
    }
    rc = 0;
    for (int i = 0; i < nurls && rc == 0; i++)
        rc = fetch(urls[i], &req);
    drop_connection();
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
        fail("writing the output: %s", errno ? strerror(errno) : "error");
        rc = EXIT_OUTPUT;
    }
    free(req.p);
    free(head_out.p);
    free(urls);
    free(opt.headers);
    return rc;
}
