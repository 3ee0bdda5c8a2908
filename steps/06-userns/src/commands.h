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
    const char *rootfs; /* --rootfs as typed */
    bool help;
    bool userns_auto; /* --userns=auto */
};

/* Parse run's options (argv[0] is "run"). Pure: bad syntax is an error
 * here, a missing rootfs or image only in run_execute. */
int run_args_parse(struct run_args *args, int argc, char **argv, mb_error *err);

/* Check what was parsed against the host and run the container; returns
 * its exit status (>= 0) or -1 with err. */
int run_execute(const struct mb_globals *globals, struct run_args *args, mb_error *err);

void run_args_free(struct run_args *args);

int cmd_run(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_info(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_gc(const struct mb_globals *globals, int argc, char **argv, mb_error *err);

#endif
