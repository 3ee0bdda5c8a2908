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
    },
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
