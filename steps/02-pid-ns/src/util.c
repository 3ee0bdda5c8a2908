/* util.c - cleanup helpers and whole-buffer I/O. */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

void cleanup_fdp(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}

void cleanup_freep(void *ptr)
{
    free(*(void **)ptr);
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

