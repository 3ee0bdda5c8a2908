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
#if MB_STEP >= 5
int cmd_gc(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#endif
#if MB_STEP >= 8
int cmd_image(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_images(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_rmi(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_commit(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_rm(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
#endif
#if MB_STEP >= 9
#include <stdbool.h>

int cmd_daemon(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_ps(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_stop(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_kill(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
int cmd_logs(const struct mb_globals *globals, int argc, char **argv, mb_error *err);

/* The daemon's runs: keep the record; report the start on started_fd. */
void cmd_run_preset(bool keep_record, int started_fd);
#endif
#if MB_STEP >= 10
int cmd_exec(const struct mb_globals *globals, int argc, char **argv, mb_error *err);
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
/* Is `id` a container made by `minibox create` under root? (kill and exec
 * then speak OCI.) */
bool oci_container_exists(const struct mb_globals *globals, const char *id);
/* --log FILE: the error also goes there (--log-format json: as the JSON
 * line runc writes), where containerd and conmon look for it. */
void oci_log_error(const struct mb_globals *globals, const mb_error *err);
#endif

#endif
