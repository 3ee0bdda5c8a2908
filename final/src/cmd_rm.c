/*
 * cmd_rm.c - `minibox rm CONTAINER...` (chapter 8): remove an exited
 * container and its writable layer.
 */
#include "mb_step.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "state.h"

static int rm_one(struct container_state *state, bool force, mb_error *err)
{
#if MB_STEP >= 9
    /* -f: kill it first, and wait for its minibox to clean up. */
    if (force && state_running(state) && state_pid(state) > 0) {
        kill(state_pid(state), SIGKILL);
        for (int t = 0; t < 500 && state_running(state); t++)
            usleep(20000);
    }
#else
    (void)force;
#endif
    if (state_running(state))
        return mb_fail(err, 0, "container %.12s is running: stop it first", state->id);
    printf("%.12s\n", state->id);
    state_end(state, false);
    return 0;
}

int cmd_rm(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    bool force = false;
    int first = 1;

#if MB_STEP >= 9
    force = argc > 1 && (strcmp(argv[1], "-f") == 0 || strcmp(argv[1], "--force") == 0);
    first += force;
#endif
    if (argc <= first)
        return mb_fail(err, 0, "usage: minibox rm CONTAINER...");
    for (int i = first; i < argc; i++) {
        struct container_state state;
        int ret = state_open(globals->root, argv[i], &state, err);

        if (ret == 0)
            ret = rm_one(&state, force, err);
        state_close(&state);
        if (ret < 0)
            return ret;
    }
    return 0;
}
