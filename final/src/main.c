/*
 * main.c - minibox's entry point: global options, then one verb.
 *
 *   minibox [GLOBAL OPTIONS] VERB [ARGS...]
 *
 * The global options come with the chapters that need them: --root with the
 * state of chapter 5, --socket with the daemon of chapter 9.
 */
#include "mb_step.h"

#if MB_STEP >= 5
#include <errno.h>
#endif
#include <stdio.h>
#include <string.h>
#if MB_STEP >= 5
#include <stdlib.h>
#include <unistd.h>
#endif

#include "commands.h"
#if MB_STEP >= 9
#include "client.h"
#endif
#include "error.h"
#if MB_STEP >= 6
#include "state.h"
#endif
#if MB_STEP >= 10
#include "selfexe.h"
#endif

#ifndef MB_VERSION
#define MB_VERSION "dev"
#endif

static void usage(FILE *out)
{
    fprintf(out, "Usage: minibox "
#if MB_STEP >= 5
                 "[--root DIR] "
#endif
#if MB_STEP >= 9
                 "[--socket PATH] "
#endif
                 "COMMAND [ARGS...]\n\nCommands:\n");
    verbs_usage(out);
#if MB_STEP >= 10
    fprintf(out,
            "\nGlobal options: --root DIR (MINIBOX_ROOT), --socket PATH (MINIBOX_SOCKET),\n"
            "  --cgroup-manager systemd|cgroupfs (default: systemd where it runs cgroup v2)\n");
#endif
    fprintf(out, "\nRun 'minibox COMMAND --help' for a command's options.\n");
}

#if MB_STEP >= 5
/* Every path minibox makes below the state root (a container's dir and its
 * files, a layer, an image) must fit in PATH_MAX: a root longer than this
 * would leave them no room, so it is refused once, here. */
#define MB_ROOT_MAX 3072

/* Where state lives unless --root says otherwise. */
static const char *default_root(void)
{
#if MB_STEP >= 6
    /* A normal user's state must never land in root's directories: the
     * per-user runtime dir (a tmpfs the login manager makes, mode 0700),
     * else a per-user dir in /tmp. */
    static char path[4096];

    if (geteuid() != 0) {
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg != NULL && xdg[0] == '/' && strlen(xdg) < MB_ROOT_MAX)
            snprintf(path, sizeof(path), "%s/minibox", xdg);
        else
            snprintf(path, sizeof(path), "/tmp/minibox-%u", (unsigned)geteuid());
        return path;
    }
#endif
    return "/var/lib/minibox";
}

#if MB_STEP >= 10
/* The global options containerd, CRI-O and Podman's conmon give any OCI
 * runtime; minibox takes them so that it can be one. Returns how many
 * arguments were used (0: not one of these). */
static int parse_runtime_global(int argc, char **argv, struct mb_globals *g, mb_error *err)
{
    if (strcmp(argv[0], "--systemd-cgroup") == 0) {
        g->systemd_cgroup = true;
        return 1;
    }
    /* Podman's name for it: who makes a container's cgroup. */
    if (strncmp(argv[0], "--cgroup-manager=", 17) == 0)
        return cgroup_manager_parse(argv[0] + 17, &g->cgroup_manager, err) < 0 ? -1 : 1;
    if (strcmp(argv[0], "--cgroup-manager") == 0) {
        if (argc < 2)
            return mb_fail(err, 0, "option '%s' needs a value", argv[0]);
        return cgroup_manager_parse(argv[1], &g->cgroup_manager, err) < 0 ? -1 : 2;
    }
    if (strcmp(argv[0], "--debug") == 0)
        return 1;
    if (strcmp(argv[0], "--root") == 0)
        g->root_given = true; /* and parsed below */
    if (strcmp(argv[0], "--log") != 0 && strcmp(argv[0], "--log-format") != 0)
        return 0;
    if (argc < 2)
        return mb_fail(err, 0, "option '%s' needs a value", argv[0]);
    if (strcmp(argv[0], "--log") == 0) {
        g->log = argv[1];
        return 2;
    }
    if (strcmp(argv[1], "json") != 0 && strcmp(argv[1], "text") != 0)
        return mb_fail(err, 0, "bad --log-format '%s': expected json or text", argv[1]);
    g->log_json = strcmp(argv[1], "json") == 0;
    return 2;
}
#endif

