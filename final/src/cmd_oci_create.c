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
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "oci_cmdline.h"
#include "oci_hooks.h"
#include "oci_init.h"
#include "oci_process.h"
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
                       "usage: minibox create --bundle DIR [--pid-file F] "
                       "[--console-socket S] ID");
    o->id = argv[at];
    if (preserve != NULL)
        return oci_parse_count(preserve, "--preserve-fds", &o->preserve_fds, err);
    return 0;
}

/* A new container: its config, its state dir and what create opened. */
struct creation {
    struct create_options opt;
    json_t *config;
    char bundle[PATH_MAX], rootfs[PATH_MAX];
    struct oci_state state;
    bool state_made, cgroup_made;
    pid_t pid;
    struct seccomp_program seccomp;
    int fifo_fd, console_fd, sync_fd;
};

/* Undo everything: a failed create leaves no process, cgroup or state. */
static void creation_abort(struct creation *c)
{
    mb_error ignored;

    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
    }
    if (c->cgroup_made)
        oci_cgroup_destroy(&c->state.cgroup, &ignored);
    if (c->state_made)
        oci_state_remove(&c->state);
}

static void creation_free(struct creation *c)
{
    oci_state_free(&c->state);
    json_decref(c->config);
    seccomp_program_free(&c->seccomp);
    cleanup_fdp(&c->fifo_fd);
    cleanup_fdp(&c->console_fd);
    cleanup_fdp(&c->sync_fd);
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

static int load_bundle(struct creation *c, mb_error *err)
{
    const char *root;
    char joined[PATH_MAX * 2];

    if (realpath(c->opt.bundle, c->bundle) == NULL)
        return mb_fail(err, errno, "bundle %s", c->opt.bundle);
    if (oci_spec_load(c->bundle, &c->config, err) < 0)
        return -1;
    root = json_string_value(json_object_get(json_object_get(c->config, "root"), "path"));
    snprintf(joined, sizeof(joined), "%s%s%s", root[0] == '/' ? "" : c->bundle,
             root[0] == '/' ? "" : "/", root);
    if (realpath(joined, c->rootfs) == NULL)
        return mb_fail(err, errno, "root.path %s", root);
    if (json_is_true(json_object_get(json_object_get(c->config, "process"), "terminal")) &&
        c->opt.console_socket == NULL)
        return mb_fail(err, 0, "process.terminal needs --console-socket");
    return 0;
}

/* The state dir, then the cgroup paths recorded in it, then the cgroup:
 * whatever happens, delete finds everything that was made. */
static int make_state_and_cgroup(const struct mb_globals *globals, struct creation *c,
                                 mb_error *err)
{
    json_t *linux_ = json_object_get(c->config, "linux");
    char cgpath[PATH_MAX];
    int ret;

    ret = oci_state_create_dir(globals, c->opt.id, &c->state, err);
    if (ret < 0)
        return ret;
    c->state_made = true;
    snprintf(c->state.bundle, sizeof(c->state.bundle), "%s", c->bundle);
    snprintf(c->state.rootfs, sizeof(c->state.rootfs), "%s", c->rootfs);
    now_rfc3339(c->state.created, sizeof(c->state.created));
    c->state.annotations = json_incref(json_object_get(c->config, "annotations"));
    c->state.hooks = json_incref(json_object_get(c->config, "hooks"));
    ret = oci_cgroup_path(json_string_value(json_object_get(linux_, "cgroupsPath")),
                          globals->systemd_cgroup, c->opt.id, cgpath, sizeof(cgpath), err);
    if (ret < 0)
        return ret;
    ret = oci_cgroup_plan(cgpath, &c->state.cgroup, err);
    if (ret < 0)
        return ret;
    ret = oci_state_save(&c->state, err);
    if (ret < 0)
        return ret;
    c->cgroup_made = true;
    return oci_cgroup_create(&c->state.cgroup, json_object_get(linux_, "resources"), err);
}

static int open_exec_fifo(struct creation *c, mb_error *err)
{
    char path[PATH_MAX + 16];

    oci_state_fifo_path(&c->state, path, sizeof(path));
    /* 0622: the container's user (maybe not root) opens it for writing. */
    if (mkfifo(path, 0622) < 0 || chmod(path, 0622) < 0)
        return mb_fail(err, errno, "mkfifo %s", path);
    c->fifo_fd = open(path, O_PATH | O_CLOEXEC);
    if (c->fifo_fd < 0)
        return mb_fail(err, errno, "open %s", path);
    return 0;
}

/* Namespaces given by path are joined before clone, so that the child
 * starts in them (a pid namespace only takes effect for children). The
 * user namespace comes first: it owns the others. The mount namespace is
 * the child's to join: create needs the host's files until it exits. */
static int join_given_namespaces(json_t *namespaces, unsigned long *clone_flags, bool *own_pid,
                                 mb_error *err)
{
    json_t *ns;
    size_t i;

    *clone_flags = 0;
    *own_pid = false;
    for (int pass = 0; pass < 2; pass++)
        json_array_foreach(namespaces, i, ns)
        {
            const char *type = json_string_value(json_object_get(ns, "type"));
            const char *path = json_string_value(json_object_get(ns, "path"));
            int flag = 0;

            oci_namespace_flag(type, &flag, err);
            if ((pass == 0) != (flag == CLONE_NEWUSER))
                continue;
            if (path == NULL) {
                *own_pid = *own_pid || flag == CLONE_NEWPID;
                if (flag != CLONE_NEWCGROUP) /* the child makes it, see oci_init.c */
                    *clone_flags |= (unsigned long)flag;
            } else if (flag != CLONE_NEWNS) {
                cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, flag) < 0)
                    return mb_fail(err, errno, "join %s namespace %s", type, path);
            }
        }
    return 0;
}

