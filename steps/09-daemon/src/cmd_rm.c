/*
 * cmd_rm.c - `minibox rm CONTAINER...` (chapter 8): remove an exited
 * container and its writable layer.
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "container_store.h"

int cmd_rm(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    char dir[4500], id[65];
    int first = 1;

    int force = argc > 1 && (strcmp(argv[1], "-f") == 0 || strcmp(argv[1], "--force") == 0);

    first += force;
    if (argc <= first)
        return mb_fail(err, 0, "usage: minibox rm CONTAINER...");
    for (int i = first; i < argc; i++) {
        if (container_find(globals->root, argv[i], dir, sizeof(dir), id, err) < 0)
            return -1;
        /* -f: kill it first, and wait for its minibox to clean up. */
        if (force && container_running(dir) && container_pid_read(dir) > 0) {
            kill(container_pid_read(dir), SIGKILL);
            for (int t = 0; t < 500 && container_running(dir); t++)
                usleep(20000);
        }
        if (container_running(dir))
            return mb_fail(err, 0, "container %.12s is running: stop it first", id);
        if (container_remove_dir(dir, err) < 0)
            return -1;
        printf("%.12s\n", id);
    }
    return 0;
}
