/*
 * httpmsg.h - libhttpmsg: an incremental, allocation-free HTTP/1.1 message
 * parser.  This header is the whole public interface and its manual.
 *
 * The parser reads requests and responses (RFC 9112) from a byte stream that
 * may arrive split at any byte, and reports what it finds through callbacks,
 * as spans (pointer + length) into the buffer you passed in.  It never
 * allocates, keeps no global mutable state, and enforces the RFC 9112/9110
 * framing rules by default; every relaxation is a separate opt-in flag.
 *
 * Quick use:
 *
 *     static const httpmsg_settings cb = { .on_header_value = my_value, ... };
 *     httpmsg_parser p;
 *     httpmsg_init(&p, HTTPMSG_REQUEST, &cb);
 *     p.data = my_connection;
 *     for (;;) {
 *         n = read(fd, buf, sizeof buf);
 *         if (n == 0) { err = httpmsg_finish(&p); break; }
 *         err = httpmsg_execute(&p, buf, n, &used);
 *         if (err != HTTPMSG_OK) break;      // PAUSED, UPGRADE or an error
 *     }
 *
 * A caller whose callbacks pause handles HTTPMSG_PAUSED by acting, then
 * httpmsg_resume() and execute again with the buffer's rest (buf + used,
 * n - used; a zero-length call when nothing is left runs what the pause put
 * off).  An upgrade's other protocol starts at buf + used.
 */
#ifndef HTTPMSG_H
#define HTTPMSG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HTTPMSG_VERSION_MAJOR 0
#define HTTPMSG_VERSION_MINOR 1
#define HTTPMSG_VERSION_PATCH 0
#define HTTPMSG_VERSION_STRING "0.1.0"

#if defined(HTTPMSG_STATIC)
#define HTTPMSG_API
#elif defined(_WIN32)
#ifdef HTTPMSG_BUILDING
#define HTTPMSG_API __declspec(dllexport)
#else
#define HTTPMSG_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define HTTPMSG_API __attribute__((visibility("default")))
#else
#define HTTPMSG_API
#endif

/* ------------------------------------------------------------------------ */
/* Result codes                                                              */
/* ------------------------------------------------------------------------ */

/*
 * Every call that can fail returns an httpmsg_err.  HTTPMSG_OK, HTTPMSG_PAUSED
 * and HTTPMSG_UPGRADE are not errors; every other code is.  The rows below
 * give, for each error: its name (httpmsg_errname() without the HTTPMSG_ERR_
 * prefix), the HTTP status a server should answer with (httpmsg_err_status())
 * and the human-readable reason (httpmsg_strerror()).  Codes are only ever
 * appended; existing values never change.
 */
#define HTTPMSG_ERRORS(X)                                                                              \
    X(INVALID_ARGUMENT, 500, "invalid argument or parser state (NULL, uninitialised, or called from a callback)") \
    X(USER, 500, "a callback returned an error")                                                       \
    X(CLOSED, 400, "data after a message that ends the connection, or after httpmsg_finish()")         \
    X(INCOMPLETE, 400, "input ended in the middle of a message")                                       \
    X(BAD_METHOD, 400, "invalid character in method")                                                  \
    X(BAD_TARGET, 400, "invalid request-target")                                                       \
    X(BAD_VERSION, 400, "invalid HTTP-version")                                                        \
    X(VERSION_NOT_SUPPORTED, 505, "HTTP major version is not 1")                                       \
    X(BAD_STATUS, 400, "invalid status code")                                                          \
    X(BAD_REASON, 400, "invalid character in reason phrase")                                           \
    X(BARE_CR, 400, "CR not followed by LF")                                                           \
    X(BARE_LF, 400, "LF without CR as line end")                                                       \
    X(WHITESPACE_AFTER_START_LINE, 400, "whitespace between the start line and the first field")       \
    X(BAD_HEADER_NAME, 400, "invalid or empty header field name")                                      \
    X(SPACE_BEFORE_COLON, 400, "whitespace in a header field name or before its colon")                \
    X(BAD_HEADER_VALUE, 400, "invalid character in header field value")                                \
    X(OBS_FOLD, 400, "obsolete line folding in a header field")                                        \
    X(WHITESPACE_RUN, 400, "whitespace run in a field value too long to carry across input pieces")    \
    X(BAD_CONTENT_LENGTH, 400, "invalid Content-Length")                                               \
    X(MULTIPLE_CONTENT_LENGTH, 400, "several Content-Length values")                                   \
    X(BAD_TRANSFER_ENCODING, 400, "invalid Transfer-Encoding (chunked not last, repeated, or bad syntax)") \
    X(UNKNOWN_TRANSFER_ENCODING, 501, "transfer coding not implemented")                               \
    X(TE_WITH_CONTENT_LENGTH, 400, "request has both Transfer-Encoding and Content-Length")            \
    X(TE_IN_HTTP10, 400, "HTTP/1.0 request with Transfer-Encoding")                                   \
    X(BAD_CHUNK_SIZE, 400, "invalid or overflowing chunk size")                                        \
    X(BAD_CHUNK_EXTENSION, 400, "invalid chunk extension")                                             \
    X(CHUNK_EXTENSION_TOO_LONG, 400, "chunk-size line longer than the head limit")                     \
    X(BAD_CHUNK_DATA_END, 400, "chunk data not followed by CRLF")                                      \
    X(URI_TOO_LONG, 414, "request line longer than the head limit")                                    \
    X(HEAD_TOO_LARGE, 431, "header or trailer section larger than the head limit")                     \
    X(BODY_TOO_LARGE, 413, "body larger than the body limit")                                          \
    X(CONNECT_WITH_CONTENT, 400, "CONNECT request with a Content-Length other than 0, or Transfer-Encoding")

