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

/* Asked for where systemd does not run, the driver says so (125). Where
 * it runs, minibox is started where it cannot see that it does: a mount
 * namespace with an empty /run/systemd. */
void test_systemd_manager_without_systemd_is_refused(void **state)
{
    static const char *const hide_systemd[] = {
        "unshare",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        "mount -t tmpfs none /run/systemd && exec \"$0\" \"$@\"",
        NULL};
    struct mb_result r;
    struct stat st;

    (void)state;
    mb_hint("Where systemd is not PID 1 (no /run/systemd/system), --cgroup-manager systemd is "
            "refused with 125, naming the fix.");
    bx_require();
    if (stat("/run/systemd/system", &st) == 0)
        mb_run_through(hide_systemd);
    mb_run(&r, NULL, "--cgroup-manager", "systemd", "run", "--rootfs", mb_rootfs, "true", NULL);
    mb_run_through(NULL);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "systemd"));
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

#define LOGIN_USER "mbtest-login"

/* Rootless from a cgroup root owns (a login shell's session-N.scope): the
 * user's own systemd manager places the container in the subtree it was
 * delegated (user@UID.service), so a memory limit is real and OOM-kills.
 * A logged-in user runs it as they are; root makes a user, lets systemd
 * start their manager (loginctl enable-linger) and runs minibox as them
 * from its own cgroup, then undoes both. */
void test_rootless_limit_from_a_login_shell(void **state)
{
    char own[4096], runtime[64], sock[128], env[96], cmd[256];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *through[] = {"env", env, NULL};
    struct mb_result r;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    int made = 0;

    (void)state;
    mb_hint("From a login shell (session-N.scope, root's) a rootless limit goes through the user's "
            "own systemd manager, whose subtree is delegated to the user.");
    if (!systemd_on_v2())
        mb_skip("systemd is not running a cgroup v2 host here (make test-vm runs this in a "
                "systemd guest)");
    if (uid == 0) {
        const char *why;

        bx_require();
        if (system("command -v loginctl >/dev/null") != 0)
            mb_skip("loginctl is missing (systemd's logind)");
        why = mb_user_create(LOGIN_USER, 1, &uid, &gid);
        if (why != NULL)
            mb_skip(why);
        made = 1;
        snprintf(cmd, sizeof(cmd), "loginctl enable-linger %s", LOGIN_USER);
        if (system(cmd) != 0) {
            mb_user_delete(LOGIN_USER);
            fail_msg("%s failed", cmd);
        }
        snprintf(runtime, sizeof(runtime), "/run/user/%u", (unsigned)uid);
    } else if (xdg != NULL) {
        snprintf(runtime, sizeof(runtime), "%s", xdg);
    } else {
        snprintf(runtime, sizeof(runtime), "/run/user/%u", (unsigned)uid);
    }
    snprintf(sock, sizeof(sock), "%s/systemd/private", runtime);
    for (int i = 0; i < 300 && access(sock, F_OK) < 0; i++)
        usleep(100000);
    if (access(sock, F_OK) < 0) {
        if (made) {
            snprintf(cmd, sizeof(cmd), "loginctl disable-linger %s", LOGIN_USER);
            (void)!system(cmd);
            mb_user_delete(LOGIN_USER);
            fail_msg("the user manager of %s did not start (no %s)", LOGIN_USER, sock);
        }
        mb_skip("no systemd user manager answers for this user (log in through a session)");
    }
    v2_cgroup_of(getpid(), own, sizeof(own));
    snprintf(env, sizeof(env), "XDG_RUNTIME_DIR=%s", runtime);
    mb_as_user(uid, gid);
    mb_run_through(through);
    mb_run(&r, NULL, "run", "--memory", "32M", "--rootfs", mb_rootfs, "probe", "hog", "256", NULL);
    mb_run_through(NULL);
    mb_as_user(0, 0);
    if (made) {
        snprintf(cmd, sizeof(cmd),
                 "loginctl disable-linger %s; loginctl terminate-user %s 2>/dev/null; "
                 "for i in $(seq 100); do loginctl show-user %s >/dev/null 2>&1 || break; "
                 "sleep 0.1; done",
                 LOGIN_USER, LOGIN_USER, LOGIN_USER);
        (void)!system(cmd);
        mb_user_delete(LOGIN_USER);
    }
    if (r.status != 137 || !mb_contains(r.err, "OOM"))
        fail_msg("rootless --memory 32M hog from %s: expected an OOM kill (137), got %d: %s", own,
                 r.status, r.err);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}
