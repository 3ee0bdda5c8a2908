/*
 * oci_attacks.c - attacks on the OCI path (chapter 10), each a real attempt
 * that must fail: a pid file written through a planted symlink, a mask
 * bound from the image's own /dev/null, a device node put on the host
 * through the image's /dev, a sysctl of the whole host, and a host
 * directory held by `exec --pid-file` across the join. The image is a copy
 * of MB_ROOTFS the test may plant things in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "mbtest.h"
#include "oci.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* `minibox create` with extra options, its stdio (which the container
 * keeps) on files of out; its status. */
static int create_with(const char *dir, const char *id, const char *out, const char *options)
{
    char cmd[16000];
    int status;

    snprintf(cmd, sizeof(cmd),
             "'%s' --root '%s' create --bundle '%s' %s '%s' </dev/null >'%s/create.out' "
             "2>'%s/create.err'",
             mb_minibox, mb_state, dir, options, id, out, out);
    status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect_text(const char *path, const char *want)
{
    char text[512];

    oci_read_text(path, text, sizeof(text));
    if (strcmp(text, want) != 0)
        fail_msg("%s was written: it holds '%s', not '%s'", path, text, want);
}

/* A copy of the test rootfs, at out/image, to plant things in; root.path
 * of the bundle's config pointed at it. */
static void own_image(const char *dir, const char *out, char *image, size_t len)
{
    char cmd[9000], path[4300];
    json_t *config;

    snprintf(image, len, "%s/image", out);
    snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", mb_rootfs, image);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_load_file(path, 0, NULL);
    assert_non_null(config);
    oci_config_set(config, "root.path", json_string(image));
    assert_int_equal(json_dump_file(config, path, 0), 0);
    json_decref(config);
}

/* Drop the config's /dev mount: the image's own /dev is the container's. */
static void edit_no_dev(json_t *config, const char *out)
{
    json_t *mounts = json_object_get(config, "mounts"), *m;
    size_t i;

    (void)out;
    json_array_foreach (mounts, i, m) {
        if (strcmp(json_string_value(json_object_get(m, "destination")), "/dev") == 0) {
            json_array_remove(mounts, i);
            break;
        }
    }
    for (i = 0; i < json_array_size(mounts); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(mounts, i), "destination")),
                   "/dev/pts") == 0)
            json_array_remove(mounts, i);
}

void test_oci_pid_file_is_not_written_through_a_symlink(void **state)
{
    char dir[4200], out[4200], id[64], pids[4300], path[4400], victim[4400], pid[32];
    struct mb_result r;
    struct stat st;

    (void)state;
    mb_hint("create and exec write --pid-file as a new file (O_EXCL|O_NOFOLLOW, random name) "
            "renamed over the path: a symlink planted in the pid file's directory, at the path "
            "or at a temporary name, makes root overwrite nothing.");
    oci_require_root();
    oci_bundle_edited("sleep 100", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out),
                      NULL);
    snprintf(pids, sizeof(pids), "%s/pids", out);
    mkdir(pids, 0777);
    snprintf(victim, sizeof(victim), "%s/victim", out);
    write_text(victim, "precious");
    /* The name the pid file had as a temporary, and the path itself. */
    for (int i = 0; i < 4; i++) {
        static const char *const names[] = {"pid", "pid.tmp", "epid", "epid.tmp"};

        snprintf(path, sizeof(path), "%s/%s", pids, names[i]);
        assert_int_equal(symlink(victim, path), 0);
    }
    snprintf(path, sizeof(path), "--pid-file '%s/pid'", pids);
    assert_int_equal(create_with(dir, id, out, path), 0);
    expect_text(victim, "precious");
    snprintf(path, sizeof(path), "%s/pid", pids);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    oci_read_text(path, pid, sizeof(pid));
    assert_true(atoi(pid) > 0 && strchr(pid, '\n') == NULL);

    oci_run_ok("start", id, NULL, NULL, NULL);
    snprintf(path, sizeof(path), "%s/epid", pids);
    mb_run(&r, NULL, "exec", "--detach", "--pid-file", path, id, "sleep", "50", NULL);
    if (r.status != 0)
        fail_msg("exec --detach --pid-file: %d: %s", r.status, r.err);
    mb_result_free(&r);
    expect_text(victim, "precious");
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    oci_run_ok("delete", "--force", id, NULL, NULL);
}

