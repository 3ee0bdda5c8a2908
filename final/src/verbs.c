/*
 * verbs.c - the table of minibox's verbs; see commands.h.
 *
 * Each chapter adds its rows. From chapter 9 a row also says whether the
 * daemon runs the verb when one listens; from chapter 10 whether the verb's
 * own code enters a container (it then runs from a sealed copy of minibox)
 * and which function speaks the OCI runtime's form of it.
 */
#include "mb_step.h"

#include <string.h>

#include "commands.h"

/* clang-format off */
static const struct verb verbs[] = {
    {.name = "run", .run = cmd_run,
     .summary = "run a command in a new container",
#if MB_STEP >= 9
     .remote = true,
#endif
#if MB_STEP >= 10
     .enters = true,
#endif
    },
#if MB_STEP >= 5
    {.name = "info", .run = cmd_info,
     .summary = "show what this host supports, and how to fix what it lacks"},
    {.name = "gc", .run = cmd_gc,
     .summary = "remove cgroups and state that killed runs left behind"},
#endif
#if MB_STEP >= 7
    {.name = "network", .run = cmd_network,
     .summary = "ls | rm | gc: the bridge minibox0, which stays between containers"},
#endif
#if MB_STEP >= 8
    {.name = "image", .run = cmd_image,
     .summary = "import FILE [NAME] | inspect IMAGE",
#if MB_STEP >= 9
     .remote = true,
#endif
    },
    {.name = "images", .run = cmd_images,
     .summary = "list images",
#if MB_STEP >= 9
     .remote = true,
#endif
    },
    {.name = "rmi", .run = cmd_rmi,
     .summary = "remove an image",
#if MB_STEP >= 9
     .remote = true,
#endif
    },
    {.name = "commit", .run = cmd_commit,
     .summary = "turn a container's changes into a new image",
#if MB_STEP >= 9
     .remote = true,
#endif
    },
    {.name = "rm", .run = cmd_rm,
     .summary = "remove an exited container and its writable layer",
#if MB_STEP >= 9
     .remote = true,
#endif
    },
#endif
#if MB_STEP >= 9
    {.name = "daemon", .run = cmd_daemon,
     .summary = "serve containers to root and the minibox group on a socket",
#if MB_STEP >= 10
     .enters = true,
#endif
    },
    {.name = "ps", .run = cmd_ps, .remote = true,
     .summary = "list containers ([-a] with the ended ones)",
#if MB_STEP >= 10
     .oci = cmd_oci_ps,
#endif
    },
    {.name = "stop", .run = cmd_stop, .remote = true,
     .summary = "SIGTERM, then SIGKILL after -t seconds"},
    {.name = "kill", .run = cmd_kill, .remote = true,
     .summary = "send a signal (-s) to a container",
#if MB_STEP >= 10
     .oci = cmd_oci_kill,
#endif
    },
    {.name = "logs", .run = cmd_logs, .remote = true,
     .summary = "what a detached container wrote ([-f] to follow)"},
#endif
#if MB_STEP >= 10
    {.name = "exec", .run = cmd_exec, .remote = true, .enters = true, .oci = cmd_oci_exec,
     .summary = "run a command in a running container"},
    {.name = "inspect", .run = cmd_inspect, .remote = true,
     .summary = "a container's record and state, or an image's, as JSON"},
    {.name = "create", .oci = cmd_oci_create, .enters = true,
     .summary = "OCI: create a container from a bundle, stopped before its command"},
    {.name = "start", .oci = cmd_oci_start,
     .summary = "OCI: run the command of a created container"},
    {.name = "state", .oci = cmd_oci_state,
     .summary = "OCI: a container's state, as the runtime spec's JSON"},
    {.name = "delete", .oci = cmd_oci_delete,
     .summary = "OCI: remove a stopped container ([--force] a running one)"},
    {.name = "pause", .oci = cmd_oci_pause,
     .summary = "OCI: freeze every process of a container"},
    {.name = "resume", .oci = cmd_oci_resume,
     .summary = "OCI: thaw a paused container"},
    {.name = "features", .oci = cmd_oci_features,
     .summary = "OCI: what this runtime supports, as JSON"},
    {.name = "update", .oci = cmd_oci_update,
     .summary = "OCI: new cgroup limits for a container (--resources FILE|-)"},
#endif
};
/* clang-format on */

const struct verb *verb_find(const char *name)
{
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strcmp(name, verbs[i].name) == 0)
            return &verbs[i];
    return NULL;
}

void verbs_usage(FILE *out)
{
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        fprintf(out, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
}
