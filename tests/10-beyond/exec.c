/*
 * exec and inspect. `minibox exec CONTAINER CMD` starts a process inside a
 * running container: in all of its namespaces and its cgroup, with the same
 * hardening as its first process. `minibox inspect` prints a container's
 * record joined with what is true now.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "beyond.h"

int bx_exec_teardown(void **state)
{
    static const char *const kept[] = {"bx-ended", "bx-kept"};
    struct mb_result r;

    bx_teardown(state);
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        mb_run(&r, NULL, "rm", "-f", kept[i], NULL);
        mb_result_free(&r);
    }
    mb_run(&r, NULL, "rmi", "bx-base", NULL);
    mb_result_free(&r);
    return 0;
}

/* A container that holds until its stdin closes: --name NAME, and its init's
 * host pid. */
static pid_t start_holder(struct mb_proc *p, const char *name)
{
    pid_t child;

    mb_spawn(p, "run", "--name", name, "--rootfs", mb_rootfs, "probe", "hold", NULL);
    bx_track(p);
    mb_expect_line(p, "ready", 10000);
    child = mb_child_of(p->pid);
    assert_true(child > 0);
    return child;
}

static void stop_holder(struct mb_proc *p)
{
    bx_untrack(p);
    assert_int_equal(mb_finish(p, 10000), 0);
}

/* The first line of /proc/PID/cgroup that names a hierarchy minibox limits
 * (all of the file would do, but systemd's named one may differ). */
static void cgroup_of(pid_t pid, char *buf, size_t len)
{
    char path[64];
    char *text;

    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    text = bx_slurp(path, NULL);
    assert_non_null(text);
    snprintf(buf, len, "%s", text);
    free(text);
}

/* The container's namespaces are the ones its init has; exec'd processes
 * land in the same ones, not beside them. Compared by inode, as the kernel
 * names them. */
void test_exec_joins_every_namespace_and_the_cgroup(void **state)
{
    static const char *const kinds[] = {"pid", "mnt", "net", "uts", "ipc", "cgroup"};
    char key[32], want[64], host_cg[4096], cg_in[4096];
    struct mb_result r;
    struct mb_proc p;
    pid_t init;

    (void)state;
    mb_hint("exec joins the container's cgroups first, then each namespace with setns, then forks: "
            "the new process is inside in every way.");
    bx_require();
    init = start_holder(&p, "bx-exec-ns");
    mb_run(&r, NULL, "exec", "bx-exec-ns", "probe", NULL);
    if (r.status != 0) {
        stop_holder(&p);
        fail_msg("exec failed (exit %d): %s", r.status, r.err);
    }
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        snprintf(key, sizeof(key), "ns_%s", kinds[i]);
        mb_ns_of(init, kinds[i], want, sizeof(want));
        bx_assert_kv(&r, key, want);
    }
    /* In the container's pid namespace: not PID 1, its parent is outside
     * (0), and the host pid of PID 1 is the init's. */
    {
        char v[64];
        mb_kv(r.out, "pid", v, sizeof(v));
        assert_true(atoi(v) > 1);
    }
    /* The same cgroup: the one of the container's init, as the host sees it
     * (the probe sees the same dirs through its cgroup namespace as "/"). */
    cgroup_of(init, host_cg, sizeof(host_cg));
    {
        char path[64];
        char v[4096];
        pid_t exec_pid;
        struct mb_proc e;

        /* A held exec, to read its host-side /proc/PID/cgroup. */
        mb_spawn(&e, "exec", "bx-exec-ns", "probe", "hold", NULL);
        bx_track(&e);
        mb_expect_line(&e, "ready", 10000);
        exec_pid = mb_child_of(e.pid);
        /* The client may itself have forked: go down to the probe. */
        for (int depth = 0; depth < 4 && exec_pid > 0; depth++) {
            char exe[4096];
            ssize_t n;
            snprintf(path, sizeof(path), "/proc/%d/exe", (int)exec_pid);
            n = readlink(path, exe, sizeof(exe) - 1);
            exe[n < 0 ? 0 : n] = '\0';
            if (strstr(exe, "/bin/probe") != NULL)
                break;
            exec_pid = mb_child_of(exec_pid);
        }
        assert_true(exec_pid > 0);
        cgroup_of(exec_pid, cg_in, sizeof(cg_in));
        snprintf(v, sizeof(v), "%s", cg_in);
        bx_untrack(&e);
        assert_int_equal(mb_finish(&e, 10000), 0);
        if (strcmp(host_cg, v) != 0)
            fail_msg("exec'd process is in other cgroups:\n%s\nthan the container:\n%s", v,
                     host_cg);
    }
    mb_result_free(&r);
    stop_holder(&p);
}

