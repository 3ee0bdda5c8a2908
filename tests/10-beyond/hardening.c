/*
 * Hardening by default: what root in a container keeps of root. A container
 * without a user namespace runs as the host's uid 0; the kernel tells it
 * apart from the host's root only by what minibox took away before exec:
 * capabilities, the right to gain privileges, parts of /proc and /sys, and
 * system calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "beyond.h"

#define CAP_CHOWN      0
#define CAP_KILL       5
#define CAP_NET_ADMIN  12
#define CAP_SYS_PTRACE 19

static void assert_caps(const char *bin, unsigned long long want, const char *const *opts)
{
    static const char *const sets[] = {"cap_eff", "cap_prm", "cap_bnd"};
    char *args[32], v[64];
    struct mb_result r;
    int n = 0;

    args[n++] = "run";
    for (; *opts != NULL; opts++)
        args[n++] = (char *)*opts;
    args[n++] = "--rootfs";
    args[n++] = (char *)mb_rootfs;
    args[n++] = "probe";
    args[n] = NULL;
    bx_run_argv_with(bin, &r, NULL, args);
    if (r.status != 0)
        fail_msg("the run failed (exit %d): %s", r.status, r.err);
    for (size_t i = 0; i < 3; i++) {
        mb_kv(r.out, sets[i], v, sizeof(v));
        if (v[0] == '\0' || bx_mask(v) != want)
            fail_msg("%s=%s, expected %016llx (options: %s ...)", sets[i], v, want, args[1]);
    }
    /* Nothing to hand down through exec, nothing raised by itself. */
    bx_assert_kv(&r, "cap_inh", BX_NO_CAPS);
    bx_assert_kv(&r, "cap_amb", BX_NO_CAPS);
    mb_result_free(&r);
}

#define CAPS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Root in a container is the host's root to every permission check that is
 * not about a capability. Docker's 14 capabilities (CHOWN ... AUDIT_WRITE)
 * in the bounding, permitted and effective sets; none inheritable or
 * ambient. Step 09 keeps all of them: CAP_SYS_ADMIN alone is "the new root"
 * (mount, namespaces, most of the escapes below). */
void test_default_capabilities_are_dockers_set(void **state)
{
    (void)state;
    mb_hint("The full engine drops every capability outside Docker's default set from the bounding "
            "set and sets the rest with capset before execve.");
    bx_require();
    assert_caps(mb_minibox, bx_mask(BX_DEFAULT_CAPS), (const char *const[]){NULL});
}

void test_cap_add_and_cap_drop_change_the_sets(void **state)
{
    unsigned long long def = bx_mask(BX_DEFAULT_CAPS);

    (void)state;
    mb_hint("--cap-add and --cap-drop change the default set before it is applied: bounding, "
            "permitted, effective and inheritable alike.");
    bx_require();
    assert_caps(mb_minibox, def | 1ULL << CAP_NET_ADMIN, CAPS("--cap-add", "NET_ADMIN"));
    /* any case, with or without CAP_ */
    assert_caps(mb_minibox, def & ~(1ULL << CAP_CHOWN), CAPS("--cap-drop", "chown"));
    assert_caps(mb_minibox, (def | 1ULL << CAP_SYS_PTRACE) & ~(1ULL << CAP_KILL),
                CAPS("--cap-add", "CAP_SYS_PTRACE", "--cap-drop", "cap_kill"));
}

void test_cap_drop_all_then_cap_add_one(void **state)
{
    (void)state;
    mb_hint(
        "--cap-drop ALL empties the set first; --cap-add then puts back exactly the one named.");
    bx_require();
    assert_caps(mb_minibox, 0, CAPS("--cap-drop", "ALL"));
    assert_caps(mb_minibox, 1ULL << CAP_KILL, CAPS("--cap-drop", "ALL", "--cap-add", "KILL"));
}

/* --privileged: every capability the caller has, no seccomp filter, nothing
 * masked, /proc/sys writable (what step 09 gives every container). */