typedef enum httpmsg_err {
    HTTPMSG_OK = 0,      /* all input consumed; go on */
    HTTPMSG_PAUSED = 1,  /* a callback paused; see httpmsg_resume() */
    HTTPMSG_UPGRADE = 2, /* message done; the rest of the stream is another protocol */
#define HTTPMSG_ERR_ENUM_(name, status, text) HTTPMSG_ERR_##name,
    HTTPMSG_ERRORS(HTTPMSG_ERR_ENUM_)
#undef HTTPMSG_ERR_ENUM_
    HTTPMSG_ERR_COUNT_ /* not a code: one past the last */
} httpmsg_err;

/* ------------------------------------------------------------------------ */
/* Methods                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * The methods of the IANA HTTP Method Registry.  Any other token is accepted
 * as an extension method and reported as HTTPMSG_METHOD_OTHER (its text comes
 * through on_method).  Values are only ever appended.
 */
#define HTTPMSG_METHODS(X)                                                                             \
    X(GET) X(HEAD) X(POST) X(PUT) X(DELETE) X(CONNECT) X(OPTIONS) X(TRACE) X(PATCH) X(ACL)             \
    X(BASELINE_CONTROL) X(BIND) X(CHECKIN) X(CHECKOUT) X(COPY) X(LABEL) X(LINK) X(LOCK) X(MERGE)       \
    X(MKACTIVITY) X(MKCALENDAR) X(MKCOL) X(MKREDIRECTREF) X(MKWORKSPACE) X(MOVE) X(ORDERPATCH) X(PRI)  \
    X(PROPFIND) X(PROPPATCH) X(QUERY) X(REBIND) X(REPORT) X(SEARCH) X(UNBIND) X(UNCHECKOUT) X(UNLINK)  \
    X(UNLOCK) X(UPDATE) X(UPDATEREDIRECTREF) X(VERSION_CONTROL)

typedef enum httpmsg_method {
    HTTPMSG_METHOD_NONE = 0, /* not a request, or the method is not parsed yet */
    HTTPMSG_METHOD_OTHER = 1, /* a valid token outside the registry */
#define HTTPMSG_METHOD_ENUM_(name) HTTPMSG_METHOD_##name,
    HTTPMSG_METHODS(HTTPMSG_METHOD_ENUM_)
#undef HTTPMSG_METHOD_ENUM_
    HTTPMSG_METHOD_COUNT_ /* not a method: one past the last */
} httpmsg_method;

/* ------------------------------------------------------------------------ */
/* Types, flags, body kinds                                                  */
/* ------------------------------------------------------------------------ */

typedef enum httpmsg_type {
    HTTPMSG_REQUEST = 1,  /* parse requests (a server) */
    HTTPMSG_RESPONSE = 2, /* parse responses (a client) */
    HTTPMSG_BOTH = 3      /* detect each message's kind: "HTTP/" starts a response */
} httpmsg_type;

/* How the body of the current message is framed (RFC 9112 §6.3). */
typedef enum httpmsg_body {
    HTTPMSG_BODY_NONE = 0,    /* no body */
    HTTPMSG_BODY_LENGTH = 1,  /* Content-Length bytes (may be 0) */
    HTTPMSG_BODY_CHUNKED = 2, /* chunked transfer coding */
    HTTPMSG_BODY_EOF = 3      /* response read until the connection closes: one with
                               * neither field, with a Transfer-Encoding that does not
                               * end in chunked (an empty one, or one of commas only,
                               * included), or an HTTP/1.0 one with any
                               * Transfer-Encoding (its framing is faulty, RFC 9112
                               * §6.1: the raw bytes, the connection then closed) */
} httpmsg_body;

/*
 * Leniency flags, one bit each, for httpmsg_set_flags().  All are off by
 * default.  Each one accepts input the RFCs call invalid, and each opens a
 * risk, given after the dash: enable only what a peer you must talk to needs.
 */
