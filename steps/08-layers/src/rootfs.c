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
#include <sched.h>
#include <sys/wait.h>

#include "command.h"

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

/* The image's layers, read-only, under the container's writable upper dir:
 *
 *   lowerdir=L3:L2:L1   the top layer first (overlayfs's order)
 *   upperdir=upper      where the container's writes and deletions land
 *   workdir=work        overlayfs's scratch space, same filesystem as upper
 *
 * The layer paths are given relative to <root>/layers (the child's working
 * directory for the mount): the options must fit in one page. */
static int rootfs_mount_overlay(const struct container_config *cfg, mb_error *err)
{
    char options[4096], dir[4200];
    size_t used;

    snprintf(dir, sizeof(dir), "%s/layers", cfg->state_root);
    if (chdir(dir) < 0)
        return mb_fail(err, errno, "chdir %s", dir);
    used = (size_t)snprintf(options, sizeof(options), "lowerdir=");
    for (int i = cfg->image.n_layers - 1; i >= 0 && used < sizeof(options); i--)
        used += (size_t)snprintf(options + used, sizeof(options) - used, "%s%s",
                                 cfg->image.layers[i], i > 0 ? ":" : "");
    snprintf(dir, sizeof(dir), "%s/containers/%s", cfg->state_root, cfg->id);
    used += (size_t)snprintf(options + used, sizeof(options) - used,
                             ",upperdir=%s/upper,workdir=%s/work%s", dir, dir,
                             cfg->userns.mode == USERNS_ROOTLESS ? ",userxattr" : "");
    if (used >= sizeof(options))
        return mb_fail(err, E2BIG, "overlay options for %d layers", cfg->image.n_layers);
    if (mount("overlay", cfg->rootfs, "overlay", 0, options) < 0)
        return mb_fail(err, errno, "mount the image's layers (overlayfs%s)",
                       cfg->userns.mode == USERNS_ROOTLESS ? "; rootless needs Linux 5.11+" : "");
    return 0;
}

/* Root's container in a user namespace (--userns=auto; from chapter 9 a
 * daemon member's) has an image whose files belong to ids that namespace
 * does not map. An overlay its root mounted would copy such a directory up
 * as an unmapped owner (EOVERFLOW: /tmp could not be written) and could
 * not keep overlayfs's trusted xattrs. So root mounts it, in the child's
 * mount namespace, before the child goes on: copy-ups are root's, and a
 * new file belongs to whoever creates it, the container's root. */
bool rootfs_overlay_by_parent(const struct container_config *cfg)
{
    return cfg->image.config != NULL && cfg->userns.mode != USERNS_HOST &&
           cfg->userns.mode != USERNS_ROOTLESS;
}

int rootfs_overlay_into(const struct container_config *cfg, pid_t pid, mb_error *err)
{
    cleanup_fd int rd = -1;
    cleanup_fd int wr = -1;
    int fds[2], ret;
    pid_t helper;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return mb_fail(err, errno, "pipe2");
    rd = fds[0];
    wr = fds[1];
    helper = fork();
    if (helper < 0)
        return mb_fail(err, errno, "fork");
    if (helper == 0) {
        char path[64];
        mb_error e;
        int ns;

        /* A helper joins the child's mount namespace (this process must
         * stay in its own), makes it private so that nothing mounted
         * there reaches the host's, and mounts. */
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
        ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
            mb_fail(&e, errno, "enter the container's mount namespace");
            child_fail(wr, &e);
        }
        if (rootfs_mount_overlay(cfg, &e) < 0)
            child_fail(wr, &e);
        _exit(0);
    }
    close(take_fd(&wr));
    ret = child_report_read(rd, err);
    waitpid(helper, NULL, 0);
    return ret;
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
    if (cfg->image.config != NULL && !rootfs_overlay_by_parent(cfg)) {
        int ret8 = rootfs_mount_overlay(cfg, err);
        if (ret8 < 0)
            return ret8;
    }
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

