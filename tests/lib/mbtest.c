/* mbtest.c - see mbtest.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <libgen.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mbtest.h"

/* MB_TEST=PATTERN runs only the tests whose names match (cmocka's filter,
 * '*' and '?' as in a shell), e.g. to repeat one flaky test:
 *   MB_TEST=test_oci_pause_freezes_and_resume_thaws build/tests/10-beyond */
__attribute__((constructor)) static void mb_test_filter(void)
{
    const char *pattern = getenv("MB_TEST");

    if (pattern != NULL && pattern[0] != '\0')
        cmocka_set_test_filter(pattern);
}

const char *mb_minibox;
const char *mb_rootfs;
const char *mb_busybox_tar;
char mb_tmp[PATH_MAX / 2];
char mb_state[PATH_MAX];
static char no_daemon_socket[PATH_MAX / 2 + 32];
static uid_t run_uid;
static gid_t run_gid;
static char user_state[PATH_MAX + 32];

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Can every user reach `path` (search on each dir, and `need` on it)? */
static int reachable_by_all(const char *path, mode_t need)
{
    char buf[PATH_MAX];
    struct stat st;

    snprintf(buf, sizeof(buf), "%s", path);
    if (stat(buf, &st) < 0 || (st.st_mode & need) != need)
        return 0;
    for (char *slash = strrchr(buf, '/'); slash != NULL && slash != buf;
         slash = strrchr(buf, '/')) {
        *slash = '\0';
        if (stat(buf, &st) < 0 || !(st.st_mode & S_IXOTH))
            return 0;
    }
    return 1;
}

/* Rootless runs (chapter 6) exec minibox as a normal user, and every user
 * namespace's mapped root walks to the rootfs. A checkout below a private
 * directory (/root, a mktemp -d) is out of their reach: use copies in the
 * suite's scratch dir, which is open to all. */
static int use_reachable_copies(void)
{
    static char rootfs[PATH_MAX], bin[PATH_MAX];
    char cmd[3 * PATH_MAX];

    if (!reachable_by_all(mb_rootfs, S_IXOTH)) {
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", mb_tmp);
        snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", mb_rootfs, rootfs);
        if (system(cmd) != 0)
            return -1;
        mb_rootfs = rootfs;
    }
    if (!reachable_by_all(mb_minibox, S_IXOTH | S_IROTH)) {
        snprintf(bin, sizeof(bin), "%s/minibox", mb_tmp);
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod 755 '%s'", mb_minibox, bin, bin);
        if (system(cmd) != 0)
            return -1;
        mb_minibox = bin;
    }
    return 0;
}

/* `make rootfs` writes the same busybox tree as an image archive next to the
 * rootfs (build/busybox-image.tar); MB_BUSYBOX_TAR names another one. */
static void busybox_tar_locate(void)
{
    static char path[PATH_MAX + 32];
    const char *given = getenv("MB_BUSYBOX_TAR");
    char *dir = strdup(mb_rootfs);

    if (given != NULL && given[0] != '\0')
        snprintf(path, sizeof(path), "%s", given);
    else
        snprintf(path, sizeof(path), "%s/busybox-image.tar", dirname(dir));
    free(dir);
    mb_busybox_tar = path;
}

int mb_group_setup(void **state)
{
    const char *bin = getenv("MINIBOX"), *rootfs = getenv("MB_ROOTFS");

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (bin == NULL || rootfs == NULL) {
        fprintf(stderr, "set MINIBOX=/path/to/minibox and MB_ROOTFS=/path/to/rootfs\n");
        return -1;
    }
    mb_minibox = realpath(bin, NULL);
    mb_rootfs = realpath(rootfs, NULL);
    if (mb_minibox == NULL || mb_rootfs == NULL) {
        fprintf(stderr, "MINIBOX=%s or MB_ROOTFS=%s does not exist\n", bin, rootfs);
        return -1;
    }
    busybox_tar_locate();
    snprintf(mb_tmp, sizeof(mb_tmp), "/tmp/mbtest.XXXXXX");
    if (mkdtemp(mb_tmp) == NULL)
        return -1;
    chmod(mb_tmp, 0755);
    snprintf(mb_state, sizeof(mb_state), "%s/state", mb_tmp);
    snprintf(no_daemon_socket, sizeof(no_daemon_socket), "%s/no-daemon.sock", mb_tmp);
    if (mkdir(mb_state, 0700) < 0)
        return -1;
    return use_reachable_copies();
}

static int remove_tree(const char *path)
{
    char cmd[PATH_MAX + 32];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    return system(cmd);
}

/* The bridged network outlives containers (chapter 7): the suite's last
 * act removes it with the binary under test, and by hand if that fails, so
 * that a suite run leaves the machine as it found it. */
static void network_remove_at_end(void)
{
    char cmd[PATH_MAX + 64];

    if (system("ip link show minibox0 >/dev/null 2>&1 || "
               "nft list table ip minibox >/dev/null 2>&1") != 0)
        return;
    snprintf(cmd, sizeof(cmd), "'%s' network rm >/dev/null", mb_minibox);
    if (system(cmd) == 0 && system("ip link show minibox0 >/dev/null 2>&1 || "
                                   "nft list table ip minibox >/dev/null 2>&1") != 0)
        return;
    fprintf(stderr, "minibox network rm did not remove the network: removing it by hand\n");
    if (system("ip link del minibox0 2>/dev/null; nft delete table ip minibox 2>/dev/null; "
               "rm -f /run/minibox/net/leases") != 0)
        return;
}

int mb_group_teardown(void **state)
{
    (void)state;
    if (mb_minibox != NULL && geteuid() == 0)
        network_remove_at_end();
    if (mb_tmp[0] != '\0')
        remove_tree(mb_tmp);
    return 0;
}

static mode_t tun_mode_saved;

