/*
 * Suite 05-cgroups: memory, cpu and pids limits are real (the kernel's own
 * counters say so), an OOM kill is reported, the container sees its cgroup
 * as "/", and no cgroup outlives its container, even when minibox is killed.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "mbtest.h"

static void require_controllers(void)
{
    static const char *const needed[] = {"memory", "cpu", "pids"};

    mb_require(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP);
    for (size_t i = 0; i < 3; i++) {
        const char *why = mb_cgroup_missing(needed[i]);
        if (why != NULL)
            mb_skip(why);
    }
}

/* Start `minibox run OPTIONS... probe ARGS` held open; returns the container's host pid. */
static pid_t hold_container(struct mb_proc *p, const char *opt, const char *value,
                            const char *probe_cmd, const char *probe_arg)
{
    pid_t child;

    mb_spawn(p, "run", opt, value, "--rootfs", mb_rootfs, "probe", probe_cmd, probe_arg, NULL);
    mb_expect_line(p, "ready", 20000);
    child = mb_child_of(p->pid);
    assert_true(child > 0);
    return child;
}

static void test_memory_hog_is_oom_killed_and_reported(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("--memory writes the limit into the container's cgroup; the kernel's OOM killer ends "
            "the hog (137) and memory.events says so.");
    require_controllers();
    mb_run(&r, NULL, "run", "--memory", "32M", "--rootfs", mb_rootfs, "probe", "hog", "256", NULL);
    assert_int_equal(r.status, 137);
    if (!mb_contains(r.err, "OOM"))
        fail_msg("exit 137 but no OOM report on stderr: '%s'", r.err);
    assert_int_equal(mb_count_lines(r.err), 1);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

static void test_run_under_the_limit_succeeds(void **state)
{
    struct mb_result r;
    char v[32];

    (void)state;
    mb_hint("A limit is a ceiling, not a cost: a run that stays under --memory finishes normally.");
    require_controllers();
    mb_run(&r, NULL, "run", "--memory", "64M", "--rootfs", mb_rootfs, "probe", "hog", "8", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(mb_kv(r.out, "allocated", v, sizeof(v)), "8");
    assert_false(mb_contains(r.err, "OOM"));
    mb_result_free(&r);
}

/* The limit is in the kernel's file, and swap cannot lift it. */
static void test_memory_limit_is_in_the_cgroup(void **state)
{
    char dir[4096];
    struct mb_proc p;
    long long limit, swap;
    pid_t child;

    (void)state;
    mb_hint("The limit must be in the kernel's file of the container's cgroup (memory.max, or "
            "memory.limit_in_bytes on v1), swap included.");
    require_controllers();
    child = hold_container(&p, "-m", "64M", "hold", NULL);
    mb_cgroup_dir(child, "memory", dir, sizeof(dir));
    assert_true(mb_contains(dir, "minibox-"));
    limit = mb_cgroup_read(dir, "memory.max", NULL);
    if (limit == -1)
        limit = mb_cgroup_read(dir, "memory.limit_in_bytes", NULL);
    assert_int_equal(limit, 64LL << 20);
    swap = mb_cgroup_read(dir, "memory.swap.max", NULL);
    if (swap != -1)
        assert_int_equal(swap, 0);
    swap = mb_cgroup_read(dir, "memory.memsw.limit_in_bytes", NULL);
    if (swap != -1)
        assert_int_equal(swap, 64LL << 20);
    assert_int_equal(mb_finish(&p, 10000), 0);
}

/* A fork bomb stops at the limit; the host keeps forking. */
static void test_pids_limit_stops_a_fork_bomb(void **state)
{
    struct mb_result r;
    char v[32];

    (void)state;
    mb_hint("--pids-limit writes pids.max of the container's cgroup: fork fails with EAGAIN at the "
            "limit.");
    require_controllers();
    mb_run(&r, NULL, "run", "--pids-limit", "16", "--rootfs", mb_rootfs, "probe", "fork", "200",
           NULL);
    assert_int_equal(r.status, 0);
    mb_kv(r.out, "forked", v, sizeof(v));
    if (v[0] == '\0' || atoi(v) >= 16)
        fail_msg("a --pids-limit 16 container forked %s children", v);
    mb_result_free(&r);
}

/* A CPU quota shows in the cgroup's own throttling counters, not in
 * wall-clock time (which a busy machine would make flaky). */
static void test_cpu_quota_throttles(void **state)
{
    long long quota, throttled;
    char dir[4096];
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("--cpus writes a quota and period (cpu.max, or cpu.cfs_quota_us/cpu.cfs_period_us on "
            "v1); the kernel throttles the container.");
    require_controllers();
    child = hold_container(&p, "--cpus", "0.1", "spin", "400");
    mb_cgroup_dir(child, "cpu", dir, sizeof(dir));
    assert_true(mb_contains(dir, "minibox-"));
    quota = mb_cgroup_read(dir, "cpu.cfs_quota_us", NULL);
    if (quota == -1) {
        /* v2: cpu.max is "QUOTA PERIOD" */
        quota = mb_cgroup_read(dir, "cpu.max", NULL);
    }
    assert_int_equal(quota, 10000);
    throttled = mb_cgroup_read(dir, "cpu.stat", "nr_throttled");
    if (throttled <= 0)
        fail_msg("400 ms of spinning under --cpus 0.1 was never throttled (nr_throttled=%lld)",
                 throttled);
    assert_int_equal(mb_finish(&p, 10000), 0);
}

/* A cgroup namespace: every hierarchy shows the container at its root. */
static void test_container_sees_its_cgroup_as_root(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("CLONE_NEWCGROUP, after joining the cgroup, makes the container's own cgroup its \"/\" "
            "in /proc/self/cgroup.");
    require_controllers();
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "cat", "/proc/self/cgroup", NULL);
    assert_int_equal(r.status, 0);
    for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n"))
        if (strcmp(line + strlen(line) - 2, ":/") != 0)
            fail_msg("the container sees a cgroup path outside its own: %s", line);
    mb_result_free(&r);
}

/* Seen from the host, the container is in a cgroup of its own, even with
 * no limit set, and not below the cgroup minibox was started from: on a
 * cgroup v2 host that is a login session's scope or a service, which holds
 * processes and so cannot give controllers to children. */
static void test_every_container_gets_a_cgroup(void **state)
{
    char dir[4096], own[4096];
    struct mb_proc p;
    size_t len;
    pid_t child;

    (void)state;
    mb_hint("Every container gets a cgroup of its own, joined before the command runs, even "
            "without limits.");
    require_controllers();
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 20000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    mb_cgroup_dir(child, "memory", dir, sizeof(dir));
    mb_cgroup_dir(getpid(), "memory", own, sizeof(own));
    len = strlen(own);
    if (!mb_contains(dir, "/minibox-"))
        fail_msg("the container's cgroup %s is not a minibox-<id> of its own", dir);
    /* (own ends in "/" at a hierarchy's root, where everything is below) */
    if (len > 0 && own[len - 1] != '/' && strncmp(dir, own, len) == 0 &&
        (dir[len] == '/' || dir[len] == '\0'))
        fail_msg("the container's cgroup %s is below minibox's own, %s", dir, own);
    assert_int_equal(mb_finish(&p, 10000), 0);
    mb_assert_nothing_leaked();
}

/* The mount point of the hierarchy that holds memory: the v1 one with
 * "memory" in its options, else the cgroup2 mount. */
static int memory_mount(char *mount, size_t len)
{
    char line[4096], mp[2048], type[64], opts[1024];
    FILE *f = fopen("/proc/self/mountinfo", "r");
    int found = -1;

    mount[0] = '\0';
    while (f != NULL && found < 0 && fgets(line, sizeof(line), f) != NULL) {
        char *dash = strstr(line, " - ");
        if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %2047s", mp) != 1 ||
            sscanf(dash + 3, "%63s %*s %1023s", type, opts) != 2)
            continue;
        if (strcmp(type, "cgroup") == 0 && mb_contains(opts, "memory"))
            found = snprintf(mount, len, "%s", mp) > 0 ? 0 : -1;
        else if (strcmp(type, "cgroup2") == 0 && mount[0] == '\0')
            snprintf(mount, len, "%s", mp);
    }
    if (f != NULL)
        fclose(f);
    return found == 0 || mount[0] != '\0' ? 0 : -1;
}

