/* hostinfo.c - see hostinfo.h. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostinfo.h"
#include "mountinfo.h"
#include "util.h"
#include "cgroup.h"

static const struct {
    const char *name;
    int flag;
    const char *used_by; /* the chapter that needs it */
} namespaces[] = {
    {"pid", CLONE_NEWPID, "02-pid-ns"},        {"uts", CLONE_NEWUTS, "03-uts"},
    {"mnt", CLONE_NEWNS, "04-mount-proc"},     {"ipc", CLONE_NEWIPC, "04-mount-proc"},
    {"cgroup", CLONE_NEWCGROUP, "05-cgroups"}, {"user", CLONE_NEWUSER, "06-userns"},
    {"net", CLONE_NEWNET, "07-net"},
};

/* Try unshare(flag) in a throwaway child: 0 or the errno it failed with. */
static int try_unshare(int flag)
{
    int wstatus;
    pid_t pid = fork();

    if (pid < 0)
        return errno;
    /* A normal user gets every namespace inside a user namespace of its own
     * (chapter 6): try them the way a rootless run makes them. */
    if (geteuid() != 0 && flag != CLONE_NEWUSER)
        flag |= CLONE_NEWUSER;
    if (pid == 0)
        _exit(unshare(flag) < 0 ? errno : 0);
    if (waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus))
        return EIO;
    return WEXITSTATUS(wstatus);
}

static const char *namespace_fix(int errnum)
{
    if (errnum == EPERM)
        return geteuid() == 0 ? "this root has no CAP_SYS_ADMIN: inside Docker, run with "
                                "--privileged (or use a VM: make test-vm)"
                              : "run as root (sudo), or use the rootless mode of chapter 6";
    if (errnum == EINVAL)
        return "the kernel was built without this namespace (CONFIG_*_NS)";
    if (errnum == ENOSPC)
        return "the namespace limit is 0: raise /proc/sys/user/max_*_namespaces";
    return "see docs/troubleshooting.md";
}

static json_t *probe_namespaces(void)
{
    json_t *all = json_object();

    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
        int errnum = try_unshare(namespaces[i].flag);
        json_t *ns =
            json_pack("{s:b, s:s}", "available", errnum == 0, "needed_by", namespaces[i].used_by);

        if (errnum != 0) {
            json_object_set_new(ns, "error", json_string(strerror(errnum)));
            json_object_set_new(ns, "fix", json_string(namespace_fix(errnum)));
        }
        json_object_set_new(all, namespaces[i].name, ns);
    }
    return all;
}

/* Known signs of running inside a container or WSL; buf holds the name
 * that pid 1's container= variable gives. */
static const char *detect_container(char *buf, size_t size)
{
    cleanup_free char *environ1 = NULL, *osrelease = NULL;
    mb_error ignored;
    size_t len = 0;

    if (access("/.dockerenv", F_OK) == 0)
        return "docker";
    if (access("/run/.containerenv", F_OK) == 0)
        return "podman";
    if (read_file_at(AT_FDCWD, "/proc/1/environ", &environ1, &len, &ignored) == 0)
        for (size_t off = 0; off < len; off += strlen(environ1 + off) + 1)
            if (strncmp(environ1 + off, "container=", 10) == 0) {
                snprintf(buf, size, "%s", environ1 + off + 10);
                return buf;
            }
    if (read_file_at(AT_FDCWD, "/proc/sys/kernel/osrelease", &osrelease, NULL, &ignored) == 0 &&
        (strstr(osrelease, "microsoft") || strstr(osrelease, "Microsoft")))
        return "wsl";
    return NULL;
}

/* cgroup v1 super options mix controllers with mount options. */
static int is_v1_option(const char *opt, size_t len)
{
    static const char *const options[] = {
        "rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods"};

    if (len > 5 && strncmp(opt, "name=", 5) == 0)
        return 1;
    if (len > 14 && strncmp(opt, "release_agent=", 14) == 0)
        return 1;
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
        if (strlen(options[i]) == len && strncmp(opt, options[i], len) == 0)
            return 1;
    return 0;
}

