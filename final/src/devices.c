/*
 * devices.c - a minimal /dev.
 *
 * The host's /dev holds its disks, its memory (/dev/mem) and every terminal:
 * a container given it could read the host's raw disk. So the container gets
 * a fresh tmpfs with only the harmless character devices, each a bind mount
 * of the host's node. Binding instead of mknod(2) works unchanged in a user
 * namespace (chapter 6), where creating device nodes is refused.
 */
#include "mb_step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "mounts.h"
#include "util.h"
#if MB_STEP >= 10
#include <string.h>
#endif

static const char *const device_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
    const char *name, *target;
} device_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

static int devices_bind_nodes(int rootfd, mb_error *err)
{
    char source[32], target[32];
    int ret;

    for (size_t i = 0; i < sizeof(device_nodes) / sizeof(device_nodes[0]); i++) {
        snprintf(source, sizeof(source), "/dev/%s", device_nodes[i]);
        snprintf(target, sizeof(target), "dev/%s", device_nodes[i]);
        ret = mount_at(rootfd, target, MOUNT_FILE, source, NULL, MS_BIND, NULL, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int devices_make_links(int rootfd, mb_error *err)
{
    cleanup_fd int devfd = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (devfd < 0)
        return mb_fail(err, errno, "open /dev");
    for (size_t i = 0; i < sizeof(device_links) / sizeof(device_links[0]); i++)
        if (symlinkat(device_links[i].target, devfd, device_links[i].name) < 0)
            return mb_fail(err, errno, "symlink /dev/%s", device_links[i].name);
    return 0;
}

#if MB_STEP >= 10
/* Make a node at path (absolute, inside the rootfs): its parent is opened
 * with the rootfs as "/" (openat2 RESOLVE_IN_ROOT, mounts.c), so a symlink
 * the image planted on the way cannot put the node on the host, and the
 * node is made relative to that dir, never by a path before pivot_root. */
static int node_make(int rootfd, const char *path, mode_t mode, dev_t rdev, uid_t uid, gid_t gid,
                     mb_error *err)
{
    cleanup_fd int parent = -1;
    char copy[PATH_MAX], *slash;

    if (path_format(copy, sizeof(copy), err, "%s", path + 1) < 0)
        return -1;
    slash = strrchr(copy, '/');
    if (slash != NULL) {
        *slash = '\0';
        parent = path_open_in_root(rootfd, copy, MOUNT_DIR, err);
        if (parent < 0)
            return parent;
    } else {
        parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    }
    if (mknodat(parent, slash ? slash + 1 : copy, mode, rdev) < 0) {
        if (errno == EEXIST && (mode & S_IFMT) != S_IFREG)
            return 0; /* one of the standard nodes, bound already */
        return mb_fail(err, errno, "make device %s in the container", path);
    }
    /* The mode as given, not as the umask left it; the node was just made,
     * by us, in a container nothing runs in yet. */
    if (fchownat(parent, slash ? slash + 1 : copy, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
        fchmodat(parent, slash ? slash + 1 : copy, mode & 07777, 0) < 0)
        return mb_fail(err, errno, "make device %s in the container", path);
    return 0;
}

/* A node of its own, not a bind of the host's: a bind is the host's inode,
 * and a chmod in the container would change the host's node. The cgroup
 * lets the container open it (container.c adds its rule). */
static int device_make(int rootfd, const struct device_mapping *dev, mb_error *err)
{
    struct stat st;

    if (stat(dev->host, &st) < 0)
        return mb_fail(err, errno, "--device %s", dev->host);
    return node_make(rootfd, dev->container, st.st_mode & (S_IFMT | 07777), st.st_rdev, st.st_uid,
                     st.st_gid, err);
}

int devices_add(int rootfd, const struct device_mapping *devices, size_t n, bool in_userns,
                mb_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int ret = in_userns ? mount_at(rootfd, devices[i].container + 1, MOUNT_FILE,
                                       devices[i].host, NULL, MS_BIND, NULL, err)
                            : device_make(rootfd, &devices[i], err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int devices_make_nodes(int rootfd, const struct device_node *nodes, size_t n, bool in_userns,
                       mb_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct device_node *d = &nodes[i];
        int ret;

        /* In a user namespace mknod is refused: the host's node of the
         * same path is bound instead, as runc does. */
        if (in_userns)
            ret = mount_at(rootfd, d->path + 1, MOUNT_FILE, d->path, NULL, MS_BIND, NULL, err);
        else
            ret = node_make(rootfd, d->path, d->mode, d->rdev, d->uid, d->gid, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int devices_populate(int rootfd, mb_error *err)
{
    int ret = devices_bind_nodes(rootfd, err);

    return ret < 0 ? ret : devices_make_links(rootfd, err);
}
#endif

int devices_setup(int rootfd, mb_error *err)
{
    int ret;

    ret = mount_at(rootfd, "dev", MOUNT_DIR, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                   "mode=755,size=65536k", err);
    if (ret < 0)
        return ret;
    ret = devices_bind_nodes(rootfd, err);
    if (ret < 0)
        return ret;
    /* newinstance: the container's ptys are numbered apart from the host's,
     * and it cannot open the host's /dev/pts/N. */
    ret = mount_at(rootfd, "dev/pts", MOUNT_DIR, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                   "newinstance,ptmxmode=0666,mode=0620", err);
    if (ret < 0)
        return ret;
    ret = mount_at(rootfd, "dev/shm", MOUNT_DIR, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   "mode=1777,size=65536k", err);
    if (ret < 0)
        return ret;
    return devices_make_links(rootfd, err);
}
