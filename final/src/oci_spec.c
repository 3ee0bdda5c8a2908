/* oci_spec.c - see oci_spec.h. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cgroup_devices.h"
#include "hardening.h"
#include "ids.h"
#include "mounts.h"
#include "namespaces.h"
#include "oci_spec.h"
#include "util.h"

/* A JSON value that must be a string (or absent: NULL). */
static const char *str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* A NULL-terminated vector of the strings of a JSON array (pointing into
 * it), checked to hold strings only. */
static int string_vector(json_t *array, const char *what, char ***out, mb_error *err)
{
    size_t i;
    json_t *v;

    *out = NULL;
    if (array == NULL || json_is_null(array))
        return 0;
    if (!json_is_array(array))
        return mb_fail(err, 0, "config.json: %s must be an array of strings", what);
    *out = calloc(json_array_size(array) + 1, sizeof(**out));
    if (*out == NULL)
        return mb_fail(err, ENOMEM, "config.json: %s", what);
    json_array_foreach (array, i, v) {
        if (!json_is_string(v))
            return mb_fail(err, 0, "config.json: %s must be an array of strings", what);
        (*out)[i] = (char *)json_string_value(v);
    }
    return 0;
}

static int namespaces(json_t *list, struct container_config *cfg, mb_error *err)
{
    struct spec_config *spec = &cfg->spec;
    size_t i;
    json_t *ns;

    spec->join = calloc(json_array_size(list) + 1, sizeof(*spec->join));
    if (spec->join == NULL)
        return mb_fail(err, ENOMEM, "config.json: namespaces");
    json_array_foreach (list, i, ns) {
        const char *type = str(ns, "type"), *path = str(ns, "path");
        int flag = namespaces_flag(type);

        if (flag == 0)
            return mb_fail(err, 0, "config.json: unknown namespace type '%s'",
                           type ? type : "(none)");
        if (path == NULL) {
            spec->namespaces |= (unsigned long)flag;
            continue;
        }
        /* Joining a user namespace would leave the host's capabilities
         * behind before the cgroups are made: not done. */
        if (flag == CLONE_NEWUSER)
            return mb_fail(err, 0,
                           "config.json: joining a user namespace by path is not supported "
                           "(fix: let minibox make the user namespace: no path)");
        spec->join[spec->n_join].type = flag;
        spec->join[spec->n_join++].path = (char *)path;
    }
    if (!(spec->namespaces & CLONE_NEWNS))
        for (size_t j = 0; j < spec->n_join; j++)
            if (spec->join[j].type == CLONE_NEWNS)
                return 0; /* a joined mount namespace: its root is used as it is */
    if (!(spec->namespaces & CLONE_NEWNS))
        return mb_fail(err, 0,
                       "config.json: linux.namespaces has no mount namespace: minibox sets the "
                       "container's root up only in one of its own");
    return 0;
}

static int id_maps(json_t *list, const char *what, struct id_range *ranges, int *n, mb_error *err)
{
    size_t i;
    json_t *m;

    if (json_array_size(list) > USERNS_MAX_RANGES)
        return mb_fail(err, 0, "config.json: %s has more than %d entries (the kernel's limit)",
                       what, USERNS_MAX_RANGES);
    json_array_foreach (list, i, m) {
        json_t *in = json_object_get(m, "containerID"), *out = json_object_get(m, "hostID"),
               *size = json_object_get(m, "size");

        if (!json_is_integer(in) || !json_is_integer(out) || !json_is_integer(size) ||
            json_integer_value(size) <= 0)
            return mb_fail(err, 0, "config.json: %s[%zu] needs containerID, hostID and size", what,
                           i);
        ranges[i] = (struct id_range){(unsigned long)json_integer_value(in),
                                      (unsigned long)json_integer_value(out),
                                      (unsigned long)json_integer_value(size)};
    }
    *n = (int)json_array_size(list);
    return 0;
}

static int user_namespace(json_t *linux_, struct container_config *cfg, mb_error *err)
{
    struct userns_plan *plan = &cfg->userns;
    int ret;

    if (!(cfg->spec.namespaces & CLONE_NEWUSER)) {
        plan->mode = USERNS_HOST;
        return 0;
    }
    plan->mode = USERNS_GIVEN;
    ret = id_maps(json_object_get(linux_, "uidMappings"), "linux.uidMappings", plan->uids,
                  &plan->n_uids, err);
    if (ret == 0)
        ret = id_maps(json_object_get(linux_, "gidMappings"), "linux.gidMappings", plan->gids,
                      &plan->n_gids, err);
    if (ret == 0 && (plan->n_uids == 0 || plan->n_gids == 0))
        return mb_fail(err, 0,
                       "config.json: a user namespace needs linux.uidMappings and gidMappings");
    return ret;
}

