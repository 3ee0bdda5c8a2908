/*
 * cmd_run.c - `minibox run [OPTIONS] --rootfs DIR COMMAND [ARG...]`.
 *
 * Everything the user typed is checked here, in the parent, before any
 * namespace or mount exists: bad input fails with one line and exit 125 and
 * there is nothing to clean up.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "container.h"
#include "rootfs.h"

static const char run_usage[] =
    "Usage: minibox run [OPTIONS] --rootfs DIR COMMAND [ARG...]\n"
    "\n"
    "Run COMMAND in a new container whose root filesystem is DIR.\n"
    "\n"
    "Options:\n"
    "      --rootfs DIR          root filesystem of the container\n"
    "      --help                show this help\n";

enum {
    OPT_ROOTFS = 1000,
    OPT_HELP,
};

static const struct option run_options[] = {
    {"rootfs", required_argument, NULL, OPT_ROOTFS}, /* chapter 1 */
    {"help", no_argument, NULL, OPT_HELP}, /* every chapter */
    {NULL, 0, NULL, 0},                    /* end of the table */
};

/* "+": stop at the first non-option, which is the command; its own flags
 * (ls -l) are not minibox's. ":": report a missing argument as ':'. */
static const char run_shortopts[] = "+:";

void run_args_free(struct run_args *args)
{
    free(args->cfg.rootfs);
}

static int run_parse_option(struct run_args *args, int opt, const char *arg, char **argv,
                            mb_error *err)
{
    switch (opt) {
    case OPT_ROOTFS:
        args->rootfs = arg;
        return 0;
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

static int run_check_rootfs(struct run_args *args, mb_error *err)
{
    int ret;

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
    return run_check_rootfs(args, err);
}

int run_args_parse(struct run_args *args, int argc, char **argv, mb_error *err)
{
    int opt, ret;

    memset(args, 0, sizeof(*args));
    optind = 1;
    opterr = 0; /* we print our own single line */
    while ((opt = getopt_long(argc, argv, run_shortopts, run_options, NULL)) != -1) {
        ret = run_parse_option(args, opt, optarg, argv, err);
        if (ret < 0)
            return ret;
    }
    if (args->help)
        return 0;
    if (args->rootfs == NULL)
        return mb_fail(err, 0, "run: --rootfs DIR is required");
    if (optind >= argc)
        return mb_fail(err, 0, "run: no command given (usage: minibox run --rootfs DIR COMMAND)");
    args->cfg.argv = &argv[optind];
    return 0;
}

int run_execute(const struct mb_globals *globals, struct run_args *args, mb_error *err)
{
    int ret, status = 0;

    (void)globals;
    ret = run_check(args, err);
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
