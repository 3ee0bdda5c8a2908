/*
 * cgroup_systemd.h - the systemd cgroup driver (full engine): a container's
 * cgroup asked of systemd over D-Bus instead of made by hand.
 *
 * On a host where systemd runs the cgroup v2 hierarchy it owns the tree:
 * every cgroup belongs to a unit, and a cgroup made behind its back is one
 * it neither knows nor accounts. Docker (on v2), Podman, runc and crun
 * therefore ask systemd for a transient scope unit holding the container's
 * first process, with Delegate=yes (the inside is the container's) and the
 * limits as unit properties (MemoryMax, CPUQuotaPerSecUSec, TasksMax), which
 * systemd writes and keeps. minibox does the same, with one more unit:
 *
 *   minibox.slice/minibox-<id>.slice/minibox-<id>.scope
 *
 * systemd removes a scope's cgroup as soon as its last process exits, often
 * before minibox has reaped the container and read its OOM counter; the
 * per-container slice around it stays until minibox stops it, and its
 * memory.events counts the scope's OOM kills too (v2 events are
 * hierarchical).
 *
 * Root asks the system manager (its private socket, /run/systemd/private,
 * as systemctl does, so no D-Bus daemon is needed); a normal user asks their
 * own user manager (user@UID.service, at $XDG_RUNTIME_DIR/systemd/private),
 * which owns the subtree systemd delegated to them: that is how a rootless
 * container gets limits from a login shell whose own cgroup
 * (session-N.scope) is root's. (To move a process from the session into its
 * subtree, the user manager asks the system manager over the system bus,
 * so rootless placement needs the D-Bus daemon, as rootless Podman does.)
 */
#ifndef MB_CGROUP_SYSTEMD_H
#define MB_CGROUP_SYSTEMD_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "resource_limits.h"

/* --cgroup-manager, as Podman names it. */
enum cgroup_manager {
    CGROUP_MANAGER_AUTO,     /* systemd where it runs cgroup v2, else cgroupfs */
    CGROUP_MANAGER_CGROUPFS, /* minibox writes the cgroup files itself (chapter 5) */
    CGROUP_MANAGER_SYSTEMD,  /* systemd makes a scope for each container */
};

int cgroup_manager_parse(const char *text, enum cgroup_manager *out, mb_error *err);
const char *cgroup_manager_name(enum cgroup_manager manager);

/* Can this process ask systemd for cgroups: does systemd run as init (and,
 * for a normal user, their user manager answer on its socket)? 0, or -1
 * with why not and the fix. */
int systemd_reachable(mb_error *err);

/* The cgroup that the manager this process talks to owns, below the cgroup2
 * mount: "" for the system manager, /user.slice/user-UID.slice/user@UID.service
 * for a user's. */
int systemd_manager_cgroup(char *out, size_t len, mb_error *err);

/* One container's units. */
struct systemd_units {
    bool user;                /* placed by the user's manager (rootless) */
    char slice[96];           /* minibox-<id>.slice */
    char scope[96];           /* minibox-<id>.scope, in the slice */
    char slice_dir[PATH_MAX]; /* the slice's cgroup dir */
};

/* Name the units of container `id` and their cgroup below v2_mount. */
int systemd_units_plan(const char *v2_mount, const char *id, struct systemd_units *u,
                       mb_error *err);

/* Start the slice (no process yet: it only holds the scope). */
int systemd_start_slice(const struct systemd_units *u, mb_error *err);

/* Start the scope with process `pid` in it, Delegate=yes and the limits as
 * unit properties; returns once systemd has moved the process (the job is
 * done). */
int systemd_start_scope(const struct systemd_units *u, pid_t pid, const struct limits *limits,
                        mb_error *err);

/* Stop a unit of this manager (user: the caller's) and wait until it is
 * gone, cgroup included; a unit that is not there is not an error. */
int systemd_stop_unit(bool user, const char *unit, mb_error *err);

#endif
