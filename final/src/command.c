/* command.c - exec the command (from chapter 3 with an environment of its own); see
 * command.h. */
#include "mb_step.h"

#include <errno.h>
#include <unistd.h>
#if MB_STEP >= 2
#include <fcntl.h>
#endif
#if MB_STEP >= 3
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#endif
#if MB_STEP >= 8
#include <limits.h>
#include <sys/stat.h>
#endif

#include "command.h"
#if MB_STEP >= 2
#include "signals.h"
#include "util.h"
#endif
#if MB_STEP >= 10
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "hooks.h"
#include "security.h"
#endif

#if MB_STEP >= 3
extern char **environ;
#endif

#if MB_STEP >= 2
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

#if MB_STEP >= 10
void child_ready(int report_fd)
{
    mb_error ready = {.status = 0, .msg = "ready"};

    (void)write_all(report_fd, &ready, sizeof(ready));
    close(report_fd);
}
#endif

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
#if MB_STEP >= 10
    if (err->status == 0)
        return 1; /* ready: created, waiting for start */
#endif
    return -1;
}
#else
void child_fail(const mb_error *err)
{
    mb_error_print(err);
    _exit(err->status);
}
#endif

#if MB_STEP >= 3
/* The container starts from a known environment, not the host's: nothing of
 * the caller's (tokens, SSH agent sockets, proxies) leaks into it. */
#if MB_STEP >= 8
/* Is NAME= already among the first n entries? */
static int env_has(char *const env[], size_t n, const char *entry)
{
    size_t len = strcspn(entry, "=") + 1;

    for (size_t i = 0; i < n; i++)
        if (strncmp(env[i], entry, len) == 0)
            return 1;
    return 0;
}
#endif

#if MB_STEP >= 10
/* HOME=<the -u user's home>, set by command_exec before the environment is
 * built (this process execs right after: one container, one user). */
static char user_home[PATH_MAX + 8] = "HOME=/root";

/* Put NAME=VALUE in env[0..*i), replacing an entry of the same NAME. */
static void env_put(char *env[], size_t *i, char *entry)
{
    size_t len = strcspn(entry, "=") + 1;

    for (size_t j = 0; j < *i; j++)
        if (strncmp(env[j], entry, len) == 0) {
            env[j] = entry;
            return;
        }
    env[(*i)++] = entry;
}
#endif

/* How many entries build_environment may fill, its NULL included: the
 * array is sized to the input, so no variable is ever left out. */
static size_t environment_size(const struct container_config *cfg)
{
    size_t n = 6; /* PATH, HOME, TERM, HOSTNAME, the user's HOME, NULL */

#if MB_STEP >= 8
    for (char **e = cfg->image_env; e != NULL && *e != NULL; e++)
        n++;
#endif
#if MB_STEP >= 10
    n += cfg->process.n_env;
#else
    (void)cfg;
#endif
    return n;
}

