/*
 * cmd_ps.c - `minibox ps [-a]` (chapter 9): the containers under --root,
 * from their records; running means their minibox still holds the lock.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "container_store.h"

static void format_status(const char *dir, int running, char *buf, size_t len)
{
    char path[4300];
    json_t *st;

    if (running) {
        snprintf(buf, len, "running");
        return;
    }
    snprintf(path, sizeof(path), "%s/status.json", dir);
    st = json_load_file(path, 0, NULL);
    if (st == NULL)
        snprintf(buf, len, "exited (unknown)"); /* its minibox was killed */
    else if (json_is_true(json_object_get(st, "oom")))
        snprintf(buf, len, "OOM-killed");
    else
        snprintf(buf, len, "exited (%lld)", json_integer_value(json_object_get(st, "exit")));
    json_decref(st);
}

static void print_row(const char *dir, json_t *rec, int running)
{
    char command[48] = "", status[32], image[24];
    const char *img = json_string_value(json_object_get(rec, "image"));
    json_t *arg;
    size_t i;

    json_array_foreach(json_object_get(rec, "command"), i, arg)
        snprintf(command + strlen(command), sizeof(command) - strlen(command), "%s%s", i ? " " : "",
                 json_string_value(arg));
    /* an image id shows as 12 hex, a rootfs as its last path component */
    if (img != NULL && strncmp(img, "sha256:", 7) == 0)
        snprintf(image, sizeof(image), "%.12s", img + 7);
    else
        snprintf(image, sizeof(image), "%s",
                 img && strrchr(img, '/') ? strrchr(img, '/') + 1 : "-");
    format_status(dir, running, status, sizeof(status));
    printf("%-14.12s %-16s %-14s %-24.24s %-20s %s\n",
           json_string_value(json_object_get(rec, "id")),
           json_string_value(json_object_get(rec, "name")) ?: "-", image, command,
           json_string_value(json_object_get(rec, "created")), status);
}

int cmd_ps(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    char dir[4200], path[4500];
    int all = 0;
    struct dirent *e;
    DIR *d;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0)
            all = 1;
        else
            return mb_fail(err, 0, "ps: unknown option '%s' (usage: minibox ps [-a])", argv[i]);
    }
    printf("%-14s %-16s %-14s %-24s %-20s %s\n", "CONTAINER ID", "NAME", "IMAGE", "COMMAND",
           "CREATED", "STATUS");
    snprintf(dir, sizeof(dir), "%s/containers", globals->root);
    d = opendir(dir);
    while (d != NULL && (e = readdir(d)) != NULL) {
        json_t *rec;
        int running;

        if (strlen(e->d_name) != 64)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        running = container_running(path);
        if (!running && !all)
            continue;
        snprintf(path + strlen(path), sizeof(path) - strlen(path), "/container.json");
        rec = json_load_file(path, 0, NULL);
        if (rec == NULL)
            continue;
        *strrchr(path, '/') = '\0';
        print_row(path, rec, running);
        json_decref(rec);
    }
    if (d != NULL)
        closedir(d);
    return 0;
}
