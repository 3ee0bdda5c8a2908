/*
 * volumes.c - bind volumes.
 *
 * A bind mount makes an existing directory (or file) of the host appear at a
 * second place, here inside the rootfs. It is the same inode, not a copy:
 * what the container writes there, the host sees. `:ro` remounts the bind
 * read-only; the host's own view of the directory stays writable.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mounts.h"
#include "util.h"
#include "volumes.h"

static int path_has_dotdot(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return 1;
    return 0;
}

int volume_parse(const char *spec, struct volume *vol, mb_error *err)
{
    const char *colon = strchr(spec, ':');
    const char *mode;

    *vol = (struct volume){0};
    if (colon == NULL || colon == spec || colon[1] == '\0')
        return mb_fail(err, 0, "bad volume '%s': expected SRC:DST[:ro|rw]", spec);
    mode = strchr(colon + 1, ':');
    if (mode != NULL) {
        if (strcmp(mode + 1, "ro") == 0)
            vol->readonly = 1;
        else if (strcmp(mode + 1, "rw") != 0)
            return mb_fail(err, 0, "bad volume '%s': mode must be ro or rw", spec);
    }
    if (spec[0] != '/')
        return mb_fail(err, 0, "bad volume '%s': source must be an absolute path", spec);
    if (colon[1] != '/')
        return mb_fail(err, 0, "bad volume '%s': destination must be an absolute path", spec);
    vol->source = strndup(spec, (size_t)(colon - spec));
    vol->target = mode ? strndup(colon + 1, (size_t)(mode - colon - 1)) : strdup(colon + 1);
    if (vol->source == NULL || vol->target == NULL) {
        volume_free(vol);
        return mb_fail(err, ENOMEM, "volume '%s'", spec);
    }
    if (strspn(vol->target, "/") == strlen(vol->target) || path_has_dotdot(vol->target)) {
        volume_free(vol);
        return mb_fail(err, 0, "bad volume '%s': destination must be below / and without '..'",
                       spec);
    }
    return 0;
}

int volume_check_source(struct volume *vol, mb_error *err)
{
    char *resolved;

    resolved = realpath(vol->source, NULL);
    if (resolved == NULL)
        return mb_fail(err, errno, "volume source %s", vol->source);
    free(vol->source);
    vol->source = resolved;
    return 0;
}

void volume_free(struct volume *vol)
{
    free(vol->source);
    free(vol->target);
    vol->source = vol->target = NULL;
}

/* Remount a bind read-only. The flags the bind already has (nosuid, nodev,
 * noexec) must be passed again, or the kernel refuses the remount where they
 * are locked (in a user namespace, chapter 6). */
static int volume_remount_readonly(int rootfd, const struct volume *vol, enum mount_kind kind,
                                   mb_error *err)
{
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
    cleanup_fd int fd = -1;
    struct statvfs sv;
    char target[64];

    /* Open the target again: the fd opened before the bind points at the
     * directory underneath it, while the remount must name the new mount. */
    fd = path_open_in_root(rootfd, vol->target, kind, err);
    if (fd < 0)
        return -1;
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    if (fstatvfs(fd, &sv) < 0)
        return mb_fail(err, errno, "volume %s: statvfs", vol->target);
    if (sv.f_flag & ST_NOSUID)
        flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        flags |= MS_NOEXEC;
    if (mount(NULL, target, NULL, flags, NULL) < 0)
        return mb_fail(err, errno, "volume %s: remount read-only", vol->target);
    return 0;
}

static int volume_mount(int rootfd, const struct volume *vol, mb_error *err)
{
    enum mount_kind kind = MOUNT_DIR;
    cleanup_fd int fd = -1;
    char target[64];
    struct stat st;

    if (stat(vol->source, &st) < 0)
        return mb_fail(err, errno, "volume source %s", vol->source);
    if (!S_ISDIR(st.st_mode))
        kind = MOUNT_FILE;
    fd = path_open_in_root(rootfd, vol->target, kind, err);
    if (fd < 0)
        return -1;
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    if (mount(vol->source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return mb_fail(err, errno, "bind volume %s on %s", vol->source, vol->target);
    if (vol->readonly)
        return volume_remount_readonly(rootfd, vol, kind, err);
    return 0;
}

int volumes_mount(int rootfd, const struct volume *vols, size_t n, mb_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int ret = volume_mount(rootfd, &vols[i], err);
        if (ret < 0)
            return ret;
    }
    return 0;
}
