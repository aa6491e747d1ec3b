/*
 * test_api.c - the API's promises, as httpmsg.h states them: arguments,
 * NULL callbacks, zero-length calls, sticky errors, reset and reuse, pause
 * and resume, user errors, upgrades, accessors, helpers, and parsers that
 * run interleaved or on two threads without interfering, the scanning
 * code chosen once per process, and every scanning path's character classes
 * for field names and values, byte by byte.
 */
#define _POSIX_C_SOURCE 200112L /* setenv */
#include <httpmsg.h>

#ifdef HTTPMSG_MINICHECK
#include "minicheck.h" /* cross builds without Check */
#else
#include <check.h>
#endif
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small recorder: events appended to a fixed buffer. */
struct rec {
    char log[4096];
    size_t len;
    int pause_on;  /* which event pauses: 'H' headers complete, 'B' body, 'M' message complete, 0 none */
    int fail_with; /* returned by on_header_value when nonzero */
    int hc_ret;    /* returned by on_headers_complete */
    int in_name, in_value;
    httpmsg_parser *nested;
};

static void logf_(struct rec *r, const char *s, size_t n)
{
    if (r->len + n < sizeof r->log) {
        memcpy(r->log + r->len, s, n);
        r->len += n;
        r->log[r->len] = 0;
    }
}
#define R(p) ((struct rec *)(p)->data)
static void logs(httpmsg_parser *p, const char *s) { logf_(R(p), s, strlen(s)); }

static int on_begin(httpmsg_parser *p)
{
    logs(p, "<");
    return 0;
}
static int on_target(httpmsg_parser *p, const char *at, size_t n)
{
    logf_(R(p), at, n);
    return 0;
}
static int on_name(httpmsg_parser *p, const char *at, size_t n)
{
    if (!R(p)->in_name)
        logs(p, "|");
    R(p)->in_name = 1;
    R(p)->in_value = 0;
    logf_(R(p), at, n);
    return 0;
}
static int on_value(httpmsg_parser *p, const char *at, size_t n)
{
    if (!R(p)->in_value)
        logs(p, "=");
    R(p)->in_value = 1;
    R(p)->in_name = 0;
    logf_(R(p), at, n);
    return R(p)->fail_with;
}
/* With r->nested set: calls on the parser from its own callback are refused,
 * the setters the loop reads once per call among them (changing nothing). */
static void nested_check(httpmsg_parser *p)
{
    struct rec *r = R(p);
    if (r->nested) {
        size_t used = 7;
        uint32_t flags = httpmsg_get_flags(r->nested);
        if (httpmsg_execute(r->nested, "x", 1, &used) == HTTPMSG_ERR_INVALID_ARGUMENT && used == 0 &&
            httpmsg_finish(r->nested) == HTTPMSG_ERR_INVALID_ARGUMENT &&
            httpmsg_set_flags(r->nested, flags ^ HTTPMSG_LENIENT_BARE_LF) == HTTPMSG_ERR_INVALID_ARGUMENT &&
            httpmsg_get_flags(r->nested) == flags &&
            httpmsg_set_max_head(r->nested, 16) == HTTPMSG_ERR_INVALID_ARGUMENT)
            logs(p, "(nested refused)");
    }
}
static int on_hc(httpmsg_parser *p)
{
    struct rec *r = R(p);
    r->in_name = r->in_value = 0;
    logs(p, "#");
    nested_check(p);
    return r->pause_on == 'H' ? HTTPMSG_CB_PAUSE : r->hc_ret;
}
static int on_body(httpmsg_parser *p, const char *at, size_t n)
{
    logs(p, "[");
    logf_(R(p), at, n);
    logs(p, "]");
    nested_check(p);
    return R(p)->pause_on == 'B' ? HTTPMSG_CB_PAUSE : 0;
}
static int on_done(httpmsg_parser *p)
{
    logs(p, ">");
    nested_check(p);
    return R(p)->pause_on == 'M' ? HTTPMSG_CB_PAUSE : 0;
}

static const httpmsg_settings cbs = {
    .on_message_begin = on_begin,
    .on_target = on_target,
    .on_header_name = on_name,
    .on_header_value = on_value,
    .on_headers_complete = on_hc,
    .on_body = on_body,
    .on_message_complete = on_done,
};

/* A request parser recording into r, pausing on pause_on (see struct rec). */
static void rec_start(httpmsg_parser *p, struct rec *r, int pause_on)
{
    httpmsg_init(p, HTTPMSG_REQUEST, &cbs);
    p->data = r;
    r->pause_on = pause_on;
}

static httpmsg_err exec_str(httpmsg_parser *p, const char *s, size_t *used)
{
    return httpmsg_execute(p, s, strlen(s), used);
}

START_TEST(struct_size)
{
    ck_assert_uint_eq(sizeof(httpmsg_parser), HTTPMSG_PARSER_SIZE);
#if UINTPTR_MAX == UINT64_MAX
    ck_assert_uint_eq(sizeof(httpmsg_parser), 144);
#endif
}
END_TEST

