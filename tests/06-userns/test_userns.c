/*
 * Suite 06-userns: root inside is an unprivileged uid outside, both for
 * root with --userns=auto and for a normal user (rootless), and a rootless
 * container keeps every isolation of chapters 1-4.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbtest.h"

#define USER_SUB   "mbtest-rootless"
#define USER_PLAIN "mbtest-single"

static uid_t sub_uid, plain_uid;
static gid_t sub_gid, plain_gid;
static const char *no_sub, *no_plain; /* why there is no such user */

/* Does /etc/subuid give uid's user a range? */
static int has_subuid_range(uid_t uid)
{
    char line[512], name[256] = "";
    struct passwd *pw = getpwuid(uid);
    FILE *f = fopen("/etc/subuid", "r");
    int found = 0;

    if (pw != NULL)
        snprintf(name, sizeof(name), "%s:", pw->pw_name);
    while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
        found = name[0] != '\0' && strncmp(line, name, strlen(name)) == 0;
    if (f != NULL)
        fclose(f);
    return found;
}

static int suite_setup(void **state)
{
    int ret = mb_group_setup(state);

    if (ret != 0)
        return ret;
    /* Run by a normal user (the normal-user pass of make test-vm, from a
     * login session), the rootless tests run as that user. */
    if (geteuid() != 0) {
        sub_uid = geteuid();
        sub_gid = getegid();
        if (!has_subuid_range(sub_uid))
            no_sub = "this user has no range in /etc/subuid";
        no_plain = "needs a second user without ranges, which only root can make";
        return 0;
    }
    /* From chapter 7 on, a rootless run's default network is slirp4netns,
     * which needs /dev/net/tun. Where there is none, a chapter-7 binary
     * fails with its own clear error, and chapter 6 does not need it. */
    (void)mb_tun_for_users();
    no_sub = mb_user_create(USER_SUB, 1, &sub_uid, &sub_gid);
    no_plain = no_sub != NULL ? no_sub : mb_user_create(USER_PLAIN, 0, &plain_uid, &plain_gid);
    return 0;
}

static int suite_teardown(void **state)
{
    mb_user_delete(USER_SUB);
    mb_user_delete(USER_PLAIN);
    mb_tun_restore();
    return mb_group_teardown(state);
}

/* For the tests of root's own runs (--userns=auto). */
static void require_userns(void)
{
    mb_require(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS);
}

/* For the rootless tests: root (who runs them as the users it made), or a
 * normal user whom the host lets make a user namespace. */
static void require_rootless(void)
{
    int wstatus;
    pid_t pid;

    if (geteuid() == 0) {
        require_userns();
        return;
    }
    pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWUSER) < 0 ? 1 : 0);
    if (pid < 0 || waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) ||
        WEXITSTATUS(wstatus) != 0)
        mb_skip("this host does not let a normal user make a user namespace (see 'minibox "
                "info')");
}

static void become(uid_t uid, gid_t gid)
{
    const char *why = uid == sub_uid ? no_sub : no_plain;

    if (why != NULL)
        mb_skip(why);
    mb_as_user(uid, gid);
}

/* The first line of "uid_map=...": inside, outside, count. */
static void map_line(const char *out, const char *key, unsigned long v[3])
{
    char line[256];

    mb_kv(out, key, line, sizeof(line));
    if (sscanf(line, "%lu %lu %lu", &v[0], &v[1], &v[2]) != 3)
        fail_msg("no %s in the probe's output: %s", key, out);
}

/* The host's view: the Uid: line of /proc/PID/status. */
static unsigned long host_uid_of(pid_t pid)
{
    char path[64], line[256];
    unsigned long uid = (unsigned long)-1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "Uid: %lu", &uid) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return uid;
}

