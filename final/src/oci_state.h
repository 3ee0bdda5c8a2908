/*
 * oci_state.h - what `minibox create` leaves for the other OCI verbs, in
 * the container's dir (state.c), <root>/containers/<id>:
 *
 *   state.json  the runtime spec's state, plus what the verbs need (the
 *               cgroup dirs, the hooks, the process's start time)
 *   exec.fifo   exists while the container is "created": its process
 *               blocks opening it until `start`
 *
 * The dir has no lock file: the container lives as long as its process,
 * which no minibox waits for. The status is never stored: it is computed
 * each time from the process (alive? the same one, not a reused pid?), the
 * freezer and the fifo, so a container whose process died is "stopped"
 * without anyone saying so.
 */
#ifndef MB_OCI_STATE_H
#define MB_OCI_STATE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "config.h"
#include "error.h"
#include "state.h"

#define OCI_VERSION "1.0.2"

struct oci_state {
    char id[65];
    struct container_state dir;
    char bundle[PATH_MAX];
    char rootfs[PATH_MAX];
    char created[64];              /* RFC 3339 */
    pid_t pid;                     /* 0 before the process exists */
    unsigned long long start_time; /* /proc/<pid>/stat field 22: tells pid reuse apart */
    bool own_pid_ns;               /* killing pid kills every process of the container */
    json_t *annotations, *hooks;   /* owned; may be NULL */
    struct container_cgroup cgroup;
};

/* A container id becomes a directory name: checked here. */
int oci_id_check(const char *id, mb_error *err);

/* Write state.json atomically. */
int oci_state_save(const struct oci_state *state, mb_error *err);

/* Open a container's dir and read its state; "container ID does not
 * exist" when there is none. */
int oci_state_load(const struct mb_globals *globals, const char *id, struct oci_state *state,
                   mb_error *err);

/* Close it (nothing removed). */
void oci_state_free(struct oci_state *state);

/* "created", "running", "paused" or "stopped", computed now. */
const char *oci_state_status(const struct oci_state *state);

/* The runtime spec's state object (for `state` and for hooks' stdin). */
json_t *oci_state_to_json(const struct oci_state *state);

/* The same as text; the caller frees it. */
char *oci_state_text(const struct oci_state *state);

/* Kill what is left, remove the cgroup and the dir. */
int oci_state_destroy(struct oci_state *state, mb_error *err);

#endif
