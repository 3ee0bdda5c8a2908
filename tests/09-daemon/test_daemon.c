/*
 * Suite 09-daemon: a daemon on a unix socket and its clients. Each test
 * starts a daemon of its own (own socket, own --root) and stops it in its
 * teardown. A member of the socket's group (a user and a group the suite
 * creates) runs containers through it, attached, detached and on a
 * pseudo-terminal the test holds; a non-member is refused. The daemon
 * survives malformed messages, 50 clients at once and a kill -9 (restarted,
 * it finds its containers again).
 *
 * Two members who are not root, each with a home and a subordinate range,
 * get what they could do without the daemon: containers in their own ids,
 * volumes they may open themselves, their own containers only, the
 * daemon's limits; every way to the host's root or the other's files is
 * refused with one line and 125. The users, groups and homes are the
 * suite's and are removed at its end.
 */
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mbtest.h"

#define GROUP    "mbtest-daemon"
#define MEMBER   "mbtest-member"
#define OTHER    "mbtest-other"
#define NOSUB    "mbtest-nosub"
#define STRANGER "mbtest-stranger"

static uid_t member_uid, other_uid, nosub_uid, stranger_uid;
static gid_t group_gid, member_gid, other_gid, nosub_gid, stranger_gid;
static char member_home[64], other_home[64];
static const char *no_users; /* why the users could not be made */
static struct mb_daemon daemon_;

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int make_home(const char *home, uid_t uid, gid_t gid)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
    if (system(cmd) != 0 || mkdir(home, 0700) < 0 || chown(home, uid, gid) < 0)
        return -1;
    return 0;
}

static const char *make_users(void)
{
    const char *why;
    char cmd[256];
    FILE *f;

    if (geteuid() != 0)
        return "creating the test users and group needs root";
    if (system("groupdel " GROUP " >/dev/null 2>&1") != 0) {
        /* it did not exist */
    }
    if (system("groupadd " GROUP " >/dev/null 2>&1") != 0)
        return "groupadd failed (is the passwd package installed?)";
    /* Members get subordinate ranges (useradd's default, as for any new
     * user): the daemon maps their containers into them. */
    why = mb_user_create(MEMBER, 1, &member_uid, &member_gid);
    if (why == NULL)
        why = mb_user_create(OTHER, 1, &other_uid, &other_gid);
    if (why == NULL)
        why = mb_user_create(NOSUB, 0, &nosub_uid, &nosub_gid);
    if (why == NULL)
        why = mb_user_create(STRANGER, 0, &stranger_uid, &stranger_gid);
    if (why != NULL)
        return why;
    if (system("usermod -aG " GROUP " " MEMBER " && usermod -aG " GROUP " " OTHER
               " && usermod -aG " GROUP " " NOSUB " >/dev/null 2>&1") != 0)
        return "usermod -aG failed";
    /* Homes closed to others (0700), as Debian makes them. */
    snprintf(member_home, sizeof(member_home), "/home/%s", MEMBER);
    snprintf(other_home, sizeof(other_home), "/home/%s", OTHER);
    if (make_home(member_home, member_uid, member_gid) < 0 ||
        make_home(other_home, other_uid, other_gid) < 0)
        return "cannot make the members' homes in /home";
    snprintf(cmd, sizeof(cmd), "getent group %s | cut -d: -f3", GROUP);
    f = popen(cmd, "r");
    if (f == NULL || fscanf(f, "%u", &group_gid) != 1) {
        if (f != NULL)
            pclose(f);
        return "cannot read the test group's gid";
    }
    pclose(f);
    return NULL;
}

static int suite_setup(void **state)
{
    int ret = mb_group_setup(state);

    if (ret == 0)
        no_users = make_users();
    return ret;
}

static int suite_teardown(void **state)
{
    char cmd[160];

    mb_user_delete(MEMBER);
    mb_user_delete(OTHER);
    mb_user_delete(NOSUB);
    mb_user_delete(STRANGER);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", member_home, other_home);
    if (member_home[0] != '\0' && system(cmd) != 0)
        print_message("# could not remove %s and %s\n", member_home, other_home);
    if (system("groupdel " GROUP " >/dev/null 2>&1") != 0) {
        /* it was never made */
    }
    return mb_group_teardown(state);
}

/* The containers `ps -a` lists: their 12-hex ids, one per line. */
static int list_ids(char ids[][16], int max)
{
    struct mb_result r;
    int n = 0;

    mb_run(&r, NULL, "ps", "-a", NULL);
    if (r.status == 0) {
        for (char *line = strchr(r.out, '\n'); line != NULL && n < max;
             line = strchr(line + 1, '\n')) {
            if (strspn(line + 1, "0123456789abcdef") >= 12) {
                memcpy(ids[n], line + 1, 12);
                ids[n++][12] = '\0';
            }
        }
    }
    mb_result_free(&r);
    return n;
}

/* Every test's teardown: remove what the test left (it may have failed
 * half-way) and stop the daemon, so the next test starts clean. */
static int cleanup(void **state)
{
    char ids[64][16];
    int n;

    (void)state;
    mb_as_user(0, 0);
    if (mb_daemon_alive(&daemon_)) {
        n = list_ids(ids, 64);
        for (int i = 0; i < n; i++) {
            struct mb_result r;
            mb_run(&r, NULL, "rm", "-f", ids[i], NULL);
            mb_result_free(&r);
        }
    }
    mb_daemon_stop(&daemon_, 10000);
    memset(&daemon_, 0, sizeof(daemon_));
    return 0;
}

/* Start this test's daemon, with the suite's group on its socket. The
 * daemon is this chapter's feature: a binary without one fails the test. */
static void start_daemon(void)
{
    const char *why;

    mb_require(CLONE_NEWNS | CLONE_NEWPID);
    if (no_users != NULL)
        mb_skip(no_users);
    why = mb_daemon_start(&daemon_, GROUP);
    if (why != NULL)
        fail_msg("%s", why);
}

/* Clients run as the member: its uid, and the socket's group as its gid
 * (as after `newgrp minibox`; it is also in the group's member list). */
static void as_member(void)
{
    mb_as_user(member_uid, group_gid);
}

static void as_stranger(void)
{
    mb_as_user(stranger_uid, stranger_gid);
}

/* The line of `ps` output that holds `key` (an id prefix or a name); "" if none. */
static const char *ps_line(const char *out, const char *key, char *buf, size_t len)
{
    const char *hit = strstr(out, key);
    const char *start, *end;

    buf[0] = '\0';
    if (hit == NULL)
        return buf;
    for (start = hit; start > out && start[-1] != '\n'; start--)
        ;
    end = strchr(hit, '\n');
    snprintf(buf, len, "%.*s", (int)(end ? end - start : (long)strlen(start)), start);
    return buf;
}

/* The STATUS of a container as `ps -a` shows it; "" when not listed. */
static const char *status_of(const char *key, char *buf, size_t len)
{
    struct mb_result r;
    char line[1024];

    mb_run(&r, NULL, "ps", "-a", NULL);
    assert_int_equal(r.status, 0);
    ps_line(r.out, key, line, sizeof(line));
    mb_result_free(&r);
    snprintf(buf, len, "%s", line);
    return buf;
}

/* Wait at most timeout_ms until the `ps -a` line of key contains `want`
 * (case aside). Fails the test otherwise. */
static void wait_status(const char *key, const char *want, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    char line[1024];

    do {
        if (strcasestr(status_of(key, line, sizeof(line)), want) != NULL)
            return;
        usleep(100000);
    } while (now_ms() < deadline);
    fail_msg("ps -a never showed '%s' for %s; its line: '%s'", want, key, line);
}

/* Does fd reach its end (every writer closed it) within timeout_ms? */
static int reaches_eof(int fd, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    char sink[512];

    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        long long left = deadline - now_ms();
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return 0;
        if (read(fd, sink, sizeof(sink)) <= 0)
            return 1;
    }
}

/* `run -d ...` as the current user: the 64-hex id it printed. The client
 * must be done with its stdout and stderr when it exits, or
 * `id=$(minibox run -d ...)` would hang for as long as the container runs. */
static void run_detached(char id[65], const char *name, const char *cmd)
{
    char line[256], err[1024] = "";
    struct mb_proc p;
    int status, wstatus;
    long long deadline;

    mb_spawn(&p, "run", "-d", "--name", name, "--net", "none", "--rootfs", mb_rootfs, "sh", "-c",
             cmd, NULL);
    close(p.in);
    p.in = -1;
    if (mb_read_line(&p, line, sizeof(line), 20000) < 0)
        line[0] = '\0';
    deadline = now_ms() + 20000;
    while (waitpid(p.pid, &wstatus, WNOHANG) != p.pid) {
        if (now_ms() > deadline) {
            kill(p.pid, SIGKILL);
            waitpid(p.pid, &wstatus, 0);
            break;
        }
        usleep(5000);
    }
    status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    if (status != 0) {
        ssize_t n = read(p.err, err, sizeof(err) - 1);
        err[n > 0 ? n : 0] = '\0';
        fail_msg("run -d failed (%d): %s", status, err);
    }
    if (strlen(line) != 64 || strspn(line, "0123456789abcdef") != 64)
        fail_msg("run -d must print the 64-hex id and a newline, printed '%s'", line);
    memcpy(id, line, 65);
    if (!reaches_eof(p.out, 5000) || !reaches_eof(p.err, 5000))
        fail_msg("run -d exited, but its stdout or stderr stays open: the daemon or the "
                 "container kept the client's fds, so `id=$(minibox run -d ...)` hangs");
    close(p.out);
    close(p.err);
}

