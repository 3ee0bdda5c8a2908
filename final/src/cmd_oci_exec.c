/*
 * cmd_oci_exec.c - `minibox exec --process F [--detach] [--pid-file F]
 * [--tty --console-socket S] ID` and the short form `exec ID CMD...`
 * (chapter 10): one more process in a running container.
 *
 * The process must land in everything the container's first process is in:
 * its cgroups (joined while their host paths are still reachable), its
 * namespaces (setns), then a fork, because a pid namespace is entered only
 * by children. It gets the same treatment as the first process: limits,
 * user, capabilities, seccomp.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "oci_cmdline.h"
#include "oci_process.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "signals.h"
#include "util.h"

struct exec_options {
    const char *process_file, *pid_file, *console_socket, *cwd, *env, *user, *preserve;
    bool detach, tty;
    int at; /* the id's index in argv */
};

static int parse_exec(int argc, char **argv, struct exec_options *o, mb_error *err)
{
    struct oci_option options[] = {
        {"--process", &o->process_file, NULL},
        {"-p", &o->process_file, NULL},
        {"--pid-file", &o->pid_file, NULL},
        {"--console-socket", &o->console_socket, NULL},
        {"--cwd", &o->cwd, NULL},
        {"--env", &o->env, NULL},
        {"-e", &o->env, NULL},
        {"--user", &o->user, NULL},
        {"-u", &o->user, NULL},
        {"--preserve-fds", &o->preserve, NULL},
        {"--detach", NULL, &o->detach},
        {"-d", NULL, &o->detach},
        {"--tty", NULL, &o->tty},
        {"-t", NULL, &o->tty},
        {"--no-new-privs", NULL, NULL},
        {NULL, NULL, NULL},
    };

    memset(o, 0, sizeof(*o));
    o->at = oci_parse_options(argc, argv, options, err);
    if (o->at < 0)
        return o->at;
    if (o->at >= argc || (o->process_file == NULL && o->at == argc - 1))
        return mb_fail(err, 0, "usage: minibox exec [--process F | ID CMD...] [--detach] ID");
    return 0;
}

/* The process to run: --process's file, else config.json's process with
 * the command line's args, --cwd, --env and --user over it. */
static int load_process(const struct exec_options *o, int argc, char **argv, json_t *config,
                        json_t **out, mb_error *err)
{
    json_error_t jerr;
    json_t *process;

    if (o->process_file != NULL) {
        process = json_load_file(o->process_file, 0, &jerr);
        if (process == NULL)
            return mb_fail(err, 0, "%s: %s", o->process_file, jerr.text);
    } else {
        json_t *args = json_array();
        process = json_deep_copy(json_object_get(config, "process"));
        if (process == NULL)
            process = json_object();
        for (int i = o->at + 1; i < argc; i++)
            json_array_append_new(args, json_string(argv[i]));
        json_object_set_new(process, "args", args);
        json_object_del(process, "terminal");
    }
    if (o->cwd != NULL)
        json_object_set_new(process, "cwd", json_string(o->cwd));
    if (o->env != NULL) {
        if (!json_is_array(json_object_get(process, "env")))
            json_object_set_new(process, "env", json_array());
        json_array_append_new(json_object_get(process, "env"), json_string(o->env));
    }
    if (o->user != NULL)
        json_object_set_new(process, "user",
                            json_pack("{s:i, s:i}", "uid", atoi(o->user), "gid",
                                      strchr(o->user, ':') ? atoi(strchr(o->user, ':') + 1) : 0));
    if (o->tty)
        json_object_set_new(process, "terminal", json_true());
    *out = process;
    return oci_spec_check_process(process, err);
}

/* Which of the container's namespaces differ from ours (setns into our own
 * user namespace is refused). */
static int namespaces_to_join(pid_t pid, int *flags)
{
    static const struct {
        const char *name;
        int flag;
    } kinds[] = {{"user", CLONE_NEWUSER},    {"mnt", CLONE_NEWNS},  {"pid", CLONE_NEWPID},
                 {"net", CLONE_NEWNET},      {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
                 {"cgroup", CLONE_NEWCGROUP}};
    char theirs[64], ours[64];

    *flags = 0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct stat a, b;
        snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
        snprintf(ours, sizeof(ours), "/proc/self/ns/%s", kinds[i].name);
        if (stat(theirs, &a) < 0)
            return -1;
        if (stat(ours, &b) == 0 && (a.st_ino != b.st_ino || a.st_dev != b.st_dev))
            *flags |= kinds[i].flag;
    }
    return 0;
}

/* setns(pidfd, flags) (Linux 5.8) enters all at once; older kernels take
 * one /proc/PID/ns file at a time, the user namespace first (it owns the
 * rest) and the mount namespace last (after it /proc is the container's). */
static int join_namespaces(pid_t pid, int pidfd, int flags, mb_error *err)
{
    static const struct {
        const char *name;
        int flag;
    } order[] = {{"user", CLONE_NEWUSER}, {"pid", CLONE_NEWPID}, {"net", CLONE_NEWNET},
                 {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP},
                 {"mnt", CLONE_NEWNS}};
    int fds[7];

    if (pidfd >= 0 && setns(pidfd, flags) == 0)
        return 0;
    for (size_t i = 0; i < 7; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, order[i].name);
        fds[i] = (flags & order[i].flag) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
        if ((flags & order[i].flag) && fds[i] < 0)
            return mb_fail(err, errno, "open %s", path);
    }
    for (size_t i = 0; i < 7; i++) {
        if (fds[i] >= 0 && setns(fds[i], order[i].flag) < 0)
            return mb_fail(err, errno, "join the container's %s namespace", order[i].name);
        if (fds[i] >= 0)
            close(fds[i]);
    }
    return 0;
}

