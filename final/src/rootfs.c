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
#include "mb_step.h"

#include <errno.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#if MB_STEP >= 4
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#endif
#if MB_STEP >= 8
#include <sched.h>
#include <sys/wait.h>

#include "command.h"
#endif
#if MB_STEP >= 4

#include "devices.h"
#include "mounts.h"
#if MB_STEP >= 7
#include "network.h"
#endif

#include "volumes.h"
#endif
#if MB_STEP >= 10
#include <linux/magic.h>
#include <sys/vfs.h>

#include "hooks.h"
#include "mountinfo.h"
#include "security.h"
#endif

#include "rootfs.h"
#if MB_STEP >= 2
#include "util.h"
#endif
#if MB_STEP >= 9
#include "policy.h"
#endif

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

#if MB_STEP >= 4
/* Mounts the container sees besides its rootfs. Read-only /sys: the
 * container may read device and kernel facts but not change the host's. */
#if MB_STEP >= 6
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
#endif

#if MB_STEP >= 10
static bool statfs_is_cgroup2(const char *path)
{
    struct statfs st;

    return statfs(path, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

/* Bind a host dir at a path inside the rootfs, with the flags on a remount
 * of the bind. */
static int rootfs_bind_dir(int rootfd, const char *target, const char *source, unsigned long flags,
                           mb_error *err)
{
    int ret = mount_at(rootfd, target, MOUNT_DIR, source, NULL, MS_BIND, NULL, err);

    if (ret == 0 && flags != 0)
        ret = mount_at(rootfd, target, MOUNT_DIR, NULL, NULL, MS_BIND | MS_REMOUNT | flags, NULL,
                       err);
    return ret;
}

/* --no-pivot (runc's, for a root on a ramdisk, where pivot_root is
 * refused): the rootfs is moved over / and chroot'ed into. The old root
 * stays in the mount namespace below it: weaker, and said so. */
static int rootfs_move_root(const char *rootfs, mb_error *err)
{
    if (chdir(rootfs) < 0)
        return mb_fail(err, errno, "chdir %s", rootfs);
    if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
        return mb_fail(err, errno, "move the rootfs onto / (--no-pivot)");
    if (chdir("/") < 0)
        return mb_fail(err, errno, "chdir /");
    return 0;
}

/* On a cgroup v2 host, the container sees its own cgroup (this process has
 * entered its cgroup namespace: the mount's root is the container's
 * cgroup) read-only at /sys/fs/cgroup, as Docker shows it: programs read
 * their limits there (memory.max), and nothing can be written, so no
 * limit can be raised and no release_agent-style knob set. On v1 and
 * hybrid hosts /sys/fs/cgroup stays the empty directory of the read-only
 * /sys: nothing to read, nothing to write. */
static int rootfs_mount_cgroup_readonly(int rootfd, mb_error *err)
{
    if (!statfs_is_cgroup2("/sys/fs/cgroup"))
        return 0;
    return mount_at(rootfd, "sys/fs/cgroup", MOUNT_DIR, "cgroup2", "cgroup2",
                    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
}
#endif

static int rootfs_mount_kernel_fs(const struct container_config *cfg, int rootfd, mb_error *err)
{
    int ret;

    /* A fresh procfs shows the processes of the PID namespace of the process
     * that mounts it: the container's, and nothing of the host's. */
#if MB_STEP < 6
    (void)cfg; /* chapter 6 looks at its user namespace */
#endif
    ret = mount_at(rootfd, "proc", MOUNT_DIR, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   NULL, err);
    if (ret < 0)
        return ret;
    ret = mount_at(rootfd, "sys", MOUNT_DIR, "sysfs", "sysfs",
                   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
#if MB_STEP >= 6
    /* The kernel lets a user namespace mount sysfs only together with a
     * network namespace of its own (chapter 7), since sysfs shows the
     * network devices of the mounter's namespace. Until then, bind the
     * host's /sys, read-only, as rootless Podman does. */
    if (ret < 0 && errno == EPERM && cfg->userns.mode != USERNS_HOST)
        ret = rootfs_bind_sys_readonly(rootfd, err);
#endif
#if MB_STEP >= 10
    if (ret == 0)
        ret = rootfs_mount_cgroup_readonly(rootfd, err);
#endif
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
#if MB_SOLUTION_04
    if (chdir(rootfs) < 0)
        return mb_fail(err, errno, "chdir %s", rootfs);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return mb_fail(err, errno, "pivot_root %s", rootfs);
    if (umount2(".", MNT_DETACH) < 0)
        return mb_fail(err, errno, "detach the host's root");
    if (chdir("/") < 0)
        return mb_fail(err, errno, "chdir /");
    return 0;
#else
    /* TODO(04): make `rootfs` the root of this mount namespace and drop the host's: change into
     * it, pivot_root(".", ".") (the raw system call: glibc has no wrapper), unmount the old root
     * stacked on "." with MNT_DETACH, and chdir("/"); mb_fail naming each step that fails.
     * docs/04-mount-proc.md#pivot_root-instead-of-chroot */
    (void)rootfs;
    return mb_todo(err, "04");
#endif
}

#if MB_STEP >= 8
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
#if MB_SOLUTION_08
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
#if MB_STEP >= 10
    /* --rm: the upper dir is deleted when the container ends, so nothing
     * in it has to survive a crash. "volatile" (Linux 5.10) skips every
     * sync of it, and above all the syncfs of the upper filesystem when
     * the overlay is unmounted, which the container's last exit waited for
     * (a journal commit: most of what --rm IMAGE cost over --rootfs here).
     * Podman mounts --rm containers so too. */
    if (cfg->remove && used < sizeof(options))
        used += (size_t)snprintf(options + used, sizeof(options) - used, ",volatile");
#endif
    if (used >= sizeof(options))
        return mb_fail(err, E2BIG, "overlay options for %d layers", cfg->image.n_layers);
#if MB_STEP >= 10
    /* before 5.10: the same without "volatile" */
    if (mount("overlay", cfg->rootfs, "overlay", 0, options) == 0)
        return 0;
    if (errno == EINVAL && cfg->remove)
        options[used - strlen(",volatile")] = '\0';
#endif
    if (mount("overlay", cfg->rootfs, "overlay", 0, options) < 0)
        return mb_fail(err, errno, "mount the image's layers (overlayfs%s)",
                       cfg->userns.mode == USERNS_ROOTLESS ? "; rootless needs Linux 5.11+" : "");
    return 0;
#else
    /* TODO(08): mount overlayfs on cfg->rootfs: lowerdir = the image's layers, top first
     * (cfg->image.layers[n_layers-1] ... [0], paths relative to <state_root>/layers: chdir
     * there, the options must fit in one page), upperdir and workdir = the container's dir
     * <state_root>/containers/<id>/upper and /work, and ",userxattr" in a user namespace.
     * docs/08-layers.md#overlayfs-lower-upper-work */
    (void)cfg;
    return mb_todo(err, "08");
#endif
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
#endif

#if MB_STEP >= 10
static int rootfs_mount_entry(int rootfd, const struct mount_entry *m,
                              const struct container_cgroup *cg, mb_error *err);

/* --tmpfs: a tmpfs mount entry, its options as mount(8) spells them,
 * mounted as an OCI config's are; the target is resolved inside the rootfs,
 * like a volume's. */
static int rootfs_mount_tmpfs(const struct container_config *cfg, int rootfd, mb_error *err)
{
    for (size_t i = 0; i < cfg->n_tmpfs; i++) {
        struct mount_entry m = {
            .source = "tmpfs", .target = cfg->tmpfs[i].target, .fstype = "tmpfs"};
        char *options = strdup(cfg->tmpfs[i].options), *save = NULL;
        int ret = options ? 0 : mb_fail(err, ENOMEM, "--tmpfs");

        /* The copy is strtok_r's to cut; mount_option copies what it keeps. */
        for (char *o = strtok_r(options, ",", &save); ret == 0 && o != NULL;
             o = strtok_r(NULL, ",", &save))
            ret = mount_option(o, &m, err);
        free(options);
        if (ret == 0)
            ret = rootfs_mount_entry(rootfd, &m, NULL, err);
        free(m.data);
        if (ret < 0)
            return ret;
    }
    return 0;
}
#endif

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

#if MB_STEP >= 9
/* A member's --rootfs (policy.h): the directory as the caller may open it,
 * its detached copy attached onto itself. The copy's fd is the root from
 * here on, pivot_root included: the path is never looked up again. */
static int rootfs_attach_as_caller(const struct container_config *cfg, mb_error *err)
{
    cleanup_fd int at = -1;
    cleanup_fd int tree = policy_open_tree("rootfs", cfg->rootfs, true, &at, err);

    if (tree < 0)
        return -1;
    if (mount_attach(tree, at, cfg->rootfs, err) < 0)
        return -1;
    return take_fd(&tree);
}
#endif

int rootfs_enter(const struct container_config *cfg, mb_error *err)
{
    cleanup_fd int rootfd = -1;
    int ret;

    /* Private propagation first: without it, mounts made below would be
     * copied back into the host's namespace on systemd hosts, where / is
     * shared, and pivot_root refuses a shared root. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return mb_fail(err, errno, "make / private in the container's mount namespace");
#if MB_STEP >= 8
    if (cfg->image.config != NULL && !rootfs_overlay_by_parent(cfg)) {
        int ret8 = rootfs_mount_overlay(cfg, err);
        if (ret8 < 0)
            return ret8;
    }
#endif
#if MB_STEP >= 9
    char by_fd[64];

    rootfd = cfg->rootfs_as_caller ? rootfs_attach_as_caller(cfg, err) : rootfs_bind(cfg, err);
    snprintf(by_fd, sizeof(by_fd), "/proc/self/fd/%d", rootfd);
#else
    rootfd = rootfs_bind(cfg, err);
#endif
    if (rootfd < 0)
        return -1;

    ret = rootfs_mount_kernel_fs(cfg, rootfd, err);
    if (ret < 0)
        return ret;
    ret = devices_setup(rootfd, err);
    if (ret < 0)
        return ret;
#if MB_STEP >= 10
    ret = devices_add(rootfd, cfg->devices, cfg->n_devices, cfg->userns.mode != USERNS_HOST, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 7
    {
        char state_dir[4200];

        snprintf(state_dir, sizeof(state_dir), "%s/containers/%s", cfg->state_root, cfg->id);
        ret = network_mount_files(&cfg->net, rootfd, state_dir, err);
        if (ret < 0)
            return ret;
    }
#endif
    ret = volumes_mount(rootfd, cfg->volumes, cfg->n_volumes, err);
    if (ret < 0)
        return ret;
#if MB_STEP >= 10
    ret = rootfs_mount_tmpfs(cfg, rootfd, err);
    if (ret < 0)
        return ret;
    ret = rootfs_pivot(cfg->rootfs_as_caller ? by_fd : cfg->rootfs, err);
    if (ret < 0)
        return ret;
    /* Masks and read-only paths go on the container's own /proc and /sys,
     * which exist only now, under their final names. */
    return security_apply_mounts(cfg, -1, err);
#elif MB_STEP >= 9
    return rootfs_pivot(cfg->rootfs_as_caller ? by_fd : cfg->rootfs, err);
#else
    return rootfs_pivot(cfg->rootfs, err);
#endif
}

#if MB_STEP >= 10
/* The mount point of the cgroup hierarchy a container's cgroup dir is in:
 * the longest cgroup mount that holds it. */
static int hierarchy_of(const char *dir, char *mount, size_t len)
{
    cleanup_free char *text = NULL;
    char *save = NULL;
    size_t best = 0;
    mb_error ignored;

    if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, NULL, &ignored) < 0)
        return -1;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct mountinfo_entry e;
        size_t n;

        if (mountinfo_parse_line(line, &e) < 0 || strncmp(e.fstype, "cgroup", 6) != 0)
            continue;
        n = strlen(e.mount_point);
        if (n > best && strncmp(dir, e.mount_point, n) == 0 && dir[n] == '/') {
            best = n;
            snprintf(mount, len, "%s", e.mount_point);
        }
    }
    return best > 0 ? 0 : -1;
}

/* A "cgroup" mount of an OCI config: the container's own cgroup dirs,
 * never the host's hierarchies. On a host with one cgroup2 hierarchy its
 * dir is bound at the target; else a tmpfs holds one per hierarchy,
 * named as the host names them (memory, cpu,cpuacct, unified ...). */
static int rootfs_mount_cgroup(int rootfd, const struct mount_entry *m,
                               const struct container_cgroup *cg, mb_error *err)
{
    unsigned long ro = m->flags & MS_RDONLY;
    char mount[PATH_MAX], target[PATH_MAX];
    int ret;

    if (cg->n_dirs == 1 && cg->dirs[0].version == 2 && statfs_is_cgroup2("/sys/fs/cgroup"))
        return rootfs_bind_dir(rootfd, m->target + 1, cg->dirs[0].path, m->flags, err);
    ret = mount_at(rootfd, m->target + 1, MOUNT_DIR, "cgroup", "tmpfs",
                   (m->flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755", err);
    for (int d = 0; ret == 0 && d < cg->n_dirs; d++) {
        if (hierarchy_of(cg->dirs[d].path, mount, sizeof(mount)) < 0)
            continue;
        ret = path_format(target, sizeof(target), err, "%s/%s", m->target + 1,
                          strrchr(mount, '/') + 1);
        if (ret == 0)
            ret = rootfs_bind_dir(rootfd, target, cg->dirs[d].path, m->flags, err);
    }
    if (ret == 0 && ro)
        ret = mount_at(rootfd, m->target + 1, MOUNT_DIR, NULL, NULL,
                       MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755", err);
    return ret;
}

/* One entry of an OCI config's mounts: a bind (its flags take effect on a
 * remount of the new mount), a cgroup view, or a filesystem, each onto a
 * target resolved inside the rootfs (mount_at). */
static int rootfs_mount_entry(int rootfd, const struct mount_entry *m,
                              const struct container_cgroup *cg, mb_error *err)
{
    int ret;

    if (m->fstype != NULL && strcmp(m->fstype, "cgroup") == 0 && !m->bind)
        ret = rootfs_mount_cgroup(rootfd, m, cg, err);
    else if (m->bind) {
        struct stat st;
        enum mount_kind kind;

        if (stat(m->source, &st) < 0)
            return mb_fail(err, errno, "bind mount source %s", m->source);
        kind = S_ISDIR(st.st_mode) ? MOUNT_DIR : MOUNT_FILE;
        ret = mount_at(rootfd, m->target + 1, kind, m->source, NULL,
                       MS_BIND | (m->recursive ? MS_REC : 0), NULL, err);
        if (ret == 0 && (m->flags & ~MS_REMOUNT) != 0)
            ret = mount_at(rootfd, m->target + 1, kind, NULL, NULL,
                           MS_BIND | MS_REMOUNT | (m->flags & ~MS_REMOUNT), NULL, err);
    } else {
        ret = mount_at(rootfd, m->target + 1, MOUNT_DIR, m->source, m->fstype, m->flags, m->data,
                       err);
    }
    if (ret < 0 || m->propagation == 0)
        return ret;
    return mount_at(rootfd, m->target + 1, MOUNT_DIR, NULL, NULL, m->propagation, NULL, err);
}

int rootfs_enter_spec(const struct container_config *cfg, const struct container_cgroup *cg,
                      mb_error *err)
{
    const struct spec_config *spec = &cfg->spec;
    cleanup_fd int rootfd = -1, null_tree = -1;
    bool dev_given = false;
    int ret;

    /* Nothing mounted below may propagate back to the host; a shared root
     * is made shared again after pivot_root, which refuses one. */
    if (mount(NULL, "/", NULL,
              MS_REC | ((spec->root_propagation & MS_SHARED) ? MS_SLAVE : spec->root_propagation),
              NULL) < 0)
        return mb_fail(err, errno, "set the propagation of / in the container's mount namespace");
    if (mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return mb_fail(err, errno, "bind mount rootfs %s", cfg->rootfs);
    rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return mb_fail(err, errno, "open rootfs %s", cfg->rootfs);
    for (size_t i = 0; i < spec->n_mounts; i++) {
        ret = rootfs_mount_entry(rootfd, &spec->mounts[i], cg, err);
        if (ret < 0)
            return ret;
        dev_given |= strcmp(spec->mounts[i].target, "/dev") == 0;
    }
    /* A /dev the config mounts gets the spec's default devices. */
    ret = dev_given ? devices_populate(rootfd, err) : 0;
    if (ret == 0)
        ret = devices_make_nodes(rootfd, spec->nodes, spec->n_nodes,
                                 cfg->userns.mode != USERNS_HOST, err);
    if (ret == 0)
        ret = hooks_run_as(spec->hooks, "createContainer", spec->state_json, getpid(), "creating",
                           err);
    if (ret < 0)
        return ret;
    /* The null device the masks are bound from is the host's, taken now:
     * after pivot_root "/dev/null" would be whatever the image put there
     * (a symlink to a file, a writable file). */
    null_tree =
        (int)syscall(SYS_open_tree, AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    ret = spec->no_pivot ? rootfs_move_root(cfg->rootfs, err) : rootfs_pivot(cfg->rootfs, err);
    if (ret == 0 && (spec->root_propagation & MS_SHARED) &&
        mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0)
        ret = mb_fail(err, errno, "make / shared (rootfsPropagation)");
    if (ret == 0)
        ret = security_apply_mounts(cfg, null_tree, err);
    return ret;
}
#endif
#else
int rootfs_enter(const struct container_config *cfg, mb_error *err)
{
#if MB_SOLUTION_01
    /* chroot does not change the working directory: without the chdir the
     * command would start outside its own root. */
    if (chroot(cfg->rootfs) < 0)
        return mb_fail(err, errno, "chroot %s", cfg->rootfs);
    if (chdir("/") < 0)
        return mb_fail(err, errno, "chdir / in %s", cfg->rootfs);
    return 0;
#else
    /* TODO(01): make cfg->rootfs this process's root with chroot(2), then its working directory
     * "/" (chroot leaves the working directory outside the new root); on a failure, return
     * mb_fail(err, errno, ...) naming the call and the path. docs/01-chroot.md#the-mechanism */
    (void)cfg;
    return mb_todo(err, "01");
#endif
}
#endif
