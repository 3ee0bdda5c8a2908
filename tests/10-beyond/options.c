/*
 * run options of the full engine: the environment (-e, --env-file), the
 * working directory (-w), the user (-u), a read-only root (--read-only) and
 * tmpfs mounts (--tmpfs). Bad values fail as every bad input does: exit
 * 125, one line on stderr, nothing left behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beyond.h"

void test_env_sets_and_passes_variables(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("-e NAME=VALUE sets a variable, -e NAME passes the caller's value; both after the "
            "default environment.");
    bx_require();
    setenv("MB_FROM_CALLER", "caller value", 1);
    unsetenv("MB_NOT_SET");
    mb_run(&r, NULL, "run", "-e", "GREETING=hello world", "--env", "EQUALS=a=b", "-e",
           "EMPTY=", "-e", "MB_FROM_CALLER", "-e", "MB_NOT_SET", "-e", "PATH=/bin", "--rootfs",
           mb_rootfs, "probe", "env", "GREETING", "EQUALS", "EMPTY", "MB_FROM_CALLER", "MB_NOT_SET",
           "PATH", "HOME", NULL);
    unsetenv("MB_FROM_CALLER");
    assert_int_equal(r.status, 0);
    bx_assert_kv(&r, "env.GREETING", "hello world");
    bx_assert_kv(&r, "env.EQUALS", "a=b");
    if (!mb_contains(r.out, "env.EMPTY=\n"))
        fail_msg("-e EMPTY= did not set an empty variable: %s", r.out);
    bx_assert_kv(&r, "env.MB_FROM_CALLER", "caller value"); /* -e NAME: the caller's value */
    bx_assert_kv(&r, "unset.MB_NOT_SET", "1");              /* ... dropped when it has none */
    bx_assert_kv(&r, "env.PATH", "/bin");                   /* -e wins over the default */
    bx_assert_kv(&r, "env.HOME", "/root");                  /* defaults still fill the rest */
    mb_result_free(&r);
}

void test_env_file_is_read(void **state)
{
    char path[4300];
    struct mb_result r;
    FILE *f;

    (void)state;
    mb_hint("--env-file reads NAME=VALUE lines (comments and blank lines skipped) as -e does.");
    bx_require();
    snprintf(path, sizeof(path), "%s/app.env", mb_tmp);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("# a comment\n\nFROM_FILE=file value\nURL=http://x/?a=b\n  # indented comment\n"
          "OVERRIDDEN=from file\n",
          f);
    fclose(f);
    /* -e after --env-file wins, as in Docker. */
    mb_run(&r, NULL, "run", "--env-file", path, "-e", "OVERRIDDEN=from -e", "--rootfs", mb_rootfs,
           "probe", "env", "FROM_FILE", "URL", "OVERRIDDEN", NULL);
    assert_int_equal(r.status, 0);
    bx_assert_kv(&r, "env.FROM_FILE", "file value");
    bx_assert_kv(&r, "env.URL", "http://x/?a=b");
    bx_assert_kv(&r, "env.OVERRIDDEN", "from -e");
    if (mb_contains(r.out, "comment"))
        fail_msg("a comment line became a variable: %s", r.out);
    mb_result_free(&r);
}

void test_workdir_is_created_and_used(void **state)
{
    char made[4300], cmd[4400];

    (void)state;
    mb_hint("-w DIR is made with its parents inside the root (as mkdir -p) and is the command's "
            "working directory.");
    bx_require();
    snprintf(made, sizeof(made), "%s/mbtest-workdir", mb_rootfs);
    bx_expect_kv("cwd", "/mbtest-workdir/a/b", "run", "-w", "/mbtest-workdir/a/b", "--rootfs",
                 mb_rootfs, "probe", NULL);
    bx_expect_kv("cwd", "/etc", "run", "--workdir", "/etc", "--rootfs", mb_rootfs, "probe", NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", made);
    assert_int_equal(system(cmd), 0);
}

/* -u: numbers as they are; names looked up in the container's /etc/passwd
 * and /etc/group (never the host's); supplementary groups are none of
 * root's. */
void test_user_by_number_and_by_name(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("-u resolves a name in the container's /etc/passwd and /etc/group, then setgroups, "
            "setgid, setuid before execve.");
    bx_require();
    mb_run(&r, NULL, "run", "-u", "1234:5678", "--rootfs", mb_rootfs, "probe", NULL);
    bx_assert_kv(&r, "uid", "1234");
    bx_assert_kv(&r, "euid", "1234");
    bx_assert_kv(&r, "gid", "5678");
    if (mb_contains(r.out, "groups=0"))
        fail_msg("the user kept root's group: %s", r.out);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--user", "nobody", "--rootfs", mb_rootfs, "probe", NULL);
    bx_assert_kv(&r, "uid", "65534");
    bx_assert_kv(&r, "gid", "65534"); /* the passwd entry's group */
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "-u", "nobody:tty", "--rootfs", mb_rootfs, "probe", NULL);
    bx_assert_kv(&r, "uid", "65534");
    bx_assert_kv(&r, "gid", "5");
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "-u", "0", "--rootfs", mb_rootfs, "probe", NULL);
    bx_assert_kv(&r, "uid", "0");
    mb_result_free(&r);
}