START_TEST(bad_arguments)
{
    httpmsg_parser p, zero;
    size_t used = 99;
    memset(&zero, 0, sizeof zero);
    ck_assert_int_eq(httpmsg_init(NULL, HTTPMSG_REQUEST, NULL), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_init(&p, (httpmsg_type)0, NULL), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_init(&p, (httpmsg_type)4, NULL), HTTPMSG_ERR_INVALID_ARGUMENT);
    /* a zero-filled struct is "not initialised" */
    ck_assert_int_eq(httpmsg_execute(&zero, "GET", 3, &used), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(httpmsg_finish(&zero), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_set_flags(&zero, 0), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_resume(&zero), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_get_error(&zero), HTTPMSG_ERR_INVALID_ARGUMENT);
    httpmsg_reset(&zero); /* ignored, no crash */
    httpmsg_reset(NULL);
    ck_assert_int_eq(httpmsg_execute(NULL, "x", 1, &used), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_finish(NULL), HTTPMSG_ERR_INVALID_ARGUMENT);
    /* accessors on NULL: the documented "nothing" values */
    ck_assert_int_eq(httpmsg_get_error(NULL), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(httpmsg_get_flags(NULL), 0);
    ck_assert_uint_eq(httpmsg_get_flags(&zero), 0);
    ck_assert_uint_eq(httpmsg_error_offset(NULL), 0);
    ck_assert_int_eq(httpmsg_user_error(NULL), 0);
    ck_assert_uint_eq(httpmsg_bytes_consumed(NULL), 0);
    ck_assert_int_eq(httpmsg_message_type(NULL), 0);
    ck_assert_int_eq(httpmsg_get_method(NULL), HTTPMSG_METHOD_NONE);
    ck_assert_int_eq(httpmsg_status(NULL), 0);
    ck_assert_int_eq(httpmsg_http_major(NULL), 0);
    ck_assert_int_eq(httpmsg_http_minor(NULL), 0);
    ck_assert_int_eq(httpmsg_body_kind(NULL), HTTPMSG_BODY_NONE);
    ck_assert_uint_eq(httpmsg_content_length(NULL), HTTPMSG_NO_LENGTH);
    ck_assert_int_eq(httpmsg_is_chunked(NULL), 0);
    ck_assert_int_eq(httpmsg_should_keep_alive(NULL), 0);
    ck_assert_int_eq(httpmsg_is_upgrade(NULL), 0);
    ck_assert_int_eq(httpmsg_expect_continue(NULL), 0);
    ck_assert_int_eq(httpmsg_host_count(NULL), 0);
    ck_assert_uint_eq(httpmsg_chunk_size(NULL), 0);

    ck_assert_int_eq(httpmsg_init(&p, HTTPMSG_REQUEST, NULL), HTTPMSG_OK);
    /* NULL data with len > 0: refused, and not sticky */
    ck_assert_int_eq(httpmsg_execute(&p, NULL, 5, &used), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_get_error(&p), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_execute(&p, NULL, 0, &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_set_flags(&p, 1u << 30), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_set_flags(&p, HTTPMSG_LENIENT_ALL_), HTTPMSG_OK);
    ck_assert_uint_eq(httpmsg_get_flags(&p), HTTPMSG_LENIENT_ALL_);
    ck_assert_int_eq(httpmsg_set_max_head(&p, 15), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_set_max_head(&p, 16), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_set_max_head(&p, ((size_t)1 << 31) + 1), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_set_max_body(NULL, 5), HTTPMSG_ERR_INVALID_ARGUMENT);
    /* used may be NULL */
    ck_assert_int_eq(httpmsg_set_max_head(&p, 1024), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_execute(&p, "GET / HTTP/1.1\r\n\r\n", 18, NULL), HTTPMSG_OK);
}
END_TEST

START_TEST(null_callbacks)
{
    /* NULL settings and a table of NULLs both parse everything, silently */
    static const httpmsg_settings none;
    const char *in = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nabcd\r\n0\r\nT: 1\r\n\r\n"
                     "GET /y HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi";
    for (int k = 0; k < 2; k++) {
        httpmsg_parser p;
        size_t used;
        httpmsg_init(&p, HTTPMSG_REQUEST, k ? &none : NULL);
        ck_assert_int_eq(exec_str(&p, in, &used), HTTPMSG_OK);
        ck_assert_uint_eq(used, strlen(in));
        ck_assert_uint_eq(httpmsg_bytes_consumed(&p), strlen(in));
        ck_assert_int_eq(httpmsg_get_method(&p), HTTPMSG_METHOD_GET);
        ck_assert_uint_eq(httpmsg_content_length(&p), 2);
        ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK);
    }
}
END_TEST

START_TEST(zero_length_execute)
{
    httpmsg_parser p;
    struct rec r = {0};
    size_t used = 5;
    rec_start(&p, &r, 0);
    ck_assert_int_eq(httpmsg_execute(&p, "", 0, &used), HTTPMSG_OK);
    ck_assert_uint_eq(used, 0);
    ck_assert_uint_eq(r.len, 0);
    /* not end of input: a message can still arrive and complete */
    ck_assert_int_eq(exec_str(&p, "GET /a HTTP/1.1\r\n", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_execute(&p, "", 0, &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "\r\n", &used), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "</a#>");
}
END_TEST

START_TEST(sticky_error_and_reset)
{
    httpmsg_parser p;
    struct rec r = {0};
    size_t used = 0;
    rec_start(&p, &r, 0);
    httpmsg_set_flags(&p, HTTPMSG_LENIENT_OBS_FOLD);
    httpmsg_set_max_head(&p, 200);
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\nBad Name: x\r\n", &used), HTTPMSG_ERR_SPACE_BEFORE_COLON);
    ck_assert_uint_eq(used, 19);
    ck_assert_uint_eq(httpmsg_error_offset(&p), 19);
    ck_assert_int_eq(httpmsg_get_error(&p), HTTPMSG_ERR_SPACE_BEFORE_COLON);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_SPACE_BEFORE_COLON), 400);
    /* every later call gives the same error, consuming nothing */
    used = 9;
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\n\r\n", &used), HTTPMSG_ERR_SPACE_BEFORE_COLON);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_ERR_SPACE_BEFORE_COLON);
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_ERR_SPACE_BEFORE_COLON);
    /* bad arguments are reported before it, and leave it as it was */
    ck_assert_int_eq(httpmsg_execute(&p, NULL, 3, &used), HTTPMSG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(httpmsg_get_error(&p), HTTPMSG_ERR_SPACE_BEFORE_COLON);
    /* reset: a fresh stream, same settings, flags, limits and data */
    httpmsg_reset(&p);
    ck_assert_int_eq(httpmsg_get_error(&p), HTTPMSG_OK);
    ck_assert_uint_eq(httpmsg_bytes_consumed(&p), 0);
    ck_assert_ptr_eq(p.data, &r);
    ck_assert_uint_eq(httpmsg_get_flags(&p), HTTPMSG_LENIENT_OBS_FOLD);
    r.len = 0;
    ck_assert_int_eq(exec_str(&p, "GET /b HTTP/1.1\r\nA: 1\r\n 2\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "</b|A=1 2#>"); /* the fold arrives as one SP */
    /* the 200-byte head limit survived the reset */
    {
        char big[300];
        memset(big, 'a', sizeof big);
        memcpy(big, "GET /", 5);
        ck_assert_int_eq(httpmsg_execute(&p, big, sizeof big, &used), HTTPMSG_ERR_URI_TOO_LONG);
        ck_assert_uint_eq(httpmsg_error_offset(&p), 29 + 200);
    }
    /* nothing of the old stream's exchange survives a reset: here, the
     * "close" of an interim response, which the final one would inherit */
    ck_assert_int_eq(httpmsg_init(&p, HTTPMSG_RESPONSE, NULL), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n", &used), HTTPMSG_OK);
    httpmsg_reset(&p);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 204 No Content\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_should_keep_alive(&p), 1);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 204 No Content\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_should_keep_alive(&p), 0); /* and without the reset, it would */
}
END_TEST

START_TEST(user_errors)
{
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    rec_start(&p, &r, 0);
    r.fail_with = -42;
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\nA: x\r\nB: y\r\n\r\n", &used), HTTPMSG_ERR_USER);
    ck_assert_int_eq(httpmsg_user_error(&p), -42);
    ck_assert_uint_eq(used, 22); /* after "A: x\r\n" */
    ck_assert_uint_eq(httpmsg_error_offset(&p), 22);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_USER), 500);
    ck_assert_int_eq(exec_str(&p, "x", &used), HTTPMSG_ERR_USER);
    ck_assert_str_eq(r.log, "</|A=x");
    /* an undefined positive return is an error too */
    httpmsg_reset(&p);
    r.fail_with = 7;
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\nA: x\r\n\r\n", &used), HTTPMSG_ERR_USER);
    ck_assert_int_eq(httpmsg_user_error(&p), 7);
    /* headers_complete may not return junk either */
    httpmsg_reset(&p);
    r.fail_with = 0;
    r.hc_ret = 64;
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\n\r\n", &used), HTTPMSG_ERR_USER);
    ck_assert_int_eq(httpmsg_user_error(&p), 64);
}
END_TEST

