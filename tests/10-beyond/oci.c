/*
 * oci.c - minibox as an OCI runtime (chapter 10). Each bundle's config.json
 * is written by the test: root.path is MB_ROOTFS (never written to: every
 * mount target exists in it, and /dev is a tmpfs), a scratch dir of
 * mb_tmp is bound on /mnt, where the command leaves its facts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mbtest.h"
#include "oci.h"

static int serial;

void oci_require_root(void)
{
    if (geteuid() != 0)
        mb_skip("the OCI runtime tests need root");
}

/* A bundle dir holding config.json for `script` run by sh; out gets the
 * dir bound on /mnt. */
void oci_make_bundle(const char *script, char *bundle, size_t blen, char *out, size_t olen,
                     const char *id)
{
    char path[4200];
    json_t *config;

    snprintf(bundle, blen, "%s/bundle-%d", mb_tmp, ++serial);
    snprintf(out, olen, "%s/out-%d", mb_tmp, serial);
    assert_int_equal(mkdir(bundle, 0755), 0);
    assert_int_equal(mkdir(out, 0755), 0);
    config = json_pack(
        "{s:s, s:{s:s, s:b}, s:s, s:{s:[s,s,s], s:[s], s:s, s:{s:i, s:i}, s:b, "
        "s:{s:[s,s], s:[s,s], s:[s,s]}}, "
        "s:[{s:s, s:s, s:s, s:[s,s,s]}, {s:s, s:s, s:s, s:[s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s]}, "
        "{s:s, s:s, s:s, s:[s,s,s]}], "
        "s:{s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:s, s:{s:{s:i}}, s:[s], s:[s]}}",
        "ociVersion", "1.0.2", "root", "path", mb_rootfs, "readonly", 1, "hostname", "ocitest",
        "process", "args", "/bin/sh", "-c", script, "env", "PATH=/bin:/sbin:/usr/bin", "cwd", "/",
        "user", "uid", 0, "gid", 0, "noNewPrivileges", 1, "capabilities", "bounding", "CAP_KILL",
        "CAP_CHOWN", "effective", "CAP_KILL", "CAP_CHOWN", "permitted", "CAP_KILL", "CAP_CHOWN",
        "mounts", "destination", "/proc", "type", "proc", "source", "proc", "options", "nosuid",
        "noexec", "nodev", "destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options",
        "nosuid", "mode=755", "size=1m", "destination", "/dev/pts", "type", "devpts", "source",
        "devpts", "options", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "destination",
        "/mnt", "type", "bind", "source", out, "options", "rbind", "nosuid", "nodev", "linux",
        "namespaces", "type", "pid", "type", "mount", "type", "uts", "type", "ipc", "type",
        "network", "cgroupsPath", id, "resources", "pids", "limit", 64, "maskedPaths",
        "/proc/kcore", "readonlyPaths", "/proc/sys");
    assert_non_null(config);
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    assert_int_equal(json_dump_file(config, path, JSON_INDENT(1)), 0);
    json_decref(config);
}

/* The ids the running test made, for oci_teardown. */
static char made_ids[16][64];
static int n_made;

/* A cgroupsPath the leak check watches: minibox-oci-N. */
const char *oci_new_id(char *buf, size_t len)
{
    snprintf(buf, len, "minibox-oci-%d-%d", (int)getpid(), serial + 1);
    if (n_made < (int)(sizeof(made_ids) / sizeof(made_ids[0])))
        snprintf(made_ids[n_made++], sizeof(made_ids[0]), "%s", buf);
    return buf;
}

/* A failed assertion leaves the test at once: remove what it made, as a
 * client would (delete --force), so that its containers do not fail the
 * next test's checks. Deleting what is already gone just fails. */
int oci_teardown(void **state)
{
    struct mb_result r;

    (void)state;
    for (int i = 0; i < n_made; i++) {
        mb_run(&r, NULL, "delete", "--force", made_ids[i], NULL);
        mb_result_free(&r);
    }
    n_made = 0;
    return 0;
}

