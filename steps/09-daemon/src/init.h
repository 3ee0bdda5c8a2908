/*
 * init.h - `--init`: a minimal PID 1 of minibox's own (chapter 2).
 */
#ifndef MB_INIT_H
#define MB_INIT_H

#include <signal.h>

#include "config.h"

/* Become the container's PID 1: fork the command, pass signals on to it,
 * reap every orphan, and exit with the command's status. */
__attribute__((noreturn)) void init_run(const struct container_config *cfg,
                                        const sigset_t *saved_mask, int report_fd);

#endif
