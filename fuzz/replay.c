/*
 * replay.c - runs files through the fuzz targets' checks without libFuzzer,
 * so that the regular test suite keeps every corpus input and every crash
 * ever found passing (under ASan and UBSan in the sanitizer build).
 *
 *   fuzz-replay FUZZ_DIR
 *       every file of FUZZ_DIR/corpus/<target>/ and FUZZ_DIR/regressions/<target>/,
 *       for every target, through every target
 *   fuzz-replay [-t TARGET] FILE...
 *       the files through one target, or through every target
 *
 * A broken invariant aborts (the check prints what broke); the file being
 * run is named on standard error first.  Exit status 0: all passed; 2: bad
 * usage or an unreadable file or directory.
 */
#include <dirent.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int fuzz_target_request(const uint8_t *data, size_t size);
int fuzz_target_response(const uint8_t *data, size_t size);
int fuzz_target_both(const uint8_t *data, size_t size);
int fuzz_target_split(const uint8_t *data, size_t size);
int fuzz_target_pause(const uint8_t *data, size_t size);

static const struct {
    const char *name;
    int (*fn)(const uint8_t *, size_t);
} targets[] = {
    {"request", fuzz_target_request}, {"response", fuzz_target_response}, {"both", fuzz_target_both},
    {"split", fuzz_target_split},     {"pause", fuzz_target_pause},
};
#define NTARGETS (sizeof targets / sizeof *targets)

static char current[4096]; /* "<target> <- <file>", for the crash message */
static unsigned long nfiles, nruns;

/* Sanitizers end the process through their death callback; abort() and
 * crashes through a signal.  Either way, name the input. */
extern void __sanitizer_set_death_callback(void (*)(void))
#if defined(__GNUC__)
    __attribute__((weak))
#endif
    ;

static void name_input(void)
{
    static const char pre[] = "\nfuzz-replay: the failing run: ";
    fputs(pre, stderr);
    fputs(current, stderr);
    fputc('\n', stderr);
}

static void on_signal(int sig)
{
    name_input();
    signal(sig, SIG_DFL);
    raise(sig);
}

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d = NULL;
    size_t cap = 0, len = 0;
    if (!f)
        return NULL;
    for (;;) {
        size_t got;
        if (len == cap) {
            unsigned char *nd;
            cap = cap ? cap * 2 : 4096;
            nd = realloc(d, cap);
            if (!nd) {
                free(d);
                fclose(f);
                return NULL;
            }
            d = nd;
        }
        got = fread(d + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(d);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *n = len;
    return d;
}

/* Run one file through target t (or every target if t < 0). */
static int run_file(const char *path, int t)
{
    size_t n;
    unsigned char *d = read_file(path, &n), *exact;
    if (!d) {
        fprintf(stderr, "fuzz-replay: cannot read %s\n", path);
        return 2;
    }
    exact = malloc(n ? n : 1); /* exactly the input's size: ASan sees over-reads */
    if (!exact) {
        free(d);
        return 2;
    }
    memcpy(exact, d, n);
    free(d);
    nfiles++;
    for (size_t i = 0; i < NTARGETS; i++) {
        if (t >= 0 && (size_t)t != i)
            continue;
        snprintf(current, sizeof current, "target %s <- %s", targets[i].name, path);
        targets[i].fn(exact, n);
        nruns++;
    }
    free(exact);
    return 0;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every regular file of dir, in name order; a missing dir is fine. */
static int run_dir(const char *dir, int *found)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (!d)
        return 0;
    *found = 1;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            char **nn;
            cap = cap ? cap * 2 : 64;
            nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        names[n] = malloc(strlen(path) + 1);
        if (!names[n])
            break;
        strcpy(names[n++], path);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = run_file(names[i], -1);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int t = -1, argi = 1, rc = 0;
    struct stat st;
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(name_input);
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);

    if (argi + 1 < argc && strcmp(argv[argi], "-t") == 0) {
        for (size_t i = 0; i < NTARGETS; i++)
            if (strcmp(argv[argi + 1], targets[i].name) == 0)
                t = (int)i;
        if (t < 0) {
            fprintf(stderr, "fuzz-replay: unknown target %s\n", argv[argi + 1]);
            return 2;
        }
        argi += 2;
    }
    if (argi >= argc) {
        fprintf(stderr, "usage: fuzz-replay FUZZ_DIR\n       fuzz-replay [-t request|response|both|split|pause] FILE...\n");
        return 2;
    }
    if (t < 0 && argi + 1 == argc && stat(argv[argi], &st) == 0 && S_ISDIR(st.st_mode)) {
        int found = 0;
        for (size_t i = 0; i < NTARGETS && rc == 0; i++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/corpus/%s", argv[argi], targets[i].name);
            rc = run_dir(dir, &found);
            snprintf(dir, sizeof dir, "%s/regressions/%s", argv[argi], targets[i].name);
            if (rc == 0)
                rc = run_dir(dir, &found);
        }
        if (!found) {
            fprintf(stderr, "fuzz-replay: no corpus/ or regressions/ directories under %s\n", argv[argi]);
            return 2;
        }
    } else {
        for (; argi < argc && rc == 0; argi++)
            rc = run_file(argv[argi], t);
    }
    if (rc == 0)
        printf("fuzz-replay: %lu files, %lu runs, all invariants held\n", nfiles, nruns);
    return rc;
}
