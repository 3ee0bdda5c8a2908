/*
 * layer.c - see layer.h.
 *
 * Extraction trusts nothing in the archive. libarchive's secure flags refuse
 * an entry that is absolute, that holds "..", or that would be written
 * through a symlink the archive itself planted (the "symlink, then a file
 * through it" attack, as in CVE-2018-15664 and the layer-extraction bugs of
 * several engines). Any refused entry fails the whole import, and the half
 * extracted layer is removed: nothing is ever written outside it.
 */
#include "mb_step.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#if MB_STEP >= 10
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#endif
#include <unistd.h>

#include <openssl/evp.h>

#include "layer.h"
#include "mounts.h"
#include "util.h"
#if MB_STEP >= 10
#include "lazy_libs.h" /* the same functions, loaded on first use */
#endif

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_MARKER   ".wh..wh..opq"
#define OPAQUE_XATTR    "trusted.overlay.opaque"

static void rm_rf(const char *path)
{
    if (remove_tree(path) < 0)
        fprintf(stderr, "minibox: could not remove %s\n", path);
}

/* An archive can be a small file that unpacks to terabytes (a gzip of
 * zeros): what an import unpacks is counted and capped. */
static int layer_too_big(mb_error *err)
{
    return mb_fail(err, 0,
                   "import: the archive unpacks to more than its limit (fix: image import "
                   "--max-size SIZE, if you trust it)");
}

/* One pass over a layer (issue #20): its file is decompressed once, by a
 * "raw" reader, and each block goes to SHA-256 (the diff_id) on its way to
 * the tar reader that extracts it. Nothing is read twice, and what the
 * archive unpacks to is counted here, against the budget. */
struct tee {
    struct archive *raw; /* the file, decompressed */
    EVP_MD_CTX *md;
    uint64_t *budget;
    bool too_big;
};

static la_ssize_t tee_read(struct archive *a, void *data, const void **block)
{
    struct tee *t = data;
    la_int64_t offset;
    size_t size;
    int r = archive_read_data_block(t->raw, block, &size, &offset);

    if (r == ARCHIVE_EOF)
        return 0;
    if (r != ARCHIVE_OK) {
        archive_set_error(a, EIO, "%s", archive_error_string(t->raw));
        return -1;
    }
    if ((uint64_t)size > *t->budget) {
        t->too_big = true;
        archive_set_error(a, EFBIG, "unpacks to more than its limit");
        return -1;
    }
    *t->budget -= (uint64_t)size;
    EVP_DigestUpdate(t->md, *block, size);
    return (la_ssize_t)size;
}

/* The decompressed stream of fd, from its start, and a digest for it. */
static int tee_open_raw(struct tee *t, int fd, uint64_t *budget, mb_error *err)
{
    struct archive_entry *entry;

    t->raw = archive_read_new();
    t->md = EVP_MD_CTX_new();
    t->budget = budget;
    t->too_big = false;
    archive_read_support_filter_all(t->raw);
    archive_read_support_format_raw(t->raw);
    EVP_DigestInit_ex(t->md, EVP_sha256(), NULL);
    if (lseek(fd, 0, SEEK_SET) < 0 || archive_read_open_fd(t->raw, fd, 65536) != ARCHIVE_OK ||
        archive_read_next_header(t->raw, &entry) != ARCHIVE_OK)
        return mb_fail(err, 0, "layer: %s", archive_error_string(t->raw) ?: strerror(errno));
    return 0;
}

/* Open fd, from its start, for the tar reader `a` through the tee. */
static int tee_open(struct tee *t, struct archive *a, int fd, uint64_t *budget, mb_error *err)
{
    int ret = tee_open_raw(t, fd, budget, err);

    if (ret < 0)
        return ret;
    if (archive_read_open(a, t, NULL, tee_read, NULL) != ARCHIVE_OK)
        return mb_fail(err, 0, "layer: %s", archive_error_string(a));
    return 0;
}

/* The rest of the stream (the tar reader stops at the end-of-archive
 * blocks; the digest is of all of it), then the digest. */