static int mounts(json_t *list, const char *bundle, struct spec_config *spec, mb_error *err)
{
    size_t i;
    json_t *entry;

    if (list != NULL && !json_is_array(list))
        return mb_fail(err, 0, "config.json: mounts must be an array");
    spec->mounts = calloc(json_array_size(list) + 1, sizeof(*spec->mounts));
    if (spec->mounts == NULL)
        return mb_fail(err, ENOMEM, "config.json: mounts");
    json_array_foreach (list, i, entry) {
        struct mount_entry *m = &spec->mounts[spec->n_mounts++];
        const char *source = str(entry, "source"), *type = str(entry, "type");
        char **options = NULL;
        int ret;

        m->target = (char *)str(entry, "destination");
        if (m->target == NULL || m->target[0] != '/')
            return mb_fail(err, 0, "config.json: mounts[%zu].destination must be absolute", i);
        ret = string_vector(json_object_get(entry, "options"), "mount options", &options, err);
        for (char **o = options; ret == 0 && o != NULL && *o != NULL; o++)
            ret = mount_option(*o, m, err);
        free(options);
        if (ret < 0)
            return ret;
        m->bind |= type != NULL && strcmp(type, "bind") == 0;
        m->fstype = m->bind ? NULL : (char *)(type ? type : "none");
        /* A bind source relative to the bundle is the bundle's. */
        if (m->bind && (source == NULL || source[0] != '/')) {
            char path[PATH_MAX];

            if (path_format(path, sizeof(path), err, "%s/%s", bundle, source ? source : "") < 0)
                return -1;
            m->source = strdup(path);
        } else {
            m->source = strdup(source ? source : "none");
        }
        if (m->source == NULL)
            return mb_fail(err, ENOMEM, "config.json: mounts");
    }
    return 0;
}

static int device_rule(json_t *r, struct device_rule *rule, mb_error *err)
{
    const char *type = str(r, "type"), *access = str(r, "access");
    json_t *major = json_object_get(r, "major"), *minor = json_object_get(r, "minor");

    rule->type = type ? type[0] : 'a';
    rule->major = json_is_integer(major) ? json_integer_value(major) : DEVICE_ANY;
    rule->minor = json_is_integer(minor) ? json_integer_value(minor) : DEVICE_ANY;
    rule->allow = json_is_true(json_object_get(r, "allow"));
    rule->access = 0;
    for (const char *a = access ? access : "rwm"; *a != '\0'; a++)
        rule->access |= *a == 'r'   ? DEVICE_READ
                        : *a == 'w' ? DEVICE_WRITE
                        : *a == 'm' ? DEVICE_MKNOD
                                    : 0;
    if (strchr("abc", rule->type) == NULL || (type && type[1] != '\0'))
        return mb_fail(err, 0, "config.json: bad device rule type '%s'", type);
    return 0;
}

/* The config's rules, a rule for each of its nodes, then the defaults (as
 * runc orders them: the last match decides, so the standard nodes always
 * open); nothing that no rule allows opens. */
