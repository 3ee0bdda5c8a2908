/*
 * Unit tests of the engine's pure functions, linked against final/src.
 * Fixtures are real lines from v1, v2 and hybrid hosts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_devices.h"
#include "cgroup_layout.h"
#include "config.h"
#include "resource_limits.h"
#include "ids.h"
#include "mountinfo.h"
#include "signals.h"
#include "volumes.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "commands.h"
#include "seccomp.h"
#include "util.h"

static void test_mountinfo_parses_cgroup_v1_line(void **state)
{
    char line[] = "35 26 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - "
                  "cgroup cgroup rw,memory\n";
    struct mountinfo_entry e;

    (void)state;
    assert_int_equal(mountinfo_parse_line(line, &e), 0);
    assert_string_equal(e.mount_point, "/sys/fs/cgroup/memory");
    assert_string_equal(e.fstype, "cgroup");
    assert_string_equal(e.super_options, "rw,memory");
    assert_true(mount_options_have(e.super_options, "memory"));
    assert_false(mount_options_have(e.super_options, "mem"));
}

static void test_mountinfo_parses_v2_without_optional_fields(void **state)
{
    char line[] = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 "
                  "rw,nsdelegate,memory_recursiveprot";
    struct mountinfo_entry e;

    (void)state;
    assert_int_equal(mountinfo_parse_line(line, &e), 0);
    assert_string_equal(e.mount_point, "/sys/fs/cgroup");
    assert_string_equal(e.fstype, "cgroup2");
    assert_true(mount_options_have(e.super_options, "nsdelegate"));
}

static void test_mountinfo_parses_several_optional_fields(void **state)
{
    char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root "
                  "rw,errors=continue";
    struct mountinfo_entry e;

    (void)state;
    assert_int_equal(mountinfo_parse_line(line, &e), 0);
    assert_string_equal(e.root, "/mnt1");
    assert_string_equal(e.fstype, "ext3");
    assert_string_equal(e.source, "/dev/root");
}

static void test_mountinfo_decodes_escapes(void **state)
{
    char line[] = "40 1 0:5 / /mnt/with\\040space rw - tmpfs tmp\\134fs rw";
    struct mountinfo_entry e;

    (void)state;
    assert_int_equal(mountinfo_parse_line(line, &e), 0);
    assert_string_equal(e.mount_point, "/mnt/with space");
    assert_string_equal(e.source, "tmp\\fs");
}

static void test_mountinfo_rejects_truncated_lines(void **state)
{
    char no_separator[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw";
    char too_short[] = "36 35 98:0 /mnt1";
    char empty[] = "";
    struct mountinfo_entry e;

    (void)state;
    assert_int_equal(mountinfo_parse_line(no_separator, &e), -1);
    assert_int_equal(mountinfo_parse_line(too_short, &e), -1);
    assert_int_equal(mountinfo_parse_line(empty, &e), -1);
}

static void test_volume_parse_accepts_good_specs(void **state)
{
    struct volume v;
    mb_error err;

    (void)state;
    assert_int_equal(volume_parse("/srv/data:/data", &v, &err), 0);
    assert_string_equal(v.source, "/srv/data");
    assert_string_equal(v.target, "/data");
    assert_false(v.readonly);
    volume_free(&v);
    assert_int_equal(volume_parse("/srv:/mnt/x:ro", &v, &err), 0);
    assert_string_equal(v.target, "/mnt/x");
    assert_true(v.readonly);
    volume_free(&v);
    assert_int_equal(volume_parse("/srv:/mnt/x:rw", &v, &err), 0);
    assert_false(v.readonly);
    volume_free(&v);
}

static void test_volume_parse_refuses_bad_specs(void **state)
{
    static const char *const bad[] = {
        "",
        "/srv",
        "/srv:",
        ":/data",
        "srv:/data",
        "/srv:data",
        "/srv:/",
        "/srv:/a:rx",
        "/srv:/../etc",
        "/srv:/a/../../etc",
        "/srv:/a:ro:x",
    };
    struct volume v;
    mb_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (volume_parse(bad[i], &v, &err) == 0)
            fail_msg("volume spec '%s' was accepted", bad[i]);
        assert_int_equal(err.status, 125);
        assert_null(strchr(err.msg, '\n'));
    }
}

static void test_ids_are_64_hex_and_random(void **state)
{
    char a[MB_ID_LEN + 1], b[MB_ID_LEN + 1];
    mb_error err;

    (void)state;
    assert_int_equal(container_id_new(a, &err), 0);
    assert_int_equal(container_id_new(b, &err), 0);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_not_equal(a, b);
}

static void test_exit_status_mapping(void **state)
{
    (void)state;
    assert_int_equal(signals_exit_status(7 << 8), 7); /* exited 7 */
    assert_int_equal(signals_exit_status(9), 137);    /* killed by SIGKILL */
    assert_int_equal(signals_exit_status(15), 143);   /* killed by SIGTERM */
}