/* --read-only: the root cannot be written (a compromised service cannot
 * plant a binary for the next start); /proc, /dev, volumes and --tmpfs
 * keep their own flags. */
void test_read_only_root_keeps_proc_dev_volumes_and_tmpfs_writable(void **state)
{
    char dir[4300], spec[4400], file[4400];
    struct mb_result r;

    (void)state;
    mb_hint("--read-only remounts the root read-only after the other mounts: /proc, /dev, volumes "
            "and tmpfs stay as they were.");
    bx_require();
    snprintf(dir, sizeof(dir), "%s/ro-volume", mb_tmp);
    mkdir(dir, 0755);
    snprintf(spec, sizeof(spec), "%s:/data", dir);
    mb_run(&r, NULL, "run", "--read-only", "-v", spec, "--tmpfs", "/scratch", "--rootfs", mb_rootfs,
           "sh", "-c",
           "probe write /etc/planted x; probe stat /; "
           "echo $(probe write /data/ok x) $(probe write /scratch/ok x) "
           "$(probe write /dev/shm/ok x) $(probe write /proc/self/comm x) | sed 's/ /,/g; "
           "s/^/others=/'",
           NULL);
    assert_int_equal(r.status, 0);
    bx_assert_kv(&r, "write", "EROFS");
    bx_assert_kv(&r, "statfs_ro", "1");
    bx_assert_kv(&r, "others", "write=ok,write=ok,write=ok,write=ok");
    mb_result_free(&r);
    snprintf(file, sizeof(file), "%s/etc/planted", mb_rootfs);
    assert_false(bx_exists(file));
    snprintf(file, sizeof(file), "%s/ok", dir);
    assert_true(bx_exists(file));
    /* Without --read-only the root is writable (the test can tell). */
    bx_expect_kv("statfs_ro", "0", "run", "--rootfs", mb_rootfs, "probe", "stat", "/", NULL);
}

static int has_option(const char *opts, const char *want)
{
    char buf[512], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", opts);
    for (char *o = strtok_r(buf, ",", &save); o != NULL; o = strtok_r(NULL, ",", &save))
        if (strcmp(o, want) == 0)
            return 1;
    return 0;
}

/* The mount options of `path` in the output of `probe mounts`. */
static const char *mount_options(const char *out, const char *path, char *buf, size_t len)
{
    char want[256];
    const char *line;

    buf[0] = '\0';
    snprintf(want, sizeof(want), "mount=%s tmpfs ", path);
    line = strstr(out, want);
    if (line != NULL)
        snprintf(buf, len, "%.*s", (int)strcspn(line + strlen(want), "\n"), line + strlen(want));
    return buf;
}

void test_tmpfs_default_and_given_options(void **state)
{
    static const char *const defaults[] = {"rw", "nosuid", "nodev", "noexec"};
    char opts[512];
    struct mb_result r;

    (void)state;
    mb_hint("--tmpfs DIR[:OPTIONS] mounts a tmpfs with nosuid,nodev,noexec defaults, or the "
            "options given.");
    bx_require();
    mb_run(&r, NULL, "run", "--tmpfs", "/scratch", "--rootfs", mb_rootfs, "probe", "mounts", NULL);
    assert_int_equal(r.status, 0);
    if (mount_options(r.out, "/scratch", opts, sizeof(opts))[0] == '\0')
        fail_msg("no tmpfs at /scratch: %s", r.out);
    for (size_t i = 0; i < 4; i++)
        if (!has_option(opts, defaults[i]))
            fail_msg("--tmpfs /scratch lacks %s: %s", defaults[i], opts);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--tmpfs", "/scratch:size=1m,mode=1777", "--rootfs", mb_rootfs, "probe",
           "stat", "/scratch", NULL);
    bx_assert_kv(&r, "statfs_type", "0x1021994");
    bx_assert_kv(&r, "statfs_bytes", "1048576");
    bx_assert_kv(&r, "stat_mode", "1777");
    mb_result_free(&r);
    /* A file written there is not in the rootfs after the run. */
    mb_run(&r, NULL, "run", "--tmpfs", "/tmp", "--rootfs", mb_rootfs, "sh", "-c",
           "echo x > /tmp/mbtest-tmpfs-file", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    {
        char file[4300];
        snprintf(file, sizeof(file), "%s/tmp/mbtest-tmpfs-file", mb_rootfs);
        if (bx_exists(file)) {
            unlink(file);
            fail_msg("a write below --tmpfs /tmp landed in the rootfs");
        }
    }
}

