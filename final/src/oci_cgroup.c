/* oci_cgroup.c - see oci_cgroup.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "oci_cgroup.h"
#include "util.h"

/* The v1 controllers an OCI container is placed in. cpuset is left out: a
 * new v1 cpuset cgroup starts with no CPUs and no memory nodes, and joining
 * it fails until both are copied down from the parent. */
static const char *const wanted_controllers[] = {"memory",  "cpu",     "cpuacct", "pids",
                                                 "freezer", "devices", "blkio",   NULL};

/* The devices every container needs, allowed after linux.resources.devices
 * (Podman sends only "deny all"): runc's list. */
static const char *const default_device_rules[] = {
    "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",   "c 1:8 rwm",
    "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", NULL,
};

int oci_cgroup_path(const char *cgroups_path, bool systemd, const char *id, char *out, size_t len,
                    mb_error *err)
{
    char slice[256], prefix[256], name[256];
    int n;

    if (cgroups_path == NULL || cgroups_path[0] == '\0')
        n = snprintf(out, len, "/minibox-%s", id);
    else if (!systemd)
        n = snprintf(out, len, "%s%s", cgroups_path[0] == '/' ? "" : "/", cgroups_path);
    else if (sscanf(cgroups_path, "%255[^:]:%255[^:]:%255s", slice, prefix, name) == 3)
        n = snprintf(out, len, "/%s/%s-%s.scope", slice, prefix, name);
    else
        return mb_fail(err, 0, "bad cgroupsPath '%s': --systemd-cgroup wants slice:prefix:name",
                       cgroups_path);
    if (n < 0 || (size_t)n >= len || strstr(out, "/..") != NULL)
        return mb_fail(err, 0, "bad cgroupsPath '%s'", cgroups_path);
    return 0;
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct": the wanted controllers of a v1 mount. */
static void wanted_of(const char *super_options, char *out, size_t len)
{
    char copy[256], *save = NULL;

    out[0] = '\0';
    snprintf(copy, sizeof(copy), "%s", super_options);
    for (char *opt = strtok_r(copy, ",", &save); opt != NULL; opt = strtok_r(NULL, ",", &save))
        for (int i = 0; wanted_controllers[i] != NULL; i++)
            if (strcmp(opt, wanted_controllers[i]) == 0 && strlen(out) + strlen(opt) + 2 < len)
                snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? "," : "", opt);
}

static int plan_add(struct oci_cgroup *cg, int version, const char *controllers, const char *mount,
                    const char *path, mb_error *err)
{
    int n;

    for (int i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].version == version && strcmp(cg->dirs[i].controllers, controllers) == 0)
            return 0; /* the same hierarchy mounted twice */
    if (cg->n_dirs == OCI_CGROUP_MAX_DIRS)
        return 0;
    n = snprintf(cg->dirs[cg->n_dirs].path, PATH_MAX, "%s%s", mount, path);
    if (n < 0 || n >= PATH_MAX)
        return mb_fail(err, ENAMETOOLONG, "cgroup %s", path);
    cg->dirs[cg->n_dirs].version = version;
    snprintf(cg->dirs[cg->n_dirs].controllers, sizeof(cg->dirs[0].controllers), "%s", controllers);
    cg->n_dirs++;
    return 0;
}

int oci_cgroup_plan(const char *path, struct oci_cgroup *cg, mb_error *err)
{
    char line[4096], mount[PATH_MAX], fstype[64], super[256], controllers[64];
    FILE *f = fopen("/proc/self/mountinfo", "re");
    int ret = 0;

    if (f == NULL)
        return mb_fail(err, errno, "open /proc/self/mountinfo");
    cg->n_dirs = 0;
    while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
        const char *dash = strstr(line, " - ");

        if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", mount) != 1 ||
            sscanf(dash, " - %63s %*s %255s", fstype, super) != 2)
            continue;
        if (strcmp(fstype, "cgroup2") == 0)
            ret = plan_add(cg, 2, "", mount, path, err);
        else if (strcmp(fstype, "cgroup") == 0) {
            wanted_of(super, controllers, sizeof(controllers));
            if (controllers[0] != '\0')
                ret = plan_add(cg, 1, controllers, mount, path, err);
        }
    }
    fclose(f);
    if (ret == 0 && cg->n_dirs == 0)
        return mb_fail(err, 0, "no cgroup hierarchy is mounted under /sys/fs/cgroup");
    return ret;
}

