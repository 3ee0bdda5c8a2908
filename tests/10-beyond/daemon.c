/*
 * daemon.c - chapter 10's run options through the daemon. The client and
 * the daemon read `run`'s command line with one parser: -d and -t count
 * wherever they stand, after options that take a value (-e A=1 -d, -w /x
 * -t) as much as in a bundle (-dp). The daemon once kept its own list of
 * the options that take a value, and stopped at the first it did not know.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "beyond.h"

static struct mb_daemon bx_daemon;

/* Remove what the tests named, stop the daemon. */
int bx_daemon_teardown(void **state)
{
    struct mb_result r, ps;

    (void)state;
    if (mb_daemon_alive(&bx_daemon)) {
        /* Every container of the daemon's, by the 12-hex id ps shows. */
        mb_run(&ps, NULL, "ps", "-a", NULL);
        for (char *line = strchr(ps.out, '\n'); line != NULL; line = strchr(line + 1, '\n')) {
            char id[13];

            if (strspn(line + 1, "0123456789abcdef") < 12)
                continue;
            snprintf(id, sizeof(id), "%.12s", line + 1);
            mb_run(&r, NULL, "rm", "-f", id, NULL);
            mb_result_free(&r);
        }
        mb_result_free(&ps);
        mb_run(&r, NULL, "rmi", "bx-dimage", NULL);
        mb_result_free(&r);
    }
    mb_daemon_stop(&bx_daemon, 10000);
    memset(&bx_daemon, 0, sizeof(bx_daemon));
    return 0;
}

static void start_bx_daemon(void)
{
    const char *why;

    bx_require();
    why = mb_daemon_start(&bx_daemon, NULL);
    if (why != NULL)
        fail_msg("%s", why);
}

/* Wait until `logs NAME` shows `want`; fail after timeout_ms. */
static void wait_log(const char *name, const char *want, int timeout_ms)
{
    struct mb_result r;
    int seen = 0;

    for (int waited = 0; !seen && waited < timeout_ms; waited += 100) {
        mb_run(&r, NULL, "logs", name, NULL);
        seen = r.status == 0 && mb_contains(r.out, want);
        if (!seen && waited + 100 >= timeout_ms)
            fail_msg("logs %s never showed '%s': status %d, out '%s', err '%s'", name, want,
                     r.status, r.out, r.err);
        mb_result_free(&r);
        if (!seen)
            usleep(100000);
    }
}

static void expect_detached_id(const struct mb_result *r, const char *what)
{
    if (r->status != 0 || strlen(r->out) != 65 || strspn(r->out, "0123456789abcdef") != 64)
        fail_msg("%s: expected the 64-hex id of a detached container, got status %d, out "
                 "'%s', err '%s'",
                 what, r->status, r->out, r->err);
}

/* `run -e A=1 -d IMAGE`: the -d after a value the daemon's old list did not
 * know (-e takes one) detaches, and -e still reaches the command. */
