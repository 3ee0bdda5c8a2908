/*
 * rootfs.c - entering the container's root filesystem.
 *
 * Chapters 1 to 3 use chroot(2). It changes only how this process resolves
 * "/": the host's filesystem is still mounted and reachable. A root process
 * can chroot again into a subdirectory while holding a directory fd from
 * outside, then walk ".." up past the old root: the classic chroot escape.
 *
 * Chapter 4 replaces it with pivot_root(2) in a private mount namespace: the
 * rootfs becomes the root mount of the namespace and the host's root is
 * unmounted from it, so there is nothing left above "/" to walk to.
 */

#include <errno.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "rootfs.h"

int rootfs_check(const char *rootfs, mb_error *err)
{
    struct stat st;

    if (stat(rootfs, &st) < 0)
        return mb_fail(err, errno, "rootfs %s", rootfs);
    if (!S_ISDIR(st.st_mode))
        return mb_fail(err, 0, "rootfs %s: not a directory", rootfs);
    if (strcmp(rootfs, "/") == 0)
        return mb_fail(err, 0, "rootfs /: the host's root cannot be a container's root");
    return 0;
}

int rootfs_enter(const struct container_config *cfg, mb_error *err)
{
    /* chroot does not change the working directory: without the chdir the
     * command would start outside its own root. */
    if (chroot(cfg->rootfs) < 0)
        return mb_fail(err, errno, "chroot %s", cfg->rootfs);
    if (chdir("/") < 0)
        return mb_fail(err, errno, "chdir / in %s", cfg->rootfs);
    return 0;
}
