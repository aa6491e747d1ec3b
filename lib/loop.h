/*
 * loop.h - the parser's main loop.  Included by parser.c once per scanning
 * implementation, with these defined:
 *   LOOP_FN                the function's name
 *   LOOP_ATTR              attributes (e.g. a target ISA), may be empty
 *   SCAN_TOKEN(s, e)       first byte in [s, e) that is not a tchar, or e
 *   SCAN_TARGET(s, e, m)   first byte not in class m (C_TARGET or C_TARGETL)
 *   SCAN_VALUE(s, e, m)    first byte not in class m (C_VALUE or C_VALUEL)
 *   BLOCK_FILL(b, ...)     (optional) classify 64 bytes at once (scan.h)
 * and undefines them all at its end, ready for the next instantiation.
 *
 * Conventions: `s` is the next byte to consume; `mark` the start of the open
 * element in this buffer; head states scan up to `hend` (the head limit or
 * the end of data, whichever is first).  Before any callback, `st` is set to
 * the state to resume in and `s` to the resume position, so that a pause
 * (goto stop) resumes exactly there.  Parse errors go to `error` with `s` at
 * the offending byte.
 */

#define FIELDS_NAME2_(f, k) f##_fields##k
#define FIELDS_NAME_(f, k) FIELDS_NAME2_(f, k)
#define FIELDS_BODY FIELDS_NAME_(LOOP_FN, _body)
#define FIELDS_FN FIELDS_NAME_(LOOP_FN, )
#define FIELDS_HDR FIELDS_NAME_(LOOP_FN, _hdr)
#define FIELDS_HDRD FIELDS_NAME_(LOOP_FN, _hdrd)

#ifdef BLOCK_FILL
#define BLK_NEXT2_(f) f##_blk_next
#define BLK_NEXT_(f) BLK_NEXT2_(f)
#define BLK_NEXT BLK_NEXT_(LOOP_FN)
#define BLK_MORE2_(f) f##_blk_more
#define BLK_MORE_(f) BLK_MORE2_(f)
#define BLK_MORE BLK_MORE_(LOOP_FN)
#define BLK_LAST2_(f) f##_blk_last
#define BLK_LAST_(f) BLK_LAST2_(f)
#define BLK_LAST BLK_LAST_(LOOP_FN)
#define BLK_START2_(f) f##_blk_start
#define BLK_START_(f) BLK_START2_(f)
#define BLK_START BLK_START_(LOOP_FN)
/* The first byte at or after pos (pos <= lim; in the window or later ones)
 * whose bit is set in nt (`value` 0) or bv (`value` 1), or lim.  A short
 * last window's padding bits start at lim, so a search ending there needs
 * no check of its own.  BLK_MORE, out of line so that the loop around the
 * search carries nothing of it, goes on in the next windows; BLK_LAST
 * classifies the buffer's last, shorter one (apart, so that BLK_MORE makes
 * no call it must save registers for). */
/* The first window, out of line too: the field loop then holds no vector
 * register, and needs no vzeroupper before each of its callbacks. */
static LOOP_ATTR __attribute__((noinline)) void BLK_START(struct blk *b, const char *pos, const char *lim,
                                                         const char *lo, uint8_t vm)
{
    BLOCK_FILL(b, pos, lim, lo, vm);
}
static LOOP_ATTR __attribute__((noinline)) const char *BLK_LAST(struct blk *b, const char *pos, const char *lim,
                                                               const char *lo, int value, uint8_t vm)
{
    BLOCK_FILL(b, pos, lim, lo, vm);
    /* the window may start before pos; its padding bit at lim makes this
     * non-zero */
    return pos + ctz64((value ? b->bv : b->nt) >> (size_t)(pos - b->base));
}
static LOOP_ATTR __attribute__((noinline)) const char *BLK_MORE(struct blk *b, const char *pos, const char *lim,
                                                               const char *lo, int value, uint8_t vm)
{
    for (;;) {
        size_t off = (size_t)(pos - b->base);
        if (off < 64) {
            uint64_t m = (value ? b->bv : b->nt) >> off;
            if (m)
                return pos + ctz64(m);
            pos = b->base + 64;
        }
        if (pos >= lim)
            return lim;
        if (lim - pos < 64)
            return BLK_LAST(b, pos, lim, lo, value, vm);
        BLOCK_FILL(b, pos, lim, lo, vm);
    }
}
static LOOP_ATTR inline const char *BLK_NEXT(struct blk *b, const char *pos, const char *lim, const char *lo, int value,
                                             uint8_t vm)
{
    size_t off = (size_t)(pos - b->base);
    uint64_t m;
    if (LIKELY(off < 64 && (m = (value ? b->bv : b->nt) >> off) != 0))
        return pos + ctz64(m);
    return BLK_MORE(b, pos, lim, lo, value, vm);
}
#endif

/*
 * Field lines, the hot part of a head: from s, at the first byte of a field
 * name, a tchar (no value open), parse line after line in one pass, calling
 * the callbacks as the states would.  Returns a struct fres (in registers,
 * so that s makes no trip through memory): stops, with rc HTTPMSG_OK, where
 * a line needs the states' care (the buffer or head limit ends, a fold, a
 * bad byte, the end of the section), s and st then saying where and in
 * which state to go on, with the element begun at *pmark.  A pause or user
 * error returns with s and st where to resume; a parse error with s at the
 * offending byte.  lo is the start of the buffer, *pmark
 * on entry its end (hend may be the head limit before it): a value that
 * runs into the end has its piece delivered here, unless the states must
 * hold back whitespace or interpret it, and the loop returns in S_VALUE
 * with s and *pmark at the end.  tr says the lines are trailer fields,
 * strict that values are checked strictly, nodone that no name- or value-
 * complete callback is to be called.  Each line but the last is taken only
 * when the byte after it is a tchar, so every name the loop starts on is
 * non-empty.
 */