static int tee_finish(struct tee *t, char hex[65], mb_error *err)
{
    unsigned char digest[32];
    unsigned int n = 0;
    const void *block;
    la_int64_t offset;
    size_t size;
    int r, ret = 0;

    while ((r = archive_read_data_block(t->raw, &block, &size, &offset)) == ARCHIVE_OK) {
        if ((uint64_t)size > *t->budget)
            return layer_too_big(err);
        *t->budget -= (uint64_t)size;
        EVP_DigestUpdate(t->md, block, size);
    }
    if (r != ARCHIVE_EOF)
        ret = mb_fail(err, 0, "layer: %s", archive_error_string(t->raw));
    EVP_DigestFinal_ex(t->md, digest, &n);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return ret;
}

static void tee_close(struct tee *t)
{
    if (t->md != NULL)
        EVP_MD_CTX_free(t->md);
    if (t->raw != NULL)
        archive_read_free(t->raw);
}

#if MB_STEP >= 10
/* The digest beside the extraction (chapter 10, speed). Hashing the stream
 * in the extracting process put SHA-256 on its path: here a child
 * decompresses and hashes the layer on the other CPU while this process
 * extracts it, each reading the file (from the page cache) through an open
 * file description of its own, so that their offsets do not mix. Once it
 * has the digest, the child starts writing the layer out while the
 * extraction goes on (syncfs every 100 ms until the extraction is done), so
 * that the syncfs before the layer is published finds little left to
 * write. It answers on a pipe: "<bytes> <hex>", or "!<its error>" (the
 * stream passed the budget, or could not be read). */
struct digest_beside {
    pid_t pid; /* 0: none running */
    int answer;
    int done; /* closed by this process when the extraction ends */
};

static void digest_child(int fd, const char *dir, uint64_t budget, int answer, int done)
{
    struct tee t = {.raw = NULL, .md = NULL};
    struct pollfd p = {done, POLLIN, 0};
    uint64_t left = budget;
    char hex[65];
    mb_error ignored;
    int layer;

    if (tee_open_raw(&t, fd, &left, &ignored) == 0 && tee_finish(&t, hex, &ignored) == 0)
        dprintf(answer, "%llu %s", (unsigned long long)(budget - left), hex);
    else
        dprintf(answer, "!%s", ignored.msg);
    close(answer);
    layer = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while (layer >= 0 && poll(&p, 1, 100) == 0)
        syncfs(layer);
    _exit(0);
}

static int digest_beside_start(int fd, const char *dir, uint64_t budget, struct digest_beside *d,
                               mb_error *err)
{
    char path[64];
    cleanup_fd int own = -1;
    int answer[2], done[2];

    d->pid = 0;
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    own = open(path, O_RDONLY | O_CLOEXEC);
    if (own < 0 || pipe2(answer, O_CLOEXEC) < 0)
        return mb_fail(err, errno, "layer: a second reader for the digest");
    if (pipe2(done, O_CLOEXEC) < 0) {
        close(answer[0]);
        close(answer[1]);
        return mb_fail(err, errno, "layer: a pipe for the digest process");
    }
    fflush(NULL);
    d->pid = fork();
    if (d->pid == 0) {
        close(answer[0]);
        close(done[1]);
        digest_child(own, dir, budget, answer[1], done[0]);
    }
    close(answer[1]);
    close(done[0]);
    d->answer = answer[0];
    d->done = done[1];
    if (d->pid < 0) {
        close(d->answer);
        close(d->done);
        d->pid = 0;
        return mb_fail(err, errno, "layer: fork the digest process");
    }
    return 0;
}

