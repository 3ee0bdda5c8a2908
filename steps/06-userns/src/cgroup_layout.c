/* cgroup_layout.c - see cgroup_layout.h. */
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
};

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

/* Where a mount sits in the mount tree, for reachable(). */
struct mount_node {
    int id, parent;
    char point[PATH_MAX];
};

static int is_proper_ancestor(const char *dir, const char *path)
{
    size_t len = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return strcmp(path, "/") != 0;
    return strncmp(path, dir, len) == 0 && path[len] == '/';
}

/* Is mount i hidden by a later one: mounted on top of it at its own
 * point, or next to it (the same parent) on a directory above it, as a
 * tmpfs mounted over /sys/fs/cgroup or a new sysfs over /sys hides the
 * hierarchies below? */
static int shadowed(const struct mount_node *m, size_t n, size_t i, size_t from)
{
    for (size_t j = 0; j < n; j++)
        if (j != i && j != from &&
            ((m[j].parent == m[i].id && strcmp(m[j].point, m[i].point) == 0) ||
             (m[j].parent == m[i].parent && is_proper_ancestor(m[j].point, m[i].point))))
            return 1;
    return 0;
}

/* Can mount i be reached by its path: neither it nor a mount below it in
 * the tree is hidden (but by the mount on our way, which sits on it)?
 * mountinfo lists hidden mounts too. */
static int reachable(const struct mount_node *m, size_t n, size_t i)
{
    size_t from = n;

    for (int depth = 0; depth < 64; depth++) {
        size_t k;

        if (shadowed(m, n, i, from))
            return 0;
        for (k = 0; k < n && m[k].id != m[i].parent; k++)
            ;
        if (k == n || k == i)
            return 1;
        from = i;
        i = k;
    }
    return 1;
}

/* Every mount of mountinfo as a node; *n gets how many. */
static struct mount_node *mount_nodes(const char *mountinfo, size_t *n)
{
    char *text = strdup(mountinfo); /* strtok_r's to cut, freed after the loop */
    struct mount_node *m = NULL;
    size_t lines = 1;

    *n = 0;
    for (const char *p = mountinfo; *p != '\0'; p++)
        lines += *p == '\n';
    if (text == NULL || (m = calloc(lines, sizeof(*m))) == NULL) {
        free(text);
        return NULL;
    }
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct mountinfo_entry e;

        if (mountinfo_parse_line(line, &e) < 0)
            continue;
        m[*n].id = e.id;
        m[*n].parent = e.parent;
        snprintf(m[*n].point, sizeof(m[*n].point), "%s", e.mount_point);
        (*n)++;
    }
    free(text);
    return m;
}

int cgroup_layout_parse(const char *mountinfo, const char *self_cgroup, const char *v2_controllers,
                        struct cgroup_layout *layout, mb_error *err)
{
    char *text = strdup(mountinfo); /* strtok_r's to cut, freed after the loop */
    char own[PATH_MAX], v2_root[PATH_MAX] = "/";
    size_t n_nodes, node = 0;
    struct mount_node *nodes = mount_nodes(mountinfo, &n_nodes); /* freed after the loop */
    int have_v1 = 0;

    if (text == NULL || nodes == NULL) {
        free(text);
        free(nodes);
        return mb_fail(err, ENOMEM, "cgroup layout");
    }
    memset(layout, 0, sizeof(*layout));
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        struct mountinfo_entry e;

        if (mountinfo_parse_line(line, &e) < 0)
            continue;
        /* (the nodes are in the same order as the lines that parse) */
        if ((strcmp(e.fstype, "cgroup2") == 0 || strcmp(e.fstype, "cgroup") == 0) &&
            !reachable(nodes, n_nodes, node)) {
            node++;
            continue;
        }
        node++;
        if (strcmp(e.fstype, "cgroup2") == 0 && layout->v2_mount[0] == '\0') {
            snprintf(layout->v2_mount, sizeof(layout->v2_mount), "%s", e.mount_point);
            snprintf(v2_root, sizeof(v2_root), "%s", e.root);
        } else if (strcmp(e.fstype, "cgroup") == 0) {
            layout_add_v1(layout, &e, self_cgroup);
        }
    }
    free(text);
    free(nodes);
    for (int c = 0; c < CG_N_CONTROLLERS; c++)
        have_v1 |= layout->controllers[c].version == 1;

    /* v1 wins where a controller is in both: a controller is active in one
     * hierarchy only, and cgroup.controllers of v2 would not list it. */
    if (layout->v2_mount[0] != '\0' && self_cgroup_path(self_cgroup, NULL, own, sizeof(own)) == 0) {
        path_below_mount(own, v2_root, layout->v2_own, sizeof(layout->v2_own));
        for (int c = 0; c < CG_N_CONTROLLERS; c++) {
            struct cgroup_hierarchy *h = &layout->controllers[c];
            if (h->version != 0 || !list_has(v2_controllers, cgroup_controller_names[c], " \n"))
                continue;
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
