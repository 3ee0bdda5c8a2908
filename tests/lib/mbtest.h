/*
 * mbtest.h - the harness every suite uses to drive minibox through its CLI.
 *
 * Suites are black-box: they know only the command line (the course's CLI
 * contract) and what the probe prints inside the container, so the same
 * suite grades the reference step, the full engine or a student's binary.
 *
 * Environment: MINIBOX (the binary under test), MB_ROOTFS (the test rootfs).
 */
#ifndef MBTEST_H
#define MBTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

/* What a finished run left: its exit status (or -1 on timeout), stdout and
 * stderr as NUL-terminated strings. */
struct mb_result {
    int status;
    char *out;
    char *err;
};

/* A run still going: its pid and the pipes to its stdin and stdout. */
struct mb_proc {
    pid_t pid;
    int in, out, err;
};

extern const char *mb_minibox;     /* absolute path of the binary under test */
extern const char *mb_rootfs;      /* absolute path of the test rootfs */
extern const char *mb_busybox_tar; /* the rootfs as an image archive (make rootfs writes it) */
extern char mb_tmp[];              /* a scratch directory of this suite, removed at the end */
extern char mb_state[];            /* the --root given to every run */

/* Runs from here on are made as this user (0: as the test itself), with
 * --root pointing at a state dir of that user's, XDG_RUNTIME_DIR unset. */
void mb_as_user(uid_t uid, gid_t gid);

/* Runs from here on get no MINIBOX_ROOT: minibox picks its default state
 * root (a normal user's: $XDG_RUNTIME_DIR/minibox, or /tmp/minibox-UID
 * without it, and mb_as_user unsets XDG_RUNTIME_DIR). 0 restores --root. */
void mb_use_default_root(int yes);

/* Runs from here on start through this command (NULL-terminated, looked
 * up on PATH), e.g. {"systemd-run", "--user", "--scope", "--quiet", NULL};
 * NULL: minibox is started directly again. */
void mb_run_through(const char *const *cmd);

/* Create a normal user for rootless tests (name, with or without
 * /etc/subuid ranges); its uid/gid are stored. Returns NULL or why not. */
const char *mb_user_create(const char *name, int with_subids, uid_t *uid, gid_t *gid);
void mb_user_delete(const char *name);

/* Rootless networking (slirp4netns) opens /dev/net/tun as the user: make it
 * 0666 (udev's default) for the suite, and put the mode back afterwards.
 * Returns NULL, or why rootless networking cannot work here. */
const char *mb_tun_for_users(void);
void mb_tun_restore(void);

/* Group setup and teardown: read the environment, make mb_tmp. */
int mb_group_setup(void **state);
int mb_group_teardown(void **state);

/* Run `minibox ARGS...` (NULL-terminated) to completion, feeding it `input`
 * (may be NULL) on stdin; at most 30 s. Its state goes to mb_state through
 * MINIBOX_ROOT, and it talks to no daemon unless the suite started one
 * (MINIBOX_SOCKET): the environment, not options, so that a chapter's
 * binary is never handed an option before the chapter that introduces it. */
void mb_run(struct mb_result *r, const char *input, ...) __attribute__((sentinel));
void mb_run_argv(struct mb_result *r, const char *input, char *const argv[]);
void mb_result_free(struct mb_result *r);

/* Start minibox in the background with pipes on stdin/stdout/stderr. */
void mb_spawn(struct mb_proc *p, ...) __attribute__((sentinel));
/* Read one line of its stdout (without the newline), waiting at most
 * timeout_ms. Returns 0, or -1 on EOF or timeout. */
int mb_read_line(struct mb_proc *p, char *buf, size_t len, int timeout_ms);
/* Read lines until `want` arrives; fails the test on EOF or timeout. */
void mb_expect_line(struct mb_proc *p, const char *want, int timeout_ms);
/* Close stdin and wait at most timeout_ms; returns the exit status, or -1
 * after killing it when it did not end in time. */
int mb_finish(struct mb_proc *p, int timeout_ms);
/* The same without closing stdin first: for a run that must end by itself
 * (a signal) and not because its input ended. */
int mb_wait_exit(struct mb_proc *p, int timeout_ms);

/* The host pid of the first process minibox started (the container's init),
 * from /proc/<pid>/task/<pid>/children; 0 when there is none. */
pid_t mb_child_of(pid_t pid);

/* How many processes below `pid` (children, grandchildren...) are zombies;
 * *total gets how many processes are below it at all. */
int mb_count_zombies_below(pid_t pid, int *total);
/* Is pid a process that runs (neither gone nor a zombie)? */
int mb_process_running(pid_t pid);

/* The namespace link of a host process, e.g. "pid:[4026531836]"; "" if gone. */
const char *mb_ns_of(pid_t pid, const char *ns, char *buf, size_t len);

/* The value of a `key=value` line in out, copied into buf; "" if absent.
 * Returns buf, so it can stand in an assertion. */
const char *mb_kv(const char *out, const char *key, char *buf, size_t len);

