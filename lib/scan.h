/*
 * scan.h - the scanning primitives the main loop spends its time in: find
 * the first byte of [s, e) outside a character class.  Each returns e when
 * every byte belongs.  None reads outside [s, e): vector loads are taken only
 * where a whole vector fits, and the tail is finished by the scalar code (or,
 * with AVX-512, by a load whose lanes past e are masked off).
 *
 * The classes (see parser.c):
 *   token   tchar (RFC 9110 §5.6.2)
 *   target  C_TARGET: VCHAR but '#';  C_TARGETL: VCHAR / obs-text
 *   value   C_VALUE: VCHAR / obs-text / SP / HTAB;  C_VALUEL: all but NUL CR LF
 *
 * Implementations: scalar (table walk, and SWAR 8 bytes at a time for the
 * range classes), sse4.2 (16-byte SSE2/SSSE3 vectors; SSE4.2 is what picks
 * it), avx2 (32 bytes), avx512 (the AVX2 vectors, then masked 64-byte table
 * lookups), neon (aarch64, 16 bytes).  Token membership in the SSE, AVX2 and
 * NEON code is a nibble lookup: bit (hi nibble) of lo_tab[lo nibble].  The
 * block fills of those three look each byte up once in a second pair of
 * nibble tables that answers for tchar and strict field value together
 * (FIELD_LO_U_).
 */

/* Scanners are forced inline so that the class argument, a constant at
 * every call site, folds away. */
#if defined(__GNUC__)
#define SCAN_INLINE_ static inline __attribute__((always_inline))
#else
#define SCAN_INLINE_ static inline
#endif

/* The index of m's lowest set bit (m non-zero), as a size_t.  On x86-64 it
 * is one instruction: from __builtin_ctzll, an int, gcc also makes a sign
 * extension.  (tzcnt runs as bsf where BMI1 is missing: the same result
 * for a non-zero m.) */
SCAN_INLINE_ size_t ctz64(uint64_t m)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    uint64_t i;
    __asm__("tzcnt{q %1, %0| %0, %1}" : "=r"(i) : "rm"(m) : "cc"); /* AT&T or Intel syntax */
    return (size_t)i;
#else
    return (size_t)__builtin_ctzll(m);
#endif
}

/* ---- scalar ------------------------------------------------------------- */

/* Unrolled table walk: four independent lookups per round. */
SCAN_INLINE_ const char *scan_cls_scalar(const char *s, const char *e, uint8_t m)
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

#define ONES_ UINT64_C(0x0101010101010101)
#define HIGHS_ UINT64_C(0x8080808080808080)

SCAN_INLINE_ uint64_t load64(const char *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
    return x;
}

/* Nonzero if some byte of x may be outside the class (exact for the byte
 * values that matter, conservative elsewhere: the table walk decides). */
SCAN_INLINE_ uint64_t swar_suspect(uint64_t x, uint8_t m)
{
    uint64_t del = x ^ (ONES_ * 0x7f), hash = x ^ (ONES_ * '#');
    uint64_t has_del = (del - ONES_) & ~del & HIGHS_;
    switch (m) {
    case C_VALUE: /* any byte < 0x20 (HTAB included: rechecked), DEL */
        return ((x - ONES_ * 0x20) & ~x & HIGHS_) | has_del;
    case C_TARGET: /* < 0x21, '#', DEL, >= 0x80 */
        return ((x - ONES_ * 0x21) & ~x & HIGHS_) | has_del | (x & HIGHS_) | ((hash - ONES_) & ~hash & HIGHS_);
    case C_TARGETL: /* < 0x21, DEL */
        return ((x - ONES_ * 0x21) & ~x & HIGHS_) | has_del;
    default: /* C_VALUEL: any byte < 0x0e (NUL, LF, CR among them) */
        return (x - ONES_ * 0x0e) & ~x & HIGHS_;
    }
}

