/* container_store.c - see container_store.h. */
#include "mb_step.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container_store.h"
#include "image_store.h"
#include "util.h"

#if MB_STEP >= 10
static json_t *strings_array(char *const *strings, size_t n)
{
    json_t *array = json_array();

    for (size_t i = 0; strings != NULL && i < n && strings[i] != NULL; i++)
        json_array_append_new(array, json_string(strings[i]));
    return array;
}

/* How the command runs, in Docker's names: what exec repeats. */
static json_t *record_config(const struct container_config *cfg)
{
    json_t *env = strings_array(cfg->image_env, (size_t)-1);

    for (size_t i = 0; i < cfg->process.n_env; i++)
        json_array_append_new(env, json_string(cfg->process.env[i]));
    const char *workdir = cfg->process.workdir ? cfg->process.workdir : cfg->workdir;

    /* Docker's "": the image's or the root's default. */
    return json_pack("{s:o, s:s, s:s, s:s}", "Env", env, "WorkingDir", workdir ? workdir : "",
                     "User", cfg->process.user ? cfg->process.user : "", "Hostname", cfg->hostname);
}

/* What the container may do: what exec applies again, and inspect shows. */
static json_t *record_host_config(const struct container_config *cfg)
{
    const struct hardening_config *h = &cfg->hardening;
    json_t *tmpfs = json_object(), *security = json_array(), *devices = json_array(), *host;
    char caps[32];

    for (size_t i = 0; i < cfg->n_devices; i++) {
        char perms[4];
        const struct device_rule *r = &cfg->devices[i].rule;

        snprintf(perms, sizeof(perms), "%s%s%s", r->access & DEVICE_READ ? "r" : "",
                 r->access & DEVICE_WRITE ? "w" : "", r->access & DEVICE_MKNOD ? "m" : "");
        json_array_append_new(devices,
                              json_pack("{s:s, s:s, s:s}", "PathOnHost", cfg->devices[i].host,
                                        "PathInContainer", cfg->devices[i].container,
                                        "CgroupPermissions", perms));
    }
    for (size_t i = 0; i < cfg->n_tmpfs; i++)
        json_object_set_new(tmpfs, cfg->tmpfs[i].target, json_string(cfg->tmpfs[i].options));
    if (h->seccomp_unconfined)
        json_array_append_new(security, json_string("seccomp=unconfined"));
    if (h->allow_new_privs)
        json_array_append_new(security, json_string("no-new-privileges=false"));
    snprintf(caps, sizeof(caps), "%016llx", (unsigned long long)h->caps);
    host = json_pack("{s:o, s:o, s:s, s:b, s:b, s:b, s:b, s:o, s:o, s:I, s:I, s:I}", "CapAdd",
                     strings_array((char *const *)h->cap_add, (size_t)h->n_cap_add), "CapDrop",
                     strings_array((char *const *)h->cap_drop, (size_t)h->n_cap_drop),
                     "Capabilities", caps, "Privileged", h->privileged, "ReadonlyRootfs",
                     h->readonly_rootfs, "Seccomp", !h->privileged && !h->seccomp_unconfined,
                     "NoNewPrivileges", !h->allow_new_privs, "SecurityOpt", security, "Tmpfs",
                     tmpfs, "Memory", (json_int_t)cfg->limits.memory_bytes, "PidsLimit",
                     (json_int_t)cfg->limits.pids_max, "CpuQuota",
                     (json_int_t)cfg->limits.cpu_quota_us);
    json_object_set_new(host, "Devices", devices);
    return host;
}
#endif

int container_record_write(const struct container_config *cfg, const char *state_dir, mb_error *err)
{
    char path[4300], created[32];
    json_t *record, *cmd = json_array();
    time_t now = time(NULL);
    char *text;
    int ret, keep;

    for (char *const *a = cfg->argv; *a != NULL; a++)
        json_array_append_new(cmd, json_string(*a));
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    /* keep: the record outlives the run (an image container's layer for
     * commit; from chapter 9 whatever the daemon ran, until rm). */
    keep = cfg->image.config != NULL && !cfg->remove;
#if MB_STEP >= 9
    keep |= cfg->keep_record && !cfg->remove;
#endif
    record = json_pack("{s:s, s:s?, s:s, s:o, s:s, s:b}", "id", cfg->id, "name", cfg->name, "image",
                       cfg->image.config ? cfg->image.id : cfg->rootfs, "command", cmd, "created",
                       created, "keep", keep);
#if MB_STEP >= 9
    if (cfg->image.config != NULL && cfg->image_ref != NULL)
        json_object_set_new(record, "image_name", json_string(cfg->image_ref));
#endif
#if MB_STEP >= 10
    json_object_set_new(record, "config", record_config(cfg));
    json_object_set_new(record, "host_config", record_host_config(cfg));
#endif
    text = json_dumps(record, JSON_INDENT(2));
    json_decref(record);
    if (text == NULL)
        return mb_fail(err, ENOMEM, "container.json");
    snprintf(path, sizeof(path), "%s/container.json", state_dir);
#if MB_STEP >= 10
    ret = keep ? store_write_atomic(path, text, strlen(text), err)
               : store_write_runtime(path, text, strlen(text), err);
#else
    ret = store_write_atomic(path, text, strlen(text), err);
#endif
    free(text);
    return ret;
}

