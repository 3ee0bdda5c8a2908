/* container_store.c - see container_store.h. */

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
#include "policy.h"

bool container_record_kept(const struct container_config *cfg)
{
    bool keep = cfg->image.config != NULL && !cfg->remove;

    keep |= cfg->keep_record && !cfg->remove;
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
    if (cfg->image.config != NULL && cfg->image_ref != NULL)
        json_object_set_new(record, "image_name", json_string(cfg->image_ref));
    /* Whose it is: a member sees and acts on its own only (policy.h). */
    json_object_set_new(record, "owner", json_integer((json_int_t)policy_owner()));
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