static int devices(json_t *linux_, struct spec_config *spec, mb_error *err)
{
    json_t *rules = json_object_get(json_object_get(linux_, "resources"), "devices");
    json_t *nodes = json_object_get(linux_, "devices"), *v;
    size_t i, n = json_array_size(rules) + json_array_size(nodes) + device_rules_default_count;

    spec->device_rules = calloc(n, sizeof(*spec->device_rules));
    spec->nodes = calloc(json_array_size(nodes) + 1, sizeof(*spec->nodes));
    if (spec->device_rules == NULL || spec->nodes == NULL)
        return mb_fail(err, ENOMEM, "config.json: devices");
    json_array_foreach (rules, i, v)
        if (device_rule(v, &spec->device_rules[spec->n_device_rules++], err) < 0)
            return -1;
    json_array_foreach (nodes, i, v) {
        struct device_node *d = &spec->nodes[spec->n_nodes++];
        const char *type = str(v, "type");
        json_t *mode = json_object_get(v, "fileMode");

        d->path = (char *)str(v, "path");
        if (d->path == NULL || d->path[0] != '/' || strstr(d->path, "..") != NULL || type == NULL ||
            strchr("cubp", type[0]) == NULL)
            return mb_fail(err, 0,
                           "config.json: linux.devices[%zu] needs an absolute path and "
                           "a type c, b, u or p",
                           i);
        d->mode = (json_is_integer(mode) ? (mode_t)json_integer_value(mode) & 07777 : 0666) |
                  (type[0] == 'b'   ? S_IFBLK
                   : type[0] == 'p' ? S_IFIFO
                                    : S_IFCHR);
        d->rdev = makedev(json_integer_value(json_object_get(v, "major")),
                          json_integer_value(json_object_get(v, "minor")));
        d->uid = (uid_t)json_integer_value(json_object_get(v, "uid"));
        d->gid = (gid_t)json_integer_value(json_object_get(v, "gid"));
        if (type[0] != 'p')
            spec->device_rules[spec->n_device_rules++] = (struct device_rule){
                type[0] == 'b' ? 'b' : 'c', major(d->rdev), minor(d->rdev), DEVICE_RWM, true};
    }
    /* The defaults without their leading "deny all". */
    for (i = 1; i < device_rules_default_count; i++)
        spec->device_rules[spec->n_device_rules++] = device_rules_default[i];
    return 0;
}

static int sysctls(json_t *object, struct spec_config *spec, mb_error *err)
{
    const char *key;
    json_t *value;
    size_t n = 0;

    spec->sysctl = calloc(json_object_size(object) + 1, sizeof(*spec->sysctl));
    if (spec->sysctl == NULL)
        return mb_fail(err, ENOMEM, "config.json: linux.sysctl");
    json_object_foreach (object, key, value) {
        mb_error why = {.msg = "its value must be a string"};

        if (!json_is_string(value) || hardening_sysctl_allowed(key, spec->namespaces, &why) < 0)
            return mb_fail(err, 0, "config.json: sysctl '%s': %s", key, why.msg);
        if (asprintf(&spec->sysctl[n++], "%s=%s", key, json_string_value(value)) < 0)
            return mb_fail(err, ENOMEM, "config.json: linux.sysctl");
    }
    return 0;
}

static int64_t integer(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static int throttles(json_t *blkio, struct limits_spec *s, mb_error *err)
{
    static const struct {
        const char *json, *file, *key;
    } kinds[] = {
        {"throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"},
        {"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"},
        {"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"},
        {"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"},
    };
    size_t n = 1;

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        n += json_array_size(json_object_get(blkio, kinds[k].json));
    s->throttles = calloc(n, sizeof(*s->throttles));
    if (s->throttles == NULL)
        return mb_fail(err, ENOMEM, "config.json: blockIO");
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        size_t i;
        json_t *t;

        json_array_foreach (json_object_get(blkio, kinds[k].json), i, t) {
            s->throttles[s->n_throttles++] = (struct blkio_throttle){
                kinds[k].file, kinds[k].key, (unsigned long)integer(t, "major"),
                (unsigned long)integer(t, "minor"), (uint64_t)integer(t, "rate")};
        }
    }
    return 0;
}

