/*
 * cmd_run.c - `minibox run [OPTIONS] --rootfs DIR COMMAND [ARG...]`.
 *
 * Everything the user typed is checked here, in the parent, before any
 * namespace or mount exists: bad input fails with one line and exit 125 and
 * there is nothing to clean up.
 */
#include "mb_step.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if MB_STEP >= 3
#include <limits.h>
#include <unistd.h>
#endif

#include "commands.h"
#include "container.h"
#if MB_STEP >= 3
#include "ids.h"
#endif
#include "rootfs.h"
#if MB_STEP >= 2
#include "util.h"
#endif
#if MB_STEP >= 4
#include "volumes.h"
#endif
#if MB_STEP >= 8
#include "state.h"
#endif
#if MB_STEP >= 9
#include "policy.h"
#endif
#if MB_STEP >= 10
#include "run_options.h"
#include "security.h"
#include "selfexe.h"
#endif

static const char run_usage[] =
    "Usage: minibox run [OPTIONS] --rootfs DIR COMMAND [ARG...]\n"
#if MB_STEP >= 8
    "       minibox run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
#endif
    "\n"
    "Run COMMAND in a new container whose root filesystem is DIR.\n"
    "\n"
    "Options:\n"
    "      --rootfs DIR          root filesystem of the container\n"
#if MB_STEP >= 2
    "      --init                run minibox's own init as PID 1 (forwards signals, reaps)\n"
#endif
#if MB_STEP >= 3
    "  -h, --hostname NAME       hostname inside the container (default: short id)\n"
#endif
#if MB_STEP >= 4
    "  -v, --volume SRC:DST[:ro] bind mount host path SRC at DST\n"
#endif
#if MB_STEP >= 5
    "  -m, --memory SIZE         memory limit, e.g. 64M or 1G (swap included)\n"
    "      --cpus N              CPU time limit in CPUs, e.g. 0.5\n"
    "      --pids-limit N        at most N processes\n"
    "      --cgroup-parent PATH  create the container's cgroup below PATH\n"
#endif
#if MB_STEP >= 6
    "      --userns=auto         (root) map the container to a subordinate id range;\n"
    "                            a normal user's runs are always rootless\n"
#endif
#if MB_STEP >= 7
    "      --net MODE            none, bridge (root's default), slirp (a user's default), host\n"
    "  -p, --publish H:C[/udp]   publish container port C on host port H\n"
#endif
#if MB_STEP >= 8
    "      --name NAME           a name for the container (for commit and rm)\n"
    "      --rm                  remove the container's writable layer when it ends\n"
#endif
#if MB_STEP >= 9
    "  -d, --detach              run in the background (through the daemon); print the id\n"
    "  -i, --interactive         keep stdin open (always, here)\n"
    "  -t, --tty                 give the container a pseudo-terminal (through the daemon)\n"
#endif
#if MB_STEP >= 10
    "  -e, --env NAME[=VALUE]    set an environment variable (NAME alone: take ours)\n"
    "      --env-file FILE       NAME=VALUE lines\n"
    "  -w, --workdir DIR         working directory inside the container\n"
    "  -u, --user USER[:GROUP]   run the command as this user (names from its /etc/passwd)\n"
    "      --read-only           mount the container's root read-only\n"
    "      --tmpfs PATH[:OPTS]   mount a tmpfs at PATH (default rw,nosuid,nodev,noexec)\n"
    "      --cap-add CAP         keep a capability beyond Docker's default set (or ALL)\n"
    "      --cap-drop CAP        drop a capability of the default set (or ALL)\n"
    "      --device H[:C][:rwm]  give the container the host's device node H (at C)\n"
    "      --privileged          every capability and device, no seccomp, no masked paths\n"
    "      --security-opt OPT    seccomp=unconfined | no-new-privileges=false\n"
#endif
    "      --help                show this help\n";

