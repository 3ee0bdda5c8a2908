/*
 * run_options.h - the options of `minibox run` that only the full engine
 * has (chapter 10): environment, working directory, user, tmpfs mounts,
 * capabilities and security options. Each parser only checks syntax and
 * fills the config; nothing on the host is touched.
 */
#ifndef MB_RUN_OPTIONS_H
#define MB_RUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "error.h"

/* -e NAME=VALUE, or -e NAME: the caller's value (nothing if unset). */
int run_option_env(struct process_config *proc, const char *arg, mb_error *err);
/* --env-file FILE: noted in files[]; read by run_options_read_env_files. */
int run_option_env_file(const char ***files, size_t *n, const char *path, mb_error *err);
/* After all options: the files' NAME=VALUE lines ('#' comments and blank
 * lines skipped) go before the -e variables already in proc. */
int run_options_read_env_files(struct process_config *proc, const char *const *files, size_t n,
                               mb_error *err);
/* -w DIR: absolute. */
int run_option_workdir(struct process_config *proc, const char *dir, mb_error *err);
/* -u USER[:GROUP]: names or numbers; names are looked up inside. */
int run_option_user(struct process_config *proc, const char *user, mb_error *err);
/* --tmpfs PATH[:OPTIONS] */
int run_option_tmpfs(struct container_config *cfg, const char *spec, mb_error *err);
/* --device HOST[:CONTAINER][:PERMISSIONS]: HOST must be a device node;
 * PERMISSIONS is some of r, w, m (default rwm), as Docker's. */
int run_option_device(struct container_config *cfg, const char *spec, mb_error *err);
/* --cap-add / --cap-drop NAME (or ALL) */
int run_option_cap(struct hardening_config *h, const char *name, bool add, mb_error *err);
/* --security-opt seccomp=unconfined | no-new-privileges[=|:]true|false */
int run_option_security(struct hardening_config *h, const char *opt, mb_error *err);

/* After all options: h->caps, the capability set the container gets. */
int run_options_caps(struct hardening_config *h, mb_error *err);

void run_options_free(struct container_config *cfg);

#endif