/* Does the host let this process create these namespaces (CLONE_* flags)?
 * Returns NULL if yes, else a reason. Tried, not guessed. */
const char *mb_cannot_unshare(int flags);

/* A path in the course checkout (MB_REPO, or three levels above the suite
 * binary, <repo>/build/tests/NN-name), or NULL when it does not exist. */
const char *mb_repo_path(const char *rel, char *buf, size_t len);

/* The binary of an earlier step ("04-mount-proc"), for a "lesson" test that
 * shows an attack working on the step before its defence: MB_STEP04_MINIBOX
 * (the step's number), else steps/04-mount-proc/minibox of the checkout.
 * Skips the test with the reason when there is none. */
const char *mb_require_step(const char *step);

/* A device node off the container allowlist (chapter 5) that root on this
 * host can open: its disks (/proc/partitions) first, then a loop device,
 * then character devices whose open alone is harmless (loop-control, fuse,
 * tun, kmsg). Some hosts refuse root even that; a refusal inside a container
 * then proves nothing, so the test is skipped. */
struct mb_device {
    char type; /* 'b' or 'c' */
    int major, minor;
};
void mb_require_host_device(struct mb_device *dev);

/* Skip the current test, printing "# SKIP reason" first. */
#define mb_skip(reason)                                                                            \
    do {                                                                                           \
        printf("# SKIP %s\n", (reason));                                                           \
        skip();                                                                                    \
    } while (0)

/* Skip unless running as root with these namespaces available. Also ends
 * the effect of mb_run_needs_cap: every test starts with none. */
void mb_require(int clone_flags);

/* The full engine (chapter 10) gives a container Docker's default
 * capabilities only. A test of an earlier chapter whose command needs one
 * of the others inside (mount needs SYS_ADMIN, so does sethostname) calls
 * this after mb_require: its `run`s then pass `--cap-add CAP` to a binary
 * that has that option, and nothing to the steps before it. */
void mb_run_needs_cap(const char *cap);

/* Assert minibox failed as the CLI contract says bad input must fail: exit
 * 125 and exactly one line on stderr. */
void mb_assert_usage_error(const struct mb_result *r);

/* Assert that nothing minibox made outlives it: no process running the
 * rootfs's binaries or minibox's, no mount of the rootfs or the scratch
 * directory, no container state left under --root, no minibox-* cgroup.
 * The process and cgroup checks are machine-wide: suites must not run
 * concurrently on one machine (CI runs them one after the other). */
void mb_assert_nothing_leaked(void);
void mb_test_nothing_leaked(void **state);

/* The host path of the cgroup dir that holds `pid` for `controller`
 * ("memory", "cpu", "pids"), from /proc/PID/cgroup and the mount table;
 * "" when not found. Returns buf. */
const char *mb_cgroup_dir(pid_t pid, const char *controller, char *buf, size_t len);

/* A number from a cgroup file: the whole file ("64M" limits), or the value
 * after `key ` in a "key value" file (cpu.stat); -1 if absent. */
long long mb_cgroup_read(const char *dir, const char *file, const char *key);

/* NULL when this host has the controller where minibox can use it, else why
 * not (for mb_skip). */
const char *mb_cgroup_missing(const char *controller);

/* GET / from http://ip:port, retrying until timeout_ms; the body (after the
 * headers) into buf. Returns 0, or -1 if nothing answered. */
int mb_http_get(const char *ip, int port, char *buf, size_t len, int timeout_ms);

/* A one-shot HTTP server on 127.0.0.1:port in a child process that answers
 * `body` to every request; returns its pid (kill it when done). */
pid_t mb_http_serve(int port, const char *body);

/*
 * Feedback that teaches. Every test starts with mb_hint(): one sentence that
 * names the mechanism it checks (the grader adds the chapter section to
 * reread, from the test's grade annotation). When an assertion fails, the
 * harness prints, before cmocka's own message, lines starting with "#| ":
 * the command line of the last minibox it ran, minibox's exit status, its
 * stderr and stdout (the probe's output, when the test compared one) and the
 * hint. tests/grader/feedback.py puts them into every report.
 */
void mb_hint(const char *sentence);
void mb_explain(void);

/* cmocka's assertions, each calling mb_explain() first when it fails. Every
 * argument is evaluated once, as cmocka's own macros do. */
#undef fail
#define fail() (mb_explain(), _fail(__FILE__, __LINE__))
#undef assert_true
#define assert_true(c)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            mb_explain();                                                                          \
            _assert_true(0, #c, __FILE__, __LINE__);                                               \
        }                                                                                          \
    } while (0)
