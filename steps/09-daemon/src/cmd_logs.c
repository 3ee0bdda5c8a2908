/*
 * cmd_logs.c - `minibox logs [-f] CONTAINER` (chapter 9): what a detached
 * container wrote; -f follows until it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "container_store.h"
#include "util.h"

static int copy_new(int fd)
{
    char buf[65536];
    ssize_t n;
    int any = 0;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (write_all(1, buf, (size_t)n) < 0)
            return -1;
        any = 1;
    }
    return any;
}

int cmd_logs(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    char dir[4500], id[65], path[4600];
    struct timespec step = {0, 100 * 1000 * 1000};
    cleanup_fd int fd = -1;
    int follow = 0, i = 1;

    if (argc > 1 && (strcmp(argv[1], "-f") == 0 || strcmp(argv[1], "--follow") == 0))
        follow = 1, i = 2;
    if (i != argc - 1)
        return mb_fail(err, 0, "usage: minibox logs [-f] CONTAINER");
    if (container_find(globals->root, argv[i], dir, sizeof(dir), id, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/log", dir);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mb_fail(err, errno, "container %.12s has no log (it was not run with -d)", id);
    for (;;) {
        int running = container_running(dir);

        if (copy_new(fd) < 0)
            return mb_fail(err, errno, "write the log");
        if (!follow || !running)
            break;
        nanosleep(&step, NULL);
    }
    return 0;
}