const char *mb_tun_for_users(void)
{
    struct stat st;

    if (stat("/dev/net/tun", &st) < 0)
        return "no /dev/net/tun on this host: rootless networking (slirp4netns) cannot work";
    if ((st.st_mode & 0666) == 0666)
        return NULL;
    /* udev makes it 0666 on every desktop distribution; hosts without udev
     * keep the kernel's 0600. Open it up for the suite and restore it. */
    tun_mode_saved = st.st_mode & 07777;
    if (chmod("/dev/net/tun", 0666) < 0)
        return "cannot make /dev/net/tun usable by the test user (chmod 0666 failed)";
    return NULL;
}

void mb_tun_restore(void)
{
    if (tun_mode_saved != 0)
        chmod("/dev/net/tun", tun_mode_saved);
    tun_mode_saved = 0;
}

void mb_as_user(uid_t uid, gid_t gid)
{
    run_uid = uid;
    run_gid = gid;
    if (uid == 0)
        return;
    snprintf(user_state, sizeof(user_state), "%s/state-%u", mb_tmp, (unsigned)uid);
    mkdir(user_state, 0700);
    assert_int_equal(chown(user_state, uid, gid), 0);
}

const char *mb_user_create(const char *name, int with_subids, uid_t *uid, gid_t *gid)
{
    char cmd[512];
    FILE *f;

    if (geteuid() != 0)
        return "creating a test user needs root";
    mb_user_delete(name);
    snprintf(cmd, sizeof(cmd), "useradd -M %s %s >/dev/null 2>&1",
             with_subids ? "" : "-K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0", name);
    if (system(cmd) != 0)
        return "useradd failed (is the passwd package installed?)";
    snprintf(cmd, sizeof(cmd), "id -u %s; id -g %s", name, name);
    f = popen(cmd, "r");
    if (f == NULL || fscanf(f, "%u %u", uid, gid) != 2) {
        if (f != NULL)
            pclose(f);
        return "cannot read the test user's ids";
    }
    pclose(f);
    return NULL;
}

void mb_user_delete(const char *name)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "userdel %s >/dev/null 2>&1", name);
    if (system(cmd) != 0)
        return; /* it did not exist */
}

/* The capability the current test's containers need inside (see mbtest.h);
 * mb_require() resets it at the start of every test. */
static const char *needed_cap;

void mb_run_needs_cap(const char *cap)
{
    needed_cap = cap;
}

/* Does the binary under test drop capabilities by default (chapter 10)?
 * Then it knows --cap-add; earlier steps keep every capability. */
static int minibox_has_cap_add(void)
{
    static int known = -1;

    if (known < 0) {
        char cmd[4200];

        snprintf(cmd, sizeof(cmd), "'%s' run --help 2>/dev/null | grep -q -- --cap-add",
                 mb_minibox);
        known = system(cmd) == 0;
    }
    return known;
}

/* The command runs go through first (mb_run_through), or NULL. */
static const char *const *through;

void mb_run_through(const char *const *cmd)
{
    through = cmd;
}

/* In the child: become the user of mb_as_user, unless this process is
 * that user already (a suite run by a normal user, who keeps their login's
 * XDG_RUNTIME_DIR). */
static void become_run_user(void)
{
    if (run_uid == 0 || run_uid == geteuid())
        return;
    unsetenv("XDG_RUNTIME_DIR");
    if (setgroups(0, NULL) < 0 || setgid(run_gid) < 0 || setuid(run_uid) < 0)
        _exit(126);
}

/* In the child: exec the full argv, through the mb_run_through command. */
__attribute__((noreturn)) static void exec_full(char **full)
{
    size_t n = 0, k = 0;
    char **argv;

    if (through == NULL) {
        execv(full[0], full);
        _exit(127);
    }
    while (through[k] != NULL)
        k++;
    while (full[n] != NULL)
        n++;
    argv = calloc(k + n + 1, sizeof(*argv));
    if (argv == NULL)
        _exit(127);
    memcpy(argv, through, k * sizeof(*argv));
    memcpy(argv + k, full, n * sizeof(*argv));
    execvp(argv[0], argv);
    _exit(127);
}

/* argv for exec: minibox ARGS..., with --cap-add CAP after "run" when the
 * test needs a capability the full engine drops (mb_run_needs_cap). */
static char **full_argv(char *const argv[])
{
    size_t n = 0;
    char **full;

    while (argv[n] != NULL)
        n++;
    full = calloc(n + 4, sizeof(*full));
    assert_non_null(full);
    full[0] = (char *)mb_minibox;
    if (n > 0 && strcmp(argv[0], "run") == 0 && needed_cap != NULL && minibox_has_cap_add()) {
        full[1] = argv[0];
        full[2] = "--cap-add";
        full[3] = (char *)needed_cap;
        memcpy(full + 4, argv + 1, (n - 1) * sizeof(*full));
        return full;
    }
    memcpy(full + 1, argv, n * sizeof(*full));
    return full;
}

/* In the child, before exec: the state dir and the daemon's socket through
 * the environment (see mbtest.h). A --root or --socket on the command line
 * still wins. From chapter 9 a daemon on the default socket would run the
 * verb with its own state: point at a socket nobody listens on, unless the
 * suite started one (mb_daemon_start sets MINIBOX_SOCKET). */
static int default_root; /* mb_use_default_root */

void mb_use_default_root(int yes)
{
    default_root = yes;
}

static void child_environment(void)
{
    if (default_root)
        unsetenv("MINIBOX_ROOT");
    else
        setenv("MINIBOX_ROOT", run_uid != 0 ? user_state : mb_state, 1);
    if (getenv("MINIBOX_SOCKET") == NULL)
        setenv("MINIBOX_SOCKET", no_daemon_socket, 1);
}

/* ---- what the test ran, for the failure message -------------------------- */

