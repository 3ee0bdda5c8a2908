/*
 * cmd_image.c - the image verbs (chapter 8):
 *   minibox image import FILE [NAME[:TAG]]   (from chapter 9, FILE "-": stdin)
 *   minibox image inspect IMAGE
 *   minibox images
 *   minibox rmi IMAGE
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "image_import.h"
#include "image_store.h"

static int image_import_verb(const struct mb_globals *g, int argc, char **argv, mb_error *err)
{
    char id[72];
    int ret;

    if (argc < 3 || argc > 4)
        return mb_fail(err, 0, "usage: minibox image import FILE [NAME[:TAG]]");
    ret = image_import(g->root, argv[2], argc == 4 ? argv[3] : NULL, id, err);
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