enum {
    /* Bare LF (without CR) ends a line anywhere a CRLF is expected.
     * - A front end that only accepts CRLF will frame the same bytes
     *   differently: a request-smuggling vector (RFC 9112 §2.2). */
    HTTPMSG_LENIENT_BARE_LF = 1u << 0,
    /* obs-fold (a field line starting with SP or HTAB) continues the previous
     * field value; each fold, or run of folds in a row, is delivered as one
     * SP (RFC 9112 §5.2).  A user agent reading responses should set it:
     * §5.2 requires a user agent to replace a response's folds with SP (a
     * server may reject folded requests with 400, a proxy answer 502).
     * - Peers that reject or split folded lines see other fields than you. */
    HTTPMSG_LENIENT_OBS_FOLD = 1u << 1,
    /* Several Content-Length fields, or a list, are accepted when all the
     * values are the same decimal number ("3" and "03" are; RFC 9110 §8.6).
     * - A peer that takes the first or last of differing copies can be
     *   desynchronised; equal values only are accepted, never differing. */
    HTTPMSG_LENIENT_DUP_CONTENT_LENGTH = 1u << 2,
    /* A request with both Transfer-Encoding and Content-Length is accepted:
     * Transfer-Encoding frames it, Content-Length is ignored and the
     * connection is not kept alive (RFC 9112 §6.3 item 3).
     * - The classic request-smuggling pattern (CL.TE / TE.CL). */
    HTTPMSG_LENIENT_TE_WITH_CL = 1u << 3,
    /* Control characters other than NUL, CR and LF, and DEL, are accepted in
     * field values and reason phrases.
     * - Downstream code that trusts values to be printable can be fooled
     *   (log injection, terminal escapes). */
    HTTPMSG_LENIENT_VALUE_CHARS = 1u << 4,
    /* Bytes 0x80-0xFF and '#' (a fragment, which no form allows) are
     * accepted in the request-target, and its form (origin, absolute,
     * authority for CONNECT, "*" for OPTIONS) is not checked.
     * - Different components may decode raw non-ASCII targets differently
     *   (path confusion in access rules). */
    HTTPMSG_LENIENT_TARGET = 1u << 5,
    /* A status line without the SP before an empty reason ("HTTP/1.1 200")
     * is accepted.
     * - Low: only lets broken servers through. */
    HTTPMSG_LENIENT_MISSING_REASON_SP = 1u << 6,
    /* Runs of SP, HTAB, VT or FF separate the parts of the start line (in a
     * status line, up to the reason phrase, which then starts at its first
     * other byte), and whitespace before the line end of a request line is
     * ignored (RFC 9112 §3).
     * - A peer splitting only on single SP sees another target or version. */
    HTTPMSG_LENIENT_WHITESPACE = 1u << 7,
    /* Registered transfer codings other than chunked (gzip, deflate,
     * compress) are accepted before the final chunked in a request; the body
     * is de-chunked but otherwise delivered as sent, still encoded.
     * - Your code must decode it, or it handles coded bytes as content. */
    HTTPMSG_LENIENT_TRANSFER_CODINGS = 1u << 8,
    /* After a message that ends the connection's persistence (Connection:
     * close, HTTP/1.0 without keep-alive, suspect framing), further bytes are
     * parsed as the next message instead of raising HTTPMSG_ERR_CLOSED.
     * - RFC 9112 §9.6 forbids a server to process them; a front end that
     *   closes may disagree about where the stream ends. */
    HTTPMSG_LENIENT_DATA_AFTER_CLOSE = 1u << 9,
    HTTPMSG_LENIENT_ALL_ = (1u << 10) - 1 /* every flag above */
};

#define HTTPMSG_NO_LENGTH UINT64_MAX            /* content length when there is none */
#define HTTPMSG_DEFAULT_MAX_HEAD (80u * 1024u) /* default head limit, bytes */

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

/* What a callback returns. */
enum {
    HTTPMSG_CB_OK = 0,        /* go on */
    HTTPMSG_CB_PAUSE = 1,     /* stop: execute returns HTTPMSG_PAUSED */
    HTTPMSG_CB_SKIP_BODY = 2, /* on_headers_complete only: this message has no body */
    HTTPMSG_CB_UPGRADE = 4    /* on_headers_complete only: after this head the stream is
                                 another protocol (e.g. a 2xx answer to CONNECT); the
                                 message has no body.  Either code makes a response
                                 that would have been read until close keep the
                                 connection, unless its fields end it anyway (see
                                 httpmsg_should_keep_alive()).  Both at once, or
                                 either for a request with content (a Content-Length
                                 other than 0, or chunked), is an error
                                 (HTTPMSG_ERR_USER): a request's head alone frames its
                                 content, which skipping would parse as the next
                                 request (RFC 9112 §6.3, RFC 9110 §7.8). */
    /* Any negative value: abort with HTTPMSG_ERR_USER; httpmsg_user_error()
     * returns the value.  Any other value is also treated as an error. */
};

typedef struct httpmsg_parser httpmsg_parser;

/* A data callback receives one piece of an element: `len` > 0 bytes at `at`,
 * valid only until the callback returns. */