#define EXPLAIN_MAX 2000 /* bytes of stdout or stderr shown */

static struct {
    char cmd[4096]; /* the command line, quoted for a shell */
    int status;     /* exit status; -1 timed out; -2 not known (still running) */
    pid_t pid;      /* a spawned run not yet finished, else 0 */
    int err_fd;     /* its stderr while it runs, else -1 */
    char out[EXPLAIN_MAX + 1], err[EXPLAIN_MAX + 1];
    size_t err_len;
    int ran;          /* the test ran minibox at least once */
    const char *hint; /* mb_hint() of the current test */
} last = {.err_fd = -1};

void mb_hint(const char *sentence)
{
    /* A test starts here: forget what the previous one ran. */
    last.ran = 0;
    last.pid = 0;
    last.err_fd = -1;
    last.hint = sentence;
}

/* Word w of a command line, quoted for a POSIX shell when it needs it. */
static void append_word(char *buf, size_t len, const char *w)
{
    size_t used = strlen(buf);
    int plain = *w != '\0' && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_./:=@%+,-") == strlen(w);

    if (used > 0 && used < len - 1)
        buf[used++] = ' ', buf[used] = '\0';
    if (plain) {
        snprintf(buf + used, len - used, "%s", w);
        return;
    }
    snprintf(buf + used, len - used, "'");
    for (const char *c = w; *c != '\0'; c++) {
        used = strlen(buf);
        snprintf(buf + used, len - used, *c == '\'' ? "'\\''" : "%c", *c);
    }
    used = strlen(buf);
    snprintf(buf + used, len - used, "'");
}

static void record_start(char *const full[], pid_t pid, int err_fd)
{
    last.cmd[0] = '\0';
    for (size_t i = 0; full[i] != NULL; i++)
        append_word(last.cmd, sizeof(last.cmd), full[i]);
    last.status = -2;
    last.pid = pid;
    last.err_fd = err_fd;
    last.out[0] = last.err[0] = '\0';
    last.err_len = 0;
    last.ran = 1;
}

static void keep_text(char *dst, const char *src)
{
    snprintf(dst, EXPLAIN_MAX + 1, "%s", src);
}

/* What a spawned run printed on stderr so far, without waiting. */
static void drain_stderr(void)
{
    int flags;

    if (last.err_fd < 0)
        return;
    flags = fcntl(last.err_fd, F_GETFL);
    if (flags >= 0)
        fcntl(last.err_fd, F_SETFL, flags | O_NONBLOCK);
    while (last.err_len < EXPLAIN_MAX) {
        ssize_t n = read(last.err_fd, last.err + last.err_len, EXPLAIN_MAX - last.err_len);
        if (n <= 0)
            break;
        last.err_len += (size_t)n;
    }
    last.err[last.err_len] = '\0';
    if (flags >= 0)
        fcntl(last.err_fd, F_SETFL, flags);
}

/* A spawned run ends (mb_finish, mb_wait_exit). */
static void record_end(const struct mb_proc *p, int status)
{
    if (!last.ran || p->pid != last.pid)
        return;
    drain_stderr();
    last.status = status;
    last.pid = 0;
    last.err_fd = -1;
}

/* "#| key: first line", then "#| + next line" for each further line. */
static void explain_field(const char *key, const char *text)
{
    const char *line = text;
    int first = 1;

    if (text[0] == '\0') {
        print_message("#| %s: (nothing)\n", key);
        return;
    }
    while (*line != '\0') {
        size_t n = strcspn(line, "\n");
        if (first)
            print_message("#| %s: %.*s\n", key, (int)n, line);
        else
            print_message("#| + %.*s\n", (int)n, line);
        first = 0;
        line += n;
        if (*line == '\n')
            line++;
    }
    if (strlen(text) >= EXPLAIN_MAX)
        print_message("#| + [... cut]\n");
}

void mb_explain(void)
{
    if (last.ran) {
        if (last.pid > 0) {
            /* A run that failed early may be exiting right now: give it half
             * a second to say how it ended. */
            int wstatus;
            for (int tries = 0; tries < 50; tries++) {
                if (waitpid(last.pid, &wstatus, WNOHANG) == last.pid) {
                    last.status =
                        WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
                    break;
                }
                usleep(10000);
            }
            drain_stderr();
        }
        print_message("#| ran: %s\n", last.cmd);
        if (last.status == -2)
            print_message("#| exit status: (still running)\n");
        else if (last.status == -1)
            print_message("#| exit status: (none: it did not finish in time and was killed)\n");
        else
            print_message("#| exit status: %d\n", last.status);
        explain_field("stderr", last.err);
        if (last.pid == 0 && last.err_fd < 0 && last.out[0] != '\0')
            explain_field("stdout", last.out);
    }
    if (last.hint != NULL)
        print_message("#| hint: %s\n", last.hint);
    fflush(stdout);
    /* Once per failure; a second call in the same test prints nothing. */
    last.ran = 0;
    last.hint = NULL;
}

static void spawn_argv(struct mb_proc *p, char *const argv[])
{
    int in[2], out[2], err[2];
    char **full = full_argv(argv);

    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    assert_int_equal(pipe2(err, O_CLOEXEC), 0);
    fflush(NULL);
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        child_environment();
        become_run_user();
        exec_full(full);
    }
    record_start(full, p->pid, err[0]);
    free(full);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    p->in = in[1];
    p->out = out[0];
    p->err = err[0];
}

static char **collect_args(va_list ap, char **buf, size_t max)
{
    size_t n = 0;
    char *arg;

    while ((arg = va_arg(ap, char *)) != NULL && n < max - 1)
        buf[n++] = arg;
    buf[n] = NULL;
    return buf;
}

