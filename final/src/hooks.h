/*
 * hooks.h - an OCI config's hooks (chapter 10): programs the runtime runs at
 * fixed points of a container's life, each with the container's state (the
 * runtime spec's JSON) on its stdin.
 *
 *   prestart, createRuntime  create, in the runtime's namespaces, once the
 *                            container's exist (cmd_oci_create.c)
 *   createContainer          in the container's namespaces, before
 *                            pivot_root (rootfs.c)
 *   startContainer           in the container, after start, before the
 *                            command's execve (command.c)
 *   poststart                start, once the command runs (logged only)
 *   poststop                 delete (logged only)
 */
#ifndef MB_HOOKS_H
#define MB_HOOKS_H

#include <jansson.h>

#include "error.h"

/* Run hooks[stage] in order; `state` is the JSON on their stdin. A hook
 * that fails or outlives its timeout is an error naming it. */
int hooks_run(json_t *hooks, const char *stage, const char *state, mb_error *err);

/* The same from inside the container: the state's pid is this process's
 * (in its pid namespace, as runc gives it). */
int hooks_run_inside(json_t *hooks, const char *stage, const char *state, mb_error *err);

#endif
