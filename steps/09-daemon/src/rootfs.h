/*
 * rootfs.h - making the container's root filesystem its `/`.
 */
#ifndef MB_ROOTFS_H
#define MB_ROOTFS_H

#include "config.h"
#include "error.h"

/* Check, in the parent, that the rootfs is a usable directory. */
int rootfs_check(const char *rootfs, mb_error *err);

/* In the container: make cfg->rootfs the root directory, with everything a
 * chapter mounts into it, and chdir to "/". */
int rootfs_enter(const struct container_config *cfg, mb_error *err);

#endif