void mb_spawn(struct mb_proc *p, ...)
{
    char *args[64];
    va_list ap;

    va_start(ap, p);
    collect_args(ap, args, 64);
    va_end(ap);
    spawn_argv(p, args);
}

struct buffer {
    char *data;
    size_t len, cap;
};

static void buffer_read(struct buffer *b, int fd, int *open_fd)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));

    if (n <= 0) {
        *open_fd = 0;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    memcpy(b->data + b->len, chunk, (size_t)n);
    b->len += (size_t)n;
    b->data[b->len] = '\0';
}

/* Wait for pid until the deadline; SIGKILL it after. */
static int wait_until(pid_t pid, long long deadline)
{
    int wstatus;

    for (;;) {
        pid_t got = waitpid(pid, &wstatus, WNOHANG);
        if (got == pid)
            return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            return -1;
        }
        usleep(2000);
    }
}

void mb_run_argv(struct mb_result *r, const char *input, char *const argv[])
{
    struct buffer out = {0}, err = {0};
    long long deadline = now_ms() + 30000;
    struct mb_proc p;
    int out_open = 1, err_open = 1;

    spawn_argv(&p, argv);
    /* The command may exit without reading its stdin: ignore EPIPE. */
    if (input != NULL)
        (void)!write(p.in, input, strlen(input));
    close(p.in);
    while ((out_open || err_open) && now_ms() < deadline) {
        struct pollfd fds[2] = {{out_open ? p.out : -1, POLLIN, 0},
                                {err_open ? p.err : -1, POLLIN, 0}};
        if (poll(fds, 2, 100) <= 0)
            continue;
        if (fds[0].revents)
            buffer_read(&out, p.out, &out_open);
        if (fds[1].revents)
            buffer_read(&err, p.err, &err_open);
    }
    close(p.out);
    close(p.err);
    r->status = wait_until(p.pid, deadline);
    r->out = out.data ? out.data : strdup("");
    r->err = err.data ? err.data : strdup("");
    last.status = r->status;
    last.pid = 0;
    last.err_fd = -1;
    keep_text(last.out, r->out);
    keep_text(last.err, r->err);
    if (r->status == -1)
        print_message("minibox did not finish within 30 s\n");
}

void mb_run(struct mb_result *r, const char *input, ...)
{
    char *args[64];
    va_list ap;

    va_start(ap, input);
    collect_args(ap, args, 64);
    va_end(ap);
    mb_run_argv(r, input, args);
}

