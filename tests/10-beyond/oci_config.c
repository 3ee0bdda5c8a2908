/*
 * oci_config.c - what a config.json asks for, a container gets (chapter 10):
 * the runtime spec's settings one by one, as conformance checks try them.
 * Each test edits oci.c's bundle (sh on MB_ROOTFS, a scratch dir on /mnt),
 * runs it to its end (or keeps it running) and reads what the command
 * wrote to /mnt from the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "mbtest.h"
#include "oci.h"

/* JSON from printf-style text ('…' quotes become "). */
json_t *oci_json(const char *fmt, ...)
{
    char text[8192];
    json_error_t jerr;
    json_t *json;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (char *c = text; *c != '\0'; c++)
        if (*c == '\'')
            *c = '"';
    json = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (json == NULL)
        fail_msg("bad test JSON (%s): %s", jerr.text, text);
    return json;
}

/* Set `value` at a dotted path of the config ("process.user"), making the
 * objects on the way. NULL removes the key. */
void oci_config_set(json_t *config, const char *path, json_t *value)
{
    char key[256], *k = key, *dot;
    json_t *at = config;

    snprintf(key, sizeof(key), "%s", path);
    while ((dot = strchr(k, '.')) != NULL) {
        json_t *next;

        *dot = '\0';
        next = json_object_get(at, k);
        if (next == NULL) {
            next = json_object();
            json_object_set_new(at, k, next);
        }
        at = next;
        k = dot + 1;
    }
    if (value == NULL)
        json_object_del(at, k);
    else
        json_object_set_new(at, k, value);
}

/* oci.c's bundle for `script`, then `edit` applied to its config. */
void oci_bundle_edited(const char *script, const char *id, char *dir, size_t dlen, char *out,
                       size_t olen, void (*edit)(json_t *config, const char *out))
{
    char path[4300];
    json_t *config;

    oci_make_bundle(script, dir, dlen, out, olen, id);
    chmod(out, 0777); /* for a user that is not root, and a user namespace's root */
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_load_file(path, 0, NULL);
    assert_non_null(config);
    if (edit != NULL)
        edit(config, out);
    assert_int_equal(json_dump_file(config, path, JSON_INDENT(1)), 0);
    json_decref(config);
}

/* create, start, wait for the end, delete; what the command wrote to
 * /mnt/facts into facts. */
void oci_run_to_end(const char *dir, const char *id, const char *out, char *facts, size_t len)
{
    char path[4300];

    oci_create_ok(dir, id, out);
    oci_run_ok("start", id, NULL, NULL, NULL);
    if (oci_wait_status(id, "stopped", 10000) < 0)
        fail_msg("container %s did not stop within 10 s", id);
    oci_run_ok("delete", id, NULL, NULL, NULL);
    snprintf(path, sizeof(path), "%s/facts", out);
    oci_read_text(path, facts, len);
}

static void expect(const char *facts, const char *want)
{
    if (!mb_contains(facts, want))
        fail_msg("expected '%s' in what the container saw:\n%s", want, facts);
}

static void edit_process(json_t *config, const char *out)
{
    (void)out;
    oci_config_set(config, "process.user",
                   oci_json("{'uid': 1000, 'gid': 1000, 'additionalGids': [5, 6], "
                            "'umask': %d}",
                            027));
    oci_config_set(config, "process.rlimits",
                   oci_json("[{'type': 'RLIMIT_NOFILE', 'soft': 123, 'hard': 456}, "
                            "{'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 0}]"));
    oci_config_set(config, "process.oomScoreAdj", oci_json("500"));
    oci_config_set(config, "process.env", oci_json("['PATH=/bin:/usr/bin', 'MBVAR=two words']"));
    oci_config_set(config, "process.cwd", oci_json("'/etc'"));
    oci_config_set(
        config, "process.capabilities",
        oci_json("{'bounding': ['CAP_KILL', 'CAP_CHOWN', 'CAP_NET_BIND_SERVICE'], "
                 "'permitted': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'], 'effective': ['CAP_KILL'], "
                 "'inheritable': ['CAP_NET_BIND_SERVICE'], 'ambient': ['CAP_NET_BIND_SERVICE']}"));
}

