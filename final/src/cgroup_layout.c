/* cgroup_layout.c - see cgroup_layout.h. */
#include "mb_step.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_layout.h"
#include "mountinfo.h"
#include "util.h"

const char *const cgroup_controller_names[CG_N_CONTROLLERS] = {
    "memory",  "cpu",    "pids",  "devices",
#if MB_STEP >= 10
    "freezer", "cpuset", "blkio", "hugetlb",
#endif
};

#if MB_STEP >= 10
const char *cgroup_v2_name(int c)
{
    return c == CG_BLKIO ? "io" : cgroup_controller_names[c];
}
#endif

/* A word in a list separated by `seps`. */
static int list_has(const char *list, const char *word, const char *seps)
{
    size_t len = strlen(word);

    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, seps);
        if (n == len && strncmp(p, word, len) == 0)
            return 1;
        p += n;
        p += strspn(p, seps);
    }
    return 0;
}

/* Our cgroup in the v1 hierarchy holding `controller` ("4:memory:/path"),
 * or in v2 ("0::/path") when controller is NULL. */
static int self_cgroup_path(const char *self_cgroup, const char *controller, char *out, size_t len)
{
    char line[PATH_MAX + 128];

    for (const char *p = self_cgroup; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        char *first, *second;

        if (n < sizeof(line)) {
            memcpy(line, p, n);
            line[n] = '\0';
            first = strchr(line, ':');
            second = first ? strchr(first + 1, ':') : NULL;
            if (second != NULL) {
                *second = '\0';
                if (controller == NULL
                        ? (line[0] == '0' && first == line + 1 && first + 1 == second)
                        : list_has(first + 1, controller, ","))
                    return snprintf(out, len, "%s", second + 1) < (int)len ? 0 : -1;
            }
        }
        p += n;
        if (*p == '\n')
            p++;
    }
    return -1;
}

/* The cgroup path below the mount: our path minus the mount's root (they
 * differ when the mount was made inside a cgroup namespace). */
static void path_below_mount(const char *path, const char *mount_root, char *out, size_t len)
{
    size_t rlen = strlen(mount_root);

    if (strcmp(mount_root, "/") != 0 && strncmp(path, mount_root, rlen) == 0)
        path += rlen;
    snprintf(out, len, "%s", *path ? path : "/");
}

static void layout_add_v1(struct cgroup_layout *layout, const struct mountinfo_entry *e,
                          const char *self_cgroup)
{
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
        struct cgroup_hierarchy *h = &layout->controllers[c];
        char own[PATH_MAX];

        if (h->version != 0 || !mount_options_have(e->super_options, cgroup_controller_names[c]))
            continue;
        if (self_cgroup_path(self_cgroup, cgroup_controller_names[c], own, sizeof(own)) < 0)
            continue;
        h->version = 1;
        snprintf(h->mount, sizeof(h->mount), "%s", e->mount_point);
        path_below_mount(own, e->root, h->own, sizeof(h->own));
    }
}

int cgroup_layout_parse(const char *mountinfo, const char *self_cgroup, const char *v2_controllers,
                        struct cgroup_layout *layout, mb_error *err)
{
    char *text = strdup(mountinfo); /* strtok_r's to cut, freed after the loop */
    char own[PATH_MAX], v2_root[PATH_MAX] = "/";
    int have_v1 = 0;

    if (text == NULL)
        return mb_fail(err, ENOMEM, "cgroup layout");
    memset(layout, 0, sizeof(*layout));
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct mountinfo_entry e;

        if (mountinfo_parse_line(line, &e) < 0)
            continue;
        if (strcmp(e.fstype, "cgroup2") == 0 && layout->v2_mount[0] == '\0') {
            snprintf(layout->v2_mount, sizeof(layout->v2_mount), "%s", e.mount_point);
            snprintf(v2_root, sizeof(v2_root), "%s", e.root);
        } else if (strcmp(e.fstype, "cgroup") == 0) {
            layout_add_v1(layout, &e, self_cgroup);
        }
    }
    free(text);
    for (int c = 0; c < CG_N_CONTROLLERS; c++)
        have_v1 |= layout->controllers[c].version == 1;

    /* v1 wins where a controller is in both: a controller is active in one
     * hierarchy only, and cgroup.controllers of v2 would not list it. */
    if (layout->v2_mount[0] != '\0' && self_cgroup_path(self_cgroup, NULL, own, sizeof(own)) == 0) {
        path_below_mount(own, v2_root, layout->v2_own, sizeof(layout->v2_own));
        for (int c = 0; c < CG_N_CONTROLLERS; c++) {
            struct cgroup_hierarchy *h = &layout->controllers[c];
#if MB_STEP >= 10
            /* Every v2 cgroup but the root has its own freezer. */
            if (h->version == 0 && c == CG_FREEZER) {
                h->version = 2;
                snprintf(h->mount, sizeof(h->mount), "%s", layout->v2_mount);
                snprintf(h->own, sizeof(h->own), "%s", layout->v2_own);
                continue;
            }
            if (h->version != 0 || !list_has(v2_controllers, cgroup_v2_name(c), " \n"))
                continue;
#else
            if (h->version != 0 || !list_has(v2_controllers, cgroup_controller_names[c], " \n"))
                continue;
#endif
            h->version = 2;
            snprintf(h->mount, sizeof(h->mount), "%s", layout->v2_mount);
            snprintf(h->own, sizeof(h->own), "%s", layout->v2_own);
        }
    }
    if (layout->v2_mount[0] != '\0' && have_v1)
        layout->name = "hybrid";
    else if (layout->v2_mount[0] != '\0')
        layout->name = "v2";
    else
        layout->name = have_v1 ? "v1" : "none";
    return 0;
}

int cgroup_layout_detect(struct cgroup_layout *layout, mb_error *err)
{
    cleanup_free char *mountinfo = NULL, *self = NULL, *controllers = NULL;
    char path[2 * PATH_MAX + 32];
    mb_error ignored;
    int ret;

    ret = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err);
    if (ret < 0)
        return ret;
    ret = read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, err);
    if (ret < 0)
        return ret;
    /* First pass: where is cgroup2? */
    ret = cgroup_layout_parse(mountinfo, self, "", layout, err);
    if (ret < 0 || layout->v2_mount[0] == '\0')
        return ret;
    /* The controllers of the hierarchy: those of its root (a cgroup
     * namespace's root inside a container). Which of them reach the place a
     * container goes is the placement's question (cgroup.c). */
    snprintf(path, sizeof(path), "%s/cgroup.controllers", layout->v2_mount);
    if (read_file_at(AT_FDCWD, path, &controllers, NULL, &ignored) < 0)
        return 0;
    return cgroup_layout_parse(mountinfo, self, controllers, layout, err);
}
