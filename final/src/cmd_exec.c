/*
 * cmd_exec.c - `minibox exec [OPTIONS] CONTAINER COMMAND [ARG...]`
 * (chapter 10): one more process in a running container.
 *
 * container_exec (container.c) joins the container's cgroups, then its
 * namespaces, in a process of its own, and makes the command's process in
 * the container's PID namespace: it goes through the same last steps as
 * the container's own command (command_exec: working directory,
 * capabilities, user, no_new_privs, seccomp, environment). The OCI
 * runtime's exec (cmd_oci_exec.c) is the same call.
 * `exec --process FILE ID` is the OCI runtime's exec (cmd_oci_exec.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "command.h"
#include "container.h"
#include "commands.h"
#include "namespaces.h"
#include "policy.h"
#include "run_options.h"
#include "security.h"
#include "signals.h"
#include "state.h"
#include "util.h"

static const char exec_usage[] =
    "Usage: minibox exec [OPTIONS] CONTAINER COMMAND [ARG...]\n"
    "\n"
    "Run COMMAND in a running container (an id, id prefix or --name).\n"
    "\n"
    "Options:\n"
    "  -d, --detach              start COMMAND and return at once\n"
    "  -e, --env NAME[=VALUE]    set an environment variable\n"
    "      --env-file FILE       NAME=VALUE lines\n"
    "  -i, --interactive         keep stdin open (always, here)\n"
    "  -t, --tty                 COMMAND gets this terminal (stdin must be one)\n"
    "  -u, --user USER[:GROUP]   run as this user (default: the container's)\n"
    "  -w, --workdir DIR         working directory (default: the container's)\n"
    "      --help                show this help\n";

enum { OPT_ENV_FILE = 1000, OPT_HELP };

static const struct option exec_options[] = {
    {"detach", no_argument, NULL, 'd'},
    {"env", required_argument, NULL, 'e'},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},
    {"user", required_argument, NULL, 'u'},
    {"workdir", required_argument, NULL, 'w'},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

struct exec_args {
    struct container_config cfg; /* what command_exec needs */
    json_t *record;              /* the container's container.json */
    struct container_state dir;  /* its state dir */
    const char **env_files;      /* --env-file, read before -e */
    size_t n_env_files;
    bool detach, tty, help;
};

static void exec_args_free(struct exec_args *a)
{
    free(a->cfg.image_env);
    run_options_free(&a->cfg);
    free(a->env_files);
    json_decref(a->record);
    state_close(&a->dir);
}

static int exec_parse_option(struct exec_args *a, int opt, const char *arg, char **argv,
                             mb_error *err)
{
    switch (opt) {
    case 'd':
        a->detach = true;
        return 0;
    case 'e':
        return run_option_env(&a->cfg.process, arg, err);
    case OPT_ENV_FILE:
        return run_option_env_file(&a->env_files, &a->n_env_files, arg, err);
    case 'i':
        return 0;
    case 't':
        a->tty = true;
        return 0;
    case 'u':
        return run_option_user(&a->cfg.process, arg, err);
    case 'w':
        return run_option_workdir(&a->cfg.process, arg, err);
    case OPT_HELP:
        a->help = true;
        return 0;
    case ':':
        return mb_fail(err, 0, "exec: option '%s' needs a value", argv[optind - 1]);
    default:
        return mb_fail(err, 0, "exec: unknown option '%s' (see 'minibox exec --help')",
                       argv[optind - 1]);
    }
}

/* The container's environment, user, working directory and hardening, as
 * its run recorded them; exec's own -e, -u, -w come on top. */
