/*
 * cgroup.c - see cgroup.h.
 *
 * The files minibox writes, v2 and v1 side by side:
 *
 *   limit        cgroup v2                     cgroup v1
 *   memory       memory.max                    memory.limit_in_bytes
 *   no swap      memory.swap.max = 0           memory.memsw.limit_in_bytes = limit
 *   cpu          cpu.max = "QUOTA PERIOD"      cpu.cfs_quota_us, cpu.cfs_period_us
 *   pids         pids.max                      pids.max
 *   OOM kills    memory.events: oom_kill N     memory.oom_control: oom_kill N
 *   join         cgroup.procs                  cgroup.procs
 *   kill all     cgroup.kill (5.14+)           SIGKILL each pid in cgroup.procs
 */
#include "mb_step.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

static int write_knob(const char *dir, const char *file, const char *value, mb_error *err)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    return write_file_at(AT_FDCWD, path, value, err);
}

static int knob_exists(const char *dir, const char *file)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    return access(path, F_OK) == 0;
}

/* Why a controller cannot be used, and how to get it. */
static int controller_missing(const struct cgroup_layout *layout, int c, mb_error *err)
{
    const char *name = cgroup_controller_names[c];

    if (strcmp(layout->name, "v2") == 0)
        return mb_fail(err, 0,
                       "%s controller not available: cgroup v2 has not delegated '%s' to %s%s "
                       "(fix: run as root, or under a cgroup with it delegated: "
                       "systemd-run --scope -p Delegate=yes ...)",
                       name, name, layout->v2_mount, layout->v2_own);
    return mb_fail(err, 0,
                   "%s controller not available: no cgroup v1 hierarchy holds it%s "
                   "(fix: mount it, or enable it in the kernel; see 'minibox info')",
                   name, layout->v2_mount[0] ? " and the cgroup v2 mount does not offer it" : "");
}

static int limit_requested(const struct limits *limits, int c)
{
#if MB_STEP >= 10
    const struct limits_spec *s = &limits->spec;

    if ((c == CG_MEMORY && (s->memory_swap > 0 || s->memory_reservation > 0)) ||
        (c == CG_CPU && s->cpu_shares) || (c == CG_CPUSET && (s->cpus || s->mems)) ||
        (c == CG_BLKIO && (s->blkio_weight || s->n_throttles)) || (c == CG_HUGETLB && s->n_hugetlb))
        return 1;
#endif
    return (c == CG_MEMORY && limits->memory_bytes) || (c == CG_CPU && limits->cpu_quota_us) ||
           (c == CG_PIDS && limits->pids_max);
}

/* v2 only lets a child use a controller that its parent has enabled in
 * cgroup.subtree_control. */
static int v2_enable_controller(const char *parent, const char *name, mb_error *err)
{
    char add[32];
    int ret;

    snprintf(add, sizeof(add), "+%s", name);
    ret = write_knob(parent, "cgroup.subtree_control", add, err);
#if MB_STEP >= 6
    if (ret < 0 && (errno == EACCES || errno == EPERM) && geteuid() != 0)
        return mb_fail(err, 0,
                       "%s limit: cgroup %s is not delegated to uid %u (fix: run minibox inside "
                       "a delegated cgroup, e.g. systemd-run --user -p Delegate=yes, and pass "
                       "an empty child of it as --cgroup-parent)",
                       name, parent, (unsigned)geteuid());
#endif
    if (ret < 0 && errno == EBUSY)
        return mb_fail(err, 0,
                       "%s controller: cannot enable it below %s, which holds processes "
                       "(cgroup v2's no-internal-process rule; fix: --cgroup-parent with an "
                       "empty delegated cgroup)",
                       name, parent);
    /* ENOENT: the parent was not handed the controller by its own parent
     * (it is missing from its cgroup.controllers). */
    if (ret < 0 && errno == ENOENT)
        return mb_fail(err, 0,
                       "%s controller: %s does not have it to give (fix: enable it in the "
                       "cgroup.subtree_control of each cgroup above, or --cgroup-parent with "
                       "an empty delegated cgroup that has it)",
                       name, parent);
    return ret;
}

#if MB_SOLUTION_05
/* Is any swap device or file in use? (/proc/swaps has a header line.) */
static int swap_active(void)
{
    cleanup_free char *text = NULL;
    mb_error ignored;
    char *nl;

    if (read_file_at(AT_FDCWD, "/proc/swaps", &text, NULL, &ignored) < 0)
        return 0;
    nl = strchr(text, '\n');
    return nl != NULL && nl[1] != '\0';
}

