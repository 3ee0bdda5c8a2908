/* oci_state.c - see oci_state.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci_state.h"
#include "util.h"

/* An id becomes a directory name: no "/", no "..", nothing a shell or a
 * path would read twice. runc accepts the same characters. */
static bool id_is_valid(const char *id)
{
    size_t len = strlen(id);

    return len > 0 && len < 256 && id[0] != '.' && id[0] != '-' &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") == len;
}

int oci_state_dir(const struct mb_globals *globals, const char *id, char *out, size_t len,
                  mb_error *err)
{
    int n;

    if (!id_is_valid(id))
        return mb_fail(err, 0, "bad container id '%s': letters, digits, '_', '+', '-', '.'", id);
    n = snprintf(out, len, "%s/oci/%s", globals->root, id);
    if (n < 0 || (size_t)n >= len)
        return mb_fail(err, ENAMETOOLONG, "state dir of %s", id);
    return 0;
}

static int mkdir_parents(const char *path, mode_t mode)
{
    char partial[PATH_MAX];

    for (size_t i = 1; i <= strlen(path) && i < sizeof(partial); i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        memcpy(partial, path, i);
        partial[i] = '\0';
        if (mkdir(partial, mode) < 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

int oci_state_create_dir(const struct mb_globals *globals, const char *id, struct oci_state *state,
                         mb_error *err)
{
    char parent[PATH_MAX + 8];
    int ret;

    memset(state, 0, sizeof(*state));
    ret = oci_state_dir(globals, id, state->dir, sizeof(state->dir), err);
    if (ret < 0)
        return ret;
    snprintf(state->id, sizeof(state->id), "%s", id);
    snprintf(parent, sizeof(parent), "%s/oci", globals->root);
    /* 0700: the exec fifo inside must be reachable by root only. */
    if (mkdir_parents(parent, 0700) < 0)
        return mb_fail(err, errno, "create %s", parent);
    if (mkdir(state->dir, 0700) < 0)
        return mb_fail(err, errno, errno == EEXIST ? "container %s exists already" : "create %s",
                       errno == EEXIST ? id : state->dir);
    return 0;
}

static json_t *private_json(const struct oci_state *state)
{
    return json_pack("{s:I, s:b, s:o, s:O*}", "start_time", (json_int_t)state->start_time,
                     "own_pid_ns", state->own_pid_ns, "cgroups", oci_cgroup_to_json(&state->cgroup),
                     "hooks", state->hooks);
}

int oci_state_save(const struct oci_state *state, mb_error *err)
{
    char path[PATH_MAX + 32], tmp[PATH_MAX + 32];
    json_t *root = oci_state_to_json(state);
    int ret;

    json_object_del(root, "status"); /* computed on every read */
    json_object_set_new(root, "pid", json_integer(state->pid));
    json_object_set_new(root, "minibox", private_json(state));
    snprintf(path, sizeof(path), "%s/state.json", state->dir);
    snprintf(tmp, sizeof(tmp), "%s/state.json.tmp", state->dir);
    ret = json_dump_file(root, tmp, JSON_COMPACT);
    json_decref(root);
    if (ret < 0 || rename(tmp, path) < 0)
        return mb_fail(err, errno, "write %s", path);
    return 0;
}

static void copy_string(char *out, size_t len, json_t *value)
{
    snprintf(out, len, "%s", json_is_string(value) ? json_string_value(value) : "");
}

int oci_state_load(const struct mb_globals *globals, const char *id, struct oci_state *state,
                   mb_error *err)
{
    char path[PATH_MAX + 32];
    json_t *root, *priv;
    int ret;

    memset(state, 0, sizeof(*state));
    ret = oci_state_dir(globals, id, state->dir, sizeof(state->dir), err);
    if (ret < 0)
        return ret;
    snprintf(path, sizeof(path), "%s/state.json", state->dir);
    root = json_load_file(path, 0, NULL);
    if (root == NULL)
        return mb_fail(err, 0, "container %s does not exist", id);
    priv = json_object_get(root, "minibox");
    snprintf(state->id, sizeof(state->id), "%s", id);
    copy_string(state->bundle, sizeof(state->bundle), json_object_get(root, "bundle"));
    copy_string(state->rootfs, sizeof(state->rootfs), json_object_get(root, "rootfs"));
    copy_string(state->created, sizeof(state->created), json_object_get(root, "created"));
    state->pid = (pid_t)json_integer_value(json_object_get(root, "pid"));
    state->start_time = (unsigned long long)json_integer_value(json_object_get(priv, "start_time"));
    state->own_pid_ns = json_is_true(json_object_get(priv, "own_pid_ns"));
    state->annotations = json_incref(json_object_get(root, "annotations"));
    state->hooks = json_incref(json_object_get(priv, "hooks"));
    ret = oci_cgroup_from_json(json_object_get(priv, "cgroups"), &state->cgroup, err);
    json_decref(root);
    return ret;
}

void oci_state_free(struct oci_state *state)
{
    json_decref(state->annotations);
    json_decref(state->hooks);
    state->annotations = state->hooks = NULL;
}

int oci_process_start_time(pid_t pid, unsigned long long *start_time)
{
    char path[64], buf[1024], state;
    const char *after_comm;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* The command name may hold spaces and ')': fields restart after the
     * last ')'. Field 3 is the state, field 22 the start time. */
    after_comm = strrchr(buf, ')');
    if (after_comm == NULL ||
        sscanf(after_comm + 1,
               " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
               "%*s %*s %*s %llu",
               &state, start_time) != 2)
        return -1;
    return state == 'Z' || state == 'X' ? -1 : 0;
}

void oci_state_fifo_path(const struct oci_state *state, char *out, size_t len)
{
    snprintf(out, len, "%s/exec.fifo", state->dir);
}

const char *oci_state_status(const struct oci_state *state)
{
    unsigned long long start_time;
    char fifo[PATH_MAX + 16];

    if (state->pid <= 0 || oci_process_start_time(state->pid, &start_time) < 0 ||
        start_time != state->start_time)
        return "stopped";
    if (oci_cgroup_frozen(&state->cgroup))
        return "paused";
    oci_state_fifo_path(state, fifo, sizeof(fifo));
    return access(fifo, F_OK) == 0 ? "created" : "running";
}

json_t *oci_state_to_json(const struct oci_state *state)
{
    const char *status = oci_state_status(state);

    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:O*}", "ociVersion", OCI_VERSION,
                     "id", state->id, "status", status, "pid",
                     strcmp(status, "stopped") == 0 ? 0 : (int)state->pid, "bundle", state->bundle,
                     "rootfs", state->rootfs, "created", state->created, "owner", "", "annotations",
                     state->annotations);
}

void oci_state_remove(struct oci_state *state)
{
    remove_tree(state->dir);
}
