/*
 * cmd_rm.c - `minibox rm CONTAINER...` (chapter 8): remove an exited
 * container and its writable layer.
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "state.h"

static int rm_one(struct container_state *state, bool force, mb_error *err)
{
    (void)force;
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