static int write_memory_limit(const char *dir, int version, uint64_t bytes, mb_error *err)
{
    char value[32];
    int ret;

    snprintf(value, sizeof(value), "%llu", (unsigned long long)bytes);
    if (version == 2) {
        ret = write_knob(dir, "memory.max", value, err);
        /* Without this the container could page out to swap and use
         * memory beyond its limit. */
        if (ret == 0 && knob_exists(dir, "memory.swap.max"))
            ret = write_knob(dir, "memory.swap.max", "0", err);
        else if (ret == 0 && swap_active())
            return mb_fail(err, 0,
                           "memory limit: swap is on but memory.swap.max is missing, so the "
                           "container could swap past its limit (fix: CONFIG_MEMCG_SWAP, or "
                           "swapoff -a)");
        return ret;
    }
    ret = write_knob(dir, "memory.limit_in_bytes", value, err);
    if (ret == 0 && knob_exists(dir, "memory.memsw.limit_in_bytes"))
        ret = write_knob(dir, "memory.memsw.limit_in_bytes", value, err);
    else if (ret == 0 && swap_active())
        return mb_fail(err, 0,
                       "memory limit: swap is on but not accounted, so the container could swap "
                       "past its limit (fix: boot with swapaccount=1, or swapoff -a)");
    return ret;
}

static int write_cpu_limit(const char *dir, int version, long quota_us, mb_error *err)
{
    char value[64];
    int ret;

    if (version == 2) {
        snprintf(value, sizeof(value), "%ld %d", quota_us, CPU_PERIOD_US);
        return write_knob(dir, "cpu.max", value, err);
    }
    snprintf(value, sizeof(value), "%d", CPU_PERIOD_US);
    ret = write_knob(dir, "cpu.cfs_period_us", value, err);
    if (ret < 0)
        return ret;
    snprintf(value, sizeof(value), "%ld", quota_us);
    return write_knob(dir, "cpu.cfs_quota_us", value, err);
}

#if MB_STEP >= 10
/* A number into a knob of the dir controller c lives in; "max" for -1. */
static int write_number(const struct container_cgroup *cg, int c, const char *file, int64_t n,
                        mb_error *err)
{
    char value[32];
    int d = cg->dir_of[c];

    if (d < 0)
        return mb_fail(err, 0, "%s: this host has no %s controller for the container", file,
                       cgroup_controller_names[c]);
    if (n < 0)
        snprintf(value, sizeof(value), "%s", cg->dirs[d].version == 1 ? "-1" : "max");
    else
        snprintf(value, sizeof(value), "%lld", (long long)n);
    return write_knob(cg->dirs[d].path, file, value, err);
}

/* The version of the dir controller c lives in (0: none). */
static int version_of(const struct container_cgroup *cg, int c)
{
    return cg->dir_of[c] < 0 ? 0 : cg->dirs[cg->dir_of[c]].version;
}

/* linux.resources.memory beyond the limit, the v1 and v2 spellings. */
static int write_memory_spec(const struct container_cgroup *cg, const struct limits *l,
                             mb_error *err)
{
    const struct limits_spec *s = &l->spec;
    int v = version_of(cg, CG_MEMORY), ret = 0;

    if (s->memory_reservation)
        ret = write_number(cg, CG_MEMORY, v == 1 ? "memory.soft_limit_in_bytes" : "memory.low",
                           s->memory_reservation, err);
    /* v1 counts memory + swap, v2 the swap alone. */
    if (ret == 0 && s->memory_swap && v == 1)
        ret = write_number(cg, CG_MEMORY, "memory.memsw.limit_in_bytes", s->memory_swap, err);
    if (ret == 0 && s->memory_swap && v == 2)
        ret = write_number(cg, CG_MEMORY, "memory.swap.max",
                           s->memory_swap < 0 || l->memory_bytes == 0
                               ? -1
                               : s->memory_swap - (int64_t)l->memory_bytes,
                           err);
    if (ret == 0 && s->memory_swappiness >= 0 && v == 1)
        ret = write_number(cg, CG_MEMORY, "memory.swappiness", s->memory_swappiness, err);
    if (ret == 0 && s->disable_oom_killer && v == 1)
        ret = write_number(cg, CG_MEMORY, "memory.oom_control", 1, err);
    return ret;
}

