/* namespaces.c - see namespaces.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "config.h"
#include "namespaces.h"
#include "util.h"

/* Each kind as /proc/PID/ns names it and as the OCI runtime spec does. */
static const struct {
    const char *name, *oci;
    int flag;
} ns_kinds[] = {
    /* The user namespace first: it decides what the others let us do. */
    {"user", "user", CLONE_NEWUSER}, {"ipc", "ipc", CLONE_NEWIPC},
    {"uts", "uts", CLONE_NEWUTS},    {"net", "network", CLONE_NEWNET},
    {"pid", "pid", CLONE_NEWPID},    {"cgroup", "cgroup", CLONE_NEWCGROUP},
    {"mnt", "mount", CLONE_NEWNS}, /* last: it changes what /proc is */
};
#define N_KINDS (sizeof(ns_kinds) / sizeof(ns_kinds[0]))

/* Is namespace `name` of pid another one than ours? Joining one's own user
 * namespace is an error (EINVAL); the others are harmless. */
static int ns_differs(pid_t pid, const char *name)
{
    char path[64];
    struct stat ours, theirs;

    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
    if (stat(path, &theirs) < 0)
        return 0; /* a kernel without it */
    snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
    return stat(path, &ours) < 0 || ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev;
}

static int join_with_pidfd(pid_t pid, int flags)
{
    cleanup_fd int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

    if (pidfd < 0)
        return -1;
    return setns(pidfd, flags);
}

/* Before Linux 5.8: open every namespace file first (the mount namespace
 * changes what /proc shows), then join them in order. */
static int join_one_by_one(pid_t pid, int flags, mb_error *err)
{
    int fds[N_KINDS];
    int ret = 0;

    for (size_t i = 0; i < N_KINDS; i++) {
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_kinds[i].name);
        fds[i] = (flags & ns_kinds[i].flag) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
        if ((flags & ns_kinds[i].flag) && fds[i] < 0 && ret == 0)
            ret = mb_fail(err, errno, "open %s", path);
    }
    for (size_t i = 0; i < N_KINDS && ret == 0; i++)
        if (fds[i] >= 0 && setns(fds[i], ns_kinds[i].flag) < 0)
            ret = mb_fail(err, errno, "join the container's %s namespace", ns_kinds[i].name);
    for (size_t i = 0; i < N_KINDS; i++)
        cleanup_fdp(&fds[i]);
    return ret;
}

int namespaces_join(pid_t pid, mb_error *err)
{
    int flags = 0;

#if defined(__SANITIZE_ADDRESS__)
    /* An ASan build checks for leaks at exit by stopping the world with a
     * ptrace helper it clones; cloned after the join, the helper lands in
     * the container's pid namespace, cannot see this process, and the check
     * spins forever. Check now, once, while both would share a namespace. */
    __lsan_do_leak_check();
#endif

    for (size_t i = 0; i < N_KINDS; i++)
        if (ns_differs(pid, ns_kinds[i].name))
            flags |= ns_kinds[i].flag;
    if (join_with_pidfd(pid, flags) == 0)
        return 0;
    if (errno == ESRCH)
        return mb_fail(err, 0, "the container's process %d is gone", (int)pid);
    return join_one_by_one(pid, flags, err);
}

static const char *ns_name(int flag)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (ns_kinds[i].flag == flag)
            return ns_kinds[i].name;
    return "?";
}

/* Keep our own namespace of `type` before the first join of that type.
 * For pid, /proc/self/ns/pid is the namespace we are in, which stays ours;
 * a join changes only where our children start. */
static int save_own(struct namespaces_saved *saved, int type, mb_error *err)
{
    char own[64];

    for (size_t i = 0; i < saved->n; i++)
        if (saved->type[i] == type)
            return 0;
    if (saved->n == sizeof(saved->fd) / sizeof(saved->fd[0]))
        return mb_fail(err, 0, "more kinds of namespace than there are");
    snprintf(own, sizeof(own), "/proc/self/ns/%s", ns_name(type));
    saved->fd[saved->n] = open(own, O_RDONLY | O_CLOEXEC);
    if (saved->fd[saved->n] < 0)
        return mb_fail(err, errno, "open %s", own);
    saved->type[saved->n++] = type;
    return 0;
}

int namespaces_join_paths(const struct namespace_path *join, size_t n, unsigned long types,
                          struct namespaces_saved *saved, mb_error *err)
{
    for (size_t i = 0; i < n; i++) {
        cleanup_fd int fd = -1;

        if (!(types & (unsigned long)join[i].type))
            continue;
        if (saved != NULL && save_own(saved, join[i].type, err) < 0)
            return -1;
        fd = open(join[i].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, join[i].type) < 0)
            return mb_fail(err, errno, "join the namespace %s", join[i].path);
    }
    return 0;
}

int namespaces_return(struct namespaces_saved *saved, mb_error *err)
{
    int ret = 0;

    for (size_t i = 0; i < saved->n; i++)
        if (ret == 0 && setns(saved->fd[i], saved->type[i]) < 0)
            ret = mb_fail(err, errno, "return to the runtime's %s namespace",
                          ns_name(saved->type[i]));
    namespaces_saved_close(saved);
    return ret;
}

void namespaces_saved_close(struct namespaces_saved *saved)
{
    for (size_t i = 0; i < saved->n; i++)
        close(saved->fd[i]);
    saved->n = 0;
}

int namespaces_flag(const char *oci_type)
{
    for (size_t i = 0; oci_type != NULL && i < N_KINDS; i++)
        if (strcmp(oci_type, ns_kinds[i].oci) == 0)
            return ns_kinds[i].flag;
    return 0;
}
