/*
 * main.c - minibox's entry point: global options, then one verb.
 *
 *   minibox [--root DIR] [--socket PATH] VERB [ARGS...]
 */
#include "mb_step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#if MB_STEP >= 9
#include "client.h"
#endif
#include "error.h"
#if MB_STEP >= 10
#include "selfexe.h"
#endif

#ifndef MB_VERSION
#define MB_VERSION "dev"
#endif

struct verb {
    const char *name;
    int (*run)(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
    const char *summary;
};

static const struct verb verbs[] = {
    {"run", cmd_run, "run a command in a new container"},
    {"info", cmd_info, "show what this host supports, and how to fix what it lacks"},
#if MB_STEP >= 5
    {"gc", cmd_gc, "remove cgroups and state that killed runs left behind"},
#endif
#if MB_STEP >= 9
    {"daemon", cmd_daemon, "serve containers to root and the minibox group on a socket"},
    {"ps", cmd_ps, "list containers ([-a] with the ended ones)"},
    {"stop", cmd_stop, "SIGTERM, then SIGKILL after -t seconds"},
    {"kill", cmd_kill, "send a signal (-s) to a container"},
    {"logs", cmd_logs, "what a detached container wrote ([-f] to follow)"},
#endif
#if MB_STEP >= 10
    {"exec", cmd_exec, "run a command in a running container"},
    {"inspect", cmd_inspect, "a container's record and state, or an image's, as JSON"},
    {"create", cmd_oci_create, "OCI: create a container from a bundle, stopped before its command"},
    {"start", cmd_oci_start, "OCI: run the command of a created container"},
    {"state", cmd_oci_state, "OCI: a container's state, as the runtime spec's JSON"},
    {"delete", cmd_oci_delete, "OCI: remove a stopped container ([--force] a running one)"},
    {"pause", cmd_oci_pause, "OCI: freeze every process of a container"},
    {"resume", cmd_oci_resume, "OCI: thaw a paused container"},
    {"features", cmd_oci_features, "OCI: what this runtime supports, as JSON"},
#endif
#if MB_STEP >= 8
    {"image", cmd_image, "import FILE [NAME] | inspect IMAGE"},
    {"images", cmd_images, "list images"},
    {"rmi", cmd_rmi, "remove an image"},
    {"commit", cmd_commit, "turn a container's changes into a new image"},
    {"rm", cmd_rm, "remove an exited container and its writable layer"},
#endif
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: minibox [--root DIR] [--socket PATH] COMMAND [ARGS...]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        fprintf(out, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(out, "\nRun 'minibox COMMAND --help' for a command's options.\n");
}

#if MB_STEP >= 9
static int is_remote_verb(const char *verb)
{
    static const char *const remote[] = {"run",  "ps",     "stop",  "kill", "rm",
                                         "logs", "images", "image", "rmi",  "commit"};

    for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
        if (strcmp(verb, remote[i]) == 0)
            return 1;
    return 0;
}
#endif

#if MB_STEP >= 10
static int has_arg(int argc, char **argv, const char *option)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], option) == 0)
            return 1;
    return 0;
}

static int enters_containers(const char *verb)
{
    static const char *const verbs_inside[] = {"run", "exec", "create", "daemon"};

    for (size_t i = 0; i < sizeof(verbs_inside) / sizeof(verbs_inside[0]); i++)
        if (strcmp(verb, verbs_inside[i]) == 0)
            return 1;
    return 0;
}
#endif

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
        if (xdg != NULL && xdg[0] == '/')
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
    int i = 1;

    g->root = getenv("MINIBOX_ROOT") ? getenv("MINIBOX_ROOT") : default_root();
    g->socket = getenv("MINIBOX_SOCKET") ? getenv("MINIBOX_SOCKET") : "/run/minibox/minibox.sock";
#if MB_STEP >= 10
    g->root_given = getenv("MINIBOX_ROOT") != NULL;
    g->log = NULL;
    g->log_json = false;
    g->systemd_cgroup = false;
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
        else if (strcmp(argv[i], "--socket") == 0)
            slot = &g->socket;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "--version") == 0)
            return i;
        else
            return mb_fail(err, 0, "unknown global option '%s' (see 'minibox --help')", argv[i]);
        if (i + 1 >= argc)
            return mb_fail(err, 0, "option '%s' needs a value", argv[i]);
        *slot = argv[i + 1];
        i += 2;
    }
    return i;
}

int main(int argc, char **argv)
{
    struct mb_globals globals;
    mb_error err;
    int at, ret;

    at = parse_globals(argc, argv, &globals, &err);
    if (at < 0) {
        mb_error_print(&err);
        return err.status;
    }
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
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (strcmp(argv[at], verbs[i].name) != 0)
            continue;
#if MB_STEP >= 9
        /* When a daemon listens, it runs the verb (chapter 9). */
        int remote = is_remote_verb(argv[at]);

#if MB_STEP >= 10
        /* `kill ID SIGNAL` of an OCI container is the OCI runtime's own. */
        for (int k = at + 1; strcmp(argv[at], "kill") == 0 && k < argc; k++)
            if (argv[k][0] != '-' && oci_container_exists(&globals, argv[k]))
                remote = 0;
        /* exec and inspect go to the daemon too, but not the OCI runtime's
         * `exec --process FILE ID`: it speaks for itself. */
        if (strcmp(argv[at], "exec") == 0 || strcmp(argv[at], "inspect") == 0)
            remote = !has_arg(argc - at, argv + at, "--process");
#endif
        if (remote) {
            int status;

            ret = client_call(&globals, argc - at, argv + at, &status, &err);
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
         * command's execve) run from a sealed copy: CVE-2019-5736. */
        if (enters_containers(argv[at]) && selfexe_ensure_sealed(argv, &err) < 0) {
            mb_error_print(&err);
            return err.status;
        }
#endif
        ret = verbs[i].run(&globals, argc - at, argv + at, &err);
        if (ret < 0) {
#if MB_STEP >= 10
            oci_log_error(&globals, &err);
#endif
            mb_error_print(&err);
            return err.status;
        }
        return ret;
    }
    err = (mb_error){0};
    mb_fail(&err, 0, "unknown command '%s' (see 'minibox --help')", argv[at]);
    mb_error_print(&err);
    return err.status;
}