static int write_cpu_spec(const struct container_cgroup *cg, const struct limits *l, mb_error *err)
{
    const struct limits_spec *s = &l->spec;
    int v = version_of(cg, CG_CPU), ret = 0;
    char value[64];

    /* runc's mapping of shares [2, 262144] onto v2's weight [1, 10000]. */
    if (s->cpu_shares)
        ret = v == 1 ? write_number(cg, CG_CPU, "cpu.shares", (int64_t)s->cpu_shares, err)
                     : write_number(cg, CG_CPU, "cpu.weight",
                                    1 + (((int64_t)s->cpu_shares - 2) * 9999) / 262142, err);
    if (ret == 0 && (l->cpu_quota_us || s->cpu_period) && v == 1) {
        if (s->cpu_period)
            ret = write_number(cg, CG_CPU, "cpu.cfs_period_us", (int64_t)s->cpu_period, err);
        if (ret == 0 && l->cpu_quota_us)
            ret = write_number(cg, CG_CPU, "cpu.cfs_quota_us", l->cpu_quota_us, err);
    } else if (ret == 0 && (l->cpu_quota_us || s->cpu_period) && v == 2) {
        if (l->cpu_quota_us > 0)
            snprintf(value, sizeof(value), "%ld %llu", l->cpu_quota_us,
                     (unsigned long long)(s->cpu_period ? s->cpu_period : CPU_PERIOD_US));
        else
            snprintf(value, sizeof(value), "max %llu",
                     (unsigned long long)(s->cpu_period ? s->cpu_period : CPU_PERIOD_US));
        ret = write_knob(cg->dirs[cg->dir_of[CG_CPU]].path, "cpu.max", value, err);
    }
    if (ret == 0 && s->cpus)
        ret = write_knob(cg->dirs[cg->dir_of[CG_CPUSET]].path, "cpuset.cpus", s->cpus, err);
    if (ret == 0 && s->mems)
        ret = write_knob(cg->dirs[cg->dir_of[CG_CPUSET]].path, "cpuset.mems", s->mems, err);
    return ret;
}

static int write_blkio_hugetlb(const struct container_cgroup *cg, const struct limits_spec *s,
                               mb_error *err)
{
    int v = version_of(cg, CG_BLKIO), ret = 0;
    char value[96], file[64];

    if (s->blkio_weight) {
        snprintf(value, sizeof(value), v == 1 ? "%u" : "default %u", s->blkio_weight);
        ret = write_knob(cg->dirs[cg->dir_of[CG_BLKIO]].path,
                         v == 1 ? "blkio.weight" : "io.bfq.weight", value, err);
    }
    for (size_t i = 0; ret == 0 && i < s->n_throttles; i++) {
        const struct blkio_throttle *t = &s->throttles[i];

        if (v == 1)
            snprintf(value, sizeof(value), "%lu:%lu %llu", t->major, t->minor,
                     (unsigned long long)t->rate);
        else
            snprintf(value, sizeof(value), "%lu:%lu %s=%llu", t->major, t->minor, t->key,
                     (unsigned long long)t->rate);
        ret = write_knob(cg->dirs[cg->dir_of[CG_BLKIO]].path, v == 1 ? t->file : "io.max", value,
                         err);
    }
    for (size_t i = 0; ret == 0 && i < s->n_hugetlb; i++) {
        snprintf(file, sizeof(file), "hugetlb.%s.%s", s->hugetlb[i].page_size,
                 version_of(cg, CG_HUGETLB) == 1 ? "limit_in_bytes" : "max");
        ret = write_number(cg, CG_HUGETLB, file, (int64_t)s->hugetlb[i].bytes, err);
    }
    return ret;
}
#endif

static int write_limits(const struct container_cgroup *cg, const struct limits *limits,
                        mb_error *err)
{
    char value[32];
    int ret = 0, d;

#if MB_STEP >= 10
    /* An OCI config's memory and swap are as it says (runc's way); run's
     * --memory takes no swap (chapter 5). */
    if (limits->spec.given && limits->memory_bytes)
        ret = write_number(cg, CG_MEMORY,
                           version_of(cg, CG_MEMORY) == 1 ? "memory.limit_in_bytes" : "memory.max",
                           (int64_t)limits->memory_bytes, err);
    if (ret == 0 && limits->spec.given)
        ret = write_memory_spec(cg, limits, err);
    if (ret == 0 && limits->spec.given)
        ret = write_cpu_spec(cg, limits, err);
    if (ret == 0 && limits->spec.given)
        ret = write_blkio_hugetlb(cg, &limits->spec, err);
    if (ret == 0 && limits->spec.given && limits->pids_max)
        ret = write_number(cg, CG_PIDS, "pids.max", limits->pids_max, err);
    if (limits->spec.given)
        return ret;
#endif
    if (limits->memory_bytes && (d = cg->dir_of[CG_MEMORY]) >= 0)
        ret = write_memory_limit(cg->dirs[d].path, cg->dirs[d].version, limits->memory_bytes, err);
    if (ret == 0 && limits->cpu_quota_us && (d = cg->dir_of[CG_CPU]) >= 0)
        ret = write_cpu_limit(cg->dirs[d].path, cg->dirs[d].version, limits->cpu_quota_us, err);
    if (ret == 0 && limits->pids_max && (d = cg->dir_of[CG_PIDS]) >= 0) {
        snprintf(value, sizeof(value), "%ld", limits->pids_max);
        ret = write_knob(cg->dirs[d].path, "pids.max", value, err);
    }
    return ret;
}
#else
static int write_limits(const struct container_cgroup *cg, const struct limits *limits,
                        mb_error *err)
{
    /* TODO(05): write each requested limit into the container's dir of that controller
     * (cg->dir_of[CG_MEMORY] indexes cg->dirs: path, version), with write_knob:
     *   memory (limits->memory_bytes): v2 memory.max, and memory.swap.max = 0 where it exists;
     *     v1 memory.limit_in_bytes first, then memory.memsw.limit_in_bytes = the same; where
     *     swap is on but not accounted, refuse (the container could swap past its limit);
     *   cpu (limits->cpu_quota_us per CPU_PERIOD_US): v2 cpu.max = "QUOTA PERIOD"; v1
     *     cpu.cfs_period_us, then cpu.cfs_quota_us;
     *   pids (limits->pids_max): pids.max.
     * docs/05-cgroups.md#the-files-minibox-writes-and-why */
    (void)cg;
    if (!limits->memory_bytes && !limits->cpu_quota_us && !limits->pids_max)
        return 0; /* nothing asked: nothing to write */
    return mb_todo(err, "05");
}
#endif

