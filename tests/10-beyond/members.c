/*
 * members.c - a shared lab machine: two normal users in the daemon's group
 * (made here with useradd, each with a subordinate range and a home of its
 * own, removed after each test) run, exec into, log and remove their own
 * containers with a volume from their own home. Every way to the host's
 * root or to the other user's files is refused with one line and 125:
 * chapter 10's options that lift the hardening (and --device), exec or inspect of the
 * other's container, an --env-file the user cannot read; -e NAME takes the
 * user's own value, never the daemon's. (Chapter 9's suite has the rest:
 * volumes, ids, ps/logs/rm, limits.)
 */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beyond.h"

#define GROUP "mbtest-lab"
#define ANN   "mbtest-ann"
#define BOB   "mbtest-bob"

struct member {
    const char *name;
    uid_t uid;
    gid_t gid;
    char home[64];
};

static struct member ann = {.name = ANN}, bob = {.name = BOB};
static gid_t lab_gid;
static struct mb_daemon lab;

static void as(const struct member *m)
{
    mb_as_user(m->uid, lab_gid);
}

static void as_root(void)
{
    mb_as_user(0, 0);
}

static const char *make_member(struct member *m)
{
    char cmd[256];
    const char *why = mb_user_create(m->name, 1, &m->uid, &m->gid);

    if (why != NULL)
        return why;
    snprintf(cmd, sizeof(cmd), "usermod -aG %s %s >/dev/null 2>&1", GROUP, m->name);
    if (system(cmd) != 0)
        return "usermod -aG failed";
    snprintf(m->home, sizeof(m->home), "/home/%s", m->name);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", m->home);
    if (system(cmd) != 0 || mkdir(m->home, 0700) < 0 || chown(m->home, m->uid, m->gid) < 0)
        return "cannot make the member's home in /home";
    return NULL;
}

static void remove_member(struct member *m)
{
    char cmd[128];

    mb_user_delete(m->name);
    if (m->home[0] != '\0') {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", m->home);
        if (system(cmd) != 0)
            print_message("# could not remove %s\n", m->home);
    }
    m->home[0] = '\0';
}

/* The group, the two members, and a daemon serving them. A variable the
 * daemon has in its environment: -e NAME must never hand it out. */
int bx_members_setup(void **state)
{
    const char *why;
    struct group *gr;

    (void)state;
    if (geteuid() != 0)
        return 0; /* each test skips with the reason */
    if (system("groupdel " GROUP " >/dev/null 2>&1; groupadd " GROUP " >/dev/null 2>&1") != 0)
        return 0;
    why = make_member(&ann);
    if (why == NULL)
        why = make_member(&bob);
    gr = getgrnam(GROUP);
    if (why != NULL || gr == NULL)
        return 0;
    lab_gid = gr->gr_gid;
    setenv("MB_LAB_SECRET", "the daemon's own value", 1);
    why = mb_daemon_start(&lab, GROUP);
    unsetenv("MB_LAB_SECRET");
    if (why != NULL)
        print_message("# %s\n", why);
    return 0;
}