static void test_memory_sizes(void **state)
{
    static const struct {
        const char *text;
        uint64_t bytes;
    } good[] = {
        {"4M", 4ULL << 20}, {"64M", 64ULL << 20}, {"64m", 64ULL << 20},  {"64MB", 64ULL << 20},
        {"1G", 1ULL << 30}, {"512k", 0},          {"8192k", 8ULL << 20}, {"4194304", 4ULL << 20},
    };
    static const char *const bad[] = {
        "", "0", "-1", "64X", "M", "1.5G", "64MBs", "3M", "99999999999999999999G"};
    mb_error err;
    uint64_t v;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (good[i].bytes == 0) { /* below the 4M minimum */
            assert_int_equal(limits_parse_memory(good[i].text, &v, &err), -1);
            continue;
        }
        assert_int_equal(limits_parse_memory(good[i].text, &v, &err), 0);
        assert_int_equal(v, good[i].bytes);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (limits_parse_memory(bad[i], &v, &err) == 0)
            fail_msg("--memory '%s' was accepted", bad[i]);
        assert_true(strstr(err.msg, "at least 4M") != NULL);
    }
}

static void test_cpus_and_pids(void **state)
{
    mb_error err;
    long v;

    (void)state;
    assert_int_equal(limits_parse_cpus("0.5", 2, &v, &err), 0);
    assert_int_equal(v, 50000);
    assert_int_equal(limits_parse_cpus("2", 2, &v, &err), 0);
    assert_int_equal(v, 200000);
    assert_int_equal(limits_parse_cpus("0.01", 2, &v, &err), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(limits_parse_cpus("3", 2, &v, &err), -1);
    assert_true(strstr(err.msg, "0.01 to 2") != NULL);
    assert_int_equal(limits_parse_cpus("0", 2, &v, &err), -1);
    assert_int_equal(limits_parse_cpus("nan", 2, &v, &err), -1);
    assert_int_equal(limits_parse_cpus("0.5x", 2, &v, &err), -1);
    assert_int_equal(limits_parse_pids("32", &v, &err), 0);
    assert_int_equal(v, 32);
    assert_int_equal(limits_parse_pids("0", &v, &err), -1);
    assert_int_equal(limits_parse_pids("7up", &v, &err), -1);
}

static char *fixture(const char *layout, const char *file)
{
    char path[512];
    FILE *f;
    char *text = calloc(1, 65536);

    snprintf(path, sizeof(path), "%s/%s/%s", FIXTURES, layout, file);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(text);
    if (fread(text, 1, 65535, f) == 0)
        text[0] = '\0';
    fclose(f);
    return text;
}

static void parse_fixture(const char *name, struct cgroup_layout *layout)
{
    char *mi = fixture(name, "mountinfo"), *cg = fixture(name, "cgroup"),
         *ctl = fixture(name, "controllers");
    mb_error err;

    assert_int_equal(cgroup_layout_parse(mi, cg, ctl, layout, &err), 0);
    free(mi);
    free(cg);
    free(ctl);
}

static void test_layout_hybrid(void **state)
{
    struct cgroup_layout l;

    (void)state;
    parse_fixture("hybrid", &l);
    assert_string_equal(l.name, "hybrid");
    assert_string_equal(l.v2_mount, "/sys/fs/cgroup/unified");
    assert_int_equal(l.controllers[CG_MEMORY].version, 1);
    assert_string_equal(l.controllers[CG_MEMORY].mount, "/sys/fs/cgroup/memory");
    assert_string_equal(l.controllers[CG_MEMORY].own,
                        "/process_api/a0afd2fad223c42461a843aa81a83c33");
    assert_int_equal(l.controllers[CG_CPU].version, 1);
    assert_string_equal(l.controllers[CG_CPU].mount, "/sys/fs/cgroup/cpu");
    assert_string_equal(l.controllers[CG_PIDS].own, "/");
}

static void test_layout_v2(void **state)
{
    struct cgroup_layout l;

    (void)state;
    parse_fixture("v2", &l);
    assert_string_equal(l.name, "v2");
    /* no devices controller on v2: a device program instead */
    assert_int_equal(l.controllers[CG_DEVICES].version, 0);
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
        if (c == CG_DEVICES)
            continue;
        assert_int_equal(l.controllers[c].version, 2);
        assert_string_equal(l.controllers[c].mount, "/sys/fs/cgroup");
        assert_string_equal(l.controllers[c].own, "/user.slice/user-1000.slice/session-3.scope");
    }
}