/* Find or add the dir for controller c's hierarchy; -1 when its path does
 * not fit in PATH_MAX. */
static int cgroup_plan_dir(struct container_cgroup *cg, const struct cgroup_hierarchy *h,
                           const char *parent, const char *id, mb_error *err)
{
    const char *base = parent ? parent : h->own, *prefix = "/minibox-", *name = id;
    char path[PATH_MAX];

#if MB_STEP >= 10
    /* An OCI config names the path: absolute in the hierarchy, or relative
     * to our own cgroup in it. */
    if (cg->spec_path[0] != '\0') {
        base = cg->spec_path[0] == '/' ? "/" : h->own;
        prefix = cg->spec_path[0] == '/' ? "" : "/";
        name = cg->spec_path;
    }
#endif
    if (path_format(path, sizeof(path), err, "%s%s%s%s", h->mount,
                    strcmp(base, "/") == 0 ? "" : base, prefix, name) < 0)
        return -1;
    for (int d = 0; d < cg->n_dirs; d++)
        if (strcmp(cg->dirs[d].path, path) == 0)
            return d;
    cg->dirs[cg->n_dirs].version = h->version;
    memcpy(cg->dirs[cg->n_dirs].path, path, sizeof(path));
    return cg->n_dirs++;
}

/* The index of the v2 dir, or -1. */
static int v2_dir(const struct container_cgroup *cg)
{
    for (int d = 0; d < cg->n_dirs; d++)
        if (cg->dirs[d].version == 2)
            return d;
    return -1;
}

/* Does the device allowlist go into the v2 dir? It goes into v1's devices
 * hierarchy when the host has one, else it is a program attached to the v2
 * dir (cgroup_devices.c). A normal user's container gets none (container.c
 * says why), so it needs no dir for it. */
static int v2_dir_holds_devices(const struct container_cgroup *cg)
{
#if MB_STEP >= 6
    if (geteuid() != 0)
        return 0;
#endif
    return cg->dir_of[CG_DEVICES] < 0;
}

/* Drop a planned dir (v2 without a usable subtree and no limit asked). */
static void cgroup_drop_dir(struct container_cgroup *cg, int d)
{
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
        if (cg->dir_of[c] == d)
            cg->dir_of[c] = -1;
        else if (cg->dir_of[c] > d)
            cg->dir_of[c]--;
    }
    memmove(&cg->dirs[d], &cg->dirs[d + 1], (size_t)(cg->n_dirs - d - 1) * sizeof(cg->dirs[0]));
    cg->n_dirs--;
}

/* v2: enable the controllers in the parent's subtree_control. Returns 1
 * when the parent holds processes (EBUSY) or was not given a controller
 * itself (ENOENT) and no limit needs them: then the container simply runs
 * without a cgroup of its own. */
