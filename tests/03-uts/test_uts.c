/*
 * Suite 03-uts: the container has its own hostname, --hostname sets it, the
 * default is the short container id, and the host's name never changes.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbtest.h"

static char host_name[128];

static void remember_host_name(void)
{
    assert_int_equal(gethostname(host_name, sizeof(host_name)), 0);
}

static void assert_host_name_unchanged(void)
{
    char now[128];

    assert_int_equal(gethostname(now, sizeof(now)), 0);
    if (strcmp(now, host_name) != 0) {
        /* A binary without a UTS namespace renamed the host: put its name
         * back before failing, so grading a wrong binary harms nothing. */
        sethostname(host_name, strlen(host_name));
        fail_msg("the host's hostname changed from '%s' to '%s'", host_name, now);
    }
}

static void test_hostname_option(void **state)
{
    struct mb_result r;
    char v[128];

    (void)state;
    mb_hint("--hostname NAME: sethostname(2) in the child, which is in a new UTS namespace "
            "(CLONE_NEWUTS).");
    mb_require(CLONE_NEWUTS);
    remember_host_name();
    mb_run(&r, NULL, "run", "--hostname", "box1", "--rootfs", mb_rootfs, "hostname", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "box1\n");
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "-h", "box2", "--rootfs", mb_rootfs, "probe", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(mb_kv(r.out, "hostname", v, sizeof(v)), "box2");
    mb_result_free(&r);
    assert_host_name_unchanged();
}

static int is_short_id(const char *s)
{
    return strlen(s) == 12 && strspn(s, "0123456789abcdef") == 12;
}

/* Without --hostname: the 12-hex short id, different for every run. */
static void test_default_hostname_is_random_short_id(void **state)
{
    struct mb_result a, b;

    (void)state;
    mb_hint(
        "Without --hostname the container's hostname is the first 12 hex digits of its random id.");
    mb_require(CLONE_NEWUTS);
    mb_run(&a, NULL, "run", "--rootfs", mb_rootfs, "hostname", NULL);
    mb_run(&b, NULL, "run", "--rootfs", mb_rootfs, "hostname", NULL);
    assert_int_equal(a.status, 0);
    assert_int_equal(b.status, 0);
    a.out[strcspn(a.out, "\n")] = '\0';
    b.out[strcspn(b.out, "\n")] = '\0';
    if (!is_short_id(a.out) || !is_short_id(b.out))
        fail_msg("hostnames '%s' and '%s' are not 12 hex digits", a.out, b.out);
    assert_string_not_equal(a.out, b.out);
    mb_result_free(&a);
    mb_result_free(&b);
}

static void test_hostname_env_matches(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The container's HOSTNAME variable is the hostname minibox set, not the host's.");
    mb_require(CLONE_NEWUTS);
    mb_run(&r, NULL, "run", "--hostname", "envbox", "--rootfs", mb_rootfs, "sh", "-c",
           "echo $HOSTNAME", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "envbox\n");
    mb_result_free(&r);
}

/* Root in the container may rename it: the host keeps its name. */
static void test_renaming_inside_leaves_host_alone(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("CLONE_NEWUTS gives the container its own copy of the hostname: renaming it inside "
            "never touches the host's.");
    mb_require(CLONE_NEWUTS);
    mb_run_needs_cap("SYS_ADMIN"); /* sethostname; the full engine drops it */
    remember_host_name();
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", "hostname renamed && hostname",
           NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "renamed\n");
    mb_result_free(&r);
    assert_host_name_unchanged();
}

static void test_host_sees_another_uts_namespace(void **state)
{
    char host[64], container[64];
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("With CLONE_NEWUTS the container's /proc/PID/ns/uts differs from the host's.");
    mb_require(CLONE_NEWUTS);
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    mb_ns_of(getpid(), "uts", host, sizeof(host));
    mb_ns_of(child, "uts", container, sizeof(container));
    assert_string_not_equal(container, "");
    assert_string_not_equal(host, container);
    assert_int_equal(mb_finish(&p, 10000), 0);
}

/* HOST_NAME_MAX is 64: 64 bytes work, 65 and empty are refused up front. */
static void test_hostname_length_limits(void **state)
{
    char name64[65], name65[66];
    struct mb_result r;

    (void)state;
    mb_hint("A hostname is at most HOST_NAME_MAX (64) bytes and not empty: checked in the parent, "
            "before anything is created.");
    mb_require(CLONE_NEWUTS);
    memset(name64, 'a', 64);
    name64[64] = '\0';
    memset(name65, 'b', 65);
    name65[65] = '\0';
    mb_run(&r, NULL, "run", "--hostname", name64, "--rootfs", mb_rootfs, "hostname", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(strlen(r.out), 65);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--hostname", name65, "--rootfs", mb_rootfs, "hostname", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--hostname", "", "--rootfs", mb_rootfs, "hostname", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "--hostname", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

/* A minimal, known environment: nothing of the caller's leaks in. */
static void test_minimal_environment(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The command gets a fresh environment (PATH, HOME, TERM, HOSTNAME), built before "
            "execvp, never the caller's.");
    mb_require(0);
    setenv("MB_SECRET_TOKEN", "leaked", 1);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "env", NULL);
    unsetenv("MB_SECRET_TOKEN");
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(r.out, "PATH=/"));
    assert_true(mb_contains(r.out, "HOME=/root\n"));
    assert_true(mb_contains(r.out, "TERM="));
    assert_true(mb_contains(r.out, "HOSTNAME="));
    assert_false(mb_contains(r.out, "MB_SECRET_TOKEN"));
    mb_result_free(&r);
}

int main(void)
{
    /* grade: total=4 points=2 doc=#the-mechanism */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostname_option),
        cmocka_unit_test(test_default_hostname_is_random_short_id),
        cmocka_unit_test(test_hostname_env_matches),
        cmocka_unit_test(test_renaming_inside_leaves_host_alone), /* grade: points=3 doc=#why */
        cmocka_unit_test(test_host_sees_another_uts_namespace),   /* grade: points=3 */
        cmocka_unit_test(test_hostname_length_limits),
        cmocka_unit_test(test_minimal_environment), /* grade: doc=#a-known-environment */
        cmocka_unit_test(mb_test_nothing_leaked),   /* grade: points=1 doc=#troubleshooting */
    };

    return cmocka_run_group_tests_name("03-uts", tests, mb_group_setup, mb_group_teardown);
}
