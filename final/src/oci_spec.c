/* oci_spec.c - see oci_spec.h. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "oci_spec.h"

static const struct {
    const char *type;
    int flag;
} namespace_types[] = {
    {"pid", CLONE_NEWPID},       {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP},
};

int oci_namespace_flag(const char *type, int *flag, mb_error *err)
{
    for (size_t i = 0; type != NULL && i < sizeof(namespace_types) / sizeof(namespace_types[0]);
         i++)
        if (strcmp(type, namespace_types[i].type) == 0) {
            *flag = namespace_types[i].flag;
            return 0;
        }
    return mb_fail(err, 0, "config.json: unknown namespace type '%s'", type ? type : "(none)");
}

static const struct {
    const char *name;
    unsigned long flag;
    bool clear;
} mount_flags[] = {
    {"ro", MS_RDONLY, false},           {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},       {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},         {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},       {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},    {"async", MS_SYNCHRONOUS, true},
    {"noatime", MS_NOATIME, false},     {"atime", MS_NOATIME, true},
    {"nodiratime", MS_NODIRATIME, 0},   {"diratime", MS_NODIRATIME, true},
    {"relatime", MS_RELATIME, false},   {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, 0}, {"nostrictatime", MS_STRICTATIME, true},
    {"mand", MS_MANDLOCK, false},       {"nomand", MS_MANDLOCK, true},
    {"dirsync", MS_DIRSYNC, false},     {"remount", MS_REMOUNT, false},
};

static const struct {
    const char *name;
    unsigned long flag;
} propagation_flags[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static bool mount_flag(const char *opt, struct oci_mount_options *out)
{
    for (size_t i = 0; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++)
        if (strcmp(opt, mount_flags[i].name) == 0) {
            if (mount_flags[i].clear)
                out->flags &= ~mount_flags[i].flag;
            else
                out->flags |= mount_flags[i].flag;
            return true;
        }
    for (size_t i = 0; i < sizeof(propagation_flags) / sizeof(propagation_flags[0]); i++)
        if (strcmp(opt, propagation_flags[i].name) == 0) {
            out->propagation = propagation_flags[i].flag;
            return true;
        }
    if (strcmp(opt, "bind") == 0 || strcmp(opt, "rbind") == 0) {
        out->bind = true;
        out->recursive = opt[0] == 'r';
        return true;
    }
    return false;
}

int oci_mount_options_parse(json_t *options, struct oci_mount_options *out, mb_error *err)
{
    size_t i, used = 0;
    json_t *value;

    memset(out, 0, sizeof(*out));
    if (options != NULL && !json_is_array(options))
        return mb_fail(err, 0, "config.json: mount options must be an array");
    json_array_foreach(options, i, value)
    {
        const char *opt = json_string_value(value);
        int n;

        if (opt == NULL)
            return mb_fail(err, 0, "config.json: mount options must be strings");
        if (mount_flag(opt, out))
            continue;
        /* Anything else is the filesystem's own: "mode=755", "size=64k". */
        n = snprintf(out->data + used, sizeof(out->data) - used, "%s%s", used ? "," : "", opt);
        if (n < 0 || (size_t)n >= sizeof(out->data) - used)
            return mb_fail(err, 0, "config.json: mount options too long");
        used += (size_t)n;
    }
    return 0;
}

#define RLIMIT(name)                                                                               \
    {                                                                                              \
        "RLIMIT_" #name, RLIMIT_##name                                                             \
    }
static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    RLIMIT(AS),     RLIMIT(CORE),   RLIMIT(CPU),        RLIMIT(DATA),
    RLIMIT(FSIZE),  RLIMIT(LOCKS),  RLIMIT(MEMLOCK),    RLIMIT(MSGQUEUE),
    RLIMIT(NICE),   RLIMIT(NOFILE), RLIMIT(NPROC),      RLIMIT(RSS),
    RLIMIT(RTPRIO), RLIMIT(RTTIME), RLIMIT(SIGPENDING), RLIMIT(STACK),
};