SCAN_INLINE_ const char *scan_range_scalar(const char *s, const char *e, uint8_t m)
{
    while (e - s >= 8) {
        if (swar_suspect(load64(s), m)) {
            const char *q = scan_cls_scalar(s, s + 8, m);
            if (q < s + 8)
                return q;
        }
        s += 8;
    }
    return scan_cls_scalar(s, e, m);
}

SCAN_INLINE_ const char *scan_token_scalar(const char *s, const char *e) { return scan_cls_scalar(s, e, C_TCHAR); }
SCAN_INLINE_ const char *scan_target_scalar(const char *s, const char *e, uint8_t m) { return scan_range_scalar(s, e, m); }
SCAN_INLINE_ const char *scan_value_scalar(const char *s, const char *e, uint8_t m) { return scan_range_scalar(s, e, m); }

/* A window of up to 64 bytes classified at once: bit i of nt is set when
 * base[i] is not a tchar, of bv when it is not a field-value byte (strict or
 * lenient), for i below the limit; bits from the limit to 63 are set too,
 * so that a search that reaches them ends at the limit.  The vector
 * implementations fill it; finding the next delimiter is then a shift and a
 * count of zeros, instead of a loop whose exit a branch predictor cannot
 * foresee.  A window asked for where fewer than 64 bytes are left before
 * the limit is, when the buffer holds them, classified from the 64 bytes
 * that end at the limit, and made the 63 of them before it and one bit of
 * padding: base is then before the position asked for (searches start at
 * or after it). */
struct blk {
    const char *base;
    uint64_t nt, bv;
};

/* A block fill made of a masks function, masks(src, vm, &nt, &bv), which
 * classifies the 64 bytes at src: inline where 64 bytes are there, from
 * base or ending at lim; out of line only for a buffer shorter than 64
 * bytes from lo, classified from a zero-padded copy. */
#define BLK_FILL_FNS_(fill, masks, attr)                                                               \
    static attr __attribute__((noinline)) void fill##_tail(struct blk *b, const char *base, const char *lim, \
                                                           uint8_t vm)                                 \
    {                                                                                                  \
        char tmp[64];                                                                                  \
        size_t n = (size_t)(lim - base);                                                               \
        uint64_t nt, bv, pad = ~(uint64_t)0 << n; /* n < 64 */                                         \
        memset(tmp, 0, 64);                                                                            \
        memcpy(tmp, base, n);                                                                          \
        masks(tmp, vm, &nt, &bv);                                                                      \
        b->base = base;                                                                                \
        b->nt = nt | pad;                                                                              \
        b->bv = bv | pad;                                                                              \
    }                                                                                                  \
    SCAN_INLINE_ attr void fill(struct blk *b, const char *base, const char *lim, const char *lo, uint8_t vm) \
    {                                                                                                  \
        if (lim - base < 64) {                                                                         \
            if (lim - lo < 64) {                                                                       \
                fill##_tail(b, base, lim, vm);                                                         \
                return;                                                                                \
            }                                                                                          \
            masks(lim - 64, vm, &b->nt, &b->bv);                                                       \
            b->base = lim - 63;                                                                        \
            b->nt = b->nt >> 1 | (uint64_t)1 << 63;                                                    \
            b->bv = b->bv >> 1 | (uint64_t)1 << 63;                                                    \
            return;                                                                                    \
        }                                                                                              \
        b->base = base;                                                                                \
        masks(base, vm, &b->nt, &b->bv);                                                               \
    }

/* Token nibble table: bit h of tchar_lo[l] is set when byte 0xhl is a tchar
 * (h < 8; bytes >= 0x80 are never tchars). */
#define TL_(l)                                                                                         \
    ((IS_TCHAR_(0x00 + (l)) ? 1 : 0) | (IS_TCHAR_(0x10 + (l)) ? 2 : 0) |                     \
              (IS_TCHAR_(0x20 + (l)) ? 4 : 0) | (IS_TCHAR_(0x30 + (l)) ? 8 : 0) |                     \
              (IS_TCHAR_(0x40 + (l)) ? 16 : 0) | (IS_TCHAR_(0x50 + (l)) ? 32 : 0) |                   \
              (IS_TCHAR_(0x60 + (l)) ? 64 : 0) | (IS_TCHAR_(0x70 + (l)) ? 128 : 0))
