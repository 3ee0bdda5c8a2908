/*
 * Suite 02-pid-ns: the command is PID 1 of a new PID namespace, PID 1's
 * special rules hold, and --init makes an ordinary program a good PID 1.
 */

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbtest.h"

static void test_command_is_pid_1(void **state)
{
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("clone(2) with CLONE_NEWPID makes the child the first process, PID 1, of a new PID "
            "namespace.");
    mb_require(CLONE_NEWPID);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", "echo $$", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "1\n");
    mb_result_free(&r);

    /* Its parent is outside the namespace, so it has none it can see. */
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(mb_kv(r.out, "pid", v, sizeof(v)), "1");
    assert_string_equal(mb_kv(r.out, "ppid", v, sizeof(v)), "0");
    mb_result_free(&r);
}

/* Seen from the host: the container's process is in another PID namespace
 * (a binary that only prints "1" cannot pass this). */
static void test_host_sees_another_pid_namespace(void **state)
{
    char host[64], container[64];
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("With CLONE_NEWPID the container's /proc/PID/ns/pid differs from the host's: printing "
            "1 is not enough.");
    mb_require(CLONE_NEWPID);
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    mb_ns_of(getpid(), "pid", host, sizeof(host));
    mb_ns_of(child, "pid", container, sizeof(container));
    assert_string_not_equal(container, "");
    assert_string_not_equal(host, container);
    assert_int_equal(mb_finish(&p, 10000), 0);
}

/* When PID 1 exits, the kernel kills the rest of its namespace: a
 * background process cannot outlive the container. */