/* Move this process into the cgroup dir `to`. */
static void move_self(const char *to)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/cgroup.procs", to);
    f = fopen(path, "w");
    if (f == NULL || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
        fail_msg("cannot move the test into %s", to);
}

/* Run from a cgroup that holds processes, as a login shell's session scope
 * on a systemd host does, and the limits still work: on cgroup v2 such a
 * cgroup cannot give controllers to children (the no-internal-process
 * rule), so the container's cgroup must not be made below it. (On v1 the
 * rule does not exist, and the same run must work too.) */
static void test_limits_work_from_a_cgroup_with_processes(void **state)
{
    char mount[2048], busy[2200], own[4096];
    struct mb_result r;

    (void)state;
    mb_hint("On cgroup v2 a cgroup that holds processes cannot give controllers to children: "
            "the container's cgroup goes to /minibox at the root, not below minibox's own.");
    require_controllers();
    if (memory_mount(mount, sizeof(mount)) < 0)
        fail_msg("no hierarchy holds memory, though the controller is there");
    mb_cgroup_dir(getpid(), "memory", own, sizeof(own));
    snprintf(busy, sizeof(busy), "%s/mbtest-busy", mount);
    if (mkdir(busy, 0755) < 0)
        fail_msg("cannot make %s", busy);
    move_self(busy);
    mb_run(&r, NULL, "run", "--memory", "32M", "--rootfs", mb_rootfs, "probe", "hog", "256", NULL);
    move_self(own);
    rmdir(busy);
    if (r.status != 137 || !mb_contains(r.err, "OOM"))
        fail_msg("from %s (holding the test): expected an OOM kill (137), got %d: %s", busy,
                 r.status, r.err);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* minibox killed with SIGKILL cannot clean up: its container dies with it,
 * its cgroup stays until `minibox gc` (or the next run) removes it. */
static void test_gc_removes_what_a_killed_minibox_left(void **state)
{
    struct mb_result r;
    char dir[4096], parent[4096];
    struct mb_proc p;
    struct stat st;
    pid_t child;

    (void)state;
    mb_hint("A killed minibox leaves its cgroup and state; minibox gc finds containers whose state "
            "lock is free and removes what they left.");
    require_controllers();
    child = hold_container(&p, "--pids-limit", "50", "hold", NULL);
    mb_cgroup_dir(child, "pids", dir, sizeof(dir));
    assert_true(mb_contains(dir, "minibox-"));
    kill(p.pid, SIGKILL);
    assert_int_equal(mb_finish(&p, 10000), 137);
    for (int i = 0; i < 100 && kill(child, 0) == 0; i++)
        usleep(20000);
    /* Stale, as expected: the cgroup, or where systemd placed the container
     * (the full engine's driver), the slice around its scope, which systemd
     * removed once it was empty. */
    snprintf(parent, sizeof(parent), "%s", dir);
    *strrchr(parent, '/') = '\0';
    if (stat(dir, &st) != 0 &&
        (!mb_contains(strrchr(parent, '/'), "/minibox-") || stat(parent, &st) != 0))
        fail_msg("nothing of the killed run's cgroup %s is left for gc to remove", dir);

    mb_run(&r, NULL, "gc", NULL);
    assert_int_equal(r.status, 0);
    if (!mb_contains(r.err, "stale"))
        fail_msg("gc did not say what it removed: stdout '%s' stderr '%s'", r.out, r.err);
    mb_result_free(&r);
    assert_int_not_equal(stat(dir, &st), 0);
    mb_assert_nothing_leaked();
}

/* ---- the device allowlist --------------------------------------------- */

/* `probe device TYPE MAJOR MINOR` in a container of `bin`: the root
 * attacker makes a node for a host device and opens it. */
static void device_attack(const char *bin, struct mb_result *r, const struct mb_device *t)
{
    char type[2] = {t->type, '\0'}, maj[16], min[16];
    const char *saved = mb_minibox;

    snprintf(maj, sizeof(maj), "%d", t->major);
    snprintf(min, sizeof(min), "%d", t->minor);
    mb_minibox = bin;
    mb_run(r, NULL, "run", "--rootfs", mb_rootfs, "probe", "device", type, maj, min, NULL);
    mb_minibox = saved;
}

/* Where the host offers no way to hold the allowlist, minibox must refuse
 * to run (and say so): that is a skip here, not a pass. */
static void skip_if_no_device_control(const struct mb_result *r)
{
    if (r->status == 125 && mb_contains(r->err, "device allowlist"))
        mb_skip(r->err);
}

/* A container's root may make the node of a host device, its disk first
 * (CAP_MKNOD, as in Docker), but not open it: the devices cgroup (v1) or the device program
 * (v2) refuses what is not on the allowlist. */
static void test_host_device_node_cannot_be_opened(void **state)
{
    struct mb_result r;
    struct mb_device t;
    char v[64];

    (void)state;
    mb_hint("The devices cgroup (v1) or the device program (v2) allows only the standard devices: "
            "a host disk's node made inside cannot be opened.");
    mb_require(CLONE_NEWPID | CLONE_NEWNS);
    mb_require_host_device(&t);
    device_attack(mb_minibox, &r, &t);
    skip_if_no_device_control(&r);
    if (strcmp(mb_kv(r.out, "mknod", v, sizeof(v)), "ok") != 0)
        fail_msg("mknod %c %d:%d should work, as in Docker (exit %d): %s%s", t.type, t.major,
                 t.minor, r.status, r.out, r.err);
    if (strcmp(mb_kv(r.out, "open", v, sizeof(v)), "EPERM") != 0)
        fail_msg("the container opened the host's device %c %d:%d: open=%s (exit %d) %s", t.type,
                 t.major, t.minor, v, r.status, r.err);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* The list still has what programs need: null, zero, full, random,
 * urandom, tty, ptmx. */
static void test_allowed_devices_still_open(void **state)
{
    static const char *const allowed[][2] = {{"1", "3"}, {"1", "5"}, {"1", "7"}, {"1", "8"},
                                             {"1", "9"}, {"5", "0"}, {"5", "2"}};
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("The device allowlist still has what programs need: null, zero, full, random, urandom, "
            "tty and ptmx open.");
    mb_require(CLONE_NEWPID | CLONE_NEWNS);
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "device", "c", allowed[i][0],
               allowed[i][1], NULL);
        skip_if_no_device_control(&r);
        /* /dev/tty without a controlling terminal: ENXIO from its driver,
         * which the cgroup let through */
        mb_kv(r.out, "open", v, sizeof(v));
        if (strcmp(v, "ok") != 0 && !(strcmp(allowed[i][1], "0") == 0 && strcmp(v, "ENXIO") == 0))
            fail_msg("c %s:%s is on the allowlist but open=%s (exit %d): %s", allowed[i][0],
                     allowed[i][1], v, r.status, r.err);
        mb_result_free(&r);
    }
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c",
           "echo x > /dev/null && head -c 3 /dev/zero | wc -c", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(atoi(r.out), 3);
    mb_result_free(&r);
}

