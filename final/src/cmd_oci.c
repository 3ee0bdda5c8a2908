/*
 * cmd_oci.c - the OCI runtime verbs that act on a container create made
 * (chapter 10): `start ID`, `state ID`, `kill [--all] ID [SIGNAL]`,
 * `delete [--force] ID`, `ps [--format json] ID`, `update --resources F ID`,
 * `pause ID`, `resume ID`,
 * and the --log file conmon and containerd read. The error words are
 * runc's where callers match them ("does not exist", "not running").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "hooks.h"
#include "oci_cmdline.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "signals.h"
#include "util.h"

/* The options, then exactly one argument, the id; its state loaded. */
static int load_one(const struct mb_globals *globals, int argc, char **argv,
                    const struct oci_option *options, const char *usage, struct oci_state *state,
                    mb_error *err)
{
    int at = oci_parse_options(argc, argv, options, err);

    if (at < 0)
        return at;
    if (at != argc - 1)
        return mb_fail(err, 0, "usage: minibox %s", usage);
    return oci_state_load(globals, argv[at], state, err);
}

/* Wait for the fifo's byte (the container's process has opened it), then
 * for its end: the process's end of the fifo is close-on-exec, so the end
 * comes with its execve, after the startContainer hooks (poststart must
 * follow the command's start). If the process dies instead, no byte and no
 * end come. */
static int release_process(const struct oci_state *state, int fd, mb_error *err)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    bool opened = false;
    char byte;

    for (;;) {
        int ready = poll(&pfd, 1, 100);
        ssize_t n = ready > 0 ? read(fd, &byte, 1) : -1;

        if (n == 1)
            opened = true;
        else if (n == 0 && opened)
            return 0;
        if (ready < 0 && errno != EINTR)
            return mb_fail(err, errno, "poll the exec fifo");
        if (strcmp(oci_state_status(state), "stopped") == 0)
            return opened
                       ? 0
                       : mb_fail(err, 0, "container %s: its process died before start", state->id);
    }
}

