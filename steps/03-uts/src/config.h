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
    char id[65]; /* 64 hex digits, random (chapter 3 names the host after it) */
    char *rootfs;      /* absolute host path of the root filesystem */
    char *const *argv; /* the command and its arguments */
    bool init; /* --init: minibox's own PID 1 runs the command */
    char hostname[65]; /* --hostname, or the short id */
};

#endif
