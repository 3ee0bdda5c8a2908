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

#endif