static void expect_ok(const char *what, struct mb_result *r)
{
    if (r->status != 0)
        fail_msg("%s failed (%d): %s", what, r->status, r->err);
    mb_result_free(r);
}

/* The host pid of a process whose command line is exactly argv joined by
 * NULs (e.g. "sleep\0" "1001\0"); 0 if none. */
static pid_t host_pid_of(const char *cmdline, size_t len)
{
    pid_t found = 0;
    FILE *ps = popen("ls /proc", "r");
    char entry[64];

    while (ps != NULL && found == 0 && fgets(entry, sizeof(entry), ps) != NULL) {
        char path[96], buf[256];
        int fd;
        ssize_t n;

        if (entry[0] < '1' || entry[0] > '9')
            continue;
        entry[strcspn(entry, "\n")] = '\0';
        snprintf(path, sizeof(path), "/proc/%s/cmdline", entry);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        n = read(fd, buf, sizeof(buf));
        close(fd);
        if (n == (ssize_t)len && memcmp(buf, cmdline, len) == 0)
            found = (pid_t)atoi(entry);
    }
    if (ps != NULL)
        pclose(ps);
    return found;
}

/* The host pid of `sleep SECONDS`. */
static pid_t sleep_pid(const char *seconds)
{
    char cmdline[32];
    int len = snprintf(cmdline, sizeof(cmdline), "sleep%c%s", '\0', seconds);

    return host_pid_of(cmdline, (size_t)len + 1);
}

static pid_t parent_of(pid_t pid)
{
    char path[64];
    int ppid = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%*d (%*[^)]) %*c %d", &ppid) != 1)
        ppid = 0;
    fclose(f);
    return (pid_t)ppid;
}

/* ---- the socket and who may use it ---------------------------------- */

/* The socket is 0660 and belongs to the group; root's ps works, with the
 * header of the contract; each request is logged. */
static void test_socket_is_the_groups(void **state)
{
    struct mb_result r;
    struct stat st;
    int before, after;

    (void)state;
    mb_hint("The daemon's socket is mode 0660 with the --group's gid: membership in that group is "
            "the permission to use it.");
    start_daemon();
    assert_int_equal(stat(daemon_.socket, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    if ((st.st_mode & 0777) != 0660)
        fail_msg("the socket's mode is %o, expected 660", st.st_mode & 0777);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_gid, group_gid);
    {
        char cmd[4200];
        FILE *wc;
        snprintf(cmd, sizeof(cmd), "wc -l < '%s'", daemon_.log);
        wc = popen(cmd, "r");
        assert_non_null(wc);
        assert_int_equal(fscanf(wc, "%d", &before), 1);
        pclose(wc);
        mb_run(&r, NULL, "ps", NULL);
        assert_int_equal(r.status, 0);
        if (strncmp(r.out, "CONTAINER ID", 12) != 0)
            fail_msg("ps must start with the header 'CONTAINER ID  NAME  IMAGE  COMMAND  CREATED  "
                     "STATUS', printed '%s'",
                     r.out);
        {
            const char *at = r.out;
            const char *cols[] = {"NAME", "IMAGE", "COMMAND", "CREATED", "STATUS"};
            for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
                at = strstr(at, cols[i]);
                if (at == NULL || at > strchr(r.out, '\n'))
                    fail_msg("the ps header lacks %s (in order): '%s'", cols[i], r.out);
            }
        }
        assert_int_equal(mb_count_lines(r.out), 1); /* no containers yet */
        mb_result_free(&r);
        usleep(200000);
        wc = popen(cmd, "r");
        assert_non_null(wc);
        assert_int_equal(fscanf(wc, "%d", &after), 1);
        pclose(wc);
        if (after <= before)
            fail_msg("the daemon logged nothing for a ps request (log %s)", daemon_.log);
    }
}

/* Someone outside the group is refused, with how to join it: when the
 * socket's mode keeps them out, and when it does not (SO_PEERCRED). */
static void test_non_member_is_refused(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The daemon checks the peer's credentials with SO_PEERCRED and refuses a caller "
            "outside the group, naming how to join it.");
    start_daemon();
    as_stranger();
    mb_run(&r, NULL, "run", "--net", "none", "--rootfs", mb_rootfs, "echo", "should-not-run", NULL);
    mb_as_user(0, 0);
    assert_false(mb_contains(r.out, "should-not-run"));
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "usermod"))
        fail_msg("the refusal must say how to join the group (usermod -aG ...): %s", r.err);
    mb_result_free(&r);

    /* The socket opened to everyone: the daemon itself must refuse. */
    assert_int_equal(chmod(daemon_.socket, 0666), 0);
    as_stranger();
    mb_run(&r, NULL, "run", "--net", "none", "--rootfs", mb_rootfs, "echo", "should-not-run", NULL);
    mb_as_user(0, 0);
    assert_false(mb_contains(r.out, "should-not-run"));
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "usermod"))
        fail_msg("the daemon's refusal (SO_PEERCRED) must say how to join the group: %s", r.err);
    mb_result_free(&r);
    as_stranger();
    mb_run(&r, NULL, "ps", "-a", NULL);
    mb_as_user(0, 0);
    mb_assert_usage_error(&r);
    mb_result_free(&r);

    /* Nothing was created for them; the daemon still serves root. */
    mb_run(&r, NULL, "ps", "-a", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(mb_count_lines(r.out), 1);
    mb_result_free(&r);
}

/* ---- attached runs --------------------------------------------------- */

/* Output streamed to the client's stdout and stderr, stdin from it, the
 * container's exit status as the client's. */
static void test_member_runs_attached(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The client passes its fds 0-2 with SCM_RIGHTS; the container uses them, and the "
            "client exits with the status the daemon sends.");
    start_daemon();
    as_member();
    mb_run(&r, NULL, "run", "--name", "att", "--net", "none", "--rootfs", mb_rootfs, "sh", "-c",
           "echo out; echo err >&2; exit 7", NULL);
    mb_as_user(0, 0);
    assert_int_equal(r.status, 7);
    assert_string_equal(r.out, "out\n");
    assert_true(mb_contains(r.err, "err\n"));
    mb_result_free(&r);

    as_member();
    mb_run(&r, "typed by the client\n", "run", "--rm", "--net", "none", "--rootfs", mb_rootfs,
           "cat", NULL);
    mb_as_user(0, 0);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "typed by the client\n");
    mb_result_free(&r);

    as_member();
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "probe", "segv", NULL);
    mb_as_user(0, 0);
    assert_int_equal(r.status, 139);
    mb_result_free(&r);

    as_member();
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "no-such-command",
           NULL);
    mb_as_user(0, 0);
    assert_int_equal(r.status, 127);
    mb_result_free(&r);

    /* The attached run keeps its record until rm, like the others. */
    wait_status("att", "exited (7)", 5000);
    mb_run(&r, NULL, "rm", "att", NULL);
    expect_ok("rm att", &r);
}

/* The container is the daemon's, not the client's: the client has no
 * child, the daemon has the container below it. */
static void test_container_runs_under_the_daemon(void **state)
{
    static const char hold[] = "probe\0hold";
    struct mb_proc p;
    pid_t container, up;

    (void)state;
    mb_hint("The container is the daemon's child (the daemon is a subreaper), not the client's.");
    start_daemon();
    as_member();
    mb_spawn(&p, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_as_user(0, 0);
    mb_expect_line(&p, "ready", 20000);
    container = host_pid_of(hold, sizeof(hold));
    up = container;
    while (up > 1 && up != p.pid)
        up = parent_of(up);
    /* Closing the client's stdin ends `probe hold`: stdin is the client's. */
    assert_int_equal(mb_finish(&p, 10000), 0);
    assert_true(container > 0);
    if (up == p.pid)
        fail_msg("the container is a child of the client: it did not run through the daemon");
}

/* A client that goes away does not take the container with it. */
static void test_client_disconnect_keeps_the_container(void **state)
{
    struct mb_proc p;
    struct mb_result r;
    char line[256];

    (void)state;
    mb_hint("A detached container belongs to the daemon: a client that goes away does not end it.");
    start_daemon();
    mb_spawn(&p, "run", "--name", "keeper", "--net", "none", "--rootfs", mb_rootfs, "sh", "-c",
             "echo up; exec sleep 1000", NULL);
    mb_expect_line(&p, "up", 20000);
    kill(p.pid, SIGKILL);
    mb_wait_exit(&p, 5000);
    usleep(300000);
    assert_true(mb_daemon_alive(&daemon_));
    wait_status("keeper", "running", 2000);
    mb_run(&r, NULL, "ps", NULL);
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(ps_line(r.out, "keeper", line, sizeof(line)), "keeper"));
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "-f", "keeper", NULL);
    expect_ok("rm -f keeper", &r);
}

/* ---- detached runs and the verbs ------------------------------------- */

/* -d prints the id; logs shows the output; ps lists it as running; stop -t 1
 * kills a container that ignores SIGTERM after one second; ps -a then shows
 * exited (137); rm removes it. */
