/*
 * Suite 08-layers: images as layers. An imported image runs under
 * overlayfs; writes and deletions stay in the container's upper layer; commit
 * turns them into a new layer; hostile archives are refused with nothing
 * written outside the store.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbtest.h"

static char tarball[4300];

static void sh(const char *fmt, const char *a, const char *b)
{
    char cmd[16384];

    snprintf(cmd, sizeof(cmd), fmt, a, b);
    if (system(cmd) != 0)
        fail_msg("setup command failed: %s", cmd);
}

static void require_layers(void)
{
    mb_require(CLONE_NEWNS | CLONE_NEWPID);
    if (system("grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null") != 0)
        mb_skip("overlayfs is not available (modprobe overlay)");
}

/* The test rootfs as a plain tarball, imported as "base". */
static void import_base(void)
{
    struct mb_result r;

    snprintf(tarball, sizeof(tarball), "%s/rootfs.tar", mb_tmp);
    if (access(tarball, F_OK) != 0)
        sh("tar -C '%s' -cf '%s' .", mb_rootfs, tarball);
    mb_run(&r, NULL, "image", "import", tarball, "base", NULL);
    if (r.status != 0)
        fail_msg("image import failed (%d): %s", r.status, r.err);
    assert_true(strncmp(r.out, "sha256:", 7) == 0);
    mb_result_free(&r);
}

static void test_import_and_run_an_image(void **state)
{
    struct mb_result r;

    (void)state;
    require_layers();
    import_base();
    mb_run(&r, NULL, "images", NULL);
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(r.out, "base:latest"));
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rm", "base", "cat", "/etc/minibox-rootfs", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "minibox test rootfs\n");
    mb_result_free(&r);
    /* The root is an overlay mount. */
    mb_run(&r, NULL, "run", "--rm", "base", "probe", "mounts", NULL);
    assert_true(mb_contains(r.out, "mount=/ overlay "));
    mb_result_free(&r);
}

/* Writes and deletions land in the container's layer: the next container
 * from the same image sees it pristine. */
static void test_writes_never_change_the_image(void **state)
{
    struct mb_result r;

    (void)state;
    require_layers();
    import_base();
    mb_run(&r, NULL, "run", "--rm", "base", "sh", "-c",
           "echo changed > /etc/minibox-rootfs && rm /bin/vi && ls /bin/vi", NULL);
    assert_int_not_equal(r.status, 0); /* vi is gone in this container */
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rm", "base", "sh", "-c", "cat /etc/minibox-rootfs; ls /bin/vi",
           NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "minibox test rootfs\n/bin/vi\n");
    mb_result_free(&r);
}

/* Without --rm the container and its layer stay; commit makes an image of
 * them, whose deletions are whiteouts; rmi is refused while it is used. */
static void test_commit_then_run(void **state)
{
    struct mb_result r;

    (void)state;
    require_layers();
    import_base();
    mb_run(&r, NULL, "run", "--name", "builder", "base", "sh", "-c",
           "echo app > /app.txt && rm /bin/ed", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_run(&r, NULL, "commit", "builder", "app:v1", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rm", "app:v1", "sh", "-c", "cat /app.txt; ls /bin/ed", NULL);
    assert_string_equal(r.out, "app\n");
    assert_int_not_equal(r.status, 0);
    mb_result_free(&r);

    mb_run(&r, NULL, "rmi", "base", NULL);
    mb_assert_usage_error(&r); /* the builder container uses it */
    assert_true(mb_contains(r.err, "used by"));
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "builder", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_run(&r, NULL, "rmi", "app:v1", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

static void test_two_containers_from_one_image(void **state)
{
    struct mb_proc a, b;

    (void)state;
    require_layers();
    import_base();
    mb_spawn(&a, "run", "--rm", "base", "probe", "hold", NULL);
    mb_spawn(&b, "run", "--rm", "base", "probe", "hold", NULL);
    mb_expect_line(&a, "ready", 20000);
    mb_expect_line(&b, "ready", 20000);
    assert_int_equal(mb_finish(&a, 10000), 0);
    assert_int_equal(mb_finish(&b, 10000), 0);
    mb_assert_nothing_leaked();
}

/* An archive entry that points outside the layer is refused and nothing
 * is written outside. */
static void check_hostile(const char *kind, const char *python)
{
    char file[4300], escaped[4300], cmd[8192];
    struct mb_result r;
    struct stat st;

    snprintf(file, sizeof(file), "%s/%s.tar", mb_tmp, kind);
    snprintf(escaped, sizeof(escaped), "%s/escaped-%s", mb_tmp, kind);
    snprintf(cmd, sizeof(cmd),
             "python3 - '%s' '%s' <<'PY'\n"
             "import io, sys, tarfile\n"
             "out, escaped = sys.argv[1], sys.argv[2]\n"
             "t = tarfile.open(out, 'w')\n"
             "def add(name, data=b'pwned', kind=tarfile.REGTYPE, link=''):\n"
             "    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link\n"
             "    i.size = len(data) if kind == tarfile.REGTYPE else 0\n"
             "    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)\n"
             "%s\n"
             "t.close()\n"
             "PY",
             file, escaped, python);
    if (system(cmd) != 0)
        mb_skip("python3 is needed to build hostile archives");
    mb_run(&r, NULL, "image", "import", file, kind, NULL);
    if (r.status != 125)
        fail_msg("hostile archive (%s) was not refused: exit %d", kind, r.status);
    assert_int_equal(mb_count_lines(r.err), 1);
    mb_result_free(&r);
    if (stat(escaped, &st) == 0)
        fail_msg("the hostile archive (%s) wrote %s outside the store", kind, escaped);
}

static void test_hostile_archives_are_refused(void **state)
{
    char depth[4096] = "";

    (void)state;
    require_layers();
    /* enough ../ to climb from <root>/tmp/layer-X to / */
    for (int i = 0; i < 32; i++)
        strcat(depth, "../");
    {
        char dotdot[8192], abs[8192];
        snprintf(dotdot, sizeof(dotdot), "add('%s' + escaped.lstrip('/'))", depth);
        check_hostile("dotdot", dotdot);
        snprintf(abs, sizeof(abs), "add(escaped)");
        check_hostile("absolute", abs);
    }
    /* a symlink to the outside, then a file through it */
    check_hostile("symlink", "import os\n"
                             "add('out', kind=tarfile.SYMTYPE, link=os.path.dirname(escaped))\n"
                             "add('out/' + os.path.basename(escaped))");
    mb_assert_nothing_leaked();
}

static void test_bad_image_input_is_125(void **state)
{
    char missing[4300];
    struct mb_result r;

    (void)state;
    snprintf(missing, sizeof(missing), "%s/no-such.tar", mb_tmp);
    mb_run(&r, NULL, "run", "no-such-image", "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "image", "import", missing, NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "rmi", "no-such-image", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "no-such-container", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_and_run_an_image),
        cmocka_unit_test(test_writes_never_change_the_image),
        cmocka_unit_test(test_commit_then_run),
        cmocka_unit_test(test_two_containers_from_one_image),
        cmocka_unit_test(test_hostile_archives_are_refused),
        cmocka_unit_test(test_bad_image_input_is_125),
        cmocka_unit_test(mb_test_nothing_leaked),
    };

    return cmocka_run_group_tests_name("08-layers", tests, mb_group_setup, mb_group_teardown);
}
