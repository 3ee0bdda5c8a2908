/*
 * cmd_oci_pause.c - `minibox pause ID` and `minibox resume ID` (chapter 10):
 * every process of the container stopped at once by its cgroup's freezer,
 * not one by one with SIGSTOP, which a process can see (SIGCHLD to its
 * parent) and a fork can escape.
 */
#include <string.h>

#include "commands.h"
#include "oci_cmdline.h"
#include "oci_state.h"

static int set_frozen(const struct mb_globals *globals, int argc, char **argv, bool frozen,
                      mb_error *err)
{
    int at = oci_parse_options(argc, argv, (struct oci_option[]){{0}}, err);
    const char *want = frozen ? "running" : "paused", *status;
    struct oci_state state;
    int ret;

    if (at < 0)
        return at;
    if (at != argc - 1)
        return mb_fail(err, 0, "usage: minibox %s ID", argv[0]);
    if (oci_state_load(globals, argv[at], &state, err) < 0)
        return -1;
    status = oci_state_status(&state);
    if (strcmp(status, want) != 0 && !(frozen && strcmp(status, "created") == 0))
        ret = mb_fail(err, 0, "container %s is %s, not %s", state.id, status, want);
    else
        ret = oci_cgroup_freeze(&state.cgroup, frozen, err);
    oci_state_free(&state);
    return ret;
}

int cmd_oci_pause(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    return set_frozen(globals, argc, argv, true, err);
}

int cmd_oci_resume(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    return set_frozen(globals, argc, argv, false, err);
}