/* The image's /dev/null: a file of the image's own, writable. */
static void plant_null(const char *image, const char *how)
{
    char path[4400], target[4400];

    snprintf(path, sizeof(path), "%s/dev/null", image);
    unlink(path);
    if (strcmp(how, "file") == 0) {
        write_text(path, "image-chosen");
        chmod(path, 0666);
    } else {
        /* a symlink to a file of the image */
        snprintf(target, sizeof(target), "%s/etc/image-null", image);
        write_text(target, "image-chosen");
        chmod(target, 0666);
        assert_int_equal(symlink("/etc/image-null", path), 0);
    }
}

void test_oci_mask_is_bound_from_the_hosts_null_device(void **state)
{
    static const char *const hows[] = {"file", "symlink"};
    char dir[4200], out[4200], id[64], image[4300], facts[1024], path[4400];

    (void)state;
    mb_hint("maskedPaths are bound from the host's /dev/null, taken before pivot_root, never "
            "from the path /dev/null of an image without a /dev mount: a file or a symlink "
            "there would make a masked path show and keep what the image wants.");
    oci_require_root();
    for (size_t i = 0; i < 2; i++) {
        oci_bundle_edited("{ cat /proc/version; echo written > /proc/version; cat /proc/version; "
                          "} > /mnt/facts 2>&1",
                          oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out),
                          edit_no_dev);
        own_image(dir, out, image, sizeof(image));
        plant_null(image, hows[i]);
        {
            json_t *config;

            snprintf(path, sizeof(path), "%s/config.json", dir);
            config = json_load_file(path, 0, NULL);
            oci_config_set(config, "linux.maskedPaths", oci_json("['/proc/version']"));
            assert_int_equal(json_dump_file(config, path, 0), 0);
            json_decref(config);
        }
        oci_run_to_end(dir, id, out, facts, sizeof(facts));
        if (mb_contains(facts, "image-chosen") || mb_contains(facts, "written") ||
            mb_contains(facts, "Linux version"))
            fail_msg("with the image's /dev/null a %s, the masked /proc/version showed:\n%s",
                     hows[i], facts);
        snprintf(path, sizeof(path), "%s/%s", image,
                 strcmp(hows[i], "file") == 0 ? "dev/null" : "etc/image-null");
        expect_text(path, "image-chosen");
    }
}

static char host_dir[4300];

static void edit_node(json_t *config, const char *out)
{
    edit_no_dev(config, out);
    oci_config_set(config, "linux.devices",
                   oci_json("[{'path': '/dev/mbnode', 'type': 'c', 'major': 1, 'minor': 3}]"));
}

void test_oci_device_node_stays_inside_the_root(void **state)
{
    char dir[4200], out[4200], id[64], image[4300], path[4400], cmd[9000];
    struct mb_result r;

    (void)state;
    mb_hint("linux.devices nodes are made relative to their parent directory opened with the "
            "rootfs as / (openat2 RESOLVE_IN_ROOT): an image whose /dev is a symlink to a host "
            "path cannot make minibox put a node on the host.");
    oci_require_root();
    oci_bundle_edited("ls -l /dev/ > /mnt/facts", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out,
                      sizeof(out), edit_node);
    own_image(dir, out, image, sizeof(image));
    snprintf(host_dir, sizeof(host_dir), "%s/host-dev", out);
    mkdir(host_dir, 0755);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s/dev' && ln -s '%s' '%s/dev'", image, host_dir, image);
    assert_int_equal(system(cmd), 0);
    create_with(dir, id, out, ""); /* refused or made inside the root */
    mb_run(&r, NULL, "delete", "--force", id, NULL);
    mb_result_free(&r);
    snprintf(path, sizeof(path), "%s/mbnode", host_dir);
    if (access(path, F_OK) == 0)
        fail_msg("the node was made on the host, at %s", path);
}

void test_oci_sysctl_of_the_host_is_refused(void **state)
{
    char dir[4200], out[4200], id[64], path[4300], before[512], after[512];
    struct mb_result r;
    json_t *config;

    (void)state;
    mb_hint("config.json's sysctls are limited to those of the container's own namespaces "
            "(ipc, net, uts): kernel.core_pattern is the host's, and a pipe there runs a "
            "program as the host's root.");
    oci_require_root();
    oci_bundle_edited("true", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), NULL);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_load_file(path, 0, NULL);
    oci_config_set(config, "linux.sysctl",
                   oci_json("{'kernel.core_pattern': '|/bin/sh -c id>%s/owned'}", out));
    assert_int_equal(json_dump_file(config, path, 0), 0);
    json_decref(config);
    oci_read_text("/proc/sys/kernel/core_pattern", before, sizeof(before));
    mb_run(&r, NULL, "create", "--bundle", dir, id, NULL);
    oci_read_text("/proc/sys/kernel/core_pattern", after, sizeof(after));
    if (strcmp(before, after) != 0) {
        FILE *f = fopen("/proc/sys/kernel/core_pattern", "w");
        if (f != NULL) {
            fputs(before, f);
            fclose(f);
        }
        fail_msg("create set the host's kernel.core_pattern to '%s'", after);
    }
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "kernel.core_pattern"));
    mb_result_free(&r);
    oci_state_dir_gone(id);
}