/* Lesson: step 04 puts the container in no devices cgroup, and the same
 * node opens (only opened, never read). */
static void test_lesson_step04_host_device_node_opens(void **state)
{
    const char *step04;
    struct mb_result r;
    struct mb_device t;
    char v[64];

    (void)state;
    mb_hint("Lesson: step 04 has no device allowlist, so a host disk's node made in the container "
            "opens there (this test expects it to).");
    mb_require(CLONE_NEWPID | CLONE_NEWNS);
    step04 = mb_require_step("04-mount-proc");
    mb_require_host_device(&t);
    device_attack(step04, &r, &t);
    if (strcmp(mb_kv(r.out, "open", v, sizeof(v)), "ok") != 0)
        fail_msg("on step 04 the node of %c %d:%d should open: open=%s (exit %d) %s", t.type,
                 t.major, t.minor, v, r.status, r.err);
    mb_result_free(&r);
}

static void test_bad_limits_are_125(void **state)
{
    static const char *const bad[][2] = {
        {"--memory", "0"},
        {"--memory", "-1"},
        {"--memory", "lots"},
        {"--memory", "1k"},
        {"--memory", "12Q"},
        {"--cpus", "0"},
        {"--cpus", "-1"},
        {"--cpus", "abc"},
        {"--cpus", "100000"},
        {"--pids-limit", "0"},
        {"--pids-limit", "-5"},
        {"--pids-limit", "x"},
        {"--cgroup-parent", "relative"},
    };
    struct mb_result r;

    (void)state;
    mb_hint("--memory, --cpus and --pids-limit are parsed and checked in the parent, before any "
            "cgroup exists: bad values exit 125.");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mb_run(&r, NULL, "run", bad[i][0], bad[i][1], "--rootfs", mb_rootfs, "true", NULL);
        if (r.status != 125)
            fail_msg("%s %s: expected exit 125, got %d", bad[i][0], bad[i][1], r.status);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
    }
    mb_assert_nothing_leaked();
}