static void test_detached_logs_ps_stop_rm(void **state)
{
    struct mb_result r;
    char id[65], shortid[13], line[1024];
    long long t0, took;
    int seen = 0;

    (void)state;
    mb_hint("run -d prints the id and returns; the daemon's monitor keeps the log and the status "
            "that ps, logs, stop and rm read.");
    start_daemon();
    as_member();
    run_detached(id, "web", "trap '' TERM; echo started; while :; do sleep 1; done");
    snprintf(shortid, sizeof(shortid), "%.12s", id);

    for (long long end = now_ms() + 5000; !seen && now_ms() < end;) {
        mb_run(&r, NULL, "logs", "web", NULL);
        assert_int_equal(r.status, 0);
        seen = mb_contains(r.out, "started\n");
        mb_result_free(&r);
        if (!seen)
            usleep(100000);
    }
    if (!seen)
        fail_msg("logs web never showed the container's output 'started'");

    mb_run(&r, NULL, "ps", NULL);
    assert_int_equal(r.status, 0);
    ps_line(r.out, shortid, line, sizeof(line));
    if (line[0] == '\0')
        fail_msg("ps does not list %s (ids are shown as 12 hex): '%s'", shortid, r.out);
    assert_true(strncmp(line, shortid, 12) == 0);
    assert_false(mb_contains(r.out, id)); /* 12 shown, not 64 */
    assert_true(mb_contains(line, "web"));
    assert_true(strcasestr(line, "running") != NULL);
    mb_result_free(&r);

    t0 = now_ms();
    mb_run(&r, NULL, "stop", "-t", "1", "web", NULL);
    took = now_ms() - t0;
    expect_ok("stop -t 1 web", &r);
    if (took < 900)
        fail_msg("stop returned after %lld ms: SIGTERM is ignored, so it must wait the 1 s of -t",
                 took);
    if (took > 8000)
        fail_msg("stop -t 1 took %lld ms: the timeout was not 1 s", took);

    mb_run(&r, NULL, "ps", NULL);
    assert_int_equal(r.status, 0);
    assert_false(mb_contains(r.out, shortid)); /* not running: only with -a */
    mb_result_free(&r);
    wait_status(shortid, "exited (137)", 3000);

    mb_run(&r, NULL, "rm", id, NULL);
    expect_ok("rm <id>", &r);
    mb_as_user(0, 0);
    mb_run(&r, NULL, "ps", "-a", NULL);
    assert_false(mb_contains(r.out, shortid));
    mb_result_free(&r);
}

/* kill: default KILL, -s by name or number; a short id works. */
static void test_kill_signals(void **state)
{
    struct mb_result r;
    char a[65], b[65], c[65], shortb[13];

    (void)state;
    mb_hint("kill sends a signal (KILL by default, -s by name or number) to the container found by "
            "id, short id or name.");
    start_daemon();
    as_member();
    run_detached(a, "k-default", "exec sleep 1000");
    run_detached(b, "k-term", "exec probe trap TERM 5");
    run_detached(c, "k-usr1", "exec probe trap 10 6"); /* SIGUSR1 */
    snprintf(shortb, sizeof(shortb), "%.12s", b);
    wait_status("k-term", "running", 3000);
    usleep(300000); /* the probes install their handlers */

    mb_run(&r, NULL, "kill", "k-default", NULL);
    expect_ok("kill k-default", &r);
    wait_status("k-default", "exited (137)", 5000);

    mb_run(&r, NULL, "kill", "-s", "TERM", shortb, NULL);
    expect_ok("kill -s TERM <12-hex id>", &r);
    wait_status("k-term", "exited (5)", 5000);

    mb_run(&r, NULL, "kill", "-s", "10", "k-usr1", NULL); /* SIGUSR1 on x86 and arm */
    expect_ok("kill -s 10", &r);
    wait_status("k-usr1", "exited (6)", 5000);

    mb_run(&r, NULL, "rm", "k-default", "k-term", "k-usr1", NULL);
    expect_ok("rm of three", &r);
    mb_as_user(0, 0);
}

/* rm is refused while the container runs, -f forces it. */
static void test_rm_running_needs_force(void **state)
{
    struct mb_result r;
    char id[65];
    pid_t host;

    (void)state;
    mb_hint("rm refuses a running container; rm -f kills it first.");
    start_daemon();
    run_detached(id, "busy", "exec sleep 1003");
    wait_status("busy", "running", 3000);
    host = sleep_pid("1003");
    assert_true(host > 0);
    mb_run(&r, NULL, "rm", "busy", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    assert_true(mb_process_running(host));
    mb_run(&r, NULL, "rm", "-f", "busy", NULL);
    expect_ok("rm -f busy", &r);
    for (int i = 0; i < 50 && mb_process_running(host); i++)
        usleep(100000);
    assert_false(mb_process_running(host));
    mb_run(&r, NULL, "ps", "-a", NULL);
    assert_false(mb_contains(r.out, "busy"));
    mb_result_free(&r);
}

/* logs -f follows the output until the container exits. */
static void test_logs_follow(void **state)
{
    struct mb_result r;
    char id[65];
    int followed;

    (void)state;
    mb_hint("logs -f keeps reading the log file until the container has exited.");
    start_daemon();
    run_detached(id, "talker", "echo one; sleep 3; echo two; exit 4");
    /* Before "two" is written (unless this machine took 3 s for a logs)... */
    mb_run(&r, NULL, "logs", "talker", NULL);
    assert_int_equal(r.status, 0);
    followed = !mb_contains(r.out, "two");
    mb_result_free(&r);
    /* ...logs -f must wait for it, and end when the container does. */
    mb_run(&r, NULL, "logs", "-f", "talker", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "one\ntwo\n");
    mb_result_free(&r);
    if (!followed)
        print_message("# this machine was too slow to see logs -f wait for the output\n");
    wait_status("talker", "exited (4)", 3000);
    mb_run(&r, NULL, "rm", "talker", NULL);
    expect_ok("rm talker", &r);
}

/* A container the kernel's OOM killer ended is shown as OOM-killed. */
static void test_ps_shows_oom_killed(void **state)
{
    struct mb_result r;
    const char *why;

    (void)state;
    mb_hint(
        "The monitor records an OOM kill (memory.events) with the exit status, and ps shows it.");
    start_daemon();
    why = mb_cgroup_missing("memory");
    if (why != NULL)
        mb_skip(why);
    mb_run(&r, NULL, "run", "-d", "--name", "hog", "--memory", "32M", "--net", "none", "--rootfs",
           mb_rootfs, "probe", "hog", "256", NULL);
    expect_ok("run -d --memory 32M probe hog 256", &r);
    wait_status("hog", "OOM-killed", 10000);
    mb_run(&r, NULL, "rm", "hog", NULL);
    expect_ok("rm hog", &r);
}

/* An image of the daemon's store runs through it; ps names the image. */
static void test_image_run_through_the_daemon(void **state)
{
    char tarball[4300], cmd[9000], line[1024], image_id[16];
    struct mb_result r;

    (void)state;
    mb_hint("The daemon runs images of its own store (--root), and records the image name for ps.");
    start_daemon();
    if (system("grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null") != 0)
        mb_skip("overlayfs is not available (modprobe overlay)");
    snprintf(tarball, sizeof(tarball), "%s/rootfs.tar", mb_tmp);
    snprintf(cmd, sizeof(cmd), "test -f '%s' || tar -C '%s' -cf '%s' .", tarball, mb_rootfs,
             tarball);
    assert_int_equal(system(cmd), 0);
    /* The store is the daemon's --root (a later --root wins over the harness's). */
    mb_run(&r, NULL, "--root", daemon_.root, "image", "import", tarball, "base", NULL);
    if (r.status != 0 || strncmp(r.out, "sha256:", 7) != 0)
        fail_msg("image import into the daemon's store failed (%d): %s", r.status, r.err);
    snprintf(image_id, sizeof(image_id), "%.12s", r.out + 7);
    mb_result_free(&r);

    as_member();
    mb_run(&r, NULL, "run", "--name", "from-image", "--net", "none", "base", "cat",
           "/etc/minibox-rootfs", NULL);
    mb_as_user(0, 0);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "minibox test rootfs\n");
    mb_result_free(&r);
    mb_run(&r, NULL, "ps", "-a", NULL);
    /* IMAGE: the name it was run by (as Docker shows it), not the digest */
    ps_line(r.out, "from-image", line, sizeof(line));
    if (!mb_contains(line, " base ") || mb_contains(line, image_id))
        fail_msg("ps -a must name the image as it was run, 'base' (not its id %s): '%s'", image_id,
                 line);
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "from-image", NULL);
    expect_ok("rm from-image", &r);
    mb_run(&r, NULL, "--root", daemon_.root, "rmi", "base", NULL);
    expect_ok("rmi base", &r);
}

/* Docker's habits: `daemon --socket S` after the verb (as dockerd takes
 * it), `ps -q` for scripts, an age in words, exact times in --format json. */
