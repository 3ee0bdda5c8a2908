/*
 * oci_cgroup.h - the cgroup of an OCI container: linux.cgroupsPath in every
 * hierarchy the host mounts, linux.resources written into it, frozen for
 * pause, removed by delete (chapter 10).
 *
 * minibox's own containers use only memory, cpu and pids (chapter 5). An
 * OCI runtime needs more: the freezer for pause, the devices controller
 * that Podman's default rule set ("deny all, allow the usual") speaks to.
 */
#ifndef MB_OCI_CGROUP_H
#define MB_OCI_CGROUP_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define OCI_CGROUP_MAX_DIRS 12

struct oci_cgroup {
    int n_dirs;
    struct {
        int version;          /* 1 or 2 */
        char controllers[64]; /* v1: "memory", "cpu,cpuacct"...; v2: "" */
        char path[PATH_MAX];  /* the container's dir on the host */
    } dirs[OCI_CGROUP_MAX_DIRS];
};

/* The cgroup path inside each hierarchy: linux.cgroupsPath as given, or with
 * --systemd-cgroup "slice:prefix:name" as "/slice/prefix-name.scope" (what
 * systemd would make, placed by hand under cgroupfs). Empty: /minibox-<id>. */
int oci_cgroup_path(const char *cgroups_path, bool systemd, const char *id, char *out, size_t len,
                    mb_error *err);

/* Fill cg with <mount>/<path> for every hierarchy on this host. Nothing is
 * made yet: the caller records the paths first. */
int oci_cgroup_plan(const char *path, struct oci_cgroup *cg, mb_error *err);

/* Make the dirs and write linux.resources (may be NULL); on failure nothing
 * made is left. */
int oci_cgroup_create(const struct oci_cgroup *cg, json_t *resources, mb_error *err);

/* Move process `pid` (0: the caller) into every dir. */
int oci_cgroup_join(const struct oci_cgroup *cg, pid_t pid, mb_error *err);

/* Send `sig` to every process in the container's cgroup. */
int oci_cgroup_signal_all(const struct oci_cgroup *cg, int sig, mb_error *err);

/* pause/resume: the v1 freezer, else cgroup.freeze of v2. */
int oci_cgroup_freeze(const struct oci_cgroup *cg, bool frozen, mb_error *err);
bool oci_cgroup_frozen(const struct oci_cgroup *cg);

/* Kill what is left inside and remove every dir. */
int oci_cgroup_destroy(const struct oci_cgroup *cg, mb_error *err);

/* To and from the state file: [{"version":1,"controllers":"..","path":".."}]. */
json_t *oci_cgroup_to_json(const struct oci_cgroup *cg);
int oci_cgroup_from_json(json_t *array, struct oci_cgroup *cg, mb_error *err);

#endif