static void test_info_reports_the_host(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("minibox info tries each namespace and reads the host's cgroup layout, and prints what "
            "it found, as text and as --json.");
    mb_run(&r, NULL, "info", NULL);
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(r.out, "kernel"));
    assert_true(mb_contains(r.out, "cgroup"));
    mb_result_free(&r);

    mb_run(&r, NULL, "info", "--json", NULL);
    assert_int_equal(r.status, 0);
    {
        /* Valid JSON with the facts the chapters rely on. */
        json_t *info = json_loads(r.out, 0, NULL);

        assert_non_null(info);
        assert_true(json_is_string(json_object_get(info, "kernel")));
        assert_true(json_is_object(json_object_get(info, "namespaces")));
        assert_non_null(json_object_get(json_object_get(info, "namespaces"), "pid"));
        assert_true(json_is_string(json_object_get(json_object_get(info, "cgroups"), "layout")));
        json_decref(info);
    }
    mb_result_free(&r);
}

int main(void)
{
    /* grade: total=83 */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_hog_is_oom_killed_and_reported),
        cmocka_unit_test(test_run_under_the_limit_succeeds),
        cmocka_unit_test(test_memory_limit_is_in_the_cgroup),
        cmocka_unit_test(test_pids_limit_stops_a_fork_bomb),
        cmocka_unit_test(test_cpu_quota_throttles),
        cmocka_unit_test(test_container_sees_its_cgroup_as_root),
        cmocka_unit_test(test_every_container_gets_a_cgroup),
        cmocka_unit_test(test_limits_work_from_a_cgroup_with_processes),
        cmocka_unit_test(test_gc_removes_what_a_killed_minibox_left),
        cmocka_unit_test(test_host_device_node_cannot_be_opened),
        cmocka_unit_test(test_allowed_devices_still_open),
        cmocka_unit_test(test_lesson_step04_host_device_node_opens),
        cmocka_unit_test(test_bad_limits_are_125),
        cmocka_unit_test(test_info_reports_the_host), /* grade: doc=#minibox-info */
        cmocka_unit_test(mb_test_nothing_leaked),
    };

    return cmocka_run_group_tests_name("05-cgroups", tests, mb_group_setup, mb_group_teardown);
}