static int v2_prepare_parent(const char *path, const struct cgroup_layout *layout,
                             const struct container_cgroup *cg, const struct limits *limits,
                             mb_error *err)
{
    char parent[PATH_MAX];

    snprintf(parent, sizeof(parent), "%s", path);
    *strrchr(parent, '/') = '\0';
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
        int ret;

        if (layout->controllers[c].version != 2 || cg->dir_of[c] < 0)
            continue;
#if MB_STEP >= 10
        if (c == CG_FREEZER)
            continue; /* v2's freezer is every cgroup's own */
        ret = v2_enable_controller(parent, cgroup_v2_name(c), err);
#else
        ret = v2_enable_controller(parent, cgroup_controller_names[c], err);
#endif
        if (ret < 0 && (errno == EBUSY || errno == ENOENT)) {
            for (int l = 0; l < CG_N_CONTROLLERS; l++)
                if (layout->controllers[l].version == 2 && limit_requested(limits, l))
                    return -1; /* that error stands */
            return 1;
        }
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int cgroup_make_dir(const char *path, mb_error *err)
{
    if (mkdir(path, 0755) < 0) {
#if MB_STEP >= 6
        if ((errno == EACCES || errno == EPERM) && geteuid() != 0)
            return mb_fail(err, 0,
                           "a limit needs a cgroup of its own, but the parent of %s is not "
                           "delegated to uid %u (fix: on cgroup v2, systemd-run --user --scope "
                           "-p Delegate=yes minibox run ...; cgroup v1 cannot be delegated: run "
                           "as root)",
                           path, (unsigned)geteuid());
#endif
        if (errno == EACCES || errno == EPERM || errno == EROFS)
            return mb_fail(err, errno,
                           "create cgroup %s (fix: run as root, or on cgroup v2 from a "
                           "delegated cgroup)",
                           path);
        if (errno == ENOENT)
            return mb_fail(err, errno, "create cgroup %s: the parent cgroup does not exist", path);
        return mb_fail(err, errno, "create cgroup %s", path);
    }
    return 0;
}

static int plan_controllers(const struct cgroup_layout *layout, const char *id, const char *parent,
                            const struct limits *limits, struct container_cgroup *cg, mb_error *err)
{
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
        cg->dir_of[c] = -1;
#if MB_STEP >= 10
        /* run needs the freezer (commit freezes a running container) and
         * none of the others; an OCI container is put in all of them */
        if (c > CG_FREEZER && !limits->spec.given)
            continue;
#endif
        if (layout->controllers[c].version == 0) {
            if (limit_requested(limits, c))
                return controller_missing(layout, c, err);
            continue; /* no limit asked: run without this controller */
        }
#if MB_STEP >= 6
        /* Rootless without a limit: no cgroup is needed, so none is made (a
         * normal user may not be allowed to). */
        if (geteuid() != 0 && !limit_requested(limits, c))
            continue;
#endif
        cg->dir_of[c] = cgroup_plan_dir(cg, &layout->controllers[c], parent, id, err);
        if (cg->dir_of[c] < 0)
            return -1;
    }
    /* No controller needs a v2 dir, the device program does. */
    if (v2_dir_holds_devices(cg) && v2_dir(cg) < 0 && layout->v2_mount[0] != '\0') {
        struct cgroup_hierarchy v2 = {.version = 2};

        snprintf(v2.mount, sizeof(v2.mount), "%s", layout->v2_mount);
        snprintf(v2.own, sizeof(v2.own), "%s", layout->v2_own);
        if (cgroup_plan_dir(cg, &v2, parent, id, err) < 0)
            return -1;
    }
    return 0;
}

int cgroup_plan(const struct cgroup_layout *layout, const char *id, const char *parent,
                const struct limits *limits, struct container_cgroup *cg, mb_error *err)
{
    memset(cg, 0, sizeof(*cg));
    return plan_controllers(layout, id, parent, limits, cg, err);
}

#if MB_STEP >= 10
int cgroup_plan_path(const struct cgroup_layout *layout, const char *path,
                     const struct limits *limits, struct container_cgroup *cg, mb_error *err)
{
    memset(cg, 0, sizeof(*cg));
    if (strstr(path, "..") != NULL)
        return mb_fail(err, 0, "bad cgroupsPath '%s': no '..'", path);
    if (path_format(cg->spec_path, sizeof(cg->spec_path), err, "%s", path) < 0)
        return -1;
    return plan_controllers(layout, NULL, NULL, limits, cg, err);
}

/* A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and no
 * process can join it until both are set: take the parent's. */
static int cpuset_inherit(const char *dir, mb_error *err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    char parent[PATH_MAX];

    snprintf(parent, sizeof(parent), "%s", dir);
    *strrchr(parent, '/') = '\0';
    for (size_t i = 0; i < 2; i++) {
        cleanup_free char *mine = NULL, *theirs = NULL;
        char path[PATH_MAX + 64];
        mb_error ignored;

        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        if (read_file_at(AT_FDCWD, path, &mine, NULL, &ignored) < 0 || mine[0] != '\n')
            continue; /* not a cpuset dir, or set already */
        snprintf(path, sizeof(path), "%s/%s", parent, files[i]);
        if (read_file_at(AT_FDCWD, path, &theirs, NULL, err) < 0 ||
            write_knob(dir, files[i], theirs, err) < 0)
            return -1;
    }
    return 0;
}

/* The parents of an OCI cgroupsPath (/default/ID: containerd's namespace)
 * are made as needed: on v1 each new cpuset gets its parent's CPUs, on v2
 * each hands the controllers down to the next. They stay when the
 * container goes: other containers may share them. */