int cmd_oci_start(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct oci_option none[] = {{NULL, NULL, NULL}};
    cleanup_free char *text = NULL;
    struct oci_state state;
    cleanup_fd int fd = -1;
    const char *status;
    int ret;

    if (load_one(globals, argc, argv, none, "start ID", &state, err) < 0)
        return -1;
    status = oci_state_status(&state);
    if (strcmp(status, "created") != 0)
        ret = mb_fail(err, 0, "container %s is %s, not created: cannot start it", state.id, status);
    /* Non-blocking: opening for reading never waits for the writer. */
    else if ((fd = openat(state.dir.fd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
        ret = mb_fail(err, errno, "open %s/exec.fifo", state.dir.dir);
    else
        ret = release_process(&state, fd, err);
    /* Gone fifo = "running", and a second start fails. */
    if (ret == 0)
        unlinkat(state.dir.fd, "exec.fifo", 0);
    text = ret == 0 ? oci_state_text(&state) : NULL;
    if (text != NULL && hooks_run(state.hooks, "poststart", text, err) < 0)
        mb_error_print(err); /* the spec: a poststart failure is only logged */
    oci_state_free(&state);
    return ret;
}

int cmd_oci_state(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct oci_option none[] = {{NULL, NULL, NULL}};
    struct oci_state state;
    json_t *json;

    if (load_one(globals, argc, argv, none, "state ID", &state, err) < 0)
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

    if (pidfd < 0 && errno != ENOSYS)
        return mb_fail(err, 0, "cannot signal %s: container not running", state->id);
    /* Checked after the pidfd exists: it still names the same process. */
    if (strcmp(oci_state_status(state), "stopped") == 0)
        return mb_fail(err, 0, "cannot signal %s: container not running", state->id);
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
    if (at == argc - 2 && signals_parse(argv[at + 1], &sig, err) < 0)
        return -1;
    if (oci_state_load(globals, argv[at], &state, err) < 0)
        return -1;
    /* Without a pid namespace of its own, killing its first process
     * leaves the others: --all, or any kill then, reaches every one. */
    if (strcmp(oci_state_status(&state), "stopped") == 0 && !all)
        ret = mb_fail(err, 0, "cannot signal %s: container not running", state.id);
    else if (all || !state.own_pid_ns)
        ret = cgroup_signal_all(&state.cgroup, sig, err);
    else
        ret = signal_process(&state, sig, err);
    /* In a v1 freezer a paused process dies of SIGKILL only once thawed. */
    if (ret == 0 && sig == SIGKILL && cgroup_frozen(&state.cgroup))
        ret = cgroup_freeze(&state.cgroup, false, err);
    oci_state_free(&state);
    return ret;
}

/* After SIGKILL the process is gone at once, or a zombie until its parent
 * (conmon, the shim) reaps it: both count as stopped. */
static int wait_stopped(const struct oci_state *state, mb_error *err)
{
    struct timespec step = {0, 10 * 1000 * 1000};

    for (int tries = 0; tries < 1000; tries++) {
        if (strcmp(oci_state_status(state), "stopped") == 0)
            return 0;
        nanosleep(&step, NULL);
    }
    return mb_fail(err, 0, "container %s did not stop", state->id);
}

int cmd_oci_delete(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    bool force = false;
    struct oci_option options[] = {
        {"--force", NULL, &force}, {"-f", NULL, &force}, {NULL, NULL, NULL}};
    cleanup_free char *text = NULL;
    struct oci_state state;
    const char *status;
    mb_error hook_err;
    int ret = 0;

    if (load_one(globals, argc, argv, options, "delete [--force] ID", &state, err) < 0)
        return -1;
    status = oci_state_status(&state);
    /* A created container never ran its command: deleting it is safe, as
     * runc does. A running one needs --force. */
    if ((strcmp(status, "running") == 0 || strcmp(status, "paused") == 0) && !force)
        ret = mb_fail(err, 0, "container %s is %s: stop it, or use --force", state.id, status);
    if (ret == 0 && strcmp(status, "stopped") != 0) {
        if (strcmp(status, "paused") == 0)
            cgroup_freeze(&state.cgroup, false, err);
        cgroup_signal_all(&state.cgroup, SIGKILL, err);
        kill(state.pid, SIGKILL);
        ret = wait_stopped(&state, err);
    }
    text = ret == 0 ? oci_state_text(&state) : NULL;
    if (ret == 0)
        ret = oci_state_destroy(&state, err);
    if (text != NULL && hooks_run(state.hooks, "poststop", text, &hook_err) < 0)
        mb_error_print(&hook_err); /* the spec: logged, the delete goes on */
    oci_state_free(&state);
    return ret;
}

/* runc's ps: the pids of the container's processes as a JSON array (what
 * containerd's `ctr task ps` reads), or ps(1)'s table for them. */
int cmd_oci_ps(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    const char *format = "table";
    struct oci_option options[] = {
        {"--format", &format, NULL}, {"-f", &format, NULL}, {NULL, NULL, NULL}};
    cleanup_free pid_t *pids = NULL;
    struct oci_state state;
    size_t n = 0;
    bool json;
    int ret;

    if (load_one(globals, argc, argv, options, "ps [--format table|json] ID", &state, err) < 0)
        return -1;
    ret = cgroup_pids(&state.cgroup, &pids, &n, err);
    json = strcmp(format, "json") == 0;
    oci_state_free(&state);
    if (ret < 0)
        return ret;
    if (!json && strcmp(format, "table") != 0)
        return mb_fail(err, 0, "ps: bad --format '%s': table or json", format);
    fputs(json ? "[" : "PID\n", stdout);
    for (size_t i = 0; i < n; i++)
        printf(json ? "%s%d" : "%s%d\n", json && i ? "," : "", (int)pids[i]);
    if (json)
        puts("]");
    return 0;
}

/* `update --resources FILE|- ID`: linux.resources, written again. */
int cmd_oci_update(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    const char *file = NULL;
    struct oci_option options[] = {
        {"--resources", &file, NULL}, {"-r", &file, NULL}, {NULL, NULL, NULL}};
    struct limits limits = {0};
    struct oci_state state;
    json_error_t jerr;
    json_t *resources;
    int ret;

    if (load_one(globals, argc, argv, options, "update --resources FILE|- ID", &state, err) < 0)
        return -1;
    if (file == NULL)
        ret = mb_fail(err, 0, "update: --resources FILE (or - for stdin) is needed");
    else if ((resources = strcmp(file, "-") == 0 ? json_loadf(stdin, 0, &jerr)
                                                 : json_load_file(file, 0, &jerr)) == NULL)
        ret = mb_fail(err, 0, "update: %s: %s", file, jerr.text);
    else {
        ret = oci_spec_resources(resources, &limits, err);
        if (ret == 0)
            ret = cgroup_update(&state.cgroup, &limits, err);
        free(limits.spec.throttles);
        free(limits.spec.hugetlb);
        json_decref(resources);
    }
    oci_state_free(&state);
    return ret;
}

/* pause and resume: every process of the container stopped at once by its
 * cgroup's freezer, not one by one with SIGSTOP, which a process can see
 * (SIGCHLD to its parent) and a fork can escape. */
static int set_frozen(const struct mb_globals *globals, int argc, char **argv, bool frozen,
                      mb_error *err)
{
    struct oci_option none[] = {{NULL, NULL, NULL}};
    const char *want = frozen ? "running" : "paused", *status;
    struct oci_state state;
    int ret;

    if (load_one(globals, argc, argv, none, frozen ? "pause ID" : "resume ID", &state, err) < 0)
        return -1;
    status = oci_state_status(&state);
    if (strcmp(status, want) != 0 && !(frozen && strcmp(status, "created") == 0))
        ret = mb_fail(err, 0, "container %s is %s, not %s", state.id, status, want);
    else
        ret = cgroup_freeze(&state.cgroup, frozen, err);
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

static bool oci_container_exists(const struct mb_globals *globals, const char *id)
{
    struct container_state dir;
    mb_error ignored;
    bool exists;

    if (oci_id_check(id, &ignored) < 0 || state_open_id(globals->root, id, &dir, &ignored) < 0)
        return false;
    exists = faccessat(dir.fd, "state.json", F_OK, 0) == 0;
    state_close(&dir);
    return exists;
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
