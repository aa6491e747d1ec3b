/*
 * parser.c - the HTTP/1.1 message parser: setup, accessors, the field
 * semantics that decide framing, and execute/finish.  The byte-eating main
 * loop lives in loop.h and is compiled once per scanning implementation
 * (scan.h); execute() calls the one chosen for this CPU.
 *
 * Message flow (states in enum state; RFC 9112 section numbers):
 *
 *   START --(empty lines skipped, §2.2)--> [DETECT] --> request or response
 *   request line (§3):  METHOD -> METHOD_END -> AFTER_METHOD -> TARGET ->
 *                       TARGET_END -> AFTER_TARGET -> REQ_VERSION -> REQ_LINE_END
 *   status line (§4):   RES_VERSION -> AFTER_VERSION -> STATUS -> AFTER_STATUS ->
 *                       REASON -> REASON_END
 *   fields (§5):        FIELD_START -> FIELD_NAME -> NAME_END -> VALUE_OWS ->
 *                       VALUE [-> VALUE_WS] -> (line end) -> FIELD_START ...
 *                       FIELD_START on an empty line -> HEAD_DONE
 *   body (§6):          BODY_LENGTH | BODY_EOF | chunked (§7):
 *                       CHUNK_SIZE -> CHUNK_SIZE_MORE [-> CHUNK_EXT -> EXT_END]
 *                       -> CHUNK_HEADER -> CHUNK_DATA -> CHUNK_DATA_END ->
 *                       CHUNK_DONE -> CHUNK_SIZE ...   size 0: CHUNK_LAST ->
 *                       trailer fields (FIELD_* with B_TRAILERS) -> MSG_DONE
 *   MSG_DONE -> START | CLOSED | UPGRADED
 * LF is shared: "CR seen, LF expected", then `next_`.
 * *_END / *_DONE / *_HEADER states only make a notification call; they exist
 * so that a pause inside the call before them resumes at the right place.
 */
#include "httpmsg.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

/* Head-limited states come first (START..CHUNK_EXT): the head limit applies
 * to the bytes they consume.  Keep the order. */
enum state {
    S_UNINIT = 0,
    S_START,
    S_DETECT,
    S_METHOD,
    S_METHOD_END,
    S_AFTER_METHOD,
    S_TARGET,
    S_TARGET_END,
    S_AFTER_TARGET,
    S_REQ_VERSION,
    S_REQ_LINE_END,
    S_VERSION_DONE,
    S_RES_VERSION,
    S_AFTER_VERSION,
    S_STATUS,
    S_AFTER_STATUS,
    S_REASON,
    S_REASON_END,
    S_FIELD_START,
    S_FIELD_NAME,
    S_NAME_END,
    S_VALUE_OWS,
    S_VALUE,
    S_VALUE_WS,
    S_LF,
    S_CHUNK_SIZE,
    S_CHUNK_SIZE_MORE,
    S_CHUNK_EXT,
    S_LAST_LIMITED_ = S_CHUNK_EXT,
    S_EXT_END,
    S_CHUNK_HEADER,
    S_HEAD_DONE,
    S_BODY_LENGTH,
    S_BODY_EOF,
    S_CHUNK_DATA,
    S_CHUNK_DATA_END,
    S_CHUNK_DONE,
    S_CHUNK_LAST,
    S_MSG_DONE,
    S_CLOSED,
    S_UPGRADED,
    S_FINISHED,
    S_DEAD
};

/* bits_: facts about the current message (all cleared at message begin but
 * B_BUSY, which belongs to the execute call). */
#define B_HAVE_CL (1u << 0)
#define B_HAVE_TE (1u << 1)
#define B_TE_CHUNKED (1u << 2)      /* the last coding so far is chunked */
#define B_TE_CHUNKED_SEEN (1u << 3) /* chunked appeared */
#define B_TE_UNKNOWN (1u << 4)      /* an unregistered coding */
#define B_TE_OTHER (1u << 5)        /* a registered coding other than chunked */
#define B_CONN_CLOSE (1u << 6)
#define B_CONN_KEEP (1u << 7)
#define B_CONN_UPGRADE (1u << 8)
#define B_UPGRADE_HDR (1u << 9)
#define B_EXPECT_100 (1u << 10)
#define B_VALUE_OPEN (1u << 11)    /* a field value awaits its complete call */
#define B_VALUE_CONTENT (1u << 12) /* the open value has delivered bytes */
#define B_FOLD (1u << 13)          /* an obs-fold SP is pending */
#define B_TRAILERS (1u << 14)
#define B_UPGRADE (1u << 15)
#define B_KEEP_ALIVE (1u << 16)
#define B_WS_TAIL_TAB (1u << 17) /* held-back whitespace after byte 64 is HTAB */
#define B_TOK_LONG (1u << 18)    /* the token in tok_ did not fit */
#define B_BUSY (1u << 19)
#define B_WS_LOST (1u << 20) /* held-back whitespace too irregular to re-deliver */
#define B_KA_NO_BODY (1u << 21) /* keep-alive holds if on_headers_complete skips the body */
#define B_INTERIM_CLOSE (1u << 22) /* an interim response of this exchange closes it */
#define B_PRI_STAR (1u << 23)      /* "PRI *": only the HTTP/2 preface's version may follow */

/* hdr_: the fields whose values the parser interprets. */
enum { H_OTHER = 0, H_CL, H_TE, H_CONN, H_UPGRADE, H_EXPECT, H_HOST };

/* sub_ values for list parsing (Content-Length, Transfer-Encoding, and the
 * latter's parameters: L_PARAMS to L_PAFTER). */
enum { L_START = 0, L_TOKEN, L_AFTER, L_COMMA, L_PARAMS, L_QUOTED, L_QESC, L_PNAME, L_PNAME_WS, L_PEQ, L_PVAL, L_PAFTER };

/* sub_ values for the request-target form check (RFC 9112 §3.2). */
enum {
    TF_DONE = 0, TF_STAR, TF_SCHEME, TF_HOST, TF_HOST_PCT1, TF_HOST_PCT2, TF_V6_OPEN, TF_V6, TF_V6_PCT1, TF_V6_PCT2,
    TF_V6_END, TF_PORT0, TF_PORT, TF_FIRST
};

/* sub_ values in a chunk extension (RFC 9112 §7.1.1). */
enum { E_PRE = 0, E_SEMI, E_NAME, E_NAME_WS, E_EQ, E_TOKEN, E_QUOTED, E_QESC, E_AFTER_VAL, E_VAL_WS };

/* ------------------------------------------------------------------------ */
/* Character classes                                                         */
/* ------------------------------------------------------------------------ */

#define C_TCHAR 0x01   /* token (RFC 9110 §5.6.2) */
#define C_TARGET 0x02  /* request-target, strict: VCHAR but '#' (no form has a fragment) */
#define C_TARGETL 0x04 /* request-target, lenient: VCHAR / obs-text */
#define C_VALUE 0x08   /* field value, strict: VCHAR / obs-text / SP / HTAB */
#define C_VALUEL 0x10  /* field value, lenient: all but NUL, CR, LF */
#define C_HEX 0x20
#define C_WS 0x40 /* SP / HTAB */
#define C_QD 0x80 /* qdtext (RFC 9110 §5.6.4) */

#define IS_DIGIT_(c) ((c) >= '0' && (c) <= '9')
#define IS_ALPHA_(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_TCHAR_(c)                                                                                   \
    (IS_DIGIT_(c) || IS_ALPHA_(c) || (c) == '!' || (c) == '#' || (c) == '$' || (c) == '%' ||           \
     (c) == '&' || (c) == '\'' || (c) == '*' || (c) == '+' || (c) == '-' || (c) == '.' || (c) == '^' || \
     (c) == '_' || (c) == '`' || (c) == '|' || (c) == '~')