static void test_layout_v2_without_delegation(void **state)
{
    char *mi = fixture("v2", "mountinfo"), *cg = fixture("v2", "cgroup");
    struct cgroup_layout l;
    mb_error err;

    (void)state;
    assert_int_equal(cgroup_layout_parse(mi, cg, "cpuset cpu io", &l, &err), 0);
    assert_int_equal(l.controllers[CG_CPU].version, 2);
    assert_int_equal(l.controllers[CG_MEMORY].version, 0);
    assert_int_equal(l.controllers[CG_PIDS].version, 0);
    free(mi);
    free(cg);
}

static void test_layout_v1_comounted(void **state)
{
    struct cgroup_layout l;

    (void)state;
    parse_fixture("v1", &l);
    assert_string_equal(l.name, "v1");
    assert_string_equal(l.controllers[CG_CPU].mount, "/sys/fs/cgroup/cpu,cpuacct");
    assert_string_equal(l.controllers[CG_CPU].own, "/user.slice");
    assert_string_equal(l.controllers[CG_PIDS].own, "/user.slice/user-1000.slice/session-2.scope");
    assert_int_equal(l.controllers[CG_MEMORY].version, 1);
    assert_string_equal(l.v2_mount, "");
}

/* Inside a cgroup namespace the mount's root is the namespace root. */
static void test_layout_strips_mount_root(void **state)
{
    const char *mi = "40 30 0:34 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
    const char *cg = "7:memory:/docker/abc/inner\n";
    struct cgroup_layout l;
    mb_error err;

    (void)state;
    assert_int_equal(cgroup_layout_parse(mi, cg, "", &l, &err), 0);
    assert_string_equal(l.controllers[CG_MEMORY].own, "/inner");
}

/* ---- device rules ----------------------------------------------------- */

static void test_device_rule_parse_and_format(void **state)
{
    static const char *const good[] = {"c 1:3 rwm", "b *:* m", "c 136:* rwm", "c 1:11 r", "a"};
    struct device_rule r;
    char text[64];
    mb_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(device_rule_parse(good[i], true, &r, &err), 0);
        device_rule_format(&r, text, sizeof(text));
        assert_string_equal(text, good[i]);
    }
    assert_int_equal(device_rule_parse("c 1:3", false, &r, &err), 0);
    assert_int_equal(r.access, DEVICE_RWM);
    assert_false(r.allow);
    assert_int_equal(device_rule_parse("b *:5 w", true, &r, &err), 0);
    assert_int_equal(r.type, 'b');
    assert_int_equal(r.major, DEVICE_ANY);
    assert_int_equal(r.minor, 5);
    assert_int_equal(r.access, DEVICE_WRITE);
    static const char *const bad[] = {"",       "x 1:3 rwm", "c 1:3 rwx", "c 1:3 rr", "c 1 rwm",
                                      "c 1:3 ", "c a:3 r",   "c 1:3:4",   "c1:3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(device_rule_parse(bad[i], true, &r, &err), -1);
    /* the default list: deny all first, the allowed nodes after */
    assert_int_equal(device_rules_default[0].type, 'a');
    assert_false(device_rules_default[0].allow);
}

/* A hierarchy under a later mount (a tmpfs over /sys/fs/cgroup, as a
 * sandbox or a container runtime mounts) cannot be reached: not used. */