void mb_result_free(struct mb_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int mb_read_line(struct mb_proc *p, char *buf, size_t len, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    size_t n = 0;

    while (n + 1 < len) {
        struct pollfd fd = {p->out, POLLIN, 0};
        long long left = deadline - now_ms();
        char c;

        if (left <= 0 || poll(&fd, 1, (int)left) <= 0)
            return -1;
        if (read(p->out, &c, 1) != 1)
            return -1;
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

void mb_expect_line(struct mb_proc *p, const char *want, int timeout_ms)
{
    char line[1024];

    while (mb_read_line(p, line, sizeof(line), timeout_ms) == 0)
        if (strcmp(line, want) == 0)
            return;
    fail_msg("the container never printed '%s'", want);
}

int mb_finish(struct mb_proc *p, int timeout_ms)
{
    int status;

    if (p->in >= 0)
        close(p->in);
    p->in = -1;
    status = wait_until(p->pid, now_ms() + timeout_ms);
    record_end(p, status);
    close(p->out);
    close(p->err);
    return status;
}

int mb_wait_exit(struct mb_proc *p, int timeout_ms)
{
    int status = wait_until(p->pid, now_ms() + timeout_ms);

    record_end(p, status);
    close(p->in);
    close(p->out);
    close(p->err);
    p->in = -1;
    return status;
}

pid_t mb_child_of(pid_t pid)
{
    char path[64];
    long child = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld", &child) != 1)
        child = 0;
    fclose(f);
    return (pid_t)child;
}

int mb_count_zombies_below(pid_t pid, int *total)
{
    char path[64], state;
    long child;
    int zombies = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
    f = fopen(path, "r");
    while (f != NULL && fscanf(f, "%ld", &child) == 1) {
        FILE *st;

        (*total)++;
        snprintf(path, sizeof(path), "/proc/%ld/stat", child);
        st = fopen(path, "r");
        /* The state follows the command name in parentheses. */
        if (st != NULL && fscanf(st, "%*d (%*[^)]) %c", &state) == 1 && state == 'Z')
            zombies++;
        if (st != NULL)
            fclose(st);
        zombies += mb_count_zombies_below((pid_t)child, total);
    }
    if (f != NULL)
        fclose(f);
    return zombies;
}

int mb_process_running(pid_t pid)
{
    char path[64], state = '?';
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    /* The state follows the command name in parentheses. */
    if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
        state = '?';
    fclose(f);
    return state != 'Z' && state != 'X' && state != '?';
}

const char *mb_ns_of(pid_t pid, const char *ns, char *buf, size_t len)
{
    char path[64];
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
    n = readlink(path, buf, len - 1);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

const char *mb_kv(const char *out, const char *key, char *buf, size_t len)
{
    size_t klen = strlen(key);

    for (const char *line = out; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t llen = end ? (size_t)(end - line) : strlen(line);

        if (llen > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
            size_t vlen = llen - klen - 1;
            if (vlen >= len)
                vlen = len - 1;
            memcpy(buf, line + klen + 1, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        line = end ? end + 1 : NULL;
    }
    buf[0] = '\0';
    return buf;
}

const char *mb_repo_path(const char *rel, char *buf, size_t len)
{
    char exe[PATH_MAX];
    const char *repo = getenv("MB_REPO");
    ssize_t n;

    if (repo != NULL) {
        snprintf(buf, len, "%s/%s", repo, rel);
        return access(buf, F_OK) == 0 ? buf : NULL;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0)
        return NULL;
    exe[n] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (slash == NULL)
            return NULL;
        *slash = '\0';
    }
    snprintf(buf, len, "%s/%s", exe, rel);
    return access(buf, F_OK) == 0 ? buf : NULL;
}

const char *mb_require_step(const char *step)
{
    static char path[PATH_MAX], why[PATH_MAX + 512];
    char var[64], rel[128];
    const char *env;

    snprintf(var, sizeof(var), "MB_STEP%.2s_MINIBOX", step);
    env = getenv(var);
    if (env != NULL) {
        if (access(env, X_OK) != 0) {
            snprintf(why, sizeof(why),
                     "%s is set but is no executable: the lesson needs step %.2s's binary", var,
                     step);
            mb_skip(why);
        }
        return env;
    }
    snprintf(rel, sizeof(rel), "steps/%s/minibox", step);
    if (mb_repo_path(rel, path, sizeof(path)) == NULL || access(path, X_OK) != 0) {
        snprintf(why, sizeof(why),
                 "%s is not built (make -C steps/%s, or set %s): the lesson shows the attack "
                 "working there",
                 rel, step, var);
        mb_skip(why);
    }
    return path;
}

/* Tried on a node made in the suite's scratch dir, opened read-only and
 * never read. */
static int host_can_open(const struct mb_device *d)
{
    char node[PATH_MAX + 32];
    int fd;

    snprintf(node, sizeof(node), "%s/device-node", mb_tmp);
    unlink(node);
    if (mknod(node, (d->type == 'b' ? S_IFBLK : S_IFCHR) | 0600, makedev(d->major, d->minor)) < 0)
        return 0;
    fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    unlink(node);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

void mb_require_host_device(struct mb_device *d)
{
    static const struct mb_device others[] = {
        {'b', 7, 0}, {'c', 10, 237}, {'c', 10, 229}, {'c', 10, 200}, {'c', 1, 11}};
    char line[256];
    FILE *f = fopen("/proc/partitions", "r");
    int found = 0;

    d->type = 'b';
    while (!found && f != NULL && fgets(line, sizeof(line), f) != NULL)
        found = sscanf(line, " %d %d %*u %*s", &d->major, &d->minor) == 2 && host_can_open(d);
    if (f != NULL)
        fclose(f);
    for (size_t i = 0; !found && i < sizeof(others) / sizeof(others[0]); i++) {
        *d = others[i];
        found = host_can_open(d);
    }
    if (!found)
        mb_skip("this host lets even root open none of its disks, loop devices, loop-control, "
                "fuse, tun or kmsg: nothing to attack");
}

const char *mb_cannot_unshare(int flags)
{
    static char reason[160];
    int wstatus;
    pid_t pid;

    if (geteuid() != 0)
        return "needs root (run the suites with sudo, or in the VM: make test-vm)";
    pid = fork();
    if (pid == 0)
        _exit(unshare(flags) < 0 ? errno : 0);
    if (pid < 0 || waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus))
        return "cannot fork to test namespaces";
    if (WEXITSTATUS(wstatus) == 0)
        return NULL;
    snprintf(reason, sizeof(reason),
             "this host refuses to create the namespaces (%s); see 'minibox info'",
             strerror(WEXITSTATUS(wstatus)));
    return reason;
}

void mb_require(int clone_flags)
{
    const char *why = mb_cannot_unshare(clone_flags);

    needed_cap = NULL;
    if (why != NULL)
        mb_skip(why);
}

int mb_contains(const char *haystack, const char *needle)
{
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

int mb_count_lines(const char *s)
{
    int n = 0;

    for (; s != NULL && *s != '\0'; s++)
        if (*s == '\n')
            n++;
    return n;
}

/* The mount point of the hierarchy holding `controller` (v1), or of the
 * cgroup2 mount when controller is NULL. */
static int cgroup_mount_of(const char *controller, char *out, size_t len)
{
    char line[4096], mp[2048], type[64], super[1024];
    FILE *f = fopen("/proc/self/mountinfo", "r");
    int found = -1;

    while (f != NULL && found < 0 && fgets(line, sizeof(line), f) != NULL) {
        char *dash = strstr(line, " - ");
        if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %2047s", mp) != 1 ||
            sscanf(dash + 3, "%63s %*s %1023s", type, super) != 2)
            continue;
        if (controller == NULL && strcmp(type, "cgroup2") == 0)
            found = 0;
        if (controller != NULL && strcmp(type, "cgroup") == 0) {
            char opts[1100];
            char word[80];
            snprintf(opts, sizeof(opts), ",%s,", super);
            snprintf(word, sizeof(word), ",%s,", controller);
            if (strstr(opts, word) != NULL)
                found = 0;
        }
        if (found == 0)
            snprintf(out, len, "%s", mp);
    }
    if (f != NULL)
        fclose(f);
    return found;
}

const char *mb_cgroup_dir(pid_t pid, const char *controller, char *buf, size_t len)
{
    char path[64], line[4096], mount[2048];
    FILE *f;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        char ctrls[1100], word[80];

        if (c2 == NULL)
            continue;
        line[strcspn(line, "\n")] = '\0';
        *c2 = '\0';
        snprintf(ctrls, sizeof(ctrls), ",%s,", c1 + 1);
        snprintf(word, sizeof(word), ",%s,", controller);
        if (strstr(ctrls, word) != NULL && cgroup_mount_of(controller, mount, sizeof(mount)) == 0) {
            snprintf(buf, len, "%s%s", mount, c2 + 1);
            break;
        }
        if (c1 == line + 1 && line[0] == '0' && c1[1] == '\0' &&
            cgroup_mount_of(NULL, mount, sizeof(mount)) == 0)
            snprintf(buf, len, "%s%s", mount, c2 + 1); /* v2; a v1 line may still win */
    }
    if (f != NULL)
        fclose(f);
    return buf;
}

long long mb_cgroup_read(const char *dir, const char *file, const char *key)
{
    char path[4400], line[512];
    long long value = -1;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        size_t klen = key ? strlen(key) : 0;
        if (key == NULL) {
            value = strcmp(line, "max\n") == 0 ? -2 : atoll(line);
            break;
        }
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            value = atoll(line + klen + 1);
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    return value;
}

const char *mb_cgroup_missing(const char *controller)
{
    static char reason[256];
    char mount[2048], path[2100], text[512] = "";
    FILE *f;

    if (geteuid() != 0)
        return "cgroup limits need root on this host (rootless limits come in chapter 6)";
    if (cgroup_mount_of(controller, mount, sizeof(mount)) == 0)
        return NULL;
    if (cgroup_mount_of(NULL, mount, sizeof(mount)) == 0) {
        snprintf(path, sizeof(path), "%s/cgroup.controllers", mount);
        f = fopen(path, "r");
        if (f != NULL) {
            if (fgets(text, sizeof(text), f) == NULL)
                text[0] = '\0';
            fclose(f);
        }
        if (strstr(text, controller) != NULL)
            return NULL;
    }
    snprintf(reason, sizeof(reason),
             "the %s cgroup controller is not available here (see 'minibox info'; "
             "make test-vm runs this suite on cgroup v2)",
             controller);
    return reason;
}

int mb_http_get(const char *ip, int port, char *buf, size_t len, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;

    buf[0] = '\0';
    while (now_ms() < deadline) {
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        struct timeval tv = {2, 0};
        char reply[8192];
        size_t got = 0;
        ssize_t n;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        inet_pton(AF_INET, ip, &addr.sin_addr);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            close(fd);
            usleep(50000);
            continue;
        }
        dprintf(fd, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", ip);
        while (got < sizeof(reply) - 1 && (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
            got += (size_t)n;
        close(fd);
        reply[got] = '\0';
        if (strstr(reply, "\r\n\r\n") != NULL) {
            snprintf(buf, len, "%s", strstr(reply, "\r\n\r\n") + 4);
            return 0;
        }
        usleep(50000);
    }
    return -1;
}

pid_t mb_http_serve(int port, const char *body)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    pid_t pid;

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        for (int served = 0; served < 100; served++) {
            char req[1024];
            int c = accept(fd, NULL, NULL);
            if (c < 0)
                continue;
            (void)!read(c, req, sizeof(req)); /* whatever it asked, answer */
            dprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
            close(c);
        }
        _exit(0);
    }
    close(fd);
    return pid;
}

void mb_assert_usage_error(const struct mb_result *r)
{
    if (r->status != 125)
        fail_msg("expected exit 125 (minibox refused the input), got %d; stderr: %s", r->status,
                 r->err);
    if (mb_count_lines(r->err) != 1 || r->err[strlen(r->err) - 1] != '\n')
        fail_msg("expected exactly one line on stderr, got: '%s'", r->err);
}

/* Processes running a binary of the rootfs or minibox itself. */
static int leaked_processes(char *report, size_t len, int kill_them)
{
    struct stat watched[3];
    char path[PATH_MAX];
    struct dirent *e;
    int n_watched = 0, found = 0;
    DIR *proc;

    snprintf(path, sizeof(path), "%s/bin/busybox", mb_rootfs);
    if (stat(path, &watched[n_watched]) == 0)
        n_watched++;
    snprintf(path, sizeof(path), "%s/bin/probe", mb_rootfs);
    if (stat(path, &watched[n_watched]) == 0)
        n_watched++;
    if (stat(mb_minibox, &watched[n_watched]) == 0)
        n_watched++;
    proc = opendir("/proc");
    while (proc != NULL && (e = readdir(proc)) != NULL) {
        struct stat st;

        if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
            continue;
        snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
        if (stat(path, &st) < 0)
            continue;
        for (int i = 0; i < n_watched; i++) {
            if (st.st_dev == watched[i].st_dev && st.st_ino == watched[i].st_ino) {
                size_t used = strlen(report);
                snprintf(report + used, len - used, " process %s;", e->d_name);
                found++;
                if (kill_them)
                    kill(atoi(e->d_name), SIGKILL);
            }
        }
    }
    if (proc != NULL)
        closedir(proc);
    return found;
}

static int leaked_mounts(char *report, size_t len, int unmount_them)
{
    char line[4096];
    int found = 0;
    FILE *f = fopen("/proc/self/mountinfo", "r");

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, mb_rootfs) != NULL || strstr(line, mb_tmp) != NULL) {
            size_t used = strlen(report);
            line[strcspn(line, "\n")] = '\0';
            snprintf(report + used, len - used, " mount '%s';", line);
            found++;
            if (unmount_them) {
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1)
                    umount2(mp, MNT_DETACH);
            }
        }
    }
    if (f != NULL)
        fclose(f);
    return found;
}

