/*
 * common.h - what the fuzz targets share: decoding the option bytes at the
 * front of an input, and the checker, a second driver (besides the trace
 * module) whose callbacks enforce the API's invariants and abort on a breach.
 *
 * Input layout (every target):
 *   byte 0   leniency flags, bits 0-7 (HTTPMSG_LENIENT_*)
 *   byte 1   bits 0-1: leniency flags 8-9
 *            bits 2-3: head limit: 0 default, 1 16+b2, 2 16+16*b2, 3 16+256*b2
 *            bits 4-5: body limit: 0 none, 1 1+b3, 2 1+64*b3, 3 UINT64_MAX-1-b3
 *            bits 6-7: what the checker's on_headers_complete returns:
 *                      0 OK, 1 SKIP_BODY, 2 UPGRADE; 3: OK, but callback
 *                      number (b2 ^ b3) & 63 fails (user error), counting
 *                      notifications, and data callbacks too if bit 6 of
 *                      b2 ^ b3 is set (not in split: pieces differ there)
 *   byte 2   head limit value
 *   byte 3   body limit value
 * split and pause add, after those four:
 *   byte 4   bits 0-1: type (1 request, 2 response, 0 or 3 both)
 *            bits 2-6: number of cut bytes that follow (0-31)
 *            bit 7:    cut at every byte instead (no cut bytes follow)
 *   pause only: byte 5, the pause pattern: 0 or 255 pause in every
 *            callback, else pseudo-random pauses seeded by it
 *   cut bytes: each puts the next cut 1 + byte bytes after the previous one
 * and the rest is the HTTP stream.
 */
#ifndef HTTPMSG_FUZZ_COMMON_H
#define HTTPMSG_FUZZ_COMMON_H

#include "trace.h"

#include <httpmsg.h>
#include <stddef.h>
#include <stdint.h>

/* Each target defines it; the replay build renames it per target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CONFIG_BYTES 4

struct fuzz_cfg {
    uint32_t flags;
    size_t max_head;      /* 0: the library's default */
    uint64_t max_body;    /* HTTPMSG_NO_LENGTH: no limit */
    int hc_ret;           /* HTTPMSG_CB_OK, _SKIP_BODY or _UPGRADE */
    int user_err_at;      /* -1, or the number of the callback that returns an error */
    int user_err_data;    /* ... counting data callbacks too, not only notifications */
};

/* Decode the four option bytes at d[0..n).  Returns 0 if n is too short. */
int fuzz_config(const uint8_t *d, size_t n, struct fuzz_cfg *cfg);

/* Decode the type/cuts byte and the cut bytes after it at *d, advancing *d
 * and *n past them; fills cuts (allocated, free it) with ascending offsets
 * strictly inside the rest of the input.  Returns 0 if the input is short. */
int fuzz_cuts(const uint8_t **d, size_t *n, httpmsg_type *type, size_t **cuts, size_t *ncuts, int has_pause_byte,
              uint8_t *pause_byte);

/* Which target is running (for failure messages). */
void fuzz_set_target(const char *name);

/* Print a failure with the given texts and abort(). */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void fuzz_fail(const char *fmt, ...);

/* trace_run() over in[0..n) (each piece from its own exact-size heap copy);
 * aborts if the trace module reports an invariant breach.  mode: 0, or
 * FUZZ_TRACE_PAUSE to pause in every callback, or FUZZ_TRACE_MARK_END to
 * mark the end of input (trace.h, mark_end). */
#define FUZZ_TRACE_PAUSE 1
#define FUZZ_TRACE_MARK_END 2
void fuzz_trace(httpmsg_type type, const struct fuzz_cfg *cfg, const uint8_t *in, size_t n, const size_t *cuts,
                size_t ncuts, int mode, struct trace_buf *out);

/* The same cuts in trace.h's raw format, with the field-end callbacks set
 * and unset, and with the header name and value callbacks unset too: aborts
 * unless the pieces are the same (but for those the last run leaves out). */
void fuzz_field_ends(httpmsg_type type, const struct fuzz_cfg *cfg, const uint8_t *in, size_t n, const size_t *cuts,
                     size_t ncuts);

/* Abort unless a and b are identical, naming what was compared. */
void fuzz_same(const char *what, const struct trace_buf *a, const char *aname, const struct trace_buf *b,
               const char *bname);

enum { CHECK_PAUSE_NEVER = 0, CHECK_PAUSE_EVERY, CHECK_PAUSE_RANDOM };

struct check_opts {
    httpmsg_type type;
    const struct fuzz_cfg *cfg;
    const size_t *cuts; /* pieces as for trace_run; NULL/0: whole */
    size_t ncuts;
    int pause;          /* CHECK_PAUSE_* */
    uint32_t seed;      /* CHECK_PAUSE_RANDOM */
    int move;           /* move the parser struct to other memory between calls */
    int again;          /* after the run, httpmsg_reset() and run again: same log */
    const char *impl;   /* scanning code (httpmsg_impl_name()), NULL: the default */
};

/* The scanning implementations' names, NULL-terminated. */
extern const char *const fuzz_impls[];

/*
 * Parse in[0..n) with the checker's callbacks and append a log of events
 * (elements assembled from their pieces, accessors at each notification,
 * errors, upgrades) to `log`.  The log does not depend on the cuts or the
 * pauses.  Every breach of an invariant calls fuzz_fail().  Returns 0, or
 * -1 (nothing done) if this CPU or build lacks the scanning code o->impl.
 */
int check_run(const struct check_opts *o, const uint8_t *in, size_t n, struct trace_buf *log);

/* The body of the request, response and both targets: option bytes, then
 * the trace module whole, the checker whole, and the checker pausing in
 * every callback (and again after httpmsg_reset()). */
void fuzz_parse_target(httpmsg_type type, const uint8_t *d, size_t n);

#endif
