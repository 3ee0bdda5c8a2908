/*
 * mounts.h - mounting onto paths inside the rootfs without following the
 * rootfs's symlinks out to the host.
 */
#ifndef MB_MOUNTS_H
#define MB_MOUNTS_H

#include <stdbool.h>

#include "error.h"

enum mount_kind {
    MOUNT_DIR,  /* the target is (or is created as) a directory */
    MOUNT_FILE, /* the target is (or is created as) a regular file */
};

/* Open `path` (relative to rootfd, which acts as "/") as an O_PATH fd,
 * creating missing directories and, for MOUNT_FILE, the file itself.
 * Symlinks are resolved as if rootfd were the root. */
int path_open_in_root(int rootfd, const char *path, enum mount_kind kind, mb_error *err);

/* mount(2) onto path_open_in_root(rootfd, path, kind). */
int mount_at(int rootfd, const char *path, enum mount_kind kind, const char *source,
             const char *fstype, unsigned long flags, const char *data, mb_error *err);

#include <fcntl.h>
#include <sys/mount.h>

/* The new mount API (Linux 5.2), for libcs whose <sys/mount.h> lacks it. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE   1
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

/* Attach a detached mount (open_tree's fd) onto what target_fd names. */
int mount_attach(int tree, int target_fd, const char *what, mb_error *err);

/* Open `path` below `dirfd` (an unpacked archive) with `flags`, refusing
 * any symlink on the way, the last component included, and "..": a name
 * in the archive never leads out of it (-1, errno ELOOP or EXDEV). */
int path_open_beneath(int dirfd, const char *path, int flags);

/* Make the mount whose root `fd` is (an fd opened after the mount was
 * made) read-only, and with `recursive` every mount below it, with
 * mount_setattr(2) (Linux 5.12): it sets MOUNT_ATTR_RDONLY and leaves the
 * other flags as they are. -1 with errno (ENOSYS on older kernels). */
int mount_make_readonly(int fd, bool recursive);

#endif
