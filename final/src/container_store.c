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
#if MB_STEP >= 9
#include "policy.h"
#endif

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
    /* The ids of a user namespace container on the host (Docker's
     * IdMappings), its own range with --userns=auto. */
    if (cfg->userns.mode != USERNS_HOST) {
        json_t *maps = json_object();

        for (int g = 0; g < 2; g++) {
            const struct id_range *r = g ? cfg->userns.gids : cfg->userns.uids;
            json_t *list = json_array();

            for (int i = 0; i < (g ? cfg->userns.n_gids : cfg->userns.n_uids); i++)
                json_array_append_new(list, json_pack("{s:I, s:I, s:I}", "ContainerID",
                                                      (json_int_t)r[i].inside, "HostID",
                                                      (json_int_t)r[i].outside, "Size",
                                                      (json_int_t)r[i].count));
            json_object_set_new(maps, g ? "GidMap" : "UidMap", list);
        }
        json_object_set_new(host, "IdMappings", maps);
    }
    return host;
}
#endif

bool container_record_kept(const struct container_config *cfg)
{
    bool keep = cfg->image.config != NULL && !cfg->remove;

#if MB_STEP >= 9
    keep |= cfg->keep_record && !cfg->remove;
#endif
    return keep;
}

int container_record_write(const struct container_config *cfg, const struct container_state *state,
                           mb_error *err)
{
    char created[32];
    json_t *record, *cmd = json_array();
    time_t now = time(NULL);
    bool keep = container_record_kept(cfg);
    char *text;
    int ret;

    for (char *const *a = cfg->argv; *a != NULL; a++)
        json_array_append_new(cmd, json_string(*a));
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    record = json_pack("{s:s, s:s?, s:s, s:o, s:s, s:b}", "id", cfg->id, "name", cfg->name, "image",
                       cfg->image.config ? cfg->image.id : cfg->rootfs, "command", cmd, "created",
                       created, "keep", keep);
#if MB_STEP >= 9
    if (cfg->image.config != NULL && cfg->image_ref != NULL)
        json_object_set_new(record, "image_name", json_string(cfg->image_ref));
    /* Whose it is: a member sees and acts on its own only (policy.h). */
    json_object_set_new(record, "owner", json_integer((json_int_t)policy_owner()));
#endif
#if MB_STEP >= 10
    json_object_set_new(record, "config", record_config(cfg));
    json_object_set_new(record, "host_config", record_host_config(cfg));
#endif
    text = json_dumps(record, JSON_INDENT(2));
    json_decref(record);
    if (text == NULL)
        return mb_fail(err, ENOMEM, "container.json");
    /* A kept record must survive a crash; a run's own only its run. */
    ret = state_write(state, "container.json", text, keep, err);
    free(text);
    return ret;
}

int container_store_create(const struct container_config *cfg, const struct container_state *state,
                           mb_error *err)
{
    static const char *const dirs[] = {"upper", "work", "rootfs"};

    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (mkdirat(state->fd, dirs[i], 0755) < 0)
            return mb_fail(err, errno, "create %s/%s", state->dir, dirs[i]);
    return container_record_write(cfg, state, err);
}
