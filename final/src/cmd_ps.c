/*
 * cmd_ps.c - `minibox ps [-a] [-q] [--format table|json]` (chapter 9): the
 * containers under --root, from their records; running means their minibox
 * still holds the lock. As Docker's: the image as the user named it, the
 * age in words; --format json keeps the exact (ISO 8601) time for scripts.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "policy.h"
#include "state.h"

static void format_status(const struct container_state *dir, bool running, char *buf, size_t len)
{
    json_t *st;

    if (running) {
        snprintf(buf, len, "running");
        return;
    }
    st = state_status(dir);
    if (st == NULL)
        snprintf(buf, len, "exited (unknown)"); /* its minibox was killed */
    else if (json_is_true(json_object_get(st, "oom")))
        snprintf(buf, len, "OOM-killed");
    else
        snprintf(buf, len, "exited (%lld)", json_integer_value(json_object_get(st, "exit")));
    json_decref(st);
}

/* How long ago, in Docker's words ("2 seconds ago", "About an hour ago"). */
static void format_age(const char *iso, char *buf, size_t len)
{
    struct tm tm = {0};
    long s, m, h;

    if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL) {
        snprintf(buf, len, "-");
        return;
    }
    s = (long)difftime(time(NULL), timegm(&tm));
    m = (s + 30) / 60;
    h = (s + 1800) / 3600;
    if (s < 1)
        snprintf(buf, len, "Less than a second ago");
    else if (s == 1)
        snprintf(buf, len, "1 second ago");
    else if (s < 60)
        snprintf(buf, len, "%ld seconds ago", s);
    else if (m == 1)
        snprintf(buf, len, "About a minute ago");
    else if (m < 60)
        snprintf(buf, len, "%ld minutes ago", m);
    else if (h == 1)
        snprintf(buf, len, "About an hour ago");
    else if (h < 48)
        snprintf(buf, len, "%ld hours ago", h);
    else if (h < 24 * 7 * 2)
        snprintf(buf, len, "%ld days ago", h / 24);
    else if (h < 24 * 30 * 2)
        snprintf(buf, len, "%ld weeks ago", h / 24 / 7);
    else if (h < 24 * 365 * 2)
        snprintf(buf, len, "%ld months ago", h / 24 / 30);
    else
        snprintf(buf, len, "%ld years ago", h / 24 / 365);
}

/* The image as the user named it; else an id as 12 hex, a rootfs as its
 * last path component. */
static void format_image(json_t *rec, char *buf, size_t len)
{
    const char *name = json_string_value(json_object_get(rec, "image_name"));
    const char *img = json_string_value(json_object_get(rec, "image"));

    if (name != NULL)
        snprintf(buf, len, "%.*s", (int)len - 1, name); /* cut to the column on purpose */
    else if (img != NULL && strncmp(img, "sha256:", 7) == 0)
        snprintf(buf, len, "%.12s", img + 7);
    else
        snprintf(buf, len, "%.*s", (int)len - 1,
                 img && strrchr(img, '/') ? strrchr(img, '/') + 1 : "-");
}

static void print_row(const struct container_state *dir, json_t *rec, bool running)
{
    char command[48] = "", status[32], image[64], age[32];
    json_t *arg;
    size_t i;

    /* Cut to the column on purpose: the whole command is in inspect. */
    json_array_foreach (json_object_get(rec, "command"), i, arg) {
        size_t used = strlen(command);

        if (used + 1 < sizeof(command))
            snprintf(command + used, sizeof(command) - used, "%s%s", i ? " " : "",
                     json_string_value(arg));
    }
    format_image(rec, image, sizeof(image));
    format_status(dir, running, status, sizeof(status));
    format_age(json_string_value(json_object_get(rec, "created")), age, sizeof(age));
    printf("%-14.12s %-16s %-14s %-24.24s %-20s %s\n",
           json_string_value(json_object_get(rec, "id")),
           json_string_value(json_object_get(rec, "name")) ?: "-", image, command, age, status);
}

/* One JSON object per line, as `docker ps --format json` prints them. */
static void print_json(const struct container_state *dir, json_t *rec, bool running)
{
    char status[32], image[64];
    json_t *row;
    char *text;

    format_image(rec, image, sizeof(image));
    format_status(dir, running, status, sizeof(status));
    row = json_pack("{s:O?, s:O?, s:s, s:O?, s:O?, s:s, s:b}", "ID", json_object_get(rec, "id"),
                    "Names", json_object_get(rec, "name"), "Image", image, "Command",
                    json_object_get(rec, "command"), "CreatedAt", json_object_get(rec, "created"),
                    "Status", status, "Running", running);
    text = row ? json_dumps(row, JSON_COMPACT) : NULL;
    if (text != NULL)
        printf("%s\n", text);
    free(text);
    json_decref(row);
}

enum ps_format { PS_TABLE, PS_QUIET, PS_JSON };

static int ps_parse(int argc, char **argv, int *all, enum ps_format *format, mb_error *err)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--all") == 0)
            *all = 1;
        else if (strcmp(a, "--quiet") == 0)
            *format = PS_QUIET;
        else if (strcmp(a, "--format") == 0 && i + 1 < argc &&
                 (strcmp(argv[i + 1], "json") == 0 || strcmp(argv[i + 1], "table") == 0))
            *format = strcmp(argv[++i], "json") == 0 ? PS_JSON : PS_TABLE;
        else if (a[0] == '-' && a[1] != '-' && a[1] != '\0' && strspn(a + 1, "aq") == strlen(a + 1))
            for (const char *f = a + 1; *f != '\0'; f++) /* -a, -q, -aq */
                *f == 'a' ? (void)(*all = 1) : (void)(*format = PS_QUIET);
        else
            return mb_fail(err, 0,
                           "ps: unknown option '%s' (usage: minibox ps [-a] [-q] "
                           "[--format table|json])",
                           a);
    }
    return 0;
}

struct ps_walk {
    int all;
    enum ps_format format;
};

static int list_one(struct container_state *dir, void *data)
{
    const struct ps_walk *w = data;
    bool running = state_running(dir);
    json_t *rec;

    if (!running && !w->all)
        return 0;
    rec = state_record(dir);
    if (rec == NULL || !policy_may_see(rec)) { /* a member sees its own */
        json_decref(rec);
        return 0;
    }
    if (w->format == PS_QUIET)
        printf("%.12s\n", dir->id);
    else if (w->format == PS_JSON)
        print_json(dir, rec, running);
    else
        print_row(dir, rec, running);
    json_decref(rec);
    return 0;
}

int cmd_ps(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct ps_walk w = {0, PS_TABLE};

    if (ps_parse(argc, argv, &w.all, &w.format, err) < 0)
        return -1;
    if (w.format == PS_TABLE)
        printf("%-14s %-16s %-14s %-24s %-20s %s\n", "CONTAINER ID", "NAME", "IMAGE", "COMMAND",
               "CREATED", "STATUS");
    state_each(globals->root, list_one, &w);
    return 0;
}