/* The pid file through a dir fd opened on the host: by now this process
 * sees the container's files. */
static int write_pid_at(int dirfd, const char *name, pid_t pid, mb_error *err)
{
    char tmp[512], text[24];
    cleanup_fd int fd = -1;

    snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
    snprintf(text, sizeof(text), "%d", (int)pid);
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, text, strlen(text)) < 0 || renameat(dirfd, tmp, dirfd, name) < 0)
        return mb_fail(err, errno, "write pid file %s", name);
    return 0;
}

struct exec_plan {
    struct oci_state state;
    json_t *config, *process;
    struct seccomp_program seccomp;
    int console_fd, pid_dir_fd, pidfd, preserve_fds;
    char pid_name[256];
};

static int plan_exec(const struct mb_globals *globals, const struct exec_options *o, int argc,
                     char **argv, struct exec_plan *p, mb_error *err)
{
    char config_path[PATH_MAX + 16];
    const char *status;
    json_t *profile;
    int ret;

    ret = oci_state_load(globals, argv[o->at], &p->state, err);
    if (ret < 0)
        return ret;
    status = oci_state_status(&p->state);
    if (strcmp(status, "running") != 0 && strcmp(status, "created") != 0)
        return mb_fail(err, 0, "container %s is %s: cannot exec in it", p->state.id, status);
    snprintf(config_path, sizeof(config_path), "%s/config.json", p->state.bundle);
    p->config = json_load_file(config_path, 0, NULL);
    ret = load_process(o, argc, argv, p->config, &p->process, err);
    if (ret < 0)
        return ret;
    if (o->preserve != NULL &&
        oci_parse_count(o->preserve, "--preserve-fds", &p->preserve_fds, err) < 0)
        return -1;
    /* The container's filter binds every process in it, not only the first. */
    profile = json_object_get(json_object_get(p->config, "linux"), "seccomp");
    if (profile != NULL && seccomp_program_from_oci(profile, &p->seccomp, err) < 0)
        return -1;
    if (json_is_true(json_object_get(p->process, "terminal"))) {
        if (o->console_socket == NULL)
            return mb_fail(err, 0, "exec: a terminal needs --console-socket");
        p->console_fd = oci_console_connect(o->console_socket, err);
        if (p->console_fd < 0)
            return -1;
    }
    if (o->pid_file != NULL) {
        char copy[PATH_MAX], copy2[PATH_MAX];
        snprintf(copy, sizeof(copy), "%s", o->pid_file);
        snprintf(copy2, sizeof(copy2), "%s", o->pid_file);
        snprintf(p->pid_name, sizeof(p->pid_name), "%s", basename(copy));
        p->pid_dir_fd = open(dirname(copy2), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (p->pid_dir_fd < 0)
            return mb_fail(err, errno, "pid file %s", o->pid_file);
    }
    p->pidfd = (int)syscall(SYS_pidfd_open, p->state.pid, 0);
    return 0;
}

__attribute__((noreturn)) static void exec_child(struct exec_plan *p)
{
    char path[4096];
    mb_error err = {0};
    int ret = 0;

    if (p->console_fd >= 0)
        ret = oci_console_setup(p->console_fd, &err);
    if (ret == 0)
        ret = oci_process_prepare(p->process, p->preserve_fds, &p->seccomp, &err);
    if (ret == 0)
        ret = oci_process_find(p->process, path, sizeof(path), &err);
    if (ret == 0)
        oci_process_exec(p->process, path, &p->seccomp, &err);
    mb_error_print(&err);
    _exit(err.status);
}

static int enter_and_run(const struct exec_options *o, struct exec_plan *p, mb_error *err)
{
    int flags, wstatus, ret;
    pid_t child;

    if (namespaces_to_join(p->state.pid, &flags) < 0)
        return mb_fail(err, errno, "container %s: its process is gone", p->state.id);
    ret = oci_cgroup_join(&p->state.cgroup, getpid(), err);
    if (ret == 0)
        ret = join_namespaces(p->state.pid, p->pidfd, flags, err);
    if (ret < 0)
        return ret;
    child = fork();
    if (child < 0)
        return mb_fail(err, errno, "fork");
    if (child == 0)
        exec_child(p);
    if (p->pid_dir_fd >= 0 && write_pid_at(p->pid_dir_fd, p->pid_name, child, err) < 0)
        return -1;
    if (o->detach)
        return 0;
    if (waitpid(child, &wstatus, 0) < 0)
        return mb_fail(err, errno, "waitpid");
    return signals_exit_status(wstatus);
}

int cmd_oci_exec(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct exec_plan plan = {.console_fd = -1, .pid_dir_fd = -1, .pidfd = -1};
    struct exec_options o;
    int ret;

    ret = parse_exec(argc, argv, &o, err);
    if (ret == 0)
        ret = plan_exec(globals, &o, argc, argv, &plan, err);
    if (ret == 0)
        ret = enter_and_run(&o, &plan, err);
    oci_state_free(&plan.state);
    json_decref(plan.config);
    json_decref(plan.process);
    seccomp_program_free(&plan.seccomp);
    cleanup_fdp(&plan.console_fd);
    cleanup_fdp(&plan.pid_dir_fd);
    cleanup_fdp(&plan.pidfd);
    return ret;
}