/* The child's digest into hex, its stream's size taken from *budget. */
static int digest_beside_finish(struct digest_beside *d, uint64_t *budget, char hex[65],
                                mb_error *err)
{
    char answer[sizeof(err->msg) + 2] = "";
    unsigned long long bytes = 0;
    ssize_t n, got = 0;

    while (got < (ssize_t)sizeof(answer) - 1 &&
           (n = read(d->answer, answer + got, sizeof(answer) - 1 - (size_t)got)) > 0)
        got += n;
    if (answer[0] == '!')
        return mb_fail(err, 0, "%s", answer + 1); /* its error, as the tee would have said it */
    if (sscanf(answer, "%llu %64[0-9a-f]", &bytes, hex) != 2 || strlen(hex) != 64)
        return mb_fail(err, 0, "layer: the digest process ended without a digest");
    if (bytes > *budget)
        return layer_too_big(err);
    *budget -= bytes;
    return 0;
}

/* Stop the child (its syncfs loop, or its hashing after a failure). */
static void digest_beside_end(struct digest_beside *d, bool failed)
{
    if (d->pid == 0)
        return;
    if (failed)
        kill(d->pid, SIGKILL);
    close(d->answer);
    close(d->done);
    waitpid(d->pid, NULL, 0);
    d->pid = 0;
}
#endif

/* A ".." path component (".wh..wh..opq" holds ".." but is no component). */
static int has_dotdot_component(const char *path)
{
    for (const char *p = path; p != NULL; p = strchr(p, '/'), p = p ? p + 1 : NULL)
        if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
            return 1;
    return 0;
}

/* A whiteout entry: make overlayfs's form of it, inside the layer only. */
static int apply_whiteout(int layerfd, const char *entry_path, mb_error *err)
{
#if MB_SOLUTION_08
    char parent[4096], *base;
    cleanup_fd int dirfd = -1;

    snprintf(parent, sizeof(parent), "%s", entry_path);
    base = strrchr(parent, '/');
    if (base != NULL) {
        *base++ = '\0';
        dirfd = path_open_in_root(layerfd, parent, MOUNT_DIR, err);
    } else {
        base = parent;
        dirfd = fcntl(layerfd, F_DUPFD_CLOEXEC, 0);
    }
    if (dirfd < 0)
        return mb_fail(err, errno, "whiteout %s", entry_path);
    if (strcmp(base, OPAQUE_MARKER) == 0) {
        char target[64];

        snprintf(target, sizeof(target), "/proc/self/fd/%d", dirfd);
        if (setxattr(target, OPAQUE_XATTR, "y", 1, 0) < 0)
            return mb_fail(err, errno, "mark %s opaque (overlay needs trusted xattrs: root)",
                           parent);
        return 0;
    }
    if (mknodat(dirfd, base + strlen(WHITEOUT_PREFIX), S_IFCHR | 0000, makedev(0, 0)) < 0 &&
        errno != EEXIST)
        return mb_fail(err, errno, "whiteout %s (overlay whiteouts are 0:0 devices: root)",
                       entry_path);
    return 0;
#else
    /* TODO(08): turn the archive's whiteout entry_path (DIR/.wh.NAME, or DIR/.wh..wh..opq) into
     * overlayfs's form inside the layer only (open DIR with path_open_in_root): for .wh.NAME a
     * 0:0 character device NAME (mknodat), for the opaque marker the xattr trusted.overlay.opaque
     * = "y" on DIR. docs/08-layers.md#whiteouts-and-opaque-directories-two-spellings */
    (void)layerfd;
    (void)entry_path;
    return mb_todo(err, "08");
#endif
}

/* Extract into `dir`, securely, whiteouts converted; with `hex`, the
 * sha256 of the uncompressed stream too, in the same pass. */