static void test_layout_skips_covered_mounts(void **state)
{
    const char *mi = "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                     "38 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
                     "50 30 0:40 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                     "51 50 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
    const char *cg = "8:pids:/\n4:memory:/\n";
    struct cgroup_layout l;
    mb_error err;

    (void)state;
    assert_int_equal(cgroup_layout_parse(mi, cg, "", &l, &err), 0);
    assert_int_equal(l.controllers[CG_MEMORY].version, 1);
    assert_int_equal(l.controllers[CG_PIDS].version, 0);
    /* The same, hidden by a new sysfs over /sys (parent 22's mount). */
    mi = "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
         "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
         "38 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
         "60 22 0:50 / /sys rw - sysfs sysfs rw\n"
         "61 60 0:51 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
         "62 61 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
    assert_int_equal(cgroup_layout_parse(mi, cg, "", &l, &err), 0);
    assert_int_equal(l.controllers[CG_MEMORY].version, 1);
    assert_int_equal(l.controllers[CG_PIDS].version, 0);
}

/* ---- seccomp ---------------------------------------------------------- */

static bool programs_equal(const struct seccomp_program *a, const struct seccomp_program *b)
{
    return a->len == b->len && memcmp(a->filter, b->filter, a->len * sizeof(*a->filter)) == 0;
}

/* A fresh cache directory path (not yet created) under a private temp dir. */
static void make_cache_path(char *tmpl, size_t size, char *cache, size_t cache_size)
{
    snprintf(tmpl, size, "/tmp/mb-unit-seccomp-XXXXXX");
    assert_non_null(mkdtemp(tmpl));
    snprintf(cache, cache_size, "%s/cache", tmpl);
}

/* The single seccomp-*.bpf in dir: its path into out, its stat into st. */
static bool find_cache_file(const char *dir, char *out, size_t size, struct stat *st)
{
    char pattern[600];
    FILE *p;
    bool found;

    snprintf(pattern, sizeof(pattern), "ls %s/seccomp-*.bpf 2>/dev/null", dir);
    p = popen(pattern, "r");
    found = p && fgets(out, (int)size, p) != NULL;
    if (p)
        pclose(p);
    if (!found)
        return false;
    out[strcspn(out, "\n")] = '\0';
    return stat(out, st) == 0;
}

/* Does the program compare the architecture with `arch` somewhere? */
static bool program_checks_arch(const struct seccomp_program *p, uint32_t arch)
{
    for (unsigned int i = 0; i < p->len; i++)
        if (p->filter[i].code == (BPF_JMP | BPF_JEQ | BPF_K) && p->filter[i].k == arch)
            return true;
    return false;
}

static void test_seccomp_default_compiles(void **state)
{
    struct seccomp_program def, all;
    mb_error err;

    (void)state;
    assert_int_equal(seccomp_program_default(NULL, caps_default(), &def, &err), 0);
    assert_non_null(def.filter);
    assert_true(def.len > 10 && def.len <= BPF_MAXINSNS);
#ifdef __x86_64__
    /* The i386 entry (int 0x80) has its own numbers: filtered too. */
    assert_true(program_checks_arch(&def, AUDIT_ARCH_X86_64));
    assert_true(program_checks_arch(&def, AUDIT_ARCH_I386));
#endif
    /* More capabilities, more allowed calls: another program. */
    assert_int_equal(seccomp_program_default(NULL, caps_all(), &all, &err), 0);
    assert_false(programs_equal(&def, &all));
    seccomp_program_free(&def);
    seccomp_program_free(&all);
    assert_null(def.filter);
}

static void test_seccomp_cache_round_trip(void **state)
{
    char tmp[64], cache[128], file[600];
    struct seccomp_program ref, first, second;
    struct stat st1, st2, dir;
    mb_error err;

    (void)state;
    make_cache_path(tmp, sizeof(tmp), cache, sizeof(cache));
    assert_int_equal(seccomp_program_default(NULL, caps_default(), &ref, &err), 0);
    /* First run: creates the directory 0700 and stores the program. */
    assert_int_equal(seccomp_program_default(cache, caps_default(), &first, &err), 0);
    assert_int_equal(stat(cache, &dir), 0);
    assert_int_equal(dir.st_mode & 0777, 0700);
    assert_true(find_cache_file(cache, file, sizeof(file), &st1));
    assert_non_null(strstr(file, "/seccomp-"));
    assert_int_equal(strlen(strrchr(file, '/')), strlen("/seccomp-0123456789abcdef.bpf"));
    assert_int_equal(st1.st_mode & 0777, 0600);
    /* Second run: loads it (the file is not replaced) and gets the same. */
    assert_int_equal(seccomp_program_default(cache, caps_default(), &second, &err), 0);
    assert_true(find_cache_file(cache, file, sizeof(file), &st2));
    assert_int_equal(st1.st_ino, st2.st_ino);
    assert_true(programs_equal(&ref, &first));
    assert_true(programs_equal(&ref, &second));
    /* A mask that differs only in capabilities the profile ignores (KILL)
     * shares the file. */
    seccomp_program_free(&second);
    assert_int_equal(
        seccomp_program_default(cache, caps_default() & ~CAP_BIT(CAP_KILL), &second, &err), 0);
    assert_true(programs_equal(&ref, &second));
    assert_true(find_cache_file(cache, file, sizeof(file), &st2));
    assert_int_equal(st1.st_ino, st2.st_ino);
    seccomp_program_free(&ref);
    seccomp_program_free(&first);
    seccomp_program_free(&second);
    assert_int_equal(remove_tree(tmp), 0);
}