#define IS_VCHAR_(c) ((c) > 0x20 && (c) < 0x7f)
#define CLS_(c)                                                                                        \
    ((IS_TCHAR_(c) ? C_TCHAR : 0) | ((IS_VCHAR_(c) && (c) != '#') ? C_TARGET : 0) |                   \
     ((IS_VCHAR_(c) || (c) >= 0x80) ? C_TARGETL : 0) |                                                \
     ((IS_VCHAR_(c) || (c) >= 0x80 || (c) == ' ' || (c) == '\t') ? C_VALUE : 0) |                     \
     (((c) != 0 && (c) != '\r' && (c) != '\n') ? C_VALUEL : 0) |                                       \
     ((IS_DIGIT_(c) || ((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F')) ? C_HEX : 0) |       \
     (((c) == ' ' || (c) == '\t') ? C_WS : 0) |                                                        \
     (((c) == '\t' || (c) == ' ' || (c) == 0x21 || ((c) >= 0x23 && (c) <= 0x5b) ||                   \
       ((c) >= 0x5d && (c) <= 0x7e) || (c) >= 0x80)                                                    \
          ? C_QD                                                                                       \
          : 0))
#define R4_(b) CLS_(b), CLS_((b) + 1), CLS_((b) + 2), CLS_((b) + 3)
#define R16_(b) R4_(b), R4_((b) + 4), R4_((b) + 8), R4_((b) + 12)
#define R64_(b) R16_(b), R16_((b) + 16), R16_((b) + 32), R16_((b) + 48)
static const uint8_t cls[256] __attribute__((aligned(64))) = {R64_(0), R64_(64), R64_(128), R64_(192)};

static inline int is_ws(char c) { return c == ' ' || c == '\t'; }
static inline int hexval(unsigned char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

/* Runs of SP and HTAB, for re-delivering held-back whitespace. */
static const char sp64[] = "                                                                ";
static const char tab64[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
                            "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

static inline httpmsg_err cb_result(httpmsg_parser *p, int r)
{
    if (LIKELY(r == HTTPMSG_CB_OK))
        return HTTPMSG_OK;
    if (r == HTTPMSG_CB_PAUSE)
        return HTTPMSG_PAUSED;
    p->user_err_ = r;
    return HTTPMSG_ERR_USER;
}

static inline httpmsg_err call_data(httpmsg_parser *p, httpmsg_data_cb f, const char *a, size_t n)
{
    return (f && n) ? cb_result(p, f(p, a, n)) : HTTPMSG_OK;
}

static inline httpmsg_err call(httpmsg_parser *p, httpmsg_cb f) { return f ? cb_result(p, f(p)) : HTTPMSG_OK; }

/* ------------------------------------------------------------------------ */
/* Tokens split over buffers                                                 */
/* ------------------------------------------------------------------------ */

/* Append a piece of a token to tok_ (lowercased when `lower`). */
static void tok_add(httpmsg_parser *p, const char *a, size_t n, int lower)
{
    size_t room = sizeof p->tok_ - p->tok_len_;
    if (n > room) {
        p->bits_ |= B_TOK_LONG;
        n = room;
    }
    if (lower) {
        for (size_t i = 0; i < n; i++)
            p->tok_[p->tok_len_ + i] = (char)(a[i] | ((a[i] >= 'A' && a[i] <= 'Z') ? 0x20 : 0));
    } else if (n) {
        memcpy(p->tok_ + p->tok_len_, a, n);
    }
    p->tok_len_ = (uint8_t)(p->tok_len_ + n);
}

static inline void tok_clear(httpmsg_parser *p)
{
    p->tok_len_ = 0;
    p->bits_ &= ~B_TOK_LONG;
}

/* Unaligned loads, in memory order. */
static inline uint16_t ld2(const char *s)
{
    uint16_t w;
    memcpy(&w, s, 2);
    return w;
}
static inline uint32_t ld4(const char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}
static inline uint64_t ld8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

/* Case-insensitive compare of s[0..n) with `lc`, a literal of lowercase
 * letters, digits and '-'.  Setting bit 0x20 maps only 'A'-'Z' onto the
 * letters; it is applied only where `lc` has a letter (bit 0x40, which no
 * digit or '-' has).  A word at a time, the words overlapping at the end. */
static inline int ci_eq(const char *s, size_t n, const char *lc)
{
    uint64_t d = 0;
    size_t i;
    if (n != strlen(lc))
        return 0;
    if (n < 4) {
        for (i = 0; i < n; i++)
            if ((char)(s[i] | (lc[i] & 0x40) >> 1) != lc[i])
                return 0;
        return 1;
    }
    if (n < 8)
        return (((ld4(s) | (ld4(lc) & 0x40404040u) >> 1) ^ ld4(lc)) |
                ((ld4(s + n - 4) | (ld4(lc + n - 4) & 0x40404040u) >> 1) ^ ld4(lc + n - 4))) == 0;
    for (i = 0; i + 8 < n; i += 8)
        d |= (ld8(s + i) | (ld8(lc + i) & 0x4040404040404040u) >> 1) ^ ld8(lc + i);
    d |= (ld8(s + n - 8) | (ld8(lc + n - 8) & 0x4040404040404040u) >> 1) ^ ld8(lc + n - 8);
    return d == 0;
}

/* The fields whose values the parser interprets, by name length.  A first
 * letter check rejects nearly every other name at once. */
static inline int classify_field(const char *s, size_t n)
{
    static const char first[18] = {[4] = 'h', [6] = 'e', [7] = 'u', [10] = 'c', [14] = 'c', [17] = 't'};
    if (n > 17 || (s[0] | 0x20) != first[n]) /* s[0] | 0x20 is never 0 */
        return H_OTHER;
    switch (n) {
    case 4: return ci_eq(s, 4, "host") ? H_HOST : H_OTHER;
    case 6: return ci_eq(s, 6, "expect") ? H_EXPECT : H_OTHER;
    case 7: return ci_eq(s, 7, "upgrade") ? H_UPGRADE : H_OTHER;
    case 10: return ci_eq(s, 10, "connection") ? H_CONN : H_OTHER;
    case 14: return ci_eq(s, 14, "content-length") ? H_CL : H_OTHER;
    default: return ci_eq(s, 17, "transfer-encoding") ? H_TE : H_OTHER;
    }
}

/* A header field's name is known (classified as h): count Host, and
 * remember a field whose value the parser interprets. */
static inline void field_seen(httpmsg_parser *p, int h)
{
    if (h == H_HOST) { /* counted; its value needs no interpreting */
        if (p->hosts_ < 255)
            p->hosts_++;
    } else if (h != H_OTHER) {
        p->hdr_ = (uint8_t)h;
        p->sub_ = L_START;
    }
}

httpmsg_method httpmsg__method_lookup(const char *s, size_t n); /* strings.c */

/* ------------------------------------------------------------------------ */
/* Field semantics: Content-Length, Transfer-Encoding, Connection, ...       */
/* ------------------------------------------------------------------------ */

/* A Content-Length list element is complete. */
static httpmsg_err cl_commit(httpmsg_parser *p)
{
    if (p->bits_ & B_HAVE_CL) {
        if (!(p->flags_ & HTTPMSG_LENIENT_DUP_CONTENT_LENGTH) || p->num_ != p->content_length_)
            return HTTPMSG_ERR_MULTIPLE_CONTENT_LENGTH;
    }
    p->bits_ |= B_HAVE_CL;
    p->content_length_ = p->num_;
    return HTTPMSG_OK;
}

/* Content-Length = 1#DIGIT in the lenient list form, else 1*DIGIT (RFC 9112
 * §6.3 item 5, RFC 9110 §8.6). */
static httpmsg_err cl_byte(httpmsg_parser *p, unsigned char c)
{
    if (IS_DIGIT_(c)) {
        if (p->sub_ == L_AFTER)
            return HTTPMSG_ERR_BAD_CONTENT_LENGTH;
        if (p->sub_ != L_TOKEN) {
            p->sub_ = L_TOKEN;
            p->num_ = 0;
        }
        if (p->num_ > (UINT64_MAX - 1 - (c - '0')) / 10) /* UINT64_MAX means "none" */
            return HTTPMSG_ERR_BAD_CONTENT_LENGTH;
        p->num_ = p->num_ * 10 + (c - '0');
        return HTTPMSG_OK;
    }
    if (is_ws((char)c)) {
        if (p->sub_ == L_TOKEN)
            p->sub_ = L_AFTER;
        return HTTPMSG_OK;
    }
    if (c == ',' && (p->sub_ == L_TOKEN || p->sub_ == L_AFTER)) {
        if (!(p->flags_ & HTTPMSG_LENIENT_DUP_CONTENT_LENGTH))
            return HTTPMSG_ERR_MULTIPLE_CONTENT_LENGTH;
        p->sub_ = L_COMMA;
        return cl_commit(p);
    }
    return HTTPMSG_ERR_BAD_CONTENT_LENGTH;
}

static int te_registered(const char *s, size_t n)
{
    return ci_eq(s, n, "gzip") || ci_eq(s, n, "x-gzip") || ci_eq(s, n, "deflate") || ci_eq(s, n, "compress") ||
           ci_eq(s, n, "x-compress");
}

/* A transfer coding name is complete (RFC 9112 §6.1, §7). */
static httpmsg_err te_commit(httpmsg_parser *p, int has_params)
{
    int long_tok = (p->bits_ & B_TOK_LONG) != 0;
    if (!long_tok && ci_eq(p->tok_, p->tok_len_, "chunked")) {
        if ((p->bits_ & B_TE_CHUNKED_SEEN) || has_params)
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        p->bits_ |= B_TE_CHUNKED | B_TE_CHUNKED_SEEN;
    } else {
        p->bits_ &= ~B_TE_CHUNKED;
        p->bits_ |= (!long_tok && te_registered(p->tok_, p->tok_len_)) ? B_TE_OTHER : B_TE_UNKNOWN;
    }
    tok_clear(p);
    return HTTPMSG_OK;
}

/* Transfer-Encoding = #( token *( OWS ";" OWS token BWS "=" BWS ( token /
 * quoted-string ) ) ); empty list elements are skipped. */
static httpmsg_err te_byte(httpmsg_parser *p, unsigned char c)
{
    switch (p->sub_) {
    case L_START:
    case L_COMMA:
        if (cls[c] & C_TCHAR) {
            p->sub_ = L_TOKEN;
            tok_add(p, (const char *)&c, 1, 1);
        } else if (!is_ws((char)c) && c != ',')
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        return HTTPMSG_OK;
    case L_TOKEN:
        if (cls[c] & C_TCHAR) {
            tok_add(p, (const char *)&c, 1, 1);
            return HTTPMSG_OK;
        }
        /* fallthrough */
    case L_AFTER:
        if (is_ws((char)c)) {
            p->sub_ = L_AFTER;
            return HTTPMSG_OK;
        }
        if (c == ',') {
            p->sub_ = L_COMMA;
            return te_commit(p, 0);
        }
        if (c == ';') {
            p->sub_ = L_PARAMS;
            return te_commit(p, 1);
        }
        return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
    /* transfer-parameter = token BWS "=" BWS ( token / quoted-string ),
     * after OWS ";" OWS (RFC 9112 §7): one is required after each ';' */
    case L_PARAMS: /* after ';' */
        if (cls[c] & C_TCHAR)
            p->sub_ = L_PNAME;
        else if (!is_ws((char)c))
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        return HTTPMSG_OK;
    case L_PNAME:
        if (cls[c] & C_TCHAR)
            return HTTPMSG_OK;
        /* fallthrough */
    case L_PNAME_WS:
        if (is_ws((char)c))
            p->sub_ = L_PNAME_WS;
        else if (c == '=')
            p->sub_ = L_PEQ;
        else
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        return HTTPMSG_OK;
    case L_PEQ: /* after '=' */
        if (c == '"')
            p->sub_ = L_QUOTED;
        else if (cls[c] & C_TCHAR)
            p->sub_ = L_PVAL;
        else if (!is_ws((char)c))
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        return HTTPMSG_OK;
    case L_QUOTED:
        if (c == '"')
            p->sub_ = L_PAFTER;
        else if (c == '\\')
            p->sub_ = L_QESC;
        else if (!(cls[c] & C_QD))
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        return HTTPMSG_OK;
    case L_QESC:
        if (!(cls[c] & (C_QD | C_WS)) && c != '"' && c != '\\')
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        p->sub_ = L_QUOTED;
        return HTTPMSG_OK;
    default: /* L_PVAL, L_PAFTER: a parameter is complete */
        if (p->sub_ == L_PVAL && (cls[c] & C_TCHAR))
            return HTTPMSG_OK;
        if (is_ws((char)c))
            p->sub_ = L_PAFTER;
        else if (c == ';')
            p->sub_ = L_PARAMS;
        else if (c == ',')
            p->sub_ = L_COMMA;
        else
            return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
        return HTTPMSG_OK;
    }
}

/* A Connection option (RFC 9110 §7.6.1) the parser acts on. */
static void conn_option(httpmsg_parser *p, const char *s, size_t n)
{
    if (ci_eq(s, n, "close"))
        p->bits_ |= B_CONN_CLOSE;
    else if (ci_eq(s, n, "keep-alive"))
        p->bits_ |= B_CONN_KEEP;
    else if (ci_eq(s, n, "upgrade"))
        p->bits_ |= B_CONN_UPGRADE;
}

/* The Connection option assembled in tok_ is complete. */
static void conn_commit(httpmsg_parser *p)
{
    if (!(p->bits_ & B_TOK_LONG))
        conn_option(p, p->tok_, p->tok_len_);
    tok_clear(p);
}

/* A whole Connection value (trimmed), in one buffer and with nothing
 * assembled before it: its options at once, as sem_piece() and sem_end()
 * would find them, without copying the last one into tok_. */
static void conn_value(httpmsg_parser *p, const char *a, size_t n)
{
    size_t i = 0, j;
    if (ci_eq(a, n, "keep-alive")) { /* the usual values, alone */
        p->bits_ |= B_CONN_KEEP;
        return;
    }
    if (ci_eq(a, n, "close")) {
        p->bits_ |= B_CONN_CLOSE;
        return;
    }
    for (;;) { /* elements end at commas only; OWS around them is trimmed */
        size_t b = i, e;
        for (j = i; j < n && a[j] != ','; j++)
            ;
        for (e = j; e > b && is_ws(a[e - 1]); e--)
            ;
        while (b < e && is_ws(a[b]))
            b++;
        conn_option(p, a + b, e - b); /* one with whitespace inside is no option */
        if (j >= n)
            return;
        i = j + 1;
    }
}

/* The Expect member assembled in tok_ is complete. */
static void expect_commit(httpmsg_parser *p)
{
    if (!(p->bits_ & B_TOK_LONG) && ci_eq(p->tok_, p->tok_len_, "100-continue"))
        p->bits_ |= B_EXPECT_100;
    tok_clear(p);
}
/* A piece of an Expect value, #expectation (RFC 9110 §10.1.1), expectation
 * = token [ "=" ( token / quoted-string ) parameters ]: members end at
 * commas outside quoted strings; only a bare 100-continue counts, so a
 * member with a quote or a second word matches nothing.  sub_ as for
 * Connection, and L_QUOTED, L_QESC inside a quoted string. */
static void expect_piece(httpmsg_parser *p, const char *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (p->sub_ == L_QUOTED) {
            if (c == '"')
                p->sub_ = L_TOKEN;
            else if (c == '\\')
                p->sub_ = L_QESC;
        } else if (p->sub_ == L_QESC) {
            p->sub_ = L_QUOTED;
        } else if (c == ',') {
            expect_commit(p);
            p->sub_ = L_START;
        } else if (is_ws((char)c)) {
            if (p->sub_ == L_TOKEN)
                p->sub_ = L_AFTER;
        } else {
            if (p->sub_ == L_AFTER || c == '"')
                p->bits_ |= B_TOK_LONG;
            p->sub_ = c == '"' ? L_QUOTED : L_TOKEN;
            tok_add(p, a + i, 1, 0);
        }
    }
}

/* Feed a piece of a field value (as delivered: trimmed) to the semantics of
 * the field.  On error, *bad is the index of the offending byte. */
static httpmsg_err sem_piece_any(httpmsg_parser *p, const char *a, size_t n, size_t *bad)
{
    httpmsg_err e = HTTPMSG_OK;
    size_t i;
    switch (p->hdr_) {
    case H_CL:
        for (i = 0; i < n && e == HTTPMSG_OK; i++)
            e = cl_byte(p, (unsigned char)a[i]);
        break;
    case H_TE:
        for (i = 0; i < n && e == HTTPMSG_OK; i++)
            e = te_byte(p, (unsigned char)a[i]);
        break;
    case H_EXPECT:
        expect_piece(p, a, n);
        return HTTPMSG_OK;
    case H_CONN:
        /* #connection-option (RFC 9110 §7.6.1, §5.6.1): elements end at
         * commas only, with OWS around them; an element with whitespace
         * inside ("foo upgrade") is one malformed element, not two options.
         * sub_: L_START before an element's first byte, L_TOKEN in it,
         * L_AFTER in whitespace after it; tok_ holds its bytes. */
        for (i = 0; i < n;) {
            size_t j = i;
            if (a[i] == ',') {
                conn_commit(p);
                p->sub_ = L_START;
                i++;
                continue;
            }
            if (is_ws(a[i])) {
                if (p->sub_ == L_TOKEN)
                    p->sub_ = L_AFTER;
                i++;
                continue;
            }
            while (j < n && a[j] != ',' && !is_ws(a[j]))
                j++;
            if (p->sub_ == L_AFTER)
                p->bits_ |= B_TOK_LONG; /* a second word: matches no option */
            else
                tok_add(p, a + i, j - i, 0);
            p->sub_ = L_TOKEN;
            i = j;
        }
        return HTTPMSG_OK;
    case H_UPGRADE:
        p->bits_ |= B_UPGRADE_HDR;
        return HTTPMSG_OK;
    default:
        return HTTPMSG_OK;
    }
    *bad = i - 1;
    return e;
}

/* sem_piece_any(), the usual Content-Length (a run of at most 19 digits,
 * whole in one piece: no overflow to check, no state to keep byte by byte)
 * inline: for the field loop, where whole values are the rule (the states,
 * which take values in pieces, call sem_piece_any()). */
static inline httpmsg_err sem_piece(httpmsg_parser *p, const char *a, size_t n, size_t *bad)
{
    if (p->hdr_ == H_CL && p->sub_ == L_START && n - 1 < 19) {
        uint64_t x = 0;
        size_t i;
        for (i = 0; i < n && (unsigned char)a[i] - (unsigned)'0' <= 9; i++)
            x = x * 10 + (unsigned)((unsigned char)a[i] - '0');
        if (i == n) {
            p->sub_ = L_TOKEN;
            p->num_ = x;
            return HTTPMSG_OK;
        }
    }
    return sem_piece_any(p, a, n, bad);
}

/* The value of an interpreted field is complete. */
static httpmsg_err sem_end(httpmsg_parser *p)
{
    httpmsg_err e = HTTPMSG_OK;
    switch (p->hdr_) {
    case H_CL:
        if (p->sub_ != L_TOKEN && p->sub_ != L_AFTER)
            return HTTPMSG_ERR_BAD_CONTENT_LENGTH; /* empty, or ends in a comma */
        return cl_commit(p);
    case H_TE:
        p->bits_ |= B_HAVE_TE;
        if (p->sub_ == L_TOKEN || p->sub_ == L_AFTER)
            e = te_commit(p, 0);
        else if (p->sub_ != L_START && p->sub_ != L_COMMA && p->sub_ != L_PVAL && p->sub_ != L_PAFTER)
            e = HTTPMSG_ERR_BAD_TRANSFER_ENCODING; /* a parameter cut short */
        break;
    case H_CONN:
        conn_commit(p);
        break;
    case H_EXPECT:
        expect_commit(p);
        break;
    default:
        break;
    }
    tok_clear(p);
    return e;
}

/* ------------------------------------------------------------------------ */
/* Elements                                                                  */
/* ------------------------------------------------------------------------ */

/* Hand a piece of a field value to the caller. */
static inline httpmsg_err value_deliver(httpmsg_parser *p, const char *a, size_t n)
{
    const httpmsg_settings *cb = p->settings_;
    if (n == 0)
        return HTTPMSG_OK;
    p->bits_ |= B_VALUE_CONTENT;
    return call_data(p, (p->bits_ & B_TRAILERS) ? cb->on_trailer_value : cb->on_header_value, a, n);
}

/* Deliver a piece of a field value: semantics first, then the callback. */
static inline httpmsg_err value_piece(httpmsg_parser *p, const char *a, size_t n, size_t *bad)
{
    httpmsg_err e;
    if (n && p->hdr_ != H_OTHER && (e = sem_piece_any(p, a, n, bad)) != HTTPMSG_OK)
        return e;
    return value_deliver(p, a, n);
}

/* A field value is complete: interpret it, then tell the caller. */
static inline httpmsg_err value_done(httpmsg_parser *p)
{
    const httpmsg_settings *cb = p->settings_;
    p->bits_ &= ~(B_VALUE_OPEN | B_VALUE_CONTENT | B_FOLD | B_WS_LOST);
    if (p->hdr_ != H_OTHER) {
        httpmsg_err e = sem_end(p);
        p->hdr_ = H_OTHER;
        if (e != HTTPMSG_OK)
            return e;
    }
    return call(p, (p->bits_ & B_TRAILERS) ? cb->on_trailer_value_complete : cb->on_header_value_complete);
}

/* Hold back the whitespace [a, a+n) ending a buffer inside a field value.
 * The first 64 bytes are kept exactly, later ones only if they are all SP or
 * all HTAB; otherwise the run is marked lost, which fails only if the value
 * goes on after it (trailing whitespace is dropped anyway). */
static void ws_hold(httpmsg_parser *p, const char *a, size_t n)
{
    for (size_t i = 0; i < n; i++, p->ws_count_++) {
        int tab = a[i] == '\t';
        if (p->ws_count_ < 64) {
            if (tab)
                p->ws_mask_ |= (uint64_t)1 << p->ws_count_;
        } else if (p->ws_count_ == 64) {
            if (tab)
                p->bits_ |= B_WS_TAIL_TAB;
            else
                p->bits_ &= ~B_WS_TAIL_TAB;
        } else if (tab != ((p->bits_ & B_WS_TAIL_TAB) != 0)) {
            p->bits_ |= B_WS_LOST;
        }
    }
}

/* Deliver held-back whitespace, one run of equal bytes at a time, so that a
 * pause in between resumes with the rest still held. */
static httpmsg_err ws_release(httpmsg_parser *p)
{
    if (p->bits_ & B_WS_LOST)
        return HTTPMSG_ERR_WHITESPACE_RUN;
    while (p->ws_count_) {
        int tab = (int)(p->ws_mask_ & 1);
        uint64_t same = tab ? p->ws_mask_ : ~p->ws_mask_;
        unsigned lim = p->ws_count_ < 64 ? p->ws_count_ : 64, n = 0;
        size_t bad;
        httpmsg_err e;
        while (n < lim && ((same >> n) & 1))
            n++;
        if (n == 64 && p->ws_count_ > 64 && tab == ((p->bits_ & B_WS_TAIL_TAB) != 0))
            n = 64; /* the tail goes in later rounds */
        /* drop n bytes from the pattern; bytes after 64 move in */
        if (n >= 64)
            p->ws_mask_ = (p->bits_ & B_WS_TAIL_TAB) ? ~(uint64_t)0 : 0;
        else
            p->ws_mask_ = (p->ws_mask_ >> n) | ((p->bits_ & B_WS_TAIL_TAB) ? ~(uint64_t)0 << (64 - n) : 0);
        p->ws_count_ -= n;
        if (p->ws_count_ == 0)
            p->ws_mask_ = 0;
        e = value_piece(p, tab ? tab64 : sp64, n, &bad);
        if (e != HTTPMSG_OK)
            return e;
    }
    return HTTPMSG_OK;
}

/* A byte of a reg-name or IPv4address other than '%' (RFC 3986 §3.2.2):
 * unreserved or sub-delims. */
static int host_byte(unsigned char c)
{
    if (IS_ALPHA_(c) || IS_DIGIT_(c))
        return 1;
    switch (c) {
    case '-': case '.': case '_': case '~': /* unreserved */
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
        return 1;
    default:
        return 0;
    }
}

/* Request-target form (RFC 9112 §3.2) over a piece; `first` marks the
 * target's first piece.  Returns the index of an offending byte, or n.
 * CONNECT takes authority-form only: uri-host ":" port, the host a reg-name
 * or IPv4 address (unreserved, sub-delims and %XX escapes), or an IP
 * literal in brackets (the same and ':', which covers IPv6, IPvFuture and an
 * RFC 6874 zone), and the port 1*DIGIT (RFC 9110 §9.3.6: the port is never
 * left out). */
static size_t target_form(httpmsg_parser *p, const char *a, size_t n, int first)
{
    size_t i = 0;
    if (first) {
        unsigned char c = (unsigned char)a[0];
        if (p->method_ == HTTPMSG_METHOD_CONNECT) {
            if (c == '[')
                p->sub_ = TF_V6_OPEN;
            else if (c == '%')
                p->sub_ = TF_HOST_PCT1;
            else if (host_byte(c))
                p->sub_ = TF_HOST;
            else
                return 0;
            i = 1;
        } else if (c == '/') {
            p->sub_ = TF_DONE; /* origin-form: any VCHAR sequence the scan let through */
            return n;
        } else if (c == '*' && (p->method_ == HTTPMSG_METHOD_OPTIONS || p->method_ == HTTPMSG_METHOD_PRI)) {
            /* OPTIONS (RFC 9112 §3.2.4), and PRI, so that the HTTP/2 preface
             * "PRI * HTTP/2.0" reaches its version: 505; with an HTTP/1
             * version it is BAD_TARGET, which version_scan() reports */
            if (p->method_ == HTTPMSG_METHOD_PRI)
                p->bits_ |= B_PRI_STAR;
            p->sub_ = TF_STAR;
            i = 1;
        } else if (IS_ALPHA_(c)) {
            p->sub_ = TF_SCHEME;
            i = 1;
        } else {
            return 0;
        }
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        switch (p->sub_) {
        case TF_DONE: return n;
        case TF_STAR: return i; /* "*" stands alone */
        case TF_SCHEME:
            if (c == ':')
                p->sub_ = TF_DONE;
            else if (!IS_ALPHA_(c) && !IS_DIGIT_(c) && c != '+' && c != '-' && c != '.')
                return i;
            break;
        case TF_HOST:
            if (c == ':')
                p->sub_ = TF_PORT0;
            else if (c == '%')
                p->sub_ = TF_HOST_PCT1;
            else if (!host_byte(c))
                return i;
            break;
        case TF_HOST_PCT1: /* the two hex digits of %XX, then back */
        case TF_HOST_PCT2:
        case TF_V6_PCT1:
        case TF_V6_PCT2:
            if (!(cls[c] & C_HEX))
                return i;
            p->sub_ = p->sub_ == TF_HOST_PCT2 ? TF_HOST : p->sub_ == TF_V6_PCT2 ? TF_V6 : p->sub_ + 1;
            break;
        case TF_V6_OPEN:
        case TF_V6:
            if (c == ']') {
                if (p->sub_ == TF_V6_OPEN)
                    return i; /* "[]" holds no address */
                p->sub_ = TF_V6_END;
            } else if (c == '%') {
                p->sub_ = TF_V6_PCT1;
            } else if (c == ':' || host_byte(c)) {
                p->sub_ = TF_V6;
            } else {
                return i;
            }
            break;
        case TF_V6_END:
            if (c != ':')
                return i;
            p->sub_ = TF_PORT0;
            break;
        default: /* TF_PORT0, TF_PORT */
            if (!IS_DIGIT_(c))
                return i;
            p->sub_ = TF_PORT;
            break;
        }
    }
    return n;
}

/* A piece of the request-target: check its form unless the target flag is
 * set.  Returns the index of an offending byte, or n. */
static inline size_t target_piece(httpmsg_parser *p, const char *a, size_t n)
{
    if (n == 0)
        return 0;
    if (p->flags_ & HTTPMSG_LENIENT_TARGET) {
        if (p->sub_ == TF_FIRST)
            p->sub_ = TF_DONE;
        return n;
    }
    return target_form(p, a, n, p->sub_ == TF_FIRST);
}

/* The request-target is complete: is its form complete? */
static int target_form_ok(const httpmsg_parser *p)
{
    return p->sub_ == TF_DONE || p->sub_ == TF_STAR || p->sub_ == TF_PORT;
}

/* Chunk extension byte (RFC 9112 §7.1.1):
 *   chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
 * Returns 1 if the byte is valid, 0 if not. */
static int ext_byte(httpmsg_parser *p, unsigned char c)
{
    unsigned k = cls[c];
    switch (p->sub_) {
    case E_PRE: /* BWS before a ';' */
        if (c == ';')
            p->sub_ = E_SEMI;
        else if (!(k & C_WS))
            return 0;
        return 1;
    case E_SEMI:
        if (k & C_TCHAR)
            p->sub_ = E_NAME;
        else if (!(k & C_WS))
            return 0;
        return 1;
    case E_NAME:
        if (k & C_TCHAR)
            return 1;
        /* fallthrough */
    case E_NAME_WS:
        if (k & C_WS)
            p->sub_ = E_NAME_WS;
        else if (c == '=')
            p->sub_ = E_EQ;
        else if (c == ';')
            p->sub_ = E_SEMI;
        else
            return 0;
        return 1;
    case E_EQ:
        if (k & C_TCHAR)
            p->sub_ = E_TOKEN;
        else if (c == '"')
            p->sub_ = E_QUOTED;
        else if (!(k & C_WS))
            return 0;
        return 1;
    case E_TOKEN:
        if (k & C_TCHAR)
            return 1;
        /* fallthrough */
    case E_AFTER_VAL: /* after a value only BWS ";" may follow */
    case E_VAL_WS:
        if (k & C_WS)
            p->sub_ = E_VAL_WS;
        else if (c == ';')
            p->sub_ = E_SEMI;
        else
            return 0;
        return 1;
    case E_QUOTED:
        if (c == '"')
            p->sub_ = E_AFTER_VAL;
        else if (c == '\\')
            p->sub_ = E_QESC;
        else if (!(k & C_QD))
            return 0;
        return 1;
    default: /* E_QESC: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
        if (!(k & (C_QD | C_WS)) && c != '"' && c != '\\')
            return 0;
        p->sub_ = E_QUOTED;
        return 1;
    }
}

/* May a chunk extension end here (before CRLF)?  Not after whitespace:
 * BWS is allowed only before ';' and around '='. */
static int ext_can_end(const httpmsg_parser *p)
{
    return p->sub_ == E_NAME || p->sub_ == E_TOKEN || p->sub_ == E_AFTER_VAL;
}

/* ------------------------------------------------------------------------ */
/* Message boundaries                                                        */
/* ------------------------------------------------------------------------ */

static void message_reset(httpmsg_parser *p)
{
    p->bits_ &= B_BUSY | B_INTERIM_CLOSE; /* the latter: up to the final response */
    p->content_length_ = HTTPMSG_NO_LENGTH;
    p->remaining_ = 0;
    p->body_read_ = 0;
    p->num_ = 0;
    p->ws_mask_ = 0;
    p->ws_count_ = 0;
    p->status_ = 0;
    p->msg_type_ = p->type_ == HTTPMSG_BOTH ? 0 : p->type_;
    p->method_ = HTTPMSG_METHOD_NONE;
    p->major_ = p->minor_ = 0;
    p->body_ = HTTPMSG_BODY_NONE;
    p->hdr_ = H_OTHER;
    p->sub_ = 0;
    p->tok_len_ = 0;
    p->hosts_ = 0;
}

/* The head is complete: decide the framing (RFC 9112 §6.3) and the
 * connection's fate (§9.3). */
static httpmsg_err head_complete(httpmsg_parser *p)
{
    uint32_t b = p->bits_;
    int v11 = p->major_ == 1 && p->minor_ >= 1;
    int ka = v11 ? !(b & B_CONN_CLOSE) : ((b & B_CONN_KEEP) && !(b & B_CONN_CLOSE));

    p->bits_ &= ~B_INTERIM_CLOSE; /* kept in b; set again below for an interim */

    if (p->msg_type_ == HTTPMSG_REQUEST) {
        /* A CONNECT request has no content (RFC 9110 §9.3.6): the bytes after
         * its head are the tunnel's, or the next request's if the server
         * declines.  A peer that framed a body by these fields would read
         * them otherwise. */
        if (p->method_ == HTTPMSG_METHOD_CONNECT && ((b & B_HAVE_TE) || ((b & B_HAVE_CL) && p->content_length_)))
            return HTTPMSG_ERR_CONNECT_WITH_CONTENT;
        if (b & B_HAVE_TE) {
            if (!v11)
                return HTTPMSG_ERR_TE_IN_HTTP10; /* §6.1: faulty framing */
            if (!(b & B_TE_CHUNKED)) /* §6.3 item 4: 400, a MUST, before the 501 of §6.1 */
                return HTTPMSG_ERR_BAD_TRANSFER_ENCODING;
            if (b & B_TE_UNKNOWN)
                return HTTPMSG_ERR_UNKNOWN_TRANSFER_ENCODING;
            if ((b & B_TE_OTHER) && !(p->flags_ & HTTPMSG_LENIENT_TRANSFER_CODINGS))
                return HTTPMSG_ERR_UNKNOWN_TRANSFER_ENCODING;
            if (b & B_HAVE_CL) {
                if (!(p->flags_ & HTTPMSG_LENIENT_TE_WITH_CL))
                    return HTTPMSG_ERR_TE_WITH_CONTENT_LENGTH;
                p->content_length_ = HTTPMSG_NO_LENGTH;
                ka = 0;
            }
            p->body_ = HTTPMSG_BODY_CHUNKED;
        } else if (b & B_HAVE_CL) {
            p->body_ = HTTPMSG_BODY_LENGTH;
        }
        if (p->method_ == HTTPMSG_METHOD_CONNECT) {
            p->bits_ |= B_UPGRADE;
            p->body_ = HTTPMSG_BODY_NONE;
        } else if (v11 && (b & B_UPGRADE_HDR) && (b & B_CONN_UPGRADE)) {
            p->bits_ |= B_UPGRADE;
        }
    } else {
        int st = p->status_;
        /* Whatever the status, the connection ends after a response with
         * "close" (§9.6), an HTTP/1.0 one with Transfer-Encoding (faulty
         * framing, §6.1), or one that follows such an interim response:
         * the final response still comes (RFC 9110 §15.2), then the end. */
        int ends = (b & (B_CONN_CLOSE | B_INTERIM_CLOSE)) || ((b & B_HAVE_TE) && !v11);
        if (ends)
            ka = 0;
        if (ends && st < 200 && st != 101)
            p->bits_ |= B_INTERIM_CLOSE; /* passed on to the final response */
        if (st < 200 || st == 204 || st == 304) {
            if (st == 101)
                p->bits_ |= B_UPGRADE;
        } else if (b & B_HAVE_TE) {
            if (!v11 || !(b & B_TE_CHUNKED)) {
                p->body_ = HTTPMSG_BODY_EOF; /* §6.1, §6.3 item 3 */
            } else {
                p->body_ = HTTPMSG_BODY_CHUNKED;
            }
            if (b & B_HAVE_CL) {
                p->content_length_ = HTTPMSG_NO_LENGTH;
                ka = 0;
            }
        } else if (b & B_HAVE_CL) {
            p->body_ = HTTPMSG_BODY_LENGTH;
        } else {
            p->body_ = HTTPMSG_BODY_EOF;
        }
        if (p->body_ == HTTPMSG_BODY_EOF) {
            /* read until close, unless the response has no body after all
             * (it answers HEAD or CONNECT: on_headers_complete says so) */
            if (ka)
                p->bits_ |= B_KA_NO_BODY;
            ka = 0;
        }
    }
    /* A response's limit is checked after on_headers_complete, which may
     * say it has no body (an answer to HEAD or CONNECT, RFC 9112 §6.3). */
    if (p->msg_type_ == HTTPMSG_REQUEST && p->body_ == HTTPMSG_BODY_LENGTH && p->content_length_ > p->max_body_)
        return HTTPMSG_ERR_BODY_TOO_LARGE;
    if (p->body_ == HTTPMSG_BODY_CHUNKED)
        p->num_ = 0; /* no chunk yet (it held an ignored Content-Length) */
    if (ka)
        p->bits_ |= B_KEEP_ALIVE;
    return HTTPMSG_OK;
}

/* Whether on_headers_complete may return ret (not HTTPMSG_CB_OK): PAUSE,
 * and SKIP_BODY or UPGRADE but not both.  Neither of the two for a request
 * with content: its head alone frames it (RFC 9112 §6.3), so skipping the
 * content would parse it as the next request, and an upgrade waits for it
 * (RFC 9110 §7.8). */
static int head_ret_ok(const httpmsg_parser *p, int ret)
{
    const int alt = ret & (HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE);
    if (ret < 0 || (ret & ~(HTTPMSG_CB_PAUSE | HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE)) ||
        alt == (HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE))
        return 0;
    return !alt || p->msg_type_ != HTTPMSG_REQUEST || p->body_ == HTTPMSG_BODY_NONE ||
           (p->body_ == HTTPMSG_BODY_LENGTH && p->content_length_ == 0);
}

/* Body bytes the limit still allows this message: 0, not a wrapped count,
 * when httpmsg_set_max_body() lowered it below what was already read. */
static inline uint64_t body_room(const httpmsg_parser *p)
{
    return p->max_body_ > p->body_read_ ? p->max_body_ - p->body_read_ : 0;
}

/* The error for a chunk size past body_room(): the limit's, or with no
 * limit (the sizes add up past 2^64 - 1, which no count holds) the size's. */
static httpmsg_err chunk_size_error(const httpmsg_parser *p)
{
    return p->max_body_ == HTTPMSG_NO_LENGTH ? HTTPMSG_ERR_BAD_CHUNK_SIZE : HTTPMSG_ERR_BODY_TOO_LARGE;
}

/* The state after a body of this kind begins. */
static unsigned body_state(httpmsg_parser *p)
{
    switch (p->body_) {
    case HTTPMSG_BODY_LENGTH:
        p->remaining_ = p->content_length_;
        return p->remaining_ ? S_BODY_LENGTH : S_MSG_DONE;
    case HTTPMSG_BODY_CHUNKED: return S_CHUNK_SIZE;
    case HTTPMSG_BODY_EOF: return S_BODY_EOF;
    default: return S_MSG_DONE;
    }
}

/* After a final message that is not an upgrade, or one declined: more
 * messages, unless this one ended the connection (RFC 9112 §9.6). */
static unsigned after_final(const httpmsg_parser *p)
{
    if (!(p->bits_ & B_KEEP_ALIVE) && !(p->flags_ & HTTPMSG_LENIENT_DATA_AFTER_CLOSE))
        return S_CLOSED;
    return S_START;
}

/* Where the stream goes after this message. */
static unsigned after_message(const httpmsg_parser *p)
{
    if (p->bits_ & B_UPGRADE)
        return S_UPGRADED;
    if (p->msg_type_ == HTTPMSG_RESPONSE && p->status_ < 200)
        return S_START; /* interim response: the final one follows */
    return after_final(p);
}

/* Which error an overrun of the head limit is, by where it happened. */
static httpmsg_err limit_error(const httpmsg_parser *p, unsigned st)
{
    if (st == S_LF)
        st = p->next_;
    if (st >= S_CHUNK_SIZE && st <= S_CHUNK_HEADER)
        return HTTPMSG_ERR_CHUNK_EXTENSION_TOO_LONG;
    if (p->msg_type_ == HTTPMSG_REQUEST && st >= S_METHOD && st <= S_VERSION_DONE)
        return HTTPMSG_ERR_URI_TOO_LONG;
    if (st == S_DETECT && p->type_ == HTTPMSG_BOTH)
        return HTTPMSG_ERR_URI_TOO_LONG;
    return HTTPMSG_ERR_HEAD_TOO_LARGE;
}

/* HTTP-version = "HTTP/" DIGIT "." DIGIT (§2.3), from *ps; p->sub_ counts
 * the bytes matched so far.  Returns 1 when complete, 0 when lim is reached
 * first, -1 on error (*ps at the offending byte, *err set).  A major version
 * other than 1 is well-formed but not ours: HTTPMSG_ERR_VERSION_NOT_SUPPORTED
 * (505), reported at the minor digit, where the version is known to be
 * well-formed (`HTTP/01.1` and `HTTP/2x` are BAD_VERSION, 400).  There too
 * a request "PRI * HTTP/1.x" is known to be no HTTP/2 preface: its target,
 * whose asterisk form belongs to OPTIONS, is BAD_TARGET. */
static inline int version_scan(httpmsg_parser *p, const char **ps, const char *lim, httpmsg_err *err)
{
    const char *s = *ps;
    for (; p->sub_ < 8; p->sub_++, s++) {
        unsigned char c;
        if (s == lim) {
            *ps = s;
            return 0;
        }
        c = (unsigned char)*s;
        if (p->sub_ < 5 ? c != (unsigned char)"HTTP/"[p->sub_] : p->sub_ == 6 ? c != '.' : !IS_DIGIT_(c)) {
            *err = HTTPMSG_ERR_BAD_VERSION;
            *ps = s;
            return -1;
        }
        if (p->sub_ == 5) {
            p->major_ = (uint8_t)(c - '0');
        } else if (p->sub_ == 7) {
            p->minor_ = (uint8_t)(c - '0');
            if (p->major_ != 1 || UNLIKELY(p->bits_ & B_PRI_STAR)) {
                *err = p->major_ != 1 ? HTTPMSG_ERR_VERSION_NOT_SUPPORTED : HTTPMSG_ERR_BAD_TARGET;
                *ps = s;
                return -1;
            }
        }
    }
    *ps = s;
    return 1;
}

/* Line end at *ps, which holds CR or LF.  Returns 1 when the line ended
 * (*ps past it), 0 when a CR is the last byte before lim (*ps past it, an LF
 * must follow), -1 on error (*ps at the offending byte, *err set). */
static inline int eol(const char **ps, const char *lim, uint32_t fl, httpmsg_err *err)
{
    const char *s = *ps;
    if (*s == '\r') {
        if (s + 1 == lim) {
            *ps = s + 1;
            return 0;
        }
        if (s[1] == '\n') {
            *ps = s + 2;
            return 1;
        }
        *ps = s + 1;
        *err = HTTPMSG_ERR_BARE_CR;
        return -1;
    }
    if (fl & HTTPMSG_LENIENT_BARE_LF) {
        *ps = s + 1;
        return 1;
    }
    *err = HTTPMSG_ERR_BARE_LF;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* The main loop, once per scanning implementation                          */
/* ------------------------------------------------------------------------ */

#include "scan.h"

/* What the field loop returns (in two registers on x86-64 and aarch64):
 * where to go on (s), in which state (st), and the result (rc). */
struct fres {
    const char *s;
    httpmsg_err rc;
    unsigned st;
};
static inline struct fres fret(struct fres r, httpmsg_err rc)
{
    r.rc = rc;
    return r;
}

/* The field loop's stand-in for an unset data callback. */
static int no_data(httpmsg_parser *p, const char *at, size_t n)
{
    (void)p;
    (void)at;
    (void)n;
    return HTTPMSG_CB_OK;
}

typedef httpmsg_err (*loop_fn)(httpmsg_parser *, const char *, size_t, size_t *);

#define LOOP_FN loop_scalar
#define LOOP_ATTR
#define SCAN_TOKEN scan_token_scalar
#define SCAN_TARGET scan_target_scalar
#define SCAN_VALUE scan_value_scalar
#include "loop.h"

#ifdef HTTPMSG_HAVE_X86_
#define LOOP_FN loop_sse42
#define LOOP_ATTR SSE_ATTR_
#define SCAN_TOKEN scan_token_sse
#define SCAN_TARGET scan_range_sse
#define SCAN_VALUE scan_range_sse
#define BLOCK_FILL blk_fill_sse
#include "loop.h"

#define LOOP_FN loop_avx2
#define LOOP_ATTR AVX2_ATTR_
#define SCAN_TOKEN scan_token_avx2
#define SCAN_TARGET scan_range_avx2
#define SCAN_VALUE scan_range_avx2
#define BLOCK_FILL blk_fill_avx2
#include "loop.h"

#define LOOP_FN loop_avx512
#define LOOP_ATTR AVX512_ATTR_
#define SCAN_TOKEN scan_token_avx512
#define SCAN_TARGET scan_cls_avx512
#define SCAN_VALUE scan_cls_avx512
#define BLOCK_FILL blk_fill_avx512
#include "loop.h"

static int have_sse42(void) { return __builtin_cpu_supports("sse4.2"); }
static int have_avx2(void) { return __builtin_cpu_supports("avx2"); }
static int have_avx512(void)
{
    return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
}
#endif

#ifdef HTTPMSG_HAVE_NEON_
#define LOOP_FN loop_neon
#define LOOP_ATTR
#define SCAN_TOKEN scan_token_neon
#define SCAN_TARGET scan_range_neon
#define SCAN_VALUE scan_range_neon
#define BLOCK_FILL blk_fill_neon
#include "loop.h"
#endif

static int always(void) { return 1; }

/* Scanning implementations, slowest first; the last one the CPU supports is
 * the default. */
static const struct impl {
    const char *name;
    loop_fn fn;
    int (*supported)(void);
} impls[] = {
    {"scalar", loop_scalar, always},
#ifdef HTTPMSG_HAVE_X86_
    {"sse4.2", loop_sse42, have_sse42},
    {"avx2", loop_avx2, have_avx2},
    {"avx512", loop_avx512, have_avx512},
#endif
#ifdef HTTPMSG_HAVE_NEON_
    {"neon", loop_neon, always},
#endif
};
#define NIMPLS (sizeof impls / sizeof *impls)

static int find_impl(const char *name)
{
    for (unsigned i = 0; name && i < NIMPLS; i++)
        if (strcmp(impls[i].name, name) == 0 && impls[i].supported())
            return (int)i;
    return -1;
}

/* The implementation a new parser gets: $HTTPMSG_IMPL if it names one this
 * CPU runs, else the build's HTTPMSG_DEFAULT_IMPL if set and runnable, else
 * the fastest the CPU runs.  Reads only constants and the environment. */
static unsigned choose_impl(void)
{
    int i = find_impl(getenv("HTTPMSG_IMPL"));
#ifdef HTTPMSG_DEFAULT_IMPL
    if (i < 0)
        i = find_impl(HTTPMSG_DEFAULT_IMPL);
#endif
    for (unsigned k = NIMPLS; i < 0 && k-- > 0;)
        if (impls[k].supported())
            i = (int)k;
    return (unsigned)i;
}

/* choose_impl(), once per process: reading the environment on every
 * httpmsg_init() costs a parser that lives for one short message more than
 * the parse (microseconds when the environment is out of cache).  The cache
 * holds the choice plus one, 0 before the first call; every thread computes
 * the same value, so threads racing on the first calls store the same byte,
 * and no caller can tell it is there. */
static unsigned pick_impl(void)
{
    static atomic_uchar chosen;
    unsigned c = atomic_load_explicit(&chosen, memory_order_relaxed);
    if (!c) {
        c = choose_impl() + 1;
        atomic_store_explicit(&chosen, (unsigned char)c, memory_order_relaxed);
    }
    return c - 1;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

static int usable(const httpmsg_parser *p)
{
    return p && p->state_ != S_UNINIT && p->state_ <= S_DEAD && p->type_ >= HTTPMSG_REQUEST &&
           p->type_ <= HTTPMSG_BOTH;
}

static void head_begin(httpmsg_parser *p)
{
    p->head_left_ = p->max_head_;
}

httpmsg_err httpmsg_init(httpmsg_parser *p, httpmsg_type type, const httpmsg_settings *settings)
{
    static const httpmsg_settings none;
    if (!p || type < HTTPMSG_REQUEST || type > HTTPMSG_BOTH)
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    memset(p, 0, sizeof *p);
    p->settings_ = settings ? settings : &none;
    p->type_ = (uint8_t)type;
    p->max_head_ = HTTPMSG_DEFAULT_MAX_HEAD;
    p->max_body_ = HTTPMSG_NO_LENGTH;
    p->impl_ = (uint8_t)pick_impl();
    httpmsg_reset(p);
    return HTTPMSG_OK;
}

void httpmsg_reset(httpmsg_parser *p)
{
    if (!usable(p) && !(p && p->type_ && p->state_ == S_UNINIT && p->settings_))
        return;
    if (p->bits_ & B_BUSY)
        return;
    message_reset(p);
    p->bits_ &= ~B_INTERIM_CLOSE;
    p->state_ = S_START;
    p->err_ = HTTPMSG_OK;
    p->nread_ = 0;
    p->err_offset_ = 0;
    p->user_err_ = 0;
    p->next_ = 0;
    head_begin(p);
}

httpmsg_err httpmsg_set_flags(httpmsg_parser *p, uint32_t flags)
{
    /* not from a callback: the loop reads the flags once per call */
    if (!usable(p) || (p->bits_ & B_BUSY) || (flags & ~(uint32_t)HTTPMSG_LENIENT_ALL_))
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    p->flags_ = flags;
    return HTTPMSG_OK;
}

uint32_t httpmsg_get_flags(const httpmsg_parser *p) { return usable(p) ? p->flags_ : 0; }

httpmsg_err httpmsg_set_max_head(httpmsg_parser *p, size_t max_head)
{
    /* not from a callback: the loop keeps the head's end and its count of
     * bytes left in locals for the whole call */
    if (!usable(p) || (p->bits_ & B_BUSY) || max_head < 16 || max_head > ((size_t)1 << 31))
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    /* the head under way keeps the bytes it used */
    uint32_t used = p->max_head_ - p->head_left_;
    p->max_head_ = (uint32_t)max_head;
    p->head_left_ = used >= p->max_head_ ? 0 : p->max_head_ - used;
    return HTTPMSG_OK;
}

httpmsg_err httpmsg_set_max_body(httpmsg_parser *p, uint64_t max_body)
{
    if (!usable(p))
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    p->max_body_ = max_body;
    return HTTPMSG_OK;
}

/* The loop for a caller that passed no `used`: apart, so that
 * httpmsg_execute() takes the address of no local of its own. */
static __attribute__((noinline)) httpmsg_err execute_unused(httpmsg_parser *p, const char *data, size_t len)
{
    size_t n;
    return impls[p->impl_].fn(p, data, len, &n);
}

/* A piece wholly inside the body or chunk: no need for the loop.  Called
 * with B_BUSY set, which it clears. */
static __attribute__((noinline)) httpmsg_err execute_body(httpmsg_parser *p, const char *data, size_t len,
                                                          size_t *used)
{
    httpmsg_err e;
    p->remaining_ -= len;
    if (p->state_ == S_BODY_LENGTH)
        p->body_read_ += len;
    e = call_data(p, p->settings_->on_body, data, len);
    p->nread_ += len; /* after the callback, as the loop counts */
    p->bits_ &= ~B_BUSY;
    if (e == HTTPMSG_ERR_USER) {
        p->err_offset_ = p->nread_;
        p->state_ = S_DEAD;
    }
    p->err_ = (uint8_t)e;
    if (used)
        *used = len;
    return e;
}

/* Where a call with no bytes points the loop (its own data may be NULL). */
static const char nothing[1];

httpmsg_err httpmsg_execute(httpmsg_parser *p, const char *data, size_t len, size_t *used)
{
    if (used)
        *used = 0;
    if (UNLIKELY(!usable(p) || (!data && len) || (p->bits_ & B_BUSY)))
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    if (UNLIKELY(p->err_ != HTTPMSG_OK))
        return (httpmsg_err)p->err_;
    p->bits_ |= B_BUSY;
    if (UNLIKELY(len == 0)) {
        /* no bytes, but what needs none runs: after a pause, the calls up
         * to the next byte needed (a bodiless message's completion, an
         * upgrade's HTTPMSG_UPGRADE), as httpmsg_finish() makes them too */
        if (!used)
            return execute_unused(p, nothing, 0);
        return impls[p->impl_].fn(p, nothing, 0, used);
    }
    if ((p->state_ == S_BODY_LENGTH || p->state_ == S_CHUNK_DATA) && len < p->remaining_)
        return execute_body(p, data, len, used);
    /* the loop clears B_BUSY and sets *used as it returns: a tail call */
    if (UNLIKELY(!used))
        return execute_unused(p, data, len);
    return impls[p->impl_].fn(p, data, len, used);
}

httpmsg_err httpmsg_finish(httpmsg_parser *p)
{
    httpmsg_err e;
    size_t used;
    if (!usable(p) || (p->bits_ & B_BUSY))
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    if (p->err_ != HTTPMSG_OK)
        return (httpmsg_err)p->err_;
    /* first make the calls that need no more bytes (e.g. a message complete
     * after a pause in its last body piece) */
    p->bits_ |= B_BUSY;
    e = impls[p->impl_].fn(p, nothing, 0, &used);
    p->bits_ |= B_BUSY; /* which the loop cleared */
    if (e == HTTPMSG_OK && p->state_ == S_BODY_EOF) {
        p->state_ = S_FINISHED;
        e = call(p, p->settings_->on_message_complete);
        if (e == HTTPMSG_ERR_USER) {
            p->err_offset_ = p->nread_;
            p->state_ = S_DEAD;
        }
        p->err_ = (uint8_t)e;
    }
    p->bits_ &= ~B_BUSY;
    if (e != HTTPMSG_OK)
        return e;
    switch (p->state_) {
    case S_CLOSED:
        if (p->sub_) /* a CR without its LF */
            goto incomplete;
        /* fallthrough */
    case S_START:
    case S_FINISHED:
        p->state_ = S_FINISHED;
        return HTTPMSG_OK;
    default:
    incomplete:
        p->err_ = HTTPMSG_ERR_INCOMPLETE;
        p->err_offset_ = p->nread_;
        p->state_ = S_DEAD;
        return HTTPMSG_ERR_INCOMPLETE;
    }
}

httpmsg_err httpmsg_resume(httpmsg_parser *p)
{
    if (!usable(p))
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    if (p->err_ == HTTPMSG_PAUSED) {
        p->err_ = HTTPMSG_OK;
    } else if (p->err_ == HTTPMSG_UPGRADE) { /* declined: HTTP goes on, if the connection does */
        p->err_ = HTTPMSG_OK;
        p->state_ = (uint8_t)after_final(p);
        if (p->state_ == S_START)
            head_begin(p);
        else
            p->sub_ = 0; /* S_CLOSED: no CR pending */
    }
    return (httpmsg_err)p->err_;
}

/* Accessors: see httpmsg.h */
httpmsg_err httpmsg_get_error(const httpmsg_parser *p)
{
    return usable(p) ? (httpmsg_err)p->err_ : HTTPMSG_ERR_INVALID_ARGUMENT;
}
uint64_t httpmsg_error_offset(const httpmsg_parser *p) { return p ? p->err_offset_ : 0; }
int httpmsg_user_error(const httpmsg_parser *p) { return p && p->err_ == HTTPMSG_ERR_USER ? p->user_err_ : 0; }
uint64_t httpmsg_bytes_consumed(const httpmsg_parser *p) { return p ? p->nread_ : 0; }
httpmsg_type httpmsg_message_type(const httpmsg_parser *p) { return p ? (httpmsg_type)p->msg_type_ : (httpmsg_type)0; }
httpmsg_method httpmsg_get_method(const httpmsg_parser *p) { return p ? (httpmsg_method)p->method_ : HTTPMSG_METHOD_NONE; }
int httpmsg_status(const httpmsg_parser *p) { return p ? p->status_ : 0; }
int httpmsg_http_major(const httpmsg_parser *p) { return p ? p->major_ : 0; }
int httpmsg_http_minor(const httpmsg_parser *p) { return p ? p->minor_ : 0; }
httpmsg_body httpmsg_body_kind(const httpmsg_parser *p) { return p ? (httpmsg_body)p->body_ : HTTPMSG_BODY_NONE; }
uint64_t httpmsg_content_length(const httpmsg_parser *p) { return p ? p->content_length_ : HTTPMSG_NO_LENGTH; }
int httpmsg_is_chunked(const httpmsg_parser *p) { return p && p->body_ == HTTPMSG_BODY_CHUNKED; }
int httpmsg_should_keep_alive(const httpmsg_parser *p) { return p && (p->bits_ & B_KEEP_ALIVE) != 0; }
int httpmsg_is_upgrade(const httpmsg_parser *p) { return p && (p->bits_ & B_UPGRADE) != 0; }
int httpmsg_expect_continue(const httpmsg_parser *p)
{
    return p && (p->bits_ & B_EXPECT_100) && p->msg_type_ == HTTPMSG_REQUEST && p->major_ == 1 && p->minor_ >= 1;
}
int httpmsg_host_count(const httpmsg_parser *p) { return p ? p->hosts_ : 0; }
uint64_t httpmsg_chunk_size(const httpmsg_parser *p) { return p && p->body_ == HTTPMSG_BODY_CHUNKED ? p->num_ : 0; }
const char *httpmsg_impl_name(const httpmsg_parser *p) { return impls[usable(p) ? p->impl_ : pick_impl()].name; }

httpmsg_err httpmsg_set_impl(httpmsg_parser *p, const char *name)
{
    int i = find_impl(name);
    if (!usable(p) || i < 0 || (p->bits_ & B_BUSY))
        return HTTPMSG_ERR_INVALID_ARGUMENT;
    p->impl_ = (uint8_t)i;
    return HTTPMSG_OK;
}