int oci_spec_resources(json_t *resources, struct limits *limits, mb_error *err)
{
    json_t *memory = json_object_get(resources, "memory"), *cpu = json_object_get(resources, "cpu");
    json_t *blkio = json_object_get(resources, "blockIO"), *huge, *h;
    struct limits_spec *s = &limits->spec;
    size_t i;

    s->given = true;
    s->memory_swappiness = -1;
    if (integer(memory, "limit") > 0)
        limits->memory_bytes = (uint64_t)integer(memory, "limit");
    s->memory_swap = integer(memory, "swap");
    s->memory_reservation = integer(memory, "reservation");
    if (json_is_integer(json_object_get(memory, "swappiness")))
        s->memory_swappiness = integer(memory, "swappiness");
    s->disable_oom_killer = json_is_true(json_object_get(memory, "disableOOMKiller"));
    s->cpu_shares = (uint64_t)integer(cpu, "shares");
    s->cpu_period = (uint64_t)integer(cpu, "period");
    limits->cpu_quota_us = (long)integer(cpu, "quota");
    s->cpus = (char *)str(cpu, "cpus");
    s->mems = (char *)str(cpu, "mems");
    limits->pids_max = (long)integer(json_object_get(resources, "pids"), "limit");
    if (limits->pids_max < 0)
        limits->pids_max = 0;
    s->blkio_weight = (unsigned)integer(blkio, "weight");
    if (throttles(blkio, s, err) < 0)
        return -1;
    huge = json_object_get(resources, "hugepageLimits");
    s->hugetlb = calloc(json_array_size(huge) + 1, sizeof(*s->hugetlb));
    if (s->hugetlb == NULL)
        return mb_fail(err, ENOMEM, "config.json: hugepageLimits");
    json_array_foreach (huge, i, h) {
        const char *size = str(h, "pageSize");

        if (size == NULL || path_format(s->hugetlb[s->n_hugetlb].page_size,
                                        sizeof(s->hugetlb[0].page_size), err, "%s", size) < 0)
            return mb_fail(err, 0, "config.json: hugepageLimits[%zu].pageSize", i);
        s->hugetlb[s->n_hugetlb++].bytes = (uint64_t)integer(h, "limit");
    }
    return 0;
}

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
#define RLIMIT(name)                                                                               \
    {                                                                                              \
        "RLIMIT_" #name, RLIMIT_##name                                                             \
    }
    RLIMIT(AS),     RLIMIT(CORE),   RLIMIT(CPU),        RLIMIT(DATA),
    RLIMIT(FSIZE),  RLIMIT(LOCKS),  RLIMIT(MEMLOCK),    RLIMIT(MSGQUEUE),
    RLIMIT(NICE),   RLIMIT(NOFILE), RLIMIT(NPROC),      RLIMIT(RSS),
    RLIMIT(RTPRIO), RLIMIT(RTTIME), RLIMIT(SIGPENDING), RLIMIT(STACK),
#undef RLIMIT
};

