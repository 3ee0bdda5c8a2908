/*
 * command.h - the last step in the container: exec the user's command, or
 * tell the parent exactly why that was impossible.
 */
#ifndef MB_COMMAND_H
#define MB_COMMAND_H

#include <signal.h>

#include "config.h"
#include "error.h"

/* Send a setup failure to the parent over the report pipe, then _exit. */
__attribute__((noreturn)) void child_fail(int report_fd, const mb_error *err);

/* Replace this process with the container's command. The report pipe is
 * close-on-exec: the parent reading EOF from it means the exec succeeded. */
__attribute__((noreturn)) void command_exec(const struct container_config *cfg,
                                            const sigset_t *saved_mask, int report_fd);

/* Block the signals minibox forwards (the old mask goes to *saved), then
 * make the report pipe, close-on-exec. On failure the mask is restored. */
int report_pipe_open(int *rd, int *wr, sigset_t *saved, mb_error *err);

/* Parent side: 0 on EOF (the command runs), -1 with the child's error;
 * from chapter 10 1 when the child reported ready (OCI create). */
int child_report_read(int report_fd, mb_error *err);

#endif
