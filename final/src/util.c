/* util.c - cleanup helpers and whole-buffer I/O. */
#include "mb_step.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#if MB_STEP >= 5
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#endif
#if MB_STEP >= 8
#include <ftw.h>
#endif
#if MB_STEP >= 10
#include <limits.h>
#endif

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

#if MB_STEP >= 5
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
#endif

#if MB_STEP >= 10
int write_pid_file(const char *path, pid_t pid, mb_error *err)
{
    char dir[PATH_MAX], text[24];
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    cleanup_fd int dirfd = -1;

    if (*name == '\0' || path_format(dir, sizeof(dir), err, "%.*s", slash ? (int)(slash - path) : 1,
                                     slash ? (slash == path ? "/" : path) : ".") < 0)
        return mb_fail(err, 0, "bad pid file '%s'", path);
    dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return mb_fail(err, errno, "pid file %s", path);
    snprintf(text, sizeof(text), "%d", (int)pid);
    return write_atomic_at(dirfd, name, text, strlen(text), false, err);
}
#endif

#if MB_STEP >= 10
int process_start_time(pid_t pid, unsigned long long *start_time)
{
    char path[64], buf[1024], state;
    const char *after_comm;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* The command name may hold spaces and ')': fields restart after the
     * last ')'. Field 3 is the state, field 22 the start time. */
    after_comm = strrchr(buf, ')');
    if (after_comm == NULL ||
        sscanf(after_comm + 1,
               " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
               "%*s %*s %*s %llu",
               &state, start_time) != 2)
        return -1;
    return state == 'Z' || state == 'X' ? -1 : 0;
}
#endif

#if MB_STEP >= 8
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int remove_tree(const char *path)
{
    if (nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        return -1;
    return 0;
}
#endif

#if MB_STEP >= 7
int write_new_file(const char *path, const char *content, mb_error *err)
{
    cleanup_fd int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        return mb_fail(err, errno, "create %s", path);
    if (write_all(fd, content, strlen(content)) < 0)
        return mb_fail(err, errno, "write %s", path);
    return 0;
}
#endif

#if MB_STEP >= 5
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
#endif