static void test_ps_and_daemon_take_dockers_options(void **state)
{
    char id[80], line[1024];
    struct mb_result r;
    json_t *row;

    (void)state;
    mb_hint("The daemon and ps take Docker's spellings: daemon --socket after the verb, ps -q for "
            "ids only, --format json with exact times.");
    daemon_.options_after_verb = 1;
    start_daemon();
    as_member();
    mb_run(&r, NULL, "run", "-d", "--name", "habits", "--net", "none", "--rootfs", mb_rootfs,
           "sleep", "60", NULL);
    mb_as_user(0, 0);
    if (r.status != 0)
        fail_msg("run -d habits failed (%d): %s", r.status, r.err);
    snprintf(id, sizeof(id), "%.12s", r.out);
    mb_result_free(&r);

    mb_run(&r, NULL, "ps", "-q", NULL);
    if (r.status != 0)
        fail_msg("ps -q failed (%d): %s", r.status, r.err);
    if (strncmp(r.out, id, 12) != 0 || strlen(r.out) != 13)
        fail_msg("ps -q must print only the id %s and a newline, printed: '%s'", id, r.out);
    mb_result_free(&r);

    mb_run(&r, NULL, "ps", NULL);
    if (r.status != 0)
        fail_msg("ps failed (%d): %s", r.status, r.err);
    ps_line(r.out, "habits", line, sizeof(line));
    if (!mb_contains(line, " ago "))
        fail_msg("ps must show CREATED as an age ('2 seconds ago'): '%s'", line);
    mb_result_free(&r);

    mb_run(&r, NULL, "ps", "-a", "--format", "json", NULL);
    if (r.status != 0)
        fail_msg("ps --format json failed (%d): %s", r.status, r.err);
    row = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
    if (row == NULL || strlen(json_string_value(json_object_get(row, "CreatedAt")) ?: "") != 20 ||
        json_string_value(json_object_get(row, "CreatedAt"))[10] != 'T')
        fail_msg("ps --format json must give CreatedAt as an ISO 8601 time: '%s'", r.out);
    json_decref(row);
    mb_result_free(&r);

    mb_run(&r, NULL, "ps", "--bogus", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

/* Run `minibox --socket S ARGS...` as the member the way a user would:
 * no --root, no XDG_RUNTIME_DIR (a su or ssh session may have none). */
static int member_runs_plainly(char *const args[])
{
    char *argv[16] = {(char *)mb_minibox, "--socket", daemon_.socket};
    int n = 3, status;
    pid_t pid;

    while (*args != NULL && n < 15)
        argv[n++] = *args++;
    argv[n] = NULL;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        gid_t g = group_gid;
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        unsetenv("XDG_RUNTIME_DIR");
        unsetenv("MINIBOX_ROOT");
        if (setgroups(1, &g) < 0 || setgid(group_gid) < 0 || setuid(member_uid) < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A client that only talks to the daemon keeps no state of its own: no
 * /tmp/minibox-UID appears (it would outlive the user). */
static void test_client_of_the_daemon_leaves_no_state(void **state)
{
    char dir[64], cmd[128];
    struct stat st;

    (void)state;
    mb_hint("A client that only talks to the daemon writes no state of its own: the daemon holds "
            "every container's state under its --root.");
    start_daemon();
    snprintf(dir, sizeof(dir), "/tmp/minibox-%u", (unsigned)member_uid);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(member_runs_plainly((char *[]){"run", "--rm", "--net", "none", "--rootfs",
                                                    (char *)mb_rootfs, "true", NULL}),
                     0);
    assert_int_equal(
        member_runs_plainly((char *[]){"run", "-d", "--name", "plain", "--net", "none", "--rootfs",
                                       (char *)mb_rootfs, "sleep", "30", NULL}),
        0);
    assert_int_equal(member_runs_plainly((char *[]){"ps", "-a", NULL}), 0);
    assert_int_equal(member_runs_plainly((char *[]){"logs", "plain", NULL}), 0);
    assert_int_equal(member_runs_plainly((char *[]){"kill", "plain", NULL}), 0);
    assert_int_equal(member_runs_plainly((char *[]){"rm", "-f", "plain", NULL}), 0);
    if (stat(dir, &st) == 0)
        fail_msg("a client of the daemon made %s (state of its own it never uses)", dir);
}

/* ---- interactive: a pseudo-terminal held by the test ----------------- */

struct term {
    int master, slave;
    pid_t pid;
    char buf[65536];
    size_t len;
};

/* Read what the client printed until `want` appears after offset `from`. */
static int term_wait(struct term *t, size_t from, const char *want, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;

    for (;;) {
        struct pollfd fd = {t->master, POLLIN, 0};
        long long left;
        ssize_t n;

        if (t->len > from && strstr(t->buf + from, want) != NULL)
            return 0;
        left = deadline - now_ms();
        if (left <= 0 || poll(&fd, 1, (int)left) <= 0)
            return -1;
        n = read(t->master, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
        if (n <= 0)
            return -1;
        t->len += (size_t)n;
        t->buf[t->len] = '\0';
        if (t->len + 1 >= sizeof(t->buf)) /* keep the tail */
            t->len = 0;
    }
}

static void term_type(struct term *t, const char *text)
{
    assert_int_equal(write(t->master, text, strlen(text)), (ssize_t)strlen(text));
}

static void term_expect(struct term *t, size_t from, const char *want, int timeout_ms)
{
    if (term_wait(t, from, want, timeout_ms) < 0)
        fail_msg("the terminal never showed '%s'; it showed: '%s'", want, t->buf + from);
}

/* Wait for the client to end; its exit status, or -1 (killed) on timeout. */
static int term_exit(struct term *t, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    int wstatus;

    for (;;) {
        char sink[4096];
        struct pollfd fd = {t->master, POLLIN, 0};
        if (waitpid(t->pid, &wstatus, WNOHANG) == t->pid)
            return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        if (now_ms() >= deadline) {
            kill(t->pid, SIGKILL);
            waitpid(t->pid, &wstatus, 0);
            return -1;
        }
        if (poll(&fd, 1, 20) > 0 && read(t->master, sink, sizeof(sink)) < 0)
            usleep(20000);
    }
}

static void term_close(struct term *t)
{
    close(t->master);
    close(t->slave);
}

static int same_termios(const struct termios *a, const struct termios *b)
{
    return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
           a->c_lflag == b->c_lflag && a->c_cc[VMIN] == b->c_cc[VMIN] &&
           a->c_cc[VTIME] == b->c_cc[VTIME] && a->c_cc[VINTR] == b->c_cc[VINTR];
}

/* Start `run -it --name NAME ... sh` as the member on a new terminal of
 * rows x cols; wait until the client has put it in raw mode. */
static void term_start(struct term *t, const char *name, unsigned short rows, unsigned short cols,
                       struct termios *before)
{
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    struct termios now;
    long long deadline;

    memset(t, 0, sizeof(*t));
    as_member();
    t->pid = mb_spawn_pty(&t->master, &t->slave, &ws, "run", "-it", "--name", name, "--net", "none",
                          "--rootfs", mb_rootfs, "sh", NULL);
    mb_as_user(0, 0);
    assert_int_equal(tcgetattr(t->slave, before), 0);
    assert_true(before->c_lflag & ECHO);
    /* The client puts its terminal in raw mode: no echo, no line editing,
     * no signals from ^C (they must reach the container). */
    deadline = now_ms() + 10000;
    do {
        assert_int_equal(tcgetattr(t->slave, &now), 0);
        if (!(now.c_lflag & (ECHO | ICANON | ISIG)))
            return;
        usleep(20000);
    } while (now_ms() < deadline && waitpid(t->pid, NULL, WNOHANG) == 0);
    term_wait(t, 0, "\xff", 200); /* collect what it said */
    fail_msg("the client never put its terminal in raw mode (lflag %#o); it printed: '%s'",
             (unsigned)now.c_lflag, t->buf);
}

/* echo $$ prints 1; stty size shows the size at start and after a
 * resize; ^C reaches the container; exit 3 gives 3; the terminal is
 * restored. */
static void test_interactive_session(void **state)
{
    struct termios before, after;
    struct winsize ws = {.ws_row = 45, .ws_col = 132};
    struct term t;
    struct mb_result r;
    size_t mark;
    int resized = 0, status;

    (void)state;
    mb_hint("run -it: the daemon makes a pty pair, the client puts its terminal in raw mode, "
            "relays bytes and SIGWINCH, and restores the terminal.");
    start_daemon();
    term_start(&t, "tty1", 31, 97, &before);

    mark = t.len;
    term_type(&t, "echo pid-$$-end\n");
    term_expect(&t, mark, "pid-1-end", 10000);

    mark = t.len;
    term_type(&t, "stty size\n");
    term_expect(&t, mark, "31 97", 5000);

    /* The test's side of the terminal changes size: the kernel sends the
     * client SIGWINCH, the client passes the new size on. */
    assert_int_equal(ioctl(t.master, TIOCSWINSZ, &ws), 0);
    for (int tries = 0; tries < 10 && !resized; tries++) {
        mark = t.len;
        term_type(&t, "stty size\n");
        resized = term_wait(&t, mark, "45 132", 500) == 0;
    }
    if (!resized)
        fail_msg("stty size never showed the new size 45 132: '%s'", t.buf + mark);

    /* ^C is a byte in raw mode: the container's terminal makes it SIGINT
     * for the container's foreground job, the shell survives. */
    mark = t.len;
    term_type(&t, "sleep 30\n");
    term_expect(&t, mark, "sleep 30", 5000);
    usleep(500000);
    term_type(&t, "\003");
    usleep(300000);
    mark = t.len;
    term_type(&t, "echo rc-$?-end\n");
    term_expect(&t, mark, "rc-130-end", 5000);

    term_type(&t, "exit 3\n");
    status = term_exit(&t, 10000);
    assert_int_equal(tcgetattr(t.slave, &after), 0);
    term_close(&t);
    assert_int_equal(status, 3);
    if (!same_termios(&before, &after))
        fail_msg("the terminal was not restored: lflag %#o iflag %#o oflag %#o before, "
                 "%#o %#o %#o after",
                 (unsigned)before.c_lflag, (unsigned)before.c_iflag, (unsigned)before.c_oflag,
                 (unsigned)after.c_lflag, (unsigned)after.c_iflag, (unsigned)after.c_oflag);
    mb_run(&r, NULL, "rm", "tty1", NULL);
    expect_ok("rm tty1", &r);
}

/* What is typed (or pasted) before the container's shell is up is not lost:
 * the client enters raw mode without flushing its terminal's input, as ssh
 * does (TCSAFLUSH would discard the line below). */
static void test_interactive_keeps_typed_ahead_input(void **state)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    struct mb_result r;
    struct term t;
    int status;

    (void)state;
    mb_hint("The client enters raw mode with TCSADRAIN, not TCSAFLUSH, so input typed before the "
            "container's shell is up is not discarded.");
    start_daemon();
    memset(&t, 0, sizeof(t));
    as_member();
    t.pid = mb_spawn_pty(&t.master, &t.slave, &ws, "run", "-it", "--name", "ahead", "--net", "none",
                         "--rootfs", mb_rootfs, "sh", NULL);
    mb_as_user(0, 0);
    /* Typed at once, while the client still connects: the line waits in
     * the terminal's input queue. $((40+2)) shows that the shell ran it. */
    term_type(&t, "echo ahead-$((40+2))-end; exit 4\n");
    if (term_wait(&t, 0, "ahead-42-end", 10000) < 0) {
        term_exit(&t, 2000);
        term_close(&t);
        fail_msg("the line typed before the shell started was lost; the terminal showed: '%s'",
                 t.buf);
    }
    status = term_exit(&t, 10000);
    term_close(&t);
    assert_int_equal(status, 4);
    mb_run(&r, NULL, "rm", "ahead", NULL);
    expect_ok("rm ahead", &r);
}

/* Another exit path: the container is killed from another client; the
 * session ends with 137 and the terminal is restored all the same. */
static void test_interactive_restores_terminal_when_killed(void **state)
{
    struct termios before, after;
    struct mb_result r;
    struct term t;
    size_t mark;
    int status;

    (void)state;
    mb_hint("However the session ends, the client restores the terminal attributes it saved.");
    start_daemon();
    term_start(&t, "tty2", 24, 80, &before);
    mark = t.len;
    term_type(&t, "echo pid-$$-end\n");
    term_expect(&t, mark, "pid-1-end", 10000);
    mb_run(&r, NULL, "kill", "tty2", NULL);
    expect_ok("kill tty2", &r);
    status = term_exit(&t, 10000);
    assert_int_equal(tcgetattr(t.slave, &after), 0);
    term_close(&t);
    assert_int_equal(status, 137);
    if (!same_termios(&before, &after))
        fail_msg("the terminal was not restored after the container was killed (lflag %#o, "
                 "was %#o)",
                 (unsigned)after.c_lflag, (unsigned)before.c_lflag);
    mb_run(&r, NULL, "rm", "tty2", NULL);
    expect_ok("rm tty2", &r);
}

/* ---- crash and restart ----------------------------------------------- */

/* kill -9 of the daemon; a container dies while it is down, another keeps
 * running. Restarted, the daemon shows the first exited and the second
 * running, stop works on the second, rm leaves nothing. */
static void test_restart_after_kill_9_recovers(void **state)
{
    struct mb_result r;
    char a[65], b[65];
    pid_t alive, dead;
    const char *why;

    (void)state;
    mb_hint("State lives on disk with a lock per live container: a restarted daemon finds what "
            "still runs and what exited.");
    start_daemon();
    run_detached(a, "survivor", "exec sleep 1001");
    run_detached(b, "casualty", "exec sleep 1002");
    wait_status("survivor", "running", 3000);
    wait_status("casualty", "running", 3000);
    /* Running, its sh may not have exec'd sleep yet: wait for the sleeps. */
    for (int waited = 0; waited < 5000; waited += 50) {
        alive = sleep_pid("1001");
        dead = sleep_pid("1002");
        if (alive > 0 && dead > 0)
            break;
        usleep(50000);
    }
    assert_true(alive > 0 && dead > 0);

    kill(daemon_.pid, SIGKILL);
    waitpid(daemon_.pid, NULL, 0);
    daemon_.pid = 0;
    usleep(200000);
    if (!mb_process_running(alive) || !mb_process_running(dead))
        fail_msg("the containers died with the daemon: they must outlive it");
    kill(dead, SIGKILL);
    for (int i = 0; i < 50 && mb_process_running(dead); i++)
        usleep(20000);

    why = mb_daemon_start(&daemon_, GROUP); /* same root, same socket */
    if (why != NULL)
        fail_msg("restart after kill -9: %s", why);
    wait_status("survivor", "running", 5000);
    wait_status("casualty", "exited (", 5000);

    mb_run(&r, NULL, "stop", "-t", "1", "survivor", NULL);
    expect_ok("stop of a re-adopted container", &r);
    for (int i = 0; i < 50 && mb_process_running(alive); i++)
        usleep(100000);
    assert_false(mb_process_running(alive));
    wait_status("survivor", "exited (", 5000);

    mb_run(&r, NULL, "rm", "survivor", "casualty", NULL);
    expect_ok("rm after restart", &r);
    mb_run(&r, NULL, "ps", "-a", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(mb_count_lines(r.out), 1);
    mb_result_free(&r);
    {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/containers' 2>/dev/null)\"",
                 daemon_.root);
        if (system(cmd) != 0)
            fail_msg("rm left container state in %s/containers", daemon_.root);
    }
}

/* ---- the protocol: malformed input, many clients ---------------------- */

static void send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the daemon may close early: what it replies is checked */
        p += n;
        len -= (size_t)n;
    }
}

static void send_frame(int fd, uint32_t len, const void *body, size_t body_len)
{
    unsigned char hdr[4] = {len >> 24, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff};

    send_all(fd, hdr, 4);
    if (body_len > 0)
        send_all(fd, body, body_len);
}

/* Read exactly len bytes before the deadline: 0, -1 on timeout, -2 at the
 * end of the stream (or a reset). */
static int read_full(int fd, void *buf, size_t len, long long deadline)
{
    char *p = buf;

    while (len > 0) {
        struct pollfd pfd = {fd, POLLIN, 0};
        long long left = deadline - now_ms();
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return -1;
        n = read(fd, p, len);
        if (n <= 0)
            return -2;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* What came back for a bad message: 1 an error reply, 0 the connection
 * closed without one. Fails the test on a success reply, a malformed reply
 * or silence for 5 s. */
static int bad_message_answer(int fd, const char *what)
{
    long long deadline = now_ms() + 5000;
    unsigned char hdr[4];
    uint32_t len;
    char *body;
    json_t *reply, *v, *ok, *error;
    json_error_t jerr;

    switch (read_full(fd, hdr, 4, deadline)) {
    case -1: /* silence is no answer */
        fail_msg("%s: no reply and the connection still open after 5 s", what);
        return -1;
    case -2: /* closing is one */
        return 0;
    }
    len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    if (len > (1u << 20))
        fail_msg("%s: the reply claims %u bytes", what, len);
    body = calloc(1, len + 1);
    assert_non_null(body);
    if (read_full(fd, body, len, deadline) < 0)
        fail_msg("%s: the reply was cut short", what);
    reply = json_loadb(body, len, 0, &jerr);
    if (reply == NULL || !json_is_object(reply))
        fail_msg("%s: the reply is not a JSON object: '%s'", what, body);
    v = json_object_get(reply, "v");
    ok = json_object_get(reply, "ok");
    error = json_object_get(reply, "error");
    if (!json_is_integer(v) || json_integer_value(v) != 1 || !json_is_false(ok) ||
        !json_is_string(error) || json_string_length(error) == 0)
        fail_msg("%s: expected {\"v\":1,\"ok\":false,\"error\":\"...\"}, got '%s'", what, body);
    json_decref(reply);
    free(body);
    return 1;
}

static void daemon_still_serves(const char *after)
{
    struct mb_result r;

    if (!mb_daemon_alive(&daemon_))
        fail_msg("the daemon died after %s", after);
    mb_run(&r, NULL, "ps", NULL);
    if (r.status != 0)
        fail_msg("ps after %s failed (%d): %s", after, r.status, r.err);
    mb_result_free(&r);
}

struct bad {
    const char *what;
    const char *body;
    size_t len;       /* of body */
    uint32_t claimed; /* the length in the header */
    int must_reply;   /* 1: an error reply is required; 0: closing is enough */
};

/* A message whose header tells its true length. */
#define BAD(what, lit) what, lit, sizeof(lit) - 1, sizeof(lit) - 1, 1

static void test_malformed_messages_get_an_error(void **state)
{
    static char deep[200001];
    const struct bad cases[] = {
        {BAD("not JSON", "hello, daemon")},
        {BAD("a JSON array", "[1,2,3]")},
        {BAD("a JSON string", "\"ps\"")},
        {BAD("an unknown op", "{\"v\":1,\"op\":\"frobnicate-the-widgets\"}")},
        {BAD("an unknown version", "{\"v\":99,\"op\":\"ps\"}")},
        {BAD("no version", "{\"op\":\"ps\"}")},
        {BAD("no op", "{\"v\":1}")},
        {BAD("an op of the wrong type", "{\"v\":1,\"op\":7}")},
        {BAD("a NUL inside", "{\"v\":1,\0\"op\":\"ps\"}")},
        {BAD("invalid UTF-8", "{\"v\":1,\"op\":\"\xff\xfe\"}")},
        {BAD("an empty message", "")},
        {"a length over 1 MiB", "{", 1, (1u << 20) + 1, 1},
        {"a length of 4 GiB", "{", 1, 0xffffffffu, 1},
        {"a truncated body", "{\"v\":1,\"op\":", 12, 64, 0},
        {"JSON nested 100000 deep", deep, 200000, 200000, 1},
    };
    char what[128];

    (void)state;
    mb_hint("Each message is a 4-byte length and JSON, at most 1 MiB: anything else gets an error "
            "reply or a closed connection, never a crash.");
    start_daemon();
    memset(deep, '[', 100000);
    memset(deep + 100000, ']', 100000);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad *c = &cases[i];
        int fd = mb_connect_unix(daemon_.socket);

        snprintf(what, sizeof(what), "a message with %s", c->what);
        assert_true(fd >= 0);
        send_frame(fd, c->claimed, c->body, c->len);
        if (!c->must_reply)
            shutdown(fd, SHUT_WR);
        if (bad_message_answer(fd, what) == 0 && c->must_reply)
            fail_msg("%s: the daemon closed the connection without an error reply", what);
        close(fd);
        daemon_still_serves(what);
    }

    /* A header cut short, then the client goes away. */
    {
        int fd = mb_connect_unix(daemon_.socket);
        assert_true(fd >= 0);
        send_all(fd, "\0\0", 2);
        shutdown(fd, SHUT_WR);
        bad_message_answer(fd, "a truncated header");
        close(fd);
        daemon_still_serves("a truncated header");
    }
    /* Garbage after a bad message on the same connection. */
    {
        int fd = mb_connect_unix(daemon_.socket);
        assert_true(fd >= 0);
        send_all(fd, "GET / HTTP/1.0\r\n\r\n", 18);
        bad_message_answer(fd, "an HTTP request");
        close(fd);
        daemon_still_serves("an HTTP request");
    }
}

/* Clients that connect and say nothing, or half a header, do not block the
 * others. */
static void test_slow_clients_do_not_block(void **state)
{
    int idle[8];
    long long t0;
    struct mb_result r;

    (void)state;
    mb_hint("The daemon handles each connection in a process of its own: a silent client blocks "
            "nobody.");
    start_daemon();
    for (int i = 0; i < 8; i++) {
        idle[i] = mb_connect_unix(daemon_.socket);
        assert_true(idle[i] >= 0);
        if (i % 2)
            send_all(idle[i], "\0\0", 2);
    }
    t0 = now_ms();
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "echo", "served", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "served\n");
    mb_result_free(&r);
    mb_run(&r, NULL, "ps", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    if (now_ms() - t0 > 10000)
        fail_msg("a run and a ps took %lld ms while idle clients were connected", now_ms() - t0);
    for (int i = 0; i < 8; i++)
        close(idle[i]);
    daemon_still_serves("idle clients");
}

/* 50 attached runs at once, as the member: each gets its own output. */
static void test_fifty_clients_at_once(void **state)
{
    enum { N = 50 };
    struct mb_proc p[N];
    char cmd[N][32], line[128];
    struct mb_result r;
    int bad = 0, status;

    static const char *const no_cap[] = {"--max-containers", "0", NULL};

    (void)state;
    mb_hint("Fifty clients at once: one process per connection, each with its own fds and reply.");
    daemon_.options = no_cap; /* the default allows a member 10 at once */
    start_daemon();
    as_member();
    for (int i = 0; i < N; i++) {
        snprintf(cmd[i], sizeof(cmd[i]), "echo client-%d", i);
        mb_spawn(&p[i], "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "sh", "-c", cmd[i],
                 NULL);
    }
    mb_as_user(0, 0);
    for (int i = 0; i < N; i++) {
        char want[32];
        snprintf(want, sizeof(want), "client-%d", i);
        if (mb_read_line(&p[i], line, sizeof(line), 60000) < 0 || strcmp(line, want) != 0) {
            print_message("client %d printed '%s'\n", i, line);
            bad++;
        }
        status = mb_finish(&p[i], 60000);
        if (status != 0) {
            print_message("client %d exited %d\n", i, status);
            bad++;
        }
        line[0] = '\0';
    }
    if (bad)
        fail_msg("%d of %d concurrent clients were not served", bad, N);
    assert_true(mb_daemon_alive(&daemon_));
    mb_run(&r, NULL, "ps", "-a", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(mb_count_lines(r.out), 1); /* --rm removed them all */
    mb_result_free(&r);
}

/* ---- members who are not root: what they could do without the daemon -- */

static void as_other(void)
{
    mb_as_user(other_uid, group_gid);
}

/* The first id of NAME's range in /etc/subuid (or /etc/subgid); 0 if none. */
static unsigned long subid_start(const char *file, const char *name)
{
    char line[256], want[80];
    unsigned long start = 0;
    FILE *f = fopen(file, "r");

    snprintf(want, sizeof(want), "%s:", name);
    while (f != NULL && start == 0 && fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, want, strlen(want)) == 0)
            start = strtoul(line + strlen(want), NULL, 10);
    if (f != NULL)
        fclose(f);
    return start;
}

/* Write `text` into PATH as a file of uid/gid, mode 0600. */
static void write_owned(const char *path, const char *text, uid_t uid, gid_t gid)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chown(path, uid, gid), 0);
    assert_int_equal(chmod(path, 0600), 0);
}

/* Container root is the member on the host: its uid_map is the member's
 * own uid, then its subordinate range; a file it creates in a volume of
 * the member's home belongs to the member. */
static void test_member_container_root_is_the_member(void **state)
{
    char vol[128], note[128], made[128];
    struct mb_result r;
    struct stat st;
    unsigned long start = subid_start("/etc/subuid", MEMBER);

    (void)state;
    mb_hint("A member's container runs in a user namespace: container root is the member's uid, "
            "ids 1.. its /etc/subuid range.");
    start_daemon();
    assert_true(start > 0);
    snprintf(note, sizeof(note), "%s/note", member_home);
    snprintf(made, sizeof(made), "%s/made", member_home);
    write_owned(note, "mine\n", member_uid, member_gid);
    snprintf(vol, sizeof(vol), "%s:/mnt", member_home);
    as_member();
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "-v", vol, "--rootfs", mb_rootfs, "sh", "-c",
           "cat /mnt/note; echo made > /mnt/made; cat /proc/self/uid_map", NULL);
    mb_as_user(0, 0);
    if (r.status != 0)
        fail_msg("a member's run with a volume of its home failed (%d): %s", r.status, r.err);
    assert_true(mb_contains(r.out, "mine\n"));
    {
        unsigned long in, out, count, in2, out2, count2;

        if (sscanf(strstr(r.out, "mine\n") + 5, "%lu %lu %lu %lu %lu %lu", &in, &out, &count, &in2,
                   &out2, &count2) != 6)
            fail_msg("expected a uid_map of two lines: %s", r.out);
        if (in != 0 || out != member_uid || count != 1)
            fail_msg("container root must be the member's own uid (uid_map '0 %u 1'): %s",
                     (unsigned)member_uid, r.out);
        if (in2 != 1 || out2 != start || count2 == 0)
            fail_msg("ids 1.. must map to the member's range from %lu (/etc/subuid): %s", start,
                     r.out);
    }
    mb_result_free(&r);
    assert_int_equal(stat(made, &st), 0);
    if (st.st_uid != member_uid || st.st_gid != member_gid)
        fail_msg("a file container root made in the volume belongs to %u:%u on the host, not "
                 "to the member %u:%u",
                 (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)member_uid,
                 (unsigned)member_gid);
    unlink(made);
    unlink(note);
}

