/*
 * oci_rootfs.h - the container's filesystem from config.json: root.path
 * made a mount, `mounts` in their order, a default /dev, pivot_root, then
 * the kernel knobs and the masked and read-only paths (chapter 10).
 */
#ifndef MB_OCI_ROOTFS_H
#define MB_OCI_ROOTFS_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "oci_cgroup.h"

/* In the container's own mount namespace, before anything else of the
 * container's runs. `cg` feeds a "cgroup" mount (the container's own dirs
 * of the v1 hierarchies). With no_pivot, chroot instead of pivot_root
 * (for a root on a ramfs, where pivot_root is refused). */
int oci_rootfs_setup(json_t *config, const char *rootfs, const char *bundle,
                     const struct oci_cgroup *cg, bool no_pivot, mb_error *err);

/* After the pivot, in the container: linux.sysctl, then maskedPaths and
 * readonlyPaths (last: /proc/sys goes read-only). */
int oci_rootfs_finish(json_t *config, mb_error *err);

#endif