void test_oci_config_process_is_set_as_given(void **state)
{
    char dir[4200], out[4200], id[64], facts[4096];

    (void)state;
    mb_hint("process.user (uid, gid, additionalGids, umask), rlimits, oomScoreAdj, env, cwd, "
            "the five capability sets and noNewPrivileges reach the command as given.");
    oci_require_root();
    oci_bundle_edited("{ grep -E '^(Uid|Gid|Groups|Cap...|NoNewPrivs):' /proc/self/status; umask; "
                      "echo nofile=$(ulimit -n)/$(ulimit -Hn) core=$(ulimit -c); "
                      "echo oom=$(cat /proc/self/oom_score_adj) cwd=$(pwd) MBVAR=$MBVAR; "
                      "touch /mnt/made; stat -c made=%a /mnt/made; } > /mnt/facts 2>&1",
                      oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), edit_process);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    expect(facts, "Uid:\t1000\t1000\t1000\t1000");
    expect(facts, "Gid:\t1000\t1000\t1000\t1000");
    expect(facts, "Groups:\t5 6");
    expect(facts, "0027");
    expect(facts, "made=640");
    expect(facts, "nofile=123/456 core=0");
    expect(facts, "oom=500 cwd=/etc MBVAR=two words");
    expect(facts, "CapBnd:\t0000000000000421"); /* KILL 5, CHOWN 0, NET_BIND_SERVICE 10 */
    /* Not root: execve leaves permitted and effective to the ambient set
     * (capabilities(7)), as it does under runc. */
    expect(facts, "CapInh:\t0000000000000400");
    expect(facts, "CapPrm:\t0000000000000400");
    expect(facts, "CapEff:\t0000000000000400");
    expect(facts, "CapAmb:\t0000000000000400");
    expect(facts, "NoNewPrivs:\t1");
}

static void edit_mounts(json_t *config, const char *out)
{
    char src[4300];

    snprintf(src, sizeof(src), "%s/ro", out);
    mkdir(src, 0755);
    json_array_extend(
        json_object_get(config, "mounts"),
        oci_json("[{'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs', "
                 "'options': ['nosuid', 'noexec', 'size=1m', 'mode=700']}, "
                 "{'destination': '/srv', 'type': 'bind', 'source': '%s', "
                 "'options': ['bind', 'ro']}, "
                 "{'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs', "
                 "'options': ['nosuid', 'noexec', 'nodev', 'ro']}, "
                 "{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup', "
                 "'options': ['nosuid', 'noexec', 'nodev', 'relatime', 'ro']}]",
                 src));
    oci_config_set(config, "linux.maskedPaths",
                   oci_json("['/proc/version', '/etc', '/no/such/path']"));
    oci_config_set(config, "linux.readonlyPaths", oci_json("['/proc/sys', '/proc/sysvipc']"));
    oci_config_set(config, "linux.rootfsPropagation", oci_json("'shared'"));
    oci_config_set(config, "domainname", oci_json("'mbdomain'"));
}

void test_oci_config_mounts_and_paths(void **state)
{
    char dir[4200], out[4200], id[64], facts[8192];

    (void)state;
    mb_hint("The config's mounts (tmpfs with options, a read-only bind, sysfs, a cgroup mount "
            "showing the container's own cgroup), masked and read-only paths, a read-only "
            "root, rootfsPropagation and domainname.");
    oci_require_root();
    oci_bundle_edited(
        "{ touch /rootfile && echo root-written; touch /srv/f && echo srv-written; "
        "touch /tmp/f && echo tmp-written; grep ' /tmp ' /proc/self/mountinfo; "
        "echo version=$(wc -c < /proc/version) etc=$(ls -A /etc | wc -l); "
        "grep -E ' /proc/sys(vipc)? ' /proc/self/mountinfo | cut -d' ' -f5,6; "
        "awk '$5 == \"/\"' /proc/self/mountinfo; "
        "echo pids.max=$(cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null); "
        "echo domain=$(cat /proc/sys/kernel/domainname); } > /mnt/facts 2>&1",
        oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), edit_mounts);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    assert_false(mb_contains(facts, "root-written"));
    assert_false(mb_contains(facts, "srv-written"));
    expect(facts, "tmp-written");
    expect(facts, "nosuid,nodev,noexec"); /* tmpfs: nodev is minibox's own addition */
    expect(facts, "size=1024k,mode=700");
    expect(facts, "version=0 etc=0");
    expect(facts, "/proc/sys ro,");
    expect(facts, "/proc/sysvipc ro,");
    expect(facts, " shared:");
    expect(facts, "pids.max=64");
    expect(facts, "domain=mbdomain");
}

