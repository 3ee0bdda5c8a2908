/*
 * cmd_info.c - `minibox info [--json]`: what this host can do, and for each
 * missing piece, why and how to get it.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "hostinfo.h"

static void print_namespaces(json_t *namespaces)
{
    const char *name;
    json_t *ns;

    printf("namespaces:\n");
    json_object_foreach (namespaces, name, ns) {
        if (json_is_true(json_object_get(ns, "available")))
            printf("  %-7s ok\n", name);
        else
            printf("  %-7s MISSING (%s): %s; needed by chapter %s\n", name,
                   json_string_value(json_object_get(ns, "error")),
                   json_string_value(json_object_get(ns, "fix")),
                   json_string_value(json_object_get(ns, "needed_by")));
    }
}

#if MB_STEP >= 5
/* Where a container with limits goes: the manager, its cgroups, and on v2
 * what is offered there; or why limits cannot work. */
static void print_placement(json_t *placement)
{
    json_t *dir, *controller;
    size_t i, j;

    printf("containers' cgroups (manager %s):",
           json_string_value(json_object_get(placement, "manager")));
    if (json_object_get(placement, "error") != NULL) {
        printf(" NO LIMITS POSSIBLE: %s\n", json_string_value(json_object_get(placement, "error")));
        return;
    }
    if (json_array_size(json_object_get(placement, "cgroups")) == 0)
        printf(" none (a rootless run without limits needs none)");
    putchar('\n');
    json_array_foreach (json_object_get(placement, "cgroups"), i, dir) {
        printf("  %s (", json_string_value(json_object_get(dir, "path")));
        json_array_foreach (json_object_get(dir, "controllers"), j, controller)
            printf("%s%s", j ? " " : "", json_string_value(controller));
        printf(")\n");
        if (json_object_get(dir, "offered") != NULL)
            printf("    offered there: %s\n", json_string_value(json_object_get(dir, "offered")));
    }
}
#endif

static void print_cgroups(json_t *cgroups)
{
    json_t *mount, *controller;
    size_t i, j;

    printf("cgroups: %s\n", json_string_value(json_object_get(cgroups, "layout")));
    json_array_foreach (json_object_get(cgroups, "mounts"), i, mount) {
        json_t *controllers = json_object_get(mount, "controllers");

        printf("  v%lld %-28s", json_integer_value(json_object_get(mount, "version")),
               json_string_value(json_object_get(mount, "path")));
        json_array_foreach (controllers, j, controller)
            printf(" %s", json_string_value(controller));
        printf("%s\n", json_array_size(controllers) == 0 ? " (no controllers)" : "");
    }
#if MB_STEP >= 5
    print_placement(json_object_get(cgroups, "placement"));
#endif
}

static void print_text(json_t *info)
{
    json_t *user = json_object_get(info, "user");
    json_t *userns = json_object_get(info, "user_namespaces");
    json_t *overlay = json_object_get(info, "overlayfs");
    json_t *container = json_object_get(info, "in_container");

    printf("kernel:       %s (%s)\n", json_string_value(json_object_get(info, "kernel")),
           json_string_value(json_object_get(info, "arch")));
    printf("user:         %s (euid %lld)\n",
           json_is_true(json_object_get(user, "root")) ? "root" : "not root",
           json_integer_value(json_object_get(user, "euid")));
    printf("in container: %s\n", json_is_string(container) ? json_string_value(container) : "no");
    print_namespaces(json_object_get(info, "namespaces"));
    printf("unprivileged user namespaces: %s",
           json_is_true(json_object_get(userns, "unprivileged_allowed")) ? "allowed\n"
                                                                         : "refused; fix: ");
    if (!json_is_true(json_object_get(userns, "unprivileged_allowed")))
        printf("%s\n", json_string_value(json_object_get(userns, "fix")));
    print_cgroups(json_object_get(info, "cgroups"));
    if (json_is_true(json_object_get(overlay, "available")))
        printf("overlayfs:    available\n");
    else
        printf("overlayfs:    MISSING; fix: %s\n",
               json_string_value(json_object_get(overlay, "fix")));
}

int cmd_info(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    json_t *info = NULL;
    int json = 0, ret;

    (void)globals;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else
            return mb_fail(err, 0, "info: unknown option '%s' (usage: minibox info [--json])",
                           argv[i]);
    }
    ret = hostinfo_probe(&info, err);
    if (ret < 0)
        return ret;
    if (json) {
        json_dumpf(info, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    } else {
        print_text(info);
    }
    json_decref(info);
    return 0;
}
