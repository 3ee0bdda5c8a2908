/*
 * cgroup.h - the container's own cgroup: created before the container,
 * limits written, joined by the container's first process, read for OOM
 * kills, removed when the container ends (chapter 5).
 */
#ifndef MB_CGROUP_H
#define MB_CGROUP_H

#include "mb_step.h"

#include <limits.h>
#include <sys/types.h>

#include "cgroup_layout.h"
#include "error.h"
#include "resource_limits.h"
#if MB_STEP >= 10
#include "cgroup_systemd.h"
#endif

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
#if MB_STEP >= 10
    char spec_path[PATH_MAX];   /* an OCI config's cgroupsPath; "" for minibox-<id> */
    bool by_systemd;            /* its units are systemd's (cgroup_systemd.h) */
    struct systemd_units units; /* then: the slice and the scope */
#endif
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

#if MB_STEP >= 6
/* In the parent: move process `pid` into every dir. */
int cgroup_add_process(const struct container_cgroup *cg, pid_t pid, int skip_v2, mb_error *err);
#endif

/* An O_PATH fd of the v2 dir, for clone3(CLONE_INTO_CGROUP); -1 if none. */
int cgroup_open_v2_dir(const struct container_cgroup *cg);

/* How many times the OOM killer killed a process in the memory cgroup. */
long cgroup_oom_kills(const struct container_cgroup *cg);

/* Kill what is left inside and remove every dir. */
int cgroup_destroy(const struct container_cgroup *cg, mb_error *err);

/* The same for a single dir path (used by gc, which only has the paths). */
int cgroup_destroy_dir(const char *path, int version, mb_error *err);

#if MB_STEP >= 10
#include <stdbool.h>

/* An OCI config's cgroup: `path` (linux.cgroupsPath: absolute in each
 * hierarchy, or relative to our own cgroup, on v2 to its parent) in every hierarchy this host
 * has, as runc places a container; its missing parents are made by
 * cgroup_create and stay when it is removed. */
int cgroup_plan_path(const struct cgroup_layout *layout, const char *path,
                     const struct limits *limits, struct container_cgroup *cg, mb_error *err);

/* Write the limits of a running container again (the OCI `update`). */
int cgroup_update(const struct container_cgroup *cg, const struct limits *limits, mb_error *err);

/* Every process of the container at once: pause, resume (the v1 freezer,
 * else v2's cgroup.freeze), and whether it is frozen. Returns once the
 * kernel says the whole cgroup is FROZEN or THAWED. */
int cgroup_freeze(const struct container_cgroup *cg, bool frozen, mb_error *err);
bool cgroup_frozen(const struct container_cgroup *cg);

/* The host pids of every process in the container's cgroup (heap). */
int cgroup_pids(const struct container_cgroup *cg, pid_t **pids, size_t *n, mb_error *err);

/* Send sig to every process in the container's cgroup. */
int cgroup_signal_all(const struct container_cgroup *cg, int sig, mb_error *err);

/* The dirs and which controller is in which, for an OCI container's state
 * file (its verbs run in later processes). */
#include <jansson.h>
json_t *cgroup_to_json(const struct container_cgroup *cg);
int cgroup_from_json(json_t *json, struct container_cgroup *cg, mb_error *err);

/* The cgroup manager of this run: `asked`, or for auto, systemd where it
 * runs a cgroup v2 host and this process can reach it (the choice Docker
 * and Podman make), cgroupfs elsewhere. --cgroup-parent is a cgroupfs path. */
int cgroup_manager_choose(enum cgroup_manager asked, const struct cgroup_layout *layout,
                          const char *cgroup_parent, enum cgroup_manager *chosen, mb_error *err);

/* cgroup_plan for the systemd driver: the units and the scope's cgroup (the
 * one dir). cgroup_create then starts the slice; the scope needs the
 * container's process: cgroup_place_by_systemd. */
int cgroup_plan_systemd(const struct cgroup_layout *layout, const char *id,
                        const struct limits *limits, struct container_cgroup *cg, mb_error *err);

/* Start the container's scope with `pid` in it, and check that its limits
 * are in the kernel's files (a limit systemd could not apply is an error). */
int cgroup_place_by_systemd(const struct container_cgroup *cg, pid_t pid,
                            const struct limits *limits, mb_error *err);
#endif

#endif