/* Run `probe hold` with one option; returns the outside uid of its root. */
static unsigned long held_outside_uid(const char *opt, char *facts, size_t len)
{
    struct mb_proc p;
    char line[512];
    unsigned long uid;
    pid_t child;

    if (opt != NULL)
        mb_spawn(&p, "run", opt, "--rootfs", mb_rootfs, "probe", "hold", NULL);
    else
        mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    facts[0] = '\0';
    while (mb_read_line(&p, line, sizeof(line), 20000) == 0 && strcmp(line, "ready") != 0)
        snprintf(facts + strlen(facts), len - strlen(facts), "%s\n", line);
    child = mb_child_of(p.pid);
    assert_true(child > 0);
    uid = host_uid_of(child);
    assert_int_equal(mb_finish(&p, 10000), 0);
    return uid;
}

static void test_auto_maps_root_to_an_unprivileged_range(void **state)
{
    unsigned long map[3], outside;
    char facts[4096], v[32];

    (void)state;
    mb_hint("--userns=auto: CLONE_NEWUSER and a uid_map that maps root inside to an unprivileged "
            "range outside.");
    require_userns();
    outside = held_outside_uid("--userns=auto", facts, sizeof(facts));
    assert_string_equal(mb_kv(facts, "uid", v, sizeof(v)), "0");
    map_line(facts, "uid_map", map);
    assert_int_equal(map[0], 0);
    assert_true(map[1] >= 65536); /* not a host user's uid */
    assert_true(map[2] >= 65536);
    assert_int_equal(outside, map[1]); /* the host sees the mapped uid */
}

/* Without --userns, root stays the host's root (chapter 5's behaviour). */
static void test_root_without_userns_keeps_host_ids(void **state)
{
    unsigned long map[3];
    char facts[4096];

    (void)state;
    mb_hint("Without --userns a container run by root keeps the host's ids: no user namespace is "
            "made.");
    require_userns();
    assert_int_equal(held_outside_uid(NULL, facts, sizeof(facts)), 0);
    map_line(facts, "uid_map", map);
    assert_int_equal(map[1], 0);
}

static void test_auto_files_belong_to_the_mapped_uid(void **state)
{
    char dir[4200], spec[8500], file[4300], facts[4096];
    unsigned long map[3];
    struct mb_result r;
    struct stat st;

    (void)state;
    mb_hint("Files made by root inside belong, on the host, to the uid the map gives it.");
    require_userns();
    held_outside_uid("--userns=auto", facts, sizeof(facts));
    map_line(facts, "uid_map", map);
    snprintf(dir, sizeof(dir), "%s/auto-vol", mb_tmp);
    mkdir(dir, 0777);
    chmod(dir, 0777);
    snprintf(spec, sizeof(spec), "%s:/mnt", dir);
    mb_run(&r, NULL, "run", "--userns=auto", "-v", spec, "--rootfs", mb_rootfs, "sh", "-c",
           "echo made > /mnt/by-container", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    snprintf(file, sizeof(file), "%s/by-container", dir);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_uid, map[1]);
}

/* Root inside is nobody special to the host's files. */
static void test_auto_root_cannot_write_a_host_root_file(void **state)
{
    char dir[4200], spec[8500], file[4300];
    struct mb_result r;
    char v[32];
    FILE *f;

    (void)state;
    mb_hint("Root inside a user namespace is an unprivileged uid to the host's files: a root-owned "
            "file is not writable.");
    require_userns();
    snprintf(dir, sizeof(dir), "%s/root-owned", mb_tmp);
    mkdir(dir, 0755);
    snprintf(file, sizeof(file), "%s/secret", dir);
    f = fopen(file, "w");
    assert_non_null(f);
    fputs("host\n", f);
    fclose(f);
    chmod(file, 0644);
    snprintf(spec, sizeof(spec), "%s:/mnt", dir);
    mb_run(&r, NULL, "run", "--userns=auto", "-v", spec, "--rootfs", mb_rootfs, "probe", "write",
           "/mnt/secret", "owned", NULL);
    assert_string_equal(mb_kv(r.out, "write", v, sizeof(v)), "EACCES");
    mb_result_free(&r);
}

