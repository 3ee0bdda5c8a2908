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
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "devices.h"
#include "mounts.h"
#include "network.h"

#include "volumes.h"

#include "rootfs.h"
#include "util.h"

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

/* Mounts the container sees besides its rootfs. Read-only /sys: the
 * container may read device and kernel facts but not change the host's. */
static int rootfs_bind_sys_readonly(int rootfd, mb_error *err)
{
    cleanup_fd int fd = -1;
    char target[64];
    int ret;

    ret = mount_at(rootfd, "sys", MOUNT_DIR, "/sys", NULL, MS_BIND | MS_REC, NULL, err);
    if (ret < 0)
        return ret;
    fd = path_open_in_root(rootfd, "sys", MOUNT_DIR, err); /* the new mount, not below it */
    if (fd < 0)
        return -1;
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    if (mount(NULL, target, NULL,
              MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return mb_fail(err, errno, "remount /sys read-only");
    return 0;
}

static int rootfs_mount_kernel_fs(const struct container_config *cfg, int rootfd, mb_error *err)
{
    int ret;

    /* A fresh procfs shows the processes of the PID namespace of the process
     * that mounts it: the container's, and nothing of the host's. */
    ret = mount_at(rootfd, "proc", MOUNT_DIR, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   NULL, err);
    if (ret < 0)
        return ret;
    ret = mount_at(rootfd, "sys", MOUNT_DIR, "sysfs", "sysfs",
                   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
    /* The kernel lets a user namespace mount sysfs only together with a
     * network namespace of its own (chapter 7), since sysfs shows the
     * network devices of the mounter's namespace. Until then, bind the
     * host's /sys, read-only, as rootless Podman does. */
    if (ret < 0 && errno == EPERM && cfg->userns.mode != USERNS_HOST)
        ret = rootfs_bind_sys_readonly(rootfd, err);
    return ret;
}

/* Make the rootfs "/" and detach the host's root from this namespace.
 *
 * pivot_root(".", ".") stacks the old root on top of the new one at the same
 * place; unmounting "." then removes the old root and reveals the new. No
 * directory for the old root is needed inside the rootfs (LXC's trick).
 * MNT_DETACH: host mounts may be busy; they disappear from this namespace at
 * once and the host keeps them. */
static int rootfs_pivot(const char *rootfs, mb_error *err)
{
    if (chdir(rootfs) < 0)
        return mb_fail(err, errno, "chdir %s", rootfs);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return mb_fail(err, errno, "pivot_root %s", rootfs);
    if (umount2(".", MNT_DETACH) < 0)
        return mb_fail(err, errno, "detach the host's root");
    if (chdir("/") < 0)
        return mb_fail(err, errno, "chdir /");
    return 0;
}

/* pivot_root needs the new root to be a mount point: bind the rootfs onto
 * itself. Returns the rootfs, open. */
static int rootfs_bind(const struct container_config *cfg, mb_error *err)
{
    int fd;

    if (mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return mb_fail(err, errno, "bind mount rootfs %s", cfg->rootfs);
    fd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return mb_fail(err, errno, "open rootfs %s", cfg->rootfs);
    return fd;
}

int rootfs_enter(const struct container_config *cfg, mb_error *err)
{
    cleanup_fd int rootfd = -1;
    int ret;

    /* Private propagation first: without it, mounts made below would be
     * copied back into the host's namespace on systemd hosts, where / is
     * shared, and pivot_root refuses a shared root. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return mb_fail(err, errno, "make / private in the container's mount namespace");
    rootfd = rootfs_bind(cfg, err);
    if (rootfd < 0)
        return -1;

    ret = rootfs_mount_kernel_fs(cfg, rootfd, err);
    if (ret < 0)
        return ret;
    ret = devices_setup(rootfd, err);
    if (ret < 0)
        return ret;
    {
        char state_dir[4200];

        snprintf(state_dir, sizeof(state_dir), "%s/containers/%s", cfg->state_root, cfg->id);
        ret = network_mount_files(&cfg->net, rootfd, state_dir, err);
        if (ret < 0)
            return ret;
    }
    ret = volumes_mount(rootfd, cfg->volumes, cfg->n_volumes, err);
    if (ret < 0)
        return ret;
    return rootfs_pivot(cfg->rootfs, err);
}

