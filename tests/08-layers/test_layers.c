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
    assert_int_equal(r.status, 0); /* "minibox image import FILE NAME" exits 0 */
    assert_true(strncmp(r.out, "sha256:", 7) == 0);
    mb_result_free(&r);
}

static void test_import_and_run_an_image(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("image import stores the tarball as a layer under its digest; run IMAGE mounts "
            "overlayfs with it as a lower dir.");
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
    mb_hint("Writes and deletions go to the container's own upper dir of the overlay; the image's "
            "layers are read-only lower dirs.");
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
    mb_hint("commit tars the container's upper dir (whiteouts as .wh. files) into a new layer on "
            "top of the image's.");
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
    mb_hint("Two containers of one image share its layers and each has its own upper dir.");
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
    mb_hint("Extraction refuses entries that escape the layer (.., absolute paths, links out): "
            "libarchive's secure flags, checked per entry.");
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

/* A failed commit test must not leave its container to the next test's
 * leak check: stop it (it ends on its own then) and remove its record. */
static void commit_swapper_gone(struct mb_proc *p)
{
    struct mb_result r;

    mb_finish(p, 10000);
    mb_run(&r, NULL, "rm", "swapper", NULL);
    mb_result_free(&r);
}

/* commit of a running container whose root swaps a directory of its layer
 * with a symlink to a host directory, as fast as the kernel goes: a commit
 * that reads the layer by name (d/secret) goes through the link now and
 * then, and the host's file lands in the image. Nothing may be opened
 * through a link (and the full engine freezes the container): no commit
 * may hold the host's bytes. */
static void test_commit_of_a_running_container_follows_no_link(void **state)
{
    char secret[4300], name[64], cmd[8600];
    struct mb_result r;
    struct mb_proc p;
    int committed = 0;
    FILE *f;

    (void)state;
    mb_hint("commit reads a container's layer by fds, O_NOFOLLOW, never by path (the full engine "
            "also freezes it): a symlink to a host file swapped in stays a symlink.");
    require_layers();
    import_base();
    snprintf(secret, sizeof(secret), "%s/commit-host", mb_tmp);
    mkdir(secret, 0755);
    snprintf(cmd, sizeof(cmd), "%s/secret", secret);
    f = fopen(cmd, "w");
    assert_non_null(f);
    fputs("HOSTSECRET of the host\n", f);
    fclose(f);
    mb_spawn(&p, "run", "--name", "swapper", "base", "probe", "swap", "/swapped", secret, NULL);
    mb_expect_line(&p, "ready", 20000);
    /* A commit may refuse a layer that changes under it (125, one line);
     * five must go through, so that the check below looks at real layers.
     * How many are refused on the way depends on the machine's load (the
     * swapper gets more of the CPU when others run), hence up to 50 tries. */
    for (int i = 0; i < 50 && committed < 5; i++) {
        snprintf(name, sizeof(name), "swapped%d", committed);
        mb_run(&r, NULL, "commit", "swapper", name, NULL);
        if (r.status == 0)
            committed++;
        else if (r.status != 125 || mb_count_lines(r.err) != 1) {
            commit_swapper_gone(&p);
            fail_msg("commit %d of the running container failed badly (%d): %s", i, r.status,
                     r.err);
        }
        mb_result_free(&r);
    }
    if (committed < 5) {
        commit_swapper_gone(&p);
        fail_msg("only %d of 50 commits of the running container went through", committed);
    }
    assert_int_equal(mb_finish(&p, 10000), 0);
    snprintf(cmd, sizeof(cmd), "grep -rqs HOSTSECRET '%s/layers'", mb_state);
    if (system(cmd) == 0)
        fail_msg("a committed layer holds the host's %s: commit followed the container's symlink",
                 secret);
    mb_run(&r, NULL, "rm", "swapper", NULL); /* it has ended: rm -f is chapter 9 */
    mb_result_free(&r);
    for (int i = 0; i < committed; i++) {
        snprintf(name, sizeof(name), "swapped%d", i);
        mb_run(&r, NULL, "rmi", name, NULL);
        mb_result_free(&r);
    }
    mb_run(&r, NULL, "rmi", "base", NULL);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

static const char *tmp_file(char *buf, size_t len, const char *name);

/*
 * Hostile image archives (link, forged, bomb, bigjson), built by
 * fixtures/make_hostile.py (python3), which chapter 8's text runs too; its
 * head says what each holds. A tar holding the file "hostmark" ("HOSTMARK")
 * is the host file a link points at.
 */
static void fixture(const char *script, const char *args)
{
    char rel[256], path[4096], cmd[16384];

    snprintf(rel, sizeof(rel), "tests/08-layers/fixtures/%s", script);
    if (mb_repo_path(rel, path, sizeof(path)) == NULL)
        mb_skip("tests/08-layers/fixtures not found (set MB_REPO to the checkout)");
    if (system("command -v python3 >/dev/null") != 0)
        mb_skip("python3 is needed to build the test archives");
    snprintf(cmd, sizeof(cmd), "python3 '%s' %s", path, args);
    if (system(cmd) != 0)
        fail_msg("%s %s failed", rel, args);
}

static void make_hostile(const char *out, const char *kind, const char *target)
{
    char args[9000];

    snprintf(args, sizeof(args), "'%s' '%s' '%s'", out, kind, target);
    fixture("make_hostile.py", args);
}

/* A tar on the host holding "hostmark" = HOSTMARK: what a link points at. */
static const char *host_layer(char *buf, size_t len)
{
    char dir[4300], cmd[9000];

    snprintf(dir, sizeof(dir), "%s/host-layer-src", mb_tmp);
    snprintf(buf, len, "%s/host-layer.tar", mb_tmp);
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s' && echo HOSTMARK > '%s/hostmark' && tar -C '%s' -cf '%s' hostmark", dir,
             dir, dir, buf);
    assert_int_equal(system(cmd), 0);
    return buf;
}

static void refused(const char *what, const struct mb_result *r)
{
    if (r->status != 125)
        fail_msg("%s: the import must be refused (125), got %d%s: %s", what, r->status,
                 r->status == -1 ? " (it did not end within 30 s)" : "", r->err);
    mb_assert_usage_error(r);
}

/* A blob that is a symlink out of the archive is refused, never read: to a
 * host file it would become a layer of the host's bytes; to /dev/zero the
 * import would read forever, holding the store's lock. */
static void test_import_follows_no_link_out_of_the_archive(void **state)
{
    char file[4300], host[4400], cmd[4600];
    struct mb_result r;

    (void)state;
    mb_hint("Every blob of an archive is opened below it, through no symlink at all "
            "(openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), and must be a regular file.");
    require_layers();
    make_hostile(tmp_file(file, sizeof(file), "link-host.tar"), "link",
                 host_layer(host, sizeof(host)));
    mb_run(&r, NULL, "image", "import", file, "linked", NULL);
    refused("a layer blob that is a symlink to a host file", &r);
    mb_result_free(&r);
    snprintf(cmd, sizeof(cmd), "grep -rqs HOSTMARK '%s/layers'", mb_state);
    if (system(cmd) == 0)
        fail_msg("the host's file became a layer of the store");
    make_hostile(tmp_file(file, sizeof(file), "link-zero.tar"), "link", "/dev/zero");
    mb_run(&r, NULL, "image", "import", file, "zero", NULL);
    refused("a layer blob that is a symlink to /dev/zero", &r);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* Every blob is checked against the digest that names it, also when the
 * config gives no diff_ids to check the layers against. */
static void test_import_verifies_every_blob(void **state)
{
    char file[4300];
    struct mb_result r;

    (void)state;
    mb_hint("Every OCI blob (manifest, config, layers) must hash to the digest that names it, "
            "whether or not the config lists diff_ids.");
    require_layers();
    make_hostile(tmp_file(file, sizeof(file), "forged.tar"), "forged", "");
    mb_run(&r, NULL, "image", "import", file, "forged", NULL);
    refused("a layer blob that is not what its digest says (no diff_ids)", &r);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* An archive may be small and unpack to anything: capped, with the fix
 * named; and a manifest, index or config is a few KiB, not megabytes. */
static void test_import_size_limits(void **state)
{
    char file[4300];
    struct mb_result r;

    (void)state;
    mb_hint("What an import unpacks is counted against --max-size (64G by default) and JSON "
            "metadata may be 4 MiB at most: a clear error, nothing stored.");
    require_layers();
    make_hostile(tmp_file(file, sizeof(file), "bomb.tar"), "bomb", "");
    mb_run(&r, NULL, "image", "import", file, "bomb", "--max-size", "8M", NULL);
    refused("a layer unpacking to 24 MiB with --max-size 8M", &r);
    if (!mb_contains(r.err, "--max-size"))
        fail_msg("the error should name the fix (--max-size): %s", r.err);
    mb_result_free(&r);
    mb_run(&r, NULL, "image", "import", file, "bomb", "--max-size", "64M", NULL);
    if (r.status != 0)
        fail_msg("under its limit the same archive imports: %s", r.err);
    mb_result_free(&r);
    mb_run(&r, NULL, "rmi", "bomb", NULL);
    mb_result_free(&r);
    make_hostile(tmp_file(file, sizeof(file), "bigjson.tar"), "bigjson", "");
    mb_run(&r, NULL, "image", "import", file, "bigjson", NULL);
    refused("a 5 MiB index.json", &r);
    mb_result_free(&r);
    mb_run(&r, NULL, "image", "import", file, "x", "--max-size", "lots", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

static void test_bad_image_input_is_125(void **state)
{
    char missing[4300];
    struct mb_result r;

    (void)state;
    mb_hint("Unknown images, bad references and unreadable archives are refused with 125 and one "
            "line.");
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

/* A file of mb_tmp, made once per suite run. */
static const char *tmp_file(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", mb_tmp, name);
    return buf;
}

/* The layered images (fixtures/make_layered.py, which chapter 8's text runs
 * too: its head says what they hold), built once per suite run. */
static void make_layered(void)
{
    char done[4300], args[9000];

    if (access(tmp_file(done, sizeof(done), "diff_ids.txt"), F_OK) == 0)
        return;
    snprintf(args, sizeof(args), "'%s' '%s'", mb_rootfs, mb_tmp);
    fixture("make_layered.py", args);
}

static void read_small(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;

    buf[n] = '\0';
    if (f != NULL)
        fclose(f);
}

/* rootfs.diff_ids of `minibox image inspect REF`, as "sha256:a,sha256:b". */
static const char *diff_ids_of(const char *ref, char *buf, size_t len)
{
    struct mb_result r;
    const char *p, *end;

    buf[0] = '\0';
    mb_run(&r, NULL, "image", "inspect", ref, NULL);
    if (r.status != 0)
        fail_msg("image inspect %s failed (%d): %s", ref, r.status, r.err);
    p = strstr(r.out, "\"diff_ids\"");
    end = p ? strchr(p, ']') : NULL;
    while (p != NULL && (p = strstr(p, "\"sha256:")) != NULL && p < end) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%.71s", used ? "," : "", p + 1);
        p += 72;
    }
    mb_result_free(&r);
    return buf;
}

static void import_as(const char *file, const char *name)
{
    struct mb_result r;

    mb_run(&r, NULL, "image", "import", file, name, NULL);
    if (r.status != 0)
        fail_msg("image import %s %s failed (%d): %s", file, name, r.status, r.err);
    assert_true(strncmp(r.out, "sha256:", 7) == 0);
    mb_result_free(&r);
}

static void rmi(const char *name)
{
    struct mb_result r;

    mb_run(&r, NULL, "rmi", name, NULL);
    if (r.status != 0)
        fail_msg("rmi %s failed (%d): %s", name, r.status, r.err);
    mb_result_free(&r);
}

/* What the layered image's /t must be, seen from inside a container: the
 * whiteouts removed t/file, t/.hidden and t/gonedir; the opaque t/opq hides
 * old and sub; no .wh. name is visible. */
static const char layered_tree[] = "/t\n/t/etc\n/t/etc/conf\n/t/keep\n/t/keep/a\n/t/keep/b\n"
                                   "/t/opq\n/t/opq/new\n"
                                   "v2\na\nb\nnew\n";

static void check_layered_tree(const char *image)
{
    struct mb_result r;

    /* the Entrypoint is sh -c: the command is its script */
    mb_run(&r, NULL, "run", "--rm", image,
           "find /t | sort; cat /t/etc/conf /t/keep/a /t/keep/b /t/opq/new", NULL);
    if (r.status != 0)
        fail_msg("run %s failed (%d): %s", image, r.status, r.err);
    if (strcmp(r.out, layered_tree) != 0)
        fail_msg("%s: the tree is\n%s\nexpected\n%s", image, r.out, layered_tree);
    mb_result_free(&r);
}

/* A multi-layer OCI archive (one layer gzip'd) with whiteouts and an opaque
 * directory yields exactly the expected tree, and its config is honoured. */
static void test_multi_layer_oci_whiteouts_and_opaque_dir(void **state)
{
    char file[4300], want[512], got[512];
    struct mb_result r;

    (void)state;
    mb_hint("Each OCI layer is extracted in order; .wh. files become overlay whiteouts and "
            ".wh..wh..opq an opaque directory.");
    require_layers();
    make_layered();
    import_as(tmp_file(file, sizeof(file), "layered-oci.tar"), "layered:oci");
    mb_run(&r, NULL, "images", NULL);
    assert_true(mb_contains(r.out, "layered:oci"));
    mb_result_free(&r);
    read_small(tmp_file(file, sizeof(file), "diff_ids.txt"), want, sizeof(want));
    assert_string_equal(diff_ids_of("layered:oci", got, sizeof(got)), want);
    check_layered_tree("layered:oci");
    /* no command: Entrypoint + Cmd, with the image's Env and WorkingDir */
    mb_run(&r, NULL, "run", "--rm", "layered:oci", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "three in /t/keep\n");
    mb_result_free(&r);
    rmi("layered:oci");
    mb_assert_nothing_leaked();
}

/* The same layers as a `docker save` archive import to the same diff_ids;
 * removing one image keeps the layers the other still uses. */
static void test_docker_save_gives_the_same_layer_digests(void **state)
{
    char file[4300], oci[512], docker[512];
    struct mb_result r;

    (void)state;
    mb_hint("A layer is stored by the digest of its uncompressed tar (its diff_id), whatever "
            "archive it came in: layers are shared.");
    require_layers();
    make_layered();
    import_as(tmp_file(file, sizeof(file), "layered-oci.tar"), "layered:oci");
    import_as(tmp_file(file, sizeof(file), "layered-docker.tar"), "layered:docker");
    diff_ids_of("layered:oci", oci, sizeof(oci));
    diff_ids_of("layered:docker", docker, sizeof(docker));
    assert_int_equal(mb_count_lines(oci), 0);
    assert_int_equal(strlen(oci), 3 * 71 + 2);
    assert_string_equal(docker, oci);
    check_layered_tree("layered:docker");
    rmi("layered:docker");
    check_layered_tree("layered:oci"); /* its layers are still there */
    rmi("layered:oci");
    mb_run(&r, NULL, "images", NULL);
    assert_false(mb_contains(r.out, "layered"));
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* An archive whose layer does not match its config's diff_id is refused. */
static void test_altered_layer_is_refused(void **state)
{
    char file[4300];
    struct mb_result r;

    (void)state;
    mb_hint("An imported layer's digest must equal the diff_id its config names: a mismatch is "
            "refused.");
    require_layers();
    make_layered();
    mb_run(&r, NULL, "image", "import", tmp_file(file, sizeof(file), "bad-diff-id.tar"), "bad",
           NULL);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "diff_id"));
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rm", "bad", "true", NULL);
    mb_assert_usage_error(&r); /* no image was stored */
    mb_result_free(&r);
}

/* An OCI archive made by umoci (a tool nobody here wrote), from the test
 * rootfs, offline: layer 1 the rootfs, layer 2 adds a file and deletes one
 * (umoci writes the whiteout). */
static void test_umoci_archive_imports_and_runs(void **state)
{
    char dir[4300], cmd[16384], ids[512];
    struct mb_result r;

    (void)state;
    mb_hint("An OCI image layout written by another tool (umoci) imports: index.json, manifest, "
            "config and layers as the spec says.");
    require_layers();
    if (system("command -v umoci >/dev/null") != 0)
        mb_skip("umoci is not installed (scripts/deps.sh installs it)");
    tmp_file(dir, sizeof(dir), "umoci");
    snprintf(cmd, sizeof(cmd),
             "set -e; d='%s'; rm -rf \"$d\"; mkdir \"$d\"; cd \"$d\"\n"
             "umoci init --layout oci\n"
             "umoci new --image oci:mb\n"
             "umoci unpack --image oci:mb bundle\n"
             "cp -a '%s'/. bundle/rootfs/\n"
             "umoci repack --image oci:mb bundle\n"
             "umoci unpack --image oci:mb app\n"
             "echo made by umoci > app/rootfs/umoci.txt\n"
             "rm app/rootfs/bin/vi\n"
             "umoci repack --image oci:mb app\n"
             "umoci config --image oci:mb --config.env PATH=/bin:/usr/bin "
             "--config.workingdir /etc --config.cmd pwd\n"
             "umoci gc --layout oci\n"
             "tar -C oci -cf ../umoci.tar .\n",
             dir, mb_rootfs);
    if (system(cmd) != 0)
        fail_msg("building the image with umoci failed: %s", cmd);
    import_as(tmp_file(dir, sizeof(dir), "umoci.tar"), "umoci:test");
    assert_int_equal(strlen(diff_ids_of("umoci:test", ids, sizeof(ids))), 2 * 71 + 1);
    mb_run(&r, NULL, "run", "--rm", "umoci:test", "sh", "-c",
           "cat /umoci.txt /etc/minibox-rootfs; ls /bin/vi", NULL);
    assert_string_equal(r.out, "made by umoci\nminibox test rootfs\n");
    assert_int_not_equal(r.status, 0); /* the whiteout hides /bin/vi */
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rm", "umoci:test", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "/etc\n"); /* Cmd in WorkingDir */
    mb_result_free(&r);
    rmi("umoci:test");
    mb_assert_nothing_leaked();
}

/* image inspect shows the id and the config; an unknown image is an error. */
static void test_image_inspect(void **state)
{
    char ids[512];
    struct mb_result r;

    (void)state;
    mb_hint(
        "image inspect prints the stored config and the image id; an unknown image is an error.");
    require_layers();
    import_base();
    mb_run(&r, NULL, "image", "inspect", "base", NULL);
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(r.out, "\"Id\": \"sha256:"));
    assert_true(mb_contains(r.out, "\"Cmd\""));
    mb_result_free(&r);
    assert_int_equal(strlen(diff_ids_of("base", ids, sizeof(ids))), 71);
    mb_run(&r, NULL, "image", "inspect", "no-such-image", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

/* A deletion in one running container hides the file in that container
 * only: another container running at the same time still sees it. */
static void test_delete_hides_a_lower_file_there_only(void **state)
{
    struct mb_proc a;
    struct mb_result r;

    (void)state;
    mb_hint("A deletion in a container is a whiteout in its own upper dir: other containers of the "
            "image still see the file.");
    require_layers();
    import_base();
    mb_spawn(&a, "run", "--rm", "base", "sh", "-c",
             "rm /bin/vi && rm -r /usr/sbin && ! ls /bin/vi /usr/sbin 2>/dev/null && probe hold",
             NULL);
    mb_expect_line(&a, "ready", 20000);
    mb_run(&r, NULL, "run", "--rm", "base", "sh", "-c", "ls /bin/vi && ls /usr/sbin | grep -c .",
           NULL);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "/bin/vi\n", 8) == 0 && atoi(r.out + 8) > 0);
    mb_result_free(&r);
    assert_int_equal(mb_finish(&a, 10000), 0);
    mb_assert_nothing_leaked();
}

/* A directory removed and made again in a container is opaque in overlay
 * (trusted.overlay.opaque); commit must keep it so: the lower contents stay
 * hidden in the new image. */
static void test_commit_keeps_an_opaque_directory(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("commit must keep overlay's opaque directories (trusted.overlay.opaque) as "
            ".wh..wh..opq entries.");
    require_layers();
    import_base();
    mb_run(&r, NULL, "run", "--name", "opaque", "base", "sh", "-c",
           "rm -r /usr/sbin && mkdir /usr/sbin && echo only > /usr/sbin/only", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_run(&r, NULL, "commit", "opaque", "opaque:v1", NULL);
    if (r.status != 0)
        print_message("commit failed (%d): %s", r.status, r.err);
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "opaque", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--rm", "opaque:v1", "ls", "/usr/sbin", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "only\n");
    mb_result_free(&r);
    rmi("opaque:v1");
    mb_assert_nothing_leaked();
}

/* `image import FILE` takes FILE relative to the working directory, like
 * every command line tool (a layer the store does not hold yet, so that it
 * is really extracted). */
static void test_import_a_relative_path(void **state)
{
    char cwd[4300], file[4300];
    struct mb_result r;

    (void)state;
    mb_hint("image import FILE resolves FILE against the caller's working directory.");
    require_layers();
    sh("tar -C '%s' -cf '%s' ./etc", mb_rootfs, tmp_file(file, sizeof(file), "relative.tar"));
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(mb_tmp), 0);
    mb_run(&r, NULL, "image", "import", "relative.tar", "relative", NULL);
    assert_int_equal(chdir(cwd), 0);
    if (r.status != 0)
        fail_msg("image import relative.tar (a relative path) failed (%d): %s", r.status, r.err);
    mb_result_free(&r);
    rmi("relative");
}

/* Importing again under a name moves the name to the new image; the old
 * one must not stay behind unseen: either `images` lists it or it is gone. */
static void test_reimport_leaves_no_hidden_image(void **state)
{
    char first[80], prefix[16];
    struct mb_result r, i;
    int listed;

    (void)state;
    mb_hint("Moving a name to a new image must leave the old one listed or removed, never hidden "
            "in the store.");
    require_layers();
    import_base();
    sleep(1); /* a plain tarball's config holds its import time: a new image */
    mb_run(&r, NULL, "image", "import", tarball, "again", NULL);
    assert_int_equal(r.status, 0);
    snprintf(first, sizeof(first), "%.71s", r.out);
    mb_result_free(&r);
    sleep(1);
    import_as(tarball, "again");
    snprintf(prefix, sizeof(prefix), "%.12s", first + 7);
    mb_run(&r, NULL, "images", NULL);
    listed = mb_contains(r.out, prefix);
    mb_run(&i, NULL, "image", "inspect", first, NULL);
    rmi("again");
    mb_run(&r, NULL, "rmi", first, NULL); /* the old image, if it is still stored */
    mb_result_free(&r);
    if (!listed && i.status == 0)
        fail_msg("image %s is still stored ('image inspect' shows it) but 'minibox images' "
                 "does not list it",
                 prefix);
    mb_result_free(&i);
}

/* A run that fails while setting up (exit 125: here a file volume over a
 * directory) leaves nothing: no container record, no upper or work dir,
 * with or without --rm (only a container that ran keeps its layer). */
static void test_failed_run_leaves_no_container(void **state)
{
    char volume[4400];
    struct mb_result r;
    int kept;

    (void)state;
    mb_hint("A run that fails while setting up removes its container record and upper and work "
            "dirs, with or without --rm.");
    require_layers();
    import_base();
    snprintf(volume, sizeof(volume), "%s:/bin", tarball);
    mb_run(&r, NULL, "run", "--name", "failed", "-v", volume, "base", "true", NULL);
    assert_int_equal(r.status, 125);
    mb_result_free(&r);
    mb_run(&r, NULL, "rm", "failed", NULL);
    kept = r.status == 0;
    mb_result_free(&r);
    if (kept)
        fail_msg("the failed run left its container behind ('minibox rm failed' removed it)");
    mb_assert_nothing_leaked();
}

int main(void)
{
    /* grade: total=79 */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_and_run_an_image),
        cmocka_unit_test(test_writes_never_change_the_image),
        cmocka_unit_test(test_commit_then_run),
        cmocka_unit_test(test_two_containers_from_one_image),
        cmocka_unit_test(test_hostile_archives_are_refused),
        cmocka_unit_test(
            test_commit_of_a_running_container_follows_no_link), /* grade: points=2
                                                                    doc=#commit-of-a-running-container
                                                                  */
        cmocka_unit_test(
            test_import_follows_no_link_out_of_the_archive), /* grade: points=2
                                                                doc=#hostile-archives */
        cmocka_unit_test(
            test_import_verifies_every_blob),      /* grade: points=1 doc=#hostile-archives */
        cmocka_unit_test(test_import_size_limits), /* grade: points=1 doc=#hostile-archives */
        cmocka_unit_test(test_bad_image_input_is_125),
        cmocka_unit_test(test_multi_layer_oci_whiteouts_and_opaque_dir),
        cmocka_unit_test(test_docker_save_gives_the_same_layer_digests),
        cmocka_unit_test(test_altered_layer_is_refused),
        cmocka_unit_test(test_umoci_archive_imports_and_runs),
        cmocka_unit_test(test_image_inspect),
        cmocka_unit_test(test_delete_hides_a_lower_file_there_only),
        cmocka_unit_test(test_commit_keeps_an_opaque_directory),
        cmocka_unit_test(test_import_a_relative_path),
        cmocka_unit_test(test_reimport_leaves_no_hidden_image),
        cmocka_unit_test(test_failed_run_leaves_no_container),
        cmocka_unit_test(mb_test_nothing_leaked),
    };

    return cmocka_run_group_tests_name("08-layers", tests, mb_group_setup, mb_group_teardown);
}
