/*
 * Attacks a default container could make on the host until the full engine
 * closed them (issue 15): device nodes off the allowlist, ... Each test makes
 * the attack through the CLI and must see it fail; where it is safe, a lesson
 * test shows it working on step 09.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "beyond.h"

/* ---- devices ----------------------------------------------------------- */

/* A directory holding a node of a host device, mode 0666: what an image
 * (or a volume) could ship. */
static const char *device_dir(const struct mb_device *d, char *buf, size_t len)
{
    char node[4400];

    snprintf(buf, len, "%s/devvol", mb_tmp);
    mkdir(buf, 0755);
    snprintf(node, sizeof(node), "%s/node", buf);
    unlink(node);
    assert_int_equal(
        mknod(node, (d->type == 'b' ? S_IFBLK : S_IFCHR) | 0666, makedev(d->major, d->minor)), 0);
    chmod(node, 0666);
    return buf;
}

/* A device node that arrives with the container's files needs no
 * capability at all: any user may open a 0666 node. Only the container's
 * cgroup stops it, even for `-u 65534 --cap-drop ALL`. (Chapter 5's suite
 * shows the attack working on step 04.) */
void test_shipped_device_node_cannot_be_opened(void **state)
{
    struct mb_device d;
    char dir[4200], spec[4300];

    (void)state;
    mb_hint("A device node shipped in the image needs no capability to open; only the container's "
            "device allowlist stops it.");
    bx_require();
    mb_require_host_device(&d);
    snprintf(spec, sizeof(spec), "%s:/vol", device_dir(&d, dir, sizeof(dir)));
    bx_expect_kv("open", "EPERM", "run", "-u", "65534", "--cap-drop", "ALL", "-v", spec, "--rootfs",
                 mb_rootfs, "probe", "open", "/vol/node", NULL);
    bx_expect_kv("open", "EPERM", "run", "-v", spec, "--rootfs", mb_rootfs, "probe", "open",
                 "/vol/node", NULL);
}

/* --device HOST[:CONTAINER][:PERMISSIONS] adds one node, with exactly the
 * access asked for; --privileged lifts the list. */