void test_privileged_keeps_every_capability_and_no_confinement(void **state)
{
    char mine[64], v[64];
    struct mb_result r;

    (void)state;
    mb_hint("--privileged keeps every capability and applies no seccomp filter, masks or "
            "no_new_privs.");
    bx_require();
    bx_self_status("CapBnd", mine, sizeof(mine));
    assert_caps(mb_minibox, bx_mask(mine), CAPS("--privileged"));
    bx_expect_kv("seccomp", "0", "run", "--privileged", "--rootfs", mb_rootfs, "probe", NULL);
    bx_expect_kv("statfs_ro", "0", "run", "--privileged", "--rootfs", mb_rootfs, "probe", "stat",
                 "/proc/sys", NULL);
    if (bx_exists("/proc/interrupts")) {
        mb_run(&r, NULL, "run", "--privileged", "--rootfs", mb_rootfs, "probe", "read",
               "/proc/interrupts", NULL);
        if (atoi(mb_kv(r.out, "read", v, sizeof(v))) <= 0)
            fail_msg("--privileged still masks /proc/interrupts: %s %s", r.out, r.err);
        mb_result_free(&r);
    }
}

void test_bad_capability_or_security_opt_is_refused(void **state)
{
    static const char *const bad[][2] = {
        {"--cap-add", "NOT_A_CAPABILITY"},
        {"--cap-drop", "CAP_"},
        {"--security-opt", "seccomp=/no/such/profile.json"},
        {"--security-opt", "no-such-option=1"},
        {"--security-opt", "no-new-privileges=maybe"},
    };
    struct mb_result r;

    (void)state;
    mb_hint("Capability names and --security-opt values are checked in the parent: an unknown one "
            "exits 125 with one line.");
    bx_require();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mb_run(&r, NULL, "run", bad[i][0], bad[i][1], "--rootfs", mb_rootfs, "probe", NULL);
        if (r.status != 125)
            fail_msg("'%s %s' was not refused: exit %d, %s", bad[i][0], bad[i][1], r.status, r.err);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
    }
    /* A good one, so that the test cannot pass on a binary without the
     * options (which refuses all of them). */
    bx_expect_kv("cap_eff", "00000000a80435fb", "run", "--cap-add", "net_admin", "--rootfs",
                 mb_rootfs, "probe", NULL);
    mb_assert_nothing_leaked();
}

/* no_new_privs: no execve can raise privileges again, not a setuid binary
 * and not file capabilities (what a container user would use to get back
 * to root or to a dropped capability). */
void test_no_new_privs_is_set(void **state)
{
    (void)state;
    mb_hint("prctl(PR_SET_NO_NEW_PRIVS) before execve: no setuid binary or file capability can "
            "raise privileges afterwards.");
    bx_require();
    bx_expect_kv("nnp", "1", "run", "--rootfs", mb_rootfs, "probe", NULL);
}

void test_no_new_privileges_false_lifts_it(void **state)
{
    (void)state;
    mb_hint("--security-opt no-new-privileges=false leaves no_new_privs unset.");
    bx_require();
    bx_expect_kv("nnp", "0", "run", "--security-opt", "no-new-privileges=false", "--rootfs",
                 mb_rootfs, "probe", NULL);
    bx_expect_kv("nnp", "1", "run", "--security-opt", "no-new-privileges=true", "--rootfs",
                 mb_rootfs, "probe", NULL);
}

/* A setuid-root program run by uid 65534: without no_new_privs it runs as
 * euid 0 (the way from a container user back to root), with it the bit is
 * ignored. */