#if MB_STEP >= 10
static int extract(int fd, const char *dir, uint64_t *budget, char *hex, mb_error *err)
#else
int layer_extract(int fd, const char *dir, uint64_t *budget, char *hex, mb_error *err)
#endif
{
    struct tee tee = {.raw = NULL, .md = NULL};
    struct archive *a = archive_read_new(), *disk = archive_write_disk_new();
    int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_XATTR |
                ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
    cleanup_fd int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_fd int layerfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct archive_entry *entry;
    int r, ret = 0;

    if (geteuid() == 0)
        flags |= ARCHIVE_EXTRACT_OWNER;
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_write_disk_set_options(disk, flags);
    /* libarchive writes relative to the working directory. */
    if (cwd < 0 || layerfd < 0 || fchdir(layerfd) < 0)
        ret = mb_fail(err, errno, "enter %s", dir);
    else if (hex != NULL)
        ret = tee_open(&tee, a, fd, budget, err);
    else if (lseek(fd, 0, SEEK_SET) < 0 || archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK)
        ret = mb_fail(err, 0, "layer: %s", archive_error_string(a) ?: strerror(errno));
    while (ret == 0 && (r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(entry);
        const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

        if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0) {
            if (name[0] == '/' || has_dotdot_component(name))
                ret = mb_fail(err, 0, "layer: entry '%s' escapes the layer (refused)", name);
            else
                ret = apply_whiteout(layerfd, name, err);
            continue;
        }
        if (archive_write_header(disk, entry) != ARCHIVE_OK) {
            ret =
                mb_fail(err, 0, "layer: entry '%s' refused: %s", name, archive_error_string(disk));
            break;
        }
        {
            const void *block;
            size_t size;
            la_int64_t offset;

            while ((r = archive_read_data_block(a, &block, &size, &offset)) == ARCHIVE_OK) {
                /* (through the tee, the stream itself is counted) */
                if (hex == NULL && (uint64_t)size > *budget) {
                    ret = layer_too_big(err);
                    break;
                }
                if (hex == NULL)
                    *budget -= (uint64_t)size;
                if (archive_write_data_block(disk, block, size, offset) != ARCHIVE_OK)
                    break;
            }
            if (ret == 0 && r != ARCHIVE_EOF)
                ret = mb_fail(err, 0, "layer: %s", archive_error_string(a));
        }
        if (ret == 0 && archive_write_finish_entry(disk) != ARCHIVE_OK)
            ret = mb_fail(err, 0, "layer: entry '%s': %s", name, archive_error_string(disk));
    }
    if (ret == 0 && r != ARCHIVE_EOF)
        ret = mb_fail(err, 0, "layer: %s", archive_error_string(a));
    if (ret < 0 && tee.too_big)
        ret = layer_too_big(err);
    if (ret == 0 && archive_write_close(disk) != ARCHIVE_OK)
        ret = mb_fail(err, 0, "layer: %s", archive_error_string(disk));
    if (ret == 0 && hex != NULL)
        ret = tee_finish(&tee, hex, err);
    if (cwd >= 0 && fchdir(cwd) < 0 && ret == 0)
        ret = mb_fail(err, errno, "return to the working directory");
    archive_write_free(disk);
    archive_read_free(a);
    tee_close(&tee);
    return ret;
}

#if MB_STEP >= 10
/* The full engine's extraction: the digest computed beside it. What the
 * layer's files hold is capped during the extraction (a copy of the
 * budget); the budget itself pays for the whole stream, as the tee does. */
int layer_extract(int fd, const char *dir, uint64_t *budget, char *hex, mb_error *err)
{
    struct digest_beside beside;
    uint64_t files = *budget;
    int ret;

    if (hex == NULL)
        return extract(fd, dir, budget, NULL, err);
    ret = digest_beside_start(fd, dir, *budget, &beside, err);
    if (ret < 0)
        return ret;
    ret = extract(fd, dir, &files, NULL, err);
    if (ret == 0)
        ret = digest_beside_finish(&beside, budget, hex, err);
    digest_beside_end(&beside, ret < 0);
    return ret;
}
#endif