static int rlimits(json_t *list, struct process_config *proc, mb_error *err)
{
    size_t i;
    json_t *r;

    proc->rlimits = calloc(json_array_size(list) + 1, sizeof(*proc->rlimits));
    if (proc->rlimits == NULL)
        return mb_fail(err, ENOMEM, "config.json: rlimits");
    json_array_foreach (list, i, r) {
        const char *type = str(r, "type");
        int resource = -1;

        for (size_t k = 0; type && k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
            if (strcmp(type, rlimit_names[k].name) == 0)
                resource = rlimit_names[k].resource;
        if (resource < 0)
            return mb_fail(err, 0, "config.json: unknown rlimit '%s'", type ? type : "(none)");
        proc->rlimits[proc->n_rlimits++] =
            (struct rlimit_value){resource, (unsigned long long)integer(r, "soft"),
                                  (unsigned long long)integer(r, "hard")};
    }
    return 0;
}

static int caps_mask_of(json_t *names, cap_mask *mask, mb_error *err)
{
    size_t i;
    json_t *value;

    *mask = 0;
    json_array_foreach (names, i, value) {
        const char *name = json_string_value(value);
        int cap = caps_from_name(name ? name : "", err);

        if (cap == -2)
            *mask = caps_all();
        else if (cap < 0)
            return mb_fail(err, 0, "config.json: unknown capability '%s'",
                           name ? name : "(not a string)");
        else
            *mask |= CAP_BIT(cap);
    }
    return 0;
}

static int capabilities(json_t *caps, struct hardening_config *h, mb_error *err)
{
    static const char *const names[] = {"bounding", "effective", "permitted", "inheritable",
                                        "ambient"};
    cap_mask *masks[] = {&h->caps_sets.bounding, &h->caps_sets.effective, &h->caps_sets.permitted,
                         &h->caps_sets.inheritable, &h->caps_sets.ambient};

    h->caps_sets_given = true;
    for (size_t i = 0; i < 5; i++)
        if (caps_mask_of(json_object_get(caps, names[i]), masks[i], err) < 0)
            return -1;
    h->caps = h->caps_sets.bounding;
    return 0;
}

int oci_spec_process(json_t *process, struct container_config *cfg, mb_error *err)
{
    struct process_config *proc = &cfg->process;
    json_t *user = json_object_get(process, "user"),
           *extra = json_object_get(user, "additionalGids");
    const char *cwd = str(process, "cwd");
    json_t *v;
    size_t i;
    int ret;

    if (!json_is_object(process))
        return mb_fail(err, 0, "config.json: no process object");
    ret =
        string_vector(json_object_get(process, "args"), "process.args", (char ***)&cfg->argv, err);
    if (ret == 0 && (cfg->argv == NULL || cfg->argv[0] == NULL))
        ret = mb_fail(err, 0, "config.json: process.args must be a non-empty array of strings");
    if (ret == 0)
        ret = string_vector(json_object_get(process, "env"), "process.env", &proc->env, err);
    if (ret < 0)
        return ret;
    while (proc->env != NULL && proc->env[proc->n_env] != NULL)
        proc->n_env++;
    proc->env_exact = true;
    if (cwd != NULL && cwd[0] != '/')
        return mb_fail(err, 0, "config.json: process.cwd must be an absolute path");
    proc->workdir = cwd ? cwd : "/";
    proc->ids_given = true;
    proc->uid = (uid_t)integer(user, "uid");
    proc->gid = (gid_t)integer(user, "gid");
    proc->groups = calloc(json_array_size(extra) + 1, sizeof(*proc->groups));
    if (proc->groups == NULL)
        return mb_fail(err, ENOMEM, "config.json: additionalGids");
    json_array_foreach (extra, i, v)
        proc->groups[proc->n_groups++] = (gid_t)json_integer_value(v);
    proc->umask_given = json_is_integer(json_object_get(user, "umask"));
    proc->umask = (mode_t)integer(user, "umask") & 0777;
    proc->oom_score_adj_given = json_is_integer(json_object_get(process, "oomScoreAdj"));
    proc->oom_score_adj = (int)integer(process, "oomScoreAdj");
    proc->terminal = json_is_true(json_object_get(process, "terminal"));
    cfg->hardening.allow_new_privs = !json_is_true(json_object_get(process, "noNewPrivileges"));
    ret = rlimits(json_object_get(process, "rlimits"), proc, err);
    if (ret < 0)
        return ret;
    return capabilities(json_object_get(process, "capabilities"), &cfg->hardening, err);
}

int oci_spec_load(const char *bundle, json_t **config, mb_error *err)
{
    char path[PATH_MAX];
    json_error_t jerr;

    if (path_format(path, sizeof(path), err, "%s/config.json", bundle) < 0)
        return -1;
    *config = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (*config == NULL)
        return mb_fail(err, 0, "%s: %s (line %d)", path, jerr.text, jerr.line);
    if (!json_is_object(*config) || !json_is_string(json_object_get(*config, "ociVersion")) ||
        str(json_object_get(*config, "root"), "path") == NULL)
        return mb_fail(err, 0, "%s: needs ociVersion and root.path", path);
    return 0;
}

/* linux.cgroupsPath; with --systemd-cgroup "slice:prefix:name" is placed
 * where systemd would put it: a-b.slice nests in a.slice (as kubelet's
 * kubepods-besteffort-podUID.slice does), the scope is prefix-name.scope.
 * None: /minibox-ID. */
static int cgroup_path(const char *given, bool systemd, const char *id, char **out, mb_error *err)
{
    char slice[256], prefix[256], name[256], path[1024] = "";
    size_t used = 0, end;
    int n = -1;

    if (given == NULL || given[0] == '\0')
        n = asprintf(out, "/minibox-%s", id);
    else if (!systemd)
        n = asprintf(out, "%s", given);
    else if (sscanf(given, "%255[^:]:%255[^:]:%255s", slice, prefix, name) != 3 ||
             (end = strlen(slice)) < 7 || strcmp(slice + end - 6, ".slice") != 0)
        return mb_fail(err, 0, "bad cgroupsPath '%s': --systemd-cgroup wants slice:prefix:name",
                       given);
    else {
        for (size_t i = 0; i <= end - 6 && strcmp(slice, "-.slice") != 0; i++)
            if ((i == end - 6 || slice[i] == '-') && used < sizeof(path))
                used += (size_t)snprintf(path + used, sizeof(path) - used, "/%.*s.slice", (int)i,
                                         slice);
        n = used < sizeof(path) ? asprintf(out, "%s/%s-%s.scope", path, prefix, name) : -1;
    }
    if (n < 0)
        return mb_fail(err, used < sizeof(path) ? ENOMEM : ENAMETOOLONG, "cgroupsPath");
    return 0;
}

static unsigned long root_propagation(const char *wanted)
{
    struct mount_entry m = {0};
    mb_error ignored;

    if (wanted == NULL || mount_option(wanted, &m, &ignored) < 0 || m.propagation == 0)
        return MS_PRIVATE | MS_REC;
    free(m.data);
    return m.propagation | MS_REC;
}

static int check_hooks(json_t *hooks, mb_error *err)
{
    const char *stage;
    json_t *list, *hook;
    size_t i;

    json_object_foreach (hooks, stage, list)
        json_array_foreach (list, i, hook) {
            const char *path = str(hook, "path");
            if (path == NULL || path[0] != '/')
                return mb_fail(err, 0, "config.json: hooks.%s[%zu].path must be absolute", stage,
                               i);
        }
    return 0;
}

int oci_spec_translate(json_t *config, const char *bundle, const char *id, bool systemd_cgroup,
                       struct container_config *cfg, mb_error *err)
{
    json_t *linux_ = json_object_get(config, "linux"), *root = json_object_get(config, "root");
    const char *root_path = str(root, "path"), *hostname = str(config, "hostname");
    struct spec_config *spec = &cfg->spec;
    char joined[PATH_MAX];
    int ret;

    spec->given = true;
    spec->fifo_fd = spec->console_fd = -1;
    if (strlen(id) > MB_ID_LEN)
        return mb_fail(err, 0, "bad container id '%.80s...': at most %d characters", id, MB_ID_LEN);
    memcpy(cfg->id, id, strlen(id) + 1);
    if (path_format(joined, sizeof(joined), err, "%s%s%s", root_path[0] == '/' ? "" : bundle,
                    root_path[0] == '/' ? "" : "/", root_path) < 0)
        return -1;
    cfg->rootfs = realpath(joined, NULL);
    if (cfg->rootfs == NULL)
        return mb_fail(err, errno, "root.path %s", root_path);
    if (hostname != NULL &&
        path_format(cfg->hostname, sizeof(cfg->hostname), err, "%s", hostname) < 0)
        return mb_fail(err, 0, "config.json: hostname '%s' is longer than 64 bytes", hostname);
    spec->domainname = (char *)str(config, "domainname");
    cfg->hardening.readonly_rootfs = json_is_true(json_object_get(root, "readonly"));
    cfg->net.mode = NET_HOST; /* its network is the caller's (CNI, slirp4netns, pasta) */
    ret = oci_spec_process(json_object_get(config, "process"), cfg, err);
    if (ret == 0)
        ret = namespaces(json_object_get(linux_, "namespaces"), cfg, err);
    if (ret == 0)
        ret = user_namespace(linux_, cfg, err);
    if (ret == 0)
        ret = mounts(json_object_get(config, "mounts"), bundle, spec, err);
    if (ret == 0)
        ret = devices(linux_, spec, err);
    if (ret == 0)
        ret = sysctls(json_object_get(linux_, "sysctl"), spec, err);
    if (ret == 0)
        ret = string_vector(json_object_get(linux_, "maskedPaths"), "linux.maskedPaths",
                            &spec->masked, err);
    if (ret == 0)
        ret = string_vector(json_object_get(linux_, "readonlyPaths"), "linux.readonlyPaths",
                            &spec->readonly, err);
    if (ret == 0)
        ret = oci_spec_resources(json_object_get(linux_, "resources"), &cfg->limits, err);
    if (ret == 0)
        ret = cgroup_path(str(linux_, "cgroupsPath"), systemd_cgroup, id, &spec->cgroup_path, err);
    if (ret == 0)
        ret = check_hooks(json_object_get(config, "hooks"), err);
    if (ret < 0)
        return ret;
    spec->hooks = json_object_get(config, "hooks");
    spec->root_propagation = root_propagation(str(linux_, "rootfsPropagation"));
    if (json_object_get(linux_, "seccomp") != NULL)
        return seccomp_program_from_oci(json_object_get(linux_, "seccomp"), &cfg->hardening.seccomp,
                                        err);
    return 0;
}

void oci_spec_free(struct container_config *cfg)
{
    struct spec_config *spec = &cfg->spec;

    free(cfg->rootfs);
    free((void *)cfg->argv);
    free(cfg->process.env);
    free(cfg->process.groups);
    free(cfg->process.rlimits);
    free(spec->join);
    for (size_t i = 0; spec->mounts != NULL && i < spec->n_mounts; i++) {
        free(spec->mounts[i].source);
        free(spec->mounts[i].data);
    }
    free(spec->mounts);
    free(spec->nodes);
    free(spec->device_rules);
    free(spec->masked);
    free(spec->readonly);
    for (size_t i = 0; spec->sysctl != NULL && spec->sysctl[i] != NULL; i++)
        free(spec->sysctl[i]);
    free(spec->sysctl);
    free(spec->cgroup_path);
    free(spec->state_json);
    free(cfg->limits.spec.throttles);
    free(cfg->limits.spec.hugetlb);
    seccomp_program_free(&cfg->hardening.seccomp);
}
