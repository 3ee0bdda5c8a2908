/*
 * cmd_stop.c - `minibox stop [-t SECONDS] CONTAINER...` and
 * `minibox kill [-s SIGNAL] CONTAINER...` (chapter 9).
 *
 * stop sends SIGTERM to the container's PID 1 and SIGKILL after the
 * timeout. From outside its PID namespace, SIGTERM reaches PID 1 only if it
 * handles it (chapter 2): a plain `sleep` needs the SIGKILL, or --init.
 */
#include "mb_step.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "signals.h"
#include "state.h"

/* Wait up to `ms` for the container's minibox to let go of its lock. */
static int wait_stopped(const struct container_state *state, long ms)
{
    struct timespec step = {0, 20 * 1000 * 1000};

    for (long waited = 0; waited < ms; waited += 20) {
        if (!state_running(state))
            return 1;
        nanosleep(&step, NULL);
    }
    return !state_running(state);
}

/* 1 when it is not running, 0 when signalled. */
static int signal_container(const struct container_state *state, int sig, mb_error *err)
{
    pid_t pid;

    if (!state_running(state))
        return 1;
    pid = state_pid(state);
    if (pid <= 0 || kill(pid, sig) < 0)
        return mb_fail(err, 0, "container %.12s: cannot signal its PID 1", state->id);
    return 0;
}

int cmd_stop(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    long timeout = 10;
    int i = 1;

    if (argc > 2 && (strcmp(argv[1], "-t") == 0 || strcmp(argv[1], "--time") == 0)) {
        char *end;
        timeout = strtol(argv[2], &end, 10);
        if (*end != '\0' || timeout < 0)
            return mb_fail(err, 0, "stop: bad -t '%s': seconds, 0 or more", argv[2]);
        i = 3;
    }
    if (i >= argc)
        return mb_fail(err, 0, "usage: minibox stop [-t SECONDS] CONTAINER...");
    for (; i < argc; i++) {
        struct container_state state;
        int ret = state_open(globals->root, argv[i], &state, err);

        if (ret == 0)
            ret = signal_container(&state, SIGTERM, err);
        if (ret == 0 && !wait_stopped(&state, timeout * 1000)) {
            signal_container(&state, SIGKILL, err);
            if (!wait_stopped(&state, 10000))
                ret = mb_fail(err, 0, "container %s did not stop", argv[i]);
        }
        state_close(&state);
        if (ret < 0)
            return ret;
        printf("%s\n", argv[i]);
    }
    return 0;
}

int cmd_kill(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    int sig = SIGKILL, i = 1;

    if (argc > 2 && (strcmp(argv[1], "-s") == 0 || strcmp(argv[1], "--signal") == 0)) {
        if (signals_parse(argv[2], &sig, err) < 0)
            return -1;
        i = 3;
    }
    if (i >= argc)
        return mb_fail(err, 0, "usage: minibox kill [-s SIGNAL] CONTAINER...");
    for (; i < argc; i++) {
        struct container_state state;
        int ret = state_open(globals->root, argv[i], &state, err);

        if (ret == 0)
            ret = signal_container(&state, sig, err);
        state_close(&state);
        if (ret == 1)
            return mb_fail(err, 0, "container %s is not running", argv[i]);
        if (ret < 0)
            return ret;
        printf("%s\n", argv[i]);
    }
    return 0;
}
