/* state.c - see state.h. */
#include "mb_step.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ids.h"
#include "state.h"
#include "util.h"

static int mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return (mkdir(buf, mode) < 0 && errno != EEXIST) ? -1 : 0;
}

/* A state dir holds only files (lock, cgroups, and from chapter 7 the
 * network files and slirp4netns's socket): remove them, then the dir. */
static void remove_dir_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' || (e->d_name[1] != '\0' && e->d_name[1] != '.'))
            unlinkat(dirfd(d), e->d_name, 0);
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

#if MB_STEP >= 6
/* A normal user's state root may sit in a shared place (/tmp/minibox-UID):
 * another user could have made it first, as a symlink or a dir they can
 * write. Refuse anything that is not a directory of our own, closed to
 * others. */
static int state_root_is_unsafe(const char *root, mb_error *err)
{
    struct stat st;

    if (geteuid() == 0)
        return 0;
    if (lstat(root, &st) < 0)
        return mb_fail(err, errno, "state root %s", root);
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0)
        return mb_fail(err, 0,
                       "state root %s is not a directory owned by uid %u and closed to others "
                       "(fix: remove it, or --root DIR)",
                       root, (unsigned)geteuid());
    return 0;
}
#endif

#if MB_STEP >= 7
static void state_allow_walk(const char *root)
{
    char path[PATH_MAX + 16];
    struct stat st;

    snprintf(path, sizeof(path), "%s/containers", root);
    if (stat(root, &st) == 0)
        chmod(root, (st.st_mode & 07777) | 0111);
    if (stat(path, &st) == 0)
        chmod(path, (st.st_mode & 07777) | 0111);
}
#endif

/* The dir is made as <id>.new, locked, then renamed to <id>: gc, which
 * looks only at 64-hex names, never sees a container whose lock is not yet
 * held. */
int state_create(const char *root, const char *id, struct container_state *state, mb_error *err)
{
    char path[PATH_MAX + 16], fresh[PATH_MAX + 8];

    state->lock_fd = -1;
    snprintf(state->dir, sizeof(state->dir), "%s/containers/%s", root, id);
    snprintf(fresh, sizeof(fresh), "%s.new", state->dir);
    /* 0711: others may not list the containers, but the mapped root of a
     * --userns=auto container may walk to its own files (chapter 7). */
    if (mkdir_p(fresh, 0711) < 0)
        return mb_fail(err, errno, "create state dir %s (fix: --root DIR or MINIBOX_ROOT)", fresh);
#if MB_STEP >= 7
    /* The mapped root of a --userns=auto container binds its /etc files
     * from here: it needs to walk (not list) the dirs on the way. */
    if (geteuid() == 0)
        state_allow_walk(root);
#endif
#if MB_STEP >= 6
    if (state_root_is_unsafe(root, err)) {
        rmdir(fresh);
        return -1;
    }
#endif
    snprintf(path, sizeof(path), "%s/lock", fresh);
    /* O_CLOEXEC: the container must not inherit the lock, or a container
     * that outlived minibox would look alive. */
    state->lock_fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (state->lock_fd < 0 || flock(state->lock_fd, LOCK_EX) < 0 || rename(fresh, state->dir) < 0) {
        int saved = errno;
        remove_dir_files(fresh);
        if (state->lock_fd >= 0)
            close(state->lock_fd);
        state->dir[0] = '\0';
        return mb_fail(err, saved, "create state dir %s", fresh);
    }
    return 0;
}

int state_record_cgroups(const struct container_state *state, const struct container_cgroup *cg,
                         mb_error *err)
{
    char path[PATH_MAX + 16];
    FILE *f;

    snprintf(path, sizeof(path), "%s/cgroups", state->dir);
    f = fopen(path, "we");
    if (f == NULL)
        return mb_fail(err, errno, "write %s", path);
    for (int d = 0; d < cg->n_dirs; d++)
        fprintf(f, "%d %s\n", cg->dirs[d].version, cg->dirs[d].path);
    if (fclose(f) != 0)
        return mb_fail(err, errno, "write %s", path);
    return 0;
}

