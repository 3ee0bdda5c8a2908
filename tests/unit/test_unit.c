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

#include "cgroup_layout.h"
#include "config.h"
#include "resource_limits.h"
#include "ids.h"
#include "mountinfo.h"
#include "signals.h"
#include "volumes.h"

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
    for (int c = 0; c < CG_N_CONTROLLERS; c++) {
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
        cmocka_unit_test(test_layout_v2_without_delegation),
        cmocka_unit_test(test_layout_v1_comounted),
        cmocka_unit_test(test_layout_strips_mount_root),
    };

    return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