/* A volume is what the member may open itself, by the path it gave: the
 * host's root's files, the other member's home, a symlink in its own home
 * to /etc and a path with ".." are each refused with one line and 125.
 * Root, through the same daemon, may. */
static void test_member_volumes_are_its_own(void **state)
{
    char link[128], spec[6][160];
    const char *why[6] = {
        "Permission denied", "Permission denied", "Permission denied", "symbolic link", "'..'",
        "Permission denied"};
    struct mb_result r;

    (void)state;
    mb_hint("A member's volume is opened in the container with the member's ids, following no "
            "symlink and no '..'.");
    start_daemon();
    snprintf(link, sizeof(link), "%s/etc-link", member_home);
    unlink(link);
    assert_int_equal(symlink("/etc", link), 0);
    assert_int_equal(lchown(link, member_uid, member_gid), 0);
    snprintf(spec[0], sizeof(spec[0]), "/root:/mnt");
    snprintf(spec[1], sizeof(spec[1]), "/etc/shadow:/mnt/shadow");
    snprintf(spec[2], sizeof(spec[2]), "%s:/mnt", other_home);
    snprintf(spec[3], sizeof(spec[3]), "%s:/mnt", link);
    snprintf(spec[4], sizeof(spec[4]), "%s/../%s:/mnt", member_home, OTHER);
    snprintf(spec[5], sizeof(spec[5]), "%s/etc-link/shadow:/mnt/shadow", member_home);
    why[5] = "symbolic link";
    for (int i = 0; i < 6; i++) {
        as_member();
        mb_run(&r, NULL, "run", "--rm", "--net", "none", "-v", spec[i], "--rootfs", mb_rootfs, "sh",
               "-c", "echo reached; ls /mnt", NULL);
        mb_as_user(0, 0);
        if (mb_contains(r.out, "reached"))
            fail_msg("-v %s: the member's container ran with it: %s", spec[i], r.out);
        mb_assert_usage_error(&r);
        if (!mb_contains(r.err, why[i]))
            fail_msg("-v %s: the refusal must say why ('%s'): %s", spec[i], why[i], r.err);
        mb_result_free(&r);
    }
    /* The daemon can: it is the caller that decides. */
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "-v", "/root:/mnt", "--rootfs", mb_rootfs,
           "true", NULL);
    if (r.status != 0)
        fail_msg("root's run with -v /root through the daemon failed (%d): %s", r.status, r.err);
    mb_result_free(&r);
    unlink(link);
    mb_run(&r, NULL, "ps", "-a", "-q", NULL);
    assert_string_equal(r.out, ""); /* nothing was left of the refused runs */
    mb_result_free(&r);
}