typedef int (*httpmsg_data_cb)(httpmsg_parser *p, const char *at, size_t len);
/* A notification callback. */
typedef int (*httpmsg_cb)(httpmsg_parser *p);

/*
 * The callback table.  Any member may be NULL (nothing is called).  One const
 * table may serve any number of parsers at once; the library only reads it.
 *
 * THE SPAN CONTRACT.  An element (method, request-target, reason phrase,
 * header or trailer field name, field value, chunk extension, body) is
 * delivered through its data callback:
 *  - as exactly ONE call covering all of it, whenever the element lies
 *    wholly inside one buffer passed to httpmsg_execute() (a chunked
 *    body's element is each chunk's data, one call per chunk; a value
 *    folded under HTTPMSG_LENIENT_OBS_FOLD comes as its lines' pieces, a
 *    " " piece where folds, and the whitespace around them, stood between
 *    two pieces of text);
 *  - otherwise as several calls, in order, whose pieces concatenated give the
 *    element; a piece never spans two execute calls.
 * Data callbacks are never called with len == 0 (an empty field value or
 * reason gives no data call, only the complete call).  Every element except
 * the body and chunk data is followed by its *_complete notification, so a
 * caller can assemble pieces and act once.  Bodies end with
 * on_message_complete (and each chunk with on_chunk_complete).
 *
 * Pieces point into the buffer passed to the current execute call, with two
 * documented exceptions, both made of bytes the wire sent in an earlier
 * buffer or that the RFC defines as a replacement:
 *  - field values are delivered without leading and trailing whitespace
 *    (SP/HTAB).  When a value's interior whitespace ends one buffer, it is
 *    held back until the value goes on, and is then delivered as a piece
 *    pointing at library-owned constant memory holding the same bytes.
 *    Runs of up to 64 whitespace bytes, or longer runs whose bytes after the
 *    64th are all SP or all HTAB, are carried exactly; a longer irregular
 *    run held back this way fails with HTTPMSG_ERR_WHITESPACE_RUN when the
 *    value goes on after it (as trailing whitespace it is simply dropped).
 *  - with HTTPMSG_LENIENT_OBS_FOLD each fold arrives as a piece " " in
 *    constant memory; with HTTPMSG_BOTH, a request whose first bytes are a
 *    prefix of "HTTP" split over several buffers gets that prefix as a piece
 *    in constant memory.
 * Either way the bytes are valid until the callback returns, like any piece.
 *
 * The order of events for one message:
 *   on_message_begin
 *   requests:  on_method* on_method_complete on_target* on_target_complete
 *              on_version_complete
 *   responses: on_version_complete on_status_complete on_reason* on_reason_complete
 *   per field: on_header_name* on_header_name_complete
 *              on_header_value* on_header_value_complete
 *   on_headers_complete
 *   body:      on_body*                                 (Content-Length, EOF)
 *         or   per chunk: on_chunk_extension* on_chunk_extension_complete
 *                         on_chunk_header on_body* on_chunk_complete
 *              last chunk (size 0): [extension] on_chunk_header on_chunk_complete
 *              per trailer field: on_trailer_name* on_trailer_name_complete
 *                                 on_trailer_value* on_trailer_value_complete
 *   on_message_complete
 * A field's value-complete call comes once the next line has begun (its first
 * byte decides whether the value is folded); it always precedes the next
 * field's name or on_headers_complete.  A parser with neither
 * on_header_name_complete nor on_header_value_complete (and without
 * HTTPMSG_LENIENT_VALUE_CHARS) parses header fields in a loop that does not
 * test for them.
 *
 * Callbacks may read the parser through the accessors below and may change
 * `p->data`; they must not call httpmsg_execute(), httpmsg_finish(),
 * httpmsg_init() or httpmsg_reset() on the same parser.
 */
