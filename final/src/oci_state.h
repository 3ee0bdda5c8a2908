/*
 * oci_state.h - what `minibox create` leaves for the other OCI verbs:
 *
 *   <root>/oci/<id>/state.json  the runtime spec's state, plus what delete
 *                               needs (the cgroup dirs, the hooks)
 *   <root>/oci/<id>/exec.fifo   exists while the container is "created":
 *                               its process blocks opening it until `start`
 *
 * The status is never stored: it is computed each time from the process
 * (alive? the same process, not a reused pid?), the freezer and the fifo,
 * so a container whose process died is "stopped" without anyone saying so.
 */
#ifndef MB_OCI_STATE_H
#define MB_OCI_STATE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"
#include "oci_cgroup.h"

#define OCI_VERSION "1.0.2"

struct oci_state {
    char id[256];
    char dir[PATH_MAX]; /* <root>/oci/<id> */
    char bundle[PATH_MAX];
    char rootfs[PATH_MAX];
    char created[64];              /* RFC 3339 */
    pid_t pid;                     /* 0 before the process exists */
    unsigned long long start_time; /* /proc/<pid>/stat field 22: tells pid reuse apart */
    bool own_pid_ns;               /* killing pid kills every process of the container */
    json_t *annotations;           /* owned; may be NULL */
    json_t *hooks;                 /* owned; may be NULL */
    struct oci_cgroup cgroup;
};

/* <root>/oci/<id>, refusing an id that is not a plain name. */
int oci_state_dir(const struct mb_globals *globals, const char *id, char *out, size_t len,
                  mb_error *err);

/* Make the state dir (an existing one is an error: the id is taken). */
int oci_state_create_dir(const struct mb_globals *globals, const char *id, struct oci_state *state,
                         mb_error *err);

/* Write state.json atomically. */
int oci_state_save(const struct oci_state *state, mb_error *err);

/* Read a container's state; "container X does not exist" when there is none. */
int oci_state_load(const struct mb_globals *globals, const char *id, struct oci_state *state,
                   mb_error *err);

void oci_state_free(struct oci_state *state);

/* "created", "running", "paused" or "stopped", computed now. */
const char *oci_state_status(const struct oci_state *state);

/* The runtime spec's state object (for `state` and for hooks' stdin). */
json_t *oci_state_to_json(const struct oci_state *state);

/* The start time of a live, non-zombie process; -1 when it is gone. */
int oci_process_start_time(pid_t pid, unsigned long long *start_time);

/* <dir>/exec.fifo */
void oci_state_fifo_path(const struct oci_state *state, char *out, size_t len);

/* Remove the state dir. */
void oci_state_remove(struct oci_state *state);

#endif
