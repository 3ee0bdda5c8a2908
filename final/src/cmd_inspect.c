/*
 * cmd_inspect.c - `minibox inspect CONTAINER|IMAGE` (chapter 10): what a
 * container is and how it runs, as one JSON object in Docker's names; an
 * image prints what `minibox image inspect` prints.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "state.h"

/* Running, or how it ended (status.json, written when it ended). */
static json_t *inspect_state(const struct container_state *dir)
{
    bool running = state_running(dir);
    json_t *ended = running ? NULL : state_status(dir), *state;

    state = json_pack("{s:s, s:b, s:I, s:I, s:b}", "Status", running ? "running" : "exited",
                      "Running", running, "Pid", (json_int_t)(running ? state_pid(dir) : 0),
                      "ExitCode", json_integer_value(json_object_get(ended, "exit")), "OOMKilled",
                      json_is_true(json_object_get(ended, "oom")));
    json_decref(ended);
    return state;
}

static int inspect_container(const struct container_state *dir, mb_error *err)
{
    json_t *rec = state_record(dir), *config, *out;
    char *text;

    if (rec == NULL)
        return mb_fail(err, 0, "inspect: %s/container.json is unreadable", dir->dir);
    config = json_deep_copy(json_object_get(rec, "config"));
    if (config == NULL)
        config = json_object();
    json_object_set(config, "Cmd", json_object_get(rec, "command"));
    out = json_pack("{s:O, s:O?, s:O, s:O, s:o, s:o, s:O?}", "Id", json_object_get(rec, "id"),
                    "Name", json_object_get(rec, "name"), "Image", json_object_get(rec, "image"),
                    "Created", json_object_get(rec, "created"), "State", inspect_state(dir),
                    "Config", config, "HostConfig", json_object_get(rec, "host_config"));
    json_decref(rec);
    text = out ? json_dumps(out, JSON_INDENT(2)) : NULL;
    json_decref(out);
    if (text == NULL)
        return mb_fail(err, 0, "inspect: %s/container.json is malformed", dir->dir);
    puts(text);
    free(text);
    return 0;
}

int cmd_inspect(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    struct container_state dir;
    mb_error not_container;
    char *image_argv[] = {"image", "inspect", NULL, NULL};

    if (argc != 2 || argv[1][0] == '-')
        return mb_fail(err, 0, "usage: minibox inspect CONTAINER|IMAGE");
    if (state_open(globals->root, argv[1], &dir, &not_container) == 0) {
        int ret = inspect_container(&dir, err);

        state_close(&dir);
        return ret;
    }
    image_argv[2] = argv[1];
    if (cmd_image(globals, 3, image_argv, err) == 0)
        return 0;
    return mb_fail(err, 0, "inspect: no container or image '%s'", argv[1]);
}
