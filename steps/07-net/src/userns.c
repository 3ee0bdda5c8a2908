/*
 * userns.c - see userns.h.
 *
 * Who may write a child's uid_map:
 *   - root (CAP_SETUID on the host): any mapping, written directly;
 *   - a normal user: only "0 <own uid> 1", and for gid_map only after
 *     writing "deny" to setgroups (else a process could drop a supplementary
 *     group that denies it access: CVE-2014-8989);
 *   - newuidmap/newgidmap (Debian's uidmap, setuid root): the ranges that
 *     /etc/subuid and /etc/subgid grant the user.
 * The child waits on a pipe until its parent has written the maps: before
 * that its ids are unmapped (65534), so it cannot setresuid(0) nor create a
 * file (the kernel has no id to write to disk for it).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

/* --userns=auto without a "minibox" entry in /etc/subuid: this range, far
 * above any uid that useradd hands out. */
#define AUTO_DEFAULT_START 1000000000UL
#define AUTO_COUNT 65536UL

int subid_find(const char *text, const char *user, unsigned long uid, unsigned long *start,
               unsigned long *count)
{
    char name[256], uidtext[32];

    snprintf(uidtext, sizeof(uidtext), "%lu", uid);
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        unsigned long s, c;
        char rest;

        if (sscanf(line, "%255[^:\n]:%lu:%lu%c", name, &s, &c, &rest) >= 3 && c > 0 &&
            ((user != NULL && strcmp(name, user) == 0) || strcmp(name, uidtext) == 0)) {
            *start = s;
            *count = c;
            return 0;
        }
        line = end ? end + 1 : NULL;
    }
    return -1;
}

/* The user's range in one of /etc/subuid or /etc/subgid; -1 if none. */
static int subid_lookup(const char *file, const char *user, unsigned long id, struct id_range *r)
{
    cleanup_free char *text = NULL;
    mb_error ignored;

    if (read_file_at(AT_FDCWD, file, &text, NULL, &ignored) < 0)
        return -1;
    if (subid_find(text, user, id, &r->outside, &r->count) < 0)
        return -1;
    r->inside = 1; /* container id 0 is the user itself */
    return 0;
}

static int find_helper(const char *name, char *path, size_t len)
{
    const char *dirs = getenv("PATH");

    for (const char *p = dirs ? dirs : "/usr/bin:/bin"; *p != '\0';) {
        size_t n = strcspn(p, ":");

        snprintf(path, len, "%.*s/%s", (int)n, p, name);
        if (n > 0 && access(path, X_OK) == 0)
            return 0;
        p += n + (p[n] == ':');
    }
    return -1;
}

static int plan_rootless(struct userns_plan *plan, mb_error *err)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    struct passwd *pw = getpwuid(uid);
    const char *user = pw ? pw->pw_name : NULL;
    struct id_range subuid, subgid;
    char helper[4096];

    plan->mode = USERNS_ROOTLESS;
    plan->uids[0] = (struct id_range){0, uid, 1};
    plan->gids[0] = (struct id_range){0, gid, 1};
    plan->n_uids = plan->n_gids = 1;
    if (subid_lookup("/etc/subuid", user, uid, &subuid) < 0 ||
        subid_lookup("/etc/subgid", user, uid, &subgid) < 0)
        return 0; /* no ranges: container root is the user, and only that */
    if (find_helper("newuidmap", helper, sizeof(helper)) < 0 ||
        find_helper("newgidmap", helper, sizeof(helper)) < 0)
        return mb_fail(err, 0,
                       "/etc/subuid grants %s ids %lu-%lu but newuidmap/newgidmap are missing "
                       "(fix: apt-get install uidmap)",
                       user ? user : "this user", subuid.outside,
                       subuid.outside + subuid.count - 1);
    plan->uids[1] = subuid;
    plan->gids[1] = subgid;
    plan->n_uids = plan->n_gids = 2;
    plan->use_helpers = true;
    return 0;
}

static void plan_auto(struct userns_plan *plan)
{
    struct id_range r;

    plan->mode = USERNS_AUTO;
    plan->n_uids = plan->n_gids = 1;
    if (subid_lookup("/etc/subuid", "minibox", (unsigned long)-1, &r) == 0)
        plan->uids[0] = (struct id_range){0, r.outside, r.count};
    else
        plan->uids[0] = (struct id_range){0, AUTO_DEFAULT_START, AUTO_COUNT};
    if (subid_lookup("/etc/subgid", "minibox", (unsigned long)-1, &r) == 0)
        plan->gids[0] = (struct id_range){0, r.outside, r.count};
    else
        plan->gids[0] = (struct id_range){0, AUTO_DEFAULT_START, AUTO_COUNT};
}

int userns_plan_make(bool auto_requested, struct userns_plan *plan, mb_error *err)
{
    memset(plan, 0, sizeof(*plan));
    if (geteuid() != 0)
        return plan_rootless(plan, err);
    if (auto_requested)
        plan_auto(plan);
    return 0;
}

static void format_map(const struct id_range *r, int n, char *buf, size_t len)
{
    size_t used = 0;

    /* len holds n lines of three 20-digit numbers (the caller's buffer). */
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%lu %lu %lu\n", r[i].inside, r[i].outside,
                                 r[i].count);
}

