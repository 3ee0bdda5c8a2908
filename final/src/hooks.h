/*
 * hooks.h - an OCI config's hooks (chapter 10): programs the runtime runs at
 * fixed points of a container's life, each with the container's state (the
 * runtime spec's JSON) on its stdin.
 *
 *   prestart, createRuntime  create, in the runtime's namespaces, once the
 *                            container's exist, before its mounts
 *                            (container.c, while the process waits)
 *   createContainer          in the container's namespaces, before
 *                            pivot_root (rootfs.c)
 *   startContainer           in the container, after start, before the
 *                            command's execve (command.c)
 *   poststart                start, once the command runs (logged only)
 *   poststop                 delete (logged only)
 */
#ifndef MB_HOOKS_H
#define MB_HOOKS_H

#include <sys/types.h>

#include <jansson.h>

#include "error.h"

/* Run hooks[stage] in order; `state` is the JSON on their stdin. A hook
 * that fails or outlives its timeout is an error naming it. */
int hooks_run(json_t *hooks, const char *stage, const char *state, mb_error *err);

/* The same with the state's pid (and status, unless NULL) replaced. */
int hooks_run_as(json_t *hooks, const char *stage, const char *state, pid_t pid, const char *status,
                 mb_error *err);

/* From inside the container: the state's pid is this process's (in its pid
 * namespace, as runc gives it). */
int hooks_run_inside(json_t *hooks, const char *stage, const char *state, mb_error *err);

#endif
