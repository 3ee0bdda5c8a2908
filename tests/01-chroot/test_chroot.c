/*
 * Suite 01-chroot: a command runs with the rootfs as its "/", its exit
 * status comes back, its stdio passes through, and bad input is refused
 * cleanly. (Signals are chapter 2's, the environment chapter 3's, `info`
 * chapter 5's.)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbtest.h"

/* The rootfs holds /etc/minibox-rootfs; the host does not. */
static void test_root_is_the_rootfs(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("chroot(2) in the child, before execvp, makes the rootfs the command's \"/\": paths "
            "like /etc resolve inside it.");
    mb_require(0);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "cat", "/etc/minibox-rootfs", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "minibox test rootfs\n");
    mb_result_free(&r);

    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "ls", "/", NULL);
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(r.out, "bin\n") && mb_contains(r.out, "etc\n"));
    mb_result_free(&r);
}

static void test_cwd_is_root(void **state)
{
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("chroot(2) leaves the working directory where it was: chdir(\"/\") right after it puts "
            "the command inside its new root.");
    mb_require(0);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(mb_kv(r.out, "cwd", v, sizeof(v)), "/");
    mb_result_free(&r);
}

static void test_exit_status_passes_through(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The parent waits for the child with waitpid(2) and exits with WEXITSTATUS of what it "
            "got: the command's own status.");
    mb_require(0);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", "exit 7", NULL);
    assert_int_equal(r.status, 7);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "true", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
}

/* A command killed by signal N: 128+N, as a shell reports it. */
static void test_signal_death_is_128_plus_n(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("A command killed by signal N shows as WIFSIGNALED in waitpid's status; minibox exits "
            "with 128+N, as a shell does.");
    mb_require(0);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "segv", NULL);
    assert_int_equal(r.status, 128 + SIGSEGV);
    mb_result_free(&r);
}

/* SIGKILL from the host, the way `kill -9` of a stuck container works. */
static void test_sigkill_from_host_is_137(void **state)
{
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("A container killed with SIGKILL from the host is still minibox's child: waitpid "
            "reports the signal and minibox exits with 128+9.");
    mb_require(0);
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    kill(child, SIGKILL);
    assert_int_equal(mb_finish(&p, 10000), 137);
}

static void test_not_executable_is_126(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("execvp failing with EACCES (or ENOEXEC) means the command exists but cannot run: exit "
            "126 with one line on stderr.");
    mb_require(0);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "/etc/passwd", NULL);
    assert_int_equal(r.status, 126);
    assert_int_equal(mb_count_lines(r.err), 1);
    mb_result_free(&r);
}

static void test_not_found_is_127(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("execvp failing with ENOENT means the command is not in the rootfs (the host's PATH "
            "does not count): exit 127 with one line on stderr.");
    mb_require(0);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "no-such-command", NULL);
    assert_int_equal(r.status, 127);
    assert_int_equal(mb_count_lines(r.err), 1);
    mb_result_free(&r);
    /* A command that exists on the host but not in the rootfs. */
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "/usr/bin/make", NULL);
    assert_int_equal(r.status, 127);
    mb_result_free(&r);
}

static void test_stdio_passes_through(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The child inherits minibox's stdin, stdout and stderr: nothing in between reads or "
            "rewrites them.");
    mb_require(0);
    mb_run(&r, "from stdin\n", "run", "--rootfs", mb_rootfs, "sh", "-c",
           "cat; echo to stdout; echo to stderr >&2", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "from stdin\nto stdout\n");
    assert_string_equal(r.err, "to stderr\n");
    mb_result_free(&r);
}

static void test_arguments_are_not_minibox_options(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("Option parsing stops at the first word that is not an option: the command's own flags "
            "belong to the command.");
    mb_require(0);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "echo", "--rootfs", "-v", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "--rootfs -v\n");
    mb_result_free(&r);
}

static void test_bad_input_is_125(void **state)
{
    char missing[4200], file[4200];
    struct mb_result r;

    (void)state;
    mb_hint("Every option and the rootfs are checked in the parent before anything is created: bad "
            "input is one line on stderr and exit 125.");
    snprintf(missing, sizeof(missing), "%s/no-such-rootfs", mb_tmp);
    snprintf(file, sizeof(file), "%s/bin/busybox", mb_rootfs);

    mb_run(&r, NULL, "run", "--no-such-flag", "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rootfs", missing, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rootfs", file, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "no-such-verb", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

int main(void)
{
    /* grade: total=20 points=1 doc=#the-mechanism */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_is_the_rootfs), /* grade: points=3 */
        cmocka_unit_test(test_cwd_is_root),
        cmocka_unit_test(test_exit_status_passes_through), /* grade: points=2 */
        cmocka_unit_test(test_signal_death_is_128_plus_n), /* grade: points=2 */
        cmocka_unit_test(test_sigkill_from_host_is_137),
        cmocka_unit_test(test_not_executable_is_126),
        cmocka_unit_test(test_not_found_is_127),
        cmocka_unit_test(test_stdio_passes_through),
        cmocka_unit_test(test_arguments_are_not_minibox_options),
        cmocka_unit_test(test_bad_input_is_125),
        cmocka_unit_test(mb_test_nothing_leaked), /* grade: doc=#troubleshooting */
    };

    return cmocka_run_group_tests_name("01-chroot", tests, mb_group_setup, mb_group_teardown);
}