static LOOP_ATTR inline __attribute__((always_inline)) struct fres FIELDS_BODY(httpmsg_parser *p, const char *s,
                                                                              const char **pmark, const char *lo,
                                                                              const char *hend, const int tr,
                                                                              const int strict, const int nodone)
{
    const httpmsg_settings *cb = p->settings_;
    httpmsg_data_cb f_name = tr ? cb->on_trailer_name : cb->on_header_name;
    const httpmsg_cb f_name_done = nodone ? NULL : tr ? cb->on_trailer_name_complete : cb->on_header_name_complete;
    httpmsg_data_cb f_value = tr ? cb->on_trailer_value : cb->on_header_value;
    const httpmsg_cb f_value_done = nodone ? NULL : tr ? cb->on_trailer_value_complete : cb->on_header_value_complete;
    const char *q, *v, *ve, *t;
    struct fres ret = {s, HTTPMSG_OK, S_FIELD_START};
    const char *const end = *pmark; /* the buffer's end (hend may be the head limit) */
    httpmsg_err rc;
    size_t bad;
    int r, sem;
    const uintptr_t hend3 = (uintptr_t)hend - 3;
    /* an unset data callback is called as a stand-in: a call costs less
     * than a test a field, where the callbacks are usually set */
    if (!f_name)
        f_name = no_data;
    if (!f_value)
        f_value = no_data;
#ifdef BLOCK_FILL
    const uint8_t vm = strict ? C_VALUE : C_VALUEL;
    struct blk b;
    BLK_START(&b, s, hend, lo, vm);
#else
    (void)lo;
#endif

    /* The parser's fields (resume state, value flags) are written only where
     * the loop leaves: callbacks cannot see the difference. */
    for (;;) {
#ifdef BLOCK_FILL
        q = BLK_NEXT(&b, s, hend, lo, 0, vm);
#else
        q = SCAN_TOKEN(s, hend);
#endif
        if (q == hend || *q != ':') { /* name cut short, or a bad byte */
            ret.st = S_FIELD_NAME;
            *pmark = s;
            ret.s = q;
            return fret(ret, HTTPMSG_OK);
        }
        /* sem: the value means something to the parser (kept here, not
         * re-read from p after each callback) */
        sem = 0;
        if (!tr) {
            int h = classify_field(s, (size_t)(q - s));
            field_seen(p, h);
            sem = h != H_OTHER && h != H_HOST;
        }
        if ((r = f_name(p, s, (size_t)(q - s))) != HTTPMSG_CB_OK) {
            ret.s = q + 1;
            ret.st = S_NAME_END;
            return fret(ret, cb_result(p, r));
        }
        if (f_name_done && (r = f_name_done(p)) != HTTPMSG_CB_OK) {
            ret.s = q + 1;
            ret.st = S_VALUE_OWS;
            p->bits_ |= B_VALUE_OPEN;
            return fret(ret, cb_result(p, r));
        }
        /* the line's end does not wait for the name's end: the first byte
         * after the colon that no value may hold */
#ifdef BLOCK_FILL
        ve = BLK_NEXT(&b, q + 1, hend, lo, 1, vm);
#else
        ve = strict ? SCAN_VALUE(q + 1, hend, C_VALUE) : SCAN_VALUE(q + 1, hend, C_VALUEL);
#endif
        /* ve[2], in the buffer either way, tells at the end whether the
         * empty line ending the section follows */
        if (UNLIKELY((uintptr_t)ve > hend3 || ld2(ve) != ld2("\r\n") || !(cls[(unsigned char)ve[2]] & C_TCHAR))) {
            if (!(hend - ve >= 4 && ld4(ve) == ld4("\r\n\r\n"))) {
                /* the value or its line end needs the states: go on from
                 * where the scan stopped, the value begun at v */
                for (v = q + 1; v < ve && (cls[(unsigned char)*v] & C_WS); v++)
                    ;
                p->bits_ |= B_VALUE_OPEN;
                if (ve == end && !sem && v < ve && !(cls[(unsigned char)ve[-1]] & C_WS)) {
                    /* the value goes on in the next buffer (the usual cut
                     * when input comes in small pieces): its piece here, as
                     * the states would deliver it, none of it held back */
                    ret.st = S_VALUE;
                    *pmark = ret.s = ve;
                    p->bits_ |= B_VALUE_CONTENT;
                    if ((r = f_value(p, v, (size_t)(ve - v))) != HTTPMSG_CB_OK)
                        return fret(ret, cb_result(p, r));
                    return fret(ret, HTTPMSG_OK);
                }
                ret.st = v == hend ? S_VALUE_OWS : S_VALUE;
                *pmark = v;
                ret.s = ve;
                return fret(ret, HTTPMSG_OK);
            }
        }
        /* the line ends at ve with a CR, so the scans for whitespace around
         * the value stop there: the usual single SP costs one test */
        v = q + 1;
        v += *v == ' ';
        if (UNLIKELY(cls[(unsigned char)*v] & C_WS))
            while (cls[(unsigned char)*++v] & C_WS)
                ;
        t = ve;
        if (UNLIKELY(cls[(unsigned char)t[-1]] & C_WS))
            while (t > v && (cls[(unsigned char)t[-1]] & C_WS))
                t--;
        s = ve + 2;
        if (UNLIKELY(sem)) {
            if (p->hdr_ == H_CONN) { /* its value is whole: no need of tok_ */
                conn_value(p, v, (size_t)(t - v));
                p->hdr_ = H_OTHER;
                sem = 0;
            } else if (t > v && (rc = sem_piece(p, v, (size_t)(t - v), &bad)) != HTTPMSG_OK) {
                ret.s = v + bad;
                return fret(ret, rc);
            }
        }
        /* s hidden from the compiler: else it reads *s below as ve[2], and
         * keeps ve across the callbacks (on the stack) for that alone */
        __asm__("" : "+r"(s));
        if (t > v && (r = f_value(p, v, (size_t)(t - v))) != HTTPMSG_CB_OK) {
            ret.s = s;
            ret.st = S_FIELD_START;
            p->bits_ |= B_VALUE_OPEN | B_VALUE_CONTENT;
            return fret(ret, cb_result(p, r));
        }
        if (UNLIKELY(sem)) {
            rc = sem_end(p);
            p->hdr_ = H_OTHER;
            if (rc != HTTPMSG_OK) {
                ret.s = s;
                return fret(ret, rc);
            }
        }
        if (f_value_done && (r = f_value_done(p)) != HTTPMSG_CB_OK) {
            ret.s = s;
            ret.st = S_FIELD_START;
            return fret(ret, cb_result(p, r));
        }
        if (UNLIKELY(*s == '\r')) { /* the empty line */
            ret.s = s + 2;
            ret.st = tr ? S_MSG_DONE : S_HEAD_DONE;
            return fret(ret, HTTPMSG_OK);
        }
    }
}