#if MB_STEP >= 10
int state_load_cgroups(const char *dir, struct container_cgroup *cg, mb_error *err)
{
    char path[PATH_MAX + 16], line[PATH_MAX + 16];
    FILE *f;

    memset(cg, 0, sizeof(*cg));
    snprintf(path, sizeof(path), "%s/cgroups", dir);
    f = fopen(path, "re");
    if (f == NULL)
        return mb_fail(err, errno, "read %s", path);
    while (cg->n_dirs < CGROUP_MAX_DIRS && fgets(line, sizeof(line), f) != NULL) {
        char *space = strchr(line, ' ');

        if (space == NULL)
            continue;
        space[strcspn(space, "\n")] = '\0';
        cg->dirs[cg->n_dirs].version = atoi(line);
        snprintf(cg->dirs[cg->n_dirs].path, sizeof(cg->dirs[0].path), "%s", space + 1);
        cg->n_dirs++;
    }
    fclose(f);
    return 0;
}
#endif

#if MB_STEP >= 8
/* The runtime files of a state dir, which go when its container ends; an
 * image container's record and layer dirs stay. */
static const char *const runtime_files[] = {"lock",        "cgroups",   "hosts",      "hostname",
                                            "resolv.conf", "slirp.log", "slirp.sock", "pid"};

void state_remove_runtime(struct container_state *state)
{
    char path[PATH_MAX + 32];

    if (state->dir[0] == '\0')
        return;
    for (size_t i = 0; i < sizeof(runtime_files) / sizeof(runtime_files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", state->dir, runtime_files[i]);
        unlink(path);
    }
    if (state->lock_fd >= 0)
        close(state->lock_fd);
    state->lock_fd = -1;
    state->dir[0] = '\0';
}
#endif

void state_remove(struct container_state *state)
{
    if (state->dir[0] == '\0')
        return;
    remove_dir_files(state->dir);
    if (state->lock_fd >= 0)
        close(state->lock_fd);
    state->lock_fd = -1;
    state->dir[0] = '\0';
}

/* Remove the cgroups a dead container recorded. */
static int gc_cgroups(const char *dir, mb_error *err)
{
    char path[PATH_MAX + 16], line[PATH_MAX + 16];
    int ret = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/cgroups", dir);
    f = fopen(path, "re");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *cg = strchr(line, ' ');
        if (cg == NULL)
            continue;
        cg[strcspn(cg, "\n")] = '\0';
        if (cgroup_destroy_dir(cg + 1, atoi(line), err) < 0)
            ret = -1;
        else
            fprintf(stderr, "minibox: removed stale cgroup %s\n", cg + 1);
    }
    fclose(f);
    return ret;
}

#if MB_STEP >= 8
/* Is the dead container's record to be kept ("keep": true in it)? */
static int has_record(const char *dir)
{
    cleanup_free char *text = NULL;
    char path[PATH_MAX + 32];
    mb_error ignored;

    snprintf(path, sizeof(path), "%s/container.json", dir);
    if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return 0;
    return strstr(text, "\"keep\": true") != NULL;
}
#endif

int state_gc(const char *root, mb_error *err)
{
    char dir[PATH_MAX], lock[PATH_MAX + 16];
    struct dirent *e;
    int removed = 0;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/containers", root);
    d = opendir(dir);
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX + 300];
        cleanup_fd int fd = -1;

        if (strlen(e->d_name) != MB_ID_LEN)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        snprintf(lock, sizeof(lock), "%s/lock", path);
        fd = open(lock, O_WRONLY | O_CLOEXEC);
        /* Held: its minibox is alive. No lock file: it is being created. */
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
            continue;
        if (gc_cgroups(path, err) < 0)
            continue;
#if MB_STEP >= 8
        if (has_record(path)) {
            struct container_state dead = {.lock_fd = -1};

            snprintf(dead.dir, sizeof(dead.dir), "%s", path);
            state_remove_runtime(&dead);
            fprintf(stderr,
                    "minibox: cleaned up after killed container %.12s (kept for commit "
                    "or rm)\n",
                    e->d_name);
            continue;
        }
#endif
        remove_tree(path); /* files, and an --rm image container's layer dirs */
        fprintf(stderr, "minibox: removed stale container %.12s\n", e->d_name);
        removed++;
    }
    closedir(d);
    return removed;
}
