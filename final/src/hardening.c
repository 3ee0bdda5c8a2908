/* hardening.c - see hardening.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hardening.h"
#include "mounts.h"
#include "util.h"

const char *const hardening_masked_paths[] = {
    "/proc/acpi",          /* ACPI tables and knobs of the host's firmware */
    "/proc/asound",        /* the host's sound cards */
    "/proc/kcore",         /* the host's physical memory, as an ELF core */
    "/proc/keys",          /* every key of the kernel keyring, host-wide */
    "/proc/latency_stats", /* kernel latency tracing */
    "/proc/timer_list",    /* every timer: a side channel on host processes */
    "/proc/timer_stats",   /* ditto, older kernels */
    "/proc/sched_debug",   /* the scheduler's view of every host process */
    "/proc/scsi",          /* writable: add and remove host SCSI devices */
    "/proc/interrupts",    /* per-CPU interrupt counts: a side channel */
    "/sys/firmware",       /* the host's firmware tables (ACPI, EFI vars) */
    /* RAPL energy counters of the host's CPUs: a side channel fine enough
     * to read keys out of another process (CVE-2020-8694, "PLATYPUS") */
    "/sys/devices/virtual/powercap",
    NULL,
};

const char *const hardening_readonly_paths[] = {
    "/proc/bus",           /* PCI config space of the host's devices */
    "/proc/fs",            /* filesystem driver knobs */
    "/proc/irq",           /* interrupt affinity of the host's CPUs */
    "/proc/sys",           /* sysctls: kernel.core_pattern runs a program on the host */
    "/proc/sysrq-trigger", /* one write reboots or crashes the host */
    NULL,
};

/* An O_PATH fd of a path in the container's /proc or /sys, never through a
 * symlink: the mount then lands on exactly that object. -1 with errno
 * ENOENT when the kernel has no such file. */