static void test_rootless_root_is_the_user_outside(void **state)
{
    unsigned long map[3], outside;
    char facts[4096], v[32];

    (void)state;
    mb_hint("Run by a normal user, minibox makes a user namespace whose root is that user outside "
            "(newuidmap/newgidmap or a single mapping).");
    require_rootless();
    become(sub_uid, sub_gid);
    outside = held_outside_uid(NULL, facts, sizeof(facts));
    mb_as_user(0, 0);
    assert_string_equal(mb_kv(facts, "uid", v, sizeof(v)), "0");
    map_line(facts, "uid_map", map);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], sub_uid);
    assert_int_equal(map[2], 1);
    assert_int_equal(outside, sub_uid);
    /* The subordinate range from /etc/subuid follows, via newuidmap. */
    assert_true(mb_contains(facts, "uid_map=") && sub_uid != 0);
}

/* A user with no /etc/subuid range: the single mapping, setgroups denied. */
static void test_rootless_single_mapping(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("Without /etc/subuid ranges the user maps only their own uid, and must write \"deny\" "
            "to setgroups before gid_map.");
    require_rootless();
    become(plain_uid, plain_gid);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c",
           "cat /proc/self/uid_map /proc/self/setgroups; id -u", NULL);
    mb_as_user(0, 0);
    assert_int_equal(r.status, 0);
    {
        unsigned long in, out, count;
        char setgroups[16];
        int id;
        assert_int_equal(sscanf(r.out, "%lu %lu %lu %15s %d", &in, &out, &count, setgroups, &id),
                         5);
        assert_int_equal(in, 0);
        assert_int_equal(out, plain_uid);
        assert_int_equal(count, 1);
        assert_string_equal(setgroups, "deny");
        assert_int_equal(id, 0);
    }
    mb_result_free(&r);
}

/* Chapters 1 to 4, rootless: PID 1, own hostname, own /proc, no escape,
 * minimal /dev, exit statuses, a volume. */
static void test_rootless_keeps_chapters_1_to_4(void **state)
{
    char marker[4200], dir[4200], spec[8500];
    struct mb_result r;
    char v[64];

    (void)state;
    mb_hint("In a user namespace the container's root may create the other namespaces and mounts: "
            "every isolation of chapters 1-4 holds rootless.");
    require_rootless();
    snprintf(marker, sizeof(marker), "%s/host-marker", mb_tmp);
    fclose(fopen(marker, "w"));
    snprintf(dir, sizeof(dir), "%s/user-vol", mb_tmp);
    mkdir(dir, 0755);
    become(sub_uid, sub_gid);
    assert_int_equal(chown(dir, sub_uid, sub_gid), 0);
    snprintf(spec, sizeof(spec), "%s:/mnt", dir);

    mb_run(&r, NULL, "run", "--hostname", "rootless", "-v", spec, "--rootfs", mb_rootfs, "sh", "-c",
           "echo $$; hostname; probe pids; probe escape $0; echo hi > /mnt/f; exit 7", marker,
           NULL);
    mb_as_user(0, 0);
    assert_int_equal(r.status, 7);
    assert_true(strncmp(r.out, "1\nrootless\n", 11) == 0);
    /* sh is 1, the probe listing /proc another small number: nothing of the host's */
    mb_kv(r.out, "pids", v, sizeof(v));
    {
        int a = 0, b = 0, n = sscanf(v, "%d %d", &a, &b);
        if (n < 1 || a != 1 || (n == 2 && b > 10) || strlen(v) > 8)
            fail_msg("a rootless container sees other processes: pids=%s", v);
    }
    assert_string_equal(mb_kv(r.out, "escaped", v, sizeof(v)), "0");
    mb_result_free(&r);

    become(sub_uid, sub_gid);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "ls", "/dev", NULL);
    assert_string_equal(r.out, "fd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\n"
                               "tty\nurandom\nzero\n");
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "no-such-command", NULL);
    assert_int_equal(r.status, 127);
    mb_result_free(&r);
    mb_as_user(0, 0);
}

/* A rootless run keeps its state in the user's own directories. */
static void test_rootless_state_is_the_users(void **state)
{
    char path[128];
    struct stat st;
    struct mb_proc p;

    (void)state;
    mb_hint("A rootless run keeps its state in the user's own directories ($XDG_RUNTIME_DIR or "
            "--root), never in root's.");
    require_rootless();
    become(sub_uid, sub_gid);
    mb_spawn(&p, "run", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    mb_expect_line(&p, "ready", 20000);
    mb_as_user(0, 0);
    assert_int_equal(mb_finish(&p, 10000), 0);
    /* The harness passes --root; without it the default is the user's. */
    snprintf(path, sizeof(path), "%s/state-%u/containers", mb_tmp, (unsigned)sub_uid);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, sub_uid);
}