#undef assert_false
#define assert_false(c)                                                                            \
    do {                                                                                           \
        if (c) {                                                                                   \
            mb_explain();                                                                          \
            _assert_true(0, "!(" #c ")", __FILE__, __LINE__);                                      \
        }                                                                                          \
    } while (0)
#undef assert_non_null
#define assert_non_null(c)                                                                         \
    do {                                                                                           \
        if ((c) == NULL) {                                                                         \
            mb_explain();                                                                          \
            _assert_true(0, #c, __FILE__, __LINE__);                                               \
        }                                                                                          \
    } while (0)
#undef assert_int_equal
#define assert_int_equal(a, b)                                                                     \
    do {                                                                                           \
        LargestIntegralType mb_a_ = cast_to_largest_integral_type(a);                              \
        LargestIntegralType mb_b_ = cast_to_largest_integral_type(b);                              \
        if (mb_a_ != mb_b_)                                                                        \
            mb_explain();                                                                          \
        _assert_int_equal(mb_a_, mb_b_, __FILE__, __LINE__);                                       \
    } while (0)
#undef assert_int_not_equal
#define assert_int_not_equal(a, b)                                                                 \
    do {                                                                                           \
        LargestIntegralType mb_a_ = cast_to_largest_integral_type(a);                              \
        LargestIntegralType mb_b_ = cast_to_largest_integral_type(b);                              \
        if (mb_a_ == mb_b_)                                                                        \
            mb_explain();                                                                          \
        _assert_int_not_equal(mb_a_, mb_b_, __FILE__, __LINE__);                                   \
    } while (0)
#undef assert_string_equal
#define assert_string_equal(a, b)                                                                  \
    do {                                                                                           \
        const char *mb_sa_ = (const char *)(a), *mb_sb_ = (const char *)(b);                       \
        if (mb_sa_ == NULL || mb_sb_ == NULL || strcmp(mb_sa_, mb_sb_) != 0)                       \
            mb_explain();                                                                          \
        _assert_string_equal(mb_sa_, mb_sb_, __FILE__, __LINE__);                                  \
    } while (0)
#undef assert_string_not_equal
#define assert_string_not_equal(a, b)                                                              \
    do {                                                                                           \
        const char *mb_sa_ = (const char *)(a), *mb_sb_ = (const char *)(b);                       \
        if (mb_sa_ != NULL && mb_sb_ != NULL && strcmp(mb_sa_, mb_sb_) == 0)                       \
            mb_explain();                                                                          \
        _assert_string_not_equal(mb_sa_, mb_sb_, __FILE__, __LINE__);                              \
    } while (0)

/* String helpers for assertions. */
int mb_contains(const char *haystack, const char *needle);
int mb_count_lines(const char *s);

/* Chapter 9: a daemon of the suite's, `minibox --root R --socket S daemon
 * [--group G]`, started as root in the background. Its root is a
 * <mb_tmp>/state-daemon-N dir, so the leak check looks into it too; its
 * stdout and stderr go to a log file. Zero the struct before the first start. */
struct mb_daemon {
    pid_t pid;                  /* 0 when not running */
    char root[4096];            /* its --root */
    char socket[108];           /* its --socket (sun_path is 108 bytes) */
    char log[4096];             /* its stdout and stderr */
    int options_after_verb;     /* `daemon --root R --socket S`, as dockerd takes them */
    const char *const *options; /* more options of `daemon`, NULL-terminated; or NULL */
};

/* Start the daemon (on the same root and socket when it ran before), wait at
 * most 10 s until its socket accepts a connection, and set MINIBOX_SOCKET so
 * that later runs are its clients. Returns NULL, or why not (with what the
 * daemon said when it exited). */
const char *mb_daemon_start(struct mb_daemon *d, const char *group);
/* SIGTERM, then SIGKILL after timeout_ms; unsets MINIBOX_SOCKET. Returns its
 * exit status, -1 when it had to be killed, 0 when it was not running. */
int mb_daemon_stop(struct mb_daemon *d, int timeout_ms);
/* Is the daemon still running (not exited, not a zombie)? */
int mb_daemon_alive(struct mb_daemon *d);

/* A unix stream socket connected to path, or -1 (errno set). */
int mb_connect_unix(const char *path);

/* Start minibox like mb_spawn, but with a new pseudo-terminal as its
 * controlling terminal and stdin/stdout/stderr (window size *ws). The test
 * keeps the master (to type and read) and a slave fd (to look at the
 * terminal's attributes); both are close-on-exec. Returns the pid. */
struct winsize;
pid_t mb_spawn_pty(int *master, int *slave, const struct winsize *ws, ...)
    __attribute__((sentinel));

/* Run `minibox ARGS...` (at most 15) to completion (at most 30 s) with a new
 * pseudo-terminal as its controlling terminal and stdio, as from a login
 * shell. *out gets what it wrote to the terminal; *typed what is waiting in
 * the terminal's input when it has ended: what the caller's shell would read
 * and run next (bytes pushed with TIOCSTI end up there). Both malloc'd.
 * Returns the exit status, -1 on timeout. */
int mb_run_on_pty(char **out, char **typed, ...) __attribute__((sentinel));

/* Does this kernel let a process without CAP_SYS_ADMIN push input into its
 * controlling terminal with ioctl(TIOCSTI)? (dev.tty.legacy_tiocsti, Linux
 * 6.2; always before.) Where it does not, no TIOCSTI attack can be shown. */
int mb_legacy_tiocsti(void);

#endif