static int make_parents(const struct cgroup_layout *layout, const struct container_cgroup *cg,
                        int d, mb_error *err)
{
    const char *path = cg->dirs[d].path;
    size_t mount_len = 0;
    char prefix[PATH_MAX];

    for (int c = 0; c < CG_N_CONTROLLERS; c++)
        if (cg->dir_of[c] == d)
            mount_len = strlen(layout->controllers[c].mount);
    if (mount_len == 0 && cg->dirs[d].version == 2)
        mount_len = strlen(layout->v2_mount);
    for (size_t i = mount_len + 1; path[i] != '\0'; i++) {
        if (path[i] != '/')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        if (cg->dirs[d].version == 2) {
            mb_error ignored;

            /* Best effort: a limit that needs a controller its parent
             * could not hand down fails with its own message. */
            *strrchr(prefix, '/') = '\0';
            for (int c = 0; c < CG_N_CONTROLLERS; c++)
                if (layout->controllers[c].version == 2 && cg->dir_of[c] == d && c != CG_FREEZER)
                    v2_enable_controller(prefix, cgroup_v2_name(c), &ignored);
            prefix[strlen(prefix)] = '/';
        }
        if (mkdir(prefix, 0755) < 0 && errno != EEXIST)
            return mb_fail(err, errno, "create cgroup %s", prefix);
        if (cg->dirs[d].version == 1 && cpuset_inherit(prefix, err) < 0)
            return -1;
    }
    return 0;
}
#endif

int cgroup_create(const struct cgroup_layout *layout, const struct limits *limits,
                  struct container_cgroup *cg, mb_error *err)
{
    mb_error ignored;
    int ret;

    for (int d = 0; d < cg->n_dirs; d++) {
        ret = 0;
#if MB_STEP >= 10
        if (cg->spec_path[0] != '\0')
            ret = make_parents(layout, cg, d, err);
#endif
        if (ret == 0 && cg->dirs[d].version == 2) {
            ret = v2_prepare_parent(cg->dirs[d].path, layout, cg, limits, err);
            /* A dir without controllers still takes a device program. */
            if (ret == 1 && v2_dir_holds_devices(cg))
                ret = 0;
            if (ret == 1) {
                cgroup_drop_dir(cg, d--);
                continue;
            }
        }
        if (ret == 0)
            ret = cgroup_make_dir(cg->dirs[d].path, err);
#if MB_STEP >= 10
        if (ret == 0 && cg->spec_path[0] != '\0' && cg->dirs[d].version == 1)
            ret = cpuset_inherit(cg->dirs[d].path, err);
#endif
        if (ret < 0) {
            cg->n_dirs = d; /* remove only what was made */
            cgroup_destroy(cg, &ignored);
            return ret;
        }
    }
    ret = write_limits(cg, limits, err);
    if (ret < 0)
        cgroup_destroy(cg, &ignored);
    return ret;
}

int cgroup_join_self(const struct container_cgroup *cg, int skip_v2, mb_error *err)
{
#if MB_SOLUTION_05
    for (int d = 0; d < cg->n_dirs; d++) {
        int ret;

        if (skip_v2 && cg->dirs[d].version == 2)
            continue;
#if MB_STEP >= 10
        /* On v1, "0" into `tasks` moves the calling thread alone, and for
         * that the kernel skips cgroup_threadgroup_rwsem, whose write side
         * waits for an RCU grace period (about 9 ms at every run here; see
         * docs/performance.md). The child has one thread: it is the
         * process. v2's `cgroup.threads` is for threaded cgroups only. */
        ret = write_knob(cg->dirs[d].path, cg->dirs[d].version == 1 ? "tasks" : "cgroup.procs", "0",
                         err);
#else
        ret = write_knob(cg->dirs[d].path, "cgroup.procs", "0", err);
#endif
        if (ret < 0)
            return ret;
    }
    return 0;
#else
    /* TODO(05): move this process (the container's first) into every dir of cg->dirs[0 ..
     * cg->n_dirs): write "0" (this process) to its cgroup.procs; skip the v2 dir when skip_v2
     * (clone3 placed the process there already).
     * docs/05-cgroups.md#joining-before-the-cgroup-namespace */
    (void)cg;
    (void)skip_v2;
    return mb_todo(err, "05");
#endif
}