typedef struct httpmsg_settings {
    httpmsg_cb on_message_begin;
    httpmsg_data_cb on_method;
    httpmsg_cb on_method_complete; /* httpmsg_get_method() is valid from here */
    httpmsg_data_cb on_target;
    httpmsg_cb on_target_complete;
    /* httpmsg_http_major()/minor() are valid from here.  Requests: once the
     * request line has ended (its CRLF included); responses: at the SP after
     * the version. */
    httpmsg_cb on_version_complete;
    httpmsg_cb on_status_complete;  /* httpmsg_status() is valid from here */
    httpmsg_data_cb on_reason;
    httpmsg_cb on_reason_complete;
    httpmsg_data_cb on_header_name;
    httpmsg_cb on_header_name_complete;
    httpmsg_data_cb on_header_value;
    httpmsg_cb on_header_value_complete;
    /* Called once the head is complete and the framing decided: every
     * accessor is valid.  Nothing of the body has been consumed yet, so a
     * server can answer `Expect: 100-continue` here (pausing, if it must send
     * before reading on).  May return HTTPMSG_CB_SKIP_BODY (e.g. the response
     * answers HEAD) or HTTPMSG_CB_UPGRADE, either optionally OR'ed with
     * HTTPMSG_CB_PAUSE (neither for a request with content: see above). */
    httpmsg_cb on_headers_complete;
    httpmsg_data_cb on_body; /* body bytes, de-chunked */
    httpmsg_data_cb on_chunk_extension; /* the raw text from the first ';' */
    httpmsg_cb on_chunk_extension_complete;
    httpmsg_cb on_chunk_header;   /* httpmsg_chunk_size() is valid here */
    httpmsg_cb on_chunk_complete; /* after the CRLF ending a chunk's data */
    httpmsg_data_cb on_trailer_name;
    httpmsg_cb on_trailer_name_complete;
    httpmsg_data_cb on_trailer_value;
    httpmsg_cb on_trailer_value_complete;
    /* The message is complete.  If it was an upgrade (httpmsg_is_upgrade()),
     * execute returns HTTPMSG_UPGRADE after this call, its `*used` being the
     * offset where the other protocol begins.  If this call pauses, execute
     * returns HTTPMSG_PAUSED instead (with the same `*used`); after
     * httpmsg_resume() the next execute (or finish) returns HTTPMSG_UPGRADE
     * consuming nothing. */
    httpmsg_cb on_message_complete;
} httpmsg_settings;

/* ------------------------------------------------------------------------ */
/* The parser                                                                */
/* ------------------------------------------------------------------------ */

/*
 * The parser state.  You own its memory: put it on the stack, in your
 * connection struct, anywhere; it holds no pointers to memory of its own
 * and may be copied only between calls when not inside execute.
 * sizeof(httpmsg_parser) is 144 bytes on 64-bit targets and 136 on 32-bit
 * ones (a test pins it, and CI checks i686 and armv7 at compile time);
 * HTTPMSG_PARSER_SIZE says the same to the preprocessor.
 *
 * Only `data` is yours to touch.  Everything ending in `_` is private and may
 * change in any release: read it through the accessors.  A zero-filled struct
 * is "not initialised": every call on it returns HTTPMSG_ERR_INVALID_ARGUMENT.
 */
#if defined(UINTPTR_MAX) && UINTPTR_MAX <= 0xffffffffu
#define HTTPMSG_PARSER_SIZE 136
#else
#define HTTPMSG_PARSER_SIZE 144
#endif
struct httpmsg_parser {
    void *data; /* yours: the library never reads or writes it (but init) */

    const httpmsg_settings *settings_;
    uint64_t nread_;          /* stream offset: bytes consumed since init/reset */
    uint64_t content_length_; /* Content-Length, or HTTPMSG_NO_LENGTH */
    uint64_t remaining_;      /* bytes left in the body or the current chunk; the chunk size being read */
    uint64_t body_read_;      /* body bytes of this message so far */
    uint64_t max_body_;       /* body limit */
    uint64_t num_;            /* number being parsed; then the chunk size */
    uint64_t ws_mask_;        /* held-back whitespace: bit i set = byte i is HTAB */
    uint64_t err_offset_;     /* stream offset of the error */
    uint32_t ws_count_;       /* held-back whitespace: bytes */
    uint32_t max_head_;       /* head limit */
    uint32_t head_left_;      /* bytes the current head may still take */
    uint32_t flags_;          /* HTTPMSG_LENIENT_* */
    uint32_t bits_;           /* per-message facts, see parser.c */
    int32_t user_err_;        /* what a callback returned on HTTPMSG_ERR_USER */
    uint16_t status_;
    uint8_t type_, msg_type_, state_, next_, err_, method_, major_, minor_;
    uint8_t body_, hdr_, sub_, tok_len_, hosts_, impl_;
    char tok_[24];            /* pieces of a split token (method, name, list element) */
};

/*
 * Initialise `p` to parse messages of `type`, calling the callbacks of
 * `settings` (NULL: no callbacks).  `settings` is not copied: it must stay
 * valid, unchanged, as long as `p` is used.  Resets everything: flags to 0,
 * limits to their defaults (head HTTPMSG_DEFAULT_MAX_HEAD, body unlimited),
 * `p->data` to NULL.  Returns HTTPMSG_OK, or HTTPMSG_ERR_INVALID_ARGUMENT if
 * `p` is NULL or `type` is not one of httpmsg_type (then `p` is untouched).
 * Unlike the other calls it cannot refuse a call from one of `p`'s own
 * callbacks, since it takes memory in any state: never make one.
 */
HTTPMSG_API httpmsg_err httpmsg_init(httpmsg_parser *p, httpmsg_type type, const httpmsg_settings *settings);

/*
 * Start over at the beginning of a new stream: forgets the current message,
 * any error, pause or upgrade, and the stream offset.  Keeps the type,
 * settings, flags, limits and `p->data`.  Must not be called from a callback
 * (then it does nothing).  A NULL or zero-filled (never initialised) `p` is
 * ignored.
 */