/* Does systemd delegate a subtree with the memory controller to this
 * (non-root) user, with their own manager answering? */
static int user_manager_delegates_memory(void)
{
    char path[4200], controllers[256] = "";
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    FILE *f;

    if (geteuid() == 0)
        return 0;
    if (xdg != NULL)
        snprintf(path, sizeof(path), "%s/systemd/private", xdg);
    else
        snprintf(path, sizeof(path), "/run/user/%u/systemd/private", (unsigned)geteuid());
    if (access(path, W_OK) < 0 || system("command -v systemd-run >/dev/null") != 0)
        return 0;
    snprintf(path, sizeof(path),
             "/sys/fs/cgroup/user.slice/user-%u.slice/user@%u.service/cgroup.controllers",
             (unsigned)geteuid(), (unsigned)geteuid());
    f = fopen(path, "r");
    if (f != NULL && fgets(controllers, sizeof(controllers), f) == NULL)
        controllers[0] = '\0';
    if (f != NULL)
        fclose(f);
    return mb_contains(controllers, "memory");
}

/* A rootless limit is real or refused, never dropped: a --memory 32M hog
 * is OOM-killed (137 and the report), or the run fails with 125 naming the
 * delegation it lacks. Where systemd delegates a subtree with memory to the
 * user (a logged-in user: make test-vm's normal-user pass), it must be
 * real: minibox starts in a cgroup of the user's own manager (systemd-run
 * --user --scope, the fix the refusal names) and places the container in
 * that subtree. Run by root, the users it makes have no such subtree. */
static void test_rootless_limit_is_real_or_refused(void **state)
{
    static const char *const user_scope[] = {"systemd-run", "--user", "--scope",
                                             "--quiet",     "--",     NULL};
    int delegated = user_manager_delegates_memory();
    struct mb_result r;

    (void)state;
    mb_hint("A limit needs a cgroup the user may write to: the top of the subtree systemd "
            "delegated to them (user@UID.service); without one minibox refuses the limit with "
            "125, naming the fix.");
    require_rootless();
    become(sub_uid, sub_gid);
    if (delegated)
        mb_run_through(user_scope);
    mb_run(&r, NULL, "run", "--memory", "32M", "--rootfs", mb_rootfs, "probe", "hog", "256", NULL);
    mb_run_through(NULL);
    mb_as_user(0, 0);
    if (r.status == 137 && mb_contains(r.err, "OOM")) {
        mb_result_free(&r);
        mb_assert_nothing_leaked();
        return;
    }
    if (delegated)
        fail_msg("systemd delegates memory to this user: a rootless --memory 32M hog must be "
                 "OOM-killed (137), got %d: %s",
                 r.status, r.err);
    mb_assert_usage_error(&r);
    if (!mb_contains(r.err, "delegat"))
        fail_msg("a refused rootless limit must name the delegation it lacks: %s", r.err);
    mb_result_free(&r);
}

/* ---- the rootless state root ------------------------------------------ */

/* Without XDG_RUNTIME_DIR a user's state root is /tmp/minibox-UID, a name
 * anyone can take first. The attacker (USER_PLAIN) makes it, as a dir of
 * theirs open to all with a stale container planted in it (gc would clean
 * it up, acting on the attacker's files), or as a symlink to such a dir. The
 * victim's run must refuse before it touches anything there: 125, one line,
 * the planted files as they were, nothing made in the attacker's dir. */