int bx_members_teardown(void **state)
{
    struct mb_result r;

    (void)state;
    as_root();
    if (mb_daemon_alive(&lab)) {
        char *line, *save = NULL;

        mb_run(&r, NULL, "ps", "-a", "-q", NULL);
        for (line = strtok_r(r.out, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
            struct mb_result rm;
            mb_run(&rm, NULL, "rm", "-f", line, NULL);
            mb_result_free(&rm);
        }
        mb_result_free(&r);
    }
    mb_daemon_stop(&lab, 10000);
    memset(&lab, 0, sizeof(lab));
    remove_member(&ann);
    remove_member(&bob);
    if (system("groupdel " GROUP " >/dev/null 2>&1") != 0) {
        /* it was never made */
    }
    return 0;
}

static void require_lab(void)
{
    bx_require();
    if (!mb_daemon_alive(&lab) || ann.home[0] == '\0' || bob.home[0] == '\0')
        mb_skip("the members or their daemon could not be made (useradd, groupadd)");
}

/* Refused, as bad input is: one line, 125, and the command never ran. */
static void expect_refused(struct mb_result *r, const char *what)
{
    if (mb_contains(r->out, "reached"))
        fail_msg("%s: the container ran: %s", what, r->out);
    if (r->status != 125 || mb_count_lines(r->err) != 1)
        fail_msg("%s: expected one line and 125, got %d: '%s'", what, r->status, r->err);
    mb_result_free(r);
}

/* `run -d` of a member's container with a volume of its home at /data. */
static void run_own(const struct member *m, const char *name, char id[65])
{
    char vol[128];
    struct mb_result r;

    snprintf(vol, sizeof(vol), "%s:/data", m->home);
    as(m);
    mb_run(&r, NULL, "run", "-d", "--name", name, "--net", "none", "-v", vol, "--rootfs", mb_rootfs,
           "sh", "-c", "echo from-inside > /data/made; echo log-line; exec sleep 1000", NULL);
    as_root();
    if (r.status != 0 || strlen(r.out) != 65)
        fail_msg("%s's run -d with a volume of its home failed (%d): %s", m->name, r.status, r.err);
    memcpy(id, r.out, 64);
    id[64] = '\0';
    mb_result_free(&r);
}

/* Each member runs, execs into, logs and removes its own container with a
 * volume from its home; the other's is out of reach for exec, inspect,
 * logs and rm. */
void test_members_use_their_own_containers(void **state)
{
    struct member *m[2] = {&ann, &bob};
    char ids[2][65], names[2][32], made[128];
    struct mb_result r;
    struct stat st;

    (void)state;
    mb_hint("Each member runs, execs into, logs and removes its own containers; the other's are "
            "out of reach.");
    require_lab();
    for (int i = 0; i < 2; i++) {
        snprintf(names[i], sizeof(names[i]), "lab-%s", m[i]->name + 7);
        run_own(m[i], names[i], ids[i]);
    }
    for (int i = 0; i < 2; i++) {
        int other = 1 - i;
        char want[64];

        as(m[i]);
        for (int t = 0; t < 50; t++) { /* the command writes a moment after the run is up */
            mb_run(&r, NULL, "exec", names[i], "cat", "/data/made", NULL);
            if (r.status == 0 || t == 49)
                break;
            mb_result_free(&r);
            usleep(100000);
        }
        if (r.status != 0 || strcmp(r.out, "from-inside\n") != 0)
            fail_msg("%s's exec into its own container: %d '%s' '%s'", m[i]->name, r.status, r.out,
                     r.err);
        mb_result_free(&r);
        /* Inside, exec is the container's root, which is the member. */
        mb_run(&r, NULL, "exec", names[i], "cat", "/proc/self/uid_map", NULL);
        snprintf(want, sizeof(want), "0 %u 1", (unsigned)m[i]->uid);
        {
            unsigned long in, out, count;
            if (r.status != 0 || sscanf(r.out, "%lu %lu %lu", &in, &out, &count) != 3 || in != 0 ||
                out != m[i]->uid || count != 1)
                fail_msg("exec's uid_map must start '%s': %s %s", want, r.out, r.err);
        }
        mb_result_free(&r);
        mb_run(&r, NULL, "logs", names[i], NULL);
        if (!mb_contains(r.out, "log-line"))
            fail_msg("%s's logs of its own container: %s %s", m[i]->name, r.out, r.err);
        mb_result_free(&r);

        /* The other's container does not exist for it. */
        mb_run(&r, NULL, "exec", names[other], "echo", "reached", NULL);
        expect_refused(&r, "exec into the other member's container");
        mb_run(&r, NULL, "exec", ids[other], "echo", "reached", NULL);
        expect_refused(&r, "exec into the other member's container by id");
        mb_run(&r, NULL, "inspect", names[other], NULL);
        if (mb_contains(r.out, m[other]->home))
            fail_msg("inspect showed the other member's container: %s", r.out);
        expect_refused(&r, "inspect of the other member's container");
        mb_run(&r, NULL, "logs", names[other], NULL);
        expect_refused(&r, "logs of the other member's container");
        mb_run(&r, NULL, "rm", "-f", names[other], NULL);
        expect_refused(&r, "rm -f of the other member's container");
        as_root();
    }
    for (int i = 0; i < 2; i++) {
        snprintf(made, sizeof(made), "%s/made", m[i]->home);
        assert_int_equal(stat(made, &st), 0);
        if (st.st_uid != m[i]->uid)
            fail_msg("%s: the container's file in the volume is uid %u's, not the member's", made,
                     (unsigned)st.st_uid);
        as(m[i]);
        mb_run(&r, NULL, "rm", "-f", names[i], NULL);
        as_root();
        if (r.status != 0)
            fail_msg("%s's rm -f of its own container: %s", m[i]->name, r.err);
        mb_result_free(&r);
    }
    mb_run(&r, NULL, "ps", "-a", "-q", NULL);
    assert_string_equal(r.out, "");
    mb_result_free(&r);
}

/* What would give a member's container the host's power back. */
void test_members_cannot_lift_the_hardening(void **state)
{
    const char *asks[][3] = {
        {"--privileged", NULL, NULL},
        {"--cap-add", "ALL", NULL},
        {"--cap-add", "SYS_ADMIN", NULL},
        {"--security-opt", "seccomp=unconfined", NULL},
        {"--security-opt", "seccomp:unconfined", NULL},
        {"--device", "/dev/null:/dev/extra", NULL},
    };
    struct mb_result r;

    (void)state;
    mb_hint("A member may not lift chapter 10's hardening: --privileged, --cap-add beyond the "
            "default set, seccomp=unconfined.");
    require_lab();
    for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
        const char *argv[16] = {"run", "--rm", "--net", "none"};
        int n = 4;

        for (int k = 0; k < 3 && asks[i][k] != NULL; k++)
            argv[n++] = asks[i][k];
        argv[n++] = "--rootfs";
        argv[n++] = mb_rootfs;
        argv[n++] = "echo";
        argv[n++] = "reached";
        argv[n] = NULL;
        as(&ann);
        mb_run_argv(&r, NULL, (char *const *)argv);
        as_root();
        expect_refused(&r, asks[i][0]);
    }
    /* Giving back one of the default set is no more than the default. */
    as(&ann);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--cap-drop", "ALL", "--cap-add", "CHOWN",
           "--rootfs", mb_rootfs, "echo", "reached", NULL);
    as_root();
    if (r.status != 0 || !mb_contains(r.out, "reached"))
        fail_msg("--cap-drop ALL --cap-add CHOWN must work for a member: %d %s", r.status, r.err);
    mb_result_free(&r);
}