HTTPMSG_API void httpmsg_reset(httpmsg_parser *p);

/*
 * Set the leniency flags (an OR of HTTPMSG_LENIENT_*), replacing the previous
 * set.  Takes effect for the bytes that follow; set them right after init.
 * Returns HTTPMSG_ERR_INVALID_ARGUMENT (and changes nothing) for an unknown
 * bit, a bad `p`, or a call from one of `p`'s callbacks.
 */
HTTPMSG_API httpmsg_err httpmsg_set_flags(httpmsg_parser *p, uint32_t flags);
/* The leniency flags in effect; 0 for a NULL or never initialised `p`. */
HTTPMSG_API uint32_t httpmsg_get_flags(const httpmsg_parser *p);

/*
 * Limits.  `max_head` bounds the start line plus the header section, CRLFs
 * and leading empty lines included (and, separately, each trailer section
 * and each chunk-size line); at least 16, at most 2^31.  Overrunning it in a
 * request line gives HTTPMSG_ERR_URI_TOO_LONG (414), as in a start line
 * HTTPMSG_BOTH has not yet told from one (its bytes so far a part of
 * "HTTP/"); in a status line, the header or the trailer section,
 * HTTPMSG_ERR_HEAD_TOO_LARGE (431); in a chunk-size line,
 * HTTPMSG_ERR_CHUNK_EXTENSION_TOO_LONG.  `max_body` bounds
 * each message's body (HTTPMSG_NO_LENGTH: no limit, the default; chunk
 * sizes adding up past 2^64 - 1 are then HTTPMSG_ERR_BAD_CHUNK_SIZE); a larger
 * Content-Length fails at the end of the head (a request's before
 * on_headers_complete; a response's once it has returned, unless it said
 * the response has no body; the error then wins over a pause), a chunked or
 * read-until-close body as soon as it would exceed it:
 * HTTPMSG_ERR_BODY_TOO_LARGE (413).  `max_body` may change at any time,
 * from a callback too, and takes effect at the next check: a Content-Length
 * at the end of the head (a request's again once on_headers_complete has
 * returned; a body past that check is read to its end); a chunked body at
 * each chunk-size line; a body read until close at each byte.  There, a
 * limit below the body bytes already read lets no more through.
 * Returns HTTPMSG_ERR_INVALID_ARGUMENT for a bad `p` or a `max_head` out of
 * range, and (changing nothing) for httpmsg_set_max_head() called from one
 * of `p`'s callbacks.
 */
HTTPMSG_API httpmsg_err httpmsg_set_max_head(httpmsg_parser *p, size_t max_head);
HTTPMSG_API httpmsg_err httpmsg_set_max_body(httpmsg_parser *p, uint64_t max_body);

/*
 * Parse the next `len` bytes of the stream.  `data` may be NULL only when
 * `len` is 0; it is not retained (spans given to callbacks point into it and
 * are valid only during the callback).  `*used` (if `used` is not NULL)
 * receives the number of bytes consumed, always <= `len`.
 *
 * Returns:
 *  HTTPMSG_OK       all `len` bytes were consumed.
 *  HTTPMSG_PAUSED   a callback returned HTTPMSG_CB_PAUSE; `*used` counts the
 *                   bytes up to the end of the element that paused, and the
 *                   delimiter that ended it when that is in `data` (the SP
 *                   after a method or target, the colon after a field name,
 *                   the line end after a field value).  Call
 *                   httpmsg_resume(), then execute again with the rest.  Until
 *                   then every execute returns HTTPMSG_PAUSED with `*used` 0.
 *                   What follows a pause runs in the next call: a message
 *                   without a body, paused in on_headers_complete at the end
 *                   of `data`, completes (on_message_complete, then
 *                   HTTPMSG_UPGRADE for an upgrade) in the next call with
 *                   bytes, or in a zero-length call after the resume.
 *  HTTPMSG_UPGRADE  an upgrade or CONNECT message is complete; `*used` is the
 *                   offset in `data` where the other protocol's bytes begin.
 *                   Further calls return HTTPMSG_UPGRADE with `*used` 0, until
 *                   httpmsg_resume() (if you declined the upgrade and go on
 *                   with HTTP) or httpmsg_reset().
 *  an error         `*used` is the offset in `data` of the byte where the
 *                   error was found (bytes before it were consumed);
 *                   httpmsg_error_offset() gives it as a stream offset.  The
 *                   error is sticky: every later call returns it, consuming
 *                   nothing, until httpmsg_reset().
 * HTTPMSG_ERR_INVALID_ARGUMENT (NULL `p`, NULL `data` with `len` > 0, a
 * zero-filled, never initialised parser, a call from inside a callback)
 * changes nothing; the arguments are checked first, so it comes before a
 * sticky error.
 * A zero-length call (`data` may be NULL) consumes nothing.  It makes the
 * calls that need no more bytes, those a pause put off (say,
 * on_message_complete after a pause in on_headers_complete, or in the last
 * body piece); else it calls nothing.  It returns HTTPMSG_OK, or a pause,
 * upgrade or error, pending or from a call it made (never an error that
 * needs a byte to find: after a closing message it is HTTPMSG_OK).  It
 * does not mean end of input: that is httpmsg_finish().
 */