static void build_environment(const struct container_config *cfg, char *env[])
{
    static char hostname[80], term[128];
    const char *host_term = getenv("TERM");
    size_t i = 0;

#if MB_STEP >= 10
    /* An OCI process's env is the whole environment, as given. */
    if (cfg->process.env_exact) {
        for (size_t e = 0; e < cfg->process.n_env; e++)
            env[i++] = cfg->process.env[e];
        env[i] = NULL;
        return;
    }
#endif
    snprintf(hostname, sizeof(hostname), "HOSTNAME=%s", cfg->hostname);
    snprintf(term, sizeof(term), "TERM=%s", host_term != NULL ? host_term : "xterm");
#if MB_STEP >= 8
    /* The image's Env first; minibox's defaults only fill what it lacks. */
    for (char **e = cfg->image_env; e != NULL && *e != NULL; e++)
        env[i++] = *e;
#if MB_STEP >= 10
    /* -e and --env-file win over the image's Env; then the user's HOME. */
    for (size_t e = 0; e < cfg->process.n_env; e++)
        env_put(env, &i, cfg->process.env[e]);
    if (!env_has(env, i, user_home))
        env[i++] = user_home;
#endif
    {
        char *defaults[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "HOME=/root", term, hostname};
        size_t image_count = i;

        for (size_t d = 0; d < 4; d++)
            if (!env_has(env, image_count, defaults[d]))
                env[i++] = defaults[d];
    }
#else
    env[i++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    env[i++] = "HOME=/root";
    env[i++] = term;
    env[i++] = hostname;
#endif
    env[i] = NULL;
}
#endif

#if MB_STEP >= 10
/* What execvp would run for `name` with the container's PATH: the first
 * executable regular file of that name in PATH's dirs ("" is the current
 * dir); a name with a "/" as is. On failure, the errno execvp would give:
 * EACCES if a file was there but not executable, else ENOENT. */
static int command_resolve(const char *name, char *path, size_t len)
{
    const char *dirs = getenv("PATH");
    int seen_eacces = 0;

    if (name == NULL || name[0] == '\0')
        return ENOENT;
    if (strchr(name, '/') != NULL) {
        snprintf(path, len, "%s", name);
        return 0;
    }
    if (dirs == NULL)
        dirs = "/usr/local/bin:/usr/bin:/bin";
    for (const char *d = dirs;; d += strcspn(d, ":") + 1) {
        int n = (int)strcspn(d, ":");
        struct stat st;

        if ((size_t)snprintf(path, len, "%.*s%s%s", n, d, n ? "/" : "", name) < len) {
            if (access(path, X_OK) == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
                return 0;
            seen_eacces |= errno == EACCES;
        }
        if (d[n] == '\0')
            break;
    }
    return seen_eacces ? EACCES : ENOENT;
}

/* The command through minibox-exec (cmd_run.c, stub/exec_stub.c):
 *   minibox-exec REPORT-FD PATH ARGV0 [ARG...]
 * The report pipe stays open across this execve only; the stub closes it
 * on its own execve, or writes why that failed. */
__attribute__((noreturn)) static void command_exec_stub(const struct container_config *cfg,
                                                        int report_fd)
{
    char path[PATH_MAX], fd_text[16];
    const char **argv;
    mb_error err;
    size_t n = 0;
    int errnum;

    while (cfg->argv[n] != NULL)
        n++;
    errnum = command_resolve(cfg->argv[0], path, sizeof(path));
    if (errnum != 0) {
        mb_fail_status(&err, errnum == ENOENT ? MB_EXIT_NOT_FOUND : MB_EXIT_CANNOT_EXEC, errnum,
                       "exec %s", cfg->argv[0] ? cfg->argv[0] : "");
        child_fail(report_fd, &err);
    }
    argv = calloc(n + 4, sizeof(*argv));
    if (argv == NULL) {
        mb_fail(&err, ENOMEM, "exec %s", cfg->argv[0]);
        child_fail(report_fd, &err);
    }
    snprintf(fd_text, sizeof(fd_text), "%d", report_fd);
    argv[0] = "minibox-exec";
    argv[1] = fd_text;
    argv[2] = path;
    for (size_t i = 0; i < n; i++)
        argv[3 + i] = cfg->argv[i];
    if (fcntl(report_fd, F_SETFD, 0) == 0)
        syscall(SYS_execveat, cfg->exec_stub_fd, "", argv, environ, AT_EMPTY_PATH);
    mb_fail_status(&err, MB_EXIT_CANNOT_EXEC, errno, "exec minibox-exec for %s", cfg->argv[0]);
    child_fail(report_fd, &err);
}

/* Like runc's exec.fifo: opening a fifo for writing blocks until someone
 * opens it for reading, which only `start` does. It is reached through
 * create's O_PATH fd: its host path is gone after pivot_root. The end
 * opened stays open, close-on-exec: `start` reads until it closes, at the
 * command's execve. */
static int wait_for_start(int fifo_fd, mb_error *err)
{
    char path[64];
    int fd;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fifo_fd);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return mb_fail(err, errno, "open the exec fifo (is /proc mounted?)");
    if (write(fd, "0", 1) != 1)
        return mb_fail(err, errno, "write the exec fifo");
    close(fifo_fd);
    return 0;
}

/* An OCI container's process once created: the command is found (a wrong
 * one fails create, not start), create hears "ready" and leaves, and the
 * process waits for start; then the startContainer hooks, the config's
 * seccomp profile last of all, and execve. What fails after "ready" has no
 * create to tell: it is printed, and the status is the process's. */
__attribute__((noreturn)) static void command_exec_created(const struct container_config *cfg,
                                                           char **env, int report_fd)
{
    char path[PATH_MAX];
    mb_error err;
    int errnum;

    environ = env; /* the container's PATH, for command_resolve */
    errnum = command_resolve(cfg->argv[0], path, sizeof(path));
    if (errnum == 0 && access(path, X_OK) < 0)
        errnum = errno; /* a path given with a "/" is not looked at by resolve */
    if (errnum != 0) {
        mb_fail_status(&err, errnum == ENOENT ? MB_EXIT_NOT_FOUND : MB_EXIT_CANNOT_EXEC, errnum,
                       "exec %s", cfg->argv[0]);
        child_fail(report_fd, &err);
    }
    /* create exits now: this process must not die with it. */
    if (prctl(PR_SET_PDEATHSIG, 0) < 0) {
        mb_fail(&err, errno, "prctl(PR_SET_PDEATHSIG)");
        child_fail(report_fd, &err);
    }
    child_ready(report_fd);
    if (wait_for_start(cfg->spec.fifo_fd, &err) == 0 &&
        hooks_run_inside(cfg->spec.hooks, "startContainer", cfg->spec.state_json, &err) == 0 &&
        security_finish(&cfg->hardening, &err) == 0) {
        execve(path, cfg->argv, env);
        mb_fail_status(&err, errno == ENOENT ? MB_EXIT_NOT_FOUND : MB_EXIT_CANNOT_EXEC, errno,
                       "exec %s", path);
    }
    mb_error_print(&err);
    _exit(err.status);
}
#endif

#if MB_STEP >= 2
void command_exec(const struct container_config *cfg, const sigset_t *saved_mask, int report_fd)
#else
void command_exec(const struct container_config *cfg)
#endif
{
#if MB_STEP >= 3
    char **env = calloc(environment_size(cfg), sizeof(*env));
#endif
    mb_error err;
    int saved_errno;

#if MB_STEP >= 10
    char home[PATH_MAX];
    const char *workdir = cfg->process.workdir ? cfg->process.workdir : cfg->workdir;

    /* Working directory, capabilities, user, no_new_privs, seccomp: the
     * last steps, in the order security.c explains. */
    if (security_enter(&cfg->hardening, &cfg->process, workdir, home, sizeof(home), &err) < 0)
        child_fail(report_fd, &err);
    snprintf(user_home, sizeof(user_home), "HOME=%s", home);
#endif
#if MB_STEP >= 3
    if (env == NULL) {
        mb_fail(&err, ENOMEM, "environment");
        child_fail(report_fd, &err);
    }
    build_environment(cfg, env);
#endif
#if MB_STEP >= 8 && MB_STEP < 10
    /* The image's WorkingDir, made if the image lacks it (as Docker does). */
    if (cfg->workdir != NULL && cfg->workdir[0] != '\0' && chdir(cfg->workdir) < 0 &&
        (mkdir(cfg->workdir, 0755) < 0 || chdir(cfg->workdir) < 0)) {
        mb_fail(&err, errno, "working directory %s", cfg->workdir);
        child_fail(report_fd, &err);
    }
#endif
#if MB_STEP >= 2
    signals_reset_for_exec(saved_mask);
#endif
#if MB_STEP >= 10
    if (cfg->spec.given && cfg->spec.fifo_fd >= 0)
        command_exec_created(cfg, env, report_fd);
    if (security_finish(&cfg->hardening, &err) < 0)
        child_fail(report_fd, &err);
#endif
#if MB_STEP >= 3
    /* execvp searches the PATH of the current environment, so switch to the
     * container's before searching. */
    environ = env;
#endif
#if MB_STEP >= 10
    if (cfg->exec_via_stub)
        command_exec_stub(cfg, report_fd);
#endif
    execvp(cfg->argv[0], cfg->argv);
    saved_errno = errno;
    if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        mb_fail_status(&err, MB_EXIT_NOT_FOUND, saved_errno, "exec %s", cfg->argv[0]);
    else
        mb_fail_status(&err, MB_EXIT_CANNOT_EXEC, saved_errno, "exec %s", cfg->argv[0]);
#if MB_STEP >= 2
    child_fail(report_fd, &err);
#else
    child_fail(&err);
#endif
}
