/*
 * minicheck.h - the part of the Check unit-test API these tests use, for
 * builds where Check itself is not available (the aarch64 cross-build run
 * under qemu).  Tests run in-process, one after another; a failed assertion
 * prints its message and ends that test.  Native builds use real Check.
 */
#ifndef MINICHECK_H
#define MINICHECK_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum print_output { CK_NORMAL };

typedef void (*mc_fn)(int);
struct mc_test {
    const char *name;
    mc_fn fn;
    int start, end;
};
typedef struct TCase {
    struct mc_test tests[64];
    int n;
} TCase;
typedef struct Suite {
    TCase *tc[8];
    int n;
    const char *name;
} Suite;
typedef struct SRunner {
    Suite *s;
    int failed, run;
} SRunner;

static jmp_buf mc_jmp;
static const char *mc_test_name;

static inline Suite *suite_create(const char *name)
{
    Suite *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->name = name;
    return s;
}
static inline TCase *tcase_create(const char *name)
{
    TCase *t = calloc(1, sizeof *t);
    (void)name;
    if (!t)
        abort();
    return t;
}
static inline void tcase_set_timeout(TCase *t, double sec)
{
    (void)t;
    (void)sec;
}
static inline void mc_add(TCase *t, const char *name, mc_fn fn, int start, int end)
{
    if (t->n == 64)
        abort();
    t->tests[t->n].name = name;
    t->tests[t->n].fn = fn;
    t->tests[t->n].start = start;
    t->tests[t->n].end = end;
    t->n++;
}
#define tcase_add_test(t, f) mc_add(t, #f, f, 0, 1)
#define tcase_add_loop_test(t, f, a, b) mc_add(t, #f, f, a, b)
static inline void suite_add_tcase(Suite *s, TCase *t)
{
    if (s->n == 8)
        abort();
    s->tc[s->n++] = t;
}
static inline SRunner *srunner_create(Suite *s)
{
    SRunner *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->s = s;
    return r;
}
/* One test; 1 if it failed.  Alone in its frame, so longjmp clobbers nothing. */
static int mc_run_one(mc_fn fn, int i)
{
    if (setjmp(mc_jmp) != 0)
        return 1;
    fn(i);
    return 0;
}
static inline void srunner_run_all(SRunner *r, enum print_output o)
{
    (void)o;
    for (int k = 0; k < r->s->n; k++) {
        TCase *t = r->s->tc[k];
        for (int j = 0; j < t->n; j++) {
            for (int i = t->tests[j].start; i < t->tests[j].end; i++) {
                mc_test_name = t->tests[j].name;
                r->run++;
                r->failed += mc_run_one(t->tests[j].fn, i);
            }
        }
    }
    printf("%s: %d checks, %d failures\n", r->s->name, r->run, r->failed);
}
static inline int srunner_ntests_failed(SRunner *r) { return r->failed; }
static inline void srunner_free(SRunner *r)
{
    for (int k = 0; k < r->s->n; k++)
        free(r->s->tc[k]);
    free(r->s);
    free(r);
}

#define START_TEST(name)                                                                               \
    static void name(int _i)                                                                           \
    {                                                                                                  \
        (void)_i;
#define END_TEST }

#define mc_fail_(...)                                                                                  \
    do {                                                                                               \
        fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, mc_test_name);                              \
        fprintf(stderr, __VA_ARGS__);                                                                  \
        fputc('\n', stderr);                                                                           \
        longjmp(mc_jmp, 1);                                                                            \
    } while (0)
#define ck_abort_msg(...) mc_fail_(__VA_ARGS__)
#define ck_assert(c)                                                                                   \
    do {                                                                                               \
        if (!(c))                                                                                      \
            mc_fail_("assertion failed: %s", #c);                                                      \
    } while (0)
#define ck_assert_msg(c, ...)                                                                          \
    do {                                                                                               \
        if (!(c))                                                                                      \
            mc_fail_(__VA_ARGS__);                                                                     \
    } while (0)
#define mc_cmp_(a, op, b, T, fmt)                                                                      \
    do {                                                                                               \
        T a_ = (T)(a);                                                                                 \
        T b_ = (T)(b);                                                                                 \
        if (!(a_ op b_))                                                                               \
            mc_fail_("%s %s %s (" fmt " vs " fmt ")", #a, #op, #b, a_, b_);                            \
    } while (0)
#define ck_assert_int_eq(a, b) mc_cmp_(a, ==, b, intmax_t, "%jd")
#define ck_assert_int_ne(a, b) mc_cmp_(a, !=, b, intmax_t, "%jd")
#define ck_assert_uint_eq(a, b) mc_cmp_(a, ==, b, uintmax_t, "%ju")
#define ck_assert_ptr_eq(a, b) mc_cmp_(a, ==, b, const void *, "%p")
#define ck_assert_ptr_null(a) mc_cmp_(a, ==, NULL, const void *, "%p")
#define ck_assert_ptr_nonnull(a) mc_cmp_(a, !=, NULL, const void *, "%p")
#define ck_assert_str_eq(a, b)                                                                         \
    do {                                                                                               \
        const char *a_ = (a), *b_ = (b);                                                               \
        if (strcmp(a_, b_) != 0)                                                                       \
            mc_fail_("%s == %s (\"%s\" vs \"%s\")", #a, #b, a_, b_);                                   \
    } while (0)
#define ck_assert_str_ne(a, b)                                                                         \
    do {                                                                                               \
        const char *a_ = (a), *b_ = (b);                                                               \
        if (strcmp(a_, b_) == 0)                                                                       \
            mc_fail_("%s != %s (both \"%s\")", #a, #b, a_);                                            \
    } while (0)

#endif