HTTPMSG_API httpmsg_err httpmsg_execute(httpmsg_parser *p, const char *data, size_t len, size_t *used);

/*
 * Signal the end of input (the peer closed).  Completes a response body read
 * until close (calling on_message_complete) and returns HTTPMSG_OK when the
 * stream ends between messages.  A message cut short gives
 * HTTPMSG_ERR_INCOMPLETE.  A pending pause, upgrade or error is returned
 * as is.  After a successful finish, execute with data returns
 * HTTPMSG_ERR_CLOSED; finish again returns HTTPMSG_OK.
 */
HTTPMSG_API httpmsg_err httpmsg_finish(httpmsg_parser *p);

/*
 * Clear a pause (or, after HTTPMSG_UPGRADE, go on parsing HTTP messages from
 * the next byte, e.g. when a server declines an upgrade; unless the upgrade's
 * message ended the connection (HTTP/1.0 without keep-alive, "close"): then,
 * as after any closing message, what follows is HTTPMSG_ERR_CLOSED but for
 * empty lines, and finish is HTTPMSG_OK).  Returns HTTPMSG_OK,
 * or the sticky error if the parser failed; HTTPMSG_ERR_INVALID_ARGUMENT for
 * a bad `p`.  Resuming a parser that is not paused does nothing.
 */
HTTPMSG_API httpmsg_err httpmsg_resume(httpmsg_parser *p);

/* ------------------------------------------------------------------------ */
/* Accessors: valid inside callbacks and between calls                       */
/* ------------------------------------------------------------------------ */

/* Each takes a NULL `p` and then returns 0 (HTTPMSG_METHOD_NONE,
 * HTTPMSG_BODY_NONE), except httpmsg_content_length(), which returns
 * HTTPMSG_NO_LENGTH, and httpmsg_get_error(), which returns
 * HTTPMSG_ERR_INVALID_ARGUMENT (also for a never initialised `p`). */

/* The current or last error state: HTTPMSG_OK, PAUSED, UPGRADE or an error. */
HTTPMSG_API httpmsg_err httpmsg_get_error(const httpmsg_parser *p);
/* Stream offset (bytes since init/reset) of the byte where the error was
 * found; for HTTPMSG_ERR_INCOMPLETE the stream length. */
HTTPMSG_API uint64_t httpmsg_error_offset(const httpmsg_parser *p);
/* The value a callback returned for HTTPMSG_ERR_USER (0 otherwise). */
HTTPMSG_API int httpmsg_user_error(const httpmsg_parser *p);
/* Bytes consumed since init/reset, counted when an execute call returns:
 * inside a callback, the count when the current call began (add how far
 * into the call's data the callback's bytes lie). */
HTTPMSG_API uint64_t httpmsg_bytes_consumed(const httpmsg_parser *p);

/* HTTPMSG_REQUEST or HTTPMSG_RESPONSE for the current message (in
 * HTTPMSG_BOTH mode, 0 until its kind is known). */
HTTPMSG_API httpmsg_type httpmsg_message_type(const httpmsg_parser *p);
/* Request method; HTTPMSG_METHOD_NONE for responses. */
HTTPMSG_API httpmsg_method httpmsg_get_method(const httpmsg_parser *p);
/* Response status code (100-999); 0 for requests. */
HTTPMSG_API int httpmsg_status(const httpmsg_parser *p);
/* HTTP version digits, e.g. 1 and 1 for HTTP/1.1. */
HTTPMSG_API int httpmsg_http_major(const httpmsg_parser *p);
HTTPMSG_API int httpmsg_http_minor(const httpmsg_parser *p);
/* From on_headers_complete: how the body is framed. */
HTTPMSG_API httpmsg_body httpmsg_body_kind(const httpmsg_parser *p);
/* The Content-Length value as received; HTTPMSG_NO_LENGTH when absent, or
 * when Transfer-Encoding overrides it.  It is returned as is where it frames
 * nothing (an answer to HEAD, a 304): httpmsg_body_kind() says what frames
 * the body. */