/* Setuid in a volume: container root's setuid copy of a shell belongs to
 * the member on the host, so running it gives the member, never root. */
static void test_member_setuid_file_is_not_roots(void **state)
{
    char vol[128], path[128], cmd[512];
    struct mb_result r;
    struct stat st;

    (void)state;
    mb_hint("Container root is the member on the host: a setuid file it makes in a volume is the "
            "member's, not root's.");
    start_daemon();
    snprintf(vol, sizeof(vol), "%s:/mnt", member_home);
    snprintf(path, sizeof(path), "%s/busybox", member_home);
    as_member();
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "-v", vol, "--rootfs", mb_rootfs, "sh", "-c",
           "cp /bin/busybox /mnt/busybox && chown 0:0 /mnt/busybox && chmod 4755 /mnt/busybox",
           NULL);
    mb_as_user(0, 0);
    if (r.status != 0)
        fail_msg("the container could not make its setuid file (%d): %s", r.status, r.err);
    mb_result_free(&r);
    assert_int_equal(stat(path, &st), 0);
    if (st.st_uid == 0 || st.st_uid != member_uid)
        fail_msg("the setuid file container root made is uid %u's on the host (mode %o), not the "
                 "member's %u",
                 (unsigned)st.st_uid, st.st_mode & 07777, (unsigned)member_uid);
    /* Run by the other member on the host: at most the member's uid. */
    snprintf(cmd, sizeof(cmd), "chmod 4755 '%s'; chmod 711 '%s'", path, member_home);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "su -s /bin/sh %s -c \"'%s' id -u\"", OTHER, path);
    {
        FILE *f = popen(cmd, "r");
        unsigned got = 0;
        assert_non_null(f);
        if (fscanf(f, "%u", &got) != 1)
            got = (unsigned)-1;
        pclose(f);
        if (got == 0)
            fail_msg("running the container's setuid file on the host gave uid 0");
    }
    chmod(member_home, 0700);
    unlink(path);
}