int layer_prepare(const char *root, int fd, uint64_t *budget, struct layer *l, mb_error *err)
{
    char final_dir[4200];
    cleanup_fd int dirfd = -1;
    struct stat st;
    int ret;

    /* <pid>-<n>: the digest is known only once the layer is extracted */
    l->dir[0] = '\0';
    for (int n = 0; l->dir[0] == '\0'; n++) {
        snprintf(l->dir, sizeof(l->dir), "%s/tmp/layer-%d-%d", root, (int)getpid(), n);
        if (mkdir(l->dir, 0755) < 0) {
            if (errno == EEXIST && n < 64) {
                l->dir[0] = '\0';
                continue;
            }
            ret = mb_fail(err, errno, "create %s", l->dir);
            l->dir[0] = '\0';
            return ret;
        }
    }
    ret = layer_extract(fd, l->dir, budget, l->hex, err);
    snprintf(final_dir, sizeof(final_dir), "%s/layers/%s", root, l->hex);
    if (ret == 0 && stat(final_dir, &st) == 0) {
        layer_discard(l); /* content-addressed: the store has it already */
        return 0;
    }
    /* Written out once for the whole layer (no fsync per file), before
     * layer_store's rename names it by its digest: a crash must not leave
     * a stored layer whose files are not all there. */
    if (ret == 0 &&
        ((dirfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || syncfs(dirfd) < 0))
        ret = mb_fail(err, errno, "write layer %s to disk", l->hex);
    if (ret < 0)
        layer_discard(l);
    return ret;
}

int layer_store(const char *root, struct layer *l, mb_error *err)
{
    char final_dir[4200];

    if (l->dir[0] == '\0')
        return 0;
    snprintf(final_dir, sizeof(final_dir), "%s/layers/%s", root, l->hex);
    if (rename(l->dir, final_dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
        return mb_fail(err, errno, "store layer %s", l->hex);
    layer_discard(l); /* another import stored it first */
    return 0;
}

void layer_discard(struct layer *l)
{
    struct stat st;

    if (l->dir[0] != '\0' && stat(l->dir, &st) == 0)
        rm_rf(l->dir);
    l->dir[0] = '\0';
}

/* commit: walk the upper dir, writing tar entries; overlay's whiteouts
 * become ".wh." entries again.
 *
 * The upper dir is the container's: while it runs (even frozen, a later
 * run of the same container) its root may have made any name a symlink,
 * to /etc/shadow of the host say. A walk by path (nftw, then open(path))
 * follows such a link, or a directory swapped for one between the walk's
 * lstat and its open, and the host's file ends up in the image. So every
 * step is relative to the fd of the directory it is in, with O_NOFOLLOW:
 * no name is ever resolved through a link, and what is opened is checked
 * to be what was stat'ed. */
static int commit_dir(struct archive *tar, int dirfd, const char *prefix, mb_error *err);

static int commit_header(struct archive *tar, struct archive_entry *e, const char *rel,
                         mb_error *err)
{
    if (archive_write_header(tar, e) != ARCHIVE_OK)
        return mb_fail(err, 0, "commit %s: %s", rel, archive_error_string(tar));
    return 0;
}

/* A regular file's bytes, from an fd opened without following a link. */
static int commit_data(struct archive *tar, int dirfd, const char *name, const struct stat *st,
                       const char *rel, mb_error *err)
{
    cleanup_fd int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat now;
    char buf[65536];
    off_t left = st->st_size;
    ssize_t n;

    if (fd < 0 || fstat(fd, &now) < 0)
        return mb_fail(err, errno, "commit %s", rel);
    if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
        return mb_fail(err, 0, "commit %s: it changed while it was read", rel);
    while (left > 0 &&
           (n = read(fd, buf, sizeof(buf) < (size_t)left ? sizeof(buf) : (size_t)left)) > 0) {
        if (archive_write_data(tar, buf, (size_t)n) < 0)
            return mb_fail(err, 0, "commit %s: %s", rel, archive_error_string(tar));
        left -= n;
    }
    if (left > 0)
        return mb_fail(err, errno, "commit %s: it changed while it was read", rel);
    return 0;
}

/* An entry whose header and data are written as they are. */
static int commit_plain(struct archive *tar, int dirfd, const char *name, const struct stat *st,
                        const char *rel, mb_error *err)
{
    struct archive_entry *e = archive_entry_new();
    char link[4096];
    int ret;

    archive_entry_copy_stat(e, st);
    archive_entry_set_pathname(e, rel);
    if (S_ISLNK(st->st_mode)) {
        ssize_t n = readlinkat(dirfd, name, link, sizeof(link) - 1);
        link[n < 0 ? 0 : n] = '\0';
        archive_entry_set_symlink(e, link);
    }
    if (!S_ISREG(st->st_mode))
        archive_entry_set_size(e, 0);
    ret = commit_header(tar, e, rel, err);
    archive_entry_free(e);
    if (ret == 0 && S_ISREG(st->st_mode) && st->st_size > 0)
        ret = commit_data(tar, dirfd, name, st, rel, err);
    return ret;
}

/* An empty regular file named `name`: a whiteout or the opaque marker. */
static int commit_marker(struct archive *tar, const char *name, mb_error *err)
{
    struct archive_entry *e = archive_entry_new();
    int ret;

    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, 0);
    ret = commit_header(tar, e, name, err);
    archive_entry_free(e);
    return ret;
}

static int commit_entry(struct archive *tar, int dirfd, const char *name, const char *prefix,
                        mb_error *err)
{
    char rel[4200], marker[4300], opaque;
    cleanup_fd int sub = -1;
    struct stat st;
    int ret;

    snprintf(rel, sizeof(rel), "%s%s%s", prefix, prefix[0] ? "/" : "", name);
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return mb_fail(err, errno, "commit %s", rel);
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
        snprintf(marker, sizeof(marker), "%s%s%s%s", prefix, prefix[0] ? "/" : "", WHITEOUT_PREFIX,
                 name);
        return commit_marker(tar, marker, err);
    }
    ret = commit_plain(tar, dirfd, name, &st, rel, err);
    if (ret < 0 || !S_ISDIR(st.st_mode))
        return ret;
    sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return mb_fail(err, errno, "commit %s", rel);
    /* An opaque dir: its lower contents are hidden in the committed image too. */
    if (fgetxattr(sub, OPAQUE_XATTR, &opaque, 1) == 1 && opaque == 'y') {
        snprintf(marker, sizeof(marker), "%s/%s", rel, OPAQUE_MARKER);
        ret = commit_marker(tar, marker, err);
    }
    return ret < 0 ? ret : commit_dir(tar, sub, rel, err);
}

static int commit_dir(struct archive *tar, int dirfd, const char *prefix, mb_error *err)
{
    int copy = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    DIR *d = copy < 0 ? NULL : fdopendir(copy);
    struct dirent *e;
    int ret = 0;

    if (d == NULL) {
        if (copy >= 0)
            close(copy);
        return mb_fail(err, errno, "commit %s", prefix[0] ? prefix : "/");
    }
    while (ret == 0 && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ret = commit_entry(tar, dirfd, e->d_name, prefix, err);
    closedir(d);
    return ret;
}

int layer_from_upper(const char *root, const char *upper, struct layer *l, mb_error *err)
{
    uint64_t budget = UINT64_MAX; /* the container's own files, on this host's disk already */
    cleanup_fd int tarfd = -1;
    cleanup_fd int upperfd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct archive *tar = archive_write_new();
    char path[4200];
    int ret = 0;

    snprintf(path, sizeof(path), "%s/tmp/commit-%d.tar", root, (int)getpid());
    archive_write_set_format_pax_restricted(tar);
    if (upperfd < 0)
        ret = mb_fail(err, errno, "commit: open %s", upper);
    else if (archive_write_open_filename(tar, path) != ARCHIVE_OK)
        ret = mb_fail(err, 0, "commit: %s", archive_error_string(tar));
    if (ret == 0)
        ret = commit_dir(tar, upperfd, "", err);
    if (archive_write_close(tar) != ARCHIVE_OK && ret == 0)
        ret = mb_fail(err, 0, "commit: %s", archive_error_string(tar));
    archive_write_free(tar);
    if (ret == 0 && (tarfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        ret = mb_fail(err, errno, "commit: open %s", path);
    if (ret == 0)
        ret = layer_prepare(root, tarfd, &budget, l, err);
    unlink(path);
    return ret;
}
