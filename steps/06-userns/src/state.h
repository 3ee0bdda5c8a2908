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

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

struct container_state {
    char dir[PATH_MAX]; /* <root>/containers/<id>; "" when there is none */
    int fd;             /* the directory (O_DIRECTORY), or -1 */
    int lock_fd;        /* held while its minibox runs it; -1 otherwise */
};

/* A normal user's state root may sit in a shared place (/tmp/minibox-UID,
 * without XDG_RUNTIME_DIR): another user could have made it first, as a dir
 * they can write or a symlink to one of theirs, and whoever controls it
 * controls what minibox cleans up there (gc), the seccomp programs it loads
 * from it and where its files go. main() calls this before any verb uses
 * the root: it makes it (0700) when missing and refuses anything but a
 * directory of the caller's own that others cannot write. Root: nothing. */
int state_root_check(const char *root, mb_error *err);

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

#endif