static void edit_devices(json_t *config, const char *out)
{
    (void)out;
    oci_config_set(
        config, "linux.devices",
        oci_json("[{'path': '/dev/mbfull', 'type': 'c', 'major': 1, 'minor': 7, 'fileMode': %d, "
                 "'uid': 0, 'gid': 0}, {'path': '/dev/sub/mbzero', 'type': 'c', 'major': 1, "
                 "'minor': 5}]",
                 0640));
    oci_config_set(
        config, "linux.resources.devices",
        oci_json("[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1, "
                 "'minor': 3, 'access': 'rw'}]"));
    oci_config_set(config, "linux.sysctl",
                   oci_json("{'kernel.shmmax': '123456789', 'net.ipv4.ip_forward': '1'}"));
}

void test_oci_config_devices_and_sysctls(void **state)
{
    char dir[4200], out[4200], id[64], facts[4096], path[4300];
    struct mb_result r;
    json_t *config;

    (void)state;
    mb_hint("linux.devices are made in the container's /dev (a tmpfs of the config) with their "
            "mode, and allowed by the device cgroup; namespaced sysctls are set before "
            "/proc/sys goes read-only; a sysctl of the whole host is refused.");
    oci_require_root();
    oci_bundle_edited(
        "{ stat -c '%n %t:%T %a' /dev/mbfull /dev/sub/mbzero; "
        "echo full=$(head -c 3 /dev/mbfull | wc -c) zero=$(head -c 2 /dev/sub/mbzero | wc -c); "
        "echo shmmax=$(cat /proc/sys/kernel/shmmax) "
        "forward=$(cat /proc/sys/net/ipv4/ip_forward); } > /mnt/facts 2>&1",
        oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), edit_devices);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    expect(facts, "/dev/mbfull 1:7 640");
    expect(facts, "/dev/sub/mbzero 1:5 666");
    expect(facts, "full=3 zero=2");
    expect(facts, "shmmax=123456789 forward=1");

    /* kernel.panic is the host's, whatever namespaces the container has. */
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_load_file(path, 0, NULL);
    oci_config_set(config, "linux.sysctl", oci_json("{'kernel.panic': '5'}"));
    assert_int_equal(json_dump_file(config, path, 0), 0);
    json_decref(config);
    mb_run(&r, NULL, "create", "--bundle", dir, id, NULL);
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "kernel.panic"))
        fail_msg("the refusal does not name the sysctl: %s", r.err);
    mb_result_free(&r);
    oci_state_dir_gone(id);
}

static void edit_resources(json_t *config, const char *out)
{
    (void)out;
    oci_config_set(
        config, "linux.resources",
        oci_json(
            "{'memory': {'limit': %d}, 'cpu': {'shares': 512, 'quota': 50000, 'period': 100000}, "
            "'pids': {'limit': 64}}",
            64 << 20));
}