void test_setuid_binary_gains_nothing_under_no_new_privs(void **state)
{
    char dir[4300], cmd[9000], spec[4400];
    struct statvfs sv;
    struct mb_result r;

    (void)state;
    mb_hint("Under no_new_privs the kernel ignores the setuid bit at execve: the binary runs with "
            "the caller's uid.");
    bx_require();
    snprintf(dir, sizeof(dir), "%s/suid", mb_tmp);
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s' && cp '%s/bin/probe' '%s/probe' && chown 0:0 '%s/probe' && "
             "chmod 4755 '%s/probe'",
             dir, mb_rootfs, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    if (statvfs(dir, &sv) == 0 && (sv.f_flag & ST_NOSUID))
        mb_skip("the scratch directory's filesystem is mounted nosuid: no setuid binary works "
                "there, with or without no_new_privs");
    snprintf(spec, sizeof(spec), "%s:/suid:ro", dir);
    /* The bit works when no_new_privs is off: the test can tell. */
    mb_run(&r, NULL, "run", "--security-opt", "no-new-privileges=false", "-u", "65534", "-v", spec,
           "--rootfs", mb_rootfs, "/suid/probe", NULL);
    bx_assert_kv(&r, "uid", "65534");
    bx_assert_kv(&r, "euid", "0");
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "-u", "65534", "-v", spec, "--rootfs", mb_rootfs, "/suid/probe", NULL);
    bx_assert_kv(&r, "uid", "65534");
    bx_assert_kv(&r, "euid", "65534");
    bx_assert_kv(&r, "nnp", "1");
    mb_result_free(&r);
}

/* Docker's masked paths: kernel memory (/proc/kcore), keys of every user
 * (/proc/keys), timing side channels (/proc/timer_list, /proc/interrupts,
 * /proc/sched_debug), firmware tables (/sys/firmware). A file gets
 * /dev/null bound over it (reads give nothing), a directory an empty
 * read-only tmpfs. Paths this kernel does not have are skipped. */
void test_masked_paths_show_nothing(void **state)
{
    static const char *const masked[] = {
        "/proc/acpi",        "/proc/asound",        "/proc/kcore",
        "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug",   "/proc/scsi",
        "/proc/interrupts",  "/sys/firmware",       "/sys/devices/virtual/powercap",
    };
    int checked = 0;

    (void)state;
    mb_hint("Masked /proc and /sys paths are covered by /dev/null (files) or an empty read-only "
            "tmpfs (directories) after pivot_root.");
    bx_require();
    for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
        const char *path = masked[i];
        char script[512];
        struct stat st;
        struct mb_result r;

        if (stat(path, &st) < 0) {
            print_message("# %s: not on this kernel\n", path);
            continue;
        }
        checked++;
        if (S_ISDIR(st.st_mode)) {
            snprintf(script, sizeof(script), "probe stat %s/; probe ls %s", path, path);
            mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", script, NULL);
            bx_assert_kv_about(path, &r, "statfs_type", "0x1021994"); /* TMPFS_MAGIC */
            bx_assert_kv_about(path, &r, "statfs_ro", "1");
            bx_assert_kv_about(path, &r, "entries", "0");
        } else {
            snprintf(script, sizeof(script), "probe stat %s; probe read %s", path, path);
            mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", script, NULL);
            bx_assert_kv_about(path, &r, "stat_type", "chr"); /* /dev/null */
            bx_assert_kv_about(path, &r, "stat_rdev", "1:3");
            bx_assert_kv_about(path, &r, "read", "0");
        }
        mb_result_free(&r);
    }
    if (checked == 0)
        mb_skip("this kernel has none of the masked paths");
}

/* Docker's read-only paths: /proc/sys (every sysctl of the host's kernel
 * that is not namespaced), /proc/sysrq-trigger (reboot, crash), /proc/irq,
 * /proc/bus, /proc/fs. Each is a read-only mount; a file opened for
 * writing fails with EROFS before anything is written. */
void test_read_only_proc_paths_refuse_writes(void **state)
{
    static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                           "/proc/sysrq-trigger"};
    static const char *const files[] = {"/proc/sysrq-trigger", "/proc/irq/default_smp_affinity",
                                        "/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches"};
    int checked = 0;
    struct mb_result r;

    (void)state;
    mb_hint("/proc/sys, /proc/sysrq-trigger and friends are bind-mounted read-only on themselves: "
            "writes fail with EROFS.");
    bx_require();
    for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
        if (!bx_exists(readonly[i])) {
            print_message("# %s: not on this kernel\n", readonly[i]);
            continue;
        }
        checked++;
        mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "probe", "stat", readonly[i], NULL);
        if (!mb_contains(r.out, "statfs_ro=1\n"))
            fail_msg("%s is not on a read-only mount in the container: %s %s", readonly[i], r.out,
                     r.err);
        mb_result_free(&r);
    }
    /* Opened for writing and closed again: nothing is ever written (a
     * write to sysrq-trigger would act on the host). */
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (!bx_exists(files[i]))
            continue;
        checked++;
        bx_expect_kv("open_write", "EROFS", "run", "--rootfs", mb_rootfs, "probe", "open-write",
                     files[i], NULL);
    }
    if (checked == 0)
        mb_skip("this kernel has none of the read-only paths");
}