void test_exec_gets_the_same_hardening(void **state)
{
    struct mb_result r;
    struct mb_proc p;

    (void)state;
    mb_hint("exec applies the container's recorded hardening (caps, no_new_privs, seccomp) through "
            "the same last steps as run.");
    bx_require();
    start_holder(&p, "bx-exec-hard");
    mb_run(&r, NULL, "exec", "bx-exec-hard", "probe", NULL);
    bx_assert_kv(&r, "cap_eff", BX_DEFAULT_CAPS);
    bx_assert_kv(&r, "cap_bnd", BX_DEFAULT_CAPS);
    bx_assert_kv(&r, "cap_inh", BX_NO_CAPS);
    bx_assert_kv(&r, "cap_amb", BX_NO_CAPS);
    bx_assert_kv(&r, "nnp", "1");
    bx_assert_kv(&r, "seccomp", "2");
    mb_result_free(&r);
    /* The attacks of hardening.c from an exec'd process. */
    bx_expect_kv("mount-tmpfs", "EPERM", "exec", "bx-exec-hard", "probe", "syscall", "mount-tmpfs",
                 NULL);
    if (bx_exists("/proc/interrupts"))
        bx_expect_kv("read", "0", "exec", "bx-exec-hard", "probe", "read", "/proc/interrupts",
                     NULL);
    bx_expect_kv("fds", "0,1,2", "exec", "bx-exec-hard", "probe", "fds", NULL);
    stop_holder(&p);
}

void test_exec_status_stdin_and_options(void **state)
{
    struct mb_result r;
    struct mb_proc p;

    (void)state;
    mb_hint("exec passes stdin through and exits with the process's status; -e, -w and -u work as "
            "for run.");
    bx_require();
    start_holder(&p, "bx-exec-opts");
    mb_run(&r, NULL, "exec", "bx-exec-opts", "probe", "exit", "7", NULL);
    assert_int_equal(r.status, 7);
    mb_result_free(&r);
    mb_run(&r, NULL, "exec", "bx-exec-opts", "/no/such/command", NULL);
    assert_int_equal(r.status, 127);
    mb_result_free(&r);
    mb_run(&r, NULL, "exec", "bx-exec-opts", "/etc/passwd", NULL);
    assert_int_equal(r.status, 126);
    mb_result_free(&r);
    mb_run(&r, NULL, "exec", "bx-exec-opts", "probe", "segv", NULL);
    assert_int_equal(r.status, 128 + SIGSEGV);
    mb_result_free(&r);
    mb_run(&r, "typed in\n", "exec", "-i", "bx-exec-opts", "sh", "-c", "read x; echo got=$x", NULL);
    bx_assert_kv(&r, "got", "typed in");
    mb_result_free(&r);
    mb_run(&r, NULL, "exec", "-e", "A=from exec", "-w", "/etc", "-u", "65534:5", "bx-exec-opts",
           "probe", "env", "A", NULL);
    bx_assert_kv(&r, "env.A", "from exec");
    mb_result_free(&r);
    mb_run(&r, NULL, "exec", "-w", "/etc", "-u", "nobody:tty", "bx-exec-opts", "probe", NULL);
    bx_assert_kv(&r, "cwd", "/etc");
    bx_assert_kv(&r, "uid", "65534");
    bx_assert_kv(&r, "gid", "5");
    mb_result_free(&r);
    stop_holder(&p);
}

/* The container's record as inspect prints it (fails the test otherwise). */
static json_t *inspect(const char *what)
{
    struct mb_result r;
    json_error_t error;
    json_t *j;

    mb_run(&r, NULL, "inspect", what, NULL);
    if (r.status != 0)
        fail_msg("inspect %s failed (exit %d): %s", what, r.status, r.err);
    j = json_loads(r.out, 0, &error);
    if (!json_is_object(j))
        fail_msg("inspect %s did not print one JSON object (%s): %s", what, error.text, r.out);
    mb_result_free(&r);
    return j;
}

static int is_hex_id(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return 0;
    for (; *s != '\0'; s++)
        if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
            return 0;
    return 1;
}