#if MB_STEP >= 6
int cgroup_add_process(const struct container_cgroup *cg, pid_t pid, int skip_v2, mb_error *err)
{
    char value[32];

    snprintf(value, sizeof(value), "%d", (int)pid);
    for (int d = 0; d < cg->n_dirs; d++) {
        int ret;

        if (skip_v2 && cg->dirs[d].version == 2)
            continue;
        ret = write_knob(cg->dirs[d].path, "cgroup.procs", value, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}
#endif

int cgroup_open_v2_dir(const struct container_cgroup *cg)
{
    int d = v2_dir(cg);

    return d < 0 ? -1 : open(cg->dirs[d].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The number after `key ` in a "key value" per line file. */
static long read_counter(const char *dir, const char *file, const char *key)
{
    cleanup_free char *text = NULL;
    char path[PATH_MAX + 64];
    size_t klen = strlen(key);
    mb_error ignored;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return 0;
    for (char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
            return strtol(line + klen + 1, NULL, 10);
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return 0;
}

long cgroup_oom_kills(const struct container_cgroup *cg)
{
    int d = cg->dir_of[CG_MEMORY];

    if (d < 0)
        return 0;
    if (cg->dirs[d].version == 2)
        return read_counter(cg->dirs[d].path, "memory.events", "oom_kill");
    return read_counter(cg->dirs[d].path, "memory.oom_control", "oom_kill");
}

/* Kill every process still in the cgroup. In a PID namespace they died with
 * PID 1 already; without one, or after minibox was killed, some may linger. */
static void kill_members(const char *path, int version)
{
    cleanup_free char *procs = NULL;
    char file[PATH_MAX + 32];
    mb_error ignored;

    if (version == 2 && knob_exists(path, "cgroup.kill")) {
        write_knob(path, "cgroup.kill", "1", &ignored);
        return;
    }
    snprintf(file, sizeof(file), "%s/cgroup.procs", path);
    if (read_file_at(AT_FDCWD, file, &procs, NULL, &ignored) < 0)
        return;
    for (char *save = NULL, *pid = strtok_r(procs, "\n", &save); pid != NULL;
         pid = strtok_r(NULL, "\n", &save))
        kill((pid_t)atoi(pid), SIGKILL);
}

int cgroup_destroy_dir(const char *path, int version, mb_error *err)
{
    struct timespec pause = {0, 1000000}; /* 1 ms */

    /* A killed process leaves its cgroup only once it has fully exited, so
     * rmdir may see EBUSY for a moment: retry for up to a second. */
    for (int tries = 0; tries < 1000; tries++) {
        if (rmdir(path) == 0 || errno == ENOENT)
            return 0;
        if (errno != EBUSY)
            return mb_fail(err, errno, "remove cgroup %s", path);
        kill_members(path, version);
        nanosleep(&pause, NULL);
    }
    return mb_fail(err, EBUSY, "remove cgroup %s", path);
}

int cgroup_destroy(const struct container_cgroup *cg, mb_error *err)
{
    int ret = 0;

#if MB_STEP >= 10
    /* A frozen process cannot act on SIGKILL: thaw first. */
    if (cgroup_frozen(cg)) {
        mb_error ignored;

        cgroup_freeze(cg, false, &ignored);
    }
#endif
    for (int d = 0; d < cg->n_dirs; d++)
        if (cgroup_destroy_dir(cg->dirs[d].path, cg->dirs[d].version, err) < 0)
            ret = -1;
    return ret;
}

#if MB_STEP >= 10
int cgroup_update(const struct container_cgroup *cg, const struct limits *limits, mb_error *err)
{
    return write_limits(cg, limits, err);
}

/* The freezer's dir and version: the v1 freezer, else the v2 dir. */
static const char *freezer_dir(const struct container_cgroup *cg, int *version)
{
    int d = cg->dir_of[CG_FREEZER];

    if (d < 0)
        d = v2_dir(cg);
    if (d < 0)
        return NULL;
    *version = cg->dirs[d].version;
    return cg->dirs[d].path;
}

bool cgroup_frozen(const struct container_cgroup *cg)
{
    cleanup_free char *text = NULL;
    char path[PATH_MAX + 32];
    int version = 0;
    const char *dir = freezer_dir(cg, &version);
    mb_error ignored;

    if (dir == NULL)
        return false;
    /* v2: cgroup.events says "frozen 1" once every process is stopped. */
    snprintf(path, sizeof(path), "%s/%s", dir, version == 1 ? "freezer.state" : "cgroup.freeze");
    if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return false;
    return version == 1 ? strncmp(text, "FROZEN", 6) == 0 : text[0] == '1';
}

/* Done: v1's state reads FROZEN or THAWED (never the FREEZING between),
 * v2's cgroup.events "frozen" agrees with what was asked. */
static bool freeze_done(const char *dir, int version, bool frozen)
{
    cleanup_free char *text = NULL;
    char path[PATH_MAX + 32];
    mb_error ignored;

    snprintf(path, sizeof(path), "%s/%s", dir, version == 1 ? "freezer.state" : "cgroup.events");
    if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return false;
    if (version == 1)
        return strncmp(text, frozen ? "FROZEN" : "THAWED", 6) == 0;
    return strstr(text, frozen ? "frozen 1" : "frozen 0") != NULL;
}

int cgroup_freeze(const struct container_cgroup *cg, bool frozen, mb_error *err)
{
    struct timespec step = {0, 5 * 1000 * 1000};
    int version = 0;
    const char *dir = freezer_dir(cg, &version);
    int ret;

    if (dir == NULL)
        return mb_fail(err, 0,
                       "no freezer: this host mounts neither the v1 freezer nor cgroup2 (fix: "
                       "mount -t cgroup -o freezer freezer /sys/fs/cgroup/freezer)");
    for (int tries = 0; tries < 2000; tries++) {
        /* v1: writing FROZEN again goes on freezing tasks that a fork
         * added while the cgroup was FREEZING. */
        if (tries % 20 == 0) {
            ret = version == 1 ? write_knob(dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err)
                               : write_knob(dir, "cgroup.freeze", frozen ? "1" : "0", err);
            if (ret < 0)
                return ret;
        }
        if (freeze_done(dir, version, frozen))
            return 0;
        nanosleep(&step, NULL);
    }
    return mb_fail(err, 0, "cgroup %s did not %s in 10 s", dir, frozen ? "freeze" : "thaw");
}

int cgroup_pids(const struct container_cgroup *cg, pid_t **pids, size_t *n, mb_error *err)
{
    cleanup_free char *text = NULL;
    char path[PATH_MAX + 32], *save = NULL;
    size_t cap = 0;

    *pids = NULL;
    *n = 0;
    if (cg->n_dirs == 0)
        return 0;
    snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dirs[0].path);
    if (read_file_at(AT_FDCWD, path, &text, NULL, err) < 0)
        return errno == ENOENT ? 0 : -1;
    for (char *p = strtok_r(text, "\n", &save); p != NULL; p = strtok_r(NULL, "\n", &save)) {
        if (*n == cap) {
            pid_t *grown = realloc(*pids, (cap = cap ? 2 * cap : 64) * sizeof(**pids));

            if (grown == NULL) {
                free(*pids);
                *pids = NULL;
                return mb_fail(err, ENOMEM, "cgroup.procs");
            }
            *pids = grown;
        }
        (*pids)[(*n)++] = (pid_t)atoi(p);
    }
    return 0;
}

int cgroup_signal_all(const struct container_cgroup *cg, int sig, mb_error *err)
{
    pid_t *pids;
    size_t n;
    int ret = 0;

    if (cgroup_pids(cg, &pids, &n, err) < 0)
        return -1;
    /* Every member gets the signal, even after one refused it (the first
     * refusal is the error); one exit, so the array is freed in one place. */
    for (size_t i = 0; i < n; i++)
        if (kill(pids[i], sig) < 0 && errno != ESRCH && ret == 0)
            ret = mb_fail(err, errno, "kill %d", (int)pids[i]);
    free(pids);
    return ret;
}
#endif

#if MB_STEP >= 10
json_t *cgroup_to_json(const struct container_cgroup *cg)
{
    json_t *dirs = json_array(), *of = json_object();

    for (int d = 0; d < cg->n_dirs; d++)
        json_array_append_new(dirs, json_pack("{s:i, s:s}", "version", cg->dirs[d].version, "path",
                                              cg->dirs[d].path));
    for (int c = 0; c < CG_N_CONTROLLERS; c++)
        if (cg->dir_of[c] >= 0)
            json_object_set_new(of, cgroup_controller_names[c], json_integer(cg->dir_of[c]));
    return json_pack("{s:o, s:o}", "dirs", dirs, "controllers", of);
}

int cgroup_from_json(json_t *json, struct container_cgroup *cg, mb_error *err)
{
    json_t *dirs = json_object_get(json, "dirs"), *dir;
    size_t i;

    memset(cg, 0, sizeof(*cg));
    if (json_array_size(dirs) > CGROUP_MAX_DIRS)
        return mb_fail(err, 0, "state: more than %d cgroup dirs", CGROUP_MAX_DIRS);
    json_array_foreach (dirs, i, dir) {
        const char *path = json_string_value(json_object_get(dir, "path"));

        if (path == NULL ||
            path_format(cg->dirs[i].path, sizeof(cg->dirs[i].path), err, "%s", path) < 0)
            return mb_fail(err, 0, "state: a bad cgroup dir");
        cg->dirs[i].version = (int)json_integer_value(json_object_get(dir, "version"));
        cg->n_dirs++;
    }
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
        json_t *d =
            json_object_get(json_object_get(json, "controllers"), cgroup_controller_names[c]);

        cg->dir_of[c] = json_is_integer(d) && json_integer_value(d) < cg->n_dirs
                            ? (int)json_integer_value(d)
                            : -1;
    }
    return 0;
}
#endif