static int exec_config_from_record(struct exec_args *a, mb_error *err)
{
    json_t *config = json_object_get(a->record, "config");
    json_t *host = json_object_get(a->record, "host_config");
    json_t *env = json_object_get(config, "Env"), *v;
    struct hardening_config *h = &a->cfg.hardening;
    size_t i;

    if (!json_is_object(config) || !json_is_object(host))
        return mb_fail(err, 0,
                       "exec: the container's record has no runtime config (made by an "
                       "older minibox?)");
    a->cfg.image_env = calloc(json_array_size(env) + 1, sizeof(char *));
    if (a->cfg.image_env == NULL)
        return mb_fail(err, ENOMEM, "exec");
    json_array_foreach (env, i, v)
        a->cfg.image_env[i] = (char *)json_string_value(v);
    if (a->cfg.process.user == NULL && json_string_length(json_object_get(config, "User")) > 0)
        a->cfg.process.user = json_string_value(json_object_get(config, "User"));
    a->cfg.workdir = json_string_value(json_object_get(config, "WorkingDir"));
    snprintf(a->cfg.hostname, sizeof(a->cfg.hostname), "%s",
             json_string_value(json_object_get(config, "Hostname")) ?: "");
    h->caps = strtoull(json_string_value(json_object_get(host, "Capabilities")) ?: "0", NULL, 16);
    h->privileged = json_is_true(json_object_get(host, "Privileged"));
    h->seccomp_unconfined = !json_is_true(json_object_get(host, "Seccomp"));
    h->allow_new_privs = !json_is_true(json_object_get(host, "NoNewPrivileges"));
    return 0; /* the root is read-only already, if it is to be */
}

/* exec's options (argv[0] is "exec"); nothing is read or looked up. */
static int exec_parse_options(struct exec_args *a, int argc, char **argv, mb_error *err)
{
    int opt, ret;

    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:de:itu:w:", exec_options, NULL)) != -1) {
        ret = exec_parse_option(a, opt, optarg, argv, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int exec_args_env(int argc, char **argv, struct process_config *proc, mb_error *err)
{
    struct exec_args a = {.dir = {.fd = -1, .lock_fd = -1}};
    int ret = exec_parse_options(&a, argc, argv, err);

    if (ret == 0)
        ret = run_options_read_env_files(&a.cfg.process, a.env_files, a.n_env_files, err);
    if (ret == 0) {
        *proc = a.cfg.process; /* the caller frees the environment */
        a.cfg.process = (struct process_config){0};
    }
    exec_args_free(&a);
    return ret;
}

static int exec_parse(struct exec_args *a, const struct mb_globals *globals, int argc, char **argv,
                      mb_error *err)
{
    int ret;

    ret = exec_parse_options(a, argc, argv, err);
    if (ret < 0 || a->help)
        return ret;
    /* Through the daemon, the client's environment (policy.h). */
    if (policy_caller() != NULL)
        ret = policy_client_env(&a->cfg.process, err);
    else
        ret = run_options_read_env_files(&a->cfg.process, a->env_files, a->n_env_files, err);
    if (ret < 0)
        return ret;
    if (argc - optind < 2)
        return mb_fail(err, 0, "usage: minibox exec [OPTIONS] CONTAINER COMMAND [ARG...]");
    if (a->tty && !isatty(0))
        return mb_fail(err, 0, "exec -t: stdin is not a terminal");
    ret = state_open(globals->root, argv[optind], &a->dir, err);
    if (ret < 0)
        return ret;
    if (!state_running(&a->dir) || state_pid(&a->dir) <= 0)
        return mb_fail(err, 0, "container %s is not running", argv[optind]);
    a->record = state_record(&a->dir);
    ret = exec_config_from_record(a, err);
    if (ret < 0)
        return ret;
    a->cfg.argv = &argv[optind + 1];
    return security_prepare(&a->cfg.hardening, globals->root, err);
}

int cmd_exec(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct exec_args a = {.dir = {.fd = -1, .lock_fd = -1}};
    int ret, status = 0;

    ret = exec_parse(&a, globals, argc, argv, err);
    if (ret == 0 && a.help)
        fputs(exec_usage, stdout);
    else if (ret == 0) {
        struct container_cgroup cg;
        struct exec_request req = {.target = state_pid(&a.dir),
                                   .cgroup = &cg,
                                   .detach = a.detach,
                                   .null_stdio = a.detach,
                                   .console_fd = -1};

        ret = state_load_cgroups(&a.dir, &cg, err);
        if (ret == 0)
            ret = container_exec(&a.cfg, &req, &status, err);
    }
    exec_args_free(&a);
    return ret < 0 ? ret : status;
}
