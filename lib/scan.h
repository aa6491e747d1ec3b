/*
 * scan.h - the scanning primitives the main loop spends its time in: find
 * the first byte of [s, e) outside a character class.  Each returns e when
 * every byte belongs.  They never read outside [s, e).
 *
 * This file holds the portable scalar versions; faster ones plug in through
 * the SCAN_* macros of loop.h.
 */

/* Unrolled table walk: four independent lookups per round. */
static inline const char *scan_cls_scalar(const char *s, const char *e, uint8_t m)
{
    while (e - s >= 4) {
        if (!(cls[(unsigned char)s[0]] & m))
            return s;
        if (!(cls[(unsigned char)s[1]] & m))
            return s + 1;
        if (!(cls[(unsigned char)s[2]] & m))
            return s + 2;
        if (!(cls[(unsigned char)s[3]] & m))
            return s + 3;
        s += 4;
    }
    while (s < e && (cls[(unsigned char)*s] & m))
        s++;
    return s;
}

static inline const char *scan_token_scalar(const char *s, const char *e) { return scan_cls_scalar(s, e, C_TCHAR); }
static inline const char *scan_target_scalar(const char *s, const char *e, uint8_t m) { return scan_cls_scalar(s, e, m); }
static inline const char *scan_value_scalar(const char *s, const char *e, uint8_t m) { return scan_cls_scalar(s, e, m); }