static int open_mount_target(const char *path)
{
    return open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static int mount_on_fd(int fd, const char *source, const char *fstype, unsigned long flags,
                       const char *data)
{
    char target[64];

    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    return mount(source, target, fstype, flags, data);
}

/* The container's own /dev/null, only if it is the null device (char 1:3),
 * reached without a symlink: an image can ship a file or a link there. */
static int open_null_verified(mb_error *err)
{
    cleanup_fd int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;

    if (fd < 0 || fstat(fd, &st) < 0)
        return mb_fail(err, errno, "masked paths: open /dev/null");
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return mb_fail(err, 0,
                       "masked paths: the container's /dev/null is not the null device (1:3): "
                       "refusing to mask with it");
    return take_fd(&fd);
}

/* The null device to bind over masked files: the host's, when the caller
 * took a detached clone of it before pivot_root (open_tree), else the
 * container's own if it is one. The first masked file gets it; later ones
 * are bound from that mount. */
static int bind_null(int target, int null_tree, int *null_fd, const char *path, mb_error *err)
{
    if (*null_fd < 0 && null_tree >= 0) {
        if (mount_attach(null_tree, target, path, err) < 0)
            return -1;
        /* Now a mount of the host's null device, in this namespace. */
        *null_fd = open_mount_target(path);
        return *null_fd < 0 ? mb_fail(err, errno, "mask %s", path) : 0;
    }
    if (*null_fd < 0)
        *null_fd = open_null_verified(err);
    if (*null_fd < 0)
        return -1;
    {
        char source[64];

        snprintf(source, sizeof(source), "/proc/self/fd/%d", *null_fd);
        if (mount_on_fd(target, source, NULL, MS_BIND, NULL) < 0)
            return mb_fail(err, errno, "mask %s", path);
    }
    return 0;
}

int hardening_mask_paths(const char *const *paths, int null_tree, mb_error *err)
{
    cleanup_fd int null_fd = -1;

    for (; paths != NULL && *paths != NULL; paths++) {
        cleanup_fd int fd = open_mount_target(*paths);
        struct stat st;
        int ret;

        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
            continue;
        if (fd < 0 || fstat(fd, &st) < 0)
            return mb_fail(err, errno, "mask %s", *paths);
        /* A directory gets an empty read-only tmpfs, anything else the
         * null device: reads give nothing, writes go nowhere. */
        if (S_ISDIR(st.st_mode)) {
            if (mount_on_fd(fd, "tmpfs", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                            "size=0,mode=0555") < 0)
                return mb_fail(err, errno, "mask %s", *paths);
            continue;
        }
        ret = bind_null(fd, null_tree, &null_fd, *paths, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int hardening_sysctl_allowed(const char *key, unsigned long namespaces, mb_error *err)
{
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
    bool ok = strncmp(key, "fs.mqueue.", 10) == 0 && (namespaces & CLONE_NEWIPC);

    for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
        ok |= strcmp(key, ipc[i]) == 0 && (namespaces & CLONE_NEWIPC);
    ok |= strncmp(key, "net.", 4) == 0 && (namespaces & CLONE_NEWNET);
    ok |= (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) &&
          (namespaces & CLONE_NEWUTS);
    if (!ok || strstr(key, "..") != NULL || strchr(key, '/') != NULL)
        return mb_fail(err, 0,
                       "not namespaced by the container (kernel.msg*, kernel.sem, kernel.shm*, "
                       "fs.mqueue.* need its IPC namespace, net.* its network namespace): it "
                       "would set the host's");
    return 0;
}

int hardening_sysctl(char *const *settings, mb_error *err)
{
    for (; settings != NULL && *settings != NULL; settings++) {
        const char *eq = strchr(*settings, '=');
        char path[PATH_MAX];

        if (eq == NULL || path_format(path, sizeof(path), err, "/proc/sys/%.*s",
                                      (int)(eq - *settings), *settings) < 0)
            return mb_fail(err, 0, "sysctl '%s'", *settings);
        for (char *p = path + 10; *p != '\0'; p++)
            if (*p == '.')
                *p = '/';
        if (write_file_at(AT_FDCWD, path, eq + 1, err) < 0)
            return -1;
    }
    return 0;
}

/* Bind a mount point onto itself, then remount that bind read-only: a
 * bind mount's flags are its own, the rest of /proc stays writable. */
static int remount_readonly(const char *path, int fd, mb_error *err)
{
    cleanup_fd int bound = -1;

    if (mount_on_fd(fd, path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return mb_fail(err, errno, "bind %s", path);
    bound = open_mount_target(path); /* the new mount, not the one below */
    if (bound < 0)
        return mb_fail(err, errno, "open %s", path);
    if (mount_on_fd(bound, NULL, NULL,
                    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return mb_fail(err, errno, "make %s read-only", path);
    return 0;
}

int hardening_readonly_paths_apply(const char *const *paths, mb_error *err)
{
    for (; paths != NULL && *paths != NULL; paths++) {
        cleanup_fd int fd = open_mount_target(*paths);
        int ret;

        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
            continue;
        if (fd < 0)
            return mb_fail(err, errno, "open %s", *paths);
        ret = remount_readonly(*paths, fd, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* The per-mount flags a bind remount must repeat: in a user namespace the
 * kernel refuses to clear the ones the host's mount locked (nosuid ...). */
static unsigned long mount_flags_of(const char *path)
{
    struct statvfs st;

    if (statvfs(path, &st) < 0)
        return 0;
    /* ST_* and MS_* share their values for these. */
    return st.f_flag &
           (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
}

int hardening_readonly_root(mb_error *err)
{
    /* A bind remount changes only this mount's flags: the mounts on top of
     * / (/proc, /dev, volumes, --tmpfs) keep theirs. */
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of("/"), NULL) < 0)
        return mb_fail(err, errno, "make / read-only (--read-only)");
    return 0;
}

int hardening_no_new_privs(mb_error *err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return mb_fail(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
    return 0;
}

int hardening_close_fds_on_exec(int first, mb_error *err)
{
    /* Close-on-exec rather than close: minibox still needs its report pipe
     * until the very execve, and libraries may hold fds of their own. */
    if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL)
        return mb_fail(err, errno, "close_range");
    /* Before Linux 5.11: one fcntl per possible fd. */
    for (int fd = first; fd < 65536; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0)
            fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
    return 0;
}

/* Before Linux 5.9: the fds /proc lists, but the one listing them and
 * those to keep. */
static int close_listed_fds(int first, const int *keep, size_t n, mb_error *err)
{
    struct dirent *e;
    DIR *d = opendir("/proc/self/fd");

    if (d == NULL)
        return mb_fail(err, errno, "open /proc/self/fd");
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name), kept = fd == dirfd(d);

        for (size_t i = 0; i < n; i++)
            kept |= fd == keep[i];
        if (e->d_name[0] != '.' && fd >= first && !kept)
            close(fd);
    }
    closedir(d);
    return 0;
}

int hardening_close_fds(int first, const int *keep, size_t n, mb_error *err)
{
    /* close_range over the gaps between the fds to keep, lowest first. */
    for (int from = first;;) {
        int next = -1;

        for (size_t i = 0; i < n; i++)
            if (keep[i] >= from && (next < 0 || keep[i] < next))
                next = keep[i];
        if ((next < 0 || next > from) &&
            syscall(SYS_close_range, (unsigned)from, next < 0 ? ~0U : (unsigned)next - 1, 0) < 0) {
            if (errno != ENOSYS && errno != EINVAL)
                return mb_fail(err, errno, "close_range");
            return close_listed_fds(first, keep, n, err);
        }
        if (next < 0)
            return 0;
        from = next + 1;
    }
}

/* mkdir -p, inside the container: its parents too, as Docker makes them. */
static int mkdir_parents(const char *dir)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s", dir);
    for (char *slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int hardening_chdir_inside(const char *dir, bool create, mb_error *err)
{
    char cwd[4096];

    if (chdir(dir) < 0 && (!create || errno != ENOENT || mkdir_parents(dir) < 0 || chdir(dir) < 0))
        return mb_fail(err, errno, "working directory %s", dir);
    /* CVE-2024-21626: runc's working directory could be a leaked fd of the
     * host's (/proc/self/fd/7), leaving the command with a cwd outside its
     * root. The kernel names such a directory "(unreachable)...", which
     * getcwd(3) reports as ENOENT. */
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return mb_fail(err, errno == ENOENT ? 0 : errno,
                       "working directory %s is outside the container's root", dir);
    return 0;
}
