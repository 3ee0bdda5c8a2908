/*
 * container.c - create the container process and wait for it.
 */
/*
 * The parent (this process, outside) and the child (the container's first
 * process) talk over one pipe, the report pipe. It is close-on-exec, so:
 *   - the child execs the command: the pipe closes, the parent reads EOF;
 *   - the child fails during setup: it writes an mb_error and exits, the
 *     parent reads it and prints it as minibox's own one-line error.
 * Meanwhile the parent passes the signals it gets on to the container.
 */

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "command.h"
#include "container.h"
#include "rootfs.h"
#include "init.h"
#include "signals.h"
#include "util.h"

/* The namespaces a container gets; each chapter adds one. */
static unsigned long container_clone_flags(const struct container_config *cfg)
{
    unsigned long flags = 0;

    (void)cfg;
    flags |= CLONE_NEWPID; /* the command is PID 1 of its own process tree */
    return flags;
}

/* clone(2) used like fork(2): no new stack, the child returns here with 0.
 * glibc's clone() wrapper wants a stack and a function; the raw system call
 * keeps the child's code in line with the parent's, as crun does. */
static pid_t clone_process(unsigned long flags)
{
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* One container being run: what it was asked to be and what it holds. */
struct container {
    const struct container_config *cfg;
};

/* Everything the container's first process does before the command runs. */
static int container_setup(const struct container *c, mb_error *err)
{
    int ret;

    /* If minibox dies (even by SIGKILL), the container dies with it instead
     * of running on unsupervised. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return mb_fail(err, errno, "prctl(PR_SET_PDEATHSIG)");
    /* A session of its own, and so no controlling terminal. In minibox's
     * session the container's processes would share the terminal of
     * whoever ran minibox, and ioctl(TIOCSTI) on it pushes bytes into its
     * input queue: a command typed into the caller's shell, run by the
     * caller when minibox exits (CVE-2017-5226 in bubblewrap, CVE-2016-10124
     * in lxc-attach; runc does this for every container). The kernel allows
     * TIOCSTI only on one's controlling terminal, unless one holds
     * CAP_SYS_ADMIN, which chapter 10 takes away. */
    if (setsid() < 0)
        return mb_fail(err, errno, "setsid");
    ret = rootfs_enter(c->cfg, err);
    if (ret < 0)
        return ret;
    return 0;
}

__attribute__((noreturn)) static void container_child(const struct container *c,
                                                      const sigset_t *saved_mask, int report_fd)
{
    mb_error err;

    if (container_setup(c, &err) < 0)
        child_fail(report_fd, &err);
    if (c->cfg->init)
        init_run(c->cfg, saved_mask, report_fd);
    command_exec(c->cfg, saved_mask, report_fd);
}

/* Create the container's first process. */
static pid_t container_clone(struct container *c)
{
    unsigned long flags = container_clone_flags(c->cfg);
    return clone_process(flags);
}

/* Start the container and wait for it, passing signals on. */
static int container_start_and_wait(struct container *c, int *status, mb_error *err)
{
    cleanup_fd int report_rd = -1;
    cleanup_fd int report_wr = -1;
    sigset_t saved_mask;
    int ret, wstatus;
    pid_t pid;

    ret = report_pipe_open(&report_rd, &report_wr, &saved_mask, err);
    if (ret < 0)
        return ret;

    pid = container_clone(c);
    if (pid < 0) {
        int saved_errno = errno;

        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return mb_fail(err, saved_errno, "clone");
    }
    if (pid == 0) {
        close(take_fd(&report_rd));
        container_child(c, &saved_mask, report_wr);
    }

    close(take_fd(&report_wr));
    ret = child_report_read(report_rd, err);
    if (ret < 0) {
        /* The child exits right after reporting; collect it so that no
         * zombie and no half-made container is left. */
        waitpid(pid, &wstatus, 0);
    } else {
        ret = signals_forward_until_exit(pid, status, err);
    }
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    return ret;
}

int container_run(const struct container_config *cfg, int *status, mb_error *err)
{
    struct container c = {.cfg = cfg};
    int ret;

    ret = container_start_and_wait(&c, status, err);
    return ret;
}

