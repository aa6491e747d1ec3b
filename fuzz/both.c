/*
 * both.c - fuzz target: parse either kind, detected per message (HTTPMSG_BOTH) under the leniency
 * flags, limits and callback results the first four input bytes choose (see
 * common.h), checking every invariant of httpmsg.h on the way.
 */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_set_target("both");
    fuzz_parse_target(HTTPMSG_BOTH, data, size);
    return 0;
}
