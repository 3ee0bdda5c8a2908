/*
 * oci_spec.h - reading a bundle's config.json (the OCI runtime spec) into
 * what the kernel takes: clone flags, mount flags, rlimit numbers,
 * capability masks (chapter 10).
 *
 * Everything that can be wrong in config.json is found by oci_spec_load, in
 * the `create` process, before anything exists: bad input is one line and
 * exit 125 with nothing left behind, never a half-made container.
 */
#ifndef MB_OCI_SPEC_H
#define MB_OCI_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "caps.h"
#include "error.h"

/* Read <bundle>/config.json and check every field minibox uses. */
int oci_spec_load(const char *bundle, json_t **config, mb_error *err);

/* Check a process object (config.json's, or exec's --process file). */
int oci_spec_check_process(json_t *process, mb_error *err);

/* "pid" -> CLONE_NEWPID ... */
int oci_namespace_flag(const char *type, int *flag, mb_error *err);

/* A mount's options: the MS_* flags, the propagation to set after it, and
 * the rest as the filesystem's data string. */
struct oci_mount_options {
    unsigned long flags;       /* MS_RDONLY, MS_NOSUID ... */
    unsigned long propagation; /* MS_PRIVATE|MS_REC ... or 0 */
    bool bind, recursive;
    char data[1024];
};
int oci_mount_options_parse(json_t *options, struct oci_mount_options *out, mb_error *err);

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE */
int oci_rlimit_resource(const char *name, int *resource, mb_error *err);

/* process.capabilities -> the five masks. */
int oci_caps_sets(json_t *capabilities, struct caps_sets *sets, mb_error *err);

#endif