void test_bad_run_options_are_refused(void **state)
{
    char missing[4300];
    const char *bad[][2] = {
        {"-e", "=value"},
        {"--env-file", missing},
        {"-w", "relative/dir"},
        {"-u", "no-such-user"},
        {"-u", "nobody:no-such-group"},
        {"--tmpfs", "relative"},
        {"--tmpfs", "/x:no-such-option"},
    };
    struct mb_result r;

    (void)state;
    mb_hint("Every run option is checked in the parent: a bad one exits 125 with one line and "
            "leaves nothing.");
    bx_require();
    snprintf(missing, sizeof(missing), "%s/no-such.env", mb_tmp);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mb_run(&r, NULL, "run", bad[i][0], bad[i][1], "--rootfs", mb_rootfs, "probe", NULL);
        if (r.status != 125)
            fail_msg("'%s %s' was not refused: exit %d %s", bad[i][0], bad[i][1], r.status, r.err);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
    }
    mb_assert_nothing_leaked();
    /* Good values run (a binary without the options refuses all of them). */
    bx_expect_kv("env.A", "1", "run", "-e", "A=1", "--rootfs", mb_rootfs, "probe", "env", "A",
                 NULL);
}

/* -e as often as one likes: all 300 variables reach the command (the
 * environment was once a fixed array that kept 250 and dropped the rest). */
void test_env_hundreds_of_variables_all_arrive(void **state)
{
    static char vars[300][16];
    char *argv[700];
    struct mb_result r;
    int n = 0;

    (void)state;
    mb_hint("The environment is built without a fixed limit: every -e reaches the command.");
    bx_require();
    argv[n++] = "run";
    for (int i = 0; i < 300; i++) {
        snprintf(vars[i], sizeof(vars[i]), "V%d=%d", i + 1, i + 1);
        argv[n++] = "-e";
        argv[n++] = vars[i];
    }
    argv[n++] = "--rootfs";
    argv[n++] = (char *)mb_rootfs;
    argv[n++] = "sh";
    argv[n++] = "-c";
    argv[n++] = "env | grep -c '^V[0-9]*='; echo last=$V300";
    argv[n] = NULL;
    mb_run_argv(&r, NULL, argv);
    if (r.status != 0 || strcmp(r.out, "300\nlast=300\n") != 0)
        fail_msg("run with 300 -e: expected all 300 variables, got '%s' (status %d, err '%s')",
                 r.out, r.status, r.err);
    mb_result_free(&r);
}

/* -u USER who is in 70 groups of the container's /etc/group gets all 70
 * (a fixed array once kept 64). */
void test_user_in_many_groups_gets_them_all(void **state)
{
    char passwd[4300], group[4300], vol_passwd[8700], vol_group[8700];
    struct mb_result r;
    FILE *f;

    (void)state;
    mb_hint("-u USER gets every group of the container's /etc/group that lists the user, however "
            "many.");
    bx_require();
    snprintf(passwd, sizeof(passwd), "%s/many-groups.passwd", mb_tmp);
    snprintf(group, sizeof(group), "%s/many-groups.group", mb_tmp);
    f = fopen(passwd, "w");
    assert_non_null(f);
    fputs("root:x:0:0:root:/root:/bin/sh\nbx:x:4242:4242::/tmp:/bin/sh\n", f);
    fclose(f);
    f = fopen(group, "w");
    assert_non_null(f);
    fputs("root:x:0:\nbx:x:4242:\n", f);
    for (int i = 0; i < 70; i++)
        fprintf(f, "g%d:x:%d:someone,bx\n", i, 5000 + i);
    fclose(f);
    snprintf(vol_passwd, sizeof(vol_passwd), "%s:/etc/passwd:ro", passwd);
    snprintf(vol_group, sizeof(vol_group), "%s:/etc/group:ro", group);
    mb_run(&r, NULL, "run", "-v", vol_passwd, "-v", vol_group, "-u", "bx", "--rootfs", mb_rootfs,
           "sh", "-c", "id -G | wc -w; id -G | tr ' ' '\\n' | grep -c '^50[0-9][0-9]$'", NULL);
    if (r.status != 0 || strcmp(r.out, "71\n70\n") != 0)
        fail_msg("-u bx (in 70 groups): expected its gid and 70 groups, got '%s' (status %d, "
                 "err '%s')",
                 r.out, r.status, r.err);
    mb_result_free(&r);
}
