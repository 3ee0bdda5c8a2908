/* util.c - cleanup helpers and whole-buffer I/O. */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

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

int write_file_at(int dirfd, const char *path, const char *content, mb_error *err)
{
    cleanup_fd int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);

    if (fd < 0)
        return mb_fail(err, errno, "open %s", path);
    if (write_all(fd, content, strlen(content)) < 0)
        return mb_fail(err, errno, "write %s", path);
    return 0;
}

int path_format(char *buf, size_t len, mb_error *err, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len)
        return mb_fail(err, ENAMETOOLONG, "%.64s...", buf);
    return 0;
}

int write_atomic_at(int dirfd, const char *name, const void *data, size_t len, bool durable,
                    mb_error *err)
{
    char tmp[300];
    unsigned int nonce;
    cleanup_fd int fd = -1;

    for (int tries = 0; fd < 0 && tries < 16; tries++) {
        if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
            return mb_fail(err, errno, "getrandom");
        if (path_format(tmp, sizeof(tmp), err, ".%s.%08x", name, nonce) < 0)
            return -1;
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            return mb_fail(err, errno, "create %s", tmp);
    }
    if (fd < 0)
        return mb_fail(err, EEXIST, "create a temporary file for %s", name);
    if (write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0) ||
        renameat(dirfd, tmp, dirfd, name) < 0) {
        int saved = errno;

        unlinkat(dirfd, tmp, 0);
        return mb_fail(err, saved, "write %s", name);
    }
    return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, mb_error *err)
{
    cleanup_fd int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    cleanup_free char *buf = NULL;
    size_t size = 0, cap = 0;

    if (fd < 0)
        return mb_fail(err, errno, "open %s", path);
    for (;;) {
        ssize_t n;

        if (cap - size < 4096) {
            char *bigger = realloc(buf, cap + 8192);
            if (bigger == NULL)
                return mb_fail(err, ENOMEM, "read %s", path);
            buf = bigger;
            cap += 8192;
        }
        n = read(fd, buf + size, cap - size - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mb_fail(err, errno, "read %s", path);
        if (n == 0)
            break;
        size += (size_t)n;
    }
    buf[size] = '\0';
    *out = buf;
    buf = NULL;
    if (len != NULL)
        *len = size;
    return 0;
}