static bool has_controller(const char *controllers, const char *name)
{
    char copy[64], *save = NULL;

    snprintf(copy, sizeof(copy), "%s", controllers);
    for (char *c = strtok_r(copy, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save))
        if (strcmp(c, name) == 0)
            return true;
    return false;
}

/* The dir holding `controller`: the v1 one, else the v2 one (only when the
 * host has no v1 hierarchy for it). NULL when none. */
static const char *dir_for(const struct oci_cgroup *cg, const char *controller)
{
    for (int i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].version == 1 && has_controller(cg->dirs[i].controllers, controller))
            return cg->dirs[i].path;
    for (int i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].version == 2)
            return cg->dirs[i].path;
    return NULL;
}

static int version_of(const struct oci_cgroup *cg, const char *dir)
{
    for (int i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].path == dir)
            return cg->dirs[i].version;
    return 0;
}

static int write_knob(const char *dir, const char *file, const char *value, mb_error *err)
{
    cleanup_fd int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (dirfd < 0)
        return mb_fail(err, errno, "open cgroup %s", dir);
    return write_file_at(dirfd, file, value, err);
}

/* mkdir -p; on v2 the parents hand the controllers down first. */
static int make_dir(const char *path, int version)
{
    char partial[PATH_MAX];

    for (size_t i = 1; i <= strlen(path); i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        memcpy(partial, path, i);
        partial[i] = '\0';
        if (mkdir(partial, 0755) < 0 && errno != EEXIST)
            return -1;
        if (version == 2 && path[i] == '/') {
            static const char *const enable[] = {"+memory", "+pids", "+cpu"};
            char knob[PATH_MAX + 32];
            for (size_t c = 0; c < 3; c++) {
                int fd;
                snprintf(knob, sizeof(knob), "%s/cgroup.subtree_control", partial);
                fd = open(knob, O_WRONLY | O_CLOEXEC);
                if (fd >= 0 && write(fd, enable[c], strlen(enable[c])) < 0)
                    errno = 0; /* not available here: the limit write says so */
                if (fd >= 0)
                    close(fd);
            }
        }
    }
    return 0;
}

static int write_memory(const struct oci_cgroup *cg, json_t *memory, mb_error *err)
{
    const char *dir = dir_for(cg, "memory");
    json_t *limit = json_object_get(memory, "limit");
    char value[32];

    if (dir == NULL || !json_is_integer(limit))
        return 0;
    snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT, json_integer_value(limit));
    if (json_integer_value(limit) < 0)
        snprintf(value, sizeof(value), version_of(cg, dir) == 1 ? "-1" : "max");
    return write_knob(dir, version_of(cg, dir) == 1 ? "memory.limit_in_bytes" : "memory.max", value,
                      err);
}

static int write_cpu(const struct oci_cgroup *cg, json_t *cpu, mb_error *err)
{
    const char *dir = dir_for(cg, "cpu");
    json_int_t shares = json_integer_value(json_object_get(cpu, "shares"));
    json_int_t quota = json_integer_value(json_object_get(cpu, "quota"));
    json_int_t period = json_integer_value(json_object_get(cpu, "period"));
    char value[64];
    int ret;

    if (dir == NULL || cpu == NULL)
        return 0;
    if (period <= 0)
        period = 100000;
    if (version_of(cg, dir) == 2) {
        if (shares > 0) {
            /* runc's mapping of shares [2, 262144] onto weight [1, 10000]. */
            snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT,
                     1 + ((shares - 2) * 9999) / 262142);
            ret = write_knob(dir, "cpu.weight", value, err);
            if (ret < 0)
                return ret;
        }
        if (quota > 0) {
            snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT, quota,
                     period);
            return write_knob(dir, "cpu.max", value, err);
        }
        return 0;
    }
    if (shares > 0) {
        snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT, shares);
        ret = write_knob(dir, "cpu.shares", value, err);
        if (ret < 0)
            return ret;
    }
    if (quota > 0) {
        snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT, period);
        ret = write_knob(dir, "cpu.cfs_period_us", value, err);
        if (ret < 0)
            return ret;
        snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT, quota);
        return write_knob(dir, "cpu.cfs_quota_us", value, err);
    }
    return 0;
}

