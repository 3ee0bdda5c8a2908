/*
 * rootfs.h - making the container's root filesystem its `/`.
 */
#ifndef MB_ROOTFS_H
#define MB_ROOTFS_H

#include "mb_step.h"

#include "config.h"
#include "error.h"
#if MB_STEP >= 8
#include <stdbool.h>
#include <sys/types.h>
#endif

/* Check, in the parent, that the rootfs is a usable directory. */
int rootfs_check(const char *rootfs, mb_error *err);

/* In the container: make cfg->rootfs the root directory, with everything a
 * chapter mounts into it, and chdir to "/". */
int rootfs_enter(const struct container_config *cfg, mb_error *err);

#if MB_STEP >= 8
/* Does root mount the image's overlay into the child's mount namespace
 * (root's containers in a user namespace), rather than the child itself? */
bool rootfs_overlay_by_parent(const struct container_config *cfg);

/* Parent, before the child goes on: mount its overlay where it will look. */
int rootfs_overlay_into(const struct container_config *cfg, pid_t pid, mb_error *err);
#endif

#if MB_STEP >= 10
#include "cgroup.h"

/* The same for an OCI config: its own propagation, its mounts and nothing
 * else (its "cgroup" mounts show the container's dirs in cg), its device
 * nodes, its createContainer hooks, pivot_root (or, --no-pivot, a move and
 * chroot), its masked and read-only paths and sysctls. */
int rootfs_enter_spec(const struct container_config *cfg, const struct container_cgroup *cg,
                      mb_error *err);
#endif

#endif
