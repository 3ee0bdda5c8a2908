/*
 * state.h - a container's directory, <root>/containers/<id>: what a running
 * container leaves on disk so that another minibox can tell it is alive,
 * and clean up after it if minibox was killed (chapter 5). Every file of
 * the directory is read and written here, through the directory's fd.
 *
 *   <root>/containers/<id>/lock     held (flock) by the minibox running it
 *   <root>/containers/<id>/cgroups  "<version> <path>" of each cgroup dir
 *
 * From chapter 8 a container made from an image outlives its process: its
 * record (container.json) and writable layer stay until `rm`, and it can be
 * found by name or id prefix; chapter 9 adds its pid, log and how it ended
 * (status.json).
 *
 * The lock is the liveness test: the kernel drops a flock when its holder
 * dies, even by SIGKILL, so a lock that can be taken means a dead owner.
 */
#ifndef MB_STATE_H
#define MB_STATE_H

#include "mb_step.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#if MB_STEP >= 8
#include <jansson.h>
#endif

struct container_state {
    char dir[PATH_MAX]; /* <root>/containers/<id>; "" when there is none */
    int fd;             /* the directory (O_DIRECTORY), or -1 */
    int lock_fd;        /* held while its minibox runs it; -1 otherwise */
#if MB_STEP >= 8
    char id[65];
#endif
};

#if MB_STEP >= 6
/* A normal user's state root may sit in a shared place (/tmp/minibox-UID,
 * without XDG_RUNTIME_DIR): another user could have made it first, as a dir
 * they can write or a symlink to one of theirs, and whoever controls it
 * controls what minibox cleans up there (gc), the seccomp programs it loads
 * from it and where its files go. main() calls this before any verb uses
 * the root: it makes it (0700) when missing and refuses anything but a
 * directory of the caller's own that others cannot write. Root: nothing. */
int state_root_check(const char *root, mb_error *err);
#endif

#if MB_STEP >= 10
/* Close the container's state dir to other users: 0700, or 0710 with group
 * `walker` (the mapped root's gid of a user-namespace container, which must
 * walk to the files bound into it; 0: none). Other local users would find
 * an image container's writable layer by its path in /proc/PID/mountinfo
 * (upperdir=), setuid files its root planted in there included. */
int state_close_to_others(const struct container_state *state, gid_t walker, mb_error *err);
#endif

/* Make the container's state dir and hold its lock. */
int state_create(const char *root, const char *id, struct container_state *state, mb_error *err);

/* Write a file of the dir whole or not at all: a temporary name, then
 * rename. `durable`: fsync first (a record that must survive a crash). */
int state_write(const struct container_state *state, const char *name, const char *text,
                bool durable, mb_error *err);

/* Record the cgroup dirs before they are made, so a crash leaves a trail. */
int state_record_cgroups(const struct container_state *state, const struct container_cgroup *cg,
                         mb_error *err);

/* Call fn for each container dir under root (64-hex names only), with the
 * dir open; fn's non-zero return stops the walk and is returned. */
int state_each(const char *root, int (*fn)(struct container_state *state, void *data), void *data);

/* Remove the state dir and drop the lock. */
void state_remove(struct container_state *state);

/* Close the dir's fds without removing anything. */
void state_close(struct container_state *state);

/* Remove what dead containers left (cgroups, state dirs), printing one line
 * on stderr for each. Returns how many were removed. */
int state_gc(const char *root, mb_error *err);

#if MB_STEP >= 8
/* The exit policy, for a container that ended and for one whose minibox
 * died: `keep` (its record outlives the run: an image container's layer
 * for commit, from chapter 9 whatever the daemon ran) drops only the
 * runtime files (lock, cgroups, network files, pid); else the dir goes. */
void state_end(struct container_state *state, bool keep);

/* Open a container's dir by id, id prefix (4 or more digits) or name. */
int state_open(const char *root, const char *ref, struct container_state *state, mb_error *err);

/* Is a name already taken by a container under root? */
bool state_name_taken(const char *root, const char *name);

/* Is its minibox alive (the lock is held by someone)? */
bool state_running(const struct container_state *state);

/* Its container.json (NULL if there is none); the caller json_decref()s. */
json_t *state_record(const struct container_state *state);
#endif

#if MB_STEP >= 9
/* The host pid of the container's PID 1, for stop and kill (0 if none). */
int state_pid_write(const struct container_state *state, pid_t pid, mb_error *err);
pid_t state_pid(const struct container_state *state);

/* -d: stdin from /dev/null, stdout and stderr to its log. */
int state_log_redirect(const struct container_state *state, mb_error *err);

/* The log, open for reading (-1 with err when there is none). */
int state_log_open(const struct container_state *state, mb_error *err);

/* How it ended, for ps and inspect: the exit status and whether the OOM
 * killer did it; and reading that back (NULL: not recorded). */
int state_status_write(const struct container_state *state, int status, bool oom, mb_error *err);
json_t *state_status(const struct container_state *state);
#endif

#if MB_STEP >= 10
/* Open the dir of the container called exactly `id` (an OCI runtime's
 * id: no prefix, no name); "container ID does not exist" when none. */
int state_open_id(const char *root, const char *id, struct container_state *state, mb_error *err);

/* The cgroup dirs a running container recorded (for exec to join). */
int state_load_cgroups(const struct container_state *state, struct container_cgroup *cg,
                       mb_error *err);
#endif

#endif