static int leaked_state_in(const char *state, char *report, size_t len)
{
    char path[PATH_MAX + 64];
    struct dirent *e;
    int found = 0;
    DIR *d;

    snprintf(path, sizeof(path), "%s/containers", state);
    d = opendir(path);
    while (d != NULL && (e = readdir(d)) != NULL) {
        size_t used = strlen(report);
        if (e->d_name[0] == '.')
            continue;
        snprintf(report + used, len - used, " state %s/%s;", path, e->d_name);
        found++;
    }
    if (d != NULL)
        closedir(d);
    return found;
}

/* Network leftovers of containers (chapter 7): veths mb<id>, published
 * ports in the NAT table's map, leases, slirp4netns processes. The network
 * itself (the bridge minibox0, its address, the table ip minibox and the
 * lease file's first line) is made once and stays between containers, as
 * Docker's docker0 does: it is no leak. mb_group_teardown removes it at the
 * end of every suite (minibox network rm), so a suite leaves nothing. */
static int leaked_network(char *report, size_t len, int remove_them)
{
    char line[512];
    int found = 0;
    FILE *f = popen("ip -o link show 2>/dev/null; "
                    "nft list map ip minibox ports 2>/dev/null | grep -E '(tcp|udp) \\. [0-9]+ :'; "
                    "grep -F /lock /run/minibox/net/leases 2>/dev/null; "
                    "pgrep -a -x slirp4netns 2>/dev/null",
                    "r");

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char name[64] = "";
        int leak = 0;

        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%*d: %63[^:@]", name) == 1)
            leak = strncmp(name, "mb", 2) == 0 && strlen(name) == 14 &&
                   strspn(name + 2, "0123456789abcdef") == 12;
        else
            leak = 1; /* a published port, a lease, a slirp4netns */
        if (!leak)
            continue;
        found++;
        snprintf(report + strlen(report), len - strlen(report), " network '%s';", line);
        if (remove_them && name[0] != '\0') {
            char cmd[128];
            snprintf(cmd, sizeof(cmd), "ip link del %s 2>/dev/null", name);
            if (system(cmd) != 0)
                continue;
        }
    }
    if (f != NULL)
        pclose(f);
    if (found && remove_them &&
        system("nft flush map ip minibox ports 2>/dev/null; "
               "sed -i '\\|/lock |d' /run/minibox/net/leases 2>/dev/null; "
               "pkill -x slirp4netns") != 0)
        return found;
    return found;
}

