/* oci_rootfs.c - see oci_rootfs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hardening.h"
#include "mounts.h"
#include "oci_rootfs.h"
#include "oci_spec.h"
#include "util.h"

/* The host's harmless character devices, bound into a tmpfs /dev (a bind
 * works where mknod is refused: in a user namespace). */
static const char *const default_devices[] = {"null",    "zero", "full", "random",
                                              "urandom", "tty",  NULL};

static const struct {
    const char *name, *target;
} default_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},         {"core", "/proc/kcore"},
};

/* The mount's source: a relative bind source is relative to the bundle. */
static void source_path(json_t *entry, bool bind, const char *bundle, char *out, size_t len)
{
    const char *source = json_string_value(json_object_get(entry, "source"));

    if (source == NULL)
        source = "none";
    if (bind && source[0] != '/')
        snprintf(out, len, "%s/%s", bundle, source);
    else
        snprintf(out, len, "%s", source);
}

/* A bind mount: the flags only take effect on a remount of the new mount. */
static int mount_bind(int rootfd, const char *dest, const char *source,
                      const struct oci_mount_options *opt, mb_error *err)
{
    struct stat st;
    enum mount_kind kind;
    int ret;

    if (stat(source, &st) < 0)
        return mb_fail(err, errno, "bind mount source %s", source);
    kind = S_ISDIR(st.st_mode) ? MOUNT_DIR : MOUNT_FILE;
    ret = mount_at(rootfd, dest, kind, source, NULL, MS_BIND | (opt->recursive ? MS_REC : 0), NULL,
                   err);
    if (ret < 0 || (opt->flags & ~MS_REMOUNT) == 0)
        return ret;
    return mount_at(rootfd, dest, kind, NULL, NULL, MS_BIND | MS_REMOUNT | opt->flags, NULL, err);
}

/* "cgroup" on a v1 host: a tmpfs holding, per hierarchy, a bind of the
 * container's own dir: it sees its limits, not the host's tree. On v2 the
 * cgroup2 filesystem itself. */
static int mount_cgroup(int rootfd, const char *dest, const struct oci_cgroup *cg,
                        const struct oci_mount_options *opt, mb_error *err)
{
    unsigned long flags = opt->flags & ~MS_RDONLY;
    char target[4200];
    int ret;

    for (int i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].version == 2 && cg->n_dirs == 1)
            return mount_at(rootfd, dest, MOUNT_DIR, "cgroup2", "cgroup2", opt->flags, NULL, err);
    ret = mount_at(rootfd, dest, MOUNT_DIR, "cgroup", "tmpfs", flags, "mode=755", err);
    if (ret < 0)
        return ret;
    for (int i = 0; i < cg->n_dirs; i++) {
        if (cg->dirs[i].version != 1)
            continue;
        snprintf(target, sizeof(target), "%s/%s", dest, cg->dirs[i].controllers);
        ret = mount_at(rootfd, target, MOUNT_DIR, cg->dirs[i].path, NULL, MS_BIND, NULL, err);
        if (ret == 0 && (opt->flags & MS_RDONLY))
            ret = mount_at(rootfd, target, MOUNT_DIR, NULL, NULL,
                           MS_BIND | MS_REMOUNT | MS_RDONLY | flags, NULL, err);
        if (ret < 0)
            return ret;
    }
    if (!(opt->flags & MS_RDONLY))
        return 0;
    return mount_at(rootfd, dest, MOUNT_DIR, NULL, NULL, MS_REMOUNT | MS_RDONLY | flags, "mode=755",
                    err);
}

static int mount_one(int rootfd, json_t *entry, const char *bundle, const struct oci_cgroup *cg,
                     mb_error *err)
{
    const char *dest = json_string_value(json_object_get(entry, "destination"));
    const char *type = json_string_value(json_object_get(entry, "type"));
    struct oci_mount_options opt;
    char source[4200];
    int ret;

    ret = oci_mount_options_parse(json_object_get(entry, "options"), &opt, err);
    if (ret < 0)
        return ret;
    opt.bind = opt.bind || (type != NULL && strcmp(type, "bind") == 0);
    source_path(entry, opt.bind, bundle, source, sizeof(source));
    if (opt.bind)
        ret = mount_bind(rootfd, dest, source, &opt, err);
    else if (type != NULL && strcmp(type, "cgroup") == 0)
        ret = mount_cgroup(rootfd, dest, cg, &opt, err);
    else
        ret = mount_at(rootfd, dest, MOUNT_DIR, source, type, opt.flags,
                       opt.data[0] ? opt.data : NULL, err);
    if (ret < 0 || opt.propagation == 0)
        return ret;
    return mount_at(rootfd, dest, MOUNT_DIR, NULL, NULL, opt.propagation, NULL, err);
}

static bool mounts_tmpfs_dev(json_t *mounts)
{
    json_t *entry;
    size_t i;

    json_array_foreach(mounts, i, entry)
    {
        const char *dest = json_string_value(json_object_get(entry, "destination"));
        if (strcmp(dest, "/dev") == 0 || strcmp(dest, "/dev/") == 0)
            return true;
    }
    return false;
}

/* The spec's default devices, on a /dev the config made a fresh mount. */
static int make_default_devices(int rootfd, mb_error *err)
{
    cleanup_fd int devfd = -1;
    char source[32], target[32];

    for (int i = 0; default_devices[i] != NULL; i++) {
        snprintf(source, sizeof(source), "/dev/%s", default_devices[i]);
        snprintf(target, sizeof(target), "dev/%s", default_devices[i]);
        if (mount_at(rootfd, target, MOUNT_FILE, source, NULL, MS_BIND, NULL, err) < 0)
            return -1;
    }
    devfd = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (devfd < 0)
        return mb_fail(err, errno, "open /dev");
    for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++)
        if (symlinkat(default_links[i].target, devfd, default_links[i].name) < 0 && errno != EEXIST)
            return mb_fail(err, errno, "symlink /dev/%s", default_links[i].name);
    return 0;
}

