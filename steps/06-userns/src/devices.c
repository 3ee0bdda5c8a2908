/*
 * devices.c - a minimal /dev.
 *
 * The host's /dev holds its disks, its memory (/dev/mem) and every terminal:
 * a container given it could read the host's raw disk. So the container gets
 * a fresh tmpfs with only the harmless character devices, each a bind mount
 * of the host's node. Binding instead of mknod(2) works unchanged in a user
 * namespace (chapter 6), where creating device nodes is refused.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "mounts.h"
#include "util.h"

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
