/* oci_state.c - see oci_state.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci_state.h"
#include "util.h"

/* An id becomes a directory name: no "/", no "..", nothing a shell or a
 * path would read twice. runc accepts the same characters. */
int oci_id_check(const char *id, mb_error *err)
{
    size_t len = strlen(id);

    if (len == 0 || len > 64 || id[0] == '.' || id[0] == '-' ||
        strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") != len)
        return mb_fail(err, 0,
                       "bad container id '%.80s': 1 to 64 letters, digits, '_', '+', '-', '.'", id);
    return 0;
}

int oci_state_save(const struct oci_state *state, mb_error *err)
{
    json_t *root = oci_state_to_json(state);
    cleanup_free char *text = NULL;

    json_object_del(root, "status"); /* computed on every read */
    json_object_set_new(root, "pid", json_integer(state->pid));
    json_object_set_new(root, "minibox",
                        json_pack("{s:I, s:b, s:o, s:O*}", "start_time",
                                  (json_int_t)state->start_time, "own_pid_ns", state->own_pid_ns,
                                  "cgroup", cgroup_to_json(&state->cgroup), "hooks", state->hooks));
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL)
        return mb_fail(err, ENOMEM, "state.json");
    return state_write(&state->dir, "state.json", text, false, err);
}

static void copy_string(char *out, size_t len, json_t *value)
{
    snprintf(out, len, "%.*s", (int)len - 1, json_is_string(value) ? json_string_value(value) : "");
}

int oci_state_load(const struct mb_globals *globals, const char *id, struct oci_state *state,
                   mb_error *err)
{
    cleanup_free char *text = NULL;
    json_t *root, *priv;
    int ret;

    memset(state, 0, sizeof(*state));
    state->dir.fd = state->dir.lock_fd = -1;
    if (oci_id_check(id, err) < 0 || state_open_id(globals->root, id, &state->dir, err) < 0)
        return -1;
    root = read_file_at(state->dir.fd, "state.json", &text, NULL, err) == 0
               ? json_loads(text, 0, NULL)
               : NULL;
    if (root == NULL) {
        state_close(&state->dir);
        return mb_fail(err, 0, "container %s does not exist", id);
    }
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
    ret = cgroup_from_json(json_object_get(priv, "cgroup"), &state->cgroup, err);
    json_decref(root);
    if (ret < 0)
        oci_state_free(state);
    return ret;
}

void oci_state_free(struct oci_state *state)
{
    json_decref(state->annotations);
    json_decref(state->hooks);
    state->annotations = state->hooks = NULL;
    state_close(&state->dir);
}

const char *oci_state_status(const struct oci_state *state)
{
    unsigned long long start_time;

    if (state->pid <= 0 || process_start_time(state->pid, &start_time) < 0 ||
        start_time != state->start_time)
        return "stopped";
    if (cgroup_frozen(&state->cgroup))
        return "paused";
    return faccessat(state->dir.fd, "exec.fifo", F_OK, 0) == 0 ? "created" : "running";
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

char *oci_state_text(const struct oci_state *state)
{
    json_t *json = oci_state_to_json(state);
    char *text = json_dumps(json, JSON_COMPACT);

    json_decref(json);
    return text;
}

int oci_state_destroy(struct oci_state *state, mb_error *err)
{
    int ret;

    if (state->pid > 0 && strcmp(oci_state_status(state), "stopped") != 0)
        kill(state->pid, SIGKILL);
    ret = cgroup_destroy(&state->cgroup, err);
    if (ret == 0)
        state_end(&state->dir, false);
    return ret;
}
