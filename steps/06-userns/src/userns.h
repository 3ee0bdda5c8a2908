/*
 * userns.h - user namespaces and rootless runs (chapter 6).
 *
 * A user namespace maps user and group ids: uid 0 inside can be an
 * unprivileged uid outside. The container's processes then hold every
 * capability, but only over objects their namespaces own; on the host they
 * are the mapped uid and nothing more.
 */
#ifndef MB_USERNS_H
#define MB_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

enum userns_mode {
    USERNS_HOST,     /* root, no --userns: share the host's ids (chapters 1-5) */
    USERNS_AUTO,     /* root, --userns=auto: a subordinate range */
    USERNS_ROOTLESS, /* a normal user: always in a user namespace */
};

#define USERNS_MAX_RANGES 2 /* the user itself, and its subordinate range */

/* One line of uid_map/gid_map: `count` ids from `inside` map to `outside`. */
struct id_range {
    unsigned long inside, outside, count;
};

/* The mapping a container gets, decided in the parent before clone. */
struct userns_plan {
    enum userns_mode mode;
    struct id_range uids[USERNS_MAX_RANGES], gids[USERNS_MAX_RANGES];
    int n_uids, n_gids;
    bool use_helpers; /* newuidmap/newgidmap (setuid helpers) write the maps */
};

/* Pure: the subordinate range of `user` (or of the numeric `uid`) in the
 * text of /etc/subuid or /etc/subgid ("name:start:count" lines). Returns 0,
 * or -1 when the user has none. */
int subid_find(const char *text, const char *user, unsigned long uid, unsigned long *start,
               unsigned long *count);

/* Decide the mapping: `auto_requested` is --userns=auto. */
int userns_plan_make(bool auto_requested, struct userns_plan *plan, mb_error *err);

/* Parent: write the maps of the child `pid`. */
int userns_write_maps(pid_t pid, const struct userns_plan *plan, mb_error *err);

/* Child, once mapped: become root of the namespace. */
int userns_become_root(const struct userns_plan *plan, mb_error *err);

/* Turn a clone(CLONE_NEWUSER) failure into the cause and the fix. */
int userns_clone_failed(int errnum, mb_error *err);

#endif
