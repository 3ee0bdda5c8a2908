/*
 * cmd_image.c - the image verbs (chapter 8):
 *   minibox image import FILE [NAME[:TAG]] [--max-size SIZE]
 *                                            (from chapter 9, FILE "-": stdin)
 *   minibox image inspect IMAGE
 *   minibox images
 *   minibox rmi IMAGE
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "image_import.h"
#include "image_store.h"
#include "layer.h"

/* --max-size SIZE: bytes, or with K, M, G or T (1024-based); 0: no cap. */
static int parse_size(const char *text, uint64_t *bytes, mb_error *err)
{
    static const char units[] = "KMGT";
    char *end;
    unsigned long long v;
    const char *u;

    errno = 0;
    v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || errno != 0)
        return mb_fail(err, 0, "bad --max-size '%s': expected a size like 512M or 10G", text);
    u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (*end != '\0' && (u == NULL || end[1] != '\0'))
        return mb_fail(err, 0, "bad --max-size '%s': expected a size like 512M or 10G", text);
    for (int shift = u ? (int)(u - units + 1) * 10 : 0; shift > 0; shift -= 10) {
        if (v > (~0ULL >> 10))
            return mb_fail(err, 0, "bad --max-size '%s': too large", text);
        v <<= 10;
    }
    *bytes = v;
    return 0;
}

/* image import FILE [NAME[:TAG]] [--max-size SIZE]: FILE stays the third
 * word, which the daemon's client replaces with "-" (chapter 9). */
static int image_import_verb(const struct mb_globals *g, int argc, char **argv, mb_error *err)
{
    uint64_t max_bytes = LAYER_DEFAULT_MAX_BYTES;
    const char *name = NULL;
    char id[72];
    int ret;

    if (argc < 3)
        return mb_fail(err, 0, "usage: minibox image import FILE [NAME[:TAG]] [--max-size SIZE]");
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--max-size") == 0 && i + 1 < argc) {
            if (parse_size(argv[++i], &max_bytes, err) < 0)
                return -1;
        } else if (name == NULL && argv[i][0] != '-') {
            name = argv[i];
        } else {
            return mb_fail(err, 0,
                           "usage: minibox image import FILE [NAME[:TAG]] [--max-size SIZE]");
        }
    }
    ret = image_import(g->root, argv[2], name, max_bytes, id, err);
    if (ret < 0)
        return ret;
    printf("%s\n", id);
    return 0;
}

static int image_inspect_verb(const struct mb_globals *g, int argc, char **argv, mb_error *err)
{
    struct image img;
    json_t *out;

    if (argc != 3)
        return mb_fail(err, 0, "usage: minibox image inspect IMAGE");
    if (image_resolve(g->root, argv[2], &img, err) < 0)
        return -1;
    out = json_pack("{s:s, s:O}", "Id", img.id, "Config", img.config);
    json_dumpf(out, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(out);
    image_release(&img);
    return 0;
}

int cmd_image(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    if (argc >= 2 && strcmp(argv[1], "import") == 0)
        return image_import_verb(globals, argc, argv, err);
    if (argc >= 2 && strcmp(argv[1], "inspect") == 0)
        return image_inspect_verb(globals, argc, argv, err);
    return mb_fail(err, 0, "usage: minibox image import FILE [NAME] | minibox image inspect IMAGE");
}

int cmd_images(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    json_t *repos, *id;
    const char *name;

    if (argc > 1)
        return mb_fail(err, 0, "images: unexpected argument '%s'", argv[1]);
    if (image_names(globals->root, &repos, err) < 0)
        return -1;
    printf("%-32s %-12s %s\n", "NAME", "ID", "LAYERS");
    json_object_foreach (repos, name, id) {
        struct image img;
        mb_error ignored;

        if (image_resolve(globals->root, json_string_value(id), &img, &ignored) < 0)
            continue;
        printf("%-32s %.12s %d\n", name, img.id + 7, img.n_layers);
        image_release(&img);
    }
    json_decref(repos);
    return 0;
}

int cmd_rmi(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    if (argc != 2)
        return mb_fail(err, 0, "usage: minibox rmi IMAGE");
    if (image_remove(globals->root, argv[1], err) < 0)
        return -1;
    printf("removed %s\n", argv[1]);
    return 0;
}
