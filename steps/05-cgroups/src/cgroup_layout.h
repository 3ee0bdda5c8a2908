/*
 * cgroup_layout.h - where each cgroup controller lives on this host
 * (chapter 5).
 *
 * Three layouts exist in the wild:
 *   v2      one unified hierarchy (cgroup2) holds every controller;
 *   v1      one hierarchy per controller (or a few co-mounted), type cgroup;
 *   hybrid  v1 hierarchies plus a cgroup2 mount holding some controllers
 *           (systemd's "unified" mount, often with none or only hugetlb).
 * minibox takes each controller from wherever it is mounted, so all three
 * work. Some runtimes look only at /sys/fs/cgroup's type and refuse hybrid.
 */
#ifndef MB_CGROUP_LAYOUT_H
#define MB_CGROUP_LAYOUT_H

#include <limits.h>

#include "error.h"

/* devices exists on v1 only: on v2 a device program takes its place
 * (cgroup_devices.c), so no cgroup.controllers file ever lists it. The
 * full engine places an OCI container in the other hierarchies too (pause
 * needs the freezer, a config may limit cpusets, block I/O, huge pages); on
 * v2 the freezer is every cgroup's own cgroup.freeze. */
enum cgroup_controller {
    CG_MEMORY,
    CG_CPU,
    CG_PIDS,
    CG_DEVICES,
    CG_N_CONTROLLERS
};

extern const char *const cgroup_controller_names[CG_N_CONTROLLERS];

/* Where one controller lives, and this process's cgroup in it. */
struct cgroup_hierarchy {
    int version;          /* 1 or 2; 0 when the controller is not available */
    char mount[PATH_MAX]; /* mount point, e.g. /sys/fs/cgroup/memory */
    char own[PATH_MAX];   /* our cgroup below the mount, e.g. /user.slice; "/" at the root */
};

struct cgroup_layout {
    const char *name; /* "v1", "v2", "hybrid" or "none" */
    struct cgroup_hierarchy controllers[CG_N_CONTROLLERS];
    char v2_mount[PATH_MAX]; /* "" when there is no cgroup2 mount */
    char v2_own[PATH_MAX];
};

/* Pure: build the layout from the text of /proc/self/mountinfo, of
 * /proc/self/cgroup, and of the cgroup.controllers file at the root of the
 * cgroup2 mount ("" when there is none). */
int cgroup_layout_parse(const char *mountinfo, const char *self_cgroup, const char *v2_controllers,
                        struct cgroup_layout *layout, mb_error *err);

/* Read the three files of this process and parse them. */
int cgroup_layout_detect(struct cgroup_layout *layout, mb_error *err);

#endif
