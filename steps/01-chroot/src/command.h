/*
 * command.h - the last step in the container: exec the user's command, or
 * tell the parent exactly why that was impossible.
 */
#ifndef MB_COMMAND_H
#define MB_COMMAND_H

#include "config.h"
#include "error.h"

/* Print a setup failure as minibox's own one line, then _exit with its
 * status, which the parent passes on as minibox's. */
__attribute__((noreturn)) void child_fail(const mb_error *err);

/* Replace this process with the container's command, or fail: 127 when it
 * is not found in the rootfs, 126 when it cannot be executed. */
__attribute__((noreturn)) void command_exec(const struct container_config *cfg);

#endif
