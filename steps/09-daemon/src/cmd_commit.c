/*
 * cmd_commit.c - `minibox commit CONTAINER NAME[:TAG]` (chapter 8): the
 * container's writable layer becomes a new layer on top of its image.
 */

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "state.h"
#include "image_store.h"
#include "layer.h"
#include "util.h"

int cmd_commit(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    char upper[PATH_MAX + 8], hex[65], diff[72], new_id[72], created[32];
    cleanup_fd int lock = -1;
    time_t now = time(NULL);
    struct container_state dir;
    struct layer layer = {.dir = ""};
    struct image base;
    json_t *record, *config;
    int ret;

    if (argc != 3)
        return mb_fail(err, 0, "usage: minibox commit CONTAINER NAME[:TAG]");
    if (state_open(globals->root, argv[1], &dir, err) < 0)
        return -1;
    record = state_record(&dir);
    snprintf(upper, sizeof(upper), "%s/upper", dir.dir);
    state_close(&dir);
    if (record == NULL ||
        strncmp(json_string_value(json_object_get(record, "image")) ?: "", "sha256:", 7) != 0) {
        json_decref(record);
        return mb_fail(err, 0, "container %.12s was not made from an image: nothing to commit",
                       dir.id);
    }
    ret = image_resolve(globals->root, json_string_value(json_object_get(record, "image")), &base,
                        err);
    json_decref(record);
    if (ret < 0)
        return ret;
        /* The layer is read (by fds, through no link: layer.c) before the
         * store's lock is taken (image_import.c). */
    ret = layer_from_upper(globals->root, upper, &layer, err);
    if (ret == 0) {
        lock = store_lock(globals->root, err);
        ret = lock < 0 ? -1 : layer_store(globals->root, &layer, err);
    }
    snprintf(hex, sizeof(hex), "%s", layer.hex);
    layer_discard(&layer);
    if (ret == 0 && base.n_layers == IMAGE_MAX_LAYERS)
        ret = mb_fail(err, 0, "commit: the image already has %d layers", IMAGE_MAX_LAYERS);
    if (ret == 0) {
        config = json_deep_copy(base.config);
        snprintf(diff, sizeof(diff), "sha256:%s", hex);
        json_array_append_new(json_object_get(json_object_get(config, "rootfs"), "diff_ids"),
                              json_string(diff));
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        json_object_set_new(config, "created", json_string(created));
        ret = image_save(globals->root, config, argv[2], new_id, err);
        json_decref(config);
        if (ret == 0)
            printf("%s\n", new_id);
    }
    if (ret < 0 && lock >= 0)
        image_store_collect(globals->root); /* a layer no image lists */
    image_release(&base);
    return ret;
}
