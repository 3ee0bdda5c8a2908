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
#include "state.h"
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

static int follow_log(const struct container_state *state, bool follow, mb_error *err)
{
    struct timespec step = {0, 100 * 1000 * 1000};
    cleanup_fd int fd = state_log_open(state, err);

    if (fd < 0)
        return -1;
    for (;;) {
        bool running = state_running(state);

        if (copy_new(fd) < 0)
            return mb_fail(err, errno, "write the log");
        if (!follow || !running)
            break;
        nanosleep(&step, NULL);
    }
    return 0;
}

int cmd_logs(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct container_state state;
    bool follow = false;
    int i = 1, ret;

    if (argc > 1 && (strcmp(argv[1], "-f") == 0 || strcmp(argv[1], "--follow") == 0))
        follow = true, i = 2;
    if (i != argc - 1)
        return mb_fail(err, 0, "usage: minibox logs [-f] CONTAINER");
    ret = state_open(globals->root, argv[i], &state, err);
    if (ret == 0)
        ret = follow_log(&state, follow, err);
    state_close(&state);
    return ret;
}
