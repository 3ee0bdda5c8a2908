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
                       "%s controller not available: the cgroup v2 hierarchy at %s does not "
                       "offer '%s' (fix: inside a container, the engine running it must "
                       "delegate it; on a host, boot without cgroup_disable=%s; see 'minibox "
                       "info')",
                       name, layout->v2_mount, name, name);
    return mb_fail(err, 0,
                   "%s controller not available: no cgroup v1 hierarchy holds it%s "
                   "(fix: mount it, or enable it in the kernel; see 'minibox info')",
                   name, layout->v2_mount[0] ? " and the cgroup v2 mount does not offer it" : "");
}

static int limit_requested(const struct limits *limits, int c)
{
    return (c == CG_MEMORY && limits->memory_bytes) || (c == CG_CPU && limits->cpu_quota_us) ||
           (c == CG_PIDS && limits->pids_max);
}

/* Is controller `name` offered to the children of `dir` (v2)? */
static int v2_offered(const char *dir, const char *name)
{
    cleanup_free char *text = NULL;
    char path[PATH_MAX + 32];
    mb_error ignored;
    size_t len = strlen(name);

    if (path_format(path, sizeof(path), &ignored, "%s/cgroup.controllers", dir) < 0 ||
        read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return 0;
    for (char *p = text; (p = strstr(p, name)) != NULL; p += len)
        if ((p == text || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || p[len] == '\0'))
            return 1;
    return 0;
}

/* v2 only lets a child use a controller that its parent has enabled in
 * cgroup.subtree_control. The dir's controllers (`names`, "cpu memory
 * pids") are enabled in one write, which the kernel takes or refuses as a
 * whole. One at a time, a cgroup that holds processes refuses memory but
 * lets in the threaded controllers (cpu, cpuset, pids), and that makes it a
 * thread root: every domain cgroup below it is then invalid, and a clone
 * into one fails with EOPNOTSUPP. */
static int v2_enable_controllers(const char *parent, const char *names, mb_error *err)
{
    char add[256], name[32] = "";
    size_t used = 0;
    int ret, n;

    for (const char *p = names; sscanf(p, "%31s%n", name, &n) == 1; p += n)
        used += (size_t)snprintf(add + used, sizeof(add) - used, "+%s ", name);
    ret = write_knob(parent, "cgroup.subtree_control", add, err);
    /* The messages name one controller: the first the parent lacks (ENOENT), else the first. */
    if (ret < 0) {
        int saved_errno = errno;

        for (const char *p = names; sscanf(p, "%31s%n", name, &n) == 1; p += n)
            if (saved_errno != ENOENT || !v2_offered(parent, name))
                break;
        errno = saved_errno;
    }
    if (ret < 0 && (errno == EACCES || errno == EPERM) && geteuid() != 0)
        return mb_fail(err, 0,
                       "%s limit: cgroup %s is not delegated to uid %u (fix: start minibox in a "
                       "cgroup of your user manager: systemd-run --user --scope minibox run ...)",
                       name, parent, (unsigned)geteuid());
    if (ret < 0 && errno == ENOENT && geteuid() != 0)
        return mb_fail(err, 0,
                       "%s limit: the %s controller is not delegated to uid %u in %s (fix: "
                       "a drop-in with Delegate=cpu cpuset io memory pids for user@.service, "
                       "then log in again)",
                       name, name, (unsigned)geteuid(), parent);
    if (ret < 0 && errno == EBUSY)
        return mb_fail(err, 0,
                       "%s controller: cannot enable it below %s, which holds processes "
                       "(cgroup v2's no-internal-process rule; fix: inside a container, move its "
                       "processes into a leaf cgroup first, or pass --cgroup-parent with an empty "
                       "cgroup)",
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

static int write_limits(const struct container_cgroup *cg, const struct limits *limits,
                        mb_error *err)
{
    char value[32];
    int ret = 0, d;

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

/* Where containers go in one hierarchy when --cgroup-parent is not given:
 * <top>/minibox, where <top> is the highest cgroup this process may manage.
 * For root that is the hierarchy's root (inside a cgroup namespace, the
 * namespace's): /minibox, as Docker's cgroupfs driver makes /docker. Not
 * below minibox's own cgroup: on a cgroup v2 host that is usually a login
 * session's scope or a service, which holds processes, and a cgroup that
 * holds processes cannot give controllers to children (the no-internal-
 * process rule). Returns -1 when this process may manage none. */
static int placement_top(const struct cgroup_hierarchy *h, char *top, size_t len)
{
    char path[2 * PATH_MAX + 32];

    /* A normal user manages the subtree root delegated to them (chowned
     * cgroup.procs; systemd does it for user@UID.service and for units with
     * Delegate=yes): their own cgroup and the ancestors they own, up to the
     * first they do not. cgroup v1 cannot be delegated. */
    if (geteuid() != 0) {
        snprintf(path, sizeof(path), "%s%s/cgroup.procs", h->mount, h->own);
        if (h->version != 2 || faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0)
            return -1;
        snprintf(top, len, "%s", h->own);
        while (strcmp(top, "/") != 0) {
            char *slash = strrchr(top, '/');

            snprintf(path, sizeof(path), "%s%.*s/cgroup.procs", h->mount, (int)(slash - top), top);
            if (slash == top || faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0)
                break;
            *slash = '\0';
        }
        return 0;
    }
    snprintf(top, len, "/");
    return 0;
}

/* Find or add the dir for controller c's hierarchy; -1 when its path does
 * not fit in PATH_MAX. `top` is where placement_top put us (the default
 * parent is <top>/minibox). */
static int cgroup_plan_dir(struct container_cgroup *cg, const struct cgroup_hierarchy *h,
                           const char *top, const char *parent, const char *id, mb_error *err)
{
    const char *base = parent ? parent : top, *prefix = parent ? "/minibox-" : "/minibox/minibox-",
               *name = id;
    char path[PATH_MAX];

    if (path_format(path, sizeof(path), err, "%s%s%s%s", h->mount,
                    strcmp(base, "/") == 0 ? "" : base, prefix, name) < 0)
        return -1;
    for (int d = 0; d < cg->n_dirs; d++)
        if (strcmp(cg->dirs[d].path, path) == 0)
            return d;
    if (path_format(cg->dirs[cg->n_dirs].top, sizeof(cg->dirs[0].top), err, "%s%s", h->mount,
                    strcmp(top, "/") == 0 ? "" : top) < 0)
        return -1;
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
    if (geteuid() != 0)
        return 0;
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

/* The v2 controllers of dir d (-1: of any dir) as one list, "cpu memory". */
static void v2_names(const struct cgroup_layout *layout, const struct container_cgroup *cg, int d,
                     char *names, size_t len)
{
    size_t used = 0;

    names[0] = '\0';
    for (int c = 0; c < CG_N_CONTROLLERS && used < len; c++) {
        if (layout->controllers[c].version != 2 || cg->dir_of[c] < 0 ||
            (d >= 0 && cg->dir_of[c] != d))
            continue;
        used += (size_t)snprintf(names + used, len - used, "%s ", cgroup_controller_names[c]);
    }
}

/* v2: enable the dir's controllers in `parent`'s subtree_control. Returns
 * 1 when the parent cannot pass them on and no limit needs them: then the
 * container simply runs without a cgroup of its own. */
static int v2_enable_in(const char *parent, const struct cgroup_layout *layout,
                        const struct container_cgroup *cg, const struct limits *limits,
                        mb_error *err)
{
    char names[256];
    int ret;

    v2_names(layout, cg, -1, names, sizeof(names));
    if (names[0] == '\0')
        return 0;
    ret = v2_enable_controllers(parent, names, err);
    /* EBUSY: the parent holds processes; ENOENT: the parent was not given
     * a controller, because an ancestor holds processes (a cgroup
     * namespace's root inside another container). */
    if (ret < 0 && (errno == EBUSY || errno == ENOENT)) {
        for (int l = 0; l < CG_N_CONTROLLERS; l++)
            if (layout->controllers[l].version == 2 && limit_requested(limits, l))
                return -1; /* that error stands */
        return 1;
    }
    return ret;
}

static int cgroup_make_dir(const char *path, mb_error *err)
{
    if (mkdir(path, 0755) < 0) {
        if ((errno == EACCES || errno == EPERM) && geteuid() != 0)
            return mb_fail(err, 0,
                           "a limit needs a cgroup of its own, but the parent of %s is not "
                           "delegated to uid %u (fix: on cgroup v2, systemd-run --user --scope "
                           "-p Delegate=yes minibox run ...; cgroup v1 cannot be delegated: run "
                           "as root)",
                           path, (unsigned)geteuid());
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

/* The path from the dir's top down to its parent: each cgroup on the way
 * is made if missing (<top>/minibox the first time; it stays, as Docker's
 * /docker does) and, on v2, passes the controllers on to the next one
 * (a child gets only what every ancestor enables). Returns 1 as
 * v2_enable_in does. */
static int prepare_path(int d, const struct cgroup_layout *layout,
                        const struct container_cgroup *cg, const struct limits *limits,
                        mb_error *err)
{
    const char *dir = cg->dirs[d].path;
    char path[PATH_MAX];
    size_t len = strlen(cg->dirs[d].top);

    /* A --cgroup-parent outside what we manage: only its own controllers
     * are ours to enable. */
    if (strncmp(dir, cg->dirs[d].top, len) != 0 || dir[len] != '/')
        len = (size_t)(strrchr(dir, '/') - dir);
    for (int busy = 0;;) {
        const char *next = strchr(dir + len + 1, '/');
        int ret;

        memcpy(path, dir, len);
        path[len] = '\0';
        /* Below a cgroup that could not pass them on, none has them. */
        if (cg->dirs[d].version == 2 && !busy) {
            ret = v2_enable_in(path, layout, cg, limits, err);
            if (ret < 0)
                return ret;
            busy = ret;
        }
        if (next == NULL)
            return busy;
        len = (size_t)(next - dir);
        memcpy(path, dir, len);
        path[len] = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return cgroup_make_dir(path, err);
    }
}

/* Rootless: a limit needs a subtree delegated to us, with its controller. */
static int rootless_missing(const struct cgroup_hierarchy *h, int c, const char *top, mb_error *err)
{
    const char *name = cgroup_controller_names[c];
    char dir[2 * PATH_MAX];

    if (h->version == 1)
        return mb_fail(err, 0,
                       "%s limit: cgroup v1 cannot be delegated to a normal user (%s is "
                       "root's; fix: run as root, or use a cgroup v2 host)",
                       name, h->mount);
    if (top == NULL)
        return mb_fail(err, 0,
                       "%s limit: no cgroup is delegated to uid %u here: this process is in "
                       "%s, which root owns (fix: start minibox in a cgroup of your user "
                       "manager: systemd-run --user --scope minibox run ...)",
                       name, (unsigned)geteuid(), h->own);
    if (path_format(dir, sizeof(dir), err, "%s%s", h->mount, strcmp(top, "/") == 0 ? "" : top) < 0)
        return -1;
    if (!v2_offered(dir, name))
        return mb_fail(err, 0,
                       "%s limit: the %s controller is not delegated to uid %u in %s (fix: a "
                       "drop-in with Delegate=cpu cpuset io memory pids for user@.service, then "
                       "log in again)",
                       name, name, (unsigned)geteuid(), dir);
    return 0;
}

static int plan_controllers(const struct cgroup_layout *layout, const char *id, const char *parent,
                            const struct limits *limits, struct container_cgroup *cg, mb_error *err)
{
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
        cg->dir_of[c] = -1;
        const struct cgroup_hierarchy *h = &layout->controllers[c];
        char top[PATH_MAX];
        int have_top;

        if (h->version == 0) {
            if (limit_requested(limits, c))
                return controller_missing(layout, c, err);
            continue; /* no limit asked: run without this controller */
        }
        have_top = placement_top(h, top, sizeof(top)) == 0;
        /* Rootless without a limit: no cgroup is needed, so none is made (a
         * normal user may not be allowed to). */
        if (geteuid() != 0 && !limit_requested(limits, c))
            continue;
        if (geteuid() != 0 && parent == NULL && id != NULL) {
            int ret = rootless_missing(h, c, have_top ? top : NULL, err);
            if (ret < 0)
                return ret;
        }
        if (!have_top)
            snprintf(top, sizeof(top), "/");
        cg->dir_of[c] = cgroup_plan_dir(cg, h, top, parent, id, err);
        if (cg->dir_of[c] < 0)
            return -1;
    }
    /* No controller needs a v2 dir, the device program does. */
    if (v2_dir_holds_devices(cg) && v2_dir(cg) < 0 && layout->v2_mount[0] != '\0') {
        struct cgroup_hierarchy v2 = {.version = 2};
        char top[PATH_MAX];

        snprintf(v2.mount, sizeof(v2.mount), "%s", layout->v2_mount);
        snprintf(v2.own, sizeof(v2.own), "%s", layout->v2_own);
        if (placement_top(&v2, top, sizeof(top)) < 0)
            snprintf(top, sizeof(top), "/");
        if (cgroup_plan_dir(cg, &v2, top, parent, id, err) < 0)
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

int cgroup_create(const struct cgroup_layout *layout, const struct limits *limits,
                  struct container_cgroup *cg, mb_error *err)
{
    mb_error ignored;
    int ret;

    for (int d = 0; d < cg->n_dirs; d++) {
            ret = prepare_path(d, layout, cg, limits, err);
        /* A dir without controllers still takes a device program. */
        if (ret == 1 && cg->dirs[d].version == 2 && v2_dir_holds_devices(cg))
            ret = 0;
        if (ret == 1) {
            cgroup_drop_dir(cg, d--);
            continue;
        }
        if (ret == 0)
            ret = cgroup_make_dir(cg->dirs[d].path, err);
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
    for (int d = 0; d < cg->n_dirs; d++) {
        int ret;

        if (skip_v2 && cg->dirs[d].version == 2)
            continue;
        ret = write_knob(cg->dirs[d].path, "cgroup.procs", "0", err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

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

    for (int d = 0; d < cg->n_dirs; d++)
        if (cgroup_destroy_dir(cg->dirs[d].path, cg->dirs[d].version, err) < 0)
            ret = -1;
    return ret;
}