/* The classic escape of a root container: /proc/sys/kernel/core_pattern
 * is not namespaced; "|/path/in/the/container" makes the host's kernel run
 * that program as host root on the next crash anywhere. The probe writes
 * back the file's current value, so nothing changes on any host. */
static void core_pattern_write(const char *bin, const char *want)
{
    char before[4096], after[4096];
    struct mb_result r;
    FILE *f;

    f = fopen("/proc/sys/kernel/core_pattern", "r");
    if (f == NULL)
        mb_skip("this kernel has no /proc/sys/kernel/core_pattern");
    if (fgets(before, sizeof(before), f) == NULL)
        before[0] = '\0';
    fclose(f);
    bx_run_with(bin, &r, NULL, "run", "--rootfs", mb_rootfs, "probe", "rewrite",
                "/proc/sys/kernel/core_pattern", NULL);
    f = fopen("/proc/sys/kernel/core_pattern", "r");
    assert_non_null(f);
    if (fgets(after, sizeof(after), f) == NULL)
        after[0] = '\0';
    fclose(f);
    assert_string_equal(before, after);
    bx_assert_kv(&r, "rewrite", want);
    mb_result_free(&r);
}

void test_core_pattern_cannot_be_written(void **state)
{
    (void)state;
    mb_hint("/proc/sys/kernel/core_pattern runs a host program on a crash: it must be read-only in "
            "the container.");
    bx_require();
    core_pattern_write(mb_minibox, "EROFS");
}

/* Lesson: on step 09 a container's root writes the host's core_pattern. */
void test_lesson_step09_core_pattern_can_be_written(void **state)
{
    const char *step09;

    (void)state;
    mb_hint("Lesson: step 09 has no read-only /proc/sys, so the attack on core_pattern works there "
            "(this test expects it to).");
    step09 = bx_require_step09();
    core_pattern_write(step09, "ok");
}

/* What the host lets an unconfined process do (keyctl needs CONFIG_KEYS,
 * unshare-user needs user namespaces): a system call the host refuses
 * anyway proves nothing about seccomp. */
static int host_allows(const char *call)
{
    char args[128], v[64];
    struct mb_result r;
    int ok;

    snprintf(args, sizeof(args), "syscall %s", call);
    bx_host_probe(&r, args);
    ok = strcmp(mb_kv(r.out, call, v, sizeof(v)), "ok") == 0;
    mb_result_free(&r);
    return ok;
}

/* System calls that need no capability at all and still reach kernel code
 * that has been a way out many times: user namespaces (the entry to every
 * "unprivileged" kernel exploit, e.g. CVE-2022-0185), the keyring (not
 * namespaced: CVE-2016-0728), userfaultfd (the race widener of countless
 * exploits), clone3 (ENOSYS, so that libc falls back to clone, whose flags
 * a filter can see). */
void test_seccomp_blocks_what_no_capability_guards(void **state)
{
    static const char *const calls[][2] = {
        {"unshare-user", "EPERM"},
        {"keyctl", "EPERM"},
        {"userfaultfd", "EPERM"},
        {"clone3", "ENOSYS"},
    };
    int checked = 0;

    (void)state;
    mb_hint("The default seccomp filter refuses calls no capability guards (keyctl, userfaultfd, "
            "CVE-2022-0185's fsconfig path) with EPERM.");
    bx_require();
    bx_expect_kv("seccomp", "2", "run", "--rootfs", mb_rootfs, "probe", NULL); /* filter mode */
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        if (!host_allows(calls[i][0])) {
            print_message("# %s: this host refuses it anyway\n", calls[i][0]);
            continue;
        }
        checked++;
        bx_expect_kv(calls[i][0], calls[i][1], "run", "--rootfs", mb_rootfs, "probe", "syscall",
                     calls[i][0], NULL);
    }
    if (checked == 0)
        mb_skip("this host refuses every one of these system calls even unconfined");
}