/* linux.uidMappings / gidMappings of a new user namespace. */
static int write_id_maps(json_t *linux_, pid_t pid, mb_error *err)
{
    static const char *const keys[] = {"uidMappings", "gidMappings"};
    static const char *const files[] = {"uid_map", "gid_map"};

    for (int k = 0; k < 2; k++) {
        char text[4096] = "", path[64];
        json_t *map;
        size_t i;
        int ret;

        json_array_foreach(json_object_get(linux_, keys[k]), i, map)
        {
            snprintf(text + strlen(text), sizeof(text) - strlen(text),
                     "%" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT "\n",
                     json_integer_value(json_object_get(map, "containerID")),
                     json_integer_value(json_object_get(map, "hostID")),
                     json_integer_value(json_object_get(map, "size")));
        }
        if (text[0] == '\0')
            continue;
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[k]);
        ret = write_file_at(AT_FDCWD, path, text, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int prepare_process_inputs(struct creation *c, mb_error *err)
{
    json_t *profile = json_object_get(json_object_get(c->config, "linux"), "seccomp");
    int ret;

    ret = open_exec_fifo(c, err);
    if (ret < 0)
        return ret;
    if (profile != NULL) {
        ret = seccomp_program_from_oci(profile, &c->seccomp, err);
        if (ret < 0)
            return ret;
    }
    if (json_is_true(json_object_get(json_object_get(c->config, "process"), "terminal"))) {
        c->console_fd = oci_console_connect(c->opt.console_socket, err);
        if (c->console_fd < 0)
            return -1;
    }
    return 0;
}

/* Clone the container's first process, put it in its cgroup (and map its
 * ids), let it go, and wait until it is ready or has failed. */
static int spawn_container(struct creation *c, mb_error *err)
{
    json_t *linux_ = json_object_get(c->config, "linux");
    struct oci_sync_msg msg = {.kind = 'G'};
    unsigned long flags;
    int pair[2], ret;

    ret = join_given_namespaces(json_object_get(linux_, "namespaces"), &flags, &c->state.own_pid_ns,
                                err);
    if (ret < 0)
        return ret;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        return mb_fail(err, errno, "socketpair");
    c->sync_fd = pair[0];
    /* clone used like fork: no new stack, the child continues here. */
    c->pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (c->pid == 0) {
        struct oci_init_args args = {
            .config = c->config,
            .rootfs = c->rootfs,
            .bundle = c->bundle,
            .cgroup = &c->state.cgroup,
            .seccomp = &c->seccomp,
            .sync_fd = pair[1],
            .fifo_fd = c->fifo_fd,
            .console_fd = c->console_fd,
            .preserve_fds = c->opt.preserve_fds,
            .no_pivot = c->opt.no_pivot,
        };
        close(pair[0]);
        oci_init_run(&args);
    }
    close(pair[1]);
    if (c->pid < 0)
        return mb_fail(err, errno, "clone");
    ret = write_id_maps(linux_, c->pid, err);
    if (ret == 0)
        ret = oci_cgroup_join(&c->state.cgroup, c->pid, err);
    if (ret < 0)
        return ret;
    if (send(c->sync_fd, &msg, sizeof(msg), MSG_NOSIGNAL) < 0)
        return mb_fail(err, errno, "start the container's process");
    if (recv(c->sync_fd, &msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
        return mb_fail(err, 0, "the container's process died while being set up");
    if (msg.kind != 'R') {
        *err = msg.err;
        return -1;
    }
    if (oci_process_start_time(c->pid, &c->state.start_time) < 0)
        return mb_fail(err, 0, "the container's process died while being set up");
    return 0;
}

/* The pid file is read by whoever waits for us: write it whole or not at
 * all (a temporary name, then rename). */
static int write_pid_file(const char *path, pid_t pid, mb_error *err)
{
    char tmp[PATH_MAX + 16], text[24];

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    snprintf(text, sizeof(text), "%d", (int)pid);
    if (write_new_file(tmp, text, err) < 0)
        return -1;
    if (rename(tmp, path) < 0) {
        unlink(tmp);
        return mb_fail(err, errno, "write pid file %s", path);
    }
    return 0;
}

static int create_container(const struct mb_globals *globals, struct creation *c, mb_error *err)
{
    int ret;

    ret = load_bundle(c, err);
    if (ret < 0)
        return ret;
    ret = make_state_and_cgroup(globals, c, err);
    if (ret < 0)
        return ret;
    ret = prepare_process_inputs(c, err);
    if (ret < 0)
        return ret;
    ret = spawn_container(c, err);
    if (ret < 0)
        return ret;
    c->state.pid = c->pid;
    ret = oci_state_save(&c->state, err);
    if (ret < 0)
        return ret;
    /* prestart (deprecated) and createRuntime: in the runtime's namespaces,
     * once the container's exist, before its command runs. */
    ret = oci_hooks_run(c->state.hooks, "prestart", &c->state, err);
    if (ret == 0)
        ret = oci_hooks_run(c->state.hooks, "createRuntime", &c->state, err);
    if (ret == 0 && c->opt.pid_file != NULL)
        ret = write_pid_file(c->opt.pid_file, c->pid, err);
    return ret;
}

int cmd_oci_create(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct creation c = {.fifo_fd = -1, .console_fd = -1, .sync_fd = -1};
    int ret;

    ret = parse_create(argc, argv, &c.opt, err);
    if (ret < 0)
        return ret;
    ret = create_container(globals, &c, err);
    if (ret < 0)
        creation_abort(&c);
    creation_free(&c);
    return ret < 0 ? ret : 0;
}
