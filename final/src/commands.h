/*
 * commands.h - one function per CLI verb, one file per verb (cmd_*.c).
 *
 * A verb returns minibox's exit status (>= 0), or -1 with err filled when
 * minibox itself failed; main() prints err and exits with err->status.
 */
#ifndef MB_COMMANDS_H
#define MB_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "error.h"

typedef int (*verb_fn)(const struct mb_globals *globals, int argc, char **argv, mb_error *err);

/* One row per verb, in verbs.c: main() dispatches through the table and
 * `minibox --help` lists it; from chapter 9 the daemon serves the rows
 * marked remote, so what a verb is and where it runs is said once. */
struct verb {
    const char *name;
    verb_fn run; /* minibox's own form of the verb */
    const char *summary;
#if MB_STEP >= 9
    bool remote; /* sent to the daemon when one listens (chapter 9) */
#endif
#if MB_STEP >= 10
    bool enters; /* runs inside a container until execve: from a sealed copy */
    verb_fn oci; /* the OCI runtime's form (runc's command line), or NULL */
#endif
};

/* The verb called `name`, or NULL. */
const struct verb *verb_find(const char *name);

/* Print every verb and its summary (minibox --help). */
void verbs_usage(FILE *out);

/* `run`'s command line, read without touching the host: what was typed,
 * nothing checked against the filesystem yet. The client, the daemon and
 * the unit tests parse with it; run_execute checks and runs. */
struct run_args {
    struct container_config cfg;
#if MB_STEP >= 8
    int argc;
    char **argv;
    int first; /* index in argv of the COMMAND (or IMAGE) */
#endif
    const char *rootfs; /* --rootfs as typed */
    bool help;
#if MB_STEP >= 6
    bool userns_auto; /* --userns=auto */
#endif
#if MB_STEP >= 9
    bool userns_given; /* --userns at all (a member may not choose) */
#endif
#if MB_STEP >= 10
    const char **env_files; /* --env-file, read before -e (as Docker does) */
    size_t n_env_files;
#endif
};

/* Parse run's options (argv[0] is "run"). Pure: bad syntax is an error
 * here, a missing rootfs or image only in run_execute. */
int run_args_parse(struct run_args *args, int argc, char **argv, mb_error *err);

/* Check what was parsed against the host and run the container; returns
 * its exit status (>= 0) or -1 with err. */
int run_execute(const struct mb_globals *globals, struct run_args *args, mb_error *err);

void run_args_free(struct run_args *args);

int cmd_run(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#if MB_STEP >= 5
int cmd_info(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_gc(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#endif
#if MB_STEP >= 7
int cmd_network(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#endif
#if MB_STEP >= 8
int cmd_image(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_images(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_rmi(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_commit(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_rm(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#endif
#if MB_STEP >= 9
int cmd_daemon(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_ps(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_stop(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_kill(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_logs(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#endif
#if MB_STEP >= 10
int cmd_exec(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
/* exec's environment from its -e and --env-file, for the client to send
 * (policy.h); proc->env is the caller's to free. */
int exec_args_env(int argc, char **argv, struct process_config *proc, mb_error *err);
int cmd_inspect(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
/* The OCI runtime command line (cmd_oci.c), as runc and crun speak it. */
int cmd_oci_create(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_start(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_state(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_kill(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_delete(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_exec(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_pause(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_resume(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_features(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_ps(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_oci_update(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
/* Is this call of a verb that has both forms (kill, exec, ps) the OCI
 * runtime's? Yes when it names a container `minibox create` made, or passes
 * --process (exec as conmon and containerd's shim call it). */
bool oci_form(const struct mb_globals *globals, int argc, char **argv);
#endif

#endif