enum {
    OPT_ROOTFS = 1000,
    OPT_HELP,
#if MB_STEP >= 2
    OPT_INIT,
#endif
#if MB_STEP >= 5
    OPT_CPUS,
    OPT_PIDS_LIMIT,
    OPT_CGROUP_PARENT,
#endif
#if MB_STEP >= 6
    OPT_USERNS,
#endif
#if MB_STEP >= 7
    OPT_NET,
#endif
#if MB_STEP >= 8
    OPT_NAME,
    OPT_RM,
#endif
#if MB_STEP >= 10
    OPT_ENV_FILE,
    OPT_READ_ONLY,
    OPT_TMPFS,
    OPT_CAP_ADD,
    OPT_CAP_DROP,
    OPT_PRIVILEGED,
    OPT_SECURITY_OPT,
    OPT_DEVICE,
#endif
};

static const struct option run_options[] = {
    {"rootfs", required_argument, NULL, OPT_ROOTFS}, /* chapter 1 */
#if MB_STEP >= 2
    {"init", no_argument, NULL, OPT_INIT}, /* chapter 2 */
#endif
#if MB_STEP >= 3
    {"hostname", required_argument, NULL, 'h'}, /* chapter 3 */
#endif
#if MB_STEP >= 4
    {"volume", required_argument, NULL, 'v'}, /* chapter 4 */
#endif
#if MB_STEP >= 5
    {"memory", required_argument, NULL, 'm'},                      /* chapter 5 */
    {"cpus", required_argument, NULL, OPT_CPUS},                   /* chapter 5 */
    {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},       /* chapter 5 */
    {"cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT}, /* chapter 5 */
#endif
#if MB_STEP >= 6
    {"userns", required_argument, NULL, OPT_USERNS}, /* chapter 6 */
#endif
#if MB_STEP >= 7
    {"net", required_argument, NULL, OPT_NET},     /* chapter 7 */
    {"network", required_argument, NULL, OPT_NET}, /* chapter 7, Docker's spelling */
    {"publish", required_argument, NULL, 'p'},     /* chapter 7 */
#endif
#if MB_STEP >= 8
    {"name", required_argument, NULL, OPT_NAME}, /* chapter 8 */
    {"rm", no_argument, NULL, OPT_RM},           /* chapter 8 */
#endif
#if MB_STEP >= 9
    {"detach", no_argument, NULL, 'd'},      /* chapter 9 */
    {"interactive", no_argument, NULL, 'i'}, /* chapter 9 */
    {"tty", no_argument, NULL, 't'},         /* chapter 9 */
#endif
#if MB_STEP >= 10
    {"env", required_argument, NULL, 'e'},                       /* chapter 10 */
    {"env-file", required_argument, NULL, OPT_ENV_FILE},         /* chapter 10 */
    {"workdir", required_argument, NULL, 'w'},                   /* chapter 10 */
    {"user", required_argument, NULL, 'u'},                      /* chapter 10 */
    {"read-only", no_argument, NULL, OPT_READ_ONLY},             /* chapter 10 */
    {"tmpfs", required_argument, NULL, OPT_TMPFS},               /* chapter 10 */
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},           /* chapter 10 */
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},         /* chapter 10 */
    {"privileged", no_argument, NULL, OPT_PRIVILEGED},           /* chapter 10 */
    {"security-opt", required_argument, NULL, OPT_SECURITY_OPT}, /* chapter 10 */
    {"device", required_argument, NULL, OPT_DEVICE},             /* chapter 10 */
#endif
    {"help", no_argument, NULL, OPT_HELP}, /* every chapter */
    {NULL, 0, NULL, 0},                    /* end of the table */
};

/* "+": stop at the first non-option, which is the command; its own flags
 * (ls -l) are not minibox's. ":": report a missing argument as ':'. */
#if MB_STEP >= 10
static const char run_shortopts[] = "+:h:v:m:p:dite:w:u:";
#elif MB_STEP >= 9
static const char run_shortopts[] = "+:h:v:m:p:dit";
#elif MB_STEP >= 7
static const char run_shortopts[] = "+:h:v:m:p:";
#elif MB_STEP >= 5
static const char run_shortopts[] = "+:h:v:m:";
#elif MB_STEP >= 4
static const char run_shortopts[] = "+:h:v:";
#elif MB_STEP >= 3
static const char run_shortopts[] = "+:h:";
#else
static const char run_shortopts[] = "+:";
#endif

