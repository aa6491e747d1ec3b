/*
 * test_noalloc.c - proves the library allocates nothing while parsing: every
 * call into the allocator is counted while full parses run (requests,
 * responses, chunked bodies, trailers, errors, pauses, every leniency flag,
 * whole and byte by byte).  Plain C, no test framework, since frameworks
 * allocate.  Under AddressSanitizer or ThreadSanitizer the counting uses
 * their allocator hooks; elsewhere this program replaces malloc and
 * friends.
 */
#include <httpmsg.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned long allocs;
static volatile int counting;

/* AddressSanitizer and ThreadSanitizer replace malloc themselves, and have
 * the hooks */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HAVE_SAN_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HAVE_SAN_HOOKS 1
#endif
#endif

#ifdef HAVE_SAN_HOOKS
#if defined(__has_include)
#if __has_include(<sanitizer/allocator_interface.h>)
#include <sanitizer/allocator_interface.h>
#define HAVE_ALLOCATOR_INTERFACE 1
#endif
#endif
#ifndef HAVE_ALLOCATOR_INTERFACE /* gcc ships no such header; the runtime has the call */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
#endif
static void on_malloc(const volatile void *ptr, size_t size)
{
    (void)ptr;
    (void)size;
    if (counting)
        allocs++;
}
static void on_free(const volatile void *ptr)
{
    (void)ptr;
    if (counting)
        allocs++;
}
static void install(void) { __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free); }
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
void *malloc(size_t n)
{
    if (counting)
        allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (counting)
        allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        allocs++;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    if (counting && p)
        allocs++;
    __libc_free(p);
}
static void install(void) {}
#endif

static unsigned long bytes_seen;
static int pause_all;
static int on_data(httpmsg_parser *p, const char *at, size_t n)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        bytes_seen += (unsigned char)at[i];
    return pause_all ? HTTPMSG_CB_PAUSE : HTTPMSG_CB_OK;
}
static int on_note(httpmsg_parser *p)
{
    (void)p;
    bytes_seen++;
    return pause_all ? HTTPMSG_CB_PAUSE : HTTPMSG_CB_OK;
}

static const httpmsg_settings cb = {
    .on_message_begin = on_note, .on_method = on_data, .on_method_complete = on_note,
    .on_target = on_data, .on_target_complete = on_note, .on_version_complete = on_note,
    .on_status_complete = on_note, .on_reason = on_data, .on_reason_complete = on_note,
    .on_header_name = on_data, .on_header_name_complete = on_note, .on_header_value = on_data,
    .on_header_value_complete = on_note, .on_headers_complete = on_note, .on_body = on_data,
    .on_chunk_extension = on_data, .on_chunk_extension_complete = on_note, .on_chunk_header = on_note,
    .on_chunk_complete = on_note, .on_trailer_name = on_data, .on_trailer_name_complete = on_note,
    .on_trailer_value = on_data, .on_trailer_value_complete = on_note, .on_message_complete = on_note,
};

static const char *const inputs[] = {
    "GET /a HTTP/1.1\r\nHost: a\r\nX: y  \r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
    "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=\"y\"\r\nabc\r\n0\r\nT: v\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close",
    "GET / HTTP/1.1\nHost: a\n folded\n\n",
    "GET / HTTP/1.1\r\nUpgrade: ws\r\nConnection: upgrade\r\n\r\nrest",
    "GET / HTTP/1.1\r\nContent-Length: 1, 1\r\nBad\x01: x\r\n\r\n",
};

int main(void)
{
    httpmsg_parser p;
    unsigned runs = 0;
    install();
    { /* the counting works: one malloc and one free are seen */
        void *(*volatile alloc)(size_t) = malloc;
        void (*volatile release)(void *) = free;
        counting = 1;
        release(alloc(16));
        counting = 0;
        if (allocs != 2) {
            printf("the allocator hooks counted %lu calls, not 2: this test cannot see allocations\n", allocs);
            return 1;
        }
        allocs = 0;
    }
    for (unsigned f = 0; f <= HTTPMSG_LENIENT_ALL_; f += 73) {
        for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
            for (int mode = 0; mode < 4; mode++) {
                const char *in = inputs[i];
                size_t n = strlen(in), step = (mode & 1) ? 1 : n, off = 0, used;
                httpmsg_err e = HTTPMSG_OK;
                pause_all = mode >> 1;
                counting = 1;
                httpmsg_init(&p, i == 1 ? HTTPMSG_RESPONSE : HTTPMSG_BOTH, &cb);
                httpmsg_set_flags(&p, f);
                while (off < n && (e == HTTPMSG_OK || e == HTTPMSG_PAUSED)) {
                    size_t len = n - off < step ? n - off : step;
                    e = httpmsg_execute(&p, in + off, len, &used);
                    off += used;
                    if (e == HTTPMSG_PAUSED)
                        e = httpmsg_resume(&p);
                }
                if (e == HTTPMSG_OK)
                    while (httpmsg_finish(&p) == HTTPMSG_PAUSED)
                        httpmsg_resume(&p);
                httpmsg_reset(&p);
                counting = 0;
                runs++;
            }
        }
    }
    printf("%u parses, %lu allocator calls while parsing\n", runs, allocs);
    return allocs == 0 && runs > 0 ? 0 : 1;
}