/* A cgroup file of the container, v1 name or v2 name, whichever exists. */
static long long cg_read(pid_t pid, const char *controller, const char *v1, const char *v2,
                         const char *key)
{
    char dir[4096], path[4200];

    mb_cgroup_dir(pid, controller, dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/%s", dir, v1);
    return mb_cgroup_read(dir, access(path, F_OK) == 0 ? v1 : v2, key);
}

void test_oci_config_cgroup_resources_update_and_ps(void **state)
{
    char out[4200], id[64], dir[4200];
    struct mb_result r;
    json_t *pids, *v;
    int found = 0;
    size_t i;
    pid_t pid;

    (void)state;
    mb_hint("linux.resources are written by cgroup.c, as run's limits are; update --resources "
            "changes them; ps --format json lists the container's processes (containerd's "
            "`ctr task ps` reads it).");
    oci_require_root();
    if (mb_cgroup_missing("memory") != NULL || mb_cgroup_missing("pids") != NULL ||
        mb_cgroup_missing("cpu") != NULL)
        mb_skip("the memory, cpu and pids controllers are needed");
    oci_bundle_edited("sleep 100", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out),
                      edit_resources);
    oci_create_ok(dir, id, out);
    {
        json_t *s = oci_state_of(id);
        pid = (pid_t)json_integer_value(json_object_get(s, "pid"));
        json_decref(s);
    }
    oci_run_ok("start", id, NULL, NULL, NULL);
    assert_int_equal(cg_read(pid, "memory", "memory.limit_in_bytes", "memory.max", NULL), 64 << 20);
    assert_int_equal(cg_read(pid, "pids", "pids.max", "pids.max", NULL), 64);
    mb_cgroup_dir(pid, "cpu", dir, sizeof(dir));
    if (mb_cgroup_read(dir, "cpu.cfs_quota_us", NULL) >= 0) {
        assert_int_equal(mb_cgroup_read(dir, "cpu.cfs_quota_us", NULL), 50000);
        assert_int_equal(mb_cgroup_read(dir, "cpu.shares", NULL), 512);
    } else {
        assert_int_equal(mb_cgroup_read(dir, "cpu.max", NULL), 50000); /* "50000 100000" */
    }

    mb_run(&r, "{\"pids\": {\"limit\": 77}, \"memory\": {\"limit\": 134217728}}", "update",
           "--resources", "-", id, NULL);
    if (r.status != 0)
        fail_msg("update --resources -: %d: %s", r.status, r.err);
    mb_result_free(&r);
    assert_int_equal(cg_read(pid, "pids", "pids.max", "pids.max", NULL), 77);
    assert_int_equal(cg_read(pid, "memory", "memory.limit_in_bytes", "memory.max", NULL),
                     128 << 20);

    mb_run(&r, NULL, "ps", "--format", "json", id, NULL);
    assert_int_equal(r.status, 0);
    pids = json_loads(r.out, 0, NULL);
    if (!json_is_array(pids))
        fail_msg("ps --format json printed no array: %s", r.out);
    json_array_foreach (pids, i, v)
        found += json_integer_value(v) == pid;
    json_decref(pids);
    mb_result_free(&r);
    assert_int_equal(found, 1);
    oci_run_ok("kill", "--all", id, "KILL", NULL);
    assert_int_equal(oci_wait_status(id, "stopped", 5000), 0);
    oci_run_ok("delete", id, NULL, NULL, NULL);
    mb_assert_nothing_leaked();
}

static void edit_hooks(json_t *config, const char *out)
{
    json_t *hooks = json_object();
    /* createContainer runs in the container's mount namespace before
     * pivot_root: the host's paths are still there. */
    static const char *const host[] = {"prestart", "createRuntime", "createContainer", "poststart",
                                       "poststop"};

    /* Each hook keeps the state it got on stdin and notes its turn. */
    for (size_t i = 0; i < 5; i++)
        json_object_set_new(hooks, host[i],
                            oci_json("[{'path': '/bin/sh', 'args': ['sh', '-c', 'cat > %s/%s.json; "
                                     "echo %s >> %s/order']}]",
                                     out, host[i], host[i], out));
    json_object_set_new(
        hooks, "startContainer",
        oci_json("[{'path': '/bin/sh', 'args': ['sh', '-c', 'cat > "
                 "/mnt/startContainer.json; echo startContainer >> /mnt/order']}]"));
    oci_config_set(config, "hooks", hooks);
}