static json_t *container_record(const char *dir)
{
    char path[4300];

    snprintf(path, sizeof(path), "%s/container.json", dir);
    return json_load_file(path, 0, NULL);
}

#if MB_STEP >= 10
json_t *container_record_read(const char *dir)
{
    return container_record(dir);
}
#endif

int container_store_create(const struct container_config *cfg, const char *state_dir, mb_error *err)
{
    static const char *const dirs[] = {"upper", "work", "rootfs"};
    char path[4300];

    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", state_dir, dirs[i]);
        if (mkdir(path, 0755) < 0)
            return mb_fail(err, errno, "create %s", path);
    }
    return container_record_write(cfg, state_dir, err);
}

#if MB_STEP >= 9
void container_pid_write(const char *dir, pid_t pid)
{
    char path[4300], text[32];
    mb_error ignored;

    snprintf(path, sizeof(path), "%s/pid", dir);
    snprintf(text, sizeof(text), "%d\n", (int)pid);
#if MB_STEP >= 10
    store_write_runtime(path, text, strlen(text), &ignored);
#else
    store_write_atomic(path, text, strlen(text), &ignored);
#endif
}

pid_t container_pid_read(const char *dir)
{
    char path[4300];
    long pid = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/pid", dir);
    f = fopen(path, "re");
    if (f != NULL && fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    if (f != NULL)
        fclose(f);
    return (pid_t)pid;
}

int container_log_redirect(const char *dir, mb_error *err)
{
    char path[4300];
    int fd, null;

    snprintf(path, sizeof(path), "%s/log", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
        return mb_fail(err, errno, "open the log %s", path);
    close(fd);
    close(null);
    return 0;
}

void container_status_write(const char *dir, int status, int oom)
{
    char path[4300], text[64];
    mb_error ignored;

    snprintf(path, sizeof(path), "%s/status.json", dir);
    snprintf(text, sizeof(text), "{\"exit\": %d, \"oom\": %s}\n", status, oom ? "true" : "false");
    store_write_atomic(path, text, strlen(text), &ignored);
}
#endif

int container_find(const char *root, const char *ref, char *dir, size_t len, char *id,
                   mb_error *err)
{
    char containers[4200], path[4500];
    struct dirent *e;
    int found = 0;
    DIR *d;

    snprintf(containers, sizeof(containers), "%s/containers", root);
    d = opendir(containers);
    while (d != NULL && (e = readdir(d)) != NULL) {
        json_t *rec;
        const char *name;
        int match;

        if (strlen(e->d_name) != 64)
            continue;
        snprintf(path, sizeof(path), "%s/%s", containers, e->d_name);
        rec = container_record(path);
        name = json_string_value(json_object_get(rec, "name"));
        match = (name != NULL && strcmp(name, ref) == 0) ||
                (strlen(ref) >= 4 && strncmp(e->d_name, ref, strlen(ref)) == 0);
        json_decref(rec);
        if (match) {
            snprintf(dir, len, "%s", path);
            snprintf(id, 65, "%s", e->d_name);
            found++;
        }
    }
    if (d != NULL)
        closedir(d);
    if (found == 0)
        return mb_fail(err, 0, "no container '%s'", ref);
    if (found > 1)
        return mb_fail(err, 0, "'%s' names %d containers: give more of the id", ref, found);
    return 0;
}

int container_name_taken(const char *root, const char *name)
{
    char dir[4500], id[65];
    mb_error ignored;

    return container_find(root, name, dir, sizeof(dir), id, &ignored) == 0;
}

int container_running(const char *dir)
{
    char path[4300];
    cleanup_fd int fd = -1;

    snprintf(path, sizeof(path), "%s/lock", dir);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
}

int container_remove_dir(const char *dir, mb_error *err)
{
    if (remove_tree(dir) < 0)
        return mb_fail(err, errno, "remove %s", dir);
    return 0;
}
