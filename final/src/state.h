/*
 * state.h - what a running container leaves on disk so that another
 * minibox can tell it is alive, and clean up after it if minibox was killed
 * (chapter 5).
 *
 *   <root>/containers/<id>/lock     held (flock) by the minibox running it
 *   <root>/containers/<id>/cgroups  "<version> <path>" of each cgroup dir
 *
 * The lock is the liveness test: the kernel drops a flock when its holder
 * dies, even by SIGKILL, so a lock that can be taken means a dead owner.
 */
#ifndef MB_STATE_H
#define MB_STATE_H

#include "mb_step.h"

#include <limits.h>

#include "cgroup.h"
#include "error.h"

struct container_state {
    char dir[PATH_MAX];
    int lock_fd; /* -1 when no state was made */
};

/* Make the container's state dir and hold its lock. */
int state_create(const char *root, const char *id, struct container_state *state, mb_error *err);

/* Record the cgroup dirs before they are made, so a crash leaves a trail. */
int state_record_cgroups(const struct container_state *state, const struct container_cgroup *cg,
                         mb_error *err);

#if MB_STEP >= 8
/* Remove only the runtime files (lock, cgroups, network files), keeping an
 * image container's record and writable layer. */
void state_remove_runtime(struct container_state *state);
#endif

#if MB_STEP >= 10
/* The cgroup dirs a running container recorded (for exec to join). */
int state_load_cgroups(const char *dir, struct container_cgroup *cg, mb_error *err);
#endif

/* Remove the state dir and drop the lock. */
void state_remove(struct container_state *state);

/* Remove what dead containers left (cgroups, state dirs), printing one line
 * on stderr for each. Returns how many were removed. */
int state_gc(const char *root, mb_error *err);

#endif