/* newuidmap PID INSIDE OUTSIDE COUNT ... : the setuid helper checks the
 * ranges against /etc/subuid and writes the map for us. */
static int run_helper(const char *helper, pid_t pid, const struct id_range *r, int n, mb_error *err)
{
    /* The pid, then three numbers a range: every range of the plan. */
    char args[1 + 3 * USERNS_MAX_RANGES][24], *argv[3 + 3 * USERNS_MAX_RANGES];
    int wstatus, k = 0;
    pid_t child;

    if (n < 1 || n > USERNS_MAX_RANGES)
        return mb_fail(err, 0, "%s: %d id ranges (1 to %d)", helper, n, USERNS_MAX_RANGES);
    argv[k++] = (char *)helper;
    snprintf(args[0], sizeof(args[0]), "%d", (int)pid);
    argv[k++] = args[0];
    for (int i = 0; i < n; i++) {
        snprintf(args[1 + 3 * i], sizeof(args[0]), "%lu", r[i].inside);
        snprintf(args[2 + 3 * i], sizeof(args[0]), "%lu", r[i].outside);
        snprintf(args[3 + 3 * i], sizeof(args[0]), "%lu", r[i].count);
        argv[k++] = args[1 + 3 * i];
        argv[k++] = args[2 + 3 * i];
        argv[k++] = args[3 + 3 * i];
    }
    argv[k] = NULL;
    child = fork();
    if (child < 0)
        return mb_fail(err, errno, "fork %s", helper);
    if (child == 0) {
        execvp(helper, argv);
        _exit(127);
    }
    if (waitpid(child, &wstatus, 0) < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        return mb_fail(err, 0,
                       "%s refused the mapping %s %s %s... (its message is above; fix: check "
                       "this user's ranges in /etc/subuid and /etc/subgid)",
                       helper, argv[2], argv[3], argv[4]);
    return 0;
}

int userns_write_maps(pid_t pid, const struct userns_plan *plan, mb_error *err)
{
    char path[64], map[USERNS_MAX_RANGES * 64];
    int ret;

    if (plan->use_helpers) {
        ret = run_helper("newuidmap", pid, plan->uids, plan->n_uids, err);
        if (ret < 0)
            return ret;
        return run_helper("newgidmap", pid, plan->gids, plan->n_gids, err);
    }
    if (plan->mode == USERNS_ROOTLESS) {
        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
        ret = write_file_at(AT_FDCWD, path, "deny", err);
        if (ret < 0)
            return ret;
    }
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
    format_map(plan->uids, plan->n_uids, map, sizeof(map));
    ret = write_file_at(AT_FDCWD, path, map, err);
    if (ret < 0)
        return ret;
    snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
    format_map(plan->gids, plan->n_gids, map, sizeof(map));
    return write_file_at(AT_FDCWD, path, map, err);
}

int userns_become_root(const struct userns_plan *plan, mb_error *err)
{
    /* setgroups is denied for a single unprivileged mapping; elsewhere drop
     * the host's supplementary groups, which would show up as 65534. */
    if (plan->use_helpers || plan->mode != USERNS_ROOTLESS)
        if (setgroups(0, NULL) < 0)
            return mb_fail(err, errno, "setgroups in the user namespace");
    if (setresgid(0, 0, 0) < 0)
        return mb_fail(err, errno, "setresgid(0) in the user namespace");
    if (setresuid(0, 0, 0) < 0)
        return mb_fail(err, errno, "setresuid(0) in the user namespace");
    return 0;
}

static long sysctl_value(const char *path)
{
    cleanup_free char *text = NULL;
    mb_error ignored;

    if (read_file_at(AT_FDCWD, path, &text, NULL, &ignored) < 0)
        return -1;
    return strtol(text, NULL, 10);
}

int userns_clone_failed(int errnum, mb_error *err)
{
    if (geteuid() == 0 && sysctl_value("/proc/sys/user/max_user_namespaces") != 0)
        return mb_fail(
            err, errnum,
            "cannot create a user namespace as root (inside Docker its seccomp "
            "profile refuses it: --security-opt seccomp=unconfined; see 'minibox info')");
    if (sysctl_value("/proc/sys/user/max_user_namespaces") == 0)
        return mb_fail(err, errnum,
                       "cannot create a user namespace: user.max_user_namespaces is 0 "
                       "(fix: sysctl -w user.max_user_namespaces=15000)");
    if (sysctl_value("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        return mb_fail(err, errnum,
                       "cannot create a user namespace: kernel.unprivileged_userns_clone is 0 "
                       "(fix: sysctl -w kernel.unprivileged_userns_clone=1)");
    if (sysctl_value("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        return mb_fail(err, errnum,
                       "cannot create a user namespace: AppArmor restricts unprivileged user "
                       "namespaces (fix: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, "
                       "or an AppArmor profile allowing userns for minibox)");
    return mb_fail(err, errnum,
                   "cannot create a user namespace (inside Docker its seccomp profile refuses "
                   "it: run with --security-opt seccomp=unconfined, or see 'minibox info')");
}
