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
#include "mb_step.h"
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
#if MB_STEP >= 10
#include <stdbool.h>
#include <stdlib.h>
#endif

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
#if MB_STEP >= 9

int mount_attach(int tree, int target_fd, const char *what, mb_error *err)
{
    /* Both ends are fds: nothing is looked up by name again. */
    if (syscall(SYS_move_mount, tree, "", target_fd, "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return mb_fail(err, errno, "attach %s", what);
    return 0;
}
#endif

int mount_make_readonly(int fd, bool recursive)
{
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

    return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
                        &attr, sizeof(attr));
}

#if MB_STEP >= 10
static const struct {
    const char *name;
    unsigned long flag;
    bool clear;
} mount_flags[] = {
    {"ro", MS_RDONLY, false},           {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},       {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},         {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},       {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},    {"async", MS_SYNCHRONOUS, true},
    {"noatime", MS_NOATIME, false},     {"atime", MS_NOATIME, true},
    {"nodiratime", MS_NODIRATIME, 0},   {"diratime", MS_NODIRATIME, true},
    {"relatime", MS_RELATIME, false},   {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, 0}, {"nostrictatime", MS_STRICTATIME, true},
    {"mand", MS_MANDLOCK, false},       {"nomand", MS_MANDLOCK, true},
    {"dirsync", MS_DIRSYNC, false},     {"remount", MS_REMOUNT, false},
};

static const struct {
    const char *name;
    unsigned long flag;
} propagation_flags[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

int mount_option(const char *opt, struct mount_entry *m, mb_error *err)
{
    size_t used = m->data ? strlen(m->data) : 0;
    char *grown;

    for (size_t i = 0; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++)
        if (strcmp(opt, mount_flags[i].name) == 0) {
            m->flags = mount_flags[i].clear ? m->flags & ~mount_flags[i].flag
                                            : m->flags | mount_flags[i].flag;
            return 0;
        }
    for (size_t i = 0; i < sizeof(propagation_flags) / sizeof(propagation_flags[0]); i++)
        if (strcmp(opt, propagation_flags[i].name) == 0) {
            m->propagation = propagation_flags[i].flag;
            return 0;
        }
    if (strcmp(opt, "bind") == 0 || strcmp(opt, "rbind") == 0) {
        m->bind = true;
        m->recursive = opt[0] == 'r';
        return 0;
    }
    /* Anything else is the filesystem's own: "mode=755", "size=64k". */
    grown = realloc(m->data, used + strlen(opt) + 2);
    if (grown == NULL)
        return mb_fail(err, ENOMEM, "mount option %s", opt); /* m->data is the caller's to free */
    m->data = grown;
    sprintf(m->data + used, "%s%s", used ? "," : "", opt);
    return 0;
}
#endif

#if MB_STEP >= 8
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
#endif
