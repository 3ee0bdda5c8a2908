/*
 * containerd.c - minibox as containerd's runtime (chapter 10). The suite
 * starts Debian's containerd itself, on a private root, state dir, sockets
 * and config under mb_tmp (no systemd unit, the CRI plugin off), and tells
 * its runc shim (io.containerd.runc.v2) to run minibox instead of runc:
 * ctr's --runc-binary, the runtime option Kubernetes sets as BinaryName.
 * The image is an OCI layout made by umoci from the rootfs archive the tree
 * builds, imported with `ctr image import`. test_containerd_cleanup stops
 * containerd and removes everything it made (run it last, before the leak
 * check).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbtest.h"
#include "oci.h"

static char ctr_dir[4200];
static const char *ctr_missing;
static pid_t containerd_pid;

/* What containerd's shim makes outside our dirs whatever its config says
 * (its sockets; ctr's fifos unless told --fifo-dir), removed after if it
 * was not there. */
static const char *const run_dirs[] = {"/run/containerd/s", "/run/containerd/fifo",
                                       "/run/containerd"};
static int run_dir_existed[3];

#define IMAGE "docker.io/library/mbtest:latest"

/* ctr on our containerd and namespace with args (a shell fragment); its
 * stdout and stderr into out (when not NULL); its status back. */