/* linux.devices: nodes the config asks for by number. */
static int make_devices(int rootfd, json_t *devices, mb_error *err)
{
    json_t *dev;
    size_t i;

    json_array_foreach(devices, i, dev)
    {
        const char *path = json_string_value(json_object_get(dev, "path"));
        const char *type = json_string_value(json_object_get(dev, "type"));
        mode_t mode = json_is_integer(json_object_get(dev, "fileMode"))
                          ? (mode_t)json_integer_value(json_object_get(dev, "fileMode"))
                          : 0666;
        dev_t number = makedev(json_integer_value(json_object_get(dev, "major")),
                               json_integer_value(json_object_get(dev, "minor")));

        if (path == NULL || type == NULL)
            return mb_fail(err, 0, "config.json: linux.devices needs path and type");
        mode |= type[0] == 'b' ? S_IFBLK : type[0] == 'p' ? S_IFIFO : S_IFCHR;
        while (*path == '/')
            path++;
        if (mknodat(rootfd, path, mode, number) < 0 && errno != EEXIST)
            return mb_fail(err, errno, "mknod /%s", path);
    }
    return 0;
}

/* pivot_root(".", "."): the old root is stacked on the new one and
 * detached at once, without a directory to hold it. */
static int enter_root(int rootfd, bool no_pivot, mb_error *err)
{
    if (fchdir(rootfd) < 0)
        return mb_fail(err, errno, "chdir to the rootfs");
    if (no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
            return mb_fail(err, errno, "chroot to the rootfs");
        return chdir("/") < 0 ? mb_fail(err, errno, "chdir /") : 0;
    }
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return mb_fail(err, errno, "pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        return mb_fail(err, errno, "detach the old root");
    return chdir("/") < 0 ? mb_fail(err, errno, "chdir /") : 0;
}

static unsigned long root_propagation(json_t *linux_)
{
    const char *wanted = json_string_value(json_object_get(linux_, "rootfsPropagation"));

    if (wanted != NULL && strcmp(wanted, "shared") == 0)
        return MS_SHARED;
    if (wanted != NULL && (strcmp(wanted, "slave") == 0 || strcmp(wanted, "rslave") == 0))
        return MS_SLAVE;
    return MS_PRIVATE;
}

int oci_rootfs_setup(json_t *config, const char *rootfs, const char *bundle,
                     const struct oci_cgroup *cg, bool no_pivot, mb_error *err)
{
    json_t *mounts = json_object_get(config, "mounts"), *linux_ = json_object_get(config, "linux");
    cleanup_fd int rootfd = -1;
    json_t *entry;
    size_t i;
    int ret;

    /* Nothing mounted here may propagate back to the host (pivot_root also
     * refuses a shared root). */
    if (mount(NULL, "/", NULL, MS_REC | root_propagation(linux_), NULL) < 0)
        return mb_fail(err, errno, "make / private");
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return mb_fail(err, errno, "bind %s onto itself", rootfs);
    rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return mb_fail(err, errno, "open %s", rootfs);
    json_array_foreach(mounts, i, entry)
    {
        ret = mount_one(rootfd, entry, bundle, cg, err);
        if (ret < 0)
            return ret;
    }
    if (mounts_tmpfs_dev(mounts)) {
        ret = make_default_devices(rootfd, err);
        if (ret < 0)
            return ret;
    }
    ret = make_devices(rootfd, json_object_get(linux_, "devices"), err);
    if (ret < 0)
        return ret;
    ret = enter_root(rootfd, no_pivot, err);
    if (ret < 0)
        return ret;
    if (json_is_true(json_object_get(json_object_get(config, "root"), "readonly")))
        return hardening_readonly_root(err);
    return 0;
}

static int apply_sysctl(json_t *sysctl, mb_error *err)
{
    const char *key;
    json_t *value;

    json_object_foreach(sysctl, key, value)
    {
        char path[512];
        int ret;

        snprintf(path, sizeof(path), "/proc/sys/%s", key);
        for (char *p = path + 10; *p != '\0'; p++)
            if (*p == '.')
                *p = '/';
        if (strstr(path, "..") != NULL || !json_is_string(value))
            return mb_fail(err, 0, "config.json: bad sysctl '%s'", key);
        ret = write_file_at(AT_FDCWD, path, json_string_value(value), err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* A JSON array of strings as a NULL-terminated vector (pointing into it). */
static const char **path_vector(json_t *array)
{
    size_t n = json_array_size(array), i;
    const char **vec = calloc(n + 1, sizeof(*vec));
    json_t *value;

    json_array_foreach(array, i, value)
    {
        if (vec != NULL)
            vec[i] = json_string_value(value);
    }
    return vec;
}

int oci_rootfs_finish(json_t *config, mb_error *err)
{
    json_t *linux_ = json_object_get(config, "linux");
    cleanup_free const char **masked = path_vector(json_object_get(linux_, "maskedPaths"));
    cleanup_free const char **readonly = path_vector(json_object_get(linux_, "readonlyPaths"));
    int ret;

    if (masked == NULL || readonly == NULL)
        return mb_fail(err, ENOMEM, "masked paths");
    ret = apply_sysctl(json_object_get(linux_, "sysctl"), err);
    if (ret < 0)
        return ret;
    ret = hardening_mask_paths(masked, err);
    if (ret < 0)
        return ret;
    return hardening_readonly_paths_apply(readonly, err);
}