json_t *oci_state_of(const char *id)
{
    struct mb_result r;
    json_t *json;

    mb_run(&r, NULL, "state", id, NULL);
    assert_int_equal(r.status, 0);
    json = json_loads(r.out, 0, NULL);
    if (json == NULL)
        fail_msg("state %s printed no JSON: %s", id, r.out);
    mb_result_free(&r);
    return json;
}

const char *oci_status_of(const char *id)
{
    static char status[32];
    json_t *json = oci_state_of(id);

    snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(json, "status")));
    json_decref(json);
    return status;
}

void oci_run_ok(const char *verb, const char *a1, const char *a2, const char *a3, const char *a4)
{
    struct mb_result r;

    mb_run(&r, NULL, verb, a1, a2, a3, a4, NULL);
    if (r.status != 0)
        fail_msg("minibox %s %s: status %d: %s", verb, a1, r.status, r.err);
    mb_result_free(&r);
}

/* Wait until `path` exists (and is not empty), at most ms. */
int oci_wait_file(const char *path, int ms)
{
    struct stat st;

    for (int waited = 0; waited < ms; waited += 20) {
        if (stat(path, &st) == 0 && st.st_size > 0)
            return 0;
        usleep(20000);
    }
    return -1;
}

int oci_wait_status(const char *id, const char *want, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        if (strcmp(oci_status_of(id), want) == 0)
            return 0;
        usleep(20000);
    }
    return -1;
}