/* -e NAME is the member's value (its client sends it), never the daemon's;
 * an --env-file is read by the client, as the member: one it cannot read
 * is refused. */
void test_members_environment_is_their_own(void **state)
{
    char own[128], roots[4300];
    struct mb_result r;
    FILE *f;

    (void)state;
    mb_hint("Through the daemon, -e NAME and --env-file are read by the client, as the caller.");
    require_lab();
    snprintf(own, sizeof(own), "%s/app.env", ann.home);
    f = fopen(own, "w");
    assert_non_null(f);
    fputs("FROM_FILE=ann's file\n", f);
    fclose(f);
    assert_int_equal(chown(own, ann.uid, ann.gid), 0);
    assert_int_equal(chmod(own, 0600), 0);
    snprintf(roots, sizeof(roots), "%s/roots.env", mb_tmp);
    f = fopen(roots, "w");
    assert_non_null(f);
    fputs("ROOTS=secret\n", f);
    fclose(f);
    assert_int_equal(chmod(roots, 0600), 0);

    setenv("MB_LAB_MINE", "ann's value", 1);
    as(&ann);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "-e", "MB_LAB_MINE", "-e", "MB_LAB_SECRET",
           "--env-file", own, "--rootfs", mb_rootfs, "probe", "env", "MB_LAB_MINE", "MB_LAB_SECRET",
           "FROM_FILE", NULL);
    as_root();
    unsetenv("MB_LAB_MINE");
    assert_int_equal(r.status, 0);
    bx_assert_kv(&r, "env.MB_LAB_MINE", "ann's value");
    bx_assert_kv(&r, "unset.MB_LAB_SECRET", "1"); /* the daemon has it; ann has not */
    bx_assert_kv(&r, "env.FROM_FILE", "ann's file");
    mb_result_free(&r);

    as(&ann);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--env-file", roots, "--rootfs", mb_rootfs,
           "echo", "reached", NULL);
    as_root();
    expect_refused(&r, "--env-file of a file only root may read");
    as(&ann);
    mb_run(&r, NULL, "run", "--rm", "--net", "none", "--env-file", "/etc/shadow", "--rootfs",
           mb_rootfs, "echo", "reached", NULL);
    as_root();
    expect_refused(&r, "--env-file /etc/shadow");
    unlink(own);
    unlink(roots);
}

/* exec becomes the container's root (the member) before it does anything
 * inside: a -w directory in a rootfs of root's is not made as the host's
 * root. */
void test_member_exec_is_the_members_root(void **state)
{
    char id[65], planted[4300];
    struct mb_result r;

    (void)state;
    mb_hint("exec into a user namespace container becomes its root before doing anything inside.");
    require_lab();
    run_own(&ann, "lab-exec", id);
    snprintf(planted, sizeof(planted), "%s/bin/mbtest-planted", mb_rootfs);
    rmdir(planted);
    as(&ann);
    mb_run(&r, NULL, "exec", "-w", "/bin/mbtest-planted", "lab-exec", "echo", "reached", NULL);
    as_root();
    if (bx_exists(planted)) {
        rmdir(planted);
        fail_msg("exec -w made a directory in root's rootfs as the host's root");
    }
    if (r.status == 0)
        fail_msg("exec -w in a directory the member may not write succeeded: %s", r.out);
    mb_result_free(&r);
    as(&ann);
    mb_run(&r, NULL, "exec", "lab-exec", "sh", "-c", "id -u; touch /bin/x 2>&1", NULL);
    as_root();
    if (!mb_contains(r.out, "0\n") || !mb_contains(r.out, "denied"))
        fail_msg("exec must be the container's root, which may not write root's rootfs: %s", r.out);
    mb_result_free(&r);
}
