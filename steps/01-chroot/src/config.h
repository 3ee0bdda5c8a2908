/*
 * config.h - what `minibox run` was asked to do, parsed once from the command
 * line and then only read.
 */
#ifndef MB_CONFIG_H
#define MB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Options that every verb accepts (before the verb). Chapter 5 brings the
 * first, when there is state to keep; until then a verb gets NULL. */
struct mb_globals;

struct container_config {
    char *rootfs;      /* absolute host path of the root filesystem */
    char *const *argv; /* the command and its arguments */
};

#endif