/* The body, made for the usual case (header fields, strict values) with
 * those tests folded away, once for a parser with no name- or value-
 * complete callback (FIELDS_HDR: no tests for them either) and once for
 * one with them (FIELDS_HDRD); and once for any case (FIELDS_FN). */
static LOOP_ATTR __attribute__((noinline)) struct fres FIELDS_HDR(httpmsg_parser *p, const char *s, const char **pmark,
                                                                  const char *lo, const char *hend)
{
    return FIELDS_BODY(p, s, pmark, lo, hend, 0, 1, 1);
}
static LOOP_ATTR __attribute__((noinline)) struct fres FIELDS_HDRD(httpmsg_parser *p, const char *s, const char **pmark,
                                                                   const char *lo, const char *hend)
{
    return FIELDS_BODY(p, s, pmark, lo, hend, 0, 1, 0);
}
static LOOP_ATTR __attribute__((noinline)) struct fres FIELDS_FN(httpmsg_parser *p, const char *s, const char **pmark,
                                                                 const char *lo, const char *hend)
{
    return FIELDS_BODY(p, s, pmark, lo, hend, (p->bits_ & B_TRAILERS) != 0,
                       !(p->flags_ & HTTPMSG_LENIENT_VALUE_CHARS), 0);
}

/* Called by httpmsg_execute() and httpmsg_finish() with B_BUSY set, which
 * it clears as it returns. */
