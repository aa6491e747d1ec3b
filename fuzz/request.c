/*
 * request.c - fuzz target: parse requests (a server) under the leniency
 * flags, limits and callback results the first four input bytes choose (see
 * common.h), checking every invariant of httpmsg.h on the way.
 */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_set_target("request");
    fuzz_parse_target(HTTPMSG_REQUEST, data, size);
    return 0;
}