#define TCHAR_LO_U_ TL_(0), TL_(1), TL_(2), TL_(3), TL_(4), TL_(5), TL_(6), TL_(7), TL_(8), TL_(9), TL_(10), \
                    TL_(11), TL_(12), TL_(13), TL_(14), TL_(15)
#define TCHAR_HI_U_ 1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0

/* Field nibble tables, for the block fills: one lookup, f = field_lo[l] &
 * field_hi[h] for byte 0xhl, answers both questions a field line asks.  A
 * byte is a strict field-value byte (VCHAR / obs-text / SP / HTAB) when f is
 * non-zero, a tchar when f & FT_TCHAR_ is.  Each bit stands for a set of
 * low nibbles, and field_hi[h] names the sets row h is made of:
 *   0x01-0x10  the tchars of rows 2, 3, 4, 5 and 7 (row 6, the tchars of
 *              rows 4 and 7 together, uses those two bits)
 *   0x20       row 7's other field bytes, '{' and '}' (not DEL)
 *   0x40       HTAB (row 0's one field byte)
 *   0x80       every byte of rows 2-5 and 8-f (field bytes, tchar or not)
 * Rows 0 and 1 hold no tchar and row 1 no field byte. */
#define FL_(l)                                                                                         \
    (0x80 | (IS_TCHAR_(0x20 + (l)) ? 0x01 : 0) | (IS_TCHAR_(0x30 + (l)) ? 0x02 : 0) |                  \
     (IS_TCHAR_(0x40 + (l)) ? 0x04 : 0) | (IS_TCHAR_(0x50 + (l)) ? 0x08 : 0) |                        \
     (IS_TCHAR_(0x70 + (l)) ? 0x10 : 0) | ((l) != 0x0f && !IS_TCHAR_(0x70 + (l)) ? 0x20 : 0) |          \
     ((l) == 0x09 ? 0x40 : 0))
#define FIELD_LO_U_ FL_(0), FL_(1), FL_(2), FL_(3), FL_(4), FL_(5), FL_(6), FL_(7), FL_(8), FL_(9), FL_(10), \
                    FL_(11), FL_(12), FL_(13), FL_(14), FL_(15)
#define FIELD_HI_U_ 0x40, 0, 0x81, 0x82, 0x84, 0x88, 0x14, 0x30, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80
#define FT_TCHAR_ 0x1f
/* row 6 is rows 4 and 7 together */
#define ROW6_OK_(l) (!IS_TCHAR_(0x60 + (l)) == !(IS_TCHAR_(0x40 + (l)) || IS_TCHAR_(0x70 + (l))))
typedef char field_row6_check_[ROW6_OK_(0) && ROW6_OK_(1) && ROW6_OK_(2) && ROW6_OK_(3) && ROW6_OK_(4) &&
                                        ROW6_OK_(5) && ROW6_OK_(6) && ROW6_OK_(7) && ROW6_OK_(8) && ROW6_OK_(9) &&
                                        ROW6_OK_(10) && ROW6_OK_(11) && ROW6_OK_(12) && ROW6_OK_(13) &&
                                        ROW6_OK_(14) && ROW6_OK_(15)
                                    ? 1
                                    : -1];

/* ---- x86-64: SSE4.2 and AVX2 -------------------------------------------- */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(HTTPMSG_NO_SIMD)
#define HTTPMSG_HAVE_X86_ 1
#include <immintrin.h>

#define SSE_ATTR_ __attribute__((target("sse4.2")))
#define AVX2_ATTR_ __attribute__((target("avx2")))