static LOOP_ATTR httpmsg_err LOOP_FN(httpmsg_parser *p, const char *data, size_t len, size_t *used)
{
    const httpmsg_settings *cb = p->settings_;
    const char *s = data, *mark = data, *hbase = data, *q, *t;
    const char *const end = data + len;
    const char *hend = len > p->head_left_ ? data + p->head_left_ : end;
    const uint32_t fl = p->flags_;
/* the leniencies, tested where they matter rather than all on entry */
#define VMASK ((fl & HTTPMSG_LENIENT_VALUE_CHARS) ? C_VALUEL : C_VALUE)
#define TMASK ((fl & HTTPMSG_LENIENT_TARGET) ? C_TARGETL : C_TARGET)
#define LWS ((fl & HTTPMSG_LENIENT_WHITESPACE) != 0)
    unsigned st = p->state_;
    unsigned dprev = st == S_DETECT ? p->sub_ : 0; /* "HTTP/" bytes matched in earlier buffers */
    const char *dstart = data;
    httpmsg_err rc = HTTPMSG_OK;
    size_t bad = 0, n;
    int r, ret;
    struct fres fr;

/* a new head (or trailer section, or chunk-size line) starts at s */
#define HEAD_RESET()                                                                                   \
    do {                                                                                               \
        p->head_left_ = p->max_head_;                                                                  \
        hbase = s;                                                                                     \
        hend = (size_t)(end - s) > p->head_left_ ? s + p->head_left_ : end;                            \
    } while (0)
/* whitespace the lenient start line accepts between its parts */
#define IS_LWS(c) ((c) == ' ' || (c) == '\t' || (c) == '\v' || (c) == '\f')

dispatch:
    switch (st) {
    case S_START:
    start:
        while (s < hend && (*s == '\r' || *s == '\n')) { /* empty lines (§2.2) */
            r = eol(&s, hend, fl, &rc);
            if (r < 0)
                goto error;
            if (r == 0) {
                p->next_ = S_START;
                st = S_LF;
                goto dispatch;
            }
        }
        if (s == hend)
            goto head_edge;
        message_reset(p);
        mark = s;
        if (p->type_ == HTTPMSG_RESPONSE) {
            st = S_RES_VERSION;
        } else if (p->type_ == HTTPMSG_BOTH && *s == 'H') {
            st = S_DETECT;
            dstart = s;
            dprev = 0;
        } else {
            p->msg_type_ = HTTPMSG_REQUEST;
            st = S_METHOD;
        }
        if ((rc = call(p, cb->on_message_begin)) != HTTPMSG_OK)
            goto stop;
        if (st != S_METHOD)
            goto dispatch;
        /* the usual methods with their SP in the buffer need no scan */
        if (hend - s >= 5 && ld4(s) == ld4("GET ")) {
            q = s + 3;
            n = 3;
            p->method_ = HTTPMSG_METHOD_GET;
            goto method_known;
        }
        if (hend - s >= 5 && ld4(s) == ld4("POST") && s[4] == ' ') {
            q = s + 4;
            n = 4;
            p->method_ = HTTPMSG_METHOD_POST;
            goto method_known;
        }
        goto method;

    case S_DETECT: /* HTTPMSG_BOTH: "HTTP/" starts a response */
        while (p->sub_ < 5) {
            if (s == hend)
                goto head_edge;
            if (*s != "HTTP/"[p->sub_])
                break;
            s++;
            p->sub_++;
        }
        if (p->sub_ == 5) {
            p->msg_type_ = HTTPMSG_RESPONSE;
            st = S_RES_VERSION;
            goto dispatch;
        }
        p->msg_type_ = HTTPMSG_REQUEST;
        p->sub_ = 0;
        st = S_METHOD;
        q = s;
        s = mark = dstart;
        if (dprev) { /* the method's first bytes came in earlier buffers */
            tok_add(p, "HTTP", dprev, 0);
            n = dprev;
            dprev = 0;
            if ((rc = call_data(p, cb->on_method, "HTTP", n)) != HTTPMSG_OK)
                goto stop;
        }
        s = q;
        /* fallthrough */
    case S_METHOD:
    method:
        q = SCAN_TOKEN(s, hend);
        if (q == hend) {
            s = q;
            goto head_edge;
        }
        if (*q != ' ' && !(LWS && IS_LWS(*q))) {
            s = q;
            rc = HTTPMSG_ERR_BAD_METHOD;
            goto error;
        }
        n = (size_t)(q - mark);
        if (p->tok_len_ == 0) {
            if (n == 0) {
                s = q;
                rc = HTTPMSG_ERR_BAD_METHOD;
                goto error;
            }
            /* q, the space after the method, is in the buffer: "GET " is a
             * single load, before the call for the rest */
            p->method_ = (uint8_t)(n == 3 && ld4(mark) == ld4("GET ")    ? HTTPMSG_METHOD_GET
                                   : n == 4 && ld4(mark) == ld4("POST") ? HTTPMSG_METHOD_POST
                                                                        : httpmsg__method_lookup(mark, n));
        } else {
            tok_add(p, mark, n, 0);
            p->method_ = (uint8_t)((p->bits_ & B_TOK_LONG) ? HTTPMSG_METHOD_OTHER
                                                           : httpmsg__method_lookup(p->tok_, p->tok_len_));
            tok_clear(p);
        }
    method_known:
        s = q + 1;
        st = S_METHOD_END;
        if ((rc = call_data(p, cb->on_method, mark, n)) != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_METHOD_END:
        st = S_AFTER_METHOD;
        if ((rc = call(p, cb->on_method_complete)) != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_AFTER_METHOD:
        while (LWS && s < hend && IS_LWS(*s))
            s++;
        if (s == hend)
            goto head_edge;
        mark = s;
        p->sub_ = TF_FIRST;
        st = S_TARGET;
        /* fallthrough */
    case S_TARGET:
        q = TMASK == C_TARGET ? SCAN_TARGET(s, hend, C_TARGET) : SCAN_TARGET(s, hend, C_TARGETL);
        if (q == hend) {
            s = q;
            goto head_edge;
        }
        n = (size_t)(q - mark);
        /* the form first: of two errors, the earlier one is reported, as
         * when the target comes in pieces */
        if ((bad = target_piece(p, mark, n)) < n) {
            s = mark + bad;
            rc = HTTPMSG_ERR_BAD_TARGET;
            goto error;
        }
        if (*q != ' ' && !(LWS && IS_LWS(*q))) {
            s = q;
            rc = (*q == '\r' || *q == '\n') && p->sub_ != TF_FIRST ? HTTPMSG_ERR_BAD_VERSION : HTTPMSG_ERR_BAD_TARGET;
            goto error;
        }
        if (p->sub_ == TF_FIRST || (!(fl & HTTPMSG_LENIENT_TARGET) && !target_form_ok(p))) {
            s = q; /* empty, or an incomplete form */
            rc = HTTPMSG_ERR_BAD_TARGET;
            goto error;
        }
        s = q + 1;
        st = S_TARGET_END;
        if ((rc = call_data(p, cb->on_target, mark, n)) != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_TARGET_END:
        st = S_AFTER_TARGET;
        if ((rc = call(p, cb->on_target_complete)) != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_AFTER_TARGET:
        while (LWS && s < hend && IS_LWS(*s))
            s++;
        if (LWS && s == hend)
            goto head_edge; /* the run may go on in the next buffer */
        p->sub_ = 0;
        st = S_REQ_VERSION;
        /* fallthrough */
    case S_REQ_VERSION:
        if (p->sub_ == 0 && hend - s >= 10 && memcmp(s, "HTTP/1.1\r\n", 10) == 0 && !(p->bits_ & B_PRI_STAR)) {
            p->major_ = p->minor_ = 1; /* the common case, line end included */
            s += 10;
            goto version_done;
        }
        r = version_scan(p, &s, hend, &rc);
        if (r < 0)
            goto error;
        if (r == 0 || s == hend)
            goto head_edge;
        if (*s != '\r' && *s != '\n' && !(LWS && IS_LWS(*s))) {
            rc = HTTPMSG_ERR_BAD_VERSION;
            goto error;
        }
        st = S_REQ_LINE_END;
        /* fallthrough */
    case S_REQ_LINE_END:
        while (LWS && s < hend && IS_LWS(*s))
            s++;
        if (s == hend)
            goto head_edge;
        if (*s != '\r' && *s != '\n') {
            rc = HTTPMSG_ERR_BAD_VERSION;
            goto error;
        }
        r = eol(&s, hend, fl, &rc);
        if (r < 0)
            goto error;
        if (r == 0) { /* the LF still belongs to the request line */
            p->next_ = S_VERSION_DONE;
            st = S_LF;
            goto dispatch;
        }
        /* fallthrough */
    case S_VERSION_DONE: /* the request line is complete */
    version_done:
        st = S_FIELD_START;
        if ((rc = call(p, cb->on_version_complete)) != HTTPMSG_OK)
            goto stop;
        goto field_start;

    case S_RES_VERSION:
        if (p->sub_ == 0 && hend - s >= 9 && memcmp(s, "HTTP/1.1 ", 9) == 0) {
            p->major_ = p->minor_ = 1;
            s += 9;
        } else {
            r = version_scan(p, &s, hend, &rc);
            if (r < 0)
                goto error;
            if (r == 0 || s == hend)
                goto head_edge;
            if (*s != ' ' && !(LWS && IS_LWS(*s))) {
                rc = (*s == '\r' || *s == '\n') ? HTTPMSG_ERR_BAD_STATUS : HTTPMSG_ERR_BAD_VERSION;
                goto error;
            }
            s++;
        }
        st = S_AFTER_VERSION;
        if ((rc = call(p, cb->on_version_complete)) != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_AFTER_VERSION:
        while (LWS && s < hend && IS_LWS(*s))
            s++;
        if (LWS && s == hend)
            goto head_edge;
        p->sub_ = 0;
        st = S_STATUS;
        /* fallthrough */
    case S_STATUS: /* status-code = 3DIGIT, 100-999 */
        if (p->sub_ == 0 && hend - s >= 4 && s[0] >= '1' && s[0] <= '9' && IS_DIGIT_(s[1]) && IS_DIGIT_(s[2]) &&
            s[3] == ' ') { /* the usual case, whole in the buffer */
            p->status_ = (uint16_t)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
            s += 4;
            goto status_done;
        }
        while (p->sub_ < 3) {
            if (s == hend)
                goto head_edge;
            if (!IS_DIGIT_(*s) || (p->sub_ == 0 && *s == '0')) {
                rc = HTTPMSG_ERR_BAD_STATUS;
                goto error;
            }
            p->status_ = (uint16_t)(p->status_ * 10 + (*s - '0'));
            p->sub_++;
            s++;
        }
        if (s == hend)
            goto head_edge;
        if (*s == ' ' || (LWS && IS_LWS(*s))) {
            s++;
        } else if (!((*s == '\r' || *s == '\n') && (fl & HTTPMSG_LENIENT_MISSING_REASON_SP))) {
            rc = HTTPMSG_ERR_BAD_STATUS;
            goto error;
        }
    status_done:
        st = S_AFTER_STATUS;
        if ((rc = call(p, cb->on_status_complete)) != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_AFTER_STATUS:
        while (LWS && s < hend && IS_LWS(*s))
            s++;
        if (LWS && s == hend)
            goto head_edge;
        mark = s;
        st = S_REASON;
        /* fallthrough */
    case S_REASON: /* reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
        if (hend - s >= 4 && ld4(s) == ld4("OK\r\n")) { /* the usual one needs no scan */
            s += 4;
            st = S_REASON_END;
            if ((rc = call_data(p, cb->on_reason, mark, 2)) != HTTPMSG_OK)
                goto stop;
            goto reason_end;
        }
        q = VMASK == C_VALUE ? SCAN_VALUE(s, hend, C_VALUE) : SCAN_VALUE(s, hend, C_VALUEL);
        if (q == hend) {
            s = q;
            goto head_edge;
        }
        if (*q != '\r' && *q != '\n') {
            s = q;
            rc = HTTPMSG_ERR_BAD_REASON;
            goto error;
        }
        s = q;
        r = eol(&s, hend, fl, &rc);
        if (r < 0)
            goto error;
        st = S_REASON_END;
        if (r == 0) {
            p->next_ = S_REASON_END;
            st = S_LF;
        }
        if ((rc = call_data(p, cb->on_reason, mark, (size_t)(q - mark))) != HTTPMSG_OK)
            goto stop;
        goto dispatch;
    case S_REASON_END:
    reason_end:
        st = S_FIELD_START;
        if ((rc = call(p, cb->on_reason_complete)) != HTTPMSG_OK)
            goto stop;
        goto dispatch;

    case S_LF:
        if (s == hend)
            goto head_edge;
        if (*s != '\n') {
            rc = HTTPMSG_ERR_BARE_CR;
            goto error;
        }
        s++;
        st = p->next_;
        goto dispatch;

    case S_FIELD_START:
    field_start:
        if (s == hend)
            goto head_edge;
        /* the usual case first: a field name starts, no value is open, and
         * the lines are header fields with values checked strictly */
        if (LIKELY((cls[(unsigned char)*s] & C_TCHAR) && !(p->bits_ & (B_VALUE_OPEN | B_TRAILERS)) &&
                   !(fl & HTTPMSG_LENIENT_VALUE_CHARS))) {
            mark = end;
            goto fields_hdr;
        }
        if (is_ws(*s)) { /* obs-fold (§5.2), or whitespace after the start line (§2.2) */
            if (!(p->bits_ & B_VALUE_OPEN)) {
                rc = (p->bits_ & B_TRAILERS) ? HTTPMSG_ERR_OBS_FOLD : HTTPMSG_ERR_WHITESPACE_AFTER_START_LINE;
                goto error;
            }
            if (!(fl & HTTPMSG_LENIENT_OBS_FOLD)) {
                rc = HTTPMSG_ERR_OBS_FOLD;
                goto error;
            }
            p->bits_ |= B_FOLD;
            st = S_VALUE_OWS;
            goto dispatch;
        }
        if ((p->bits_ & B_VALUE_OPEN) && (rc = value_done(p)) != HTTPMSG_OK) {
            if (rc > HTTPMSG_ERR_USER)
                goto error;
            goto stop;
        }
        if (*s == '\r' || *s == '\n') { /* the empty line ending the section */
            r = eol(&s, hend, fl, &rc);
            if (r < 0)
                goto error;
            st = (p->bits_ & B_TRAILERS) ? S_MSG_DONE : S_HEAD_DONE;
            if (r == 0) {
                p->next_ = (uint8_t)st;
                st = S_LF;
            }
            goto dispatch;
        }
        if (!(cls[(unsigned char)*s] & C_TCHAR)) { /* no name: S_FIELD_NAME says why */
            st = S_FIELD_NAME;
            mark = s;
            goto dispatch;
        }
        /* field lines: FIELDS_FN takes them as far as it can */
        mark = end; /* which it reads first */
        if ((p->bits_ & B_TRAILERS) || (fl & HTTPMSG_LENIENT_VALUE_CHARS)) {
            fr = FIELDS_FN(p, s, &mark, data, hend);
        } else {
        fields_hdr:
            if (LIKELY(!cb->on_header_name_complete && !cb->on_header_value_complete))
                fr = FIELDS_HDR(p, s, &mark, data, hend);
            else
                fr = FIELDS_HDRD(p, s, &mark, data, hend);
        }
        s = fr.s;
        st = fr.st;
        rc = fr.rc;
        if (rc != HTTPMSG_OK) {
            if (rc > HTTPMSG_ERR_USER)
                goto error;
            goto stop;
        }
        if (st == S_HEAD_DONE)
            goto head_done;
        if (st == S_VALUE && s == end && mark == end)
            goto stop; /* the value's piece is delivered */
        goto dispatch;
    case S_FIELD_NAME:
        q = SCAN_TOKEN(s, hend);
        if (q == hend) {
            s = q;
            goto head_edge;
        }
        if (*q != ':') {
            s = q;
            rc = is_ws(*q) && (q > mark || p->tok_len_) ? HTTPMSG_ERR_SPACE_BEFORE_COLON : HTTPMSG_ERR_BAD_HEADER_NAME;
            goto error;
        }
        n = (size_t)(q - mark);
        if (n == 0 && p->tok_len_ == 0) {
            s = q;
            rc = HTTPMSG_ERR_BAD_HEADER_NAME;
            goto error;
        }
        if (!(p->bits_ & B_TRAILERS)) {
            if (p->tok_len_ == 0) {
                field_seen(p, classify_field(mark, n));
            } else {
                tok_add(p, mark, n, 0);
                field_seen(p, (p->bits_ & B_TOK_LONG) ? H_OTHER : classify_field(p->tok_, p->tok_len_));
            }
        }
        tok_clear(p);
        s = q + 1;
        st = S_NAME_END;
        rc = call_data(p, (p->bits_ & B_TRAILERS) ? cb->on_trailer_name : cb->on_header_name, mark, n);
        if (rc != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_NAME_END:
        st = S_VALUE_OWS;
        p->bits_ |= B_VALUE_OPEN;
        rc = call(p, (p->bits_ & B_TRAILERS) ? cb->on_trailer_name_complete : cb->on_header_name_complete);
        if (rc != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_VALUE_OWS:
        while (s < hend && is_ws(*s))
            s++;
        if (s == hend)
            goto head_edge;
        if ((p->bits_ & B_FOLD) && *s != '\r' && *s != '\n') {
            p->bits_ &= ~B_FOLD; /* the fold's whitespace becomes one SP */
            if ((p->bits_ & B_VALUE_CONTENT) && (rc = value_piece(p, sp64, 1, &bad)) != HTTPMSG_OK) {
                if (rc > HTTPMSG_ERR_USER)
                    goto error;
                goto stop;
            }
        }
        mark = s;
        st = S_VALUE;
        /* fallthrough */
    case S_VALUE:
        q = VMASK == C_VALUE ? SCAN_VALUE(s, hend, C_VALUE) : SCAN_VALUE(s, hend, C_VALUEL);
        if (q == hend) {
            s = q;
            goto head_edge;
        }
        for (t = q; t > mark && is_ws(t[-1]); t--)
            ;
        /* the value's meaning before what ends it: of two errors the earlier
         * one is reported, as when the value comes in pieces */
        if (t > mark && p->hdr_ != H_OTHER && (rc = sem_piece_any(p, mark, (size_t)(t - mark), &bad)) != HTTPMSG_OK) {
            s = mark + bad;
            goto error;
        }
        if (*q != '\r' && *q != '\n') {
            s = q;
            rc = HTTPMSG_ERR_BAD_HEADER_VALUE;
            goto error;
        }
        s = q;
        r = eol(&s, hend, fl, &rc);
        if (r < 0)
            goto error;
        st = S_FIELD_START;
        if (r == 0) {
            p->next_ = S_FIELD_START;
            st = S_LF;
        }
        if ((rc = value_deliver(p, mark, (size_t)(t - mark))) != HTTPMSG_OK)
            goto stop;
        if (r == 0)
            goto dispatch;
        /* the next line is in sight: unless it folds, the value is complete */
        if (s < hend && !is_ws(*s) && (rc = value_done(p)) != HTTPMSG_OK) {
            if (rc > HTTPMSG_ERR_USER)
                goto error;
            goto stop;
        }
        goto field_start;
    case S_VALUE_WS: /* whitespace held back from an earlier buffer */
        for (q = s; q < hend && is_ws(*q); q++)
            ;
        if (q == hend) {
            if (hend < end) {
                s = q;
                goto head_edge;
            }
            ws_hold(p, s, (size_t)(q - s));
            s = q;
            goto out;
        }
        if (*q == '\r' || *q == '\n') { /* it was trailing: drop it */
            p->ws_count_ = 0;
            p->ws_mask_ = 0;
            p->bits_ &= ~B_WS_LOST;
        } else if ((rc = ws_release(p)) != HTTPMSG_OK) {
            if (rc > HTTPMSG_ERR_USER) {
                s = q;
                goto error;
            }
            goto stop;
        }
        mark = s;
        s = q;
        st = S_VALUE;
        goto dispatch;

    case S_HEAD_DONE:
    head_done:
        if ((rc = head_complete(p)) != HTTPMSG_OK)
            goto error;
        ret = cb->on_headers_complete ? cb->on_headers_complete(p) : HTTPMSG_CB_OK;
        if (UNLIKELY(ret != HTTPMSG_CB_OK) && !head_ret_ok(p, ret)) {
            p->user_err_ = ret;
            rc = HTTPMSG_ERR_USER;
            goto stop;
        }
        if (ret & (HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE))
            p->body_ = HTTPMSG_BODY_NONE;
        if ((ret & (HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE)) && (p->bits_ & B_KA_NO_BODY))
            p->bits_ |= B_KEEP_ALIVE; /* no body to read until close */
        if (ret & HTTPMSG_CB_UPGRADE)
            p->bits_ |= B_UPGRADE;
        if (p->body_ == HTTPMSG_BODY_LENGTH && p->content_length_ > p->max_body_) {
            rc = HTTPMSG_ERR_BODY_TOO_LARGE; /* a response's: see head_complete() */
            goto error;
        }
        st = body_state(p);
        if (st == S_CHUNK_SIZE)
            HEAD_RESET();
        if (st == S_BODY_LENGTH && p->remaining_ < (uint64_t)(end - s)) {
            /* the next message starts in this buffer, past the body: ask
             * for its first lines now (a hint only, within the buffer) */
            q = s + p->remaining_;
            __builtin_prefetch(q);
            if (end - q > 64)
                __builtin_prefetch(q + 64);
            if (end - q > 128)
                __builtin_prefetch(q + 128);
        }
        if (ret & HTTPMSG_CB_PAUSE) {
            rc = HTTPMSG_PAUSED;
            goto stop;
        }
        if (st == S_MSG_DONE)
            goto msg_done;
        goto dispatch;

    case S_BODY_LENGTH:
        if (s == end)
            goto out;
        n = (size_t)(end - s) < p->remaining_ ? (size_t)(end - s) : (size_t)p->remaining_;
        p->remaining_ -= n;
        p->body_read_ += n;
        q = s;
        s += n;
        st = p->remaining_ ? S_BODY_LENGTH : S_MSG_DONE;
        if ((rc = call_data(p, cb->on_body, q, n)) != HTTPMSG_OK)
            goto stop;
        goto dispatch;

    case S_BODY_EOF:
        if (s == end)
            goto out;
        n = (size_t)(end - s);
        if (n > body_room(p)) { /* deliver what fits, then fail */
            n = (size_t)body_room(p);
            if (n) {
                p->body_read_ += n;
                q = s;
                s += n;
                if ((rc = call_data(p, cb->on_body, q, n)) != HTTPMSG_OK)
                    goto stop;
            }
            rc = HTTPMSG_ERR_BODY_TOO_LARGE;
            goto error;
        }
        p->body_read_ += n;
        q = s;
        s = end;
        if ((rc = call_data(p, cb->on_body, q, n)) != HTTPMSG_OK)
            goto stop;
        goto out;

    case S_CHUNK_SIZE: /* chunk-size = 1*HEXDIG (§7.1) */
    chunk_size:
        if (s == hend)
            goto head_edge;
        if (!(cls[(unsigned char)*s] & C_HEX)) {
            rc = HTTPMSG_ERR_BAD_CHUNK_SIZE;
            goto error;
        }
        /* the size is read into remaining_ (free until the chunk's data):
         * num_, which httpmsg_chunk_size() reports, gets it at the chunk's
         * header, and is 0 while a size line is read */
        p->num_ = 0;
        p->remaining_ = (uint64_t)hexval((unsigned char)*s);
        if (p->remaining_ > body_room(p)) {
            rc = chunk_size_error(p);
            goto error;
        }
        s++;
        st = S_CHUNK_SIZE_MORE;
        /* fallthrough */
    case S_CHUNK_SIZE_MORE: {
        uint64_t num = p->remaining_;
        const uint64_t room = body_room(p);
        for (; s < hend && (cls[(unsigned char)*s] & C_HEX); s++) {
            if (num >> 60) {
                rc = HTTPMSG_ERR_BAD_CHUNK_SIZE;
                goto error;
            }
            num = (num << 4) | (uint64_t)hexval((unsigned char)*s);
            if (num > room) { /* at the digit that crosses it */
                rc = chunk_size_error(p);
                goto error;
            }
        }
        p->remaining_ = num;
    }
        if (s == hend)
            goto head_edge;
        if (hend - s >= 2 && s[0] == '\r' && s[1] == '\n') { /* the usual line end, in sight */
            s += 2;
            goto chunk_header;
        }
        if (*s == ';' || is_ws(*s)) {
            p->sub_ = E_PRE;
            st = S_CHUNK_EXT;
        } else if (*s == '\r' || *s == '\n') {
            r = eol(&s, hend, fl, &rc);
            if (r < 0)
                goto error;
            st = S_CHUNK_HEADER;
            if (r == 0) {
                p->next_ = S_CHUNK_HEADER;
                st = S_LF;
            }
            goto dispatch;
        } else {
            rc = HTTPMSG_ERR_BAD_CHUNK_SIZE;
            goto error;
        }
        /* fallthrough */
    case S_CHUNK_EXT:
        mark = s;
        for (; s < hend && *s != '\r' && *s != '\n'; s++) {
            if (p->sub_ == E_PRE && *s == ';')
                mark = s; /* the extension's text starts at its first ';' */
            if (!ext_byte(p, (unsigned char)*s)) {
                rc = HTTPMSG_ERR_BAD_CHUNK_EXTENSION;
                goto error;
            }
        }
        if (s == hend)
            goto head_edge;
        if (!ext_can_end(p)) {
            rc = HTTPMSG_ERR_BAD_CHUNK_EXTENSION;
            goto error;
        }
        q = s;
        r = eol(&s, hend, fl, &rc);
        if (r < 0)
            goto error;
        st = S_EXT_END;
        if (r == 0) {
            p->next_ = S_EXT_END;
            st = S_LF;
        }
        if ((rc = call_data(p, cb->on_chunk_extension, mark, (size_t)(q - mark))) != HTTPMSG_OK)
            goto stop;
        goto dispatch;
    case S_EXT_END:
        st = S_CHUNK_HEADER;
        if ((rc = call(p, cb->on_chunk_extension_complete)) != HTTPMSG_OK)
            goto stop;
        /* fallthrough */
    case S_CHUNK_HEADER: /* the size digits were checked against the body limit */
    chunk_header:
        p->num_ = p->remaining_;
        p->body_read_ += p->num_;
        st = p->num_ ? S_CHUNK_DATA : S_CHUNK_LAST;
        if ((rc = call(p, cb->on_chunk_header)) != HTTPMSG_OK)
            goto stop;
        if (st != S_CHUNK_DATA)
            goto dispatch;
        /* fallthrough */
    case S_CHUNK_DATA:
        if (s == end)
            goto out;
        n = (size_t)(end - s) < p->remaining_ ? (size_t)(end - s) : (size_t)p->remaining_;
        p->remaining_ -= n;
        q = s;
        s += n;
        if (p->remaining_ == 0) {
            st = S_CHUNK_DATA_END;
            p->sub_ = 0;
        }
        if ((rc = call_data(p, cb->on_body, q, n)) != HTTPMSG_OK)
            goto stop;
        if (st != S_CHUNK_DATA_END)
            goto dispatch;
        /* fallthrough */
    case S_CHUNK_DATA_END: /* the CRLF after chunk-data is mandatory */
        if (s == end)
            goto out;
        if (p->sub_ == 0) {
            if (*s == '\n' && (fl & HTTPMSG_LENIENT_BARE_LF)) {
                s++;
                st = S_CHUNK_DONE;
                goto dispatch;
            }
            if (*s != '\r') {
                rc = HTTPMSG_ERR_BAD_CHUNK_DATA_END;
                goto error;
            }
            s++;
            p->sub_ = 1;
            if (s == end)
                goto out;
        }
        if (*s != '\n') {
            rc = HTTPMSG_ERR_BAD_CHUNK_DATA_END;
            goto error;
        }
        s++;
        st = S_CHUNK_DONE;
        /* fallthrough */
    case S_CHUNK_DONE:
        st = S_CHUNK_SIZE;
        HEAD_RESET();
        rc = call(p, cb->on_chunk_complete);
        p->num_ = 0; /* the chunk is over, even if that callback paused */
        if (rc != HTTPMSG_OK)
            goto stop;
        goto chunk_size;
    case S_CHUNK_LAST:
        st = S_FIELD_START;
        p->bits_ |= B_TRAILERS;
        HEAD_RESET();
        if ((rc = call(p, cb->on_chunk_complete)) != HTTPMSG_OK)
            goto stop;
        goto dispatch;

    case S_MSG_DONE:
    msg_done:
        st = after_message(p);
        if (st == S_START)
            HEAD_RESET();
        else if (st == S_CLOSED)
            p->sub_ = 0; /* no CR pending */
        if ((rc = call(p, cb->on_message_complete)) != HTTPMSG_OK)
            goto stop;
        if (st == S_START)
            goto start;
        if (st == S_UPGRADED) {
            rc = HTTPMSG_UPGRADE;
            goto stop;
        }
        goto dispatch;
    case S_UPGRADED:
        rc = HTTPMSG_UPGRADE;
        goto stop;
    case S_CLOSED: /* empty lines are ignored (§2.2) as between messages,
                    * CRLF lines only; anything else is an error */
        if (p->sub_ && s < end) { /* the last buffer ended in a CR */
            if (*s != '\n') {
                rc = HTTPMSG_ERR_BARE_CR;
                goto error;
            }
            s++;
            p->sub_ = 0;
        }
        while (s < end && (*s == '\r' || *s == '\n')) {
            if ((r = eol(&s, end, fl, &rc)) < 0)
                goto error;
            if (r == 0)
                p->sub_ = 1; /* its LF comes in the next buffer */
        }
        /* fallthrough */
    case S_FINISHED:
        if (s == end)
            goto out;
        rc = HTTPMSG_ERR_CLOSED;
        goto error;
    default:
        rc = HTTPMSG_ERR_INVALID_ARGUMENT;
        goto error;
    }

head_edge: /* s == hend: the end of data, or the head limit */
    if (hend < end) {
        /* an error in the open element before the limit comes first, as it
         * does when the element is delivered in pieces */
        n = (size_t)(hend - mark);
        if (st == S_TARGET && (bad = target_piece(p, mark, n)) < n) {
            s = mark + bad;
            rc = HTTPMSG_ERR_BAD_TARGET;
            goto error;
        }
        if (st == S_VALUE && p->hdr_ != H_OTHER) {
            for (t = hend; t > mark && is_ws(t[-1]); t--)
                ;
            if (t > mark && (rc = sem_piece_any(p, mark, (size_t)(t - mark), &bad)) != HTTPMSG_OK) {
                s = mark + bad;
                goto error;
            }
        }
        rc = limit_error(p, st);
        goto error;
    }
    /* fallthrough */
out: /* s == end: deliver the open element's piece */
    n = (size_t)(end - mark);
    switch (st) {
    case S_METHOD:
        tok_add(p, mark, n, 0);
        rc = call_data(p, cb->on_method, mark, n);
        break;
    case S_TARGET:
        if ((bad = target_piece(p, mark, n)) < n) {
            s = mark + bad;
            rc = HTTPMSG_ERR_BAD_TARGET;
            goto error;
        }
        rc = call_data(p, cb->on_target, mark, n);
        break;
    case S_REASON:
        rc = call_data(p, cb->on_reason, mark, n);
        break;
    case S_FIELD_NAME:
        tok_add(p, mark, n, 0);
        rc = call_data(p, (p->bits_ & B_TRAILERS) ? cb->on_trailer_name : cb->on_header_name, mark, n);
        break;
    case S_VALUE:
        for (t = end; t > mark && is_ws(t[-1]); t--)
            ;
        ws_hold(p, t, (size_t)(end - t));
        if (p->ws_count_)
            st = S_VALUE_WS;
        if ((rc = value_piece(p, mark, (size_t)(t - mark), &bad)) > HTTPMSG_ERR_USER) {
            s = mark + bad;
            goto error;
        }
        break;
    case S_CHUNK_EXT:
        if (p->sub_ != E_PRE)
            rc = call_data(p, cb->on_chunk_extension, mark, n);
        break;
    default:
        break;
    }
    s = end;
    /* fallthrough */
stop: /* rc: HTTPMSG_OK (from out), PAUSED, UPGRADE or ERR_USER; s: where parsing stands */
    if (st <= S_LAST_LIMITED_)
        p->head_left_ -= (uint32_t)(s - hbase);
    p->state_ = (uint8_t)st;
    n = (size_t)(s - data);
    p->nread_ += n;
    *used = n;
    if (rc == HTTPMSG_ERR_USER) {
        p->err_offset_ = p->nread_;
        p->state_ = S_DEAD;
    }
    p->err_ = (uint8_t)rc;
    p->bits_ &= ~B_BUSY;
    return rc;

error: /* rc: a parse error found at s */
    n = (size_t)(s - data);
    p->nread_ += n;
    p->err_offset_ = p->nread_;
    p->state_ = S_DEAD;
    p->err_ = (uint8_t)rc;
    p->bits_ &= ~B_BUSY;
    *used = n;
    return rc;
#undef HEAD_RESET
#undef IS_LWS
#undef VMASK
#undef TMASK
#undef LWS
}
#undef FIELDS_FN
#undef FIELDS_HDR
#undef FIELDS_HDRD
#undef FIELDS_BODY
#undef BLK_NEXT
#undef BLK_MORE
#undef BLK_LAST
#undef BLK_START
#undef BLK_START_
#undef BLK_START2_
#undef BLK_LAST_
#undef BLK_LAST2_
#undef BLK_MORE_
#undef BLK_MORE2_
#undef BLK_NEXT_
#undef BLK_NEXT2_
#undef FIELDS_NAME_
#undef FIELDS_NAME2_
#undef LOOP_FN
#undef LOOP_ATTR
#undef SCAN_TOKEN
#undef SCAN_TARGET
#undef SCAN_VALUE
#undef BLOCK_FILL