/* cgroup dirs named minibox-* anywhere below /sys/fs/cgroup. */
static int leaked_cgroups_in(const char *dir, int depth, char *report, size_t len, int remove_them)
{
    struct dirent *e;
    int found = 0;
    DIR *d;

    if (depth > 8 || (d = opendir(dir)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];

        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (strncmp(e->d_name, "minibox-", 8) == 0) {
            size_t used = strlen(report);
            snprintf(report + used, len - used, " cgroup %s;", path);
            found++;
            if (remove_them)
                rmdir(path);
            continue;
        }
        found += leaked_cgroups_in(path, depth + 1, report, len, remove_them);
    }
    closedir(d);
    return found;
}

static int leaked_state(char *report, size_t len)
{
    char path[PATH_MAX + 64];
    struct dirent *e;
    int found = leaked_state_in(mb_state, report, len);
    DIR *d = opendir(mb_tmp);

    /* and the state dirs of the users the suite ran as */
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "state-", 6) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", mb_tmp, e->d_name);
        found += leaked_state_in(path, report, len);
    }
    if (d != NULL)
        closedir(d);
    return found;
}

void mb_assert_nothing_leaked(void)
{
    char report[8192];

    /* A container killed with its minibox dies a moment later (SIGKILL is
     * asynchronous): give it up to 3 s before calling it a leak. */
    for (int tries = 0; tries < 60; tries++) {
        report[0] = '\0';
        if (leaked_processes(report, sizeof(report), 0) + leaked_mounts(report, sizeof(report), 0) +
                leaked_state(report, sizeof(report)) +
                leaked_cgroups_in("/sys/fs/cgroup", 0, report, sizeof(report), 0) +
                leaked_network(report, sizeof(report), 0) ==
            0)
            return;
        usleep(50000);
    }
    /* Kill what leaked so that one failure does not fail every later test. */
    {
        char ignored[8192] = "";
        leaked_processes(ignored, sizeof(ignored), 1);
        leaked_mounts(ignored, sizeof(ignored), 1);
        usleep(100000);
        leaked_cgroups_in("/sys/fs/cgroup", 0, ignored, sizeof(ignored), 1);
        leaked_network(ignored, sizeof(ignored), 1);
    }
    /* cmocka cuts a message at about 1 KiB, and the line saying where the
     * check failed with it: keep the list shorter. */
    fail_msg("left behind:%.700s%s", report, strlen(report) > 700 ? " ..." : "");
}

void mb_test_nothing_leaked(void **state)
{
    (void)state;
    mb_hint("Whatever a run set up (processes, mounts, cgroups, veths, leases, state) must be gone "
            "when minibox has exited, after a failure or a kill too.");
    mb_assert_nothing_leaked();
}

/* Chapter 9: the daemon, its socket, a client on a pseudo-terminal. */
#include <sys/ioctl.h>
#include <sys/un.h>
#include <termios.h>