void test_exec_by_id_prefix(void **state)
{
    char prefix[16];
    struct mb_result r;
    struct mb_proc p;
    json_t *j;

    (void)state;
    mb_hint("exec finds a container by a unique id prefix or by name.");
    bx_require();
    start_holder(&p, "bx-exec-id");
    j = inspect("bx-exec-id");
    if (!is_hex_id(json_string_value(json_object_get(j, "Id"))))
        fail_msg("inspect's Id is not 64 hex digits");
    snprintf(prefix, sizeof(prefix), "%.12s", json_string_value(json_object_get(j, "Id")));
    json_decref(j);
    mb_run(&r, NULL, "exec", prefix, "hostname", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    stop_holder(&p);
}

void test_exec_into_missing_or_exited_container_is_refused(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("exec into a container that does not exist or no longer runs exits 125 with one line.");
    bx_require();
    mb_run(&r, NULL, "exec", "no-such-container", "probe", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "exec", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    /* A container whose record is kept after it ended (an image run without
     * --rm) is there, but not running. */
    if (system("grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null") == 0) {
        char tar[4300], cmd[9000];
        snprintf(tar, sizeof(tar), "%s/bx-base.tar", mb_tmp);
        snprintf(cmd, sizeof(cmd), "[ -f '%s' ] || tar -C '%s' -cf '%s' .", tar, mb_rootfs, tar);
        assert_int_equal(system(cmd), 0);
        mb_run(&r, NULL, "image", "import", tar, "bx-base", NULL);
        assert_int_equal(r.status, 0);
        mb_result_free(&r);
        mb_run(&r, NULL, "run", "--name", "bx-ended", "bx-base", "true", NULL);
        assert_int_equal(r.status, 0);
        mb_result_free(&r);
        mb_run(&r, NULL, "exec", "bx-ended", "probe", NULL);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
        mb_run(&r, NULL, "rm", "bx-ended", NULL);
        mb_result_free(&r);
        mb_run(&r, NULL, "rmi", "bx-base", NULL);
        mb_result_free(&r);
    }
    /* ... and exec into a running one works (a binary without exec
     * refuses everything above). */
    {
        struct mb_proc p;
        start_holder(&p, "bx-exec-ok");
        mb_run(&r, NULL, "exec", "bx-exec-ok", "probe", NULL);
        assert_int_equal(r.status, 0);
        if (!mb_contains(r.out, "pid=") || mb_contains(r.out, "\npid=1\n") ||
            strncmp(r.out, "pid=1\n", 6) == 0)
            fail_msg("exec did not run a new process in the container: %s", r.out);
        mb_result_free(&r);
        stop_holder(&p);
    }
    mb_assert_nothing_leaked();
}

static const char *str(json_t *obj, const char *path)
{
    char buf[256], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k != NULL && obj != NULL;
         k = strtok_r(NULL, ".", &save))
        obj = json_object_get(obj, k);
    return json_string_value(obj);
}

static json_t *get(json_t *obj, const char *path)
{
    char buf[256], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k != NULL && obj != NULL;
         k = strtok_r(NULL, ".", &save))
        obj = json_object_get(obj, k);
    if (obj == NULL)
        fail_msg("inspect has no %s", path);
    return obj;
}

/* Does the array hold the string (case-insensitive, CAP_ optional, for
 * capability names)? */
static int array_has(json_t *array, const char *want)
{
    size_t i;
    json_t *v;

    json_array_foreach (array, i, v) {
        const char *s = json_string_value(v);
        if (s == NULL)
            continue;
        if (strncasecmp(s, "CAP_", 4) == 0 && strncasecmp(want, "CAP_", 4) != 0)
            s += 4;
        if (strcasecmp(s, want) == 0 || strncmp(s, want, strlen(want)) == 0)
            return 1;
    }
    return 0;
}