static void squat(const char *root, const char *target, int as_symlink)
{
    char cmd[4 * 4300];

    /* the attacker's dir, open to all, with a stale container planted */
    snprintf(
        cmd, sizeof(cmd),
        "rm -rf '%s' '%s' && mkdir -p '%s/containers/%064d' && touch '%s/containers/%064d/lock' "
        "&& chmod -R 0777 '%s' && chown -R %u:%u '%s'",
        root, target, target, 0, target, 0, target, (unsigned)plain_uid, (unsigned)plain_gid,
        target);
    assert_int_equal(system(cmd), 0);
    if (as_symlink)
        snprintf(cmd, sizeof(cmd), "ln -s '%s' '%s' && chown -h %u:%u '%s'", target, root,
                 (unsigned)plain_uid, (unsigned)plain_gid, root);
    else
        snprintf(cmd, sizeof(cmd), "mv '%s' '%s'", target, root);
    assert_int_equal(system(cmd), 0);
}

static void test_rootless_state_root_squatted_is_refused(void **state)
{
    char root[64], target[4200], planted[4400], cmd[8800];
    struct mb_result r;

    (void)state;
    mb_hint("A normal user's state root in /tmp is checked before anything uses it: a directory "
            "of the user's own, closed to others, never a symlink.");
    require_userns();
    become(sub_uid, sub_gid);
    snprintf(root, sizeof(root), "/tmp/minibox-%u", (unsigned)sub_uid);
    snprintf(target, sizeof(target), "%s/squat", mb_tmp);
    for (int as_symlink = 0; as_symlink < 2; as_symlink++) {
        const char *dir = as_symlink ? target : root;

        squat(root, target, as_symlink);
        mb_use_default_root(1);
        mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "true", NULL);
        mb_use_default_root(0);
        if (r.status != 125 || !mb_contains(r.err, root))
            fail_msg("%s made by another user%s: the run must refuse it (exit 125, naming it), "
                     "got exit %d: %s",
                     root, as_symlink ? " (a symlink)" : "", r.status, r.err);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
        snprintf(planted, sizeof(planted), "%s/containers/%064d/lock", dir, 0);
        if (access(planted, F_OK) != 0)
            fail_msg("the run cleaned up the attacker's planted state in %s", dir);
        snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -mindepth 1 -not -uid %u)\"", dir,
                 (unsigned)plain_uid);
        if (system(cmd) != 0)
            fail_msg("the run made files in the attacker's %s", dir);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root, target);
        assert_int_equal(system(cmd), 0);
    }
    mb_as_user(0, 0);
    mb_assert_nothing_leaked();
}

static void test_errors_name_the_cause(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("A refused rootless setup fails with one line naming the cause (missing newuidmap, "
            "sysctl, ranges) and exit 125.");
    require_rootless();
    mb_run(&r, NULL, "run", "--userns=sometimes", "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);

    /* Ranges in /etc/subuid but no newuidmap on the PATH. */
    become(sub_uid, sub_gid);
    setenv("MB_SAVED_PATH", getenv("PATH"), 1);
    setenv("PATH", "/nonexistent", 1);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "true", NULL);
    setenv("PATH", getenv("MB_SAVED_PATH"), 1);
    mb_as_user(0, 0);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "newuidmap") && mb_contains(r.err, "uidmap"));
    mb_result_free(&r);
}

int main(void)
{
    /* grade: total=18 */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_maps_root_to_an_unprivileged_range),
        cmocka_unit_test(test_root_without_userns_keeps_host_ids),
        cmocka_unit_test(test_auto_files_belong_to_the_mapped_uid),
        cmocka_unit_test(test_auto_root_cannot_write_a_host_root_file),
        cmocka_unit_test(test_rootless_root_is_the_user_outside),
        cmocka_unit_test(test_rootless_single_mapping),
        cmocka_unit_test(test_rootless_keeps_chapters_1_to_4),
        cmocka_unit_test(test_rootless_state_is_the_users),
        cmocka_unit_test(test_rootless_limit_is_real_or_refused),
        cmocka_unit_test(
            test_rootless_state_root_squatted_is_refused), /* grade: points=2
                                                              doc=#the-state-root-of-a-normal-user
                                                            */
        cmocka_unit_test(test_errors_name_the_cause),
        cmocka_unit_test(mb_test_nothing_leaked),
    };

    return cmocka_run_group_tests_name("06-userns", tests, suite_setup, suite_teardown);
}
