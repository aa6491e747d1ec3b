/*
 * split.c - fuzz target: the same stream parsed whole and cut into pieces at
 * offsets drawn from the input (see common.h) must give the same events, in
 * the trace module's dump format (the same ones before the end of input: the
 * library makes each call as soon as it has the bytes for it) and in the
 * checker's log; the checker also moves the parser struct to other memory
 * between pieces, and parses the pieces with one of the scanning
 * implementations (chosen by the number of cuts) against the default one
 * whole.  The cut run's pieces must also be the same with the field-end
 * callbacks unset, and with the header name and value callbacks unset too
 * (but for theirs).
 *
 * The one documented difference: a whitespace run inside a field value that
 * a cut leaves at the end of a piece may fail with WHITESPACE_RUN (httpmsg.h,
 * the span contract).  Then everything before that error must still match.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

static void compare(const char *what, const struct trace_buf *whole, const struct trace_buf *cut)
{
    const char *w = whole->p ? whole->p : "", *c = cut->p ? cut->p : "";
    size_t n = cut->len;
    if (strcmp(w, c) == 0)
        return;
    if (n && c[n - 1] == '\n') {
        size_t start = n - 1;
        while (start && c[start - 1] != '\n')
            start--;
        if (strstr(c + start, "code=WHITESPACE_RUN") && strncmp(w, c, start) == 0)
            return; /* the documented exception */
    }
    fuzz_same(what, whole, "whole", cut, "cut into pieces");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cfg cfg;
    struct check_opts o;
    struct trace_buf tw = {0}, tc = {0}, cw = {0}, cc = {0};
    httpmsg_type type;
    size_t *cuts, ncuts;

    fuzz_set_target("split");
    if (!fuzz_config(data, size, &cfg))
        return 0;
    cfg.user_err_data = 0; /* the number of pieces depends on the cuts */
    data += FUZZ_CONFIG_BYTES;
    size -= FUZZ_CONFIG_BYTES;
    if (!fuzz_cuts(&data, &size, &type, &cuts, &ncuts, 0, NULL))
        return 0;

    fuzz_trace(type, &cfg, data, size, NULL, 0, FUZZ_TRACE_MARK_END, &tw);
    fuzz_trace(type, &cfg, data, size, cuts, ncuts, FUZZ_TRACE_MARK_END, &tc);
    compare("trace outputs", &tw, &tc);
    fuzz_field_ends(type, &cfg, data, size, cuts, ncuts);

    memset(&o, 0, sizeof o);
    o.type = type;
    o.cfg = &cfg;
    check_run(&o, data, size, &cw);
    o.cuts = cuts;
    o.ncuts = ncuts;
    o.move = 1;
    o.impl = fuzz_impls[ncuts % 4]; /* the cut run with some scanner this CPU has */
    if (check_run(&o, data, size, &cc) < 0) {
        o.impl = NULL;
        check_run(&o, data, size, &cc);
    }
    compare("checker logs", &cw, &cc);

    trace_buf_free(&tw);
    trace_buf_free(&tc);
    trace_buf_free(&cw);
    trace_buf_free(&cc);
    free(cuts);
    return 0;
}
