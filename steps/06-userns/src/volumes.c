/*
 * volumes.c - bind volumes.
 *
 * A bind mount makes an existing directory (or file) of the host appear at a
 * second place, here inside the rootfs. It is the same inode, not a copy:
 * what the container writes there, the host sees. `:ro` makes the bind
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

/* Make the bind read-only, with every mount below it. The bind is
 * recursive (MS_REC: -v /:/host brings /host/dev, /host/proc ...), but a
 * remount with MS_RDONLY changes only the one mount it names: /host would
 * be read-only and /host/dev/shm, /host/proc/sys still writable, a way to
 * write the host's files through a volume asked to be read-only.
 * mount_setattr with AT_RECURSIVE changes the whole subtree at once, as
 * runc does for rro, and sets only the flag it is given (the nosuid, nodev
 * a user namespace locks on a mount stay as they are). */
static int volume_make_readonly(int rootfd, const struct volume *vol, enum mount_kind kind,
                                mb_error *err)
{
    cleanup_fd int fd = -1;

    /* Open the target again: the fd opened before the bind points at the
     * directory underneath it, while the change must name the new mount. */
    fd = path_open_in_root(rootfd, vol->target, kind, err);
    if (fd < 0)
        return -1;
    if (mount_make_readonly(fd, true) == 0)
        return 0;
    if (errno == ENOSYS)
        return mb_fail(err, 0,
                       "volume %s:ro: a read-only volume needs mount_setattr (Linux 5.12) to be "
                       "read-only below its top too (fix: a newer kernel, or the volume without "
                       ":ro)",
                       vol->target);
    return mb_fail(err, errno, "volume %s: make it read-only", vol->target);
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
        return volume_make_readonly(rootfd, vol, kind, err);
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
