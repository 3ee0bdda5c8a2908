/* state.c - see state.h. */

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

    if (strlen(path) >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, strlen(path) + 1);
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

int state_root_check(const char *root, mb_error *err)
{
    struct stat st;

    if (geteuid() == 0)
        return 0;
    /* Made 0700 if missing; an existing one is looked at, never followed. */
    if (mkdir(root, 0700) < 0 && errno == ENOENT && mkdir_p(root, 0700) < 0)
        return mb_fail(err, errno, "create state root %s (fix: --root DIR)", root);
    if (lstat(root, &st) < 0)
        return mb_fail(err, errno, "state root %s", root);
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0)
        return mb_fail(err, 0,
                       "state root %s is not a directory of uid %u closed to others: someone "
                       "else may have made it (fix: --root DIR of your own, or a login that sets "
                       "XDG_RUNTIME_DIR)",
                       root, (unsigned)geteuid());
    return 0;
}

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

/* The dir is made as <id>.new, locked, then renamed to <id>: gc, which
 * looks only at 64-hex names, never sees a container whose lock is not yet
 * held. */
int state_create(const char *root, const char *id, struct container_state *state, mb_error *err)
{
    char fresh[PATH_MAX];
    cleanup_fd int fresh_fd = -1;

    state->fd = state->lock_fd = -1;
    state->dir[0] = '\0';
    /* Every file of the dir is reached through its fd, but a few must be
     * named by path (mount sources, slirp4netns's socket): a dir whose path
     * does not fit is refused here, once. */
    if (path_format(state->dir, sizeof(state->dir) - 64, err, "%s/containers/%s", root, id) < 0 ||
        path_format(fresh, sizeof(fresh), err, "%s.new", state->dir) < 0) {
        state->dir[0] = '\0';
        return mb_fail(err, ENAMETOOLONG, "state dir under %s: the path is too long", root);
    }
    /* 0711: others may not list the containers, but the mapped root of a
     * --userns=auto container may walk to its own files (chapter 7). */
    if (mkdir_p(fresh, 0711) < 0) {
        state->dir[0] = '\0';
        return mb_fail(err, errno, "create state dir %s (fix: --root DIR or MINIBOX_ROOT)", fresh);
    }
    /* The mapped root of a --userns=auto container binds its /etc files
     * from here: it needs to walk (not list) the dirs on the way. */
    if (geteuid() == 0)
        state_allow_walk(root);
    fresh_fd = open(fresh, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    /* O_CLOEXEC: the container must not inherit the lock, or a container
     * that outlived minibox would look alive. */
    if (fresh_fd >= 0)
        state->lock_fd =
            openat(fresh_fd, "lock", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (state->lock_fd < 0 || flock(state->lock_fd, LOCK_EX) < 0 || rename(fresh, state->dir) < 0) {
        int saved = errno;

        remove_dir_files(fresh);
        cleanup_fdp(&state->lock_fd);
        state->lock_fd = -1;
        state->dir[0] = '\0';
        return mb_fail(err, saved, "create state dir %s", fresh);
    }
    state->fd = take_fd(&fresh_fd);
    snprintf(state->id, sizeof(state->id), "%s", id);
    return 0;
}

int state_write(const struct container_state *state, const char *name, const char *text,
                bool durable, mb_error *err)
{
    return write_atomic_at(state->fd, name, text, strlen(text), durable, err);
}

int state_record_cgroups(const struct container_state *state, const struct container_cgroup *cg,
                         mb_error *err)
{
    /* One line per dir: at most a path and a few digits. */
    char *text = malloc((size_t)(cg->n_dirs + 1) * (PATH_MAX + 16));
    size_t used = 0;
    int ret;

    if (text == NULL)
        return mb_fail(err, ENOMEM, "cgroups file");
    text[0] = '\0';
    for (int d = 0; d < cg->n_dirs; d++)
        used += (size_t)sprintf(text + used, "%d %s\n", cg->dirs[d].version, cg->dirs[d].path);
    ret = state_write(state, "cgroups", text, false, err);
    free(text);
    return ret;
}

/* Open the dir <root>/containers/<name> into *state (no lock taken). */
static int state_open_dir(int containers_fd, const char *containers, const char *name,
                          struct container_state *state)
{
    mb_error ignored;

    state->lock_fd = -1;
    state->fd = openat(containers_fd, name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (state->fd < 0)
        return -1;
    if (path_format(state->dir, sizeof(state->dir), &ignored, "%s/%s", containers, name) < 0) {
        close(state->fd);
        state->fd = -1;
        return -1;
    }
    snprintf(state->id, sizeof(state->id), "%s", name);
    return 0;
}

int state_each(const char *root, int (*fn)(struct container_state *state, void *data), void *data)
{
    char containers[PATH_MAX];
    struct dirent *e;
    mb_error ignored;
    int ret = 0;
    DIR *d;

    if (path_format(containers, sizeof(containers), &ignored, "%s/containers", root) < 0)
        return 0;
    d = opendir(containers);
    while (ret == 0 && d != NULL && (e = readdir(d)) != NULL) {
        struct container_state state;

        if (strlen(e->d_name) != MB_ID_LEN || strspn(e->d_name, "0123456789abcdef") != MB_ID_LEN)
            continue;
        if (state_open_dir(dirfd(d), containers, e->d_name, &state) < 0)
            continue;
        ret = fn(&state, data);
        state_close(&state);
    }
    if (d != NULL)
        closedir(d);
    return ret;
}

void state_close(struct container_state *state)
{
    cleanup_fdp(&state->fd);
    cleanup_fdp(&state->lock_fd);
    state->fd = state->lock_fd = -1;
}

/* The runtime files of a state dir, which go when its container ends; an
 * image container's record and layer dirs stay. */
static const char *const runtime_files[] = {"lock",      "cgroups",    "systemd",
                                            "hosts",     "hostname",   "resolv.conf",
                                            "slirp.log", "slirp.sock", "pid"};

void state_end(struct container_state *state, bool keep)
{
    if (state->dir[0] == '\0')
        return;
    if (!keep) {
        /* files, and an --rm image container's layer dirs */
        remove_tree(state->dir);
    } else {
        for (size_t i = 0; i < sizeof(runtime_files) / sizeof(runtime_files[0]); i++)
            unlinkat(state->fd, runtime_files[i], 0);
    }
    state_close(state);
    state->dir[0] = '\0';
}

void state_remove(struct container_state *state)
{
    if (state->dir[0] == '\0')
        return;
    remove_dir_files(state->dir);
    state_close(state);
    state->dir[0] = '\0';
}

/* Remove the cgroups a dead container recorded. */
static int gc_cgroups(const struct container_state *state, mb_error *err)
{
    cleanup_free char *text = NULL;
    char *save = NULL;
    int ret = 0;

    if (read_file_at(state->fd, "cgroups", &text, NULL, err) < 0)
        return 0;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *cg = strchr(line, ' ');

        if (cg == NULL)
            continue;
        if (cgroup_destroy_dir(cg + 1, atoi(line), err) < 0)
            ret = -1;
        else
            fprintf(stderr, "minibox: removed stale cgroup %s\n", cg + 1);
    }
    return ret;
}

struct gc_walk {
    mb_error *err;
    int removed;
};

static int gc_one(struct container_state *state, void *data)
{
    struct gc_walk *walk = data;
    cleanup_fd int lock = openat(state->fd, "lock", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    char id[MB_SHORT_ID_LEN + 1];

    /* Held: its minibox is alive. No lock file: it is being created, or it
     * ended and kept only its record. */
    if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0)
        return 0;
    if (gc_cgroups(state, walk->err) < 0)
        return 0;
    snprintf(id, sizeof(id), "%.12s", strrchr(state->dir, '/') + 1);
    {
        json_t *record = state_record(state);
        bool keep = json_is_true(json_object_get(record, "keep"));

        json_decref(record);
        state_end(state, keep);
        if (keep) {
            fprintf(stderr,
                    "minibox: cleaned up after killed container %s (kept for commit or rm)\n", id);
            return 0;
        }
    }
    fprintf(stderr, "minibox: removed stale container %s\n", id);
    walk->removed++;
    return 0;
}

int state_gc(const char *root, mb_error *err)
{
    struct gc_walk walk = {err, 0};

    state_each(root, gc_one, &walk);
    return walk.removed;
}

json_t *state_record(const struct container_state *state)
{
    cleanup_free char *text = NULL;
    mb_error ignored;

    if (read_file_at(state->fd, "container.json", &text, NULL, &ignored) < 0)
        return NULL;
    return json_loads(text, 0, NULL);
}

struct find {
    const char *ref;
    struct container_state found;
    int matches;
};

static int find_one(struct container_state *state, void *data)
{
    struct find *f = data;
    json_t *record = state_record(state);
    const char *name = json_string_value(json_object_get(record, "name"));
    bool match = (name != NULL && strcmp(name, f->ref) == 0) ||
                 (strlen(f->ref) >= 4 && strncmp(state->id, f->ref, strlen(f->ref)) == 0);

    json_decref(record);
    if (match && f->matches++ == 0) {
        /* Keep this one open: state_each closes its own copy. */
        f->found = *state;
        state->fd = -1;
    }
    return 0;
}

int state_open(const char *root, const char *ref, struct container_state *state, mb_error *err)
{
    struct find f = {.ref = ref, .found = {.fd = -1, .lock_fd = -1}};

    state_each(root, find_one, &f);
    if (f.matches == 1) {
        *state = f.found;
        return 0;
    }
    state_close(&f.found);
    state->fd = state->lock_fd = -1;
    state->dir[0] = '\0';
    if (f.matches == 0)
        return mb_fail(err, 0, "no container '%s'", ref);
    return mb_fail(err, 0, "'%s' names %d containers: give more of the id", ref, f.matches);
}

bool state_name_taken(const char *root, const char *name)
{
    struct container_state state;
    mb_error ignored;

    if (state_open(root, name, &state, &ignored) < 0)
        return false;
    state_close(&state);
    return true;
}

bool state_running(const struct container_state *state)
{
    cleanup_fd int fd = openat(state->fd, "lock", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

    return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
}