void test_inspect_running_container_matches_reality(void **state)
{
    char hostname[256];
    struct mb_result r;
    struct mb_proc p;
    json_t *j, *cmd;
    pid_t init;
    const char *name;

    (void)state;
    mb_hint("inspect prints the container's record with its live state, in Docker's names: pid, "
            "status, hardening.");
    bx_require();
    mb_spawn(&p, "run", "--name", "bx-inspect", "--hostname", "bx-host", "-e", "BX=1", "-w", "/tmp",
             "-u", "0:0", "--cap-add", "NET_ADMIN", "--cap-drop", "MKNOD", "--read-only", "--tmpfs",
             "/run", "--security-opt", "no-new-privileges=false", "--pids-limit", "50", "--rootfs",
             mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 10000);
    init = mb_child_of(p.pid);
    j = inspect("bx-inspect");
    if (!is_hex_id(str(j, "Id")))
        fail_msg("Id is not 64 hex digits: %s", str(j, "Id"));
    name = str(j, "Name");
    assert_non_null(name);
    assert_string_equal(name[0] == '/' ? name + 1 : name, "bx-inspect");
    assert_string_equal(str(j, "State.Status"), "running");
    assert_true(json_is_true(get(j, "State.Running")));
    assert_int_equal(json_integer_value(get(j, "State.Pid")), init);
    assert_false(json_is_true(get(j, "State.OOMKilled")));
    cmd = get(j, "Config.Cmd");
    assert_int_equal(json_array_size(cmd), 2);
    assert_string_equal(json_string_value(json_array_get(cmd, 0)), "probe");
    assert_string_equal(json_string_value(json_array_get(cmd, 1)), "hold");
    assert_true(array_has(get(j, "Config.Env"), "BX=1"));
    assert_string_equal(str(j, "Config.WorkingDir"), "/tmp");
    assert_non_null(str(j, "Config.User"));
    assert_string_equal(str(j, "Config.Hostname"), "bx-host");
    assert_true(array_has(get(j, "HostConfig.CapAdd"), "NET_ADMIN"));
    assert_true(array_has(get(j, "HostConfig.CapDrop"), "MKNOD"));
    assert_false(json_is_true(get(j, "HostConfig.Privileged")));
    assert_true(json_is_true(get(j, "HostConfig.ReadonlyRootfs")));
    assert_true(array_has(get(j, "HostConfig.SecurityOpt"), "no-new-privileges"));
    {
        json_t *tmpfs = get(j, "HostConfig.Tmpfs");
        /* Docker: {"/run": "options"}; a list of paths would do too. */
        assert_true(json_object_get(tmpfs, "/run") != NULL || array_has(tmpfs, "/run"));
    }
    assert_int_equal(json_integer_value(get(j, "HostConfig.PidsLimit")), 50);
    assert_true(json_is_integer(get(j, "HostConfig.Memory")));
    json_decref(j);
    /* Reality agrees: the pid is the container's init. */
    mb_ns_of(init, "uts", hostname, sizeof(hostname));
    assert_string_not_equal(hostname, "");
    mb_run(&r, NULL, "exec", "bx-inspect", "hostname", NULL);
    assert_string_equal(r.out, "bx-host\n");
    mb_result_free(&r);
    stop_holder(&p);
}

void test_inspect_exited_container_and_image(void **state)
{
    char tar[4300], cmd[9000];
    struct mb_result r, image;
    json_t *j;

    (void)state;
    mb_hint("inspect shows how an exited container ended, and an image's config.");
    bx_require();
    if (system("grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null") != 0)
        mb_skip("overlayfs is not available (modprobe overlay): a kept record needs an image run");
    snprintf(tar, sizeof(tar), "%s/bx-base.tar", mb_tmp);
    snprintf(cmd, sizeof(cmd), "[ -f '%s' ] || tar -C '%s' -cf '%s' .", tar, mb_rootfs, tar);
    assert_int_equal(system(cmd), 0);
    mb_run(&r, NULL, "image", "import", tar, "bx-base", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--name", "bx-kept", "bx-base", "probe", "exit", "3", NULL);
    assert_int_equal(r.status, 3);
    mb_result_free(&r);
    j = inspect("bx-kept");
    assert_string_equal(str(j, "State.Status"), "exited");
    assert_false(json_is_true(get(j, "State.Running")));
    assert_int_equal(json_integer_value(get(j, "State.Pid")), 0);
    assert_int_equal(json_integer_value(get(j, "State.ExitCode")), 3);
    assert_string_equal(json_string_value(json_array_get(get(j, "Config.Cmd"), 0)), "probe");
    assert_non_null(str(j, "Image"));
    json_decref(j);
    /* An image: what `image inspect` prints. */
    mb_run(&image, NULL, "image", "inspect", "bx-base", NULL);
    mb_run(&r, NULL, "inspect", "bx-base", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, image.out);
    mb_result_free(&r);
    mb_result_free(&image);
    mb_run(&r, NULL, "inspect", "no-such-thing", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "bx-kept", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_run(&r, NULL, "rmi", "bx-base", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}