/* Add CAP_SYS_PTRACE to every set: the attacker may look into any process
 * of its user namespace that holds no more than it does, dumpable or not. */
static void edit_window(json_t *config, const char *out)
{
    (void)out;
    oci_config_set(config, "process.capabilities",
                   oci_json("{'bounding': ['CAP_KILL', 'CAP_SYS_PTRACE'], 'effective': "
                            "['CAP_KILL', 'CAP_SYS_PTRACE'], 'permitted': ['CAP_KILL', "
                            "'CAP_SYS_PTRACE']}"));
    json_array_append_new(json_object_get(config, "mounts"),
                          oci_json("{'destination': '/etc', 'type': 'tmpfs', 'source': 'tmpfs', "
                                   "'options': ['size=1m']}"));
}

void test_oci_exec_window_holds_no_host_directory(void **state)
{
    char dir[4200], out[4200], id[64], secret[4400], hostdir[4300], pidfile[4400];
    char cmd[16000], report[4096], path[4400], v[256];

    (void)state;
    mb_hint("OCI exec joins through container.c's exec_join: not dumpable, every fd closed "
            "before the first setns, and the --pid-file written by the caller on the host; no "
            "handle on a host directory (the pid file's) is one /proc/PID/fd/N away from the "
            "container's root while the command is being started.");
    oci_require_root();
    if (system("strace -qq -o /dev/null true 2>/dev/null") != 0)
        mb_skip("strace is missing or cannot trace here: nothing holds the exec in its window");
    snprintf(hostdir, sizeof(hostdir), "%s/window-host-oci", mb_tmp);
    mkdir(hostdir, 0700);
    snprintf(secret, sizeof(secret), "%s/secret", hostdir);
    write_text(secret, "host secret\n");
    oci_bundle_edited("true", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out),
                      edit_window);
    {
        json_t *config;

        snprintf(path, sizeof(path), "%s/config.json", dir);
        config = json_load_file(path, 0, NULL);
        oci_config_set(config, "process.args",
                       json_pack("[s,s,s]", "probe", "exec-window", secret));
        assert_int_equal(json_dump_file(config, path, 0), 0);
        json_decref(config);
    }
    oci_create_ok(dir, id, out);
    oci_run_ok("start", id, NULL, NULL, NULL);
    snprintf(path, sizeof(path), "%s/create.out", out);
    for (int waited = 0; waited < 5000; waited += 20) {
        oci_read_text(path, report, sizeof(report));
        if (mb_contains(report, "ready"))
            break;
        usleep(20000);
    }
    if (!mb_contains(report, "ready"))
        fail_msg("the attacker did not start: %s", report);
    /* Every execve waits 1.5 s at its entry: the command's process sits
     * in its window, joined and not yet exec'd, while the attacker looks. */
    snprintf(pidfile, sizeof(pidfile), "%s/exec.pid", hostdir);
    /* An ASan build's leak check stops the process with ptrace, which
     * strace already holds: it cannot run while traced and would fail the
     * exec (ASan's own mechanics; a build without ASan ignores this). */
    snprintf(cmd, sizeof(cmd),
             "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" strace -f -qq -o "
             "/dev/null -e trace=execve -e inject=execve:delay_enter=1500000 "
             "'%s' --root '%s' exec --pid-file '%s' %s true",
             mb_minibox, mb_state, pidfile, id);
    assert_int_equal(system(cmd), 0);
    for (int waited = 0; waited < 10000; waited += 50) {
        oci_read_text(path, report, sizeof(report));
        if (mb_contains(report, "escaped="))
            break;
        usleep(50000);
    }
    if (strcmp(mb_kv(report, "window_pid", v, sizeof(v)), "0") == 0 || v[0] == '\0')
        fail_msg("the attacker never saw exec's process:\n%s", report);
    if (strcmp(mb_kv(report, "escaped", v, sizeof(v)), "0") != 0)
        fail_msg("from exec's process the container reached the host:\n%s", report);
    oci_run_ok("delete", "--force", id, NULL, NULL);
    mb_assert_nothing_leaked();
}