void test_oci_config_hooks_run_in_order_with_the_state(void **state)
{
    static const char *const phases[] = {"prestart",       "createRuntime", "createContainer",
                                         "startContainer", "poststart",     "poststop"};
    char dir[4200], out[4200], id[64], path[4300], order[512];
    json_t *json;

    (void)state;
    mb_hint("Every hook phase runs, in the spec's order, where the spec says (createContainer "
            "and startContainer inside the container) with the container's state on stdin.");
    oci_require_root();
    oci_bundle_edited("echo ran >> /mnt/order", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out,
                      sizeof(out), edit_hooks);
    oci_create_ok(dir, id, out);
    oci_run_ok("start", id, NULL, NULL, NULL);
    assert_int_equal(oci_wait_status(id, "stopped", 10000), 0);
    oci_run_ok("delete", id, NULL, NULL, NULL);
    snprintf(path, sizeof(path), "%s/order", out);
    oci_read_text(path, order, sizeof(order));
    /* poststart runs after start has started the command: either order. */
    if (strcmp(order, "prestart\ncreateRuntime\ncreateContainer\nstartContainer\nran\n"
                      "poststart\npoststop\n") != 0 &&
        strcmp(order, "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\n"
                      "ran\npoststop\n") != 0)
        fail_msg("hooks ran in this order:\n%s", order);
    for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s.json", out, phases[i]);
        json = json_load_file(path, 0, NULL);
        if (json == NULL || json_string_value(json_object_get(json, "id")) == NULL ||
            strcmp(json_string_value(json_object_get(json, "id")), id) != 0 ||
            json_string_value(json_object_get(json, "status")) == NULL)
            fail_msg("hook %s did not get the container's state on stdin", phases[i]);
        if (strcmp(phases[i], "poststop") == 0)
            assert_string_equal(json_string_value(json_object_get(json, "status")), "stopped");
        json_decref(json);
    }
}

/* With no_new_privs: everything minibox calls while it sets the container
 * up, refused; only execve comes after the filter. */
static void edit_seccomp(json_t *config, const char *out)
{
    (void)out;
    oci_config_set(
        config, "linux.seccomp",
        oci_json("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['close_range', "
                 "'capset', 'prctl', 'setgroups', 'setresuid', 'setresgid', 'setuid', 'setgid', "
                 "'mount', 'umount2', 'pivot_root', 'chdir', 'fchdir', 'sethostname', 'mkdir', "
                 "'mkdirat', 'setrlimit', 'prlimit64', 'umask'], 'action': 'SCMP_ACT_ERRNO', "
                 "'errnoRet': %d}]}",
                 EPERM));
}

/* Without: installing a filter then needs CAP_SYS_ADMIN, so it goes in
 * before the capabilities are dropped (as runc does), and must allow what
 * follows (setuid, capset: Docker's profile does), but not what came
 * before (close_range: profiles older than Linux 5.9 do not list it). */
static void edit_seccomp_privs(json_t *config, const char *out)
{
    (void)out;
    oci_config_set(config, "process.noNewPrivileges", oci_json("false"));
    oci_config_set(
        config, "linux.seccomp",
        oci_json("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['close_range', "
                 "'mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': %d}]}",
                 EPERM));
}

void test_oci_config_own_seccomp_profile_is_installed_last(void **state)
{
    char dir[4200], out[4200], id[64], facts[1024];

    (void)state;
    mb_hint("A config's seccomp profile is installed as late as it can be: with noNewPrivileges "
            "as the very last step before execve, without it before the capabilities go. A "
            "profile that refuses what minibox itself calls before (close_range, mount...) must "
            "not stop create, and it holds for the command.");
    oci_require_root();
    oci_bundle_edited("mkdir /mnt/dir 2>/mnt/facts; echo mkdir=$? >> /mnt/facts",
                      oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), edit_seccomp);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    expect(facts, "mkdir=1");
    expect(facts, "Operation not permitted");

    oci_bundle_edited("mkdir /mnt/dir 2>/mnt/facts; echo mkdir=$? >> /mnt/facts",
                      oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out),
                      edit_seccomp_privs);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    expect(facts, "mkdir=1");
    expect(facts, "Operation not permitted");
}