static int ctr(const char *args, char *out, size_t len)
{
    char cmd[9000];
    size_t n = 0;
    FILE *p;
    int status;

    snprintf(cmd, sizeof(cmd), "ctr -a '%s/c.sock' -n mbtest %s 2>&1 </dev/null", ctr_dir, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (out != NULL)
        out[0] = '\0';
    while (out != NULL && n < len - 1 && fgets(out + n, (int)(len - n), p) != NULL)
        n = strlen(out);
    while (out == NULL && fgetc(p) != EOF) {
    }
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `ctr run` with minibox as the shim's runtime, its state under ours and a
 * cgroup the leak check watches (minibox-*). */
static int ctr_run(const char *id, const char *opts, const char *command, char *out, size_t len)
{
    char args[8000];

    snprintf(args, sizeof(args),
             "run --runtime io.containerd.runc.v2 --runc-binary '%s' --runc-root '%s/runc' "
             "--fifo-dir '%s/fifo' --cgroup /minibox-ctr-%s %s %s %s %s",
             mb_minibox, ctr_dir, ctr_dir, id, opts, IMAGE, id, command);
    return ctr(args, out, len);
}

/* `ctr task exec` with its fifos under ours (a detached exec leaves them). */
static int ctr_exec(const char *args, char *out, size_t len)
{
    char cmd[8000];

    snprintf(cmd, sizeof(cmd), "task exec --fifo-dir '%s/fifo' %s", ctr_dir, args);
    return ctr(cmd, out, len);
}

static const char *start_containerd(void)
{
    static char why[700];
    char path[4300], log[4300];
    FILE *f;

    snprintf(path, sizeof(path), "%s/config.toml", ctr_dir);
    f = fopen(path, "w");
    if (f == NULL)
        return "cannot write containerd's config";
    fprintf(f,
            "version = 2\nroot = \"%s/root\"\nstate = \"%s/state\"\n"
            "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
            "[grpc]\n  address = \"%s/c.sock\"\n[ttrpc]\n  address = \"%s/c.sock.ttrpc\"\n"
            "[debug]\n  address = \"%s/d.sock\"\n"
            "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"%s/opt\"\n",
            ctr_dir, ctr_dir, ctr_dir, ctr_dir, ctr_dir, ctr_dir);
    fclose(f);
    snprintf(log, sizeof(log), "%s/containerd.log", ctr_dir);
    fflush(NULL);
    containerd_pid = fork();
    if (containerd_pid < 0)
        return "fork failed";
    if (containerd_pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDONLY);

        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        setpgid(0, 0);
        execlp("containerd", "containerd", "--config", path, (char *)NULL);
        _exit(127);
    }
    snprintf(path, sizeof(path), "%s/c.sock", ctr_dir);
    for (int waited = 0; waited < 20000; waited += 50) {
        int fd = mb_connect_unix(path);

        if (fd >= 0) {
            close(fd);
            return NULL;
        }
        if (waitpid(containerd_pid, NULL, WNOHANG) == containerd_pid) {
            containerd_pid = 0;
            snprintf(why, sizeof(why), "containerd exited at start: see %.600s", log);
            return why;
        }
        usleep(50000);
    }
    snprintf(why, sizeof(why), "containerd did not listen on %.600s within 20 s", path);
    return why;
}

/* An OCI image of the rootfs archive (umoci), imported as IMAGE. */
static const char *import_image(void)
{
    static char why[700];
    char cmd[16000], out[4096];

    /* The tree builds this archive: its absence is a failure, not a reason
     * to skip (make rootfs writes it next to the rootfs). */
    if (access(mb_busybox_tar, R_OK) != 0)
        fail_msg("%s: %s (run 'make rootfs')", mb_busybox_tar, strerror(errno));
    snprintf(cmd, sizeof(cmd),
             "set -e; cd '%s'; umoci init --layout oci; umoci new --image oci:latest; "
             "umoci raw add-layer --image oci:latest '%s'; "
             "umoci config --image oci:latest --config.cmd /bin/sh "
             "--config.env PATH=/bin:/sbin:/usr/bin; tar -C oci -cf oci.tar .",
             ctr_dir, mb_busybox_tar);
    if (system(cmd) != 0)
        return "umoci could not make the test image";
    snprintf(cmd, sizeof(cmd), "image import --base-name docker.io/library/mbtest '%s/oci.tar'",
             ctr_dir);
    if (ctr(cmd, out, sizeof(out)) != 0) {
        snprintf(why, sizeof(why), "ctr image import failed: %.500s", out);
        return why;
    }
    return NULL;
}

static void require_containerd(void)
{
    if (geteuid() != 0)
        mb_skip("the containerd tests need root");
    mb_require(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC);
    if (ctr_dir[0] == '\0') {
        snprintf(ctr_dir, sizeof(ctr_dir), "%s/containerd", mb_tmp);
        mkdir(ctr_dir, 0700);
        for (size_t i = 0; i < sizeof(run_dirs) / sizeof(run_dirs[0]); i++)
            run_dir_existed[i] = access(run_dirs[i], F_OK) == 0;
        if (system("(command -v containerd && command -v ctr && command -v "
                   "containerd-shim-runc-v2 && command -v umoci) >/dev/null") != 0)
            ctr_missing = "containerd, ctr, containerd-shim-runc-v2 or umoci is not installed "
                          "(scripts/deps.sh installs them)";
        if (ctr_missing == NULL)
            ctr_missing = start_containerd();
        if (ctr_missing == NULL)
            ctr_missing = import_image();
    }
    if (ctr_missing != NULL)
        mb_skip(ctr_missing);
}

/* The STATUS column of `ctr task ls` for a task (RUNNING, PAUSED, STOPPED). */
static const char *task_status(const char *id)
{
    static char status[32];
    char out[4096], *line;

    status[0] = '\0';
    ctr("task ls", out, sizeof(out));
    line = strstr(out, id);
    if (line != NULL)
        sscanf(line, "%*s %*s %31s", status);
    return status;
}

static int wait_task_status(const char *id, const char *want)
{
    for (int waited = 0; waited < 10000; waited += 100) {
        if (strcmp(task_status(id), want) == 0)
            return 0;
        usleep(100000);
    }
    return -1;
}

/* The counter the detached task writes, read from the host through
 * /proc/PID/root of the task's first process (an exec would wait while the
 * task is paused). */
static long read_counter(const char *id)
{
    char out[4096], path[64], buf[64] = "", *line;
    long pid = 0;
    FILE *f;

    ctr("task ls", out, sizeof(out));
    line = strstr(out, id);
    if (line == NULL || sscanf(line, "%*s %ld", &pid) != 1)
        return -1;
    snprintf(path, sizeof(path), "/proc/%ld/root/tmp/count", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fgets(buf, sizeof(buf), f) == NULL)
        buf[0] = '\0';
    fclose(f);
    return atol(buf);
}

void test_containerd_run_attached(void **state)
{
    char out[4096];
    int status;

    (void)state;
    mb_hint("containerd's runc shim drives minibox as runc (create, start, the exit status "
            "through the shim, delete).");
    require_containerd();
    status = ctr_run("mbctr-att", "--rm", "sh -c 'echo hello-$((40+2)); exit 3'", out, sizeof(out));
    if (status != 3 || !mb_contains(out, "hello-42"))
        fail_msg("ctr run through minibox: expected hello-42 and status 3, got %d: %s", status,
                 out);
    ctr("container ls -q", out, sizeof(out));
    assert_false(mb_contains(out, "mbctr-att"));
    mb_assert_nothing_leaked();
}

void test_containerd_detached_exec_ps_pause_kill(void **state)
{
    char out[8192];
    long before, after;
    int status;

    (void)state;
    mb_hint("A detached task: exec attached (its status) and --detach (seen by `ctr task ps` "
            "through ps --format json), pause and resume (the cgroup freezer), kill with the "
            "status containerd reports, delete.");
    require_containerd();
    status = ctr_run("mbctr-bg", "-d",
                     "sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count.new; "
                     "mv /tmp/count.new /tmp/count; sleep 0.05; done'",
                     out, sizeof(out));
    if (status != 0)
        fail_msg("ctr run -d through minibox: %d: %s", status, out);
    if (wait_task_status("mbctr-bg", "RUNNING") < 0)
        fail_msg("ctr task ls does not show mbctr-bg RUNNING: %s", task_status("mbctr-bg"));

    status = ctr_exec("--exec-id e1 mbctr-bg sh -c 'echo in-exec $(cat /proc/1/cmdline "
                      "| tr \"\\0\" \" \"); exit 4'",
                      out, sizeof(out));
    if (status != 4 || !mb_contains(out, "in-exec sh -c"))
        fail_msg("ctr task exec: expected in-exec and status 4, got %d: %s", status, out);

    status = ctr_exec("--detach --exec-id e2 mbctr-bg sleep 1000", out, sizeof(out));
    if (status != 0)
        fail_msg("ctr task exec --detach: %d: %s", status, out);
    for (int waited = 0; waited < 5000; waited += 100) {
        ctr("task ps mbctr-bg", out, sizeof(out));
        if (mb_contains(out, "e2"))
            break;
        usleep(100000);
    }
    if (!mb_contains(out, "e2"))
        fail_msg("ctr task ps does not show the detached exec e2: %s", out);

    status = ctr("task pause mbctr-bg", out, sizeof(out));
    if (status != 0 || wait_task_status("mbctr-bg", "PAUSED") < 0)
        fail_msg("ctr task pause: %d: %s", status, out);
    before = read_counter("mbctr-bg");
    usleep(300000);
    after = read_counter("mbctr-bg");
    if (before <= 0 || after != before)
        fail_msg("paused, the counter moved (or could not be read): %ld then %ld", before, after);
    status = ctr("task resume mbctr-bg", out, sizeof(out));
    if (status != 0 || wait_task_status("mbctr-bg", "RUNNING") < 0)
        fail_msg("ctr task resume: %d: %s", status, out);
    for (int waited = 0; waited < 5000 && after <= before; waited += 100) {
        usleep(100000);
        after = read_counter("mbctr-bg");
    }
    if (after <= before)
        fail_msg("resumed, the counter does not move: %ld then %ld", before, after);

    status = ctr("task kill -s SIGKILL mbctr-bg", out, sizeof(out));
    if (status != 0 || wait_task_status("mbctr-bg", "STOPPED") < 0)
        fail_msg("ctr task kill: %d: %s; status %s", status, out, task_status("mbctr-bg"));
    status = ctr("task delete mbctr-bg", out, sizeof(out));
    if (status != 0 || !mb_contains(out, "137"))
        fail_msg("ctr task delete of a SIGKILLed task: expected its status 137, got %d: %s", status,
                 out);
    assert_int_equal(ctr("container delete mbctr-bg", out, sizeof(out)), 0);
    mb_assert_nothing_leaked();
}

/* containerd's snapshots leave overlay mounts below its root. */
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

void test_containerd_cleanup(void **state)
{
    char cmd[8400];

    (void)state;
    mb_hint("containerd is stopped and everything it made removed before the leak check.");
    if (ctr_dir[0] == '\0')
        mb_skip("containerd was not used");
    if (containerd_pid > 0) {
        ctr("task resume mbctr-bg", NULL, 0); /* a failed test may leave it paused */
        ctr("task kill -s SIGKILL mbctr-bg", NULL, 0);
        ctr("task delete -f mbctr-bg", NULL, 0);
        ctr("container delete mbctr-bg", NULL, 0);
        ctr("task delete -f mbctr-att", NULL, 0);
        ctr("container delete mbctr-att", NULL, 0);
        ctr("image rm " IMAGE, NULL, 0);
        kill(containerd_pid, SIGTERM);
        for (int i = 0; i < 100 && waitpid(containerd_pid, NULL, WNOHANG) == 0; i++)
            usleep(100000);
        kill(containerd_pid, SIGKILL);
        waitpid(containerd_pid, NULL, 0);
        containerd_pid = 0;
    }
    unmount_below(ctr_dir);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ctr_dir);
    assert_int_equal(system(cmd), 0);
    for (size_t i = 0; i < sizeof(run_dirs) / sizeof(run_dirs[0]); i++)
        if (!run_dir_existed[i])
            rmdir(run_dirs[i]);
    ctr_dir[0] = '\0';
    mb_assert_nothing_leaked();
}
