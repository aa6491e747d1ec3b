/*
 * pause.c - fuzz target: pausing in callbacks and resuming must give the
 * same events as an uninterrupted parse of the same pieces (see common.h for
 * how the input chooses the pieces and the pauses).  The trace module pauses
 * in every callback; the checker in every callback or in pseudo-random ones.
 */
#include "common.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cfg cfg;
    struct check_opts o;
    struct trace_buf ta = {0}, tb = {0}, ca = {0}, cb = {0};
    httpmsg_type type;
    size_t *cuts, ncuts;
    uint8_t pattern = 0;

    fuzz_set_target("pause");
    if (!fuzz_config(data, size, &cfg))
        return 0;
    data += FUZZ_CONFIG_BYTES;
    size -= FUZZ_CONFIG_BYTES;
    if (!fuzz_cuts(&data, &size, &type, &cuts, &ncuts, 1, &pattern))
        return 0;

    fuzz_trace(type, &cfg, data, size, cuts, ncuts, 0, &ta);
    fuzz_trace(type, &cfg, data, size, cuts, ncuts, FUZZ_TRACE_PAUSE, &tb);
    fuzz_same("trace outputs without and with pauses", &ta, "no pause", &tb, "pausing in every callback");

    memset(&o, 0, sizeof o);
    o.type = type;
    o.cfg = &cfg;
    o.cuts = cuts;
    o.ncuts = ncuts;
    check_run(&o, data, size, &ca);
    o.pause = (pattern == 0 || pattern == 255) ? CHECK_PAUSE_EVERY : CHECK_PAUSE_RANDOM;
    o.seed = pattern;
    check_run(&o, data, size, &cb);
    fuzz_same("checker logs without and with pauses", &ca, "no pause", &cb, "pausing");

    trace_buf_free(&ta);
    trace_buf_free(&tb);
    trace_buf_free(&ca);
    trace_buf_free(&cb);
    free(cuts);
    return 0;
}