static void test_nothing_outlives_pid_1(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("When the PID namespace's PID 1 exits the kernel kills every other process in the "
            "namespace.");
    mb_require(CLONE_NEWPID);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", "sleep 1000 & exit 0", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* The kernel drops a signal sent to PID 1 that PID 1 has no handler for:
 * the probe, which installs none, survives SIGTERM. This is the problem
 * --init solves. */
static void test_pid_1_ignores_unhandled_sigterm(void **state)
{
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("The kernel drops signals sent to a namespace's PID 1 that it has no handler for: "
            "without --init the probe survives SIGTERM.");
    mb_require(CLONE_NEWPID);
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    kill(p.pid, SIGTERM); /* minibox passes it on */
    usleep(300000);
    assert_int_equal(kill(child, 0), 0); /* still alive */
    assert_int_equal(mb_finish(&p, 10000), 0);
}

static void test_init_runs_command_as_pid_2(void **state)
{
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("With --init, minibox's own init is PID 1 and forks the command, which becomes PID 2.");
    mb_require(CLONE_NEWPID);
    mb_run(&r, NULL, "run", "--init", "--rootfs", mb_rootfs, "probe", NULL);
    assert_int_equal(r.status, 0);
    assert_string_not_equal(mb_kv(r.out, "pid", v, sizeof(v)), "1");
    assert_string_equal(mb_kv(r.out, "ppid", v, sizeof(v)), "1");
    mb_result_free(&r);
}

/* With --init, SIGTERM to minibox stops a command that never handles it. */
static void test_init_forwards_sigterm(void **state)
{
    struct mb_proc p;

    (void)state;
    mb_hint("--init's PID 1 installs handlers, so it receives SIGTERM, and passes it on to the "
            "command, which then dies of it.");
    mb_require(CLONE_NEWPID);
    mb_spawn(&p, "run", "--init", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    kill(p.pid, SIGTERM);
    assert_int_equal(mb_wait_exit(&p, 10000), 128 + SIGTERM);
}

/* Orphans are re-parented to PID 1. A PID 1 that never waits (the probe)
 * collects zombies; minibox's init reaps them. */
static int zombies_after_orphans(const char *with_init)
{
    struct mb_proc p;
    int zombies, total = 0;
    pid_t child;

    if (with_init != NULL)
        mb_spawn(&p, "run", with_init, "--rootfs", mb_rootfs, "probe", "orphans", "5", NULL);
    else
        mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "orphans", "5", NULL);
    mb_expect_line(&p, "ready", 10000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    zombies = mb_count_zombies_below(child, &total);
    assert_int_equal(mb_finish(&p, 10000), 0);
    return zombies;
}

static void test_pid_1_without_init_collects_zombies(void **state)
{
    (void)state;
    mb_hint("Orphans in a PID namespace are re-parented to its PID 1; a PID 1 that never calls "
            "wait collects zombies.");
    mb_require(CLONE_NEWPID);
    assert_int_equal(zombies_after_orphans(NULL), 5);
}

static void test_init_reaps_orphans(void **state)
{
    (void)state;
    mb_hint(
        "--init's PID 1 calls waitpid(-1) in a loop: every orphan re-parented to it is reaped.");
    mb_require(CLONE_NEWPID);
    assert_int_equal(zombies_after_orphans("--init"), 0);
}

static void test_init_passes_status_through(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("--init's PID 1 exits with the command's status (128+N for a signal), so minibox "
            "reports the command's status.");
    mb_require(CLONE_NEWPID);
    mb_run(&r, NULL, "run", "--init", "--rootfs", mb_rootfs, "sh", "-c", "exit 3", NULL);
    assert_int_equal(r.status, 3);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--init", "--rootfs", mb_rootfs, "probe", "segv", NULL);
    assert_int_equal(r.status, 128 + SIGSEGV);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--init", "--rootfs", mb_rootfs, "no-such-command", NULL);
    assert_int_equal(r.status, 127);
    assert_int_equal(mb_count_lines(r.err), 1);
    mb_result_free(&r);
}

/* SIGKILL of minibox itself takes the whole container down. */
static void test_killing_minibox_kills_the_container(void **state)
{
    struct mb_result r;
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("PR_SET_PDEATHSIG on the container's first process, and the PID namespace, take the "
            "container down when minibox is killed.");
    mb_require(CLONE_NEWPID);
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "sh", "-c", "sleep 1000 & probe hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    kill(p.pid, SIGKILL);
    assert_int_equal(mb_finish(&p, 10000), 128 + SIGKILL);
    for (int i = 0; i < 150 && kill(child, 0) == 0; i++)
        usleep(20000);
    if (kill(child, 0) == 0)
        fail_msg("the container's PID 1 (%d) outlived its minibox", (int)child);
    /* A killed minibox cannot clean up its host-side state (from chapter 5,
     * a cgroup); the contract is that the next run sweeps it. */
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "true", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* ---- a session of its own --------------------------------------------- */

/* minibox run from a terminal, as from a login shell: the container must
 * not have that terminal as its controlling terminal, in a
 * session of its own (its PID 1 leads it). */
static void test_container_has_a_session_of_its_own(void **state)
{
    char *out, *typed, v[64];

    (void)state;
    mb_hint("The container's first process calls setsid(): a session of its own, without the "
            "caller's terminal as its controlling terminal.");
    mb_require(CLONE_NEWPID);
    assert_int_equal(mb_run_on_pty(&out, &typed, "run", "--rootfs", mb_rootfs, "probe", NULL), 0);
    if (strcmp(mb_kv(out, "stdin_ctty", v, sizeof(v)), "no") != 0)
        fail_msg("the container has the caller's terminal as its controlling terminal "
                 "(stdin_ctty=%s): it shares the caller's session:\n%s",
                 v, out);
    assert_string_equal(mb_kv(out, "sid", v, sizeof(v)), "1");
    free(out);
    free(typed);
}

#define TYPED "echo pwned-by-the-container\n"

/* The attack: a process of the container (one without CAP_SYS_ADMIN:
 * probe becomes uid 65534 first) types a command into the terminal of
 * whoever ran minibox. After minibox exits, their shell would read it and
 * run it, as them, on the host. Nothing may arrive. */
static void test_container_cannot_type_into_the_callers_terminal(void **state)
{
    char *out, *typed, v[64];

    (void)state;
    mb_hint("ioctl(TIOCSTI) works only on one's controlling terminal (without CAP_SYS_ADMIN): "
            "setsid() in the container keeps it from typing into the caller's shell.");
    mb_require(CLONE_NEWPID);
    mb_run_on_pty(&out, &typed, "run", "--rootfs", mb_rootfs, "probe", "tiocsti", TYPED, "nobody",
                  NULL);
    if (typed[0] != '\0')
        fail_msg("the container typed '%s' into the caller's terminal: its shell would run it",
                 typed);
    if (strcmp(mb_kv(out, "tiocsti", v, sizeof(v)), "ok") == 0)
        fail_msg("TIOCSTI succeeded in the container:\n%s", out);
    free(out);
    free(typed);
}

/* Lesson: step 01 leaves the command in minibox's session, with the
 * caller's terminal as its controlling terminal, and the line arrives. */
static void test_lesson_step01_container_types_into_the_callers_terminal(void **state)
{
    const char *step01, *saved = mb_minibox;
    char *out, *typed;

    (void)state;
    mb_hint("Lesson: step 01 leaves the command in minibox's session, and TIOCSTI types into the "
            "caller's terminal.");
    mb_require(0);
    step01 = mb_require_step("01-chroot");
    if (!mb_legacy_tiocsti())
        mb_skip("this kernel refuses TIOCSTI without CAP_SYS_ADMIN (dev.tty.legacy_tiocsti=0): "
                "the attack cannot be shown here");
    mb_minibox = step01;
    mb_run_on_pty(&out, &typed, "run", "--rootfs", mb_rootfs, "probe", "tiocsti", TYPED, "nobody",
                  NULL);
    mb_minibox = saved;
    if (strstr(typed, "pwned-by-the-container") == NULL)
        fail_msg("on step 01 the line should have arrived in the terminal's input: got '%s'; "
                 "the container said:\n%s",
                 typed, out);
    free(out);
    free(typed);
}

/* SIGTERM and SIGINT sent to minibox reach the command. */
static void check_signal_forwarded(int sig, const char *name)
{
    struct mb_proc p;

    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "trap", name, "42", NULL);
    mb_expect_line(&p, "ready", 10000);
    kill(p.pid, sig);
    assert_int_equal(mb_finish(&p, 10000), 42);
}

static void test_sigterm_reaches_container(void **state)
{
    (void)state;
    mb_hint("minibox blocks the signals it forwards before clone and passes each one it takes with "
            "sigwaitinfo(2) to the container with kill(2).");
    mb_require(0);
    check_signal_forwarded(SIGTERM, "TERM");
}

static void test_sigint_reaches_container(void **state)
{
    (void)state;
    mb_hint("SIGINT sent to minibox alone (not from a terminal) must be forwarded to the container "
            "like SIGTERM.");
    mb_require(0);
    check_signal_forwarded(SIGINT, "INT");
}

int main(void)
{
    /* grade: total=14 points=2 doc=#what-pid-1-must-do */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_is_pid_1), /* grade: points=3 doc=#the-mechanism */
        cmocka_unit_test(
            test_host_sees_another_pid_namespace), /* grade: points=3 doc=#the-mechanism */
        cmocka_unit_test(test_nothing_outlives_pid_1),
        cmocka_unit_test(test_pid_1_ignores_unhandled_sigterm),
        cmocka_unit_test(test_init_runs_command_as_pid_2),
        cmocka_unit_test(test_init_forwards_sigterm),
        cmocka_unit_test(test_pid_1_without_init_collects_zombies),
        cmocka_unit_test(test_init_reaps_orphans),
        cmocka_unit_test(test_init_passes_status_through),
        cmocka_unit_test(test_killing_minibox_kills_the_container),
        cmocka_unit_test(
            test_container_has_a_session_of_its_own), /* grade: doc=#a-session-of-its-own */
        cmocka_unit_test(
            test_container_cannot_type_into_the_callers_terminal), /* grade: points=2
                                                                      doc=#a-session-of-its-own */
        cmocka_unit_test(
            test_lesson_step01_container_types_into_the_callers_terminal), /* grade:
                                                                              doc=#a-session-of-its-own
                                                                            */
        cmocka_unit_test(test_sigterm_reaches_container), /* grade: doc=#signals-without-handlers */
        cmocka_unit_test(test_sigint_reaches_container),  /* grade: doc=#signals-without-handlers */
        cmocka_unit_test(mb_test_nothing_leaked),         /* grade: points=1 doc=#troubleshooting */
    };

    return cmocka_run_group_tests_name("02-pid-ns", tests, mb_group_setup, mb_group_teardown);
}
