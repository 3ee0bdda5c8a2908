/*
 * Suite 04-mount-proc: a private mount namespace, pivot_root instead of
 * chroot (the chroot escape fails), the container's own /proc, a read-only
 * /sys, a minimal /dev, and bind volumes.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbtest.h"

#define NS_04 (CLONE_NEWNS | CLONE_NEWPID)

static void scratch(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", mb_tmp, name);
}

static void write_host_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Remove a mount target a test made in the shared rootfs. */
static void rmdir_tree(const char *path)
{
    char cmd[4400];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
}

/* A fresh /proc shows only the container's processes. */
static void test_proc_shows_only_the_container(void **state)
{
    struct mb_result r;
    char v[256];

    (void)state;
    mb_hint("In its new mount namespace the child mounts a fresh proc on /proc, which shows only "
            "the processes of its PID namespace.");
    mb_require(NS_04);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "pids", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(mb_kv(r.out, "pids", v, sizeof(v)), "1 ");
    mb_result_free(&r);

    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", "ps -o pid,comm | wc -l", NULL);
    assert_int_equal(r.status, 0);
    /* header, sh, ps, wc: nothing of the host's */
    assert_true(atoi(r.out) <= 4);
    mb_result_free(&r);
}

/* The classic chroot escape: chroot into a subdirectory keeping a fd to
 * "/", fchdir to it, walk "..". It reaches the host's root under chroot;
 * after pivot_root there is nothing above the container's root. */
static void test_chroot_escape_fails(void **state)
{
    char marker[4200];
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("pivot_root(2) in a private mount namespace, then detaching the old root, leaves "
            "nothing above the container's \"/\" to escape to.");
    mb_require(NS_04);
    scratch(marker, sizeof(marker), "host-only-marker");
    write_host_file(marker, "host\n");
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "escape", marker, NULL);
    assert_int_equal(r.status, 0);
    if (mb_kv(r.out, "escaped", v, sizeof(v))[0] == '\0')
        fail_msg("the probe could not try the escape: %s", r.out);
    if (strcmp(v, "0") != 0)
        fail_msg("a root process walked out of the container to the host's %s", marker);
    mb_result_free(&r);
}

/* Exactly the mounts the container should have: no host mount leaks in and
 * the old root is gone. */
static void test_mount_table_is_the_containers(void **state)
{
    static const char *const allowed[] = {
        "/",
        "/proc",
        "/sys",
        "/dev",
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
        "/dev/tty",
        "/dev/pts",
        "/dev/shm",
        /* from chapter 7 on, per-container files bound over the rootfs's */
        "/etc/hosts",
        "/etc/hostname",
        "/etc/resolv.conf",
        /* the full engine (chapter 10): on cgroup v2, its own cgroup, read-only */
        "/sys/fs/cgroup",
        /* the full engine (chapter 10): masked and read-only kernel paths */
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/proc/interrupts",
        "/sys/firmware",
        "/proc/bus",
        "/proc/fs",
        "/proc/irq",
        "/proc/sys",
        "/proc/sysrq-trigger",
    };
    struct mb_result r;
    int seen_proc = 0, seen_root = 0;

    (void)state;
    mb_hint("After pivot_root and umount2(old root, MNT_DETACH) the mount table holds only what "
            "minibox mounted for the container.");
    mb_require(NS_04);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "mounts", NULL);
    assert_int_equal(r.status, 0);
    for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char mp[1024] = "", type[64] = "", opts[256] = "";
        int ok = 0;

        if (sscanf(line, "mount=%1023s %63s %255s", mp, type, opts) != 3)
            continue;
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
            ok |= strcmp(mp, allowed[i]) == 0;
        if (!ok)
            fail_msg("unexpected mount in the container: %s", line);
        seen_proc |= strcmp(mp, "/proc") == 0 && strcmp(type, "proc") == 0;
        seen_root |= strcmp(mp, "/") == 0;
        if (strcmp(mp, "/sys") == 0 && strncmp(opts, "ro", 2) != 0)
            fail_msg("/sys is not read-only: %s", line);
    }
    assert_true(seen_proc && seen_root);
    mb_result_free(&r);
}

static void test_sys_is_read_only(void **state)
{
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("/sys is mounted read-only in the container so that root inside cannot change the "
            "host's kernel settings.");
    mb_require(NS_04);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "write", "/sys/kernel/uevent_helper",
           "x", NULL);
    assert_string_equal(mb_kv(r.out, "write", v, sizeof(v)), "EROFS");
    mb_result_free(&r);
}

