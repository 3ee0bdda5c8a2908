/*
 * mounts.c - safe mount targets inside the rootfs.
 *
 * The rootfs is data the container's author controls. If it holds a symlink
 * such as /proc -> /etc, a plain mount("proc", "<rootfs>/proc") made before
 * pivot_root would follow it to the host's /etc. So every target is opened
 * first with openat2(RESOLVE_IN_ROOT), which resolves symlinks and ".." as
 * if the rootfs were "/", and the mount is made onto that fd through its
 * /proc/self/fd/N name: the kernel mounts on exactly the opened inode. runc
 * hardened its mounts the same way after CVE-2021-30465 (a symlink race on
 * mount targets).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mounts.h"
#include "util.h"

/* mount_setattr(2), Linux 5.12; glibc has its wrapper from 2.36 only. */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
struct mount_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* Kernels before 5.6 have no openat2: walk the path one component at a time
 * and refuse any symlink or "..", instead of resolving them. */
static int open_without_symlinks(int rootfd, const char *path)
{
    int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);

    for (const char *p = path; fd >= 0 && *p != '\0';) {
        size_t n = strcspn(p, "/");
        char name[NAME_MAX + 1];
        struct stat st;
        int next;

        if (n == 0 || (n == 1 && p[0] == '.')) {
            p += n + (p[n] == '/');
            continue;
        }
        if (n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.')) {
            close(fd);
            errno = n > NAME_MAX ? ENAMETOOLONG : EXDEV;
            return -1;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        next = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        if (next >= 0 && fstat(next, &st) == 0 && S_ISLNK(st.st_mode)) {
            close(next);
            errno = ELOOP;
            return -1;
        }
        fd = next;
        p += n + (p[n] == '/');
    }
    return fd;
}

/* openat2, again while it says EAGAIN: with RESOLVE_IN_ROOT or
 * RESOLVE_BENEATH, a walk through ".." fails so when any rename or mount on
 * the machine raced with it (the kernel cannot prove it stayed inside), and
 * openat2(2) leaves the retry to the caller. A busy host (systemd at boot,
 * other containers starting) makes that happen now and then. */
static int openat2_retrying(int dirfd, const char *path, struct open_how *how)
{
    for (int tries = 1;; tries++) {
        int fd = (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));

        if (fd >= 0 || errno != EAGAIN || tries == 128)
            return fd;
    }
}

static int open_resolved(int rootfd, const char *path)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int fd = openat2_retrying(rootfd, path, &how);

    if (fd < 0 && errno == ENOSYS)
        fd = open_without_symlinks(rootfd, path);
    return fd;
}

int path_open_in_root(int rootfd, const char *path, enum mount_kind kind, mb_error *err)
{
    char prefix[4096];
    size_t len = strlen(path);

    while (*path == '/')
        path++, len--;
    if (len == 0)
        return mb_fail(err, 0, "mount target: empty path");
    if (len >= sizeof(prefix))
        return mb_fail(err, ENAMETOOLONG, "mount target %s", path);

    /* Walk the prefixes "a", "a/b", "a/b/c", creating what is missing. */
    for (size_t end = 0; end <= len; end++) {
        const char *name;
        int last = (end == len), fd, parent, made;

        if (!last && path[end] != '/')
            continue;
        memcpy(prefix, path, end);
        prefix[end] = '\0';
        fd = open_resolved(rootfd, prefix);
        if (fd >= 0 && !last) {
            close(fd);
            continue;
        }
        if (fd >= 0)
            return fd;
        if (errno != ENOENT)
            return mb_fail(err, errno, "mount target /%s", prefix);

        /* Missing: create it in its (already resolved) parent. */
        name = strrchr(prefix, '/');
        if (name != NULL) {
            *(char *)name = '\0';
            parent = open_resolved(rootfd, prefix);
            *(char *)name++ = '/';
        } else {
            name = prefix;
            parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
        }
        if (parent < 0)
            return mb_fail(err, errno, "mount target /%s", prefix);
        if (last && kind == MOUNT_FILE)
            made = mknodat(parent, name, S_IFREG | 0644, 0);
        else
            made = mkdirat(parent, name, 0755);
        close(parent);
        if (made < 0 && errno != EEXIST)
            return mb_fail(err, errno, "create mount target /%s", prefix);
        fd = open_resolved(rootfd, prefix);
        if (fd < 0)
            return mb_fail(err, errno, "mount target /%s", prefix);
        if (last)
            return fd;
        close(fd);
    }
    return mb_fail(err, EINVAL, "mount target /%s", path); /* not reached */
}

int mount_at(int rootfd, const char *path, enum mount_kind kind, const char *source,
             const char *fstype, unsigned long flags, const char *data, mb_error *err)
{
    cleanup_fd int fd = path_open_in_root(rootfd, path, kind, err);
    char target[64];

    if (fd < 0)
        return -1;
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    if (mount(source, target, fstype, flags, data) < 0)
        return mb_fail(err, errno, "mount %s on /%s", source, path[0] == '/' ? path + 1 : path);
    return 0;
}

int mount_make_readonly(int fd, bool recursive)
{
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

    return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
                        &attr, sizeof(attr));
}

int path_open_beneath(int dirfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    char proc[64];
    int fd = openat2_retrying(dirfd, path, &how), at;

    if (fd >= 0 || errno != ENOSYS)
        return fd;
    /* Before Linux 5.6: the walk that refuses every symlink and "..",
     * then the file itself reopened through its O_PATH fd. */
    at = open_without_symlinks(dirfd, path);
    if (at < 0)
        return -1;
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", at);
    fd = open(proc, flags | O_CLOEXEC);
    close(at);
    return fd;
}
