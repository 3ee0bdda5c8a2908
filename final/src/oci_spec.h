/*
 * oci_spec.h - a bundle's config.json (the OCI runtime spec) translated
 * into the engine's own configuration, struct container_config (chapter
 * 10): the same structure `run` fills from its options, so that create
 * runs through the same core (container.c, cgroup.c, userns.c, rootfs.c,
 * security.c) and every fix there holds for both.
 *
 * Everything that can be wrong in config.json is found here, in the
 * `create` process, before anything exists: bad input is one line and exit
 * 125 with nothing left behind, never a half-made container.
 */
#ifndef MB_OCI_SPEC_H
#define MB_OCI_SPEC_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"
#include "error.h"

/* Read <bundle>/config.json. */
int oci_spec_load(const char *bundle, json_t **config, mb_error *err);

/* config.json into cfg (zeroed by the caller; its strings point into
 * config, which must outlive it). `id` names the container; the cgroup is
 * linux.cgroupsPath, read as slice:prefix:name with --systemd-cgroup. */
int oci_spec_translate(json_t *config, const char *bundle, const char *id, bool systemd_cgroup,
                       struct container_config *cfg, mb_error *err);

/* A process object (config.json's, or exec's --process file) into
 * cfg->argv, cfg->process and the capabilities and no_new_privs of
 * cfg->hardening. */
int oci_spec_process(json_t *process, struct container_config *cfg, mb_error *err);

/* linux.resources into limits (create, and update). */
int oci_spec_resources(json_t *resources, struct limits *limits, mb_error *err);

/* What the translation allocated (not config's strings). */
void oci_spec_free(struct container_config *cfg);

#endif