static void test_dev_is_minimal(void **state)
{
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("/dev is a fresh tmpfs with only the standard devices (null, zero, full, random, "
            "urandom, tty) bind-mounted from the host.");
    mb_require(NS_04);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "ls", "/dev", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "fd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\n"
                               "tty\nurandom\nzero\n");
    mb_result_free(&r);

    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c",
           "echo gone > /dev/null && head -c 5 /dev/zero | wc -c && head -c 8 /dev/urandom | "
           "wc -c",
           NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "5\n8\n");
    mb_result_free(&r);

    /* A private devpts: ptys work and are numbered from 0. */
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "pty", NULL);
    assert_string_equal(mb_kv(r.out, "pty", v, sizeof(v)), "ok");
    assert_string_equal(mb_kv(r.out, "pty_name", v, sizeof(v)), "/dev/pts/0");
    mb_result_free(&r);

    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "write", "/dev/shm/segment", "x", NULL);
    assert_string_equal(mb_kv(r.out, "write", v, sizeof(v)), "ok");
    mb_result_free(&r);
}

/* Mounts made inside stay inside (private propagation); the leak check
 * after the run looks for them in the host's table. */
static void test_container_mounts_stay_inside(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The container's mounts are made MS_PRIVATE (recursively) first, so nothing mounted "
            "inside propagates to the host.");
    mb_require(NS_04);
    mb_run_needs_cap("SYS_ADMIN"); /* mount(2); the full engine drops it */
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c",
           "mount -t tmpfs none /mnt && echo mounted", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "mounted\n");
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

static void test_host_sees_other_mount_and_ipc_namespaces(void **state)
{
    char host[64], container[64];
    static const char *const kinds[] = {"mnt", "ipc"};
    struct mb_proc p;
    pid_t child;

    (void)state;
    mb_hint("CLONE_NEWNS and CLONE_NEWIPC: the container's mount and ipc namespaces differ from "
            "the host's.");
    mb_require(NS_04 | CLONE_NEWIPC);
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    for (size_t i = 0; i < 2; i++) {
        mb_ns_of(getpid(), kinds[i], host, sizeof(host));
        mb_ns_of(child, kinds[i], container, sizeof(container));
        assert_string_not_equal(container, "");
        assert_string_not_equal(host, container);
    }
    assert_int_equal(mb_finish(&p, 10000), 0);
}

static void test_volume_read_write(void **state)
{
    char dir[4200], spec[8500], file[4300], buf[64] = "";
    struct mb_result r;
    FILE *f;

    (void)state;
    mb_hint("-v SRC:DST bind-mounts the host's SRC onto DST inside the rootfs before pivot_root; "
            "writes show on the host.");
    mb_require(NS_04);
    scratch(dir, sizeof(dir), "vol-rw");
    mkdir(dir, 0755);
    snprintf(file, sizeof(file), "%s/from-host", dir);
    write_host_file(file, "hello from the host\n");
    snprintf(spec, sizeof(spec), "%s:/mnt", dir);
    mb_run(&r, NULL, "run", "-v", spec, "--rootfs", mb_rootfs, "sh", "-c",
           "cat /mnt/from-host && echo written > /mnt/from-container", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "hello from the host\n");
    mb_result_free(&r);
    snprintf(file, sizeof(file), "%s/from-container", dir);
    f = fopen(file, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "written\n");
}

static void test_volume_read_only(void **state)
{
    char dir[4200], spec[8500], file[4300];
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("-v SRC:DST:ro is a bind mount made read-only: writes inside fail with EROFS.");
    mb_require(NS_04);
    scratch(dir, sizeof(dir), "vol-ro");
    mkdir(dir, 0755);
    /* A missing target is created, parents included. */
    snprintf(spec, sizeof(spec), "%s:/run/mbtest-ro/deep:ro", dir);
    mb_run(&r, NULL, "run", "-v", spec, "--rootfs", mb_rootfs, "probe", "write",
           "/run/mbtest-ro/deep/x", "x", NULL);
    snprintf(file, sizeof(file), "%s/run/mbtest-ro", mb_rootfs);
    rmdir_tree(file);
    assert_string_equal(mb_kv(r.out, "write", v, sizeof(v)), "EROFS");
    mb_result_free(&r);
    snprintf(file, sizeof(file), "%s/x", dir);
    assert_int_not_equal(access(file, F_OK), 0);
    /* The host's own view stays writable. */
    write_host_file(file, "still writable\n");
}

/* -v /:/host:ro brings the host's submounts along (the bind is recursive):
 * /host/dev/shm, /host/proc/sys. A remount read-only covers the top mount
 * only, and the container writes the host's files below it. Here the
 * volume's source holds a tmpfs the test mounts; a write below it must fail
 * as one at the top does. */