START_TEST(pause_resume_headers)
{
    /* Expect: 100-continue is visible before any body byte is consumed */
    const char *in = "POST /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody";
    httpmsg_parser p;
    struct rec r = {0};
    size_t used, head = strlen(in) - 4;
    rec_start(&p, &r, 'H');
    ck_assert_int_eq(exec_str(&p, in, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, head);
    ck_assert(httpmsg_expect_continue(&p));
    ck_assert_int_eq(httpmsg_body_kind(&p), HTTPMSG_BODY_LENGTH);
    ck_assert_str_eq(r.log, "</u|Expect=100-continue|Content-Length=4#");
    /* still paused until resumed */
    ck_assert_int_eq(exec_str(&p, in + used, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    r.pause_on = 'B';
    ck_assert_int_eq(exec_str(&p, in + head, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, 4);
    ck_assert_str_eq(r.log, "</u|Expect=100-continue|Content-Length=4#[body]");
    httpmsg_resume(&p);
    r.pause_on = 0;
    /* the message complete the pause put off: a zero-length call makes it */
    ck_assert_int_eq(httpmsg_execute(&p, in + strlen(in), 0, &used), HTTPMSG_OK);
    ck_assert_uint_eq(used, 0);
    ck_assert_str_eq(r.log, "</u|Expect=100-continue|Content-Length=4#[body]>");
    /* and only once */
    ck_assert_int_eq(httpmsg_execute(&p, NULL, 0, NULL), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "</u|Expect=100-continue|Content-Length=4#[body]>");
}
END_TEST

START_TEST(zero_length_after_pause_at_head_end)
{
    /* A bodiless GET and a CONNECT, each paused in on_headers_complete with
     * its head at the end of the buffer: after the resume, a zero-length
     * call completes the message (the CONNECT's client sends nothing until
     * it has its 200).  A pause in that call stops it again. */
    const char *get = "GET /g HTTP/1.1\r\nHost: h\r\n\r\n";
    const char *con = "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n";
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    rec_start(&p, &r, 'H');
    ck_assert_int_eq(exec_str(&p, get, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, strlen(get));
    ck_assert_str_eq(r.log, "</g|Host=h#");
    ck_assert_int_eq(httpmsg_execute(&p, NULL, 0, &used), HTTPMSG_PAUSED); /* not before the resume */
    ck_assert_str_eq(r.log, "</g|Host=h#");
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    r.pause_on = 'M';
    used = 9;
    ck_assert_int_eq(httpmsg_execute(&p, NULL, 0, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, 0);
    ck_assert_str_eq(r.log, "</g|Host=h#>");
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    r.pause_on = 'H';
    ck_assert_int_eq(exec_str(&p, con, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, strlen(con));
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_execute(&p, "", 0, &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 0);
    ck_assert_str_eq(r.log, "</g|Host=h#><h:443|Host=h:443#>");
    ck_assert_uint_eq(httpmsg_bytes_consumed(&p), strlen(get) + strlen(con));
    ck_assert_int_eq(httpmsg_execute(&p, "x", 1, &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(pause_in_message_complete_pipelining)
{
    const char *in = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n";
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    rec_start(&p, &r, 'M');
    ck_assert_int_eq(exec_str(&p, in, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, 19); /* exactly the first message */
    httpmsg_resume(&p);
    ck_assert_int_eq(exec_str(&p, in + used, &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, 19);
    ck_assert_str_eq(r.log, "</1#></2#>");
}
END_TEST

START_TEST(upgrade_offset_and_resume)
{
    const char *in = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nRAW BYTES";
    httpmsg_parser p;
    struct rec r = {0};
    size_t used, head = strlen(in) - 9;
    rec_start(&p, &r, 0);
    ck_assert_int_eq(exec_str(&p, in, &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, head);
    ck_assert(httpmsg_is_upgrade(&p));
    ck_assert_int_eq(exec_str(&p, "more", &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_UPGRADE);
    /* a server that declines the upgrade goes on with HTTP */
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "GET /next HTTP/1.1\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "</ws|Upgrade=websocket|Connection=upgrade#></next#>");

    /* CONNECT stops right after the head */
    httpmsg_reset(&p);
    ck_assert_int_eq(exec_str(&p, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n\x16\x03", &used),
                     HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 55);
    ck_assert_int_eq(httpmsg_get_method(&p), HTTPMSG_METHOD_CONNECT);

    /* declined, the next head gets the whole head limit, also when the
     * upgrade's head came in pieces (30 bytes here: the limit is 70, the
     * heads 62 and 63 bytes) */
    {
        const char *two = "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: foo\r\n\r\n"
                          "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n";
        size_t n = strlen(two), off = 0, upgrades = 0;
        httpmsg_reset(&p);
        r.len = 0;
        ck_assert_int_eq(httpmsg_set_max_head(&p, 70), HTTPMSG_OK);
        while (off < n) {
            httpmsg_err e = httpmsg_execute(&p, two + off, n - off < 30 ? n - off : 30, &used);
            off += used;
            if (e == HTTPMSG_UPGRADE) {
                ck_assert_uint_eq(off, 62);
                ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
                upgrades++;
            } else {
                ck_assert_int_eq(e, HTTPMSG_OK);
            }
        }
        ck_assert_uint_eq(upgrades, 1);
        ck_assert_str_eq(r.log, "</|Host=a|Connection=upgrade|Upgrade=foo#></aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|Host=a#>");
        ck_assert_int_eq(httpmsg_set_max_head(&p, HTTPMSG_DEFAULT_MAX_HEAD), HTTPMSG_OK);
    }

    /* a pause in the upgrade's on_message_complete: once resumed, the next
     * call returns the upgrade, a zero-length one too */
    httpmsg_reset(&p);
    r.pause_on = 'M';
    ck_assert_int_eq(exec_str(&p, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", &used),
                     HTTPMSG_PAUSED);
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_execute(&p, NULL, 0, &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(httpmsg_get_error(&p), HTTPMSG_UPGRADE);
    ck_assert_int_eq(exec_str(&p, "\x16", &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 0);
    r.pause_on = 0;

    /* a declined upgrade whose message ended the connection (HTTP/1.0
     * without keep-alive, or "close"): what follows is CLOSED, as after any
     * closing message (RFC 9112 §9.6), unless DATA_AFTER_CLOSE allows it */
    {
        static const char *const closing[] = {
            "CONNECT h:1 HTTP/1.0\r\n\r\n",
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade, close\r\n\r\n",
        };
        for (int i = 0; i < 2; i++) {
            size_t head = strlen(closing[i]);
            httpmsg_reset(&p);
            ck_assert_int_eq(exec_str(&p, closing[i], &used), HTTPMSG_UPGRADE);
            ck_assert_int_eq(httpmsg_should_keep_alive(&p), 0);
            ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
            ck_assert_int_eq(exec_str(&p, "\r\n", &used), HTTPMSG_OK); /* empty lines are still fine */
            ck_assert_int_eq(exec_str(&p, "GET /second HTTP/1.1\r\n\r\n", &used), HTTPMSG_ERR_CLOSED);
            ck_assert_uint_eq(used, 0);
            ck_assert_uint_eq(httpmsg_error_offset(&p), head + 2);
            httpmsg_reset(&p);
            ck_assert_int_eq(exec_str(&p, closing[i], &used), HTTPMSG_UPGRADE);
            ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
            ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK); /* ended between messages */
            httpmsg_reset(&p);
            ck_assert_int_eq(httpmsg_set_flags(&p, HTTPMSG_LENIENT_DATA_AFTER_CLOSE), HTTPMSG_OK);
            ck_assert_int_eq(exec_str(&p, closing[i], &used), HTTPMSG_UPGRADE);
            ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
            ck_assert_int_eq(exec_str(&p, "GET /second HTTP/1.1\r\n\r\n", &used), HTTPMSG_OK);
            ck_assert_int_eq(httpmsg_set_flags(&p, 0), HTTPMSG_OK);
        }
    }
}
END_TEST

START_TEST(headers_complete_return_codes)
{
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    httpmsg_init(&p, HTTPMSG_RESPONSE, &cbs);
    p.data = &r;
    /* the answer to HEAD: Content-Length but no body */
    r.hc_ret = HTTPMSG_CB_SKIP_BODY;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", &used),
                     HTTPMSG_OK);
    ck_assert_str_eq(r.log, "<|Content-Length=10#><#>");
    ck_assert_uint_eq(httpmsg_content_length(&p), HTTPMSG_NO_LENGTH);
    /* a 2xx answer to CONNECT: the tunnel starts after the head */
    httpmsg_reset(&p);
    r.len = 0;
    r.hc_ret = HTTPMSG_CB_UPGRADE | HTTPMSG_CB_PAUSE;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 Connection established\r\n\r\nTLS", &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(used, 39);
    ck_assert(httpmsg_is_upgrade(&p));
    httpmsg_resume(&p);
    ck_assert_int_eq(exec_str(&p, "TLS", &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 0);
    ck_assert_str_eq(r.log, "<#>");
    /* that 2xx has no body (RFC 9112 §6.3 item 2), so, unframed, it does
     * not end the connection: declined, the next response follows */
    httpmsg_reset(&p);
    r.hc_ret = HTTPMSG_CB_UPGRADE;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\n\r\n", &used), HTTPMSG_UPGRADE);
    ck_assert_int_eq(httpmsg_should_keep_alive(&p), 1);
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    r.hc_ret = HTTPMSG_CB_OK;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 204 No Content\r\n\r\n", &used), HTTPMSG_OK);
}
END_TEST

/* What only on_headers_complete knows: a response answering HEAD or
 * CONNECT has no body whatever its head says (RFC 9112 §6.3 items 1-2), so
 * neither read-until-close nor the Content-Length limit applies to it. */
START_TEST(skip_body_framing)
{
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    const char *two = "HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
    httpmsg_init(&p, HTTPMSG_RESPONSE, &cbs);
    p.data = &r;
    /* no framing at all: read until close... */
    ck_assert_int_eq(exec_str(&p, two, &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_should_keep_alive(&p), 0);
    ck_assert_str_eq(r.log, "<#[HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n]");
    /* ...unless it answers HEAD: then the connection stays open, byte by byte too */
    for (size_t piece = 1; piece <= strlen(two); piece += strlen(two) - 1) {
        httpmsg_reset(&p);
        r.len = 0;
        r.hc_ret = HTTPMSG_CB_SKIP_BODY;
        for (size_t i = 0; i < strlen(two); i += piece)
            ck_assert_int_eq(httpmsg_execute(&p, two + i, strlen(two) - i < piece ? strlen(two) - i : piece, &used),
                             HTTPMSG_OK);
        ck_assert_str_eq(r.log, "<#><|Content-Length=3#>");
        ck_assert_int_eq(httpmsg_should_keep_alive(&p), 1);
    }
    /* "Connection: close" still closes it */
    httpmsg_reset(&p);
    r.len = 0;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", &used),
                     HTTPMSG_ERR_CLOSED);
    ck_assert_uint_eq(used, 38);
    /* the body limit: checked after the callback for a response... */
    httpmsg_reset(&p);
    r.len = 0;
    httpmsg_set_max_body(&p, 10);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "<|Content-Length=1000#>");
    r.len = 0;
    r.hc_ret = HTTPMSG_CB_UPGRADE; /* a 2xx answer to CONNECT: its Content-Length is ignored */
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nTLS", &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 41);
    httpmsg_reset(&p);
    httpmsg_set_max_body(&p, 10);
    r.len = 0;
    r.hc_ret = HTTPMSG_CB_OK;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", &used), HTTPMSG_ERR_BODY_TOO_LARGE);
    ck_assert_uint_eq(used, 41);
    ck_assert_str_eq(r.log, "<|Content-Length=1000#");
    /* ...and before it for a request, whose head alone frames it */
    rec_start(&p, &r, 0);
    httpmsg_set_max_body(&p, 10);
    r.len = 0;
    ck_assert_int_eq(exec_str(&p, "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", &used), HTTPMSG_ERR_BODY_TOO_LARGE);
    ck_assert_str_eq(r.log, "</|Content-Length=11");
    ck_assert_uint_eq(httpmsg_error_offset(&p), 39); /* the end of the head */
    /* an HTTP/1.0 response with Transfer-Encoding has faulty framing (RFC
     * 9112 §6.1): the connection closes after it, keep-alive asked for and
     * its body skipped or not */
    httpmsg_init(&p, HTTPMSG_RESPONSE, &cbs);
    p.data = &r;
    r.len = 0;
    r.hc_ret = HTTPMSG_CB_SKIP_BODY;
    ck_assert_int_eq(exec_str(&p,
                              "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
                              &used),
                     HTTPMSG_ERR_CLOSED);
    ck_assert_uint_eq(used, 71);
    ck_assert_int_eq(httpmsg_should_keep_alive(&p), 0);
    ck_assert_str_eq(r.log, "<|Connection=keep-alive|Transfer-Encoding=chunked#>");
}
END_TEST

/* A request's head alone frames its content (RFC 9112 §6.3): skipping it
 * would parse it as the next request, and an upgrade waits for it (RFC 9110
 * §7.8).  So on_headers_complete may return SKIP_BODY or UPGRADE for a
 * request only when it has none; and never both at once. */
START_TEST(headers_complete_refusals)
{
    static const char *const with_content[] = {
        "POST / HTTP/1.1\r\nContent-Length: 30\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    };
    static const int refused[] = {HTTPMSG_CB_SKIP_BODY, HTTPMSG_CB_UPGRADE, HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_PAUSE,
                                  HTTPMSG_CB_UPGRADE | HTTPMSG_CB_PAUSE};
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    for (size_t i = 0; i < sizeof with_content / sizeof *with_content; i++) {
        for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
            rec_start(&p, &r, 0);
            r.len = 0;
            r.hc_ret = refused[k];
            ck_assert_int_eq(exec_str(&p, with_content[i], &used), HTTPMSG_ERR_USER);
            ck_assert_int_eq(httpmsg_user_error(&p), refused[k]);
            ck_assert_ptr_null(strchr(r.log, '['));                  /* no body byte went anywhere */
            ck_assert_ptr_null(strchr(r.log, '>'));                  /* the message did not complete */
            ck_assert_ptr_null(strchr(strchr(r.log, '<') + 1, '<')); /* nor did a next one begin */
        }
    }
    /* without content both are allowed */
    rec_start(&p, &r, 0);
    r.len = 0;
    r.hc_ret = HTTPMSG_CB_SKIP_BODY;
    ck_assert_int_eq(exec_str(&p, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\nGET / HTTP/1.1\r\n\r\n", &used),
                     HTTPMSG_OK);
    r.hc_ret = HTTPMSG_CB_UPGRADE;
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\n\r\nxyz", &used), HTTPMSG_UPGRADE);
    ck_assert_uint_eq(used, 18);
    /* a response with content may be skipped (it answers HEAD) */
    httpmsg_init(&p, HTTPMSG_RESPONSE, &cbs);
    p.data = &r;
    r.hc_ret = HTTPMSG_CB_SKIP_BODY;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n", &used), HTTPMSG_OK);
    /* SKIP_BODY and UPGRADE together are no valid answer, for either */
    httpmsg_reset(&p);
    r.hc_ret = HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\n\r\n", &used), HTTPMSG_ERR_USER);
    ck_assert_int_eq(httpmsg_user_error(&p), HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE);
    rec_start(&p, &r, 0);
    r.hc_ret = HTTPMSG_CB_SKIP_BODY | HTTPMSG_CB_UPGRADE;
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\n\r\n", &used), HTTPMSG_ERR_USER);
}
END_TEST

/* Where a pause in each start-line and chunk notification leaves `used`
 * (the README's list): the callback named in `pause_in` pauses. */
static const char *pause_in;
static int pause_if(const char *name) { return strcmp(name, pause_in) ? HTTPMSG_CB_OK : HTTPMSG_CB_PAUSE; }
static int pv(httpmsg_parser *p) { (void)p; return pause_if("version"); }
static int ps(httpmsg_parser *p) { (void)p; return pause_if("status"); }
static int pr(httpmsg_parser *p) { (void)p; return pause_if("reason"); }
static int pe(httpmsg_parser *p) { (void)p; return pause_if("extension"); }
static int ph(httpmsg_parser *p) { (void)p; return pause_if("chunk"); }

START_TEST(pause_positions)
{
    static const httpmsg_settings pcb = {.on_version_complete = pv,
                                         .on_status_complete = ps,
                                         .on_reason_complete = pr,
                                         .on_chunk_extension_complete = pe,
                                         .on_chunk_header = ph};
    static const struct {
        httpmsg_type type;
        uint32_t flags;
        const char *in, *where, *rest;
    } cases[] = {
        {HTTPMSG_REQUEST, 0, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "version", "Host: a\r\n\r\n"},
        {HTTPMSG_RESPONSE, 0, "HTTP/1.1 200 OK\r\n\r\n", "version", "200 OK\r\n\r\n"},
        {HTTPMSG_RESPONSE, 0, "HTTP/1.1 200 OK\r\n\r\n", "status", "OK\r\n\r\n"},
        {HTTPMSG_RESPONSE, HTTPMSG_LENIENT_MISSING_REASON_SP, "HTTP/1.1 200\r\n\r\n", "status", "\r\n\r\n"},
        {HTTPMSG_RESPONSE, 0, "HTTP/1.1 200 OK\r\n\r\n", "reason", "\r\n"},
        {HTTPMSG_RESPONSE, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b\r\nx\r\n0\r\n\r\n",
         "extension", "x\r\n0\r\n\r\n"},
        {HTTPMSG_RESPONSE, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b\r\nx\r\n0\r\n\r\n",
         "chunk", "x\r\n0\r\n\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        httpmsg_parser p;
        size_t used, n = strlen(cases[i].in);
        pause_in = cases[i].where;
        httpmsg_init(&p, cases[i].type, &pcb);
        httpmsg_set_flags(&p, cases[i].flags);
        ck_assert_int_eq(httpmsg_execute(&p, cases[i].in, n, &used), HTTPMSG_PAUSED);
        ck_assert_str_eq(cases[i].in + used, cases[i].rest);
        pause_in = "";
        ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
        ck_assert_int_eq(httpmsg_execute(&p, cases[i].in + used, n - used, &used), HTTPMSG_OK);
    }
}
END_TEST

START_TEST(no_reentry_from_callbacks)
{
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    rec_start(&p, &r, 0);
    r.nested = &p;
    ck_assert_int_eq(exec_str(&p, "GET / HTTP/1.1\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "</#(nested refused)>(nested refused)");
    /* a body piece that bypasses the loop, then the body's end */
    r.len = 0;
    ck_assert_int_eq(exec_str(&p, "PUT / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab", &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "c", &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "d", &used), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "</|Content-Length=4#(nested refused)[ab](nested refused)[c](nested refused)[d](nested "
                            "refused)>(nested refused)");
    /* the end of a body read until close, which httpmsg_finish() reports */
    httpmsg_init(&p, HTTPMSG_RESPONSE, &cbs);
    p.data = &r;
    r.len = 0;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\n\r\nxy", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "<#(nested refused)[xy](nested refused)>(nested refused)");
    ck_assert_int_eq(httpmsg_execute(&p, "", 0, &used), HTTPMSG_OK); /* and after them, calls are taken */
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK);
}
END_TEST

/* A body limit lowered below what a body already read lets no more through
 * (it used to wrap around to no limit), from a callback too. */
static int lower_limit_in_body(httpmsg_parser *p, const char *at, size_t n)
{
    (void)at;
    (void)n;
    return httpmsg_set_max_body(p, 1) == HTTPMSG_OK ? 0 : -1;
}
START_TEST(body_limit_lowered)
{
    static const httpmsg_settings lower = {.on_body = lower_limit_in_body};
    httpmsg_parser p;
    size_t used;
    /* read until close */
    httpmsg_init(&p, HTTPMSG_RESPONSE, NULL);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\n\r\n0123456789", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_set_max_body(&p, 5), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "x", &used), HTTPMSG_ERR_BODY_TOO_LARGE);
    ck_assert_uint_eq(used, 0);
    ck_assert_uint_eq(httpmsg_error_offset(&p), 29);
    /* chunked: the next chunk-size line is checked against it */
    httpmsg_init(&p, HTTPMSG_RESPONSE, NULL);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n", &used),
                     HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_set_max_body(&p, 5), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "ffffffff\r\n", &used), HTTPMSG_ERR_BODY_TOO_LARGE);
    ck_assert_uint_eq(used, 0);
    httpmsg_init(&p, HTTPMSG_RESPONSE, NULL);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n", &used),
                     HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_set_max_body(&p, 5), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "0\r\n\r\n", &used), HTTPMSG_OK); /* the last chunk adds nothing */
    /* lowered from on_body, in a body read until close */
    httpmsg_init(&p, HTTPMSG_RESPONSE, &lower);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\n\r\nab", &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "c", &used), HTTPMSG_ERR_BODY_TOO_LARGE);
}
END_TEST

/* Changing the head limit in the middle of a head: the head under way keeps
 * the bytes it used (httpmsg.h).  A 52-byte head, its first 30 bytes parsed
 * under limit `before` (0: the default), the rest under `after`; returns
 * the result of the second call, *where the error offset or the bytes
 * that call used. */
static httpmsg_err head_limit_changed(size_t before, size_t after, uint64_t *where)
{
    const char *in = "GET / HTTP/1.1\r\nHost: aaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    httpmsg_parser p;
    size_t used;
    httpmsg_err e;
    httpmsg_init(&p, HTTPMSG_REQUEST, NULL);
    if (before)
        ck_assert_int_eq(httpmsg_set_max_head(&p, before), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_execute(&p, in, 30, &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_set_max_head(&p, after), HTTPMSG_OK);
    e = exec_str(&p, in + 30, &used);
    *where = e == HTTPMSG_OK ? used : httpmsg_error_offset(&p);
    return e;
}

START_TEST(head_limit_changed_mid_head)
{
    uint64_t where;
    /* lowered to 40: the head ends past it */
    ck_assert_int_eq(head_limit_changed(0, 40, &where), HTTPMSG_ERR_HEAD_TOO_LARGE);
    ck_assert_uint_eq(where, 40);
    /* to 52: exactly enough; to 51, one byte short */
    ck_assert_int_eq(head_limit_changed(0, 52, &where), HTTPMSG_OK);
    ck_assert_uint_eq(where, 22);
    ck_assert_int_eq(head_limit_changed(0, 51, &where), HTTPMSG_ERR_HEAD_TOO_LARGE);
    ck_assert_uint_eq(where, 51);
    /* below what is used: the next byte fails */
    ck_assert_int_eq(head_limit_changed(0, 20, &where), HTTPMSG_ERR_HEAD_TOO_LARGE);
    ck_assert_uint_eq(where, 30);
    /* raised from a limit the head would overrun: it passes */
    ck_assert_int_eq(head_limit_changed(32, 52, &where), HTTPMSG_OK);
    ck_assert_uint_eq(where, 22);
}
END_TEST

START_TEST(finish_cases)
{
    httpmsg_parser p;
    struct rec r = {0};
    size_t used;
    httpmsg_init(&p, HTTPMSG_RESPONSE, &cbs);
    p.data = &r;
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK); /* empty stream */
    ck_assert_int_eq(exec_str(&p, "x", &used), HTTPMSG_ERR_CLOSED);
    httpmsg_reset(&p);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\n\r\npart", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK); /* read-until-close body ends */
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK);
    ck_assert_str_eq(r.log, "<#[part]>");
    httpmsg_reset(&p);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\npart", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_ERR_INCOMPLETE);
    ck_assert_uint_eq(httpmsg_error_offset(&p), 42);
}
END_TEST

START_TEST(interleaved_parsers)
{
    const char *a = "GET /alpha HTTP/1.1\r\nX: 1\r\nContent-Length: 3\r\n\r\nabc";
    const char *b = "PUT /beta HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n";
    httpmsg_parser pa, pb;
    struct rec ra = {0}, rb = {0};
    size_t la = strlen(a), lb = strlen(b), used;
    httpmsg_init(&pa, HTTPMSG_REQUEST, &cbs);
    httpmsg_init(&pb, HTTPMSG_REQUEST, &cbs);
    pa.data = &ra;
    pb.data = &rb;
    for (size_t i = 0; i < la || i < lb; i++) {
        if (i < la)
            ck_assert_int_eq(httpmsg_execute(&pa, a + i, 1, &used), HTTPMSG_OK);
        if (i < lb)
            ck_assert_int_eq(httpmsg_execute(&pb, b + i, 1, &used), HTTPMSG_OK);
    }
    ck_assert_str_eq(ra.log, "</alpha|X=1|Content-Length=3#[a][b][c]>");
    ck_assert_str_eq(rb.log, "</beta|Transfer-Encoding=chunked#[x][y]>");
}
END_TEST

static void *thread_parse(void *arg)
{
    const char *in = arg;
    httpmsg_parser p;
    struct rec r = {0};
    size_t used, n = strlen(in);
    long ok = 1;
    for (int round = 0; round < 2000 && ok; round++) {
        httpmsg_init(&p, HTTPMSG_REQUEST, &cbs);
        p.data = &r;
        r.len = 0;
        for (size_t i = 0; i < n; i += 7)
            ok &= httpmsg_execute(&p, in + i, n - i < 7 ? n - i : 7, &used) == HTTPMSG_OK;
        ok &= strncmp(r.log, "</", 2) == 0 && r.log[r.len - 1] == '>';
        ok &= httpmsg_get_method(&p) == (in[0] == 'G' ? HTTPMSG_METHOD_GET : HTTPMSG_METHOD_DELETE);
    }
    return (void *)ok;
}

START_TEST(two_threads)
{
    pthread_t t1, t2;
    void *r1, *r2;
    static char a[] = "GET /one HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
    static char b[] = "DELETE /two/longer HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    ck_assert_int_eq(pthread_create(&t1, NULL, thread_parse, a), 0);
    ck_assert_int_eq(pthread_create(&t2, NULL, thread_parse, b), 0);
    pthread_join(t1, &r1);
    pthread_join(t2, &r2);
    ck_assert(r1 == (void *)1 && r2 == (void *)1);
}
END_TEST

/* httpmsg_get_method() after the method, for every registered name and for
 * near misses, whole and one byte at a time, with a space or (lenient) a tab
 * after it. */
static httpmsg_method method_of(const char *line, int tab, size_t piece)
{
    httpmsg_parser p;
    size_t used, n = strlen(line);
    httpmsg_init(&p, HTTPMSG_REQUEST, NULL);
    if (tab)
        httpmsg_set_flags(&p, HTTPMSG_LENIENT_WHITESPACE);
    for (size_t i = 0; i < n; i += piece)
        if (httpmsg_execute(&p, line + i, n - i < piece ? n - i : piece, &used) != HTTPMSG_OK)
            return (httpmsg_method)-1;
    return httpmsg_get_method(&p);
}

START_TEST(method_lookup)
{
    static const struct {
        const char *name;
        httpmsg_method m;
    } miss[] = {{"GETS", HTTPMSG_METHOD_OTHER}, {"GE", HTTPMSG_METHOD_OTHER},     {"get", HTTPMSG_METHOD_OTHER},
                {"POSTS", HTTPMSG_METHOD_OTHER}, {"POS", HTTPMSG_METHOD_OTHER},   {"PoST", HTTPMSG_METHOD_OTHER},
                {"GOT", HTTPMSG_METHOD_OTHER},  {"HEAD", HTTPMSG_METHOD_HEAD},    {"M-SEARCH", HTTPMSG_METHOD_OTHER}};
    char line[64];
    for (int m = HTTPMSG_METHOD_GET; m < HTTPMSG_METHOD_COUNT_; m++)
        for (int tab = 0; tab < 2; tab++) {
            snprintf(line, sizeof line, "%s%c%s HTTP/1.1\r\n", httpmsg_method_name((httpmsg_method)m), tab ? '\t' : ' ',
                     m == HTTPMSG_METHOD_CONNECT ? "h:80" : "/"); /* CONNECT takes authority-form */
            ck_assert_int_eq(method_of(line, tab, sizeof line), m);
            ck_assert_int_eq(method_of(line, tab, 1), m);
        }
    for (size_t i = 0; i < sizeof miss / sizeof *miss; i++)
        for (int tab = 0; tab < 2; tab++) {
            snprintf(line, sizeof line, "%s%c/ HTTP/1.1\r\n", miss[i].name, tab ? '\t' : ' ');
            ck_assert_int_eq(method_of(line, tab, sizeof line), miss[i].m);
            ck_assert_int_eq(method_of(line, tab, 1), miss[i].m);
        }
    /* every registered name with its first or its last letter changed (the
     * same length): another method */
    for (int m = HTTPMSG_METHOD_GET; m < HTTPMSG_METHOD_COUNT_; m++)
        for (int end = 0; end < 2; end++) {
            char name[32];
            size_t k;
            int registered = 0;
            snprintf(name, sizeof name, "%s", httpmsg_method_name((httpmsg_method)m));
            k = end ? strlen(name) - 1 : 0;
            name[k] = name[k] == 'X' ? 'Y' : 'X';
            for (int o = HTTPMSG_METHOD_GET; o < HTTPMSG_METHOD_COUNT_; o++)
                registered |= strcmp(name, httpmsg_method_name((httpmsg_method)o)) == 0;
            if (registered)
                continue;
            snprintf(line, sizeof line, "%s /x HTTP/1.1\r\n", name);
            ck_assert_msg(method_of(line, 0, sizeof line) == HTTPMSG_METHOD_OTHER, "%s", name);
            ck_assert_msg(method_of(line, 0, 1) == HTTPMSG_METHOD_OTHER, "%s, byte by byte", name);
        }
}
END_TEST

/* HTTPMSG_IMPL is read once, at the first init; httpmsg_set_impl() still
 * works on any parser afterwards. */
START_TEST(impl_chosen_once)
{
    httpmsg_parser p, q;
    const char *first, *other;
    ck_assert_int_eq(httpmsg_init(&p, HTTPMSG_REQUEST, NULL), HTTPMSG_OK);
    first = httpmsg_impl_name(&p);
    ck_assert_str_eq(httpmsg_impl_name(NULL), first);
    other = strcmp(first, "scalar") ? "scalar" : "avx2";
    ck_assert_int_eq(setenv("HTTPMSG_IMPL", other, 1), 0);
    ck_assert_int_eq(httpmsg_init(&q, HTTPMSG_REQUEST, NULL), HTTPMSG_OK);
    ck_assert_str_eq(httpmsg_impl_name(&q), first);
    ck_assert_str_eq(httpmsg_impl_name(NULL), first);
    ck_assert_int_eq(httpmsg_set_impl(&q, "scalar"), HTTPMSG_OK);
    ck_assert_str_eq(httpmsg_impl_name(&q), "scalar");
    ck_assert_str_eq(httpmsg_impl_name(&p), first);
    ck_assert_int_eq(unsetenv("HTTPMSG_IMPL"), 0);
}
END_TEST

/* Every byte value, at every place in a header name or value that the
 * vector code classifies differently (each lane of a 64-byte window, the
 * windows after the first, a buffer's shorter last one), on every scanning
 * path this CPU runs: accepted exactly when RFC 9110 allows it there
 * (tchar, §5.6.2; field-vchar, SP or HTAB, §5.5; with
 * HTTPMSG_LENIENT_VALUE_CHARS anything but NUL, CR and LF), the value then
 * delivered as sent; refused at that byte otherwise, each path with the
 * same error at the same offset.  The classes are spelled out here, not
 * taken from the library. */
/* Check's assertions report each pass to the runner; these loops make some
 * millions of checks, so they report failures only. */
#define EXPECT_(cond, ...)                                                                             \
    do {                                                                                               \
        if (!(cond))                                                                                   \
            ck_abort_msg(__VA_ARGS__);                                                                 \
    } while (0)

struct fieldcap {
    char name[256], value[256];
    size_t nn, nv;
};
/* Appends a piece to a capture of cap bytes; *len counts past a full one. */
static void cap_add(char *dst, size_t cap, size_t *len, const char *at, size_t n)
{
    if (*len + n <= cap)
        memcpy(dst + *len, at, n);
    *len += n;
}
static int cap_name(httpmsg_parser *p, const char *at, size_t n)
{
    struct fieldcap *c = p->data;
    cap_add(c->name, sizeof c->name, &c->nn, at, n);
    return 0;
}
static int cap_value(httpmsg_parser *p, const char *at, size_t n)
{
    struct fieldcap *c = p->data;
    cap_add(c->value, sizeof c->value, &c->nv, at, n);
    return 0;
}
static int rfc_tchar(int c) { return c > 0 && c < 0x80 && (isalnum(c) || strchr("!#$%&'*+-.^_`|~", c)); }
static int rfc_value_byte(int c, int lenient)
{
    if (lenient)
        return c != 0 && c != '\r' && c != '\n';
    return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

/* Parses "GET / HTTP/1.1\r\n" + line + "\r\n\r\n" whole, from a buffer of
 * exactly its size, with the named scanning path; returns the error, the
 * offset in *off, what was captured in *cap. */
static httpmsg_err parse_line_with(const char *impl, uint32_t flags, const char *line, size_t n, uint64_t *off,
                                   struct fieldcap *cap)
{
    static const char start[] = "GET / HTTP/1.1\r\n";
    httpmsg_settings st = {0};
    httpmsg_parser p;
    size_t len = sizeof start - 1 + n + 4, used;
    char *buf = malloc(len);
    httpmsg_err rc;
    EXPECT_(buf != NULL, "out of memory");
    memcpy(buf, start, sizeof start - 1);
    memcpy(buf + sizeof start - 1, line, n);
    memcpy(buf + len - 4, "\r\n\r\n", 4);
    st.on_header_name = cap_name;
    st.on_header_value = cap_value;
    memset(cap, 0, sizeof *cap);
    EXPECT_(httpmsg_init(&p, HTTPMSG_REQUEST, &st) == HTTPMSG_OK && httpmsg_set_impl(&p, impl) == HTTPMSG_OK &&
                httpmsg_set_flags(&p, flags) == HTTPMSG_OK,
            "%s: set-up refused", impl);
    p.data = cap;
    rc = httpmsg_execute(&p, buf, len, &used);
    *off = rc == HTTPMSG_OK ? used : httpmsg_error_offset(&p);
    free(buf);
    return rc;
}

START_TEST(byte_classes_every_path)
{
    static const char *const impls[] = {"scalar", "sse4.2", "avx2", "avx512", "neon"};
    const size_t pre = 16; /* "GET / HTTP/1.1\r\n" */
    int paths = 0;
    for (size_t i = 0; i < sizeof impls / sizeof *impls; i++) {
        httpmsg_parser probe;
        httpmsg_init(&probe, HTTPMSG_REQUEST, NULL);
        if (httpmsg_set_impl(&probe, impls[i]) != HTTPMSG_OK)
            continue; /* not in this build, or not on this CPU */
        paths++;
        for (int lenient = 0; lenient < 2; lenient++)
            for (int c = 0; c < 256; c++)
                for (size_t k = 1; k < 140; k++) {
                    /* a value: k 'a's, c, then m more */
                    char line[256];
                    size_t m = 1 + (k * 7) % 50, n = 0;
                    uint64_t off, ref_off;
                    struct fieldcap cap, ref_cap;
                    httpmsg_err rc, ref;
                    memcpy(line, "X: ", 3);
                    n = 3;
                    memset(line + n, 'a', k);
                    n += k;
                    line[n++] = (char)c;
                    memset(line + n, 'a', m);
                    n += m;
                    rc = parse_line_with(impls[i], lenient ? HTTPMSG_LENIENT_VALUE_CHARS : 0, line, n, &off, &cap);
                    if (rfc_value_byte(c, lenient)) {
                        EXPECT_(rc == HTTPMSG_OK, "%s: value byte 0x%02x at %zu refused (%s)", impls[i], c, k,
                                httpmsg_errname(rc));
                        EXPECT_(cap.nn == 1 && cap.name[0] == 'X', "%s: name of 0x%02x at %zu", impls[i], c, k);
                        EXPECT_(cap.nv == n - 3 && memcmp(cap.value, line + 3, n - 3) == 0,
                                "%s: value with 0x%02x at %zu not delivered as sent", impls[i], c, k);
                    } else {
                        EXPECT_(rc != HTTPMSG_OK, "%s: value byte 0x%02x at %zu accepted", impls[i], c, k);
                        if (c != '\r' && c != '\n')
                            EXPECT_(off == pre + 3 + k, "%s: value byte 0x%02x at %zu refused at %llu", impls[i], c, k,
                                    (unsigned long long)off);
                    }
                    ref = parse_line_with("scalar", lenient ? HTTPMSG_LENIENT_VALUE_CHARS : 0, line, n, &ref_off,
                                          &ref_cap);
                    EXPECT_(rc == ref && off == ref_off, "%s and scalar differ: value byte 0x%02x at %zu", impls[i], c,
                            k);
                    if (lenient || k >= 100 || c == ':')
                        continue;
                    /* a name: k 'b's, c, m more, then ": v" */
                    n = 0;
                    memset(line, 'b', k);
                    n += k;
                    line[n++] = (char)c;
                    memset(line + n, 'b', m);
                    n += m;
                    memcpy(line + n, ": v", 3);
                    n += 3;
                    rc = parse_line_with(impls[i], 0, line, n, &off, &cap);
                    if (rfc_tchar(c)) {
                        EXPECT_(rc == HTTPMSG_OK, "%s: name byte 0x%02x at %zu refused (%s)", impls[i], c, k,
                                httpmsg_errname(rc));
                        EXPECT_(cap.nn == n - 3 && memcmp(cap.name, line, n - 3) == 0,
                                "%s: name with 0x%02x at %zu not delivered as sent", impls[i], c, k);
                        EXPECT_(cap.nv == 1 && cap.value[0] == 'v', "%s: value after name with 0x%02x at %zu", impls[i],
                                c, k);
                    } else {
                        EXPECT_(rc != HTTPMSG_OK && off == pre + k, "%s: name byte 0x%02x at %zu: %s at %llu", impls[i],
                                c, k, httpmsg_errname(rc), (unsigned long long)off);
                    }
                }
    }
    ck_assert_msg(paths >= 1, "no scanning path ran");
}
END_TEST

START_TEST(accessors)
{
    httpmsg_parser p;
    size_t used;
    httpmsg_init(&p, HTTPMSG_REQUEST, NULL);
    ck_assert_int_eq(exec_str(&p, "OPTIONS * HTTP/1.0\r\nHost: a\r\nHost: b\r\nConnection: keep-alive\r\n\r\n", &used),
                     HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_get_method(&p), HTTPMSG_METHOD_OPTIONS);
    ck_assert_int_eq(httpmsg_message_type(&p), HTTPMSG_REQUEST);
    ck_assert_int_eq(httpmsg_http_major(&p), 1);
    ck_assert_int_eq(httpmsg_http_minor(&p), 0);
    ck_assert_int_eq(httpmsg_host_count(&p), 2);
    ck_assert(httpmsg_should_keep_alive(&p));
    ck_assert_int_eq(httpmsg_status(&p), 0);
    ck_assert(!httpmsg_expect_continue(&p));
    ck_assert_uint_eq(httpmsg_content_length(&p), HTTPMSG_NO_LENGTH);
    ck_assert_int_eq(exec_str(&p, "MKCOL /x HTTP/1.1\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_get_method(&p), HTTPMSG_METHOD_MKCOL);
    ck_assert_int_eq(httpmsg_host_count(&p), 0);
    ck_assert_int_eq(exec_str(&p, "BREW /pot HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_get_method(&p), HTTPMSG_METHOD_OTHER);
    ck_assert(httpmsg_expect_continue(&p));
    /* only an HTTP/1.1 request asks (a server MUST ignore it in HTTP/1.0,
     * RFC 9110 §10.1.1) */
    ck_assert_int_eq(exec_str(&p, "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n", &used),
                     HTTPMSG_OK);
    ck_assert(!httpmsg_expect_continue(&p));
    /* the Host count saturates at 255: 257 fields are not 1 */
    {
        char req[16 + 257 * 9 + 3];
        size_t n = 0;
        n += (size_t)sprintf(req + n, "GET / HTTP/1.1\r\n");
        for (int i = 0; i < 257; i++)
            n += (size_t)sprintf(req + n, "Host: a\r\n");
        n += (size_t)sprintf(req + n, "\r\n");
        httpmsg_init(&p, HTTPMSG_REQUEST, NULL);
        ck_assert_int_eq(httpmsg_execute(&p, req, n, &used), HTTPMSG_OK);
        ck_assert_uint_eq(used, n);
        ck_assert_int_eq(httpmsg_host_count(&p), 255);
    }
    /* Expect is a list (RFC 9110 §10.1.1): 100-continue as one of its members */
    {
        static const struct {
            const char *value;
            int want;
        } ex[] = {{"100-continue,", 1}, {", 100-continue", 1},    {"foo, 100-CONTINUE ", 1}, {"100-continue, x=1", 1},
                  {"100-continue foo", 0}, {"100-continuex", 0}, {"foo", 0},                {"100-continue=1", 0},
                  {"100- continue", 0},    {"100 -continue", 0},
                  /* a comma inside a quoted string does not end a member */
                  {"foo=\"a,100-continue,b\"", 0}, {"foo=\"a\\\",100-continue\", 100-continue", 1}};
        for (size_t i = 0; i < sizeof ex / sizeof *ex; i++) {
            char req[128];
            snprintf(req, sizeof req, "POST / HTTP/1.1\r\nExpect: %s\r\nContent-Length: 0\r\n\r\n", ex[i].value);
            for (size_t piece = 1; piece <= strlen(req); piece += strlen(req) - 1) { /* byte by byte, whole */
                httpmsg_init(&p, HTTPMSG_REQUEST, NULL);
                for (size_t k = 0; k < strlen(req); k += piece)
                    ck_assert_int_eq(httpmsg_execute(&p, req + k, strlen(req) - k < piece ? strlen(req) - k : piece,
                                                     &used),
                                     HTTPMSG_OK);
                ck_assert_msg(httpmsg_expect_continue(&p) == ex[i].want, "Expect: %s, pieces of %zu", ex[i].value,
                              piece);
            }
        }
        httpmsg_init(&p, HTTPMSG_REQUEST, NULL);
    }
    /* a method split over calls is still recognised */
    ck_assert_int_eq(exec_str(&p, "PROP", &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "FIND / HTTP/1.1\r\n\r\n", &used), HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_get_method(&p), HTTPMSG_METHOD_PROPFIND);

    httpmsg_init(&p, HTTPMSG_RESPONSE, NULL);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1f\r\n", &used),
                     HTTPMSG_OK);
    ck_assert_int_eq(httpmsg_status(&p), 404);
    ck_assert(httpmsg_is_chunked(&p));
    ck_assert_uint_eq(httpmsg_chunk_size(&p), 31);
    ck_assert_int_eq(httpmsg_get_method(&p), HTTPMSG_METHOD_NONE);
    ck_assert_ptr_nonnull(httpmsg_impl_name(&p));
    /* before the first chunk: 0, not the Content-Length Transfer-Encoding overrides */
    httpmsg_init(&p, HTTPMSG_RESPONSE, NULL);
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", &used),
                     HTTPMSG_OK);
    ck_assert(httpmsg_is_chunked(&p));
    ck_assert_uint_eq(httpmsg_chunk_size(&p), 0);
    /* a size line in pieces, and the time after a chunk: 0 too */
    {
        static const struct {
            const char *piece;
            uint64_t size; /* httpmsg_chunk_size() after it */
        } steps[] = {{"1", 0}, {"2\r\n", 18}, {"0123456789abcdefgh", 18}, {"\r\n", 0}, {"a", 0},
                     {"\r\n0123456789\r\n0\r\n\r\n", 0}};
        uint64_t total = httpmsg_bytes_consumed(&p);
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
            ck_assert_int_eq(exec_str(&p, steps[i].piece, &used), HTTPMSG_OK);
            ck_assert_uint_eq(httpmsg_chunk_size(&p), steps[i].size);
            total += strlen(steps[i].piece);
        }
        ck_assert_uint_eq(httpmsg_bytes_consumed(&p), total);
        ck_assert_int_eq(httpmsg_finish(&p), HTTPMSG_OK);
    }
}
END_TEST

START_TEST(helpers)
{
    for (int e = 0; e < HTTPMSG_ERR_COUNT_; e++) {
        ck_assert_ptr_nonnull(httpmsg_errname((httpmsg_err)e));
        ck_assert_str_ne(httpmsg_errname((httpmsg_err)e), "UNKNOWN");
        ck_assert_str_ne(httpmsg_strerror((httpmsg_err)e), "unknown error");
        if (e > HTTPMSG_UPGRADE) {
            int st = httpmsg_err_status((httpmsg_err)e);
            ck_assert(st == 400 || st == 413 || st == 414 || st == 431 || st == 500 || st == 501 || st == 505);
        }
    }
    ck_assert_str_eq(httpmsg_errname(HTTPMSG_OK), "OK");
    ck_assert_str_eq(httpmsg_errname(HTTPMSG_ERR_BAD_VERSION), "BAD_VERSION");
    ck_assert_str_eq(httpmsg_errname((httpmsg_err)9999), "UNKNOWN");
    ck_assert_str_eq(httpmsg_strerror((httpmsg_err)-1), "unknown error");
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_OK), 0);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_URI_TOO_LONG), 414);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_HEAD_TOO_LARGE), 431);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_BODY_TOO_LARGE), 413);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_UNKNOWN_TRANSFER_ENCODING), 501);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_VERSION_NOT_SUPPORTED), 505);
    ck_assert_int_eq(httpmsg_err_status((httpmsg_err)9999), 0);
    for (int m = HTTPMSG_METHOD_GET; m < HTTPMSG_METHOD_COUNT_; m++) {
        const char *name = httpmsg_method_name((httpmsg_method)m);
        ck_assert_ptr_nonnull(name);
        ck_assert_int_eq(httpmsg_method_from_name(name, strlen(name)), m);
    }
    ck_assert_str_eq(httpmsg_method_name(HTTPMSG_METHOD_VERSION_CONTROL), "VERSION-CONTROL");
    ck_assert_ptr_null(httpmsg_method_name(HTTPMSG_METHOD_OTHER));
    ck_assert_ptr_null(httpmsg_method_name(HTTPMSG_METHOD_NONE));
    ck_assert_ptr_null(httpmsg_method_name((httpmsg_method)500));
    ck_assert_int_eq(httpmsg_method_from_name("get", 3), HTTPMSG_METHOD_OTHER); /* case-sensitive */
    ck_assert_int_eq(httpmsg_method_from_name("G T", 3), HTTPMSG_METHOD_NONE);
    ck_assert_int_eq(httpmsg_method_from_name("", 0), HTTPMSG_METHOD_NONE);
    ck_assert_int_eq(httpmsg_method_from_name(NULL, 3), HTTPMSG_METHOD_NONE);
    ck_assert_str_eq(httpmsg_status_reason(200), "OK");
    ck_assert_str_eq(httpmsg_status_reason(404), "Not Found");
    ck_assert_str_eq(httpmsg_status_reason(431), "Request Header Fields Too Large");
    ck_assert_ptr_null(httpmsg_status_reason(299));
    ck_assert_ptr_null(httpmsg_status_reason(-1));
    ck_assert_str_eq(httpmsg_version(), HTTPMSG_VERSION_STRING);
    {
        char v[32];
        snprintf(v, sizeof v, "%d.%d.%d", HTTPMSG_VERSION_MAJOR, HTTPMSG_VERSION_MINOR, HTTPMSG_VERSION_PATCH);
        ck_assert_str_eq(v, httpmsg_version());
    }
}
END_TEST


/* Assembles field values, to check held-back whitespace byte for byte. */
struct valrec {
    char v[512];
    size_t n;
};
static int vr_value(httpmsg_parser *p, const char *at, size_t n)
{
    struct valrec *r = p->data;
    if (r->n + n <= sizeof r->v) {
        memcpy(r->v + r->n, at, n);
        r->n += n;
    }
    return 0;
}

/* Parse "GET / HTTP/1.1\r\nX: a<run>b\r\n\r\n" cut once at `cut` (0: whole). */
static httpmsg_err parse_run(const char *run, size_t rn, size_t cut, struct valrec *r, size_t *at)
{
    static const httpmsg_settings vs = {.on_header_value = vr_value};
    char in[512];
    size_t n = 0, used;
    httpmsg_parser p;
    httpmsg_err e = HTTPMSG_OK;
    memcpy(in, "GET / HTTP/1.1\r\nX: a", 20);
    n = 20;
    memcpy(in + n, run, rn);
    n += rn;
    memcpy(in + n, "b\r\n\r\n", 5);
    n += 5;
    httpmsg_init(&p, HTTPMSG_REQUEST, &vs);
    p.data = r;
    r->n = 0;
    if (cut)
        e = httpmsg_execute(&p, in, cut, &used);
    if (e == HTTPMSG_OK)
        e = httpmsg_execute(&p, in + cut, n - cut, &used);
    *at = (size_t)httpmsg_error_offset(&p);
    return e;
}

START_TEST(whitespace_held_across_pieces)
{
    char run[100], want[102];
    struct valrec r;
    size_t at;
    /* interior whitespace cut by a piece's end is re-delivered exactly:
     * 64 irregular bytes, then any number of one kind */
    for (size_t i = 0; i < sizeof run; i++)
        run[i] = i < 64 ? ((i * 7) % 3 ? ' ' : '\t') : '\t';
    want[0] = 'a';
    memcpy(want + 1, run, sizeof run);
    want[101] = 'b';
    for (size_t cut = 0; cut <= 20 + sizeof run; cut += cut < 20 ? 20 : 1) {
        ck_assert_int_eq(parse_run(run, sizeof run, cut, &r, &at), HTTPMSG_OK);
        ck_assert_uint_eq(r.n, sizeof want);
        ck_assert(memcmp(r.v, want, sizeof want) == 0);
    }
    /* an irregular run longer than 64 bytes parses whole ... */
    run[80] = ' ';
    ck_assert_int_eq(parse_run(run, sizeof run, 0, &r, &at), HTTPMSG_OK);
    ck_assert_uint_eq(r.n, sizeof want);
    /* ... and as long as the cut leaves at most 64 of it held back */
    ck_assert_int_eq(parse_run(run, sizeof run, 20 + 40, &r, &at), HTTPMSG_OK);
    /* held back past its 64th byte, it cannot be re-delivered: an error at
     * the byte where the value goes on */
    ck_assert_int_eq(parse_run(run, sizeof run, 20 + 90, &r, &at), HTTPMSG_ERR_WHITESPACE_RUN);
    ck_assert_uint_eq(at, 20 + sizeof run);
    ck_assert_int_eq(httpmsg_err_status(HTTPMSG_ERR_WHITESPACE_RUN), 400);
}
END_TEST

static int ext_piece(httpmsg_parser *p, const char *at, size_t n)
{
    struct valrec *r = p->data;
    if (r->n + n <= sizeof r->v) {
        memcpy(r->v + r->n, at, n);
        r->n += n;
    }
    return 0;
}

START_TEST(chunk_extension_text)
{
    /* the extension is delivered from its first ';' to the line end, the
     * same however the input is cut */
    static const httpmsg_settings es = {.on_chunk_extension = ext_piece};
    const char *in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1 ;a=b ;c=\"q s\"\r\nx\r\n0\r\n\r\n";
    const char *want = ";a=b ;c=\"q s\"";
    size_t n = strlen(in);
    for (size_t cut = 0; cut < n; cut++) {
        httpmsg_parser p;
        struct valrec r = {{0}, 0};
        size_t used;
        httpmsg_init(&p, HTTPMSG_REQUEST, &es);
        p.data = &r;
        ck_assert_int_eq(httpmsg_execute(&p, in, cut, &used), HTTPMSG_OK);
        ck_assert_int_eq(httpmsg_execute(&p, in + cut, n - cut, &used), HTTPMSG_OK);
        ck_assert_uint_eq(r.n, strlen(want));
        ck_assert(memcmp(r.v, want, r.n) == 0);
    }
}
END_TEST

/* What the callbacks below saw: the consumed count in each on_body, and the
 * chunk size in each on_chunk_complete. */
struct seen {
    uint64_t consumed[8], sizes[8];
    size_t nc, ns;
};
static int seen_body(httpmsg_parser *p, const char *at, size_t n)
{
    struct seen *w = p->data;
    (void)at;
    (void)n;
    if (w->nc < 8)
        w->consumed[w->nc++] = httpmsg_bytes_consumed(p);
    return HTTPMSG_CB_OK;
}
static int seen_chunk_done(httpmsg_parser *p)
{
    struct seen *w = p->data;
    if (w->ns < 8)
        w->sizes[w->ns++] = httpmsg_chunk_size(p);
    return HTTPMSG_CB_PAUSE;
}

START_TEST(counts_inside_callbacks)
{
    static const httpmsg_settings ss = {.on_body = seen_body, .on_chunk_complete = seen_chunk_done};
    const char *head = "PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab";
    httpmsg_parser p;
    struct seen w = {{0}, {0}, 0, 0};
    size_t used;
    /* httpmsg_bytes_consumed() in on_body: the count when the call began,
     * whether the piece goes through the loop or straight to on_body */
    httpmsg_init(&p, HTTPMSG_REQUEST, &ss);
    p.data = &w;
    ck_assert_int_eq(exec_str(&p, head, &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "cd", &used), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "efghij", &used), HTTPMSG_OK);
    ck_assert_uint_eq(w.nc, 3);
    ck_assert_uint_eq(w.consumed[0], 0);
    ck_assert_uint_eq(w.consumed[1], strlen(head));
    ck_assert_uint_eq(w.consumed[2], strlen(head) + 2);
    ck_assert_uint_eq(httpmsg_bytes_consumed(&p), strlen(head) + 8);
    /* httpmsg_chunk_size(): the size in on_chunk_complete, 0 once it has
     * returned, even with a pause */
    httpmsg_init(&p, HTTPMSG_RESPONSE, &ss);
    p.data = &w;
    w.ns = 0;
    ck_assert_int_eq(exec_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n",
                              &used),
                     HTTPMSG_PAUSED);
    ck_assert_uint_eq(w.sizes[0], 5);
    ck_assert_uint_eq(httpmsg_chunk_size(&p), 0);
    ck_assert_int_eq(httpmsg_resume(&p), HTTPMSG_OK);
    ck_assert_int_eq(exec_str(&p, "3\r\nabc\r\n", &used), HTTPMSG_PAUSED);
    ck_assert_uint_eq(w.sizes[1], 3);
    ck_assert_uint_eq(httpmsg_chunk_size(&p), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, struct_size);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, null_callbacks);
    tcase_add_test(tc, zero_length_execute);
    tcase_add_test(tc, sticky_error_and_reset);
    tcase_add_test(tc, user_errors);
    tcase_add_test(tc, pause_resume_headers);
    tcase_add_test(tc, zero_length_after_pause_at_head_end);
    tcase_add_test(tc, pause_in_message_complete_pipelining);
    tcase_add_test(tc, upgrade_offset_and_resume);
    tcase_add_test(tc, headers_complete_return_codes);
    tcase_add_test(tc, skip_body_framing);
    tcase_add_test(tc, headers_complete_refusals);
    tcase_add_test(tc, pause_positions);
    tcase_add_test(tc, no_reentry_from_callbacks);
    tcase_add_test(tc, body_limit_lowered);
    tcase_add_test(tc, head_limit_changed_mid_head);
    tcase_add_test(tc, finish_cases);
    tcase_add_test(tc, interleaved_parsers);
    tcase_add_test(tc, two_threads);
    tcase_add_test(tc, impl_chosen_once);
    tcase_add_test(tc, method_lookup);
    tcase_add_test(tc, byte_classes_every_path);
    tcase_add_test(tc, accessors);
    tcase_add_test(tc, helpers);
    tcase_add_test(tc, whitespace_held_across_pieces);
    tcase_add_test(tc, chunk_extension_text);
    tcase_add_test(tc, counts_inside_callbacks);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