HTTPMSG_API uint64_t httpmsg_content_length(const httpmsg_parser *p);
/* 1 if the body is chunked. */
HTTPMSG_API int httpmsg_is_chunked(const httpmsg_parser *p);
/* 1 if the connection may carry another message after this one (RFC 9112
 * §9.3): HTTP/1.1 without "close", HTTP/1.0 with "keep-alive", and not a
 * body read until close or framed by both Transfer-Encoding and
 * Content-Length, nor an HTTP/1.0 response with Transfer-Encoding (faulty
 * framing, closed after, whatever its status: RFC 9112 §6.1).  A response
 * that would be read until close, but whose body on_headers_complete skips
 * (it answers HEAD), keeps the connection once the callback has returned,
 * unless one of these ends it anyway.  An interim (1xx) response is always
 * followed by the final one; when it ends the connection ("close", or
 * HTTP/1.0 with Transfer-Encoding), this is 0 for it, for any interim
 * response after it, and for the final response, after which the connection
 * ends.  For an upgrade it says what happens if the upgrade is declined
 * (httpmsg_resume(): HTTP goes on, or the connection ends); an accepted
 * upgrade's stream is the new protocol's.  Only Connection is read: the
 * non-standard Proxy-Connection, which some peers treat alike, changes
 * nothing. */
HTTPMSG_API int httpmsg_should_keep_alive(const httpmsg_parser *p);
/* 1 if after this message the stream belongs to another protocol: CONNECT
 * requests, HTTP/1.1 requests with Upgrade and "Connection: upgrade", 101
 * responses, and messages whose on_headers_complete returned
 * HTTPMSG_CB_UPGRADE. */
HTTPMSG_API int httpmsg_is_upgrade(const httpmsg_parser *p);
/* 1 if this HTTP/1.1 request's Expect list has the member 100-continue
 * (RFC 9110 §10.1.1; case-insensitive, e.g. "Expect: 100-continue"; a
 * member with parameters, "100-continue;x=1", is another expectation). */
HTTPMSG_API int httpmsg_expect_continue(const httpmsg_parser *p);
/* Number of Host fields in this request (saturates at 255).  RFC 9112 §3.2:
 * a server answers 400 to an HTTP/1.1 request without one, to any request
 * with more than one, and to a Host value that is not uri-host [ ":" port ],
 * which the parser does not check. */
HTTPMSG_API int httpmsg_host_count(const httpmsg_parser *p);
/* From a chunk's on_chunk_header to its on_chunk_complete, both included
 * (and while paused before the latter): the chunk's size.  0 at any other
 * time: before the first chunk, while a chunk-size line is read, after a
 * chunk's on_chunk_complete (paused there too), and for a body that is not
 * chunked. */
HTTPMSG_API uint64_t httpmsg_chunk_size(const httpmsg_parser *p);

/* ------------------------------------------------------------------------ */
/* Helpers: pure functions, static strings                                   */
/* ------------------------------------------------------------------------ */

/* Name of a code without prefix ("OK", "PAUSED", "BAD_VERSION"...);
 * "UNKNOWN" for a value outside the enum. */
HTTPMSG_API const char *httpmsg_errname(httpmsg_err e);
/* Human-readable reason; "unknown error" for a value outside the enum. */
HTTPMSG_API const char *httpmsg_strerror(httpmsg_err e);
/* The status a server should answer with: 400, 413, 414, 431, 501 or 505
 * for protocol errors, 500 for HTTPMSG_ERR_USER and _INVALID_ARGUMENT, 0 for
 * HTTPMSG_OK, _PAUSED, _UPGRADE and unknown values. */
HTTPMSG_API int httpmsg_err_status(httpmsg_err e);
/* "GET", "VERSION-CONTROL"...; NULL for NONE, OTHER and unknown values. */
HTTPMSG_API const char *httpmsg_method_name(httpmsg_method m);
/* The registry's method for a name (case-sensitive), HTTPMSG_METHOD_OTHER
 * for any other token, HTTPMSG_METHOD_NONE if `name` is not a token. */
HTTPMSG_API httpmsg_method httpmsg_method_from_name(const char *name, size_t len);
/* The standard reason phrase of a status code ("Not Found"); NULL if none. */
HTTPMSG_API const char *httpmsg_status_reason(int status);
/* The library's version string, e.g. "0.1.0"; the header's
 * HTTPMSG_VERSION_STRING is the version you compiled against. */
HTTPMSG_API const char *httpmsg_version(void);
/* The scanning code a parser uses: "scalar" (portable C), "sse4.2", "avx2"
 * or "avx512" (x86-64; the last needs AVX-512 BW and VBMI), "neon"
 * (aarch64).  All give identical results; they differ
 * only in speed.  httpmsg_init() picks the fastest this CPU runs, unless the
 * environment variable HTTPMSG_IMPL names another one it runs.  The choice
 * is made once per process, at the first httpmsg_init() (or call with
 * NULL); later changes to the environment are not seen, while
 * httpmsg_set_impl() works at any time.  With NULL, the one a new parser
 * would get. */
HTTPMSG_API const char *httpmsg_impl_name(const httpmsg_parser *p);
/* Force a parser's scanning code by name (for tests and benchmarks).
 * Returns HTTPMSG_ERR_INVALID_ARGUMENT if the name is unknown, this build or
 * CPU lacks it, or it is called from a callback. */
HTTPMSG_API httpmsg_err httpmsg_set_impl(httpmsg_parser *p, const char *name);

#ifdef __cplusplus
}
#endif
#endif /* HTTPMSG_H */
