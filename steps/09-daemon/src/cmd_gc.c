/*
 * cmd_gc.c - `minibox gc`: remove what killed minibox processes left behind
 * (chapter 5). A minibox killed with SIGKILL cannot clean up: its container
 * dies with it (PR_SET_PDEATHSIG) but the container's cgroup stays. Every
 * `run` does the same sweep first; this verb does only the sweep.
 */

#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "commands.h"
#include "state.h"
#include "network.h"

int cmd_gc(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    int removed;

    if (argc > 1)
        return mb_fail(err, 0, "gc: unexpected argument '%s' (usage: minibox gc)", argv[1]);
    removed = state_gc(globals->root, err);
    if (removed < 0)
        return removed;
    if (geteuid() == 0 && network_gc(err) < 0)
        return -1;
    printf("minibox gc: %d stale container%s removed\n", removed, removed == 1 ? "" : "s");
    return 0;
}