static void add_controllers_v1(json_t *list, const char *super_options)
{
    for (const char *p = super_options; *p != '\0';) {
        size_t len = strcspn(p, ",");

        if (!is_v1_option(p, len))
            json_array_append_new(list, json_stringn(p, len));
        p += len;
        if (*p == ',')
            p++;
    }
}

static void add_controllers_v2(json_t *list, const char *mount_point)
{
    cleanup_free char *text = NULL;
    char path[4200];
    mb_error ignored;

    snprintf(path, sizeof(path), "%s/cgroup.controllers", mount_point);
    if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return;
    for (char *save = NULL, *tok = strtok_r(text, " \n", &save); tok != NULL;
         tok = strtok_r(NULL, " \n", &save))
        json_array_append_new(list, json_string(tok));
}

/* v2: only a cgroup2 mount. v1: only cgroup mounts with controllers.
 * hybrid: both, as systemd sets up with its "unified" mount. */
static json_t *probe_cgroups(void)
{
    cleanup_free char *text = NULL;
    json_t *mounts = json_array();
    int v1 = 0, v2 = 0;
    const char *layout;
    mb_error ignored;

    if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, NULL, &ignored) == 0) {
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
            struct mountinfo_entry e;
            json_t *controllers = json_array();
            int version;

            if (mountinfo_parse_line(line, &e) < 0 ||
                (strcmp(e.fstype, "cgroup") != 0 && strcmp(e.fstype, "cgroup2") != 0)) {
                json_decref(controllers);
                continue;
            }
            version = strcmp(e.fstype, "cgroup2") == 0 ? 2 : 1;
            /* A mount made over another on the same point hides it (a
             * container or sandbox that mounts its own hierarchies over
             * the host's): only the last one listed is reachable there. */
            for (size_t i = 0; i < json_array_size(mounts); i++)
                if (strcmp(json_string_value(json_object_get(json_array_get(mounts, i), "path")),
                           e.mount_point) == 0) {
                    json_array_remove(mounts, i);
                    break;
                }
            if (version == 2)
                add_controllers_v2(controllers, e.mount_point);
            else
                add_controllers_v1(controllers, e.super_options);
            if (version == 2)
                v2 = 1;
            else if (json_array_size(controllers) > 0)
                v1 = 1;
            json_array_append_new(mounts,
                                  json_pack("{s:s, s:i, s:o}", "path", e.mount_point, "version",
                                            version, "controllers", controllers));
        }
    }
    layout = (v1 && v2) ? "hybrid" : v2 ? "v2" : v1 ? "v1" : "none";
    return json_pack("{s:s, s:o}", "layout", layout, "mounts", mounts);
}

/* Where a container with every limit would go, planned as `run` plans it
 * (nothing is made): the manager, each cgroup, and on v2 the controllers
 * offered where containers go; or why limits cannot work here. */
