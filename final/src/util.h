/*
 * util.h - small helpers shared by every file: scope-bound cleanup and
 * all-or-nothing writes.
 *
 * __attribute__((cleanup)) runs a function when a variable leaves scope, so an
 * early `return ret;` never leaks an fd or a buffer and no goto ladder is
 * needed (the idiom crun and systemd use).
 */
#ifndef MB_UTIL_H
#define MB_UTIL_H

#include "mb_step.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

void cleanup_fdp(int *fd);
void cleanup_freep(void *ptr);

#define cleanup_fd   __attribute__((cleanup(cleanup_fdp)))
#define cleanup_free __attribute__((cleanup(cleanup_freep)))

/* Hand ownership of an fd out of a cleanup_fd variable. */
static inline int take_fd(int *fd)
{
    int ret = *fd;

    *fd = -1;
    return ret;
}

/* write(2) until all of buf is written, retrying on EINTR. */
int write_all(int fd, const void *buf, size_t len);

#if MB_STEP >= 5
/* Write a small string to a file, e.g. a /proc or /sys knob. */
int write_file_at(int dirfd, const char *path, const char *content, mb_error *err);

/* snprintf for a path (or any text that must not be cut): one that does
 * not fit in buf is an error naming its start (ENAMETOOLONG), never a
 * silently shortened path that names another file. */
int path_format(char *buf, size_t len, mb_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replace dirfd/name with `len` bytes of data, whole or not at all: a new
 * file of a random name (O_EXCL|O_NOFOLLOW: nothing planted there is
 * followed or reused), written, fsync'ed when `durable`, renamed over
 * name (rename replaces a symlink, it never follows one). */
int write_atomic_at(int dirfd, const char *name, const void *data, size_t len, bool durable,
                    mb_error *err);

/* Read a whole small file into a NUL-terminated heap buffer. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, mb_error *err);
#endif

#if MB_STEP >= 7
/* Create (or replace) a small file with `content`, mode 0644. */
int write_new_file(const char *path, const char *content, mb_error *err);
#endif

#if MB_STEP >= 8
/* rm -rf, without a shell: nftw bottom-up, never following a symlink.
 * Quoting a path into system("rm -rf '...'") breaks on a quote in it. */
int remove_tree(const char *path);
#endif

#if MB_STEP >= 10
/* An OCI caller's --pid-file: the pid as text, no newline (what containerd
 * and conmon read), written with write_atomic_at in the file's directory:
 * whoever can write that directory cannot make root write through a
 * symlink planted there (rename replaces a link, never follows it). */
int write_pid_file(const char *path, pid_t pid, mb_error *err);

/* When a live, non-zombie process started (/proc/PID/stat field 22, in
 * clock ticks since boot): with its pid, it names one process for good,
 * where a pid alone may be reused. -1 when it is gone. */
int process_start_time(pid_t pid, unsigned long long *start_time);
#endif

#endif
