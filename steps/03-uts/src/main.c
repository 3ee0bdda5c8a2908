/*
 * main.c - minibox's entry point: global options, then one verb.
 *
 *   minibox [GLOBAL OPTIONS] VERB [ARGS...]
 *
 * The global options come with the chapters that need them: --root with the
 * state of chapter 5, --socket with the daemon of chapter 9.
 */

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "error.h"

#ifndef MB_VERSION
#define MB_VERSION "dev"
#endif

static void usage(FILE *out)
{
    fprintf(out, "Usage: minibox "
                 "COMMAND [ARGS...]\n\nCommands:\n");
    verbs_usage(out);
    fprintf(out, "\nRun 'minibox COMMAND --help' for a command's options.\n");
}

/* Run the verb at argv[at] here, or (from chapter 9) in the daemon when
 * one listens. */
static int run_verb(const struct mb_globals *globals, const struct verb *verb, int at, int argc,
                    char **argv)
{
    verb_fn fn = verb->run;
    mb_error err;
    int ret;

    ret = fn(globals, argc - at, argv + at, &err);
    if (ret < 0) {
        mb_error_print(&err);
        return err.status;
    }
    return ret;
}

int main(int argc, char **argv)
{
    const struct verb *verb;
    const struct mb_globals *globals = NULL; /* no global option yet */
    mb_error err;
    int at = 1;

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