/* The vector constants, 32 bytes a row (16-byte code reads the first 16).
 * Scanners take them from here as compile-time constants; the block fills
 * read them through a pointer the compiler cannot see through, so that they
 * are loaded inside the fill: made once and kept in registers instead, they
 * would be lost at every callback of the field loop and made again after
 * it. */
#define K8_(x) x, x, x, x, x, x, x, x
#define K32_(x) K8_(x), K8_(x), K8_(x), K8_(x)
enum { K_TLO_, K_THI_, K_NIB_, K_1F_, K_20_, K_21_, K_TAB_, K_DEL_, K_CR_, K_LF_, K_HASH_, K_FLO_, K_FHI_, K_FT_, K_ROWS_ };
static const uint8_t vec_k_[K_ROWS_][32] __attribute__((aligned(32))) = {
    {TCHAR_LO_U_, TCHAR_LO_U_}, {TCHAR_HI_U_, TCHAR_HI_U_}, {K32_(0x0f)}, {K32_(0x1f)},  {K32_(0x20)},
    {K32_(0x21)},               {K32_(0x09)},               {K32_(0x7f)}, {K32_('\r')}, {K32_('\n')},
    {K32_('#')},
    {FIELD_LO_U_, FIELD_LO_U_}, {FIELD_HI_U_, FIELD_HI_U_}, {K32_(FT_TCHAR_)},
};
typedef const uint8_t (*vec_k)[32];
#define K16_(k, r) _mm_load_si128((const __m128i *)(k)[r])
#define K256_(k, r) _mm256_load_si256((const __m256i *)(k)[r])

/* The bytes of v outside class m (C_TCHAR or a range class), as vectors of
 * 0xff; k: the constants. */
SCAN_INLINE_ SSE_ATTR_ __m128i out16_sse(__m128i v, uint8_t m, vec_k k)
{
    switch (m) {
    case C_TCHAR: { /* nibble lookup */
        __m128i lo = _mm_shuffle_epi8(K16_(k, K_TLO_), _mm_and_si128(v, K16_(k, K_NIB_)));
        __m128i hi = _mm_shuffle_epi8(K16_(k, K_THI_), _mm_and_si128(_mm_srli_epi16(v, 4), K16_(k, K_NIB_)));
        return _mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128());
    }
    case C_VALUE: { /* CTLs but HTAB, and DEL */
        __m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(v, K16_(k, K_1F_)), K16_(k, K_1F_));
        ctl = _mm_andnot_si128(_mm_cmpeq_epi8(v, K16_(k, K_TAB_)), ctl);
        return _mm_or_si128(ctl, _mm_cmpeq_epi8(v, K16_(k, K_DEL_)));
    }
    case C_TARGET: /* signed: v < 0x21 catches 0x80-0xff too */
        return _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, K16_(k, K_21_)), _mm_cmpeq_epi8(v, K16_(k, K_DEL_))),
                            _mm_cmpeq_epi8(v, K16_(k, K_HASH_)));
    case C_TARGETL:
        return _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, K16_(k, K_20_)), K16_(k, K_20_)),
                            _mm_cmpeq_epi8(v, K16_(k, K_DEL_)));
    default: /* C_VALUEL: NUL, CR, LF */
        return _mm_or_si128(_mm_cmpeq_epi8(v, _mm_setzero_si128()),
                            _mm_or_si128(_mm_cmpeq_epi8(v, K16_(k, K_CR_)), _mm_cmpeq_epi8(v, K16_(k, K_LF_))));
    }
}

SCAN_INLINE_ SSE_ATTR_ const char *scan_range_sse(const char *s, const char *e, uint8_t m)
{
    while (e - s >= 16) {
        unsigned bad = (unsigned)_mm_movemask_epi8(out16_sse(_mm_loadu_si128((const __m128i *)s), m, vec_k_));
        if (bad)
            return s + ctz64(bad);
        s += 16;
    }
    return scan_range_scalar(s, e, m);
}