static int write_pids(const struct oci_cgroup *cg, json_t *pids, mb_error *err)
{
    const char *dir = dir_for(cg, "pids");
    json_t *limit = json_object_get(pids, "limit");
    char value[32] = "max";

    if (dir == NULL || !json_is_integer(limit))
        return 0;
    if (json_integer_value(limit) > 0)
        snprintf(value, sizeof(value), "%" JSON_INTEGER_FORMAT, json_integer_value(limit));
    return write_knob(dir, "pids.max", value, err);
}

/* One linux.resources.devices entry as the v1 devices controller's line. */
static int write_device_rule(const char *dir, json_t *rule, mb_error *err)
{
    const char *type = json_string_value(json_object_get(rule, "type"));
    const char *access = json_string_value(json_object_get(rule, "access"));
    json_t *major = json_object_get(rule, "major"), *minor = json_object_get(rule, "minor");
    char line[96], maj[24] = "*", min[24] = "*";

    if (json_is_integer(major) && json_integer_value(major) >= 0)
        snprintf(maj, sizeof(maj), "%" JSON_INTEGER_FORMAT, json_integer_value(major));
    if (json_is_integer(minor) && json_integer_value(minor) >= 0)
        snprintf(min, sizeof(min), "%" JSON_INTEGER_FORMAT, json_integer_value(minor));
    if (type == NULL || strcmp(type, "a") == 0)
        snprintf(line, sizeof(line), "a");
    else
        snprintf(line, sizeof(line), "%s %s:%s %s", type, maj, min, access ? access : "rwm");
    return write_knob(
        dir, json_is_true(json_object_get(rule, "allow")) ? "devices.allow" : "devices.deny", line,
        err);
}

