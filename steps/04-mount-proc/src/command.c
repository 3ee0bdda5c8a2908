/* command.c - exec the command (from chapter 3 with an environment of its own); see
 * command.h. */

#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "signals.h"
#include "util.h"

extern char **environ;

void child_fail(int report_fd, const mb_error *err)
{
    /* A pipe write of under PIPE_BUF bytes is atomic: the parent reads the
     * whole report or nothing. */
    (void)write_all(report_fd, err, sizeof(*err));
    _exit(err->status);
}

int report_pipe_open(int *rd, int *wr, sigset_t *saved, mb_error *err)
{
    int fds[2], ret;

    /* Blocked before the child exists: no signal is lost between the
     * clone and the first sigwaitinfo (signals.h). */
    ret = signals_block(saved, err);
    if (ret < 0)
        return ret;
    if (pipe2(fds, O_CLOEXEC) < 0) {
        sigprocmask(SIG_SETMASK, saved, NULL);
        return mb_fail(err, errno, "pipe2");
    }
    *rd = fds[0];
    *wr = fds[1];
    return 0;
}

int child_report_read(int report_fd, mb_error *err)
{
    ssize_t n;

    do
        n = read(report_fd, err, sizeof(*err));
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return 0;
    if (n != (ssize_t)sizeof(*err))
        return mb_fail(err, n < 0 ? errno : 0, "container setup failed before it could report why");
    return -1;
}

/* The container starts from a known environment, not the host's: nothing of
 * the caller's (tokens, SSH agent sockets, proxies) leaks into it. */

/* How many entries build_environment may fill, its NULL included: the
 * array is sized to the input, so no variable is ever left out. */
static size_t environment_size(const struct container_config *cfg)
{
    size_t n = 6; /* PATH, HOME, TERM, HOSTNAME, the user's HOME, NULL */

    (void)cfg;
    return n;
}

static void build_environment(const struct container_config *cfg, char *env[])
{
    static char hostname[80], term[128];
    const char *host_term = getenv("TERM");
    size_t i = 0;

    snprintf(hostname, sizeof(hostname), "HOSTNAME=%s", cfg->hostname);
    snprintf(term, sizeof(term), "TERM=%s", host_term != NULL ? host_term : "xterm");
    env[i++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    env[i++] = "HOME=/root";
    env[i++] = term;
    env[i++] = hostname;
    env[i] = NULL;
}

void command_exec(const struct container_config *cfg, const sigset_t *saved_mask, int report_fd)
{
    char **env = calloc(environment_size(cfg), sizeof(*env));
    mb_error err;
    int saved_errno;

    if (env == NULL) {
        mb_fail(&err, ENOMEM, "environment");
        child_fail(report_fd, &err);
    }
    build_environment(cfg, env);
    signals_reset_for_exec(saved_mask);
    /* execvp searches the PATH of the current environment, so switch to the
     * container's before searching. */
    environ = env;
    execvp(cfg->argv[0], cfg->argv);
    saved_errno = errno;
    if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        mb_fail_status(&err, MB_EXIT_NOT_FOUND, saved_errno, "exec %s", cfg->argv[0]);
    else
        mb_fail_status(&err, MB_EXIT_CANNOT_EXEC, saved_errno, "exec %s", cfg->argv[0]);
    child_fail(report_fd, &err);
}