void test_oci_config_namespaces_by_path_are_joined(void **state)
{
    char out_a[4200], id_a[64], dir[4200], out[4200], id[64], facts[4096], want[128], hook[512];
    static pid_t pid_a;
    json_t *config;
    char path[4300];

    (void)state;
    mb_hint("A namespace given by path is joined (a pod's containers share the pause "
            "container's network, ipc, uts and pid namespaces); the rest are the "
            "container's own. The runtime itself stays in its own: its createRuntime hook "
            "runs in the runtime's namespaces, as the spec says.");
    oci_require_root();
    pid_a = oci_start_container("sleep 100", oci_new_id(id_a, sizeof(id_a)), out_a, sizeof(out_a));
    oci_bundle_edited("{ for ns in net ipc uts; do readlink /proc/self/ns/$ns; done; hostname; "
                      "echo one=$(tr '\\0' ' ' < /proc/1/cmdline); } > /mnt/facts 2>&1",
                      oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), NULL);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_load_file(path, 0, NULL);
    oci_config_set(config, "linux.namespaces",
                   oci_json("[{'type': 'mount'}, {'type': 'network', 'path': '/proc/%d/ns/net'}, "
                            "{'type': 'ipc', 'path': '/proc/%d/ns/ipc'}, {'type': 'uts', 'path': "
                            "'/proc/%d/ns/uts'}, {'type': 'pid', 'path': '/proc/%d/ns/pid'}]",
                            (int)pid_a, (int)pid_a, (int)pid_a, (int)pid_a));
    oci_config_set(config, "hostname", NULL);
    oci_config_set(config, "hooks",
                   oci_json("{'createRuntime': [{'path': '/bin/sh', 'args': ['sh', '-c', "
                            "'readlink /proc/self/ns/net /proc/self/ns/pid > %s/hook']}]}",
                            out));
    assert_int_equal(json_dump_file(config, path, 0), 0);
    json_decref(config);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    snprintf(path, sizeof(path), "%s/hook", out);
    oci_read_text(path, hook, sizeof(hook));
    if (!mb_contains(hook, mb_ns_of(getpid(), "net", want, sizeof(want))) ||
        !mb_contains(hook, mb_ns_of(getpid(), "pid", want, sizeof(want))))
        fail_msg("the createRuntime hook ran in the pod's namespaces, not the runtime's:\n%s",
                 hook);
    expect(facts, mb_ns_of(pid_a, "net", want, sizeof(want)));
    expect(facts, mb_ns_of(pid_a, "ipc", want, sizeof(want)));
    expect(facts, mb_ns_of(pid_a, "uts", want, sizeof(want)));
    expect(facts, "ocitest");
    expect(facts, "one=sleep 100");
    oci_run_ok("delete", "--force", id_a, NULL, NULL);
    mb_assert_nothing_leaked();
}

static void edit_userns(json_t *config, const char *out)
{
    (void)out;
    json_array_append_new(json_object_get(json_object_get(config, "linux"), "namespaces"),
                          oci_json("{'type': 'user'}"));
    oci_config_set(config, "linux.uidMappings",
                   oci_json("[{'containerID': 0, 'hostID': 200000, 'size': 1000}, "
                            "{'containerID': 1000, 'hostID': 300000, 'size': 64536}]"));
    oci_config_set(config, "linux.gidMappings",
                   oci_json("[{'containerID': 0, 'hostID': 200000, 'size': 65536}]"));
}