/* Write `len` bytes of junk over the cache file, or cut it short. */
static void damage_cache_file(const char *file, off_t cut)
{
    if (cut > 0) {
        assert_int_equal(truncate(file, cut), 0);
    } else {
        FILE *f = fopen(file, "r+");
        assert_non_null(f);
        fseek(f, 40, SEEK_SET); /* past the header: the instructions */
        fputs("garbage!", f);
        fclose(f);
    }
}

static void test_seccomp_corrupt_cache_is_rewritten(void **state)
{
    static const off_t cuts[] = {0, 7, 32 + 8 * 3};
    char tmp[64], cache[128], file[600];
    struct seccomp_program ref, prog;
    mb_error err;

    (void)state;
    make_cache_path(tmp, sizeof(tmp), cache, sizeof(cache));
    assert_int_equal(seccomp_program_default(cache, caps_default(), &ref, &err), 0);
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        struct stat before, after;
        assert_true(find_cache_file(cache, file, sizeof(file), &before));
        damage_cache_file(file, cuts[i]);
        assert_int_equal(seccomp_program_default(cache, caps_default(), &prog, &err), 0);
        assert_true(programs_equal(&ref, &prog));
        assert_true(find_cache_file(cache, file, sizeof(file), &after));
        assert_int_not_equal(before.st_ino, after.st_ino);
        assert_int_equal(after.st_size, 32 + ref.len * sizeof(struct sock_filter));
        seccomp_program_free(&prog);
    }
    seccomp_program_free(&ref);
    assert_int_equal(remove_tree(tmp), 0);
}

/* Whoever can write the cache chooses the filter: a file others may write
 * or another user owns is recompiled and replaced, and a directory others
 * may write is not used at all. */
static void test_seccomp_untrusted_cache_is_not_used(void **state)
{
    char tmp[64], cache[128], file[600];
    struct seccomp_program ref, prog;
    struct stat before, after;
    mb_error err;

    (void)state;
    make_cache_path(tmp, sizeof(tmp), cache, sizeof(cache));
    assert_int_equal(seccomp_program_default(cache, caps_default(), &ref, &err), 0);
    assert_true(find_cache_file(cache, file, sizeof(file), &before));

    assert_int_equal(chmod(file, 0666), 0);
    assert_int_equal(seccomp_program_default(cache, caps_default(), &prog, &err), 0);
    assert_true(programs_equal(&ref, &prog));
    assert_true(find_cache_file(cache, file, sizeof(file), &after));
    assert_int_not_equal(before.st_ino, after.st_ino);
    assert_int_equal(after.st_mode & 0777, 0600);
    seccomp_program_free(&prog);

    if (geteuid() == 0) {
        before = after;
        assert_int_equal(chown(file, 65534, 65534), 0);
        assert_int_equal(seccomp_program_default(cache, caps_default(), &prog, &err), 0);
        assert_true(find_cache_file(cache, file, sizeof(file), &after));
        assert_int_not_equal(before.st_ino, after.st_ino);
        assert_int_equal(after.st_uid, geteuid());
        seccomp_program_free(&prog);
    }

    assert_int_equal(unlink(file), 0);
    assert_int_equal(chmod(cache, 0777), 0);
    assert_int_equal(seccomp_program_default(cache, caps_default(), &prog, &err), 0);
    assert_true(programs_equal(&ref, &prog));
    assert_false(find_cache_file(cache, file, sizeof(file), &after));
    seccomp_program_free(&prog);
    seccomp_program_free(&ref);
    assert_int_equal(remove_tree(tmp), 0);
}

/* Exit codes of the filtered child: 0 all good, else the failed check. */
static int check_errno(long ret, int expected)
{
    return ret == -1 && errno == expected;
}