/* Without CAP_SYS_ADMIN, the filter refuses mount, unshare, setns, clone
 * with namespace flags and bpf (EPERM), as Docker's profile does. */
void test_seccomp_blocks_mount_and_namespace_calls(void **state)
{
    static const char *const calls[] = {"mount-tmpfs", "unshare-mount", "clone-newns", "setns-mnt",
                                        "bpf"};

    (void)state;
    mb_hint("The filter refuses mount, unshare, setns and clone with namespace flags unless the "
            "matching capability was added.");
    bx_require();
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        bx_expect_kv(calls[i], "EPERM", "run", "--rootfs", mb_rootfs, "probe", "syscall", calls[i],
                     NULL);
}

/* --security-opt seccomp=unconfined: no filter; capabilities stay dropped. */
void test_seccomp_unconfined_lifts_the_filter(void **state)
{
    (void)state;
    mb_hint("--security-opt seccomp=unconfined installs no filter.");
    bx_require();
    bx_expect_kv("seccomp", "0", "run", "--security-opt", "seccomp=unconfined", "--rootfs",
                 mb_rootfs, "probe", NULL);
    bx_expect_kv("cap_eff", BX_DEFAULT_CAPS, "run", "--security-opt", "seccomp=unconfined",
                 "--rootfs", mb_rootfs, "probe", NULL);
    if (host_allows("unshare-user"))
        bx_expect_kv("unshare-user", "ok", "run", "--security-opt", "seccomp=unconfined",
                     "--rootfs", mb_rootfs, "probe", "syscall", "unshare-user", NULL);
    if (host_allows("clone3"))
        bx_expect_kv("clone3", "ok", "run", "--security-opt", "seccomp=unconfined", "--rootfs",
                     mb_rootfs, "probe", "syscall", "clone3", NULL);
}

/* The cgroup v1 release_agent escape (CVE-2022-0492, and Felix Wilhelm's
 * privileged-container escape): mount a v1 hierarchy, write a host path of
 * the container's rootfs into release_agent, let a cgroup empty; the host's
 * kernel runs the program as host root. Its first step, the mount, fails. */
void test_cgroup_v1_mount_for_release_agent_is_refused(void **state)
{
    (void)state;
    mb_hint("Mounting a cgroup v1 hierarchy to set release_agent (CVE-2022-0492) must fail: no "
            "CAP_SYS_ADMIN and the filter refuse it.");
    bx_require();
    bx_expect_kv("mount-cgroup", "EPERM", "run", "--rootfs", mb_rootfs, "probe", "syscall",
                 "mount-cgroup", NULL);
}

/* Lesson: on step 09 the mount works (the probe unmounts it at once and
 * never touches release_agent). */
void test_lesson_step09_cgroup_v1_mount_succeeds(void **state)
{
    struct mb_result r;
    char v[256];
    const char *step09;

    (void)state;
    mb_hint("Lesson: step 09 keeps CAP_SYS_ADMIN, so the release_agent mount works there (this "
            "test expects it to).");
    step09 = bx_require_step09();
    bx_host_probe(&r, "syscall mount-cgroup");
    if (strncmp(mb_kv(r.out, "cgroup_hierarchy", v, sizeof(v)), "none,name=mbprobe", 17) == 0)
        mb_skip("this host has no cgroup v1 hierarchy: there is no release_agent to reach");
    mb_result_free(&r);
    bx_expect_kv_with(step09, "mount-cgroup", "ok", "run", "--rootfs", mb_rootfs, "probe",
                      "syscall", "mount-cgroup", NULL);
}
