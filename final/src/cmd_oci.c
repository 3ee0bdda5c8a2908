/*
 * cmd_oci.c - the OCI runtime verbs that act on a container create made
 * (chapter 10): `start ID`, `state ID`, `kill [--all] ID [SIGNAL]`,
 * `delete [--force] ID`, and the --log file conmon and containerd read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "oci_cmdline.h"
#include "oci_hooks.h"
#include "oci_state.h"
#include "util.h"

/* The container id: the one argument after the options. */
static int one_id(int argc, char **argv, int at, const char *usage, const char **id, mb_error *err)
{
    if (at != argc - 1)
        return mb_fail(err, 0, "usage: minibox %s", usage);
    *id = argv[at];
    return 0;
}

/* Wait for the fifo's byte: the container's process has opened it and is
 * about to exec. If the process dies instead, no byte ever comes. */
static int release_process(const struct oci_state *state, int fd, mb_error *err)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    char byte;

    for (;;) {
        int ready = poll(&pfd, 1, 100);
        if (ready > 0 && read(fd, &byte, 1) == 1)
            return 0;
        if (ready < 0 && errno != EINTR)
            return mb_fail(err, errno, "poll the exec fifo");
        if (strcmp(oci_state_status(state), "stopped") == 0)
            return mb_fail(err, 0, "container %s: its process died before start", state->id);
    }
}

int cmd_oci_start(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct oci_state state;
    char fifo[PATH_MAX + 16];
    const char *id = NULL, *status;
    cleanup_fd int fd = -1;
    int ret;

    ret = one_id(argc, argv, oci_parse_options(argc, argv, (struct oci_option[]){{0}}, err),
                 "start ID", &id, err);
    if (ret < 0 || oci_state_load(globals, id, &state, err) < 0)
        return -1;
    status = oci_state_status(&state);
    if (strcmp(status, "created") != 0) {
        oci_state_free(&state);
        return mb_fail(err, 0, "container %s is %s, not created: cannot start it", id, status);
    }
    oci_state_fifo_path(&state, fifo, sizeof(fifo));
    /* Non-blocking: opening for reading never waits for the writer. */
    fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        ret = mb_fail(err, errno, "open %s", fifo);
    if (ret == 0)
        ret = release_process(&state, fd, err);
    /* Gone fifo = "running", and a second start fails. */
    if (ret == 0)
        unlink(fifo);
    if (ret == 0 && oci_hooks_run(state.hooks, "poststart", &state, err) < 0) {
        mb_error_print(err); /* the spec: a poststart failure is only logged */
        ret = 0;
    }
    oci_state_free(&state);
    return ret;
}

int cmd_oci_state(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct oci_state state;
    const char *id = NULL;
    json_t *json;

    if (one_id(argc, argv, oci_parse_options(argc, argv, (struct oci_option[]){{0}}, err),
               "state ID", &id, err) < 0 ||
        oci_state_load(globals, id, &state, err) < 0)
        return -1;
    json = oci_state_to_json(&state);
    json_dumpf(json, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(json);
    oci_state_free(&state);
    return 0;
}

/* The container's first process, signalled through a pidfd when the kernel
 * has them: a pid is a name that can be reused between our check and the
 * kill, a pidfd names one process for good. */
static int signal_process(const struct oci_state *state, int sig, mb_error *err)
{
    cleanup_fd int pidfd = (int)syscall(SYS_pidfd_open, state->pid, 0);
    unsigned long long start_time;

    if (pidfd < 0 && errno != ENOSYS)
        return mb_fail(err, errno, "container %s: pidfd_open %d", state->id, (int)state->pid);
    /* Checked after the pidfd exists: it still names the same process. */
    if (oci_process_start_time(state->pid, &start_time) < 0 || start_time != state->start_time)
        return mb_fail(err, 0, "container %s is not running", state->id);
    if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0)
        return 0;
    if (kill(state->pid, sig) < 0)
        return mb_fail(err, errno, "kill %d", (int)state->pid);
    return 0;
}