static int checks_without_sys_admin(int pipe_fd)
{
    pid_t pid;
    int status;

    if (!check_errno(unshare(CLONE_NEWUSER), EPERM))
        return 10;
    if (!check_errno(unshare(CLONE_NEWNS), EPERM))
        return 11;
    /* A target that does not exist: ENOENT if the filter let it through. */
    if (!check_errno(mount("none", "/nonexistent-mb-unit", "tmpfs", 0, NULL), EPERM))
        return 12;
    if (!check_errno(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
                     EPERM))
        return 13;
    if (!check_errno(syscall(SYS_add_key, "user", "mb-unit", "x", 1, KEY_SPEC_SESSION_KEYRING),
                     EPERM))
        return 14;
    if (!check_errno(syscall(SYS_clone3, NULL, 0), ENOSYS))
        return 15;
    pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(0);
    if (!(pid == -1 && errno == EPERM))
        return 16;
    if (!check_errno(personality(ADDR_NO_RANDOMIZE), EPERM))
        return 17;
    if (!check_errno(syscall(SYS_setns, 0, 0), EPERM))
        return 18;
    /* What ordinary programs do still works. */
    if (getpid() <= 0 || write(pipe_fd, "ok", 2) != 2 || personality(0xffffffff) < 0)
        return 20;
    pid = fork();
    if (pid == 0)
        _exit(7);
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 7)
        return 21;
    return 0;
}

static int checks_with_all_caps(int pipe_fd)
{
    (void)pipe_fd;
    if (unshare(CLONE_NEWUSER) < 0)
        return 30;
    if (check_errno(syscall(SYS_clone3, NULL, 0), ENOSYS))
        return 31;
    if (!check_errno(mount("none", "/nonexistent-mb-unit", "tmpfs", 0, NULL), ENOENT))
        return 32;
    return 0;
}

/* Fork, set no_new_privs, install the default program for `caps`, run the
 * checks; their result is the exit status. */