static json_t *probe_placement(void)
{
    struct limits all = {.memory_bytes = 64 << 20, .cpu_quota_us = 50000, .pids_max = 64};
    const char *manager = "cgroupfs";
    struct container_cgroup cg = {.n_dirs = 0};
    struct cgroup_layout layout;
    json_t *p, *dirs;
    mb_error err;
    int ret;

    if (cgroup_layout_detect(&layout, &err) < 0)
        return json_pack("{s:s}", "error", err.msg);
    ret = cgroup_plan(&layout, "<id>", NULL, &all, &cg, &err);
    p = json_pack("{s:s}", "manager", manager);
    if (ret < 0) {
        json_object_set_new(p, "error", json_string(err.msg));
        return p;
    }
    dirs = json_array();
    for (int d = 0; d < cg.n_dirs; d++) {
        json_t *dir = json_pack("{s:s, s:i, s:[]}", "path", cg.dirs[d].path, "version",
                                cg.dirs[d].version, "controllers");
        cleanup_free char *offered = NULL;
        char path[PATH_MAX + 32];

        for (int c = 0; c < CG_N_CONTROLLERS; c++)
            if (cg.dir_of[c] == d)
                json_array_append_new(json_object_get(dir, "controllers"),
                                      json_string(cgroup_controller_names[c]));
        /* v2: what the top of the placement offers its children */
        snprintf(path, sizeof(path), "%s/cgroup.controllers", cg.dirs[d].top);
        if (cg.dirs[d].version == 2 && read_file_at(AT_FDCWD, path, &offered, NULL, &err) == 0) {
            offered[strcspn(offered, "\n")] = '\0';
            json_object_set_new(dir, "offered", json_string(offered));
        }
        json_array_append_new(dirs, dir);
    }
    json_object_set_new(p, "cgroups", dirs);
    return p;
}

static long read_long(const char *path)
{
    cleanup_free char *text = NULL;
    mb_error ignored;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return -1;
    return strtol(text, NULL, 10);
}

static json_t *probe_userns(void)
{
    long max = read_long("/proc/sys/user/max_user_namespaces");
    long debian = read_long("/proc/sys/kernel/unprivileged_userns_clone");
    long apparmor = read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    json_t *u = json_pack("{s:I}", "max_user_namespaces", (json_int_t)max);
    const char *fix = NULL;

    json_object_set_new(u, "unprivileged_userns_clone",
                        debian < 0 ? json_null() : json_boolean(debian == 1));
    json_object_set_new(u, "apparmor_restrict_unprivileged_userns",
                        apparmor < 0 ? json_null() : json_boolean(apparmor == 1));
    if (max == 0)
        fix = "sysctl -w user.max_user_namespaces=15000";
    else if (debian == 0)
        fix = "sysctl -w kernel.unprivileged_userns_clone=1";
    else if (apparmor == 1)
        fix = "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or an AppArmor "
              "profile that allows userns for minibox)";
    json_object_set_new(u, "unprivileged_allowed", json_boolean(fix == NULL));
    if (fix != NULL)
        json_object_set_new(u, "fix", json_string(fix));
    return u;
}

static int have_filesystem(const char *name)
{
    cleanup_free char *text = NULL;
    mb_error ignored;

    if (read_file_at(AT_FDCWD, "/proc/filesystems", &text, NULL, &ignored) < 0)
        return 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        const char *fs = strrchr(line, '\t');
        if (fs != NULL && strcmp(fs + 1, name) == 0)
            return 1;
    }
    return 0;
}

int hostinfo_probe(json_t **out, mb_error *err)
{
    char name[256];
    const char *container = detect_container(name, sizeof(name));
    struct utsname uts;
    json_t *info;
    int overlay;

    if (uname(&uts) < 0)
        return mb_fail(err, errno, "uname");
    overlay = have_filesystem("overlay");
    info = json_pack("{s:s, s:s, s:{s:i, s:b}, s:o}", "kernel", uts.release, "arch", uts.machine,
                     "user", "euid", (int)geteuid(), "root", geteuid() == 0, "in_container",
                     container ? json_string(container) : json_null());
    if (info == NULL)
        return mb_fail(err, ENOMEM, "info");
    json_object_set_new(info, "namespaces", probe_namespaces());
    json_object_set_new(info, "user_namespaces", probe_userns());
    json_object_set_new(info, "cgroups", probe_cgroups());
    json_object_set_new(json_object_get(info, "cgroups"), "placement", probe_placement());
    json_object_set_new(info, "overlayfs",
                        overlay ? json_pack("{s:b}", "available", 1)
                                : json_pack("{s:b, s:s}", "available", 0, "fix",
                                            "modprobe overlay (needs CONFIG_OVERLAY_FS)"));
    *out = info;
    return 0;
}