void run_args_free(struct run_args *args)
{
    free(args->cfg.rootfs);
#if MB_STEP >= 8
    if (args->cfg.image.config != NULL) {
        free((void *)args->cfg.argv);
        free(args->cfg.image_env);
        image_release(&args->cfg.image);
    }
#endif
#if MB_STEP >= 10
    run_options_free(&args->cfg);
    free(args->env_files);
#endif
#if MB_STEP >= 4
    for (size_t i = 0; i < args->cfg.n_volumes; i++)
        volume_free(&args->cfg.volumes[i]);
    free(args->cfg.volumes);
#endif
}

#if MB_STEP >= 3
/* The kernel takes at most 64 bytes (HOST_NAME_MAX); check here so the user
 * gets a clear message instead of EINVAL from sethostname in the child. */
static int run_set_hostname(struct container_config *cfg, const char *name, mb_error *err)
{
#if MB_SOLUTION_03
    size_t len = strlen(name);

    if (len == 0 || len > 64)
        return mb_fail(err, 0, "bad hostname '%s': must be 1 to 64 bytes, is %zu", name, len);
    memcpy(cfg->hostname, name, len + 1);
    return 0;
#else
    /* TODO(03): check --hostname NAME here, in the parent: 1 to 64 bytes (HOST_NAME_MAX), else
     * one line "bad hostname 'NAME': must be 1 to 64 bytes, is N" (status 125); then copy it
     * into cfg->hostname. docs/03-uts.md#the-mechanism */
    (void)cfg;
    (void)name;
    return mb_todo(err, "03");
#endif
}
#endif

#if MB_STEP >= 4
static int run_add_volume(struct container_config *cfg, const char *spec, mb_error *err)
{
    struct volume *grown, vol;
    int ret;

    ret = volume_parse(spec, &vol, err);
    if (ret < 0)
        return ret;
    grown = realloc(cfg->volumes, (cfg->n_volumes + 1) * sizeof(*grown));
    if (grown == NULL) {
        volume_free(&vol);
        return mb_fail(err, ENOMEM, "volume %s", spec);
    }
    cfg->volumes = grown;
    cfg->volumes[cfg->n_volumes++] = vol;
    return 0;
}
#endif

#if MB_STEP >= 7
/* Root gets a bridge, a normal user slirp4netns (it cannot make veths). */
static int run_check_network(struct net_config *net, mb_error *err)
{
    if (net->mode == NET_DEFAULT)
        net->mode = geteuid() == 0 ? NET_BRIDGE : NET_SLIRP;
    if (net->mode == NET_BRIDGE && geteuid() != 0)
        return mb_fail(err, 0, "--net bridge needs root (fix: --net slirp for rootless runs)");
    if (net->n_ports > 0 && (net->mode == NET_NONE || net->mode == NET_HOST))
        return mb_fail(err, 0, "-p needs --net bridge or slirp");
    for (int i = 0; i < net->n_ports; i++)
        for (int j = 0; j < i; j++)
            if (net->ports[i].host_port == net->ports[j].host_port &&
                net->ports[i].udp == net->ports[j].udp)
                return mb_fail(err, 0, "-p: host port %d is published twice",
                               net->ports[i].host_port);
    return 0;
}
#endif