SCAN_INLINE_ SSE_ATTR_ const char *scan_token_sse(const char *s, const char *e)
{
    while (e - s >= 16) {
        unsigned bad = (unsigned)_mm_movemask_epi8(out16_sse(_mm_loadu_si128((const __m128i *)s), C_TCHAR, vec_k_));
        if (bad)
            return s + ctz64(bad);
        s += 16;
    }
    return scan_cls_scalar(s, e, C_TCHAR);
}

/* The field nibble lookup of v (see FIELD_LO_U_). */
SCAN_INLINE_ SSE_ATTR_ __m128i field16_sse(__m128i v, vec_k k)
{
    __m128i lo = _mm_shuffle_epi8(K16_(k, K_FLO_), _mm_and_si128(v, K16_(k, K_NIB_)));
    __m128i hi = _mm_shuffle_epi8(K16_(k, K_FHI_), _mm_and_si128(_mm_srli_epi16(v, 4), K16_(k, K_NIB_)));
    return _mm_and_si128(lo, hi);
}

/* The masks of the 64 bytes at src (vm: C_VALUE or C_VALUEL): one lookup
 * gives both classes, or the tchars alone for the lenient values. */
SCAN_INLINE_ SSE_ATTR_ void blk_masks_sse(const char *src, uint8_t vm, uint64_t *pnt, uint64_t *pbv)
{
    vec_k k = vec_k_;
    uint64_t nt = 0, bv = 0;
    __asm__ volatile("" : "+r"(k)); /* the loads stay here */
    for (int i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(src + 16 * i));
        __m128i f = field16_sse(v, k);
        nt |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(f, K16_(k, K_FT_)), _mm_setzero_si128()))
              << (16 * i);
        bv |= (uint64_t)(uint32_t)_mm_movemask_epi8(vm == C_VALUE ? _mm_cmpeq_epi8(f, _mm_setzero_si128())
                                                                  : out16_sse(v, C_VALUEL, k))
              << (16 * i);
    }
    *pnt = nt;
    *pbv = bv;
}
BLK_FILL_FNS_(blk_fill_sse, blk_masks_sse, SSE_ATTR_)

/* The bytes of v outside class m, as out16_sse() does for 16. */
SCAN_INLINE_ AVX2_ATTR_ __m256i out32v_avx2(__m256i v, uint8_t m, vec_k k)
{
    switch (m) {
    case C_TCHAR: {
        __m256i lo = _mm256_shuffle_epi8(K256_(k, K_TLO_), _mm256_and_si256(v, K256_(k, K_NIB_)));
        __m256i hi = _mm256_shuffle_epi8(K256_(k, K_THI_), _mm256_and_si256(_mm256_srli_epi16(v, 4), K256_(k, K_NIB_)));
        return _mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), _mm256_setzero_si256());
    }
    case C_VALUE: {
        __m256i ctl = _mm256_cmpeq_epi8(_mm256_max_epu8(v, K256_(k, K_1F_)), K256_(k, K_1F_));
        ctl = _mm256_andnot_si256(_mm256_cmpeq_epi8(v, K256_(k, K_TAB_)), ctl);
        return _mm256_or_si256(ctl, _mm256_cmpeq_epi8(v, K256_(k, K_DEL_)));
    }
    case C_TARGET:
        return _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpgt_epi8(K256_(k, K_21_), v), _mm256_cmpeq_epi8(v, K256_(k, K_DEL_))),
            _mm256_cmpeq_epi8(v, K256_(k, K_HASH_)));
    case C_TARGETL:
        return _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_max_epu8(v, K256_(k, K_20_)), K256_(k, K_20_)),
                               _mm256_cmpeq_epi8(v, K256_(k, K_DEL_)));
    default:
        return _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_setzero_si256()),
                               _mm256_or_si256(_mm256_cmpeq_epi8(v, K256_(k, K_CR_)),
                                               _mm256_cmpeq_epi8(v, K256_(k, K_LF_))));
    }
}
SCAN_INLINE_ AVX2_ATTR_ uint32_t out32_avx2(__m256i v, uint8_t m, vec_k k)
{
    return (uint32_t)_mm256_movemask_epi8(out32v_avx2(v, m, k));
}

