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

#include "config.h"
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
        "",      "/srv",        "/srv:",     ":/data",      "srv:/data", "/srv:data",
        "/srv:/", "/srv:/a:rx", "/srv:/../etc", "/srv:/a/../../etc", "/srv:/a:ro:x",
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
    assert_int_equal(signals_exit_status(7 << 8), 7);  /* exited 7 */
    assert_int_equal(signals_exit_status(9), 137);     /* killed by SIGKILL */
    assert_int_equal(signals_exit_status(15), 143);    /* killed by SIGTERM */
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
    };

    return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
