/* hooks.c - see hooks.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "signals.h"
#include "util.h"

static char **hook_vector(json_t *array, const char *fallback)
{
    size_t n = json_array_size(array), i;
    char **vec = calloc(n + 2, sizeof(*vec));
    json_t *value;

    if (vec == NULL)
        return NULL;
    vec[0] = (char *)fallback;
    json_array_foreach (array, i, value) {
        vec[i] = (char *)json_string_value(value);
    }
    return vec;
}

/* Wait for the hook, killing it after `timeout` seconds (0: no limit). */
static int wait_hook(pid_t pid, long timeout, int *wstatus)
{
    struct timespec step = {0, 5 * 1000 * 1000};

    for (long waited_ms = 0;; waited_ms += 5) {
        pid_t done = waitpid(pid, wstatus, WNOHANG);
        if (done == pid)
            return 0;
        if (done < 0 && errno != EINTR)
            return -1;
        if (timeout > 0 && waited_ms >= timeout * 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, wstatus, 0);
            errno = ETIMEDOUT;
            return -1;
        }
        nanosleep(&step, NULL);
    }
}

static int run_hook(json_t *hook, const char *state_json, mb_error *err)
{
    const char *path = json_string_value(json_object_get(hook, "path"));
    int pipefd[2], wstatus;
    pid_t pid;

    if (path == NULL)
        return mb_fail(err, 0, "config.json: a hook needs a path");
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return mb_fail(err, errno, "pipe");
    pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return mb_fail(err, errno, "fork hook %s", path);
    }
    if (pid == 0) {
        /* The vectors are built in the child, which execs or exits: the
         * parent never holds them (we are single-threaded, so the child
         * may allocate). */
        char **argv = hook_vector(json_object_get(hook, "args"), path);
        char **envp = hook_vector(json_object_get(hook, "env"), NULL);

        dup2(pipefd[0], 0);
        if (argv != NULL && envp != NULL)
            execve(path, argv, envp);
        _exit(127);
    }
    close(pipefd[0]);
    /* A hook that does not read its stdin must not block us: ignore EPIPE. */
    signal(SIGPIPE, SIG_IGN);
    write_all(pipefd[1], state_json, strlen(state_json));
    close(pipefd[1]);
    if (wait_hook(pid, (long)json_integer_value(json_object_get(hook, "timeout")), &wstatus) < 0)
        return mb_fail(err, errno, "hook %s", path);
    if (signals_exit_status(wstatus) != 0)
        return mb_fail(err, 0, "hook %s failed with status %d", path, signals_exit_status(wstatus));
    return 0;
}

int hooks_run(json_t *hooks, const char *stage, const char *state, mb_error *err)
{
    json_t *list = json_object_get(hooks, stage), *hook;
    size_t i;

    json_array_foreach (list, i, hook) {
        int ret = run_hook(hook, state, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int hooks_run_as(json_t *hooks, const char *stage, const char *state, pid_t pid, const char *status,
                 mb_error *err)
{
    json_t *json;
    cleanup_free char *text = NULL;

    if (json_array_size(json_object_get(hooks, stage)) == 0)
        return 0;
    json = json_loads(state, 0, NULL);
    json_object_set_new(json, "pid", json_integer(pid));
    if (status != NULL)
        json_object_set_new(json, "status", json_string(status));
    text = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    if (text == NULL)
        return mb_fail(err, ENOMEM, "hooks' state");
    return hooks_run(hooks, stage, text, err);
}

int hooks_run_inside(json_t *hooks, const char *stage, const char *state, mb_error *err)
{
    return hooks_run_as(hooks, stage, state, getpid(), NULL, err);
}
