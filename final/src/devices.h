/* devices.h - the container's minimal /dev (chapter 4). */
#ifndef MB_DEVICES_H
#define MB_DEVICES_H

#include "error.h"
#include "mb_step.h"
#if MB_STEP >= 10
#include "config.h"
#endif

/* Mount a tmpfs on <rootfs>/dev and fill it with the few devices every
 * program expects, a private devpts and /dev/shm. */
int devices_setup(int rootfd, mb_error *err);

#if MB_STEP >= 10
/* --device: each host node at its path in the container (made with
 * mknod, or bound in a user namespace, where mknod is refused). */
int devices_add(int rootfd, const struct device_mapping *devices, size_t n, bool in_userns,
                mb_error *err);

/* linux.devices of an OCI config: each node by number (bound from the
 * host's node of the same path in a user namespace). */
int devices_make_nodes(int rootfd, const struct device_node *nodes, size_t n, bool in_userns,
                       mb_error *err);

/* The standard nodes and links in a /dev the OCI config mounted itself. */
int devices_populate(int rootfd, mb_error *err);
#endif

#endif
