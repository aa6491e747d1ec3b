/*
 * trace.h - drive libhttpmsg over an input cut into pieces and record every
 * event in the httpmsg-dump text format (see README.md, "The dump format").
 * Used by httpmsg-dump, the test suite and the fuzz targets, so all three
 * speak the same format.
 */
#ifndef HTTPMSG_TRACE_H
#define HTTPMSG_TRACE_H

#include <httpmsg.h>
#include <stddef.h>
#include <stdint.h>

/* A growable text buffer; {0} is an empty one. */
struct trace_buf {
    char *p;
    size_t len, cap;
};

struct trace_opts {
    httpmsg_type type;
    uint32_t flags;    /* HTTPMSG_LENIENT_* */
    size_t max_head;   /* 0: the library's default */
    uint64_t max_body; /* HTTPMSG_NO_LENGTH: no limit (0 is a limit) */
    int pause;         /* every callback pauses; the driver checks and resumes */
    int copy;          /* feed each piece from its own exact-size heap copy */
    int guard;         /* 1: each piece ends right before an inaccessible page,
                          2: it starts right after one (catches over-reads that
                          stay inside a heap block's page); beats `copy` */
    int raw;           /* not the dump format: one line per callback, its
                          name and, for a data callback, its piece; the name-
                          and value-complete callbacks of fields print nothing */
    int no_field_ends; /* with raw: leave those four callbacks unset (for
                          header fields the library then takes other code),
                          so that the output must be the same as with them */
    int no_field_data; /* with raw: leave on_header_name and on_header_value
                          unset too; the output must then be the same but
                          for their lines */
    int mark_end;      /* print "end of input" before httpmsg_finish(): what
                          comes before it must not depend on the cuts, as
                          the library makes every call it can as soon as it
                          has the bytes */
};

/*
 * Parse in[0..n) fed as pieces cut at cuts[0..ncuts) (ascending offsets
 * strictly inside (0, n)), then signal end of input, appending one line per
 * event to `out`.  Checks the library's invariants as it goes (spans inside
 * the piece, used <= len, one callback per call when pausing, sticky
 * errors) and appends "INVARIANT ..." on a breach.
 * Returns 0 when every message parsed, 1 after a parse error, 2 on an
 * invariant breach or when out of memory.
 */
int trace_run(const struct trace_opts *o, const char *in, size_t n, const size_t *cuts, size_t ncuts,
              struct trace_buf *out);

/* A copy (malloc'ed; NULL when out of memory) of a raw output without its
 * header_name and header_value lines: what the same run with no_field_data
 * must print. */
char *trace_raw_drop_field_data(const char *raw);

/* Parse a comma-separated list of flag names (see trace_flag_list) into
 * *flags.  Returns 0, or -1 naming nothing known (then *flags is unchanged). */
int trace_parse_flags(const char *list, uint32_t *flags);

/* The flag names, comma-separated, for usage texts. */
const char *trace_flag_list(void);

void trace_buf_free(struct trace_buf *b);

/* Append n bytes, or formatted text (at most 255 bytes), to b, which stays
 * NUL-terminated.  Return 0, or -1 when out of memory (b keeps what it had). */
int trace_buf_add(struct trace_buf *b, const void *s, size_t n);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int trace_buf_printf(struct trace_buf *b, const char *fmt, ...);

#endif
