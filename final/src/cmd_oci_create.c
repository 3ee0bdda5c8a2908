/*
 * cmd_oci_create.c - `minibox create --bundle B [--pid-file F]
 * [--console-socket S] [--no-pivot] [--preserve-fds N] ID` (chapter 10).
 *
 * The OCI runtime splits `run` in two. create builds the container and
 * leaves its first process blocked just before execve; start lets it go.
 * Between the two the caller (Podman's conmon, containerd's shim) sets up
 * what needs the process to exist: networking, logging, a terminal. create
 * exits once the process is ready and its pid written: the process is not
 * create's to wait for. The caller is a child subreaper, so the orphaned
 * container becomes its child, and it collects the exit status.
 *
 * All of it is the engine's own: config.json becomes a container_config
 * (oci_spec.c) and container_create makes the container as run does.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "console.h"
#include "container.h"
#include "oci_cmdline.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "util.h"

struct create_options {
    const char *bundle, *pid_file, *console_socket, *id;
    bool no_pivot;
    int preserve_fds;
};

static int parse_create(int argc, char **argv, struct create_options *o, mb_error *err)
{
    const char *preserve = NULL;
    struct oci_option options[] = {
        {"--bundle", &o->bundle, NULL},      {"-b", &o->bundle, NULL},
        {"--pid-file", &o->pid_file, NULL},  {"--console-socket", &o->console_socket, NULL},
        {"--preserve-fds", &preserve, NULL}, {"--no-pivot", NULL, &o->no_pivot},
        {"--no-new-keyring", NULL, NULL},    {NULL, NULL, NULL},
    };
    int at;

    memset(o, 0, sizeof(*o));
    o->bundle = ".";
    at = oci_parse_options(argc, argv, options, err);
    if (at < 0)
        return at;
    if (at != argc - 1)
        return mb_fail(err, 0,
                       "usage: minibox create --bundle DIR [--pid-file F] [--console-socket S] ID");
    o->id = argv[at];
    if (preserve != NULL)
        return oci_parse_count(preserve, "--preserve-fds", &o->preserve_fds, err);
    return oci_id_check(o->id, err);
}

static void now_rfc3339(char *out, size_t len)
{
    struct timespec now;
    struct tm tm;
    char date[40];

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, len, "%s.%09ldZ", date, now.tv_nsec);
}

/* The state on the stdin of the hooks that run inside (pid: theirs). */
static char *hook_state(const struct create_options *o, const char *bundle, json_t *config)
{
    json_t *json = json_pack("{s:s, s:s, s:s, s:i, s:s, s:O*}", "ociVersion", OCI_VERSION, "id",
                             o->id, "status", "created", "pid", 0, "bundle", bundle, "annotations",
                             json_object_get(config, "annotations"));
    char *text = json_dumps(json, JSON_COMPACT);

    json_decref(json);
    return text;
}

/* After the container exists: its state and the pid file. A failure here
 * takes the container down again. */
static int record_container(const struct create_options *o, const struct container_config *cfg,
                            const char *bundle, json_t *config, struct container_created *made,
                            mb_error *err)
{
    struct oci_state st = {.dir = made->state, .pid = made->pid, .cgroup = made->cgroup};
    int ret;

    snprintf(st.id, sizeof(st.id), "%s", o->id);
    snprintf(st.bundle, sizeof(st.bundle), "%s", bundle);
    snprintf(st.rootfs, sizeof(st.rootfs), "%s", cfg->rootfs);
    now_rfc3339(st.created, sizeof(st.created));
    st.own_pid_ns = (cfg->spec.namespaces & CLONE_NEWPID) != 0;
    st.annotations = json_object_get(config, "annotations");
    st.hooks = cfg->spec.hooks;
    if (process_start_time(made->pid, &st.start_time) < 0)
        return mb_fail(err, 0, "the container's process died while being set up");
    ret = oci_state_save(&st, err);
    if (ret == 0 && o->pid_file != NULL)
        ret = write_pid_file(o->pid_file, made->pid, err);
    if (ret < 0) {
        mb_error ignored;

        st.annotations = st.hooks = NULL;
        oci_state_destroy(&st, &ignored);
    }
    return ret;
}

int cmd_oci_create(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct container_config cfg = {.spec = {.fifo_fd = -1, .console_fd = -1}};
    struct container_created made;
    struct create_options o;
    char bundle[PATH_MAX];
    json_t *config = NULL;
    int ret;

    ret = parse_create(argc, argv, &o, err);
    if (ret == 0 && realpath(o.bundle, bundle) == NULL)
        ret = mb_fail(err, errno, "bundle %s", o.bundle);
    if (ret == 0)
        ret = oci_spec_load(bundle, &config, err);
    if (ret == 0)
        ret = oci_spec_translate(config, bundle, o.id, globals->systemd_cgroup, &cfg, err);
    cfg.state_root = globals->root;
    cfg.process.preserve_fds = o.preserve_fds;
    cfg.spec.no_pivot = o.no_pivot;
    if (ret == 0 && cfg.process.terminal && o.console_socket == NULL)
        ret = mb_fail(err, 0, "process.terminal needs --console-socket");
    if (ret == 0 && cfg.process.terminal)
        ret = cfg.spec.console_fd = console_connect(o.console_socket, err);
    if (ret >= 0 && (cfg.spec.state_json = hook_state(&o, bundle, config)) == NULL)
        ret = mb_fail(err, ENOMEM, "state");
    if (ret >= 0)
        ret = container_create(&cfg, &made, err);
    if (ret == 0)
        ret = record_container(&o, &cfg, bundle, config, &made, err);
    if (ret == 0)
        state_close(&made.state);
    cleanup_fdp(&cfg.spec.console_fd);
    oci_spec_free(&cfg);
    json_decref(config);
    return ret < 0 ? -1 : 0;
}
