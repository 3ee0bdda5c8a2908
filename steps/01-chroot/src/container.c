/*
 * container.c - create the container process and wait for it.
 */

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "container.h"
#include "rootfs.h"

/* One container being run: what it was asked to be and what it holds. */
struct container {
    const struct container_config *cfg;
};

/* Everything the container's first process does before the command runs. */
static int container_setup(const struct container *c, mb_error *err)
{
    int ret;

    ret = rootfs_enter(c->cfg, err);
    if (ret < 0)
        return ret;
    return 0;
}

__attribute__((noreturn)) static void container_child(const struct container *c)
{
    mb_error err;

    if (container_setup(c, &err) < 0)
        child_fail(&err);
    command_exec(c->cfg);
}

/* Start the container and wait for it. A child that fails has printed why
 * and exits 125, 126 or 127; minibox ends with that status, as with the
 * command's own. */
static int container_start_and_wait(struct container *c, int *status, mb_error *err)
{
    int wstatus;
    pid_t pid = fork(); /* chapter 2 makes it a clone(2) with namespaces */

    if (pid < 0)
        return mb_fail(err, errno, "fork");
    if (pid == 0)
        container_child(c);
    while (waitpid(pid, &wstatus, 0) < 0)
        if (errno != EINTR)
            return mb_fail(err, errno, "waitpid");
    /* Killed by signal N: 128+N, as a shell reports it (chapter 2 moves
     * this into signals.c, next to the forwarding). */
    *status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
    return 0;
}

int container_run(const struct container_config *cfg, int *status, mb_error *err)
{
    struct container c = {.cfg = cfg};
    int ret;

    ret = container_start_and_wait(&c, status, err);
    return ret;
}

