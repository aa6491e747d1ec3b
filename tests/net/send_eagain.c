/*
 * An LD_PRELOAD shim for net_test.py: every other send() of more than
 * 64 KiB fails with EAGAIN and sends nothing, as on a socket whose send
 * buffer is full.  On loopback a peer that reads at once hardly ever makes
 * the kernel answer so, right before a send() that takes everything; with
 * the shim the server meets that case at each large write.
 *
 *   cc -shared -fPIC -o send_eagain.so send_eagain.c -ldl
 *
 * The server is single-threaded: the plain static counter is enough.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    static ssize_t (*real_send)(int, const void *, size_t, int);
    static unsigned long large;
    if (!real_send)
        real_send = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
    if (len > 64 * 1024 && large++ % 2 == 0) {
        errno = EAGAIN;
        return -1;
    }
    return real_send(fd, buf, len, flags);
}
