/*
 * oci_hooks.h - config.json's hooks: programs the runtime runs on the host
 * at fixed points of a container's life, each given the state JSON on its
 * stdin (chapter 10). Podman and CRI-O use them for networking plugins and
 * device setup; NVIDIA's GPU support is a prestart hook.
 */
#ifndef MB_OCI_HOOKS_H
#define MB_OCI_HOOKS_H

#include <jansson.h>

#include "error.h"
#include "oci_state.h"

/* Run every hook of hooks[stage] ("prestart", "createRuntime", "poststart",
 * "poststop"...) in order; the first that fails (or outlives its timeout)
 * fails the stage. */
int oci_hooks_run(json_t *hooks, const char *stage, const struct oci_state *state, mb_error *err);

#endif