void test_oci_config_user_namespace_has_the_given_maps(void **state)
{
    char dir[4200], out[4200], id[64], facts[4096], path[4300];
    struct stat st;

    (void)state;
    mb_hint("linux.uidMappings and gidMappings are written as given (several ranges too), "
            "and the container's root is the mapped host id.");
    oci_require_root();
    mb_require(CLONE_NEWUSER);
    oci_bundle_edited("{ cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /mnt/byroot; } "
                      "> /mnt/facts 2>&1",
                      oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), edit_userns);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    expect(facts, "0     200000       1000");
    expect(facts, "1000     300000      64536");
    expect(facts, "0     200000      65536");
    snprintf(path, sizeof(path), "%s/byroot", out);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 200000);
}

void test_oci_config_systemd_cgroup_path_nests_slices(void **state)
{
    char dir[4200], out[4200], id[64], cmd[16000], path[4300], text[4096], want[512];
    json_t *config, *s;
    pid_t pid;
    int created, removed;

    (void)state;
    mb_hint("With --systemd-cgroup, cgroupsPath is slice:prefix:name and the container goes "
            "where systemd would put it: a-b-c.slice inside a-b.slice inside a.slice (kubelet's "
            "kubepods-besteffort-podUID.slice), in prefix-name.scope.");
    oci_require_root();
    oci_bundle_edited("sleep 100", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out),
                      NULL);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_load_file(path, 0, NULL);
    oci_config_set(config, "linux.cgroupsPath",
                   oci_json("'minibox-sd-x.slice:minibox:%s'", id + strlen("minibox-")));
    assert_int_equal(json_dump_file(config, path, 0), 0);
    json_decref(config);
    snprintf(cmd, sizeof(cmd),
             "'%s' --root '%s' --systemd-cgroup create --bundle '%s' '%s' </dev/null "
             ">'%s/create.out' 2>&1",
             mb_minibox, mb_state, dir, id, out);
    created = system(cmd) == 0;
    if (created) {
        s = oci_state_of(id);
        pid = (pid_t)json_integer_value(json_object_get(s, "pid"));
        json_decref(s);
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        oci_read_text(path, text, sizeof(text));
        oci_run_ok("delete", "--force", id, NULL, NULL);
    } else {
        snprintf(path, sizeof(path), "%s/create.out", out);
        oci_read_text(path, text, sizeof(text));
    }
    /* The slices are systemd's to remove; here, the test's, whatever
     * happened (a failed test leaks nothing into the next). */
    removed = system("find /sys/fs/cgroup -depth -type d \\( -name minibox-sd-x.slice -o "
                     "-name minibox-sd.slice -o -name minibox.slice \\) -exec rmdir {} +");
    if (!created)
        fail_msg("create --systemd-cgroup: %s", text);
    assert_int_equal(removed, 0);
    snprintf(want, sizeof(want), "/minibox.slice/minibox-sd.slice/minibox-sd-x.slice/%s.scope", id);
    if (!mb_contains(text, want))
        fail_msg("expected the container in %s:\n%s", want, text);
}

/* The cgroup v2 mount, when it offers a controller at all. */
static const char *v2_with_controllers(void)
{
    static const char *const mounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL};
    char path[128], text[512];

    for (int i = 0; mounts[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/cgroup.controllers", mounts[i]);
        if (access(path, R_OK) != 0)
            continue;
        oci_read_text(path, text, sizeof(text));
        return text[0] != '\0' && text[0] != '\n' ? mounts[i] : NULL;
    }
    return NULL;
}