/* The field nibble lookup of v, as field16_sse() does for 16. */
SCAN_INLINE_ AVX2_ATTR_ __m256i field32_avx2(__m256i v, vec_k k)
{
    __m256i lo = _mm256_shuffle_epi8(K256_(k, K_FLO_), _mm256_and_si256(v, K256_(k, K_NIB_)));
    __m256i hi = _mm256_shuffle_epi8(K256_(k, K_FHI_), _mm256_and_si256(_mm256_srli_epi16(v, 4), K256_(k, K_NIB_)));
    return _mm256_and_si256(lo, hi);
}

/* The masks of the 64 bytes at src (vm: C_VALUE or C_VALUEL), as
 * blk_masks_sse() makes them. */
SCAN_INLINE_ AVX2_ATTR_ void blk_masks_avx2(const char *src, uint8_t vm, uint64_t *pnt, uint64_t *pbv)
{
    vec_k k = vec_k_;
    uint64_t nt = 0, bv = 0;
    __asm__ volatile("" : "+r"(k)); /* the loads stay here */
    for (int i = 0; i < 2; i++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(src + 32 * i));
        __m256i f = field32_avx2(v, k);
        nt |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
                  _mm256_cmpeq_epi8(_mm256_and_si256(f, K256_(k, K_FT_)), _mm256_setzero_si256()))
              << (32 * i);
        bv |= (uint64_t)(vm == C_VALUE ? (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(f, _mm256_setzero_si256()))
                                       : out32_avx2(v, C_VALUEL, k))
              << (32 * i);
    }
    *pnt = nt;
    *pbv = bv;
}
BLK_FILL_FNS_(blk_fill_avx2, blk_masks_avx2, AVX2_ATTR_)

/* Whole 32-byte vectors only: the first byte of [s, e) outside class m, or
 * where fewer than 32 bytes remain (the callers' tails look there, and
 * return at once if that byte is the one). */
SCAN_INLINE_ AVX2_ATTR_ const char *scan_cls32_avx2(const char *s, const char *e, uint8_t m)
{
    vec_k k = vec_k_;
    __asm__("" : "+r"(k)); /* the constants as loads, not built in registers */
    for (; e - s >= 32; s += 32) {
        uint32_t out = out32_avx2(_mm256_loadu_si256((const __m256i *)s), m, k);
        if (out)
            return s + ctz64(out);
    }
    return s;
}

SCAN_INLINE_ AVX2_ATTR_ const char *scan_token_avx2(const char *s, const char *e)
{
    s = scan_cls32_avx2(s, e, C_TCHAR);
    return e - s >= 32 ? s : scan_token_sse(s, e);
}

SCAN_INLINE_ AVX2_ATTR_ const char *scan_range_avx2(const char *s, const char *e, uint8_t m)
{
    s = scan_cls32_avx2(s, e, m);
    if (e - s >= 32)
        return s;
    if (e - s >= 16) {
        unsigned bad = (unsigned)_mm_movemask_epi8(out16_sse(_mm_loadu_si128((const __m128i *)s), m, vec_k_));
        if (bad)
            return s + ctz64(bad);
        s += 16;
    }
    return scan_range_scalar(s, e, m);
}

/* AVX-512 (BW and VBMI): one 64-byte vector looks every byte up in the first
 * half of cls at once (vpermi2b takes a 128-entry table); bytes >= 0x80,
 * which that lookup folds onto their low 7 bits, are in a class exactly
 * when cls[0x80] says so.  Loads past the end are masked off, and a masked
 * lane is never read (nor can it fault), so no tail needs copying. */
#define AVX512_ATTR_ __attribute__((target("avx512f,avx512bw,avx512vbmi")))