/* Each member sees and acts on its own containers only: another's does not
 * exist for it (ps, logs, stop, kill, rm, by name or id). Root sees all. */
static void test_members_see_only_their_own(void **state)
{
    char mine[65], theirs[65], shortid[13];
    const char *verbs[][3] = {
        {"logs", NULL, NULL}, {"stop", "-t", "1"}, {"kill", NULL, NULL}, {"rm", "-f", NULL}};
    struct mb_result r;

    (void)state;
    mb_hint("Records keep their owner: a member's ps lists, and its verbs find, only its own "
            "containers.");
    start_daemon();
    as_member();
    run_detached(mine, "members-mine", "echo secret-of-the-member; exec sleep 1000");
    as_other();
    run_detached(theirs, "members-theirs", "exec sleep 1000");
    snprintf(shortid, sizeof(shortid), "%.12s", mine);

    mb_run(&r, NULL, "ps", "-a", NULL);
    if (mb_contains(r.out, "members-mine") || mb_contains(r.out, shortid))
        fail_msg("the other member's ps lists the member's container: %s", r.out);
    if (!mb_contains(r.out, "members-theirs"))
        fail_msg("a member's ps must list its own container: %s", r.out);
    mb_result_free(&r);
    for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
        for (int by_id = 0; by_id < 2; by_id++) {
            const char *argv[6] = {verbs[v][0]};
            int n = 1;
            for (int k = 1; k < 3 && verbs[v][k] != NULL; k++)
                argv[n++] = verbs[v][k];
            argv[n++] = by_id ? shortid : "members-mine";
            argv[n] = NULL;
            mb_run_argv(&r, NULL, (char *const *)argv);
            if (mb_contains(r.out, "secret-of-the-member"))
                fail_msg("%s of the member's container by the other member showed its log",
                         argv[0]);
            mb_assert_usage_error(&r);
            mb_result_free(&r);
        }
    mb_as_user(0, 0);
    wait_status("members-mine", "running", 3000); /* untouched */
    mb_run(&r, NULL, "ps", NULL);
    assert_true(mb_contains(r.out, "members-mine") && mb_contains(r.out, "members-theirs"));
    mb_result_free(&r);
    as_member();
    mb_run(&r, NULL, "logs", "members-mine", NULL);
    assert_true(mb_contains(r.out, "secret-of-the-member"));
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "-f", "members-mine", NULL);
    expect_ok("rm -f of its own container", &r);
    as_other();
    mb_run(&r, NULL, "rm", "-f", theirs, NULL);
    expect_ok("rm -f of its own container by id", &r);
    mb_as_user(0, 0);
}

/* What only root may ask for: the host's network, a say in the user
 * namespace, a cgroup elsewhere, a host port below the unprivileged ones. */
static void test_member_host_options_are_refused(void **state)
{
    const char *opts[][2] = {{"--net", "host"},
                             {"--userns", "host"},
                             {"--userns", "auto"},
                             {"--cgroup-parent", "/elsewhere"},
                             {"-p", "80:8080"}};
    struct mb_result r;

    (void)state;
    mb_hint("What only root may have (the host's network, the user namespace, cgroups, low ports) "
            "is refused to a member.");
    start_daemon();
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        as_member();
        mb_run(&r, NULL, "run", "--rm", opts[i][0], opts[i][1], "--rootfs", mb_rootfs, "echo",
               "reached", NULL);
        mb_as_user(0, 0);
        if (mb_contains(r.out, "reached"))
            fail_msg("%s %s: a member's container ran with it", opts[i][0], opts[i][1]);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
    }
    /* A member without a subordinate range is told how to get one. */
    mb_as_user(nosub_uid, group_gid);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "echo", "reached",
           NULL);
    mb_as_user(0, 0);
    assert_false(mb_contains(r.out, "reached"));
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "/etc/subuid") || !mb_contains(r.err, "usermod --add-subuids"))
        fail_msg("a member without subordinate ids must be told the fix: %s", r.err);
    mb_result_free(&r);
}

/* The daemon's limits for a member: containers running at once, and each
 * one's memory and pids (given to a run that asks for none, refused above). */
static void test_member_limits(void **state)
{
    static const char *const limits[] = {
        "--max-containers", "1", "--max-memory", "64M", "--max-pids", "50", NULL};
    char id[65], dir[4096];
    struct mb_result r;
    pid_t pid;
    const char *why = mb_cgroup_missing("memory");

    (void)state;
    mb_hint(
        "The daemon's limits for a member: containers at once, and each one's memory and pids.");
    if (why == NULL)
        why = mb_cgroup_missing("pids");
    daemon_.options = limits;
    start_daemon();
    if (why != NULL)
        mb_skip(why);
    as_member();
    run_detached(id, "limited", "exec sleep 1004");
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "echo", "reached",
           NULL);
    assert_false(mb_contains(r.out, "reached"));
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "--max-containers"))
        fail_msg("a second container over --max-containers 1 must name the limit: %s", r.err);
    mb_result_free(&r);
    mb_as_user(0, 0);
    for (int i = 0; i < 50 && (pid = sleep_pid("1004")) == 0; i++)
        usleep(100000); /* sh execs sleep a moment after the run is up */
    assert_true(pid > 0);
    mb_cgroup_dir(pid, "memory", dir, sizeof(dir));
    if (mb_cgroup_read(dir, "memory.max", NULL) != 64 << 20 &&
        mb_cgroup_read(dir, "memory.limit_in_bytes", NULL) != 64 << 20)
        fail_msg("a member's container without --memory must get the daemon's 64M (%s)", dir);
    mb_cgroup_dir(pid, "pids", dir, sizeof(dir));
    if (mb_cgroup_read(dir, "pids.max", NULL) != 50)
        fail_msg("a member's container without --pids-limit must get the daemon's 50 (%s)", dir);
    as_member();
    mb_run(&r, NULL, "rm", "-f", "limited", NULL);
    expect_ok("rm -f limited", &r);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--memory", "128M", "--rootfs", mb_rootfs,
           "true", NULL);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "--max-memory"));
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--pids-limit", "51", "--rootfs", mb_rootfs,
           "true", NULL);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "--max-pids"));
    mb_result_free(&r);
    mb_as_user(0, 0);
}