/* v1 only: on v2 the devices controller is an eBPF program (not done). */
static int write_devices(const struct oci_cgroup *cg, json_t *devices, mb_error *err)
{
    const char *dir = dir_for(cg, "devices");
    size_t i;
    json_t *rule;
    int ret;

    if (dir == NULL || version_of(cg, dir) != 1 || !json_is_array(devices))
        return 0;
    json_array_foreach(devices, i, rule)
    {
        ret = write_device_rule(dir, rule, err);
        if (ret < 0)
            return ret;
    }
    for (i = 0; default_device_rules[i] != NULL; i++) {
        ret = write_knob(dir, "devices.allow", default_device_rules[i], err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int write_resources(const struct oci_cgroup *cg, json_t *resources, mb_error *err)
{
    int ret;

    if (resources == NULL)
        return 0;
    ret = write_devices(cg, json_object_get(resources, "devices"), err);
    if (ret < 0)
        return ret;
    ret = write_memory(cg, json_object_get(resources, "memory"), err);
    if (ret < 0)
        return ret;
    ret = write_cpu(cg, json_object_get(resources, "cpu"), err);
    if (ret < 0)
        return ret;
    return write_pids(cg, json_object_get(resources, "pids"), err);
}

int oci_cgroup_create(const struct oci_cgroup *cg, json_t *resources, mb_error *err)
{
    mb_error ignored;
    int ret;

    for (int i = 0; i < cg->n_dirs; i++)
        if (make_dir(cg->dirs[i].path, cg->dirs[i].version) < 0) {
            ret = mb_fail(err, errno, "create cgroup %s", cg->dirs[i].path);
            oci_cgroup_destroy(cg, &ignored);
            return ret;
        }
    ret = write_resources(cg, resources, err);
    if (ret < 0)
        oci_cgroup_destroy(cg, &ignored);
    return ret;
}

int oci_cgroup_join(const struct oci_cgroup *cg, pid_t pid, mb_error *err)
{
    char value[32];

    snprintf(value, sizeof(value), "%d", (int)pid);
    for (int i = 0; i < cg->n_dirs; i++) {
        int ret = write_knob(cg->dirs[i].path, "cgroup.procs", value, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int oci_cgroup_signal_all(const struct oci_cgroup *cg, int sig, mb_error *err)
{
    cleanup_free char *procs = NULL;
    cleanup_fd int dirfd = -1;
    char *save = NULL;
    size_t len;

    if (cg->n_dirs == 0)
        return 0;
    dirfd = open(cg->dirs[0].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return errno == ENOENT ? 0 : mb_fail(err, errno, "open cgroup %s", cg->dirs[0].path);
    if (read_file_at(dirfd, "cgroup.procs", &procs, &len, err) < 0)
        return -1;
    for (char *pid = strtok_r(procs, "\n", &save); pid != NULL; pid = strtok_r(NULL, "\n", &save))
        if (kill((pid_t)atoi(pid), sig) < 0 && errno != ESRCH)
            return mb_fail(err, errno, "kill %s", pid);
    return 0;
}

static const char *freezer_dir(const struct oci_cgroup *cg, int *version)
{
    for (int i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].version == 1 && has_controller(cg->dirs[i].controllers, "freezer")) {
            *version = 1;
            return cg->dirs[i].path;
        }
    for (int i = 0; i < cg->n_dirs; i++)
        if (cg->dirs[i].version == 2) {
            *version = 2;
            return cg->dirs[i].path;
        }
    return NULL;
}

bool oci_cgroup_frozen(const struct oci_cgroup *cg)
{
    cleanup_free char *text = NULL;
    cleanup_fd int dirfd = -1;
    int version = 0;
    const char *dir = freezer_dir(cg, &version);
    mb_error ignored;
    size_t len;

    if (dir == NULL || (dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        return false;
    if (read_file_at(dirfd, version == 1 ? "freezer.state" : "cgroup.freeze", &text, &len,
                     &ignored) < 0)
        return false;
    return version == 1 ? strncmp(text, "FROZEN", 6) == 0 : text[0] == '1';
}

int oci_cgroup_freeze(const struct oci_cgroup *cg, bool frozen, mb_error *err)
{
    struct timespec step = {0, 10 * 1000 * 1000};
    int version = 0;
    const char *dir = freezer_dir(cg, &version);
    int ret;

    if (dir == NULL)
        return mb_fail(err, 0, "no freezer: this host mounts neither the v1 freezer nor cgroup2");
    if (version == 1)
        ret = write_knob(dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err);
    else
        ret = write_knob(dir, "cgroup.freeze", frozen ? "1" : "0", err);
    if (ret < 0)
        return ret;
    /* v1 passes through FREEZING while tasks are stopped one by one. */
    for (int tries = 0; tries < 500 && oci_cgroup_frozen(cg) != frozen; tries++)
        nanosleep(&step, NULL);
    if (oci_cgroup_frozen(cg) != frozen)
        return mb_fail(err, 0, "cgroup %s did not %s", dir, frozen ? "freeze" : "thaw");
    return 0;
}

int oci_cgroup_destroy(const struct oci_cgroup *cg, mb_error *err)
{
    mb_error ignored;
    int ret = 0;

    /* A frozen process cannot act on SIGKILL: thaw first. */
    if (oci_cgroup_frozen(cg))
        oci_cgroup_freeze(cg, false, &ignored);
    for (int i = 0; i < cg->n_dirs; i++)
        if (cgroup_destroy_dir(cg->dirs[i].path, cg->dirs[i].version, err) < 0)
            ret = -1;
    return ret;
}

json_t *oci_cgroup_to_json(const struct oci_cgroup *cg)
{
    json_t *array = json_array();

    for (int i = 0; i < cg->n_dirs; i++)
        json_array_append_new(array, json_pack("{s:i, s:s, s:s}", "version", cg->dirs[i].version,
                                               "controllers", cg->dirs[i].controllers, "path",
                                               cg->dirs[i].path));
    return array;
}

int oci_cgroup_from_json(json_t *array, struct oci_cgroup *cg, mb_error *err)
{
    size_t i;
    json_t *dir;

    cg->n_dirs = 0;
    json_array_foreach(array, i, dir)
    {
        const char *path = json_string_value(json_object_get(dir, "path"));
        const char *controllers = json_string_value(json_object_get(dir, "controllers"));

        if (path == NULL || cg->n_dirs == OCI_CGROUP_MAX_DIRS)
            return mb_fail(err, 0, "bad cgroups in the state file");
        cg->dirs[cg->n_dirs].version = (int)json_integer_value(json_object_get(dir, "version"));
        snprintf(cg->dirs[cg->n_dirs].controllers, sizeof(cg->dirs[0].controllers), "%s",
                 controllers ? controllers : "");
        snprintf(cg->dirs[cg->n_dirs].path, PATH_MAX, "%s", path);
        cg->n_dirs++;
    }
    return 0;
}
