/*
 * cmd_oci_exec.c - `minibox exec --process F [--detach] [--pid-file F]
 * [--console-socket S] [--preserve-fds N] ID` and the short form `exec ID
 * CMD...` (chapter 10): one more process in a running container, as
 * containerd's shim and conmon ask for it. The process object becomes the
 * engine's process config (oci_spec.c) and container_exec runs it as
 * `minibox exec` runs its command: the container's cgroups, namespaces and
 * seccomp profile, the process's own user, capabilities and limits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "console.h"
#include "container.h"
#include "oci_cmdline.h"
#include "oci_spec.h"
#include "oci_state.h"
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
static json_t *load_process(const struct exec_options *o, int argc, char **argv, json_t *config,
                            mb_error *err)
{
    json_error_t jerr;
    json_t *process, *args;

    if (o->process_file != NULL) {
        process = json_load_file(o->process_file, 0, &jerr);
        if (process == NULL)
            mb_fail(err, 0, "%s: %s", o->process_file, jerr.text);
        return process;
    }
    process = json_deep_copy(json_object_get(config, "process"));
    if (process == NULL)
        process = json_object();
    args = json_array();
    for (int i = o->at + 1; i < argc; i++)
        json_array_append_new(args, json_string(argv[i]));
    json_object_set_new(process, "args", args);
    json_object_set_new(process, "terminal", json_boolean(o->tty));
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
    return process;
}

int cmd_oci_exec(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct container_config cfg = {0};
    struct exec_request req = {.console_fd = -1};
    struct exec_options o;
    struct oci_state state = {.dir = {.fd = -1, .lock_fd = -1}};
    json_t *config = NULL, *process = NULL;
    const char *status;
    int ret, exit_status = 0;

    ret = parse_exec(argc, argv, &o, err);
    if (ret == 0)
        ret = oci_state_load(globals, argv[o.at], &state, err);
    status = ret == 0 ? oci_state_status(&state) : "";
    if (ret == 0 && strcmp(status, "running") != 0 && strcmp(status, "created") != 0)
        ret = mb_fail(err, 0, "container %s is not running (it is %s)", state.id, status);
    if (ret == 0)
        ret = oci_spec_load(state.bundle, &config, err);
    if (ret == 0 && (process = load_process(&o, argc, argv, config, err)) == NULL)
        ret = -1;
    if (ret == 0)
        ret = oci_spec_process(process, &cfg, err);
    if (ret == 0 && o.preserve != NULL)
        ret = oci_parse_count(o.preserve, "--preserve-fds", &cfg.process.preserve_fds, err);
    /* The container's filter binds every process in it, not only the first. */
    if (ret == 0 && json_object_get(json_object_get(config, "linux"), "seccomp") != NULL)
        ret = seccomp_program_from_oci(json_object_get(json_object_get(config, "linux"), "seccomp"),
                                       &cfg.hardening.seccomp, err);
    if (ret == 0 && cfg.process.terminal) {
        if (o.console_socket == NULL)
            ret = mb_fail(err, 0, "exec: a terminal needs --console-socket");
        else
            ret = req.console_fd = console_connect(o.console_socket, err);
    }
    if (ret >= 0) {
        req.target = state.pid;
        req.cgroup = &state.cgroup;
        req.detach = o.detach;
        req.pid_file = o.pid_file;
        ret = container_exec(&cfg, &req, &exit_status, err);
    }
    cleanup_fdp(&req.console_fd);
    oci_spec_free(&cfg);
    json_decref(process);
    json_decref(config);
    oci_state_free(&state);
    return ret < 0 ? -1 : exit_status;
}