static int run_parse_option(struct run_args *args, int opt, const char *arg, char **argv,
                            mb_error *err)
{
    switch (opt) {
    case OPT_ROOTFS:
        args->rootfs = arg;
        return 0;
#if MB_STEP >= 2
    case OPT_INIT:
        args->cfg.init = 1;
        return 0;
#endif
#if MB_STEP >= 3
    case 'h':
        return run_set_hostname(&args->cfg, arg, err);
#endif
#if MB_STEP >= 4
    case 'v':
        return run_add_volume(&args->cfg, arg, err);
#endif
#if MB_STEP >= 5
    case 'm':
        return limits_parse_memory(arg, &args->cfg.limits.memory_bytes, err);
    case OPT_CPUS:
        return limits_parse_cpus(arg, sysconf(_SC_NPROCESSORS_ONLN), &args->cfg.limits.cpu_quota_us,
                                 err);
    case OPT_PIDS_LIMIT:
        return limits_parse_pids(arg, &args->cfg.limits.pids_max, err);
    case OPT_CGROUP_PARENT:
        if (arg[0] != '/' || strstr(arg, "/..") != NULL)
            return mb_fail(err, 0, "bad --cgroup-parent '%s': must start with / and not hold '..'",
                           arg);
        args->cfg.cgroup_parent = arg;
        return 0;
#endif
#if MB_STEP >= 6
    case OPT_USERNS:
        if (strcmp(arg, "auto") != 0 && strcmp(arg, "host") != 0)
            return mb_fail(err, 0, "bad --userns '%s': expected auto or host", arg);
        args->userns_auto = strcmp(arg, "auto") == 0;
#if MB_STEP >= 9
        args->userns_given = true;
#endif
        return 0;
#endif
#if MB_STEP >= 9
    case 'd':
        args->cfg.detach = true;
        return 0;
    case 'i':
        return 0; /* stdin is always passed on */
    case 't':
        args->cfg.tty = true;
        return 0;
#endif
#if MB_STEP >= 8
    case OPT_NAME:
        if (arg[0] == '\0' || strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_.-") != strlen(arg))
            return mb_fail(err, 0, "bad --name '%s': letters, digits, '_', '.', '-' only", arg);
        args->cfg.name = arg;
        return 0;
    case OPT_RM:
        args->cfg.remove = true;
        return 0;
#endif
#if MB_STEP >= 7
    case OPT_NET:
        return net_parse_mode(arg, &args->cfg.net.mode, err);
    case 'p':
        if (args->cfg.net.n_ports == NET_MAX_PORTS)
            return mb_fail(err, 0, "too many -p: at most %d", NET_MAX_PORTS);
        return net_parse_port(arg, &args->cfg.net.ports[args->cfg.net.n_ports++], err);
#endif
#if MB_STEP >= 10
    case 'e':
        return run_option_env(&args->cfg.process, arg, err);
    case OPT_ENV_FILE:
        return run_option_env_file(&args->env_files, &args->n_env_files, arg, err);
    case 'w':
        return run_option_workdir(&args->cfg.process, arg, err);
    case 'u':
        return run_option_user(&args->cfg.process, arg, err);
    case OPT_READ_ONLY:
        args->cfg.hardening.readonly_rootfs = true;
        return 0;
    case OPT_TMPFS:
        return run_option_tmpfs(&args->cfg, arg, err);
    case OPT_CAP_ADD:
    case OPT_CAP_DROP:
        return run_option_cap(&args->cfg.hardening, arg, opt == OPT_CAP_ADD, err);
    case OPT_PRIVILEGED:
        args->cfg.hardening.privileged = true;
        return 0;
    case OPT_SECURITY_OPT:
        return run_option_security(&args->cfg.hardening, arg, err);
    case OPT_DEVICE:
        return run_option_device(&args->cfg, arg, err);
#endif
    case OPT_HELP:
        args->help = 1;
        return 0;
    case ':':
        return mb_fail(err, 0, "run: option '%s' needs a value", argv[optind - 1]);
    default:
        return mb_fail(err, 0, "run: unknown option '%s' (see 'minibox run --help')",
                       argv[optind - 1]);
    }
}

#if MB_STEP >= 8
/* The strings of a JSON array, appended to out[] from *n on. */
static void append_strings(json_t *array, char **out, size_t *n)
{
    json_t *v;
    size_t i;

    json_array_foreach (array, i, v)
        if (json_is_string(v))
            out[(*n)++] = (char *)json_string_value(v);
}

/* run IMAGE [COMMAND...]: the command is the image's Entrypoint followed by
 * COMMAND, or by the image's Cmd when no COMMAND is given (Docker's rule). */
static int run_check_image(struct run_args *args, mb_error *err)
{
    struct container_config *cfg = &args->cfg;
    int at = args->first, argc = args->argc;
    char **argv = args->argv;
    json_t *conf;
    char **cmd, **env, path[PATH_MAX];
    size_t n = 0, room;
    int ret;

#if MB_STEP >= 9
    cfg->image_ref = argv[at];
#endif
    ret = image_resolve(cfg->state_root, argv[at++], &cfg->image, err);
    if (ret < 0)
        return ret;
    conf = json_object_get(cfg->image.config, "config");
    room = json_array_size(json_object_get(conf, "Entrypoint")) +
           json_array_size(json_object_get(conf, "Cmd")) + (size_t)(argc - at) + 1;
    cmd = calloc(room, sizeof(*cmd));
    env = calloc(json_array_size(json_object_get(conf, "Env")) + 1, sizeof(*env));
    if (cmd == NULL || env == NULL) {
        free(cmd);
        free(env);
        return mb_fail(err, ENOMEM, "run");
    }
    append_strings(json_object_get(conf, "Entrypoint"), cmd, &n);
    if (at < argc)
        while (at < argc)
            cmd[n++] = argv[at++];
    else
        append_strings(json_object_get(conf, "Cmd"), cmd, &n);
    cfg->argv = cmd;
    room = 0;
    append_strings(json_object_get(conf, "Env"), env, &room);
    cfg->image_env = env;
    cfg->workdir = json_string_value(json_object_get(conf, "WorkingDir"));
    if (n == 0)
        return mb_fail(err, 0, "run: no command given and image %s has no Entrypoint or Cmd",
                       cfg->image.id);
    if (cfg->name != NULL && state_name_taken(cfg->state_root, cfg->name))
        return mb_fail(err, 0,
                       "run: the name '%s' is taken (fix: minibox rm %s, or another "
                       "--name)",
                       cfg->name, cfg->name);
    if (path_format(path, sizeof(path), err, "%s/containers/%s/rootfs", cfg->state_root, cfg->id) <
        0)
        return -1;
    cfg->rootfs = strdup(path);
    return cfg->rootfs ? 0 : mb_fail(err, ENOMEM, "run");
}
#endif

static int run_check_rootfs(struct run_args *args, mb_error *err)
{
    int ret;

#if MB_STEP >= 9
    if (args->cfg.rootfs_as_caller)
        return 0; /* the container opens it, as the caller (policy.h) */
#endif
    ret = rootfs_check(args->rootfs, err);
    if (ret < 0)
        return ret;
    args->cfg.rootfs = realpath(args->rootfs, NULL);
    if (args->cfg.rootfs == NULL)
        return mb_fail(err, errno, "rootfs %s", args->rootfs);
    return rootfs_check(args->cfg.rootfs, err);
}

/* What was typed, checked against the host: the files it names exist, the
 * ids and the network it asks for can be had. */
static int run_check(struct run_args *args, mb_error *err)
{
#if MB_STEP >= 4
    int ret;
#endif
#if MB_STEP >= 9
    /* Through the daemon: what the caller may ask for (policy.h). */
    ret = policy_check_run(args, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 4

    for (size_t i = 0; i < args->cfg.n_volumes; i++) {
        ret = volume_check_source(&args->cfg.volumes[i], err);
        if (ret < 0)
            return ret;
    }
#endif
#if MB_STEP >= 10
    ret = run_options_read_env_files(&args->cfg.process, args->env_files, args->n_env_files, err);
    if (ret < 0)
        return ret;
    ret = run_options_caps(&args->cfg.hardening, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 6
    ret = userns_plan_make(args->userns_auto, &args->cfg.userns, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 7
    ret = run_check_network(&args->cfg.net, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 8
    if (args->rootfs == NULL)
        return run_check_image(args, err);
#endif
    return run_check_rootfs(args, err);
}

int run_args_parse(struct run_args *args, int argc, char **argv, mb_error *err)
{
    int opt, ret;

    memset(args, 0, sizeof(*args));
#if MB_STEP >= 8
    args->argc = argc;
    args->argv = argv;
#endif
#if MB_STEP >= 9
    args->cfg.started_fd = -1;
#endif
    optind = 1;
    opterr = 0; /* we print our own single line */
    while ((opt = getopt_long(argc, argv, run_shortopts, run_options, NULL)) != -1) {
        ret = run_parse_option(args, opt, optarg, argv, err);
        if (ret < 0)
            return ret;
    }
#if MB_STEP >= 8
    args->first = optind;
#endif
    if (args->help)
        return 0;
#if MB_STEP >= 8
    if (args->rootfs == NULL && optind >= argc)
        return mb_fail(err, 0, "run: give --rootfs DIR or an IMAGE (see 'minibox images')");
    if (args->rootfs == NULL)
        return 0; /* IMAGE [COMMAND...]: the image says the rest */
#else
    if (args->rootfs == NULL)
        return mb_fail(err, 0, "run: --rootfs DIR is required");
#endif
    if (optind >= argc)
        return mb_fail(err, 0, "run: no command given (usage: minibox run --rootfs DIR COMMAND)");
    args->cfg.argv = &argv[optind];
    return 0;
}

#if MB_STEP >= 10
/* CVE-2019-5736 (selfexe.h). The container's first process runs minibox's
 * code until the command's execve; for that long nothing else of the
 * container may reach its executable. The cheap way: it runs the command
 * through minibox-exec, from a sealed memfd, so /proc/self/exe is never
 * minibox's file, and it is not dumpable meanwhile (container.c), so that
 * a process joined by `exec` cannot open its /proc/PID/exe either. That
 * needs the container to lack CAP_SYS_PTRACE (which opens a non-dumpable
 * process's files) and no resident minibox inside (--init). Otherwise,
 * and in a user namespace, minibox re-executes from a sealed copy of
 * itself as the other verbs do. */
static int run_protect_binary(struct container_config *cfg, mb_error *err)
{
    if (!selfexe_exposed())
        return 0;
    if (!cfg->init && cfg->userns.mode == USERNS_HOST && !cfg->hardening.privileged &&
        !(cfg->hardening.caps & CAP_BIT(CAP_SYS_PTRACE))) {
        mb_error ignored;

        cfg->exec_stub_fd = selfexe_stub_fd(&ignored);
        cfg->exec_via_stub = cfg->exec_stub_fd >= 0;
        if (cfg->exec_via_stub)
            return 0;
    }
    return selfexe_ensure_sealed(selfexe_argv, err);
}
#endif

int run_execute(const struct mb_globals *globals, struct run_args *args, mb_error *err)
{
    int ret, status = 0;

#if MB_STEP >= 5
    args->cfg.state_root = globals->root;
#if MB_STEP >= 10
    args->cfg.cgroup_manager = globals->cgroup_manager;
#endif
#else
    (void)globals;
#endif
#if MB_STEP >= 3
    /* The id comes first: an image container's rootfs path holds it. */
    ret = container_id_new(args->cfg.id, err);
    if (ret == 0)
        ret = run_check(args, err);
    if (ret == 0 && args->cfg.hostname[0] == '\0')
        memcpy(args->cfg.hostname, args->cfg.id, MB_SHORT_ID_LEN);
#else
    ret = run_check(args, err);
#endif
#if MB_STEP >= 9
    /* Only the daemon can keep a container running after its client
     * leaves (-d) or hand the client a pseudo-terminal (-t). */
    if (ret == 0 && args->cfg.detach && args->cfg.started_fd < 0)
        ret = mb_fail(err, 0, "run -d needs the daemon (start one: minibox daemon &)");
    if (ret == 0 && args->cfg.tty && !args->cfg.keep_record && !isatty(0))
        ret = mb_fail(err, 0, "run -t: stdin is not a terminal");
#endif
#if MB_STEP >= 10
    cleanup_fd int userns_slot = -1;

    if (ret == 0)
        ret = run_protect_binary(&args->cfg, err);
    if (ret == 0)
        ret = security_prepare(&args->cfg.hardening, args->cfg.state_root, err);
    if (ret == 0 && args->cfg.userns.mode == USERNS_AUTO)
        ret = userns_auto_allocate(args->cfg.state_root, &args->cfg.userns, &userns_slot, err);
#endif
    if (ret == 0)
        ret = container_run(&args->cfg, &status, err);
    return ret < 0 ? ret : status;
}

int cmd_run(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct run_args args;
    int ret;

    ret = run_args_parse(&args, argc, argv, err);
    if (ret == 0 && args.help)
        fputs(run_usage, stdout);
    else if (ret == 0)
        ret = run_execute(globals, &args, err);
    run_args_free(&args);
    return ret;
}