static int run_filtered(cap_mask caps, int (*checks)(int pipe_fd))
{
    struct seccomp_program prog;
    int fds[2], status;
    mb_error err;
    pid_t pid;

    assert_int_equal(seccomp_program_default(NULL, caps, &prog, &err), 0);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            _exit(2);
        if (seccomp_program_install(&prog, &err) < 0)
            _exit(3);
        _exit(checks(fds[1]));
    }
    /* The read end stays open until the child is gone: its write must not
     * meet SIGPIPE. */
    close(fds[1]);
    seccomp_program_free(&prog);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(fds[0]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_seccomp_default_filter_blocks_in_a_child(void **state)
{
    (void)state;
    assert_int_equal(run_filtered(caps_default(), checks_without_sys_admin), 0);
}

/* Only where this host lets us create a user namespace at all. */
static bool host_allows_userns(void)
{
    pid_t pid = fork();
    int status;

    if (pid == 0)
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

static void test_seccomp_all_caps_filter_allows_namespaces(void **state)
{
    (void)state;
    if (!host_allows_userns())
        skip();
    assert_int_equal(run_filtered(caps_all(), checks_with_all_caps), 0);
}

static void test_seccomp_oci_podman_profile(void **state)
{
    json_error_t jerr;
    json_t *config = json_load_file(FIXTURES "/podman-config.json", 0, &jerr);
    struct seccomp_program prog;
    mb_error err;

    (void)state;
    assert_non_null(config);
    assert_int_equal(seccomp_program_from_oci(
                         json_object_get(json_object_get(config, "linux"), "seccomp"), &prog, &err),
                     0);
    assert_non_null(prog.filter);
    assert_true(prog.len > 10);
    seccomp_program_free(&prog);
    json_decref(config);
}

static void test_seccomp_oci_accepts_and_refuses(void **state)
{
    static const struct {
        const char *json, *error; /* error NULL: accepted */
    } cases[] = {
        {"{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", NULL},
        /* Unknown names are skipped, rules repeating the default too. */
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\","
         "\"SCMP_ARCH_S390X\",\"SCMP_ARCH_NOSUCH\"],\"syscalls\":[{\"names\":[\"read\","
         "\"no_such_call\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"write\"],\"action\":"
         "\"SCMP_ACT_ERRNO\"},{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
         "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":2,\"op\":"
         "\"SCMP_CMP_EQ\"}]},{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
         "\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
         NULL},
        {"[]", "seccomp: the profile must be a JSON object"},
        {"{}", "seccomp: defaultAction must be a string"},
        {"{\"defaultAction\":\"SCMP_ACT_NOPE\"}",
         "seccomp: defaultAction 'SCMP_ACT_NOPE' is not an action"},
        {"{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}",
         "seccomp: defaultAction SCMP_ACT_NOTIFY is not supported"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":\"x\"}",
         "seccomp: defaultErrnoRet is not an errno number"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"x86_64\"]}",
         "seccomp: architectures[0] is not an SCMP_ARCH_ name"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}",
         "seccomp: syscalls must be an array"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
         "\"SCMP_ACT_ALLOW\"},{\"names\":[\"a\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"b\"],"
         "\"action\":\"SCMP_ACT_TRAP\"},{\"names\":[\"c\"],\"action\":\"X\"}]}",
         "seccomp: syscalls[3].action 'X' is not an action"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\",\"action\":"
         "\"SCMP_ACT_ALLOW\"}]}",
         "seccomp: syscalls[0].names must be an array of names"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",1],\"action\":"
         "\"SCMP_ACT_ALLOW\"}]}",
         "seccomp: syscalls[0].names[1] must be a string"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
         "\"SCMP_ACT_ERRNO\",\"errnoRet\":-1}]}",
         "seccomp: syscalls[0].errnoRet is not an errno number"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
         "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
         "seccomp: syscalls[0].args[0].index must be 0 to 5"},
        {"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
         "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_LIKE\"}]}]}",
         "seccomp: syscalls[0].args[0].op 'SCMP_CMP_LIKE' is not a comparison"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *profile = json_loads(cases[i].json, 0, NULL);
        struct seccomp_program prog;
        mb_error err = {0};
        int ret;

        assert_non_null(profile);
        ret = seccomp_program_from_oci(profile, &prog, &err);
        if (cases[i].error) {
            assert_int_equal(ret, -1);
            assert_string_equal(err.msg, cases[i].error);
            assert_null(prog.filter);
        } else {
            if (ret < 0)
                fail_msg("case %zu: %s", i, err.msg);
            assert_non_null(prog.filter);
        }
        seccomp_program_free(&prog);
        json_decref(profile);
    }
}

/* run's one parser (the client's, the daemon's, run's own): -d and -t are
 * found wherever they stand, grouped or after an option's value. */
static void test_run_parser_finds_detach_and_tty(void **state)
{
    static const struct {
        const char *args[12];
        bool detach, tty;
        const char *first; /* the IMAGE or COMMAND */
    } cases[] = {
        {{"run", "-e", "A=1", "-d", "img"}, true, false, "img"},
        {{"run", "-dp", "8080:80", "img"}, true, false, "img"},
        {{"run", "-w", "/x", "-t", "img", "sh"}, false, true, "img"},
        {{"run", "-it", "--name", "n", "img", "sh", "-d"}, false, true, "img"},
        {{"run", "-ti", "-v", "/a:/b", "-d", "--rootfs", "/r", "ls", "-t"}, true, true, "ls"},
        {{"run", "--detach", "-p", "1:2", "--tty", "img"}, true, true, "img"},
        {{"run", "-u", "1:2", "-m", "64M", "img", "-d"}, false, false, "img"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct run_args args;
        mb_error err = {0};
        int argc = 0;

        while (cases[i].args[argc] != NULL)
            argc++;
        if (run_args_parse(&args, argc, (char **)cases[i].args, &err) < 0)
            fail_msg("case %zu: %s", i, err.msg);
        assert_int_equal(args.cfg.detach, cases[i].detach);
        assert_int_equal(args.cfg.tty, cases[i].tty);
        assert_string_equal(args.argv[args.first], cases[i].first);
        run_args_free(&args);
    }
}

static void test_run_parser_keeps_every_value(void **state)
{
    char *argv[] = {"run",          "-e",     "A=1",     "--env", "B=2",   "-dp",
                    "8080:80",      "-p",     "9:9/udp", "-w",    "/work", "-v",
                    "/src:/dst:ro", "--name", "web",     "img",   NULL};
    struct run_args args;
    mb_error err = {0};

    (void)state;
    if (run_args_parse(&args, 16, argv, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(args.cfg.process.n_env, 2);
    assert_string_equal(args.cfg.process.env[0], "A=1");
    assert_string_equal(args.cfg.process.env[1], "B=2");
    assert_int_equal(args.cfg.net.n_ports, 2);
    assert_int_equal(args.cfg.net.ports[0].host_port, 8080);
    assert_true(args.cfg.net.ports[1].udp);
    assert_string_equal(args.cfg.process.workdir, "/work");
    assert_int_equal(args.cfg.n_volumes, 1);
    assert_true(args.cfg.volumes[0].readonly);
    assert_string_equal(args.cfg.name, "web");
    assert_string_equal(args.argv[args.first], "img");
    run_args_free(&args);
}

static void test_run_parser_refuses_bad_syntax(void **state)
{
    static const char *const cases[][6] = {
        {"run", "-p", NULL},                      /* a value is missing */
        {"run", "--no-such-option", "img", NULL}, /* unknown */
        {"run", "-d", NULL},                      /* no IMAGE or --rootfs */
        {"run", "--rootfs", "/r", NULL},          /* no command */
        {"run", "-v", "relative:/x", "img", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct run_args args;
        mb_error err = {0};
        int argc = 0;

        while (cases[i][argc] != NULL)
            argc++;
        assert_int_equal(run_args_parse(&args, argc, (char **)cases[i], &err), -1);
        assert_int_equal(err.status, MB_EXIT_FAILED);
        assert_true(err.msg[0] != '\0');
        run_args_free(&args);
    }
}

/* One table says what each verb is: the daemon serves the remote ones, the
 * OCI runtime's verbs never go there. */
static void test_verb_table(void **state)
{
    static const char *const remote[] = {"run",    "ps",    "stop", "kill",   "logs", "rm",
                                         "images", "image", "rmi",  "commit", "exec", "inspect"};
    static const char *const oci_only[] = {"create", "start",  "state",   "delete",
                                           "pause",  "resume", "features"};

    (void)state;
    for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
        const struct verb *v = verb_find(remote[i]);
        assert_non_null(v);
        assert_true(v->remote);
        assert_non_null(v->run);
    }
    for (size_t i = 0; i < sizeof(oci_only) / sizeof(oci_only[0]); i++) {
        const struct verb *v = verb_find(oci_only[i]);
        assert_non_null(v);
        assert_false(v->remote);
        assert_null(v->run);
        assert_non_null(v->oci);
    }
    assert_false(verb_find("daemon")->remote);
    assert_true(verb_find("create")->enters);
    assert_true(verb_find("run")->enters);
    assert_null(verb_find("no-such-verb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mountinfo_parses_cgroup_v1_line),
        cmocka_unit_test(test_mountinfo_parses_v2_without_optional_fields),
        cmocka_unit_test(test_mountinfo_parses_several_optional_fields),
        cmocka_unit_test(test_mountinfo_decodes_escapes),
        cmocka_unit_test(test_mountinfo_rejects_truncated_lines),
        cmocka_unit_test(test_volume_parse_accepts_good_specs),
        cmocka_unit_test(test_volume_parse_refuses_bad_specs),
        cmocka_unit_test(test_ids_are_64_hex_and_random),
        cmocka_unit_test(test_exit_status_mapping),
        cmocka_unit_test(test_memory_sizes),
        cmocka_unit_test(test_cpus_and_pids),
        cmocka_unit_test(test_layout_hybrid),
        cmocka_unit_test(test_layout_v2),
        cmocka_unit_test(test_device_rule_parse_and_format),
        cmocka_unit_test(test_layout_v2_without_delegation),
        cmocka_unit_test(test_layout_v1_comounted),
        cmocka_unit_test(test_layout_strips_mount_root),
        cmocka_unit_test(test_layout_skips_covered_mounts),
        cmocka_unit_test(test_seccomp_default_compiles),
        cmocka_unit_test(test_seccomp_cache_round_trip),
        cmocka_unit_test(test_seccomp_corrupt_cache_is_rewritten),
        cmocka_unit_test(test_seccomp_untrusted_cache_is_not_used),
        cmocka_unit_test(test_seccomp_default_filter_blocks_in_a_child),
        cmocka_unit_test(test_seccomp_all_caps_filter_allows_namespaces),
        cmocka_unit_test(test_seccomp_oci_podman_profile),
        cmocka_unit_test(test_seccomp_oci_accepts_and_refuses),
        cmocka_unit_test(test_run_parser_finds_detach_and_tty),
        cmocka_unit_test(test_run_parser_keeps_every_value),
        cmocka_unit_test(test_run_parser_refuses_bad_syntax),
        cmocka_unit_test(test_verb_table),
    };

    return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