/* Take the global options; returns the index of the verb. */
static int parse_globals(int argc, char **argv, struct mb_globals *g, mb_error *err)
{
    const char *env_root = getenv("MINIBOX_ROOT");
#if MB_STEP >= 9
    const char *env_socket = getenv("MINIBOX_SOCKET");
#endif
    int i = 1;

    g->root = env_root != NULL ? env_root : default_root();
#if MB_STEP >= 9
    g->socket = env_socket != NULL ? env_socket : "/run/minibox/minibox.sock";
#endif
#if MB_STEP >= 10
    g->root_given = env_root != NULL;
    g->log = NULL;
    g->log_json = false;
    g->systemd_cgroup = false;
    g->cgroup_manager = CGROUP_MANAGER_AUTO;
#endif
    while (i < argc && argv[i][0] == '-') {
        const char **slot = NULL;

#if MB_STEP >= 10
        int used = parse_runtime_global(argc - i, argv + i, g, err);

        if (used < 0)
            return used;
        if (used > 0) {
            i += used;
            continue;
        }
#endif
        if (strcmp(argv[i], "--root") == 0)
            slot = &g->root;
#if MB_STEP >= 9
        else if (strcmp(argv[i], "--socket") == 0)
            slot = &g->socket;
#endif
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "--version") == 0)
            return i;
        else
            return mb_fail(err, 0, "unknown global option '%s' (see 'minibox --help')", argv[i]);
        if (i + 1 >= argc)
            return mb_fail(err, 0, "option '%s' needs a value", argv[i]);
        *slot = argv[i + 1];
        i += 2;
    }
    if (strlen(g->root) > MB_ROOT_MAX)
        return mb_fail(err, ENAMETOOLONG,
                       "state root %.64s...: longer than %d bytes (fix: a shorter --root)", g->root,
                       MB_ROOT_MAX);
    return i;
}
#endif

/* Run the verb at argv[at] here, or (from chapter 9) in the daemon when
 * one listens. */
static int run_verb(const struct mb_globals *globals, const struct verb *verb, int at, int argc,
                    char **argv)
{
    verb_fn fn = verb->run;
    mb_error err;
    int ret;
#if MB_STEP >= 9
    int remote = verb->remote;
#endif

#if MB_STEP >= 10
    /* The OCI runtime's verbs, and its form of kill, exec and ps: the
     * caller (conmon, containerd's shim) is the container's parent, so
     * they never go through the daemon. */
    if (verb->oci != NULL && (verb->run == NULL || oci_form(globals, argc - at, argv + at))) {
        fn = verb->oci;
        remote = 0;
    }
#endif
#if MB_STEP >= 9
    if (remote) {
        int status;

        ret = client_call(globals, argc - at, argv + at, &status, &err);
        if (ret < 0) {
            mb_error_print(&err);
            return err.status;
        }
        if (ret == 1)
            return status;
    }
#endif
#if MB_STEP >= 10
    /* The verbs whose own code runs inside a container (until the
     * command's execve) run from a sealed copy: CVE-2019-5736. `run`
     * decides once its options are read: it may hand the command to
     * minibox-exec instead (cmd_run.c). */
    selfexe_argv = argv;
    if (verb->enters && fn != cmd_run && selfexe_ensure_sealed(argv, &err) < 0) {
        mb_error_print(&err);
        return err.status;
    }
#endif
#if MB_STEP >= 6
    /* Before anything touches the state root (info does not). */
    if (fn != cmd_info && state_root_check(globals->root, &err) < 0) {
        mb_error_print(&err);
        return err.status;
    }
#endif
    ret = fn(globals, argc - at, argv + at, &err);
    if (ret < 0) {
#if MB_STEP >= 10
        if (globals->log != NULL)
            mb_error_log(globals->log, globals->log_json, &err);
#endif
        mb_error_print(&err);
        return err.status;
    }
    return ret;
}

int main(int argc, char **argv)
{
    const struct verb *verb;
#if MB_STEP >= 5
    struct mb_globals globals_storage, *globals = &globals_storage;
#else
    const struct mb_globals *globals = NULL; /* no global option yet */
#endif
    mb_error err;
    int at = 1;

#if MB_STEP >= 5
    at = parse_globals(argc, argv, globals, &err);
    if (at < 0) {
        mb_error_print(&err);
        return err.status;
    }
#endif
    if (at >= argc) {
        usage(stderr);
        return MB_EXIT_FAILED;
    }
    if (strcmp(argv[at], "--help") == 0 || strcmp(argv[at], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[at], "--version") == 0 || strcmp(argv[at], "version") == 0) {
        printf("minibox %s\n", MB_VERSION);
        return 0;
    }
    verb = verb_find(argv[at]);
    if (verb != NULL)
        return run_verb(globals, verb, at, argc, argv);
    err = (mb_error){0};
    mb_fail(&err, 0, "unknown command '%s' (see 'minibox --help')", argv[at]);
    mb_error_print(&err);
    return err.status;
}