void oci_read_text(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");

    buf[0] = '\0';
    if (f != NULL) {
        size_t n = fread(buf, 1, len - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
}

/* Create and start `script`; returns the container's host pid. */
/* `create` the way conmon runs it: the container keeps create's stdio, so a
 * test must not read create's pipes to their end (mb_run would wait for the
 * container to exit). stdin is /dev/null; stdout and stderr go to files in
 * out (the container's too, until it redirects them). */
void oci_create_ok(const char *bundle, const char *id, const char *out)
{
    char path[4300], err[512] = "";
    int status = -1;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int fd;

        snprintf(path, sizeof(path), "%s/create.out", out);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, 0);
        dup2(fd, 1);
        snprintf(path, sizeof(path), "%s/create.err", out);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execl(mb_minibox, mb_minibox, "--root", mb_state, "create", "--bundle", bundle, id,
              (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(path, sizeof(path), "%s/create.err", out);
        oci_read_text(path, err, sizeof(err));
        fail_msg("minibox create %s: status %d: %s", id, status, err);
    }
}

pid_t oci_start_container(const char *script, const char *id, char *out, size_t olen)
{
    char bundle[4200];
    json_t *json;
    pid_t pid;

    oci_make_bundle(script, bundle, sizeof(bundle), out, olen, id);
    oci_create_ok(bundle, id, out);
    json = oci_state_of(id);
    pid = (pid_t)json_integer_value(json_object_get(json, "pid"));
    json_decref(json);
    oci_run_ok("start", id, NULL, NULL, NULL);
    return pid;
}

void oci_state_dir_gone(const char *id)
{
    char path[4300];
    struct stat st;

    snprintf(path, sizeof(path), "%s/containers/%s", mb_state, id);
    if (stat(path, &st) == 0)
        fail_msg("%s is left behind", path);
}

void test_oci_create_start_state_delete(void **state)
{
    char bundle[4200], out[4200], facts[4300], text[512], id[64];
    json_t *json;
    pid_t pid;

    (void)state;
    mb_hint("OCI create sets the container up and waits on the exec fifo; start opens it; state "
            "reports each status; delete removes it.");
    oci_require_root();
    oci_new_id(id, sizeof(id));
    oci_make_bundle("echo pid=$$ host=$(hostname) > /mnt/facts", bundle, sizeof(bundle), out,
                    sizeof(out), id);
    oci_create_ok(bundle, id, out);
    json = oci_state_of(id);
    assert_string_equal(json_string_value(json_object_get(json, "status")), "created");
    assert_string_equal(json_string_value(json_object_get(json, "id")), id);
    assert_string_equal(json_string_value(json_object_get(json, "bundle")), bundle);
    assert_non_null(json_object_get(json, "created"));
    pid = (pid_t)json_integer_value(json_object_get(json, "pid"));
    json_decref(json);
    assert_true(pid > 0);
    assert_int_equal(kill(pid, 0), 0); /* alive, and held before its command */
    snprintf(facts, sizeof(facts), "%s/facts", out);
    usleep(200000);
    assert_int_equal(access(facts, F_OK), -1);
    oci_run_ok("start", id, NULL, NULL, NULL);
    assert_int_equal(oci_wait_file(facts, 5000), 0);
    oci_read_text(facts, text, sizeof(text));
    assert_true(mb_contains(text, "pid=1 host=ocitest"));
    assert_int_equal(oci_wait_status(id, "stopped", 5000), 0);
    oci_run_ok("delete", id, NULL, NULL, NULL);
    oci_state_dir_gone(id);
}

void test_oci_kill_by_name_and_number(void **state)
{
    char out[4200], path[4300], id[64];

    (void)state;
    mb_hint("OCI kill sends a signal given by name or number to the container's process.");
    oci_require_root();
    /* PID 1 of a namespace gets only the signals it handles: the trap. */
    oci_start_container("trap 'echo got-term > /mnt/term; exit 0' TERM; "
                        "while :; do sleep 0.05; done",
                        oci_new_id(id, sizeof(id)), out, sizeof(out));
    snprintf(path, sizeof(path), "%s/term", out);
    usleep(300000);
    oci_run_ok("kill", id, "SIGTERM", NULL, NULL);
    assert_int_equal(oci_wait_file(path, 5000), 0);
    assert_int_equal(oci_wait_status(id, "stopped", 5000), 0);
    oci_run_ok("delete", id, NULL, NULL, NULL);

    oci_start_container("sleep 100", oci_new_id(id, sizeof(id)), out, sizeof(out));
    assert_string_equal(oci_status_of(id), "running");
    oci_run_ok("kill", id, "9", NULL, NULL);
    assert_int_equal(oci_wait_status(id, "stopped", 5000), 0);
    oci_run_ok("delete", id, NULL, NULL, NULL);
    oci_state_dir_gone(id);
}

void test_oci_delete_force_leaves_nothing(void **state)
{
    char out[4200], cgroup[4096], id[64];
    struct mb_result r;
    struct stat st;
    pid_t pid;

    (void)state;
    mb_hint("OCI delete --force kills a running container and removes its cgroup and state.");
    oci_require_root();
    pid = oci_start_container("sleep 100", oci_new_id(id, sizeof(id)), out, sizeof(out));
    mb_cgroup_dir(pid, "pids", cgroup, sizeof(cgroup));
    assert_true(mb_contains(cgroup, id));
    mb_run(&r, NULL, "delete", id, NULL);
    mb_assert_usage_error(&r); /* running: not without --force */
    mb_result_free(&r);
    assert_string_equal(oci_status_of(id), "running");
    oci_run_ok("delete", "--force", id, NULL, NULL);
    for (int i = 0; i < 100 && kill(pid, 0) == 0; i++)
        usleep(20000);
    assert_int_equal(kill(pid, 0), -1);
    assert_int_equal(stat(cgroup, &st), -1);
    oci_state_dir_gone(id);
    mb_run(&r, NULL, "state", id, NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

void test_oci_exec_joins_the_pid_namespace(void **state)
{
    char out[4200], path[4300], text[256], ns[64], id[64];
    json_t *process;
    struct mb_result r;
    pid_t pid;

    (void)state;
    mb_hint("OCI exec --process joins the container's namespaces, as exec does.");
    oci_require_root();
    pid = oci_start_container("sleep 100", oci_new_id(id, sizeof(id)), out, sizeof(out));
    process = json_pack("{s:[s,s,s], s:[s], s:s, s:{s:i, s:i}}", "args", "/bin/sh", "-c",
                        "readlink /proc/self/ns/pid > /mnt/exec; echo $(cat /proc/1/cmdline) "
                        ">> /mnt/exec; exit 7",
                        "env", "PATH=/bin", "cwd", "/", "user", "uid", 0, "gid", 0);
    snprintf(path, sizeof(path), "%s/process.json", out);
    assert_int_equal(json_dump_file(process, path, 0), 0);
    json_decref(process);
    mb_run(&r, NULL, "exec", "--process", path, id, NULL);
    assert_int_equal(r.status, 7); /* the process's status is exec's */
    mb_result_free(&r);
    snprintf(path, sizeof(path), "%s/exec", out);
    oci_read_text(path, text, sizeof(text));
    mb_ns_of(pid, "pid", ns, sizeof(ns));
    assert_true(ns[0] != '\0' && mb_contains(text, ns));
    assert_true(mb_contains(text, "sleep100"));
    oci_run_ok("delete", "--force", id, NULL, NULL);
}

static long counter(const char *out)
{
    char path[4300], text[64];

    snprintf(path, sizeof(path), "%s/count", out);
    oci_read_text(path, text, sizeof(text));
    return atol(text);
}

void test_oci_pause_freezes_and_resume_thaws(void **state)
{
    char out[4200], id[64];
    long before, after;

    (void)state;
    mb_hint("pause and resume write the cgroup freezer of the container.");
    oci_require_root();
    /* Written whole by a rename: `echo $i > count` truncates before it
     * writes, and a read in between saw an empty file (a flake). */
    oci_start_container("i=0; while :; do i=$((i+1)); echo $i > /mnt/count.new; "
                        "mv /mnt/count.new /mnt/count; sleep 0.02; done",
                        oci_new_id(id, sizeof(id)), out, sizeof(out));
    usleep(300000);
    assert_true(counter(out) > 0);
    oci_run_ok("pause", id, NULL, NULL, NULL);
    assert_string_equal(oci_status_of(id), "paused");
    before = counter(out);
    usleep(400000);
    after = counter(out);
    assert_int_equal(before, after);
    oci_run_ok("resume", id, NULL, NULL, NULL);
    assert_string_equal(oci_status_of(id), "running");
    usleep(400000);
    assert_true(counter(out) > after);
    oci_run_ok("pause", id, NULL, NULL, NULL);
    oci_run_ok("delete", "--force", id, NULL, NULL); /* a paused one too */
    oci_state_dir_gone(id);

    /* kill -9 of a paused one: it dies (a v1 freezer holds it until thawed) */
    oci_start_container("sleep 100", oci_new_id(id, sizeof(id)), out, sizeof(out));
    oci_run_ok("pause", id, NULL, NULL, NULL);
    oci_run_ok("kill", id, "KILL", NULL, NULL);
    if (oci_wait_status(id, "stopped", 5000) < 0)
        fail_msg("a paused container did not stop after kill KILL: it is %s", oci_status_of(id));
    oci_run_ok("delete", id, NULL, NULL, NULL);
    oci_state_dir_gone(id);
}

void test_oci_features_lists_namespaces(void **state)
{
    struct mb_result r;
    json_t *json, *ns;
    int found = 0;
    size_t i;
    json_t *v;

    (void)state;
    mb_hint("features prints the runtime's capabilities as the OCI runtime spec's JSON.");
    mb_run(&r, NULL, "features", NULL);
    assert_int_equal(r.status, 0);
    json = json_loads(r.out, 0, NULL);
    assert_non_null(json);
    assert_non_null(json_string_value(json_object_get(json, "ociVersionMax")));
    ns = json_object_get(json_object_get(json, "linux"), "namespaces");
    json_array_foreach (ns, i, v) {
        found +=
            strcmp(json_string_value(v), "pid") == 0 || strcmp(json_string_value(v), "mount") == 0;
    }
    assert_int_equal(found, 2);
    json_decref(json);
    mb_result_free(&r);
}

void test_oci_bad_input_fails_cleanly(void **state)
{
    char bundle[4200], out[4200], path[4300], id[64];
    struct mb_result r;
    FILE *f;

    (void)state;
    mb_hint("A bad bundle or config.json fails with one line and a non-zero status, leaving "
            "nothing behind.");
    oci_require_root();
    oci_make_bundle("true", bundle, sizeof(bundle), out, sizeof(out), oci_new_id(id, sizeof(id)));
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"ociVersion\": \"1.0.2\", \"root\": ", f); /* cut short */
    fclose(f);
    mb_run(&r, NULL, "create", "--bundle", bundle, id, NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    oci_state_dir_gone(id);

    /* Valid JSON, unknown namespace: refused before anything is made. */
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},\"process\":{\"args\":"
            "[\"true\"],\"cwd\":\"/\"},\"linux\":{\"namespaces\":[{\"type\":\"nope\"}]}}",
            mb_rootfs);
    fclose(f);
    mb_run(&r, NULL, "create", "--bundle", bundle, id, NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    oci_state_dir_gone(id);

    /* A command that does not exist: create fails, nothing stays. */
    oci_make_bundle("true", bundle, sizeof(bundle), out, sizeof(out), id);
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    {
        json_t *config = json_load_file(path, 0, NULL);
        json_array_set_new(json_object_get(json_object_get(config, "process"), "args"), 0,
                           json_string("/no/such/command"));
        json_dump_file(config, path, 0);
        json_decref(config);
    }
    mb_run(&r, NULL, "create", "--bundle", bundle, id, NULL);
    assert_int_not_equal(r.status, 0);
    assert_int_equal(mb_count_lines(r.err), 1);
    mb_result_free(&r);
    oci_state_dir_gone(id);

    static const char *const verbs[] = {"state", "start", "delete", "pause", NULL};
    for (int i = 0; verbs[i] != NULL; i++) {
        mb_run(&r, NULL, verbs[i], "no-such-container", NULL);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
    }
    mb_run(&r, NULL, "create", "--bundle", bundle, "../escape", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* Podman, on a private store under mb_tmp. */
static char podman_dir[4200];
static const char *podman_missing;

static void podman_cmd(char *cmd, size_t len, const char *args)
{
    snprintf(cmd, len,
             "podman --root %s/root --runroot %s/run --tmpdir %s/tmp --cgroup-manager cgroupfs "
             "--events-backend file --storage-driver overlay --runtime %s %s",
             podman_dir, podman_dir, podman_dir, mb_minibox, args);
}

/* Run podman with args (a shell fragment); output into out, status back. */
static int podman(const char *args, char *out, size_t len)
{
    char cmd[8192];
    FILE *p;
    size_t n = 0;
    int status;

    podman_cmd(cmd, sizeof(cmd), args);
    strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
    p = popen(cmd, "r");
    assert_non_null(p);
    while (out != NULL && n < len - 1 && fgets(out + n, (int)(len - n), p) != NULL)
        n = strlen(out);
    while (out == NULL && fgetc(p) != EOF) {
    }
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define PODMAN_RUN "run --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 "

static void require_podman(void)
{
    char out[4096] = "";

    oci_require_root();
    if (podman_dir[0] == '\0') {
        snprintf(podman_dir, sizeof(podman_dir), "%s/podman", mb_tmp);
        mkdir(podman_dir, 0755);
        if (system("command -v podman >/dev/null && command -v conmon >/dev/null || "
                   "test -x /usr/libexec/podman/conmon") != 0)
            podman_missing = "podman or conmon is not installed";
        else {
            char args[4400];
            /* The tree builds this fixture: its absence is a failure, not a
             * reason to skip (make rootfs writes it next to the rootfs). */
            if (access(mb_busybox_tar, R_OK) != 0)
                fail_msg("%s: %s (run 'make rootfs')", mb_busybox_tar, strerror(errno));
            snprintf(args, sizeof(args), "import %s localhost/mbtest-busybox", mb_busybox_tar);
            if (podman(args, out, sizeof(out)) != 0) {
                static char why[600];
                snprintf(why, sizeof(why), "podman import failed: %.500s", out);
                podman_missing = why;
            }
        }
    }
    if (podman_missing != NULL)
        mb_skip(podman_missing);
}

void test_oci_podman_run_attached(void **state)
{
    char out[4096];

    (void)state;
    mb_hint("Podman drives minibox as its OCI runtime (--runtime): create, start, the exit status "
            "through conmon.");
    require_podman();
    assert_int_equal(
        podman(PODMAN_RUN "--rm localhost/mbtest-busybox echo hello-oci", out, sizeof(out)), 0);
    assert_true(mb_contains(out, "hello-oci"));
    assert_int_equal(
        podman(PODMAN_RUN "--rm localhost/mbtest-busybox sh -c 'exit 3'", out, sizeof(out)), 3);
}

void test_oci_podman_detached_exec_stop(void **state)
{
    char id[4096], out[4096], args[4400];

    (void)state;
    mb_hint("Podman's -d, exec (with -t: --console-socket) and stop go through create/start, exec "
            "--process and kill.");
    require_podman();
    assert_int_equal(podman(PODMAN_RUN "-d localhost/mbtest-busybox sleep 100", id, sizeof(id)), 0);
    id[strcspn(id, "\n")] = '\0';
    assert_int_equal(strlen(id), 64);
    snprintf(args, sizeof(args), "exec %s sh -c 'echo in-exec; cat /proc/1/cmdline'", id);
    assert_int_equal(podman(args, out, sizeof(out)), 0);
    assert_true(mb_contains(out, "in-exec"));
    assert_true(mb_contains(out, "sleep"));
    /* exec -t: --console-socket, a pty made inside, its status through conmon */
    snprintf(args, sizeof(args), "exec -t %s sh -c 'tty; exit 5' </dev/null", id);
    assert_int_equal(podman(args, out, sizeof(out)), 5);
    if (!mb_contains(out, "/dev/pts/"))
        fail_msg("podman exec -t: the command has no terminal: %s", out);
    snprintf(args, sizeof(args), "stop -t 2 %s", id);
    assert_int_equal(podman(args, out, sizeof(out)), 0);
    snprintf(args, sizeof(args), "rm %s", id);
    assert_int_equal(podman(args, out, sizeof(out)), 0);
}

void test_oci_podman_run_tty(void **state)
{
    char cmd[8192], buf[8192];
    size_t got = 0;
    int master, slave, wstatus;
    pid_t pid;

    (void)state;
    mb_hint("With -t Podman hands minibox a console socket; create sends the pty master over it.");
    require_podman();
    podman_cmd(cmd, sizeof(cmd), PODMAN_RUN "-it --rm localhost/mbtest-busybox sh");
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(slave >= 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
            _exit(126);
        dup2(slave, 0);
        dup2(slave, 1);
        dup2(slave, 2);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(slave);
    usleep(1500000);
    assert_true(write(master, "echo typed-$((40+2)); tty; exit 5\r", 34) == 34);
    for (int waited = 0; waited < 20000 && !mb_contains(buf, "/dev/pts/"); waited += 50) {
        struct pollfd pfd = {.fd = master, .events = POLLIN};
        if (poll(&pfd, 1, 50) > 0) {
            ssize_t n = read(master, buf + got, sizeof(buf) - got - 1);
            if (n <= 0)
                break;
            got += (size_t)n;
            buf[got] = '\0';
        }
    }
    for (int i = 0; i < 200 && waitpid(pid, &wstatus, WNOHANG) == 0; i++)
        usleep(50000);
    if (waitpid(pid, &wstatus, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
    }
    close(master);
    assert_true(mb_contains(buf, "typed-42"));
    assert_true(mb_contains(buf, "/dev/pts/")); /* a terminal inside */
    assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 5);
}

/* Podman's store leaves overlay mounts and its shm mounts under mb_tmp. */
static void unmount_below(const char *dir)
{
    char line[4096], mp[4096];

    for (int pass = 0; pass < 5; pass++) {
        FILE *f = fopen("/proc/self/mountinfo", "r");
        int found = 0;

        while (f != NULL && fgets(line, sizeof(line), f) != NULL)
            if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
                strncmp(mp, dir, strlen(dir)) == 0) {
                umount2(mp, MNT_DETACH);
                found++;
            }
        if (f != NULL)
            fclose(f);
        if (found == 0)
            return;
    }
}

void test_oci_podman_cleanup(void **state)
{
    char cmd[8400];

    (void)state;
    mb_hint("Podman's private store is torn down before the leak check.");
    if (podman_dir[0] == '\0' || podman_missing != NULL)
        mb_skip("podman was not used");
    podman("rm -af -t 0", NULL, 0);
    podman("rmi -af", NULL, 0);
    unmount_below(podman_dir);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", podman_dir);
    assert_int_equal(system(cmd), 0);
    podman_dir[0] = '\0';
    mb_assert_nothing_leaked();
}
