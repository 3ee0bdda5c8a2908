/*
 * main.c - minibox's entry point: global options, then one verb.
 *
 *   minibox [GLOBAL OPTIONS] VERB [ARGS...]
 *
 * The global options come with the chapters that need them: --root with the
 * state of chapter 5, --socket with the daemon of chapter 9.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"

#ifndef MB_VERSION
#define MB_VERSION "dev"
#endif

static void usage(FILE *out)
{
    fprintf(out, "Usage: minibox "
                 "[--root DIR] "
                 "COMMAND [ARGS...]\n\nCommands:\n");
    verbs_usage(out);
    fprintf(out, "\nRun 'minibox COMMAND --help' for a command's options.\n");
}

/* Every path minibox makes below the state root (a container's dir and its
 * files, a layer, an image) must fit in PATH_MAX: a root longer than this
 * would leave them no room, so it is refused once, here. */
#define MB_ROOT_MAX 3072

/* Where state lives unless --root says otherwise. */
static const char *default_root(void)
{
    return "/var/lib/minibox";
}

/* Take the global options; returns the index of the verb. */
static int parse_globals(int argc, char **argv, struct mb_globals *g, mb_error *err)
{
    const char *env_root = getenv("MINIBOX_ROOT");
    int i = 1;

    g->root = env_root != NULL ? env_root : default_root();
    while (i < argc && argv[i][0] == '-') {
        const char **slot = NULL;

        if (strcmp(argv[i], "--root") == 0)
            slot = &g->root;
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
    struct mb_globals globals_storage, *globals = &globals_storage;
    mb_error err;
    int at = 1;

    at = parse_globals(argc, argv, globals, &err);
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
    verb = verb_find(argv[at]);
    if (verb != NULL)
        return run_verb(globals, verb, at, argc, argv);
    err = (mb_error){0};
    mb_fail(&err, 0, "unknown command '%s' (see 'minibox --help')", argv[at]);
    mb_error_print(&err);
    return err.status;
}
