/*
 * verbs.c - the table of minibox's verbs; see commands.h.
 *
 * Each chapter adds its rows. From chapter 9 a row also says whether the
 * daemon runs the verb when one listens; from chapter 10 whether the verb's
 * own code enters a container (it then runs from a sealed copy of minibox)
 * and which function speaks the OCI runtime's form of it.
 */

#include <string.h>

#include "commands.h"

/* clang-format off */
static const struct verb verbs[] = {
    {.name = "run", .run = cmd_run,
     .summary = "run a command in a new container",
     .remote = true,
    },
    {.name = "info", .run = cmd_info,
     .summary = "show what this host supports, and how to fix what it lacks"},
    {.name = "gc", .run = cmd_gc,
     .summary = "remove cgroups and state that killed runs left behind"},
    {.name = "network", .run = cmd_network,
     .summary = "ls | rm | gc: the bridge minibox0, which stays between containers"},
    {.name = "image", .run = cmd_image,
     .summary = "import FILE [NAME] | inspect IMAGE",
     .remote = true,
    },
    {.name = "images", .run = cmd_images,
     .summary = "list images",
     .remote = true,
    },
    {.name = "rmi", .run = cmd_rmi,
     .summary = "remove an image",
     .remote = true,
    },
    {.name = "commit", .run = cmd_commit,
     .summary = "turn a container's changes into a new image",
     .remote = true,
    },
    {.name = "rm", .run = cmd_rm,
     .summary = "remove an exited container and its writable layer",
     .remote = true,
    },
    {.name = "daemon", .run = cmd_daemon,
     .summary = "serve containers to root and the minibox group on a socket",
    },
    {.name = "ps", .run = cmd_ps, .remote = true,
     .summary = "list containers ([-a] with the ended ones)",
    },
    {.name = "stop", .run = cmd_stop, .remote = true,
     .summary = "SIGTERM, then SIGKILL after -t seconds"},
    {.name = "kill", .run = cmd_kill, .remote = true,
     .summary = "send a signal (-s) to a container",
    },
    {.name = "logs", .run = cmd_logs, .remote = true,
     .summary = "what a detached container wrote ([-f] to follow)"},
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