int oci_rlimit_resource(const char *name, int *resource, mb_error *err)
{
    for (size_t i = 0; name != NULL && i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
        if (strcmp(name, rlimit_names[i].name) == 0) {
            *resource = rlimit_names[i].resource;
            return 0;
        }
    return mb_fail(err, 0, "config.json: unknown rlimit '%s'", name ? name : "(none)");
}

static int caps_mask_of(json_t *names, cap_mask *mask, mb_error *err)
{
    size_t i;
    json_t *value;

    *mask = 0;
    json_array_foreach(names, i, value)
    {
        int cap = caps_from_name(json_string_value(value) ? json_string_value(value) : "", err);

        if (cap == -2) {
            *mask = caps_all();
            continue;
        }
        if (cap < 0)
            return mb_fail(err, 0, "config.json: unknown capability '%s'",
                           json_string_value(value) ? json_string_value(value) : "(not a string)");
        *mask |= CAP_BIT(cap);
    }
    return 0;
}

int oci_caps_sets(json_t *capabilities, struct caps_sets *sets, mb_error *err)
{
    static const char *const names[] = {"bounding", "effective", "permitted", "inheritable",
                                        "ambient"};
    cap_mask *masks[] = {&sets->bounding, &sets->effective, &sets->permitted, &sets->inheritable,
                         &sets->ambient};

    for (size_t i = 0; i < 5; i++) {
        int ret = caps_mask_of(json_object_get(capabilities, names[i]), masks[i], err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int check_strings(json_t *array, const char *what, bool non_empty, mb_error *err)
{
    size_t i;
    json_t *value;

    if (array == NULL && !non_empty)
        return 0;
    if (!json_is_array(array) || (non_empty && json_array_size(array) == 0))
        return mb_fail(err, 0, "config.json: %s must be a%s array of strings", what,
                       non_empty ? " non-empty" : "n");
    json_array_foreach(array, i, value)
    {
        if (!json_is_string(value))
            return mb_fail(err, 0, "config.json: %s must be an array of strings", what);
    }
    return 0;
}

int oci_spec_check_process(json_t *process, mb_error *err)
{
    struct caps_sets sets;
    json_t *rlimit, *cwd = json_object_get(process, "cwd");
    size_t i;
    int ret, resource;

    if (!json_is_object(process))
        return mb_fail(err, 0, "config.json: no process object");
    ret = check_strings(json_object_get(process, "args"), "process.args", true, err);
    if (ret < 0)
        return ret;
    ret = check_strings(json_object_get(process, "env"), "process.env", false, err);
    if (ret < 0)
        return ret;
    if (cwd != NULL && (!json_is_string(cwd) || json_string_value(cwd)[0] != '/'))
        return mb_fail(err, 0, "config.json: process.cwd must be an absolute path");
    json_array_foreach(json_object_get(process, "rlimits"), i, rlimit)
    {
        ret =
            oci_rlimit_resource(json_string_value(json_object_get(rlimit, "type")), &resource, err);
        if (ret < 0)
            return ret;
    }
    return oci_caps_sets(json_object_get(process, "capabilities"), &sets, err);
}

static int check_linux(json_t *linux_, mb_error *err)
{
    json_t *ns;
    size_t i;
    int flag, ret;

    json_array_foreach(json_object_get(linux_, "namespaces"), i, ns)
    {
        ret = oci_namespace_flag(json_string_value(json_object_get(ns, "type")), &flag, err);
        if (ret < 0)
            return ret;
    }
    ret = check_strings(json_object_get(linux_, "maskedPaths"), "linux.maskedPaths", false, err);
    if (ret < 0)
        return ret;
    ret =
        check_strings(json_object_get(linux_, "readonlyPaths"), "linux.readonlyPaths", false, err);
    if (ret < 0)
        return ret;
    return 0;
}

static int check_mounts(json_t *mounts, mb_error *err)
{
    struct oci_mount_options options;
    json_t *mount;
    size_t i;

    if (mounts != NULL && !json_is_array(mounts))
        return mb_fail(err, 0, "config.json: mounts must be an array");
    json_array_foreach(mounts, i, mount)
    {
        const char *dest = json_string_value(json_object_get(mount, "destination"));
        int ret;

        if (dest == NULL || dest[0] != '/')
            return mb_fail(err, 0, "config.json: mounts[%zu].destination must be absolute", i);
        ret = oci_mount_options_parse(json_object_get(mount, "options"), &options, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int oci_spec_load(const char *bundle, json_t **config, mb_error *err)
{
    char path[4200];
    json_error_t jerr;
    json_t *root;
    int ret;

    snprintf(path, sizeof(path), "%s/config.json", bundle);
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return mb_fail(err, 0, "%s: %s (line %d)", path, jerr.text, jerr.line);
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "ociVersion")) ||
        !json_is_string(json_object_get(json_object_get(root, "root"), "path"))) {
        json_decref(root);
        return mb_fail(err, 0, "%s: needs ociVersion and root.path", path);
    }
    ret = oci_spec_check_process(json_object_get(root, "process"), err);
    if (ret == 0)
        ret = check_mounts(json_object_get(root, "mounts"), err);
    if (ret == 0)
        ret = check_linux(json_object_get(root, "linux"), err);
    if (ret < 0) {
        json_decref(root);
        return ret;
    }
    *config = root;
    return 0;
}