/* The bytes of v in class m, as a bit mask; t points at cls (see below). */
SCAN_INLINE_ AVX512_ATTR_ uint64_t in64_avx512(__m512i v, const uint8_t *t, uint8_t m)
{
    __m512i c = _mm512_permutex2var_epi8(_mm512_loadu_si512((const void *)t), v,
                                         _mm512_loadu_si512((const void *)(t + 64)));
    uint64_t in = _mm512_test_epi8_mask(c, _mm512_set1_epi8((char)m));
    uint64_t hi = _mm512_movepi8_mask(v);
    return (cls[0x80] & m) ? in | hi : in & ~hi;
}

/* The mask of the first min(n, 64) bytes of a vector. */
SCAN_INLINE_ uint64_t mask_n64(size_t n) { return n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1; }

/* Whole 32-byte vectors as the AVX2 code does (quicker to start on than a
 * 64-byte lookup), then what is left, under 32 bytes, in one masked step. */
SCAN_INLINE_ AVX512_ATTR_ const char *scan_cls_avx512(const char *s, const char *e, uint8_t m)
{
    uint64_t k, out;
    s = scan_cls32_avx2(s, e, m);
    if (s == e || e - s >= 32)
        return s;
    k = mask_n64((size_t)(e - s));
    out = ~in64_avx512(_mm512_maskz_loadu_epi8(k, s), cls, m) & k;
    return out ? s + ctz64(out) : e;
}
SCAN_INLINE_ AVX512_ATTR_ const char *scan_token_avx512(const char *s, const char *e)
{
    return scan_cls_avx512(s, e, C_TCHAR);
}

/* A block fill needs no tail copy: the window's bytes past lim are masked
 * off the load, their bits set in both masks.  cls is read through a
 * pointer the compiler cannot see through, for the reason the other fills
 * read vec_k_ so. */
SCAN_INLINE_ AVX512_ATTR_ void blk_fill_avx512(struct blk *b, const char *base, const char *lim, const char *lo,
                                               uint8_t vm)
{
    const uint8_t *t = cls;
    uint64_t k = mask_n64((size_t)(lim - base));
    __m512i v = _mm512_maskz_loadu_epi8(k, base);
    (void)lo;
    __asm__ volatile("" : "+r"(t));
    b->base = base;
    b->nt = ~in64_avx512(v, t, C_TCHAR) | ~k;
    b->bv = ~in64_avx512(v, t, vm) | ~k;
}

#endif

/* ---- aarch64: NEON ------------------------------------------------------ */
#if defined(__aarch64__) && !defined(HTTPMSG_NO_SIMD)
#define HTTPMSG_HAVE_NEON_ 1
#include <arm_neon.h>

/* Index of the first nonzero byte of a comparison result, or 16. */
SCAN_INLINE_ unsigned neon_first(uint8x16_t cmp)
{
    uint64_t bits = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(cmp), 4)), 0);
    return bits ? (unsigned)__builtin_ctzll(bits) >> 2 : 16;
}

SCAN_INLINE_ uint8x16_t bad16_neon(uint8x16_t v, uint8_t m)
{
    uint8x16_t del = vceqq_u8(v, vdupq_n_u8(0x7f));
    switch (m) {
    case C_VALUE:
        return vorrq_u8(vbicq_u8(vcleq_u8(v, vdupq_n_u8(0x1f)), vceqq_u8(v, vdupq_n_u8(0x09))), del);
    case C_TARGET:
        return vorrq_u8(vorrq_u8(vcleq_u8(v, vdupq_n_u8(0x20)), vcgeq_u8(v, vdupq_n_u8(0x80))),
                        vorrq_u8(del, vceqq_u8(v, vdupq_n_u8('#'))));
    case C_TARGETL:
        return vorrq_u8(vcleq_u8(v, vdupq_n_u8(0x20)), del);
    default:
        return vorrq_u8(vceqq_u8(v, vdupq_n_u8(0)),
                        vorrq_u8(vceqq_u8(v, vdupq_n_u8('\r')), vceqq_u8(v, vdupq_n_u8('\n'))));
    }
}