int mb_connect_unix(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int mb_daemon_alive(struct mb_daemon *d)
{
    int wstatus;

    if (d->pid <= 0)
        return 0;
    if (waitpid(d->pid, &wstatus, WNOHANG) == d->pid) {
        d->pid = 0;
        return 0;
    }
    return 1;
}

/* The first line of the daemon's log, for a failure message. */
static void first_log_line(const char *log, char *buf, size_t len)
{
    FILE *f = fopen(log, "r");

    buf[0] = '\0';
    if (f != NULL && fgets(buf, (int)len, f) != NULL)
        buf[strcspn(buf, "\n")] = '\0';
    if (f != NULL)
        fclose(f);
}

const char *mb_daemon_start(struct mb_daemon *d, const char *group)
{
    static char reason[1024];
    static int serial;
    long long deadline = now_ms() + 10000;
    char *argv[32];
    int n = 0, log;

    if (geteuid() != 0)
        return "the daemon needs root (run the suites with sudo, or in the VM: make test-vm)";
    if (d->socket[0] == '\0') {
        serial++;
        snprintf(d->root, sizeof(d->root), "%s/state-daemon-%d", mb_tmp, serial);
        snprintf(d->socket, sizeof(d->socket), "%s/d%d.sock", mb_tmp, serial);
        snprintf(d->log, sizeof(d->log), "%s/daemon-%d.log", mb_tmp, serial);
        mkdir(d->root, 0700);
    }
    log = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    assert_true(log >= 0);
    argv[n++] = (char *)mb_minibox;
    if (d->options_after_verb)
        argv[n++] = "daemon";
    argv[n++] = "--root";
    argv[n++] = d->root;
    argv[n++] = "--socket";
    argv[n++] = d->socket;
    if (!d->options_after_verb)
        argv[n++] = "daemon";
    if (group != NULL) {
        argv[n++] = "--group";
        argv[n++] = (char *)group;
    }
    for (int i = 0; d->options != NULL && d->options[i] != NULL && n < 31; i++)
        argv[n++] = (char *)d->options[i];
    argv[n] = NULL;
    fflush(NULL);
    d->pid = fork();
    assert_true(d->pid >= 0);
    if (d->pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(log, 1);
        dup2(log, 2);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0); /* a terminal's signals are not the daemon's */
        execv(argv[0], argv);
        _exit(127);
    }
    close(log);
    while (now_ms() < deadline) {
        int fd = mb_connect_unix(d->socket);
        if (fd >= 0) {
            close(fd);
            setenv("MINIBOX_SOCKET", d->socket, 1);
            return NULL;
        }
        if (!mb_daemon_alive(d)) {
            char line[512];
            first_log_line(d->log, line, sizeof(line));
            snprintf(reason, sizeof(reason), "'minibox daemon' exited instead of listening: %s",
                     line);
            return reason;
        }
        usleep(20000);
    }
    kill(d->pid, SIGKILL);
    waitpid(d->pid, NULL, 0);
    d->pid = 0;
    snprintf(reason, sizeof(reason), "'minibox daemon' did not accept on %s within 10 s",
             d->socket);
    return reason;
}

int mb_daemon_stop(struct mb_daemon *d, int timeout_ms)
{
    int status;

    unsetenv("MINIBOX_SOCKET");
    if (!mb_daemon_alive(d))
        return 0;
    kill(d->pid, SIGTERM);
    status = wait_until(d->pid, now_ms() + timeout_ms);
    d->pid = 0;
    return status;
}

pid_t mb_spawn_pty(int *master, int *slave, const struct winsize *ws, ...)
{
    char *args[64], **full;
    va_list ap;
    pid_t pid;

    va_start(ap, ws);
    collect_args(ap, args, 64);
    va_end(ap);
    full = full_argv(args);
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(*master >= 0);
    assert_int_equal(grantpt(*master), 0);
    assert_int_equal(unlockpt(*master), 0);
    *slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(*slave >= 0);
    fcntl(*master, F_SETFD, FD_CLOEXEC);
    if (ws != NULL)
        assert_int_equal(ioctl(*master, TIOCSWINSZ, ws), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A session of its own with the slave as its controlling terminal,
         * as a login shell has: the client is the foreground process group. */
        if (setsid() < 0 || ioctl(*slave, TIOCSCTTY, 0) < 0)
            _exit(126);
        dup2(*slave, 0);
        dup2(*slave, 1);
        dup2(*slave, 2);
        signal(SIGPIPE, SIG_DFL);
        child_environment();
        become_run_user();
        exec_full(full);
    }
    record_start(full, pid, -1);
    free(full);
    return pid;
}

int mb_run_on_pty(char **out, char **typed, ...)
{
    char *args[64] = {0}, chunk[4096];
    int master, slave, wstatus, status = -1;
    size_t out_len = 0, typed_len = 0;
    long long deadline = now_ms() + 30000;
    va_list ap;
    pid_t pid;
    ssize_t n;

    va_start(ap, typed);
    collect_args(ap, args, 64);
    va_end(ap);
    pid = mb_spawn_pty(&master, &slave, NULL, args[0], args[1], args[2], args[3], args[4], args[5],
                       args[6], args[7], args[8], args[9], args[10], args[11], args[12], args[13],
                       args[14], args[15], NULL);
    *out = calloc(1, 1);
    *typed = calloc(1, 1);
    assert_non_null(*out);
    assert_non_null(*typed);
    fcntl(master, F_SETFL, O_NONBLOCK);
    fcntl(slave, F_SETFL, O_NONBLOCK);
    for (;;) {
        struct pollfd pfd = {master, POLLIN, 0};
        pid_t done = waitpid(pid, &wstatus, WNOHANG);

        if (done == pid)
            status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        while (poll(&pfd, 1, done == pid ? 0 : 50) > 0 &&
               (n = read(master, chunk, sizeof(chunk))) > 0) {
            *out = realloc(*out, out_len + (size_t)n + 1);
            memcpy(*out + out_len, chunk, (size_t)n);
            (*out)[out_len += (size_t)n] = '\0';
        }
        if (done == pid)
            break;
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            break;
        }
    }
    /* The terminal turned each "\n" into "\r\n" (ONLCR): undo it, so
     * that key=value lines read as everywhere else. */
    for (char *r = *out, *w = *out;; r++)
        if (*r != '\r' && (*w++ = *r) == '\0')
            break;
    /* What waits in the terminal's input queue: the next thing the shell
     * that ran minibox would read. */
    while ((n = read(slave, chunk, sizeof(chunk))) > 0) {
        *typed = realloc(*typed, typed_len + (size_t)n + 1);
        memcpy(*typed + typed_len, chunk, (size_t)n);
        (*typed)[typed_len += (size_t)n] = '\0';
    }
    close(master);
    close(slave);
    return status;
}

int mb_legacy_tiocsti(void)
{
    FILE *f = fopen("/proc/sys/dev/tty/legacy_tiocsti", "r");
    int v = 1; /* kernels before 6.2 have no switch: allowed */

    if (f != NULL) {
        if (fscanf(f, "%d", &v) != 1)
            v = 1;
        fclose(f);
    }
    return v;
}
