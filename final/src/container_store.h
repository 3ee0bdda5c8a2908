/*
 * container_store.h - containers made from images outlive their process
 * (chapter 8): their writable layer stays until `minibox rm`, so that
 * `minibox commit` can turn it into an image.
 *
 *   <root>/containers/<id>/container.json  id, name, image, command, created
 *   <root>/containers/<id>/upper, work     the overlay's writable layer
 *   <root>/containers/<id>/rootfs          where the overlay is mounted
 */
#ifndef MB_CONTAINER_STORE_H
#define MB_CONTAINER_STORE_H

#include "mb_step.h"

#include <limits.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

/* The record: id, name, image (or rootfs), command, created. */
int container_record_write(const struct container_config *cfg, const char *state_dir,
                           mb_error *err);

/* Parent, before clone: the dirs and the record of an image container. */
int container_store_create(const struct container_config *cfg, const char *state_dir,
                           mb_error *err);

/* Find a container by id, id prefix or name; dir gets its state dir. */
int container_find(const char *root, const char *ref, char *dir, size_t len, char *id,
                   mb_error *err);

/* Is a name already taken by a container under root? */
int container_name_taken(const char *root, const char *name);

/* Is its minibox alive (the lock is held)? */
int container_running(const char *dir);

#if MB_STEP >= 9
/* The host pid of the container's PID 1, for stop and kill (0 if none). */
void container_pid_write(const char *dir, pid_t pid);
pid_t container_pid_read(const char *dir);

/* -d: stdin from /dev/null, stdout and stderr to <dir>/log. */
int container_log_redirect(const char *dir, mb_error *err);

/* How it ended, for ps: the exit status and whether the OOM killer did it. */
void container_status_write(const char *dir, int status, int oom);
#endif

#if MB_STEP >= 10
#include <jansson.h>

/* Its container.json (NULL if unreadable); the caller json_decref()s it. */
json_t *container_record_read(const char *dir);
#endif

/* Remove a container dir and everything in it. */
int container_remove_dir(const char *dir, mb_error *err);

#endif