void test_device_option_and_privileged(void **state)
{
    struct mb_device d;
    char dir[4200], spec[4400], type[2], maj[16], min[16];
    struct mb_result r;

    (void)state;
    mb_hint("--device HOST[:CONTAINER][:PERMISSIONS] adds one node to the allowlist with exactly "
            "that access; --privileged lifts the list.");
    bx_require();
    mb_require_host_device(&d);
    snprintf(spec, sizeof(spec), "%s/node:/dev/target:r", device_dir(&d, dir, sizeof(dir)));
    snprintf(type, sizeof(type), "%c", d.type);
    snprintf(maj, sizeof(maj), "%d", d.major);
    snprintf(min, sizeof(min), "%d", d.minor);
    /* kmsg wants CAP_SYSLOG besides the cgroup's consent */
    mb_run(&r, NULL, "run", "--cap-add", "SYSLOG", "--device", spec, "--rootfs", mb_rootfs, "sh",
           "-c", "probe open /dev/target; probe open-write /dev/target; probe stat /dev/target",
           NULL);
    bx_assert_kv_about("--device ...:r, open for reading", &r, "open", "ok");
    bx_assert_kv_about("--device ...:r, open for writing", &r, "open_write", "EPERM");
    bx_assert_kv(&r, "stat_type", d.type == 'b' ? "blk" : "chr");
    mb_result_free(&r);
    bx_expect_kv("open", "ok", "run", "--privileged", "--rootfs", mb_rootfs, "probe", "device",
                 type, maj, min, NULL);
    bx_expect_kv("open", "EPERM", "run", "--rootfs", mb_rootfs, "probe", "device", type, maj, min,
                 NULL);
    mb_run(&r, NULL, "run", "--device", dir, "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--device", "/dev/null:/dev/n:rx", "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* exec joins the container's cgroup, and with it the allowlist. */
void test_exec_is_held_by_the_device_allowlist(void **state)
{
    struct mb_device d;
    struct mb_proc p;
    char type[2], maj[16], min[16];

    (void)state;
    mb_hint("exec joins the container's cgroup first, and with it the device allowlist.");
    bx_require();
    mb_require_host_device(&d);
    snprintf(type, sizeof(type), "%c", d.type);
    snprintf(maj, sizeof(maj), "%d", d.major);
    snprintf(min, sizeof(min), "%d", d.minor);
    mb_spawn(&p, "run", "--name", "bx-devices", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    bx_track(&p);
    mb_expect_line(&p, "ready", 10000);
    bx_expect_kv("open", "EPERM", "exec", "bx-devices", "probe", "device", type, maj, min, NULL);
    bx_untrack(&p);
    assert_int_equal(mb_finish(&p, 10000), 0);
    mb_assert_nothing_leaked();
}

/* ---- the caller's terminal ------------------------------------------- */

#define TYPED "echo pwned-by-the-container\n"

static void assert_nothing_typed(const char *what, char *out, char *typed)
{
    char v[64];

    if (typed[0] != '\0')
        fail_msg("%s typed '%s' into the caller's terminal: its shell would run it", what, typed);
    if (strcmp(mb_kv(out, "tiocsti", v, sizeof(v)), "ok") == 0)
        fail_msg("%s: TIOCSTI succeeded:\n%s", what, out);
    free(out);
    free(typed);
}

/* Root keeps no CAP_SYS_ADMIN, which would let it TIOCSTI any terminal, and
 * the filter refuses TIOCSTI (all 64 bits of the request or only the 32
 * the kernel reads) and TIOCLINUX outright. */
void test_root_cannot_type_into_the_callers_terminal(void **state)
{
    char *out, *typed;
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("Root keeps no CAP_SYS_ADMIN, and the seccomp filter refuses TIOCSTI and TIOCLINUX on "
            "the low 32 bits of the request.");
    bx_require();
    mb_run_on_pty(&out, &typed, "run", "--rootfs", mb_rootfs, "probe", "tiocsti", TYPED, NULL);
    assert_nothing_typed("root in a default container", out, typed);
    mb_run_on_pty(&out, &typed, "run", "--cap-add", "SYS_ADMIN", "--rootfs", mb_rootfs, "probe",
                  "tiocsti", TYPED, "high", NULL);
    assert_nothing_typed("root with CAP_SYS_ADMIN, request 0x100005412", out, typed);
    /* EIO from the filter; unconfined, the pipe's driver answers ENOTTY */
    bx_expect_kv("tioclinux", "EIO", "run", "--rootfs", mb_rootfs, "probe", "ioctl", "tioclinux",
                 NULL);
    mb_run(&r, NULL, "run", "--security-opt", "seccomp=unconfined", "--rootfs", mb_rootfs, "probe",
           "ioctl", "tioclinux", NULL);
    if (strcmp(mb_kv(r.out, "tioclinux", v, sizeof(v)), "EIO") == 0 || v[0] == '\0')
        fail_msg("unconfined, TIOCLINUX should reach the driver: %s %s", r.out, r.err);
    mb_result_free(&r);
}

void test_lesson_step09_root_types_into_the_callers_terminal(void **state)
{
    const char *step09 = bx_require_step09(), *saved = mb_minibox;
    char *out, *typed;

    (void)state;
    mb_hint("Lesson: root of a step-09 container holds CAP_SYS_ADMIN, which lets TIOCSTI type into "
            "any terminal.");
    mb_minibox = step09;
    mb_run_on_pty(&out, &typed, "run", "--rootfs", mb_rootfs, "probe", "tiocsti", TYPED, NULL);
    mb_minibox = saved;
    if (strstr(typed, "pwned-by-the-container") == NULL)
        fail_msg("root of a step-09 container holds CAP_SYS_ADMIN: the line should have arrived, "
                 "got '%s':\n%s",
                 typed, out);
    free(out);
    free(typed);
}

/* exec from a terminal: the command gets a session of its own too. The
 * container runs unconfined, so that only the session stands between its
 * root (no CAP_SYS_ADMIN) and the terminal exec was run from. */
void test_exec_cannot_type_into_the_callers_terminal(void **state)
{
    struct mb_proc p;
    char *out, *typed, v[64];

    (void)state;
    mb_hint("exec's command calls setsid() too: the terminal exec was typed in is not its "
            "controlling terminal.");
    bx_require();
    if (!mb_legacy_tiocsti())
        mb_skip("this kernel refuses TIOCSTI without CAP_SYS_ADMIN (dev.tty.legacy_tiocsti=0): "
                "only the filter's refusal can be shown");
    mb_spawn(&p, "run", "--name", "bx-session", "--security-opt", "seccomp=unconfined", "--rootfs",
             mb_rootfs, "probe", "hold", NULL);
    bx_track(&p);
    mb_expect_line(&p, "ready", 10000);
    mb_run_on_pty(&out, &typed, "exec", "bx-session", "probe", NULL);
    if (strcmp(mb_kv(out, "stdin_ctty", v, sizeof(v)), "no") != 0)
        fail_msg("exec's command has the caller's terminal as its controlling terminal:\n%s", out);
    free(out);
    free(typed);
    mb_run_on_pty(&out, &typed, "exec", "bx-session", "probe", "tiocsti", TYPED, NULL);
    assert_nothing_typed("exec", out, typed);
    bx_untrack(&p);
    assert_int_equal(mb_finish(&p, 10000), 0);
    mb_assert_nothing_leaked();
}

/* ---- vsock ------------------------------------------------------------ */

/* AF_VSOCK talks to the hypervisor of the VM the host may be: no namespace
 * covers it. The filter answers EAFNOSUPPORT, as a kernel without vsock
 * would, also with junk above the family's 32 bits. */
void test_vsock_sockets_are_refused(void **state)
{
    struct mb_result r;
    char host[64];

    (void)state;
    mb_hint(
        "The seccomp filter refuses socket(AF_VSOCK), comparing the low 32 bits of the family.");
    bx_require();
    bx_expect_kv("vsock", "EAFNOSUPPORT", "run", "--rootfs", mb_rootfs, "probe", "syscall", "vsock",
                 NULL);
    bx_expect_kv("vsock-high", "EAFNOSUPPORT", "run", "--rootfs", mb_rootfs, "probe", "syscall",
                 "vsock-high", NULL);
    /* Where the host has vsock, the filter is what refused it. */
    bx_host_probe(&r, "syscall vsock");
    mb_kv(r.out, "vsock", host, sizeof(host));
    mb_result_free(&r);
    if (strcmp(host, "ok") == 0)
        bx_expect_kv("vsock", "ok", "run", "--security-opt", "seccomp=unconfined", "--rootfs",
                     mb_rootfs, "probe", "syscall", "vsock", NULL);
    else
        print_message("# this host has no vsock (socket(AF_VSOCK) on the host: %s)\n", host);
}

void test_lesson_step09_vsock_socket_opens(void **state)
{
    const char *step09 = bx_require_step09();
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("Lesson: a step-09 container opens AF_VSOCK sockets to the hypervisor.");
    bx_host_probe(&r, "syscall vsock");
    if (strcmp(mb_kv(r.out, "vsock", v, sizeof(v)), "ok") != 0)
        mb_skip("this host has no vsock transport (socket(AF_VSOCK) fails on the host itself): "
                "nothing to reach");
    mb_result_free(&r);
    bx_expect_kv_with(step09, "vsock", "ok", "run", "--rootfs", mb_rootfs, "probe", "syscall",
                      "vsock", NULL);
}

/* ---- exec's window ---------------------------------------------------- */

/* A file only the host has, and its absolute path. */
static const char *window_secret(char *path, size_t len)
{
    char dir[4200];
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/window-host", mb_tmp);
    mkdir(dir, 0700);
    snprintf(path, len, "%s/secret", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("host secret\n", f);
    fclose(f);
    return path;
}

/* The attacker's report: its lines up to escaped=. */
static void read_report(struct mb_proc *p, char *buf, size_t len)
{
    char line[512];
    size_t used = 0;

    buf[0] = '\0';
    while (mb_read_line(p, line, sizeof(line), 30000) == 0) {
        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s\n", line);
        if (strncmp(line, "escaped=", 8) == 0 || strncmp(line, "window_pid=0", 12) == 0)
            return;
    }
    fail_msg("the attacker in the container stopped reporting: %s", buf);
}

/* Start the attacker (container bx-window, with `options`), then `exec -u
 * root` into it from a shell that leaked fd 7 on a host directory, as a
 * runtime's caller may: exec waits for the container's /etc/passwd, a FIFO,
 * while the attacker looks at it through /proc. */
static void exec_window(const char *bin, const char *options, char *report, size_t len)
{
    char secret[4400], cli[9000], script[20000], *dir;
    struct mb_proc p;
    struct mb_result r;
    const char *saved = mb_minibox;

    window_secret(secret, sizeof(secret));
    dir = strdup(secret);
    *strrchr(dir, '/') = '\0';
    snprintf(script, sizeof(script),
             "exec %s run --name bx-window %s --tmpfs /etc --rootfs '%s' probe exec-window '%s'",
             bx_cli(bin, cli, sizeof(cli)), options, mb_rootfs, secret);
    mb_minibox = "/bin/sh";
    mb_spawn(&p, "-c", script, NULL);
    mb_minibox = saved;
    bx_track(&p);
    mb_expect_line(&p, "ready", 10000);
    snprintf(script, sizeof(script),
             "cd '%s' && exec 7<'%s' && exec %s exec -u root bx-window true", dir, dir,
             bx_cli(bin, cli, sizeof(cli)));
    bx_sh(&r, script);
    read_report(&p, report, len);
    if (r.status != 0)
        fail_msg("exec did not finish once the attacker let it go (exit %d): %s\n%s", r.status,
                 r.err, report);
    mb_result_free(&r);
    bx_untrack(&p);
    mb_finish(&p, 10000);
    free(dir);
}

/* With CAP_SYS_PTRACE (a debugging container) the attacker may look into
 * exec's process: it must find no fd of the host there, neither the one
 * its caller leaked nor the state dir minibox read. */
void test_exec_window_holds_no_host_fd(void **state)
{
    char report[4096], v[256];

    (void)state;
    mb_hint("exec closes every fd but stdio before it joins the container (close-on-exec keeps "
            "them open until execve): nothing of the host is in /proc/PID/fd of its process.");
    bx_require();
    exec_window(mb_minibox, "--cap-add SYS_PTRACE", report, sizeof(report));
    if (strcmp(mb_kv(report, "window_pid", v, sizeof(v)), "0") == 0 || v[0] == '\0')
        fail_msg("the attacker never saw exec's process:\n%s", report);
    if (strcmp(mb_kv(report, "escaped", v, sizeof(v)), "0") != 0)
        fail_msg("from exec's process the container reached the host:\n%s", report);
    mb_assert_nothing_leaked();
}

/* Where the container's root holds every capability exec's process holds
 * (here: both without CAP_SYS_PTRACE, which minibox runs without), only
 * dumpability stands between them: /proc/PID/fd and ptrace must be
 * refused. (The same holds for a default container in the moment between
 * exec's capset and its execve.) */
void test_exec_window_is_not_dumpable(void **state)
{
    char wrapper[4400], report[4096], v[256];
    FILE *f;

    (void)state;
    mb_hint("exec makes itself non-dumpable (PR_SET_DUMPABLE 0) before it joins the container: "
            "the container's root, however many capabilities, cannot open /proc/PID/fd of it or "
            "ptrace it.");
    bx_require();
    if (system("command -v setpriv >/dev/null") != 0)
        mb_skip("setpriv (util-linux) is missing: minibox cannot be run without CAP_SYS_PTRACE");
    snprintf(wrapper, sizeof(wrapper), "%s/minibox-without-ptrace", mb_tmp);
    f = fopen(wrapper, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nexec setpriv --bounding-set -sys_ptrace '%s' \"$@\"\n", mb_minibox);
    fclose(f);
    chmod(wrapper, 0755);
    exec_window(wrapper, "--cap-add ALL", report, sizeof(report));
    if (strcmp(mb_kv(report, "window_pid", v, sizeof(v)), "0") == 0 || v[0] == '\0')
        fail_msg("the attacker never saw exec's process:\n%s", report);
    if (strcmp(mb_kv(report, "fd_open", v, sizeof(v)), "ok") == 0)
        fail_msg("the container opened /proc/PID/fd/0 of exec's process (it is dumpable):\n%s",
                 report);
    if (strcmp(mb_kv(report, "ptrace", v, sizeof(v)), "ok") == 0)
        fail_msg("the container could ptrace exec's process:\n%s", report);
    if (strcmp(mb_kv(report, "escaped", v, sizeof(v)), "0") != 0)
        fail_msg("from exec's process the container reached the host:\n%s", report);
    mb_assert_nothing_leaked();
}

/* ---- state and store closed to other local users ---------------------- */

#define LOCAL_USER "mbtest-local"

/* The option value of `key=` in a mountinfo line's super options. */
static int mount_option(const char *line, const char *key, char *out, size_t len)
{
    const char *p = strstr(line, key);
    size_t n;

    if (p == NULL)
        return -1;
    p += strlen(key);
    n = strcspn(p, ",\n");
    snprintf(out, len, "%.*s", (int)n, p);
    return 0;
}

struct suid_attack {
    char upper[4096];  /* the container's writable layer, from its mountinfo */
    char ran[8192];    /* what the planted file printed when the user ran it */
    char walked[1024]; /* the user's look at the store's layers */
};

/* An image container's root plants a setuid-root copy of probe in its
 * writable layer. A local user who is nobody on the host finds the layer's
 * path in /proc/PID/mountinfo (upperdir=) and runs the file from there, on
 * the host, outside the container and its no_new_privs. `bin` runs with
 * the state root `root`, which the user can reach (as /var/lib/minibox). */
static void suid_attack(const char *bin, const char *root, struct suid_attack *a)
{
    char tar[4300], cmd[16384], mountinfo[64], line[8192], lower[256] = "";
    struct mb_result r;
    struct mb_proc p;
    pid_t child;
    FILE *f;

    memset(a, 0, sizeof(*a));
    snprintf(tar, sizeof(tar), "%s/bx-base.tar", mb_tmp);
    snprintf(cmd, sizeof(cmd), "[ -f '%s' ] || tar -C '%s' -cf '%s' .", tar, mb_rootfs, tar);
    assert_int_equal(system(cmd), 0);
    mkdir(root, 0711);
    bx_run_with(bin, &r, NULL, "--root", root, "image", "import", tar, "bx-suid", NULL);
    if (r.status != 0)
        fail_msg("import: %s", r.err);
    mb_result_free(&r);
    bx_spawn_with(bin, &p, "--root", root, "run", "--net", "none", "--name", "bx-suid", "bx-suid",
                  "sh", "-c", "cp /bin/probe /planted && chmod 4755 /planted && exec probe hold",
                  NULL);
    bx_track(&p);
    mb_expect_line(&p, "ready", 20000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    snprintf(mountinfo, sizeof(mountinfo), "/proc/%d/mountinfo", (int)child);
    f = fopen(mountinfo, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL)
        if (strstr(line, " / / ") != NULL &&
            mount_option(line, "upperdir=", a->upper, sizeof(a->upper)) == 0) {
            mount_option(line, "lowerdir=", lower, sizeof(lower));
            break;
        }
    fclose(f);
    if (a->upper[0] == '\0')
        fail_msg("no overlay with an upperdir in %s", mountinfo);
    /* The user: the planted file, then the image's layer. */
    snprintf(cmd, sizeof(cmd), "runuser -u %s -- '%s/planted' 2>&1; echo status=$?", LOCAL_USER,
             a->upper);
    bx_sh(&r, cmd);
    snprintf(a->ran, sizeof(a->ran), "%s", r.out);
    mb_result_free(&r);
    lower[strcspn(lower, ":")] = '\0';
    snprintf(cmd, sizeof(cmd), "runuser -u %s -- ls -d '%s/layers/%s/bin' 2>&1", LOCAL_USER, root,
             lower);
    bx_sh(&r, cmd);
    snprintf(a->walked, sizeof(a->walked), "%s", r.out);
    mb_result_free(&r);
    bx_untrack(&p);
    mb_finish(&p, 10000);
    bx_run_with(bin, &r, NULL, "--root", root, "rm", "-f", "bx-suid", NULL);
    mb_result_free(&r);
    bx_run_with(bin, &r, NULL, "--root", root, "rmi", "bx-suid", NULL);
    mb_result_free(&r);
}

/* Make the user, and `root` in mb_tmp (which others may walk, as /var/lib). */
static void suid_setup(const char *name, char *root, size_t len, uid_t *uid, gid_t *gid)
{
    const char *why;

    bx_require();
    if (system("command -v runuser >/dev/null && (grep -qw overlay /proc/filesystems || "
               "modprobe overlay 2>/dev/null)") != 0)
        mb_skip("runuser or overlayfs is missing: the attack needs a local user and an image");
    why = mb_user_create(LOCAL_USER, 0, uid, gid);
    if (why != NULL)
        mb_skip(why);
    snprintf(root, len, "%s/%s", mb_tmp, name); /* mb_tmp is 0755 */
}

static void suid_teardown(void)
{
    mb_user_delete(LOCAL_USER);
}

void test_planted_setuid_file_is_out_of_reach(void **state)
{
    struct suid_attack a;
    char root[4200];
    uid_t uid;
    gid_t gid;

    (void)state;
    mb_hint("The store and each container's state dir are closed to other local users (layers "
            "0700, containers/ID 0700): a setuid file a container planted in its writable layer "
            "cannot be reached from the host by its path in /proc/PID/mountinfo.");
    suid_setup("state-suid", root, sizeof(root), &uid, &gid);
    suid_attack(mb_minibox, root, &a);
    suid_teardown();
    if (mb_contains(a.ran, "euid=0"))
        fail_msg("a local user ran the container's setuid file %s/planted as root:\n%s", a.upper,
                 a.ran);
    if (!mb_contains(a.ran, "Permission denied"))
        fail_msg("the user should be refused on the way to %s: %s", a.upper, a.ran);
    if (!mb_contains(a.walked, "Permission denied"))
        fail_msg("a local user walked into the store's layers: %s", a.walked);
    mb_assert_nothing_leaked();
}

/* Lesson: step 09's state dirs and layers are walkable (0711), and the
 * user's run of the planted file has root's euid. */
void test_lesson_step09_planted_setuid_file_runs_as_root(void **state)
{
    const char *step09 = bx_require_step09();
    struct suid_attack a;
    char root[4200];
    uid_t uid;
    gid_t gid;

    (void)state;
    mb_hint("Lesson: on step 09 a local user runs a setuid file planted by a container, from the "
            "container's writable layer, as root.");
    suid_setup("state-suid09", root, sizeof(root), &uid, &gid);
    suid_attack(step09, root, &a);
    suid_teardown();
    if (!mb_contains(a.ran, "euid=0"))
        fail_msg("on step 09 the planted file should run with euid 0: %s", a.ran);
}

/* ---- --userns=auto: a range of its own -------------------------------- */

/* The first "outside" of a uid_map= line: "         0 1000000000      65536". */
static unsigned long map_outside(const char *out)
{
    char v[256];
    unsigned long inside = 0, outside = 0, count = 0;

    mb_kv(out, "uid_map", v, sizeof(v));
    if (sscanf(v, "%lu %lu %lu", &inside, &outside, &count) != 3)
        return 0;
    return outside;
}

struct auto_pair {
    unsigned long a, b;  /* the outside uid of container root in A and B */
    char b_out[8192];    /* what B printed: the cat of A's file, then its facts */
    char inspect[16384]; /* minibox inspect of A, while it runs */
};

/* Container A (--userns=auto) writes a file only its root may read into a
 * volume both share; container B, also --userns=auto, started while A runs,
 * tries to read it. */
static void auto_pair(const char *bin, struct auto_pair *o)
{
    char shared[4200], spec[4300], line[1024], out[8192] = "";
    struct mb_result r;
    struct mb_proc p;

    memset(o, 0, sizeof(*o));
    snprintf(shared, sizeof(shared), "%s/auto-shared", mb_tmp);
    mkdir(shared, 0777);
    chmod(shared, 0777);
    snprintf(spec, sizeof(spec), "%s:/shared", shared);
    bx_spawn_with(bin, &p, "run", "--name", "bx-auto-a", "--userns=auto", "--net", "none", "-v",
                  spec, "--rootfs", mb_rootfs, "sh", "-c",
                  "umask 077; echo secret-of-a > /shared/a-secret; exec probe hold", NULL);
    bx_track(&p);
    while (mb_read_line(&p, line, sizeof(line), 20000) == 0 && strcmp(line, "ready") != 0)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s\n", line);
    o->a = map_outside(out);
    bx_run_with(bin, &r, NULL, "inspect", "bx-auto-a", NULL);
    snprintf(o->inspect, sizeof(o->inspect), "%s", r.out);
    mb_result_free(&r);
    bx_run_with(bin, &r, NULL, "run", "--userns=auto", "--net", "none", "-v", spec, "--rootfs",
                mb_rootfs, "sh", "-c", "cat /shared/a-secret 2>&1; probe", NULL);
    snprintf(o->b_out, sizeof(o->b_out), "%s", r.out);
    o->b = map_outside(r.out);
    mb_result_free(&r);
    bx_untrack(&p);
    mb_finish(&p, 10000);
    snprintf(line, sizeof(line), "rm -rf '%s'", shared);
    assert_int_equal(system(line), 0);
}

void test_userns_auto_containers_get_ranges_of_their_own(void **state)
{
    struct auto_pair o;
    struct mb_result r;
    char host_id[64];

    (void)state;
    mb_hint("Each --userns=auto container gets a range of 65536 host ids no other running "
            "container has (an flock per range under the state root), freed when it ends; "
            "inspect shows it under HostConfig.IdMappings.");
    bx_require();
    auto_pair(mb_minibox, &o);
    if (o.a == 0 || o.b == 0)
        fail_msg("no uid_map from the containers: A %lu, B: %s", o.a, o.b_out);
    if (o.a == o.b || (o.a < o.b ? o.b - o.a : o.a - o.b) < 65536)
        fail_msg("two running --userns=auto containers share host ids: root is %lu in A and %lu "
                 "in B",
                 o.a, o.b);
    if (mb_contains(o.b_out, "secret-of-a"))
        fail_msg("B read A's file, readable by A's root only:\n%s", o.b_out);
    snprintf(host_id, sizeof(host_id), "\"HostID\": %lu", o.a);
    if (!mb_contains(o.inspect, "\"IdMappings\"") || !mb_contains(o.inspect, host_id))
        fail_msg("inspect should show A's range (HostID %lu):\n%s", o.a, o.inspect);
    /* A has ended: its range is free for the next one. */
    mb_run(&r, NULL, "run", "--userns=auto", "--net", "none", "--rootfs", mb_rootfs, "probe", NULL);
    if (map_outside(r.out) != o.a)
        fail_msg("A's range (%lu) should be free again once A ended: got %lu", o.a,
                 map_outside(r.out));
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* Lesson: on step 09 every --userns=auto container is the same range, and
 * B's root reads what A's root kept to itself. */
void test_lesson_step09_userns_auto_containers_share_ids(void **state)
{
    const char *step09 = bx_require_step09();
    struct auto_pair o;

    (void)state;
    mb_hint("Lesson: step 09 maps every --userns=auto container to the same host ids.");
    auto_pair(step09, &o);
    if (o.a == 0 || o.a != o.b || !mb_contains(o.b_out, "secret-of-a"))
        fail_msg("on step 09 both containers should be uid %lu and B should read A's file: B was "
                 "%lu and printed:\n%s",
                 o.a, o.b, o.b_out);
}