int cmd_oci_kill(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    bool all = false;
    struct oci_option options[] = {{"--all", NULL, &all}, {"-a", NULL, &all}, {NULL, NULL, NULL}};
    struct oci_state state;
    int at = oci_parse_options(argc, argv, options, err), sig = SIGTERM, ret;

    if (at < 0)
        return at;
    if (at != argc - 1 && at != argc - 2)
        return mb_fail(err, 0, "usage: minibox kill [--all] ID [SIGNAL]");
    if (at == argc - 2 && oci_parse_signal(argv[at + 1], &sig, err) < 0)
        return -1;
    if (oci_state_load(globals, argv[at], &state, err) < 0)
        return -1;
    if (strcmp(oci_state_status(&state), "stopped") == 0)
        ret = mb_fail(err, 0, "container %s is not running", state.id);
    else if (all || !state.own_pid_ns)
        ret = oci_cgroup_signal_all(&state.cgroup, sig, err);
    else
        ret = signal_process(&state, sig, err);
    oci_state_free(&state);
    return ret;
}

/* After SIGKILL the process is gone at once, or a zombie until its parent
 * (conmon) reaps it: both count as stopped. */
static int wait_stopped(const struct oci_state *state, mb_error *err)
{
    struct timespec step = {0, 10 * 1000 * 1000};

    for (int tries = 0; tries < 500; tries++) {
        if (strcmp(oci_state_status(state), "stopped") == 0)
            return 0;
        nanosleep(&step, NULL);
    }
    return mb_fail(err, 0, "container %s did not stop", state->id);
}

static int remove_container(struct oci_state *state, mb_error *err)
{
    mb_error hook_err;
    int ret;

    ret = oci_cgroup_destroy(&state->cgroup, err);
    if (ret < 0)
        return ret;
    if (oci_hooks_run(state->hooks, "poststop", state, &hook_err) < 0)
        mb_error_print(&hook_err); /* the spec: logged, the delete goes on */
    oci_state_remove(state);
    return 0;
}

int cmd_oci_delete(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    bool force = false;
    struct oci_option options[] = {
        {"--force", NULL, &force}, {"-f", NULL, &force}, {NULL, NULL, NULL}};
    struct oci_state state;
    const char *id = NULL, *status;
    int ret;

    ret = one_id(argc, argv, oci_parse_options(argc, argv, options, err), "delete [--force] ID",
                 &id, err);
    if (ret < 0 || oci_state_load(globals, id, &state, err) < 0)
        return -1;
    status = oci_state_status(&state);
    /* A created container never ran its command: deleting it is safe, as
     * runc does. A running one needs --force. */
    if (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0) {
        if (!force)
            ret = mb_fail(err, 0, "container %s is %s: stop it first, or use --force", id, status);
    }
    if (ret == 0 && strcmp(status, "stopped") != 0) {
        oci_cgroup_signal_all(&state.cgroup, SIGKILL, err);
        kill(state.pid, SIGKILL);
        if (strcmp(status, "paused") == 0)
            oci_cgroup_freeze(&state.cgroup, false, err);
        ret = wait_stopped(&state, err);
    }
    if (ret == 0)
        ret = remove_container(&state, err);
    oci_state_free(&state);
    return ret;
}

static bool oci_container_exists(const struct mb_globals *globals, const char *id)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    mb_error ignored;

    if (oci_state_dir(globals, id, dir, sizeof(dir), &ignored) < 0)
        return false;
    snprintf(path, sizeof(path), "%s/state.json", dir);
    return access(path, F_OK) == 0;
}

bool oci_form(const struct mb_globals *globals, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--process") == 0 || strncmp(argv[i], "--process=", 10) == 0)
            return true;
        if (argv[i][0] != '-' && oci_container_exists(globals, argv[i]))
            return true;
    }
    return false;
}

/* conmon and containerd read the runtime's error from this file (the last
 * line), as runc writes it. */
void oci_log_error(const struct mb_globals *globals, const mb_error *err)
{
    char when[64];
    FILE *f;

    if (globals->log == NULL || (f = fopen(globals->log, "ae")) == NULL)
        return;
    {
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (globals->log_json) {
        json_t *line =
            json_pack("{s:s, s:s, s:s}", "level", "error", "msg", err->msg, "time", when);
        json_dumpf(line, f, JSON_COMPACT);
        json_decref(line);
        fputc('\n', f);
    } else {
        fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", when, err->msg);
    }
    fclose(f);
}
