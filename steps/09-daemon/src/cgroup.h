/*
 * cgroup.h - the container's own cgroup: created before the container,
 * limits written, joined by the container's first process, read for OOM
 * kills, removed when the container ends (chapter 5).
 */
#ifndef MB_CGROUP_H
#define MB_CGROUP_H

#include <limits.h>
#include <sys/types.h>

#include "cgroup_layout.h"
#include "error.h"
#include "resource_limits.h"

/* One per controller, and a v2 dir for the device program. */
#define CGROUP_MAX_DIRS (CG_N_CONTROLLERS + 1)

/* One directory per distinct hierarchy: on v2 a single one, on v1 one for
 * memory, one for cpu, one for pids (fewer when co-mounted). */
struct container_cgroup {
    int n_dirs;
    struct {
        int version;
        char path[PATH_MAX]; /* the container's cgroup */
        char top[PATH_MAX];  /* the highest cgroup above it that minibox manages */
    } dirs[CGROUP_MAX_DIRS];
    int dir_of[CG_N_CONTROLLERS]; /* index into dirs, or -1 */
};

/* Plan <parent>/minibox-<id> in every hierarchy holding memory, cpu or
 * pids. `parent` is a path inside each hierarchy, or NULL for the default:
 * /minibox at the hierarchy's root for root, and for a normal user (chapter
 * 6) below the top of the subtree delegated to them. A limit the host
 * cannot enforce is an error naming the controller and the fix. Nothing is
 * made yet: the caller records the paths first, so a crash can never leave
 * a cgroup nobody knows of. */
int cgroup_plan(const struct cgroup_layout *layout, const char *id, const char *parent,
                const struct limits *limits, struct container_cgroup *cg, mb_error *err);

/* Make the planned dirs (and the cgroups above them that are missing, with
 * the controllers enabled all the way down on v2) and write the limits;
 * nothing but the parents is left on failure. A v2 dir whose parent holds
 * processes is dropped when no limit needs it. */
int cgroup_create(const struct cgroup_layout *layout, const struct limits *limits,
                  struct container_cgroup *cg, mb_error *err);

/* In the container's first process: move this process into every dir (but
 * the v2 one when clone3 put it there already). */
int cgroup_join_self(const struct container_cgroup *cg, int skip_v2, mb_error *err);

/* In the parent: move process `pid` into every dir. */
int cgroup_add_process(const struct container_cgroup *cg, pid_t pid, int skip_v2, mb_error *err);

/* An O_PATH fd of the v2 dir, for clone3(CLONE_INTO_CGROUP); -1 if none. */
int cgroup_open_v2_dir(const struct container_cgroup *cg);

/* How many times the OOM killer killed a process in the memory cgroup. */
long cgroup_oom_kills(const struct container_cgroup *cg);

/* Kill what is left inside and remove every dir. */
int cgroup_destroy(const struct container_cgroup *cg, mb_error *err);

/* The same for a single dir path (used by gc, which only has the paths). */
int cgroup_destroy_dir(const char *path, int version, mb_error *err);

#endif