/* Images are shared: a member imports its own archive (read by its
 * client, in its home, mode 0600) under a new name, and may not take a
 * name another image has, nor remove one. */
static void test_member_images(void **state)
{
    char tar[160], cmd[4400];
    struct mb_result r;

    (void)state;
    mb_hint(
        "Images are shared: a member's client sends its archive; names and removal stay root's.");
    start_daemon();
    if (system("grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null") != 0)
        mb_skip("overlayfs is not available (modprobe overlay)");
    mb_run(&r, NULL, "image", "import", mb_busybox_tar, "shared", NULL);
    expect_ok("root's image import", &r);
    snprintf(tar, sizeof(tar), "%s/mine.tar", member_home);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chown %u '%s' && chmod 600 '%s'", mb_busybox_tar,
             tar, (unsigned)member_uid, tar, tar);
    assert_int_equal(system(cmd), 0);

    /* By a path relative to the member's working directory: its client
     * opens it there (the daemon does not even enter that directory). */
    {
        char here[4096];
        assert_non_null(getcwd(here, sizeof(here)));
        assert_int_equal(chdir(member_home), 0);
        as_member();
        mb_run(&r, NULL, "image", "import", "mine.tar", "members-own", NULL);
        assert_int_equal(chdir(here), 0);
    }
    expect_ok("a member's import of its own archive, by a relative path", &r);
    /* A file the member may not read is not read for it: the client's open
     * fails, the daemon (root) never opens it. */
    mb_run(&r, NULL, "image", "import", "/etc/shadow", "stolen", NULL);
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "Permission denied"))
        fail_msg("image import of /etc/shadow must fail in the member's client (Permission "
                 "denied), not in the daemon: %s",
                 r.err);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--name", "writer", "--net", "none", "shared", "sh", "-c",
           "echo changed > /tmp/file && cat /tmp/file", NULL);
    if (r.status != 0 || !mb_contains(r.out, "changed"))
        fail_msg("a member's container of an image must write its /tmp (%d): %s %s", r.status,
                 r.out, r.err);
    mb_result_free(&r);
    mb_run(&r, NULL, "commit", "writer", "shared", NULL);
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "taken"))
        fail_msg("a member's commit onto another image's name must be refused: %s", r.err);
    mb_result_free(&r);
    mb_run(&r, NULL, "rmi", "shared", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "writer", NULL);
    expect_ok("rm writer", &r);
    mb_as_user(0, 0);
    mb_run(&r, NULL, "images", NULL);
    assert_true(mb_contains(r.out, "shared:latest") && mb_contains(r.out, "members-own:latest"));
    assert_false(mb_contains(r.out, "stolen"));
    mb_result_free(&r);
    mb_run(&r, NULL, "rmi", "members-own", NULL);
    expect_ok("root's rmi", &r);
    mb_run(&r, NULL, "rmi", "shared", NULL);
    expect_ok("root's rmi", &r);
    unlink(tar);
}

/* --trust-group: the old rule, for a machine with one user. The daemon
 * warns; a member's container is the host's root again. */
static void test_trust_group_makes_members_root(void **state)
{
    static const char *const trust[] = {"--trust-group", NULL};
    char cmd[4200];
    struct mb_result r;

    (void)state;
    mb_hint("daemon --trust-group brings back the old rule (a member is root), with a warning.");
    daemon_.options = trust;
    start_daemon();
    as_member();
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "-v", "/root:/mnt", "--rootfs", mb_rootfs,
           "cat", "/proc/self/uid_map", NULL);
    mb_as_user(0, 0);
    if (r.status != 0 || !mb_contains(r.out, "4294967295"))
        fail_msg("with --trust-group a member's container is the host's (identity uid_map): "
                 "%d %s %s",
                 r.status, r.out, r.err);
    mb_result_free(&r);
    snprintf(cmd, sizeof(cmd), "grep -q 'warning: --trust-group' '%s'", daemon_.log);
    if (system(cmd) != 0)
        fail_msg("the daemon must warn that --trust-group makes every member root");
}

/* ---- without a daemon, and bad input ---------------------------------- */

/* No daemon on the socket (none, or a stale socket file): run works
 * directly, as in chapter 8, and ps works on the state under --root. */
static void test_without_a_daemon_runs_directly(void **state)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char stale[4200];
    struct mb_result r;
    int fd;

    (void)state;
    mb_hint("Without a daemon on the socket (none, or a stale file) the client runs the verb "
            "itself, as in chapter 8.");
    mb_require(CLONE_NEWNS | CLONE_NEWPID);
    snprintf(stale, sizeof(stale), "%s/nobody-listens.sock", mb_tmp);
    setenv("MINIBOX_SOCKET", stale, 1);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "echo", "direct", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "direct\n");
    mb_result_free(&r);

    /* A socket file left by a dead daemon: nothing accepts. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", stale);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    close(fd);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--rootfs", mb_rootfs, "sh", "-c", "exit 9",
           NULL);
    assert_int_equal(r.status, 9);
    mb_result_free(&r);
    mb_run(&r, NULL, "ps", "-a", NULL);
    unsetenv("MINIBOX_SOCKET");
    unlink(stale);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "CONTAINER ID", 12) == 0);
    mb_result_free(&r);
}

/* Bad input is refused with 125 and one line, by client and daemon. */
static void test_bad_input_is_125(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint(
        "Bad input is refused with 125 and one line, whether the client or the daemon finds it.");
    start_daemon();
    mb_run(&r, NULL, "stop", "no-such-container", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "no-such-container", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "logs", "no-such-container", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "kill", "-s", "NOSUCHSIGNAL", "no-such-container", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "stop", "-t", "soon", "no-such-container", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "ps", "--bogus", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    daemon_still_serves("bad input");
}

int main(void)
{
    /* grade: total=81 points=1 */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_socket_is_the_groups, cleanup),
        cmocka_unit_test_teardown(test_non_member_is_refused, cleanup), /* grade: points=2 */
        cmocka_unit_test_teardown(test_member_runs_attached, cleanup),  /* grade: points=2 */
        cmocka_unit_test_teardown(test_container_runs_under_the_daemon, cleanup),
        cmocka_unit_test_teardown(test_client_disconnect_keeps_the_container, cleanup),
        cmocka_unit_test_teardown(test_detached_logs_ps_stop_rm, cleanup), /* grade: points=3 */
        cmocka_unit_test_teardown(test_kill_signals, cleanup),
        cmocka_unit_test_teardown(test_rm_running_needs_force, cleanup),
        cmocka_unit_test_teardown(test_logs_follow, cleanup),
        cmocka_unit_test_teardown(test_ps_shows_oom_killed, cleanup),
        cmocka_unit_test_teardown(test_image_run_through_the_daemon, cleanup),
        cmocka_unit_test_teardown(test_ps_and_daemon_take_dockers_options, cleanup),
        cmocka_unit_test_teardown(test_client_of_the_daemon_leaves_no_state, cleanup),
        cmocka_unit_test_teardown(test_interactive_session, cleanup), /* grade: points=3 */
        cmocka_unit_test_teardown(test_interactive_restores_terminal_when_killed, cleanup),
        cmocka_unit_test_teardown(test_interactive_keeps_typed_ahead_input, cleanup),
        cmocka_unit_test_teardown(test_restart_after_kill_9_recovers,
                                  cleanup), /* grade: points=2 */
        cmocka_unit_test_teardown(test_malformed_messages_get_an_error,
                                  cleanup), /* grade: points=2 */
        cmocka_unit_test_teardown(test_slow_clients_do_not_block, cleanup),
        cmocka_unit_test_teardown(test_fifty_clients_at_once, cleanup), /* grade: points=2 */
        cmocka_unit_test_teardown(test_member_container_root_is_the_member,
                                  cleanup),                                  /* grade: points=2 */
        cmocka_unit_test_teardown(test_member_volumes_are_its_own, cleanup), /* grade: points=3 */
        cmocka_unit_test_teardown(test_member_setuid_file_is_not_roots, cleanup),
        cmocka_unit_test_teardown(test_members_see_only_their_own, cleanup), /* grade: points=2 */
        cmocka_unit_test_teardown(test_member_host_options_are_refused, cleanup),
        cmocka_unit_test_teardown(test_member_limits, cleanup),
        cmocka_unit_test_teardown(test_member_images, cleanup),
        cmocka_unit_test_teardown(test_trust_group_makes_members_root, cleanup),
        cmocka_unit_test(test_without_a_daemon_runs_directly),
        cmocka_unit_test_teardown(test_bad_input_is_125, cleanup),
        cmocka_unit_test(mb_test_nothing_leaked),
    };

    return cmocka_run_group_tests_name("09-daemon", tests, suite_setup, suite_teardown);
}