static void test_volume_read_only_covers_submounts(void **state)
{
    char dir[4200], sub[4300], spec[8500], file[4400], v[64];
    struct mb_result r;

    (void)state;
    mb_hint("-v SRC:DST:ro makes the whole bind read-only, the mounts below SRC included "
            "(mount_setattr with AT_RECURSIVE): a write below a submount fails with EROFS too.");
    mb_require(NS_04);
    scratch(dir, sizeof(dir), "vol-ro-rec");
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    mkdir(dir, 0755);
    mkdir(sub, 0755);
    if (mount("mbtest-sub", sub, "tmpfs", 0, "size=64k") < 0)
        mb_skip("cannot mount a tmpfs for the submount (the test needs root and mount(2))");
    snprintf(spec, sizeof(spec), "%s:/mnt:ro", dir);
    mb_run(&r, NULL, "run", "-v", spec, "--rootfs", mb_rootfs, "sh", "-c",
           "probe write /mnt/top x; probe write /mnt/sub/below x", NULL);
    snprintf(file, sizeof(file), "%s/below", sub);
    if (access(file, F_OK) == 0) {
        umount2(sub, MNT_DETACH);
        fail_msg("a volume asked read-only let the container write below a submount of it "
                 "(%s): %s",
                 file, r.out);
    }
    umount2(sub, MNT_DETACH);
    assert_string_equal(mb_kv(r.out, "write", v, sizeof(v)), "EROFS");
    if (!mb_contains(r.out, "write=EROFS\nwrite=EROFS"))
        fail_msg("both writes must fail with EROFS: %s %s", r.out, r.err);
    mb_result_free(&r);
}

static void test_file_volume(void **state)
{
    char file[4200], spec[8500];
    struct mb_result r;

    (void)state;
    mb_hint("A volume may be a single file: its target in the rootfs is a file, made if missing, "
            "and the bind mount covers just that file.");
    mb_require(NS_04);
    scratch(file, sizeof(file), "single-file");
    write_host_file(file, "one file\n");
    snprintf(spec, sizeof(spec), "%s:/run/from-host.conf:ro", file);
    mb_run(&r, NULL, "run", "-v", spec, "--rootfs", mb_rootfs, "cat", "/run/from-host.conf", NULL);
    snprintf(file, sizeof(file), "%s/run/from-host.conf", mb_rootfs);
    unlink(file);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "one file\n");
    mb_result_free(&r);
}

static void test_bad_volumes_are_125(void **state)
{
    char missing[4200], spec[8500];
    struct mb_result r;
    const char *bad[6];

    (void)state;
    mb_hint("Volume specs are parsed and checked in the parent (absolute paths, source exists, "
            "known flags): bad ones exit 125.");
    scratch(missing, sizeof(missing), "does-not-exist");
    snprintf(spec, sizeof(spec), "%s:/data", missing);
    bad[0] = "just-a-word";
    bad[1] = "relative:/data";
    bad[2] = spec;
    bad[3] = "/tmp:/data:rx";
    bad[4] = "/tmp:data";
    bad[5] = "/tmp:/../etc";
    for (size_t i = 0; i < 6; i++) {
        mb_run(&r, NULL, "run", "-v", bad[i], "--rootfs", mb_rootfs, "true", NULL);
        if (r.status != 125)
            fail_msg("-v %s: expected exit 125, got %d", bad[i], r.status);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
    }
}

int main(void)
{
    /* grade: total=19 points=2 doc=#what-is-mounted-in-order */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proc_shows_only_the_container),
        cmocka_unit_test(
            test_chroot_escape_fails), /* grade: points=4 doc=#pivot_root-instead-of-chroot */
        cmocka_unit_test(test_mount_table_is_the_containers),
        cmocka_unit_test(test_sys_is_read_only),
        cmocka_unit_test(test_dev_is_minimal),
        cmocka_unit_test(
            test_container_mounts_stay_inside), /* grade: doc=#mount-namespaces-and-propagation */
        cmocka_unit_test(
            test_host_sees_other_mount_and_ipc_namespaces), /* grade: points=3
                                                               doc=#mount-namespaces-and-propagation
                                                             */
        cmocka_unit_test(test_volume_read_write),
        cmocka_unit_test(test_volume_read_only),
        cmocka_unit_test(
            test_volume_read_only_covers_submounts), /* grade: points=2
                                                        doc=#read-only-all-the-way-down */
        cmocka_unit_test(test_file_volume),
        cmocka_unit_test(test_bad_volumes_are_125),
        cmocka_unit_test(mb_test_nothing_leaked), /* grade: points=1 doc=#troubleshooting */
    };

    return cmocka_run_group_tests_name("04-mount-proc", tests, mb_group_setup, mb_group_teardown);
}
