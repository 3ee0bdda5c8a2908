/*
 * cgroup_manager.c - who makes a container's cgroup (docs/05-cgroups.md,
 * "The systemd driver"): `--cgroup-manager systemd|cgroupfs`, with systemd
 * by default where it runs a cgroup v2 host. The systemd tests run where
 * systemd is PID 1 (make test-vm's guest); the rest anywhere.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beyond.h"

/* Does systemd run here, on a pure cgroup v2 host (sd_booted's test)? */
static int systemd_on_v2(void)
{
    struct stat st;

    return stat("/run/systemd/system", &st) == 0 &&
           stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0 &&
           stat("/sys/fs/cgroup/memory", &st) < 0;
}

static void require_systemd_root(void)
{
    bx_require();
    if (!systemd_on_v2())
        mb_skip("systemd is not running a cgroup v2 host here (make test-vm runs this in a "
                "systemd guest)");
}

/* The v2 cgroup of a host process, from its "0::" line; "" if none. */
static const char *v2_cgroup_of(pid_t pid, char *buf, size_t len)
{
    char path[64], line[4096];
    FILE *f;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(buf, len, "%s", line + 3);
        }
    if (f != NULL)
        fclose(f);
    return buf;
}

void test_cgroup_manager_bad_value_is_refused(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("--cgroup-manager takes systemd or cgroupfs; anything else is refused with 125.");
    mb_run(&r, NULL, "--cgroup-manager", "docker", "info", NULL);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "--cgroup-manager"));
    mb_result_free(&r);
}

/* info names the manager a run would use: systemd where systemd runs a v2
 * host (for root), cgroupfs elsewhere. */
void test_info_names_the_cgroup_manager(void **state)
{
    const char *want =
        geteuid() == 0 && systemd_on_v2() ? "(manager systemd)" : "(manager cgroupfs)";
    struct mb_result r;

    (void)state;
    mb_hint("minibox info names the cgroup manager a run would use: systemd where it runs "
            "cgroup v2, cgroupfs elsewhere.");
    if (geteuid() != 0)
        mb_skip("root's default is checked; a user's depends on their login");
    mb_run(&r, NULL, "info", NULL);
    assert_int_equal(r.status, 0);
    if (!mb_contains(r.out, want))
        fail_msg("minibox info does not say %s:\n%s", want, r.out);
    mb_result_free(&r);
}

/* systemd's driver: the container's process is in its own scope unit, in a
 * slice of its own below minibox.slice, with the limit systemd applied;
 * systemctl sees the unit; nothing is left once it has ended. */
void test_systemd_scope_holds_the_container(void **state)
{
    char cgroup[4096], dir[4200], scope[256], cmd[512];
    struct mb_proc p;
    struct stat st;
    pid_t child;

    (void)state;
    mb_hint("The systemd driver asks systemd (StartTransientUnit) for minibox-<id>.scope in "
            "minibox-<id>.slice, with the limits as unit properties, and stops the slice "
            "afterwards.");
    require_systemd_root();
    mb_spawn(&p, "run", "--memory", "64M", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 20000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    v2_cgroup_of(child, cgroup, sizeof(cgroup));
    if (strncmp(cgroup, "/minibox.slice/minibox-", 23) != 0 ||
        !mb_contains(cgroup, ".slice/minibox-") ||
        strcmp(cgroup + strlen(cgroup) - 6, ".scope") != 0)
        fail_msg(
            "the container is in %s, not in minibox.slice/minibox-<id>.slice/minibox-<id>.scope",
            cgroup);
    snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", cgroup);
    assert_int_equal(mb_cgroup_read(dir, "memory.max", NULL), 64LL << 20);
    snprintf(scope, sizeof(scope), "%s", strrchr(cgroup, '/') + 1);
    snprintf(cmd, sizeof(cmd), "systemctl is-active --quiet %s", scope);
    if (system(cmd) != 0)
        fail_msg("systemctl does not see %s active", scope);
    assert_int_equal(mb_finish(&p, 10000), 0);
    *strrchr(dir, '/') = '\0'; /* the slice */
    if (stat(dir, &st) == 0)
        fail_msg("the container's slice %s is still there after it ended", dir);
    mb_assert_nothing_leaked();
}

/* --cgroup-manager cgroupfs: minibox makes the cgroup itself, in /minibox
 * at the hierarchy's root (chapter 5), even where systemd runs. */
void test_cgroupfs_manager_makes_the_cgroup_by_hand(void **state)
{
    char dir[4096];
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("--cgroup-manager cgroupfs writes the cgroup files itself, in /minibox at the "
            "hierarchy's root (chapter 5).");
    bx_require();
    if (mb_cgroup_missing("pids") != NULL)
        mb_skip(mb_cgroup_missing("pids"));
    mb_spawn(&p, "--cgroup-manager", "cgroupfs", "run", "--pids-limit", "20", "--rootfs", mb_rootfs,
             "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 20000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    mb_cgroup_dir(child, "pids", dir, sizeof(dir));
    if (!mb_contains(dir, "/minibox/minibox-") || mb_contains(dir, ".scope"))
        fail_msg("with --cgroup-manager cgroupfs the container is in %s, not /minibox/minibox-<id>",
                 dir);
    assert_int_equal(mb_cgroup_read(dir, "pids.max", NULL), 20);
    assert_int_equal(mb_finish(&p, 10000), 0);
    mb_assert_nothing_leaked();
}

/* Asked for where systemd does not run, the driver says so (125). */
void test_systemd_manager_without_systemd_is_refused(void **state)
{
    struct mb_result r;
    struct stat st;

    (void)state;
    mb_hint("Where systemd is not PID 1 (no /run/systemd/system), --cgroup-manager systemd is "
            "refused with 125, naming the fix.");
    bx_require();
    if (stat("/run/systemd/system", &st) == 0)
        mb_skip("systemd runs here");
    mb_run(&r, NULL, "--cgroup-manager", "systemd", "run", "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "systemd"));
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* Rootless from a login shell (session-N.scope, root's): the user's own
 * systemd manager places the container in the subtree it was delegated
 * (user@UID.service), so a memory limit is real and OOM-kills. */
void test_rootless_limit_from_a_login_shell(void **state)
{
    char own[4096], path[4200];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    struct mb_result r;

    (void)state;
    mb_hint("From a login shell (session-N.scope, root's) a rootless limit goes through the "
            "user's own systemd manager, whose subtree is delegated to the user.");
    if (geteuid() == 0)
        mb_skip("needs a logged-in normal user (make test-vm's normal-user pass)");
    if (!systemd_on_v2())
        mb_skip("systemd is not running a cgroup v2 host here");
    if (xdg != NULL)
        snprintf(path, sizeof(path), "%s/systemd/private", xdg);
    else
        snprintf(path, sizeof(path), "/run/user/%u/systemd/private", (unsigned)geteuid());
    if (access(path, W_OK) < 0)
        mb_skip("no systemd user manager answers for this user (log in through a session)");
    v2_cgroup_of(getpid(), own, sizeof(own));
    mb_run(&r, NULL, "run", "--memory", "32M", "--rootfs", mb_rootfs, "probe", "hog", "256", NULL);
    if (r.status != 137 || !mb_contains(r.err, "OOM"))
        fail_msg("rootless --memory 32M hog from %s: expected an OOM kill (137), got %d: %s", own,
                 r.status, r.err);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}