void test_daemon_detaches_after_an_option_value(void **state)
{
    char tar[4300], cmd[9000];
    struct mb_result r;

    (void)state;
    mb_hint("The client finds -d and -t with the same option table as run (an option's value is "
            "not a flag), so -d after -e A=1 still detaches.");
    start_bx_daemon();
    if (system("grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null") != 0)
        mb_skip("overlayfs is not available (modprobe overlay): run IMAGE needs it");
    snprintf(tar, sizeof(tar), "%s/bx-base.tar", mb_tmp);
    snprintf(cmd, sizeof(cmd), "[ -f '%s' ] || tar -C '%s' -cf '%s' .", tar, mb_rootfs, tar);
    assert_int_equal(system(cmd), 0);
    mb_run(&r, NULL, "image", "import", tar, "bx-dimage", NULL);
    if (r.status != 0)
        fail_msg("image import through the daemon failed (%d): %s", r.status, r.err);
    mb_result_free(&r);

    mb_run(&r, NULL, "run", "-e", "A=1", "-d", "--name", "bx-envd", "--net", "none", "bx-dimage",
           "sh", "-c", "echo A=$A; sleep 100", NULL);
    expect_detached_id(&r, "run -e A=1 -d IMAGE through the daemon");
    mb_result_free(&r);
    wait_log("bx-envd", "A=1\n", 10000);
    mb_run(&r, NULL, "rm", "-f", "bx-envd", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
}

/* `run -dp H:C`: -d and -p in one word, as Docker reads it; the published
 * port answers while the client is long gone. */
void test_daemon_detaches_with_grouped_flags(void **state)
{
    char spec[32], body[256];
    struct mb_result r;
    int port = 20000 + (int)(getpid() % 20000) + 11;

    (void)state;
    mb_hint("Grouped short flags (-dp H:C) are read as Docker reads them: -d detaches and -p "
            "publishes the port.");
    start_bx_daemon();
    if (system("command -v nft >/dev/null") != 0)
        mb_skip("nft is missing (make deps installs nftables): -p needs it");
    snprintf(spec, sizeof(spec), "%d:8000", port);
    mb_run(&r, NULL, "run", "--cap-add", "SYS_ADMIN", "-dp", spec, "--name", "bx-dp", "--rootfs",
           mb_rootfs, "sh", "-c",
           "mount -t tmpfs www /mnt && echo served-dp > /mnt/index.html && "
           "exec httpd -f -p 8000 -h /mnt",
           NULL);
    expect_detached_id(&r, "run -dp H:C through the daemon");
    mb_result_free(&r);
    if (mb_http_get("127.0.0.1", port, body, sizeof(body), 10000) < 0)
        fail_msg("nothing answered on 127.0.0.1:%d, published by run -dp", port);
    assert_string_equal(body, "served-dp\n");
    mb_run(&r, NULL, "rm", "-f", "bx-dp", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
}

/* `run -w /etc -t`: the daemon gives the client a pseudo-terminal although
 * -t comes after -w's value. */
void test_daemon_gives_a_tty_after_an_option_value(void **state)
{
    char buf[8192] = "";
    size_t got = 0;
    int master, slave, wstatus = 0, done = 0;
    pid_t pid;

    (void)state;
    mb_hint("-t after another option's value (-w /etc -t) still asks the daemon for a "
            "pseudo-terminal.");
    start_bx_daemon();
    pid = mb_spawn_pty(&master, &slave, NULL, "run", "-w", "/etc", "-t", "--name", "bx-tty",
                       "--net", "none", "--rootfs", mb_rootfs, "sh", "-c",
                       "echo cwd=$(pwd); [ -t 0 ] && [ -t 1 ] && echo on-a-terminal", NULL);
    for (int waited = 0; waited < 20000 && !done; waited += 50) {
        struct pollfd pfd = {.fd = master, .events = POLLIN};

        if (poll(&pfd, 1, 50) > 0 && got < sizeof(buf) - 1) {
            ssize_t n = read(master, buf + got, sizeof(buf) - 1 - got);
            if (n > 0)
                got += (size_t)n;
            buf[got] = '\0';
        }
        done = waitpid(pid, &wstatus, WNOHANG) == pid;
    }
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
    }
    close(master);
    close(slave);
    if (!mb_contains(buf, "cwd=/etc") || !mb_contains(buf, "on-a-terminal"))
        fail_msg("run -w /etc -t through the daemon: expected cwd=/etc and a terminal as stdin "
                 "and stdout inside, got '%s' (status %d)",
                 buf, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

/* 400 arguments through the daemon all reach the command: the daemon once
 * kept 257 of a request's arguments and dropped the rest without a word. */
void test_daemon_passes_every_argument(void **state)
{
    static char numbers[400][8];
    char *argv[420];
    struct mb_result r;
    int n = 0;

    (void)state;
    mb_hint("The daemon's request carries every argument of the command, however many.");
    start_bx_daemon();
    argv[n++] = "run";
    argv[n++] = "--rm";
    argv[n++] = "--net";
    argv[n++] = "none";
    argv[n++] = "--rootfs";
    argv[n++] = (char *)mb_rootfs;
    argv[n++] = "sh";
    argv[n++] = "-c";
    argv[n++] = "echo $# ${400}";
    argv[n++] = "sh";
    for (int i = 0; i < 400; i++) {
        snprintf(numbers[i], sizeof(numbers[i]), "%d", i + 1);
        argv[n++] = numbers[i];
    }
    argv[n] = NULL;
    mb_run_argv(&r, NULL, argv);
    if (r.status != 0 || strcmp(r.out, "400 400\n") != 0)
        fail_msg("run through the daemon with 400 arguments: expected '400 400', got '%s' "
                 "(status %d, err '%s')",
                 r.out, r.status, r.err);
    mb_result_free(&r);
}

#define MANY 270

/* rm -f of 270 containers through the daemon removes 270: it once removed
 * the 256 that fitted in its argument array and exited 0. */
void test_daemon_rm_of_hundreds_removes_all(void **state)
{
    static char names[MANY][16];
    char *argv[MANY + 4], cmd[13000];
    struct mb_result r;
    int n = 0;

    (void)state;
    mb_hint("rm through the daemon removes every container named, however many, or fails.");
    start_bx_daemon();
    /* Made eight at a time (the daemon serves each in its own process):
     * MINIBOX_SOCKET names the daemon. */
    snprintf(cmd, sizeof(cmd),
             "seq 0 %d | xargs -P 8 -I N '%s' --root '%s' run --net none --name bx-mN "
             "--rootfs '%s' true",
             MANY - 1, mb_minibox, mb_state, mb_rootfs);
    bx_sh(&r, cmd);
    if (r.status != 0)
        fail_msg("making %d containers through the daemon failed (%d): %s", MANY, r.status, r.err);
    mb_result_free(&r);
    for (int i = 0; i < MANY; i++)
        snprintf(names[i], sizeof(names[i]), "bx-m%d", i);
    argv[n++] = "rm";
    argv[n++] = "-f";
    for (int i = 0; i < MANY; i++)
        argv[n++] = names[i];
    argv[n] = NULL;
    mb_run_argv(&r, NULL, argv);
    if (r.status != 0 || mb_count_lines(r.out) != MANY)
        fail_msg("rm -f of %d containers: status %d, %d removed (err '%s')", MANY, r.status,
                 mb_count_lines(r.out), r.err);
    mb_result_free(&r);
    mb_run(&r, NULL, "ps", "-a", NULL);
    assert_int_equal(r.status, 0);
    if (mb_contains(r.out, "bx-m"))
        fail_msg("rm -f left containers behind:\n%s", r.out);
    mb_result_free(&r);
}

/* A child of `parent` whose comm is `name`, waiting up to 3 s for one other
 * than `other_than` (0: any); 0 when there is none. */
static pid_t child_named(pid_t parent, const char *name, pid_t other_than)
{
    for (int waited = 0; waited < 3000; waited += 20) {
        char path[64], comm[32];
        long child;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
        f = fopen(path, "r");
        while (f != NULL && fscanf(f, "%ld", &child) == 1) {
            FILE *c;

            snprintf(path, sizeof(path), "/proc/%ld/comm", child);
            c = fopen(path, "r");
            if (c != NULL && fgets(comm, sizeof(comm), c) != NULL &&
                strncmp(comm, name, strlen(name)) == 0 && comm[strlen(name)] == '\n' &&
                (pid_t)child != other_than) {
                fclose(c);
                fclose(f);
                return (pid_t)child;
            }
            if (c != NULL)
                fclose(c);
        }
        if (f != NULL)
            fclose(f);
        usleep(20000);
    }
    return 0;
}

/* A process that is gone, or a zombie nobody reaped yet, within 3 s. */
static int gone_within_3s(pid_t pid)
{
    for (int waited = 0; waited < 3000 && mb_process_running(pid); waited += 20)
        usleep(20000);
    return !mb_process_running(pid);
}

/* The daemon forks a connection's handler before the connection comes: a
 * spare waits in accept() with its signal relay forked too, the daemon
 * forks the next one once it is taken, and neither outlives its daemon,
 * stopped or killed. */
void test_daemon_keeps_a_spare_handler(void **state)
{
    struct mb_result r;
    pid_t first, next, relay;

    (void)state;
    mb_hint("The daemon keeps one handler forked ahead (comm minibox-spare, with its signal relay "
            "minibox-relay forked too) that accepts the next connection itself; after it takes "
            "one the daemon forks another. An idle spare exits when the daemon stops (shutdown of "
            "the listening socket) and dies with it on kill -9 (PR_SET_PDEATHSIG), and so does "
            "its relay. docs/10-beyond.md#speed");
    start_bx_daemon();
    first = child_named(bx_daemon.pid, "minibox-spare", 0);
    if (first == 0)
        fail_msg("the daemon (pid %d) has no child named minibox-spare", (int)bx_daemon.pid);
    mb_run(&r, NULL, "ps", "-q", NULL);
    if (r.status != 0)
        fail_msg("ps through the daemon failed (%d): %s", r.status, r.err);
    mb_result_free(&r);
    next = child_named(bx_daemon.pid, "minibox-spare", first);
    if (next == 0)
        fail_msg("after serving a client, the daemon forked no new spare (the first was %d)",
                 (int)first);
    if (!gone_within_3s(first))
        fail_msg("the spare %d that served ps is still running", (int)first);
    relay = child_named(next, "minibox-relay", 0);
    if (relay == 0)
        fail_msg("the spare %d has no relay (a child named minibox-relay) forked ahead", (int)next);
    /* kill -9: an idle spare must not serve on for a daemon that is gone */
    kill(bx_daemon.pid, SIGKILL);
    mb_daemon_stop(&bx_daemon, 3000);
    if (!gone_within_3s(next))
        fail_msg("the idle spare %d outlived its daemon's kill -9", (int)next);
    if (!gone_within_3s(relay))
        fail_msg("the idle spare's relay %d outlived the daemon's kill -9", (int)relay);
    start_bx_daemon();
    next = child_named(bx_daemon.pid, "minibox-spare", 0);
    if (next == 0)
        fail_msg("the restarted daemon has no spare");
    relay = child_named(next, "minibox-relay", 0);
    mb_daemon_stop(&bx_daemon, 10000);
    if (!gone_within_3s(next))
        fail_msg("the idle spare %d outlived its daemon's SIGTERM", (int)next);
    if (relay != 0 && !gone_within_3s(relay))
        fail_msg("the idle spare's relay %d outlived the daemon's SIGTERM", (int)relay);
}
