/*
 * init.c - the smallest useful PID 1.
 *
 * PID 1 of a PID namespace is special in two ways that break ordinary
 * programs run there:
 *
 *  1. The kernel drops any signal sent to it for which it has no handler
 *     (SIGKILL and SIGSTOP from an ancestor namespace aside). `sleep` never
 *     installs a SIGTERM handler, so `minibox run ... sleep 100` would ignore
 *     `kill -TERM`, and docker stop would wait for its timeout.
 *  2. Orphans are re-parented to it, and only it can reap them. A command
 *     that never calls wait() on children it did not create leaves zombies.
 *
 * With --init, the container's PID 1 is this loop instead (tini and
 * docker --init do the same): the command runs as PID 2 with default signal
 * dispositions, PID 1 passes signals on to it and reaps every child.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "command.h"
#include "init.h"
#include "signals.h"

void init_run(const struct container_config *cfg, const sigset_t *saved_mask, int report_fd)
{
#if MB_SOLUTION_02
    mb_error err;
    int status = 0;
    pid_t child;

    /* Signals stay blocked (inherited from the parent): none is lost
     * between the fork and the first sigwaitinfo. */
    child = fork();
    if (child < 0) {
        mb_fail(&err, errno, "fork the command from --init");
        child_fail(report_fd, &err);
    }
    if (child == 0)
        command_exec(cfg, saved_mask, report_fd);

    /* Only the command may hold the report pipe open: its exec closes it. */
    close(report_fd);
    prctl(PR_SET_NAME, "minibox-init");
    if (signals_forward_until_exit(child, &status, &err) < 0)
        _exit(MB_EXIT_FAILED);
    /* When PID 1 exits the kernel kills every other process in the
     * namespace, so nothing the command left behind outlives it. */
    _exit(status);
#else
    /* TODO(02): be a good PID 1 for the command: fork it (it runs command_exec), close the report
     * pipe (only the command's exec may close the last copy), name yourself minibox-init
     * (prctl PR_SET_NAME), forward signals and reap until the command exits
     * (signals_forward_until_exit), then _exit with its status.
     * docs/02-pid-ns.md#what-pid-1-must-do */
    mb_error err;

    (void)cfg;
    (void)saved_mask;
    mb_todo(&err, "02");
    child_fail(report_fd, &err);
#endif
}