SCAN_INLINE_ const char *scan_range_neon(const char *s, const char *e, uint8_t m)
{
    while (e - s >= 16) {
        unsigned i = neon_first(bad16_neon(vld1q_u8((const uint8_t *)s), m));
        if (i < 16)
            return s + i;
        s += 16;
    }
    return scan_range_scalar(s, e, m);
}

/* 16 comparison bytes (0 or 0xff) in each of four vectors -> one bit each. */
SCAN_INLINE_ uint64_t neon_mask64(uint8x16_t c0, uint8x16_t c1, uint8x16_t c2, uint8x16_t c3)
{
    static const uint8_t w_[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t w = vld1q_u8(w_);
    uint8x16_t s0 = vpaddq_u8(vandq_u8(c0, w), vandq_u8(c1, w));
    uint8x16_t s1 = vpaddq_u8(vandq_u8(c2, w), vandq_u8(c3, w));
    s0 = vpaddq_u8(s0, s1);
    s0 = vpaddq_u8(s0, s0);
    return vgetq_lane_u64(vreinterpretq_u64_u8(s0), 0);
}

SCAN_INLINE_ void blk_masks_neon(const char *src, uint8_t vm, uint64_t *nt, uint64_t *bv)
{
    static const uint8_t lo_tab_[16] = {FIELD_LO_U_}, hi_tab_[16] = {FIELD_HI_U_};
    const uint8x16_t lo_tab = vld1q_u8(lo_tab_), hi_tab = vld1q_u8(hi_tab_), ft = vdupq_n_u8(FT_TCHAR_);
    uint8x16_t v[4], f[4];
    for (int k = 0; k < 4; k++) {
        v[k] = vld1q_u8((const uint8_t *)src + 16 * k);
        f[k] = vandq_u8(vqtbl1q_u8(lo_tab, vandq_u8(v[k], vdupq_n_u8(0x0f))), vqtbl1q_u8(hi_tab, vshrq_n_u8(v[k], 4)));
    }
    *nt = neon_mask64(vceqq_u8(vandq_u8(f[0], ft), vdupq_n_u8(0)), vceqq_u8(vandq_u8(f[1], ft), vdupq_n_u8(0)),
                      vceqq_u8(vandq_u8(f[2], ft), vdupq_n_u8(0)), vceqq_u8(vandq_u8(f[3], ft), vdupq_n_u8(0)));
    if (vm == C_VALUE)
        *bv = neon_mask64(vceqq_u8(f[0], vdupq_n_u8(0)), vceqq_u8(f[1], vdupq_n_u8(0)), vceqq_u8(f[2], vdupq_n_u8(0)),
                          vceqq_u8(f[3], vdupq_n_u8(0)));
    else
        *bv = neon_mask64(bad16_neon(v[0], C_VALUEL), bad16_neon(v[1], C_VALUEL), bad16_neon(v[2], C_VALUEL),
                          bad16_neon(v[3], C_VALUEL));
}
BLK_FILL_FNS_(blk_fill_neon, blk_masks_neon, )

SCAN_INLINE_ const char *scan_token_neon(const char *s, const char *e)
{
    static const uint8_t lo_tab_[16] = {TCHAR_LO_U_}, hi_tab_[16] = {TCHAR_HI_U_};
    const uint8x16_t lo_tab = vld1q_u8(lo_tab_), hi_tab = vld1q_u8(hi_tab_);
    while (e - s >= 16) {
        uint8x16_t v = vld1q_u8((const uint8_t *)s);
        uint8x16_t in = vandq_u8(vqtbl1q_u8(lo_tab, vandq_u8(v, vdupq_n_u8(0x0f))), vqtbl1q_u8(hi_tab, vshrq_n_u8(v, 4)));
        unsigned i = neon_first(vceqq_u8(in, vdupq_n_u8(0)));
        if (i < 16)
            return s + i;
        s += 16;
    }
    return scan_cls_scalar(s, e, C_TCHAR);
}
#endif