void test_oci_config_cgroup_parent_that_cannot_hand_down_runs(void **state)
{
    char dir[4200], out[4200], id[64], busy[64], path[4300], cmd[16000], text[4096];
    const char *v2;
    json_t *config;
    pid_t holder;
    int status;

    (void)state;
    mb_hint("An OCI cgroupsPath below a v2 cgroup that cannot hand its controllers down (it "
            "holds processes: cgroup v2's no-internal-process rule) runs when no limit needs "
            "them, as `run` does below such a cgroup: the parents minibox makes lack them too.");
    oci_require_root();
    v2 = v2_with_controllers();
    if (v2 == NULL)
        mb_skip("cgroup v2 offers no controller here: there is nothing to hand down");
    snprintf(busy, sizeof(busy), "minibox-busy-%d", (int)getpid());
    snprintf(path, sizeof(path), "%s/%s", v2, busy);
    assert_int_equal(mkdir(path, 0755), 0);
    holder = fork();
    assert_true(holder >= 0);
    if (holder == 0) {
        pause();
        _exit(0);
    }
    snprintf(cmd, sizeof(cmd), "echo %d > '%s/cgroup.procs'", (int)holder, path);
    status = system(cmd);

    oci_bundle_edited("echo ran > /mnt/ran", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out,
                      sizeof(out), NULL);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_load_file(path, 0, NULL);
    oci_config_set(config, "linux.cgroupsPath", oci_json("'/%s/x/%s'", busy, id));
    oci_config_set(config, "linux.resources", NULL); /* no limit needs a controller */
    assert_int_equal(json_dump_file(config, path, 0), 0);
    json_decref(config);
    if (status == 0) {
        snprintf(cmd, sizeof(cmd),
                 "'%s' --root '%s' create --bundle '%s' '%s' </dev/null >'%s/create.out' 2>&1 && "
                 "'%s' --root '%s' start '%s' && for i in $(seq 100); do test -e '%s/ran' && "
                 "break; sleep 0.05; done; '%s' --root '%s' delete --force '%s' 2>/dev/null",
                 mb_minibox, mb_state, dir, id, out, mb_minibox, mb_state, id, out, mb_minibox,
                 mb_state, id);
        status = system(cmd);
    }
    /* The parents minibox made stay for other containers; here they are
     * the test's to remove, whatever happened. */
    kill(holder, SIGKILL);
    waitpid(holder, NULL, 0);
    snprintf(cmd, sizeof(cmd),
             "find /sys/fs/cgroup -depth -type d -path '*/%s*' -exec rmdir {} + 2>/dev/null", busy);
    (void)!system(cmd);

    snprintf(path, sizeof(path), "%s/create.out", out);
    oci_read_text(path, text, sizeof(text));
    if (status != 0)
        fail_msg("a container below %s/%s did not run: %s", v2, busy, text);
    snprintf(path, sizeof(path), "%s/ran", out);
    assert_int_equal(access(path, F_OK), 0);
    mb_assert_nothing_leaked();
}

void test_oci_config_runcs_default_spec_runs(void **state)
{
    char dir[4200], out[4200], id[64], cmd[9000], path[4300], facts[16384];
    json_t *config;

    (void)state;
    mb_hint("The config `runc spec` writes (every mount type of a default container, masked and "
            "read-only paths, ambient capabilities that are not inheritable, an rlimit) runs.");
    oci_require_root();
    oci_bundle_edited("true", oci_new_id(id, sizeof(id)), dir, sizeof(dir), out, sizeof(out), NULL);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    unlink(path);
    snprintf(cmd, sizeof(cmd), "cd '%s' && (runc spec || crun spec) >/dev/null 2>&1", dir);
    if (system(cmd) != 0)
        mb_skip("neither runc nor crun is installed to write its default config");
    config = json_load_file(path, 0, NULL);
    assert_non_null(config);
    oci_config_set(config, "root", oci_json("{'path': '%s', 'readonly': true}", mb_rootfs));
    oci_config_set(config, "process.terminal", json_false());
    oci_config_set(config, "process.args",
                   oci_json("['sh', '-c', 'grep Cap /proc/self/status > /mnt/facts; "
                            "ls /sys/fs/cgroup >> /mnt/facts; echo done >> /mnt/facts']"));
    json_array_append_new(json_object_get(config, "mounts"),
                          oci_json("{'destination': '/mnt', 'type': 'bind', 'source': '%s', "
                                   "'options': ['rbind']}",
                                   out));
    oci_config_set(config, "linux.cgroupsPath", json_string(id));
    assert_int_equal(json_dump_file(config, path, 0), 0);
    json_decref(config);
    oci_run_to_end(dir, id, out, facts, sizeof(facts));
    expect(facts, "done");
}
