/*
 * commands.h - one function per CLI verb, one file per verb (cmd_*.c).
 *
 * A verb returns minibox's exit status (>= 0), or -1 with err filled when
 * minibox itself failed; main() prints err and exits with err->status.
 */
#ifndef MB_COMMANDS_H
#define MB_COMMANDS_H

#include "config.h"
#include "error.h"

int cmd_run(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_info(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_gc(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_image(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_images(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_rmi(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_commit(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_rm(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#include <stdbool.h>

int cmd_daemon(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_ps(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_stop(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_kill(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_logs(const struct mb_globals *globals, int argc, char **argv, mb_error *err);

/* The daemon's runs: keep the record; report the start on started_fd. */
void cmd_run_preset(bool keep_record, int started_fd);

#endif
