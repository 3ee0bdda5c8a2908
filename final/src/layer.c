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
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
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

/* Pass 1: the sha256 of the uncompressed stream (the diff_id). */
static int layer_digest(const char *path, char hex[65], mb_error *err)
{
    struct archive *a = archive_read_new();
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    struct archive_entry *entry;
    unsigned char digest[32], buf[65536];
    unsigned int n = 0;
    la_ssize_t got;
    int ret = 0;

    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK ||
        archive_read_next_header(a, &entry) != ARCHIVE_OK) {
        ret = mb_fail(err, 0, "layer %s: %s", path, archive_error_string(a));
    } else {
        while ((got = archive_read_data(a, buf, sizeof(buf))) > 0)
            EVP_DigestUpdate(md, buf, (size_t)got);
        if (got < 0)
            ret = mb_fail(err, 0, "layer %s: %s", path, archive_error_string(a));
    }
    EVP_DigestFinal_ex(md, digest, &n);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    EVP_MD_CTX_free(md);
    archive_read_free(a);
    return ret;
}

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

/* Pass 2: extract into `dir`, securely, whiteouts converted. */
int layer_extract(const char *path, const char *dir, mb_error *err)
{
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
    else if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
        ret = mb_fail(err, 0, "layer %s: %s", path, archive_error_string(a));
    while (ret == 0 && (r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(entry);
        const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

        if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0) {
            if (name[0] == '/' || has_dotdot_component(name))
                ret =
                    mb_fail(err, 0, "layer %s: entry '%s' escapes the layer (refused)", path, name);
            else
                ret = apply_whiteout(layerfd, name, err);
            continue;
        }
        if (archive_write_header(disk, entry) != ARCHIVE_OK) {
            ret = mb_fail(err, 0, "layer %s: entry '%s' refused: %s", path, name,
                          archive_error_string(disk));
            break;
        }
        {
            const void *block;
            size_t size;
            la_int64_t offset;

            while ((r = archive_read_data_block(a, &block, &size, &offset)) == ARCHIVE_OK)
                if (archive_write_data_block(disk, block, size, offset) != ARCHIVE_OK)
                    break;
            if (r != ARCHIVE_EOF)
                ret = mb_fail(err, 0, "layer %s: %s", path, archive_error_string(a));
        }
        if (ret == 0 && archive_write_finish_entry(disk) != ARCHIVE_OK)
            ret =
                mb_fail(err, 0, "layer %s: entry '%s': %s", path, name, archive_error_string(disk));
    }
    if (ret == 0 && r != ARCHIVE_EOF)
        ret = mb_fail(err, 0, "layer %s: %s", path, archive_error_string(a));
    if (ret == 0 && archive_write_close(disk) != ARCHIVE_OK)
        ret = mb_fail(err, 0, "layer %s: %s", path, archive_error_string(disk));
    if (cwd >= 0 && fchdir(cwd) < 0 && ret == 0)
        ret = mb_fail(err, errno, "return to the working directory");
    archive_write_free(disk);
    archive_read_free(a);
    return ret;
}

int layer_import_file(const char *root, const char *rel_path, char hex[65], mb_error *err)
{
    char final_dir[4200], tmp_dir[4300];
    cleanup_free char *path = realpath(rel_path, NULL);
    struct stat st;
    int ret;

    /* Absolute: extraction changes the working directory. */
    if (path == NULL)
        return mb_fail(err, errno, "layer %s", rel_path);
    ret = layer_digest(path, hex, err);
    if (ret < 0)
        return ret;
    snprintf(final_dir, sizeof(final_dir), "%s/layers/%s", root, hex);
    if (stat(final_dir, &st) == 0)
        return 0; /* content-addressed: already here */
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp/layer-%s-%d", root, hex, (int)getpid());
    rm_rf(tmp_dir);
    if (mkdir(tmp_dir, 0755) < 0)
        return mb_fail(err, errno, "create %s", tmp_dir);
    ret = layer_extract(path, tmp_dir, err);
    if (ret == 0 && rename(tmp_dir, final_dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
        ret = mb_fail(err, errno, "store layer %s", hex);
    if (ret < 0 || stat(tmp_dir, &st) == 0)
        rm_rf(tmp_dir);
    return ret;
}

/* commit: walk the upper dir, writing tar entries; overlay's whiteouts
 * become ".wh." entries again. */
static struct archive *commit_tar;
static const char *commit_base;
static int commit_failed;

static int commit_add(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    const char *rel = path + strlen(commit_base) + 1;
    struct archive_entry *e;
    char name[4200], link[4096], opaque;

    (void)type;
    (void)ftw;
    if (path[strlen(commit_base)] == '\0')
        return 0; /* the upper dir itself */
    e = archive_entry_new();
    if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) {
        const char *base = strrchr(rel, '/');
        snprintf(name, sizeof(name), "%.*s%s%s", base ? (int)(base - rel + 1) : 0, rel,
                 WHITEOUT_PREFIX, base ? base + 1 : rel);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 0);
        commit_failed |= archive_write_header(commit_tar, e) != ARCHIVE_OK;
        archive_entry_free(e);
        return commit_failed;
    }
    archive_entry_copy_stat(e, st);
    archive_entry_set_pathname(e, rel);
    if (S_ISLNK(st->st_mode)) {
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        link[n < 0 ? 0 : n] = '\0';
        archive_entry_set_symlink(e, link);
    }
    if (!S_ISREG(st->st_mode))
        archive_entry_set_size(e, 0);
    commit_failed |= archive_write_header(commit_tar, e) != ARCHIVE_OK;
    if (!commit_failed && S_ISREG(st->st_mode) && st->st_size > 0) {
        char buf[65536];
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
            if (archive_write_data(commit_tar, buf, (size_t)n) < 0)
                commit_failed = 1;
        if (fd >= 0)
            close(fd);
    }
    archive_entry_free(e);
    /* An opaque dir: its lower contents are hidden in the committed image too. */
    if (S_ISDIR(st->st_mode) && getxattr(path, OPAQUE_XATTR, &opaque, 1) == 1 && opaque == 'y') {
        e = archive_entry_new();
        snprintf(name, sizeof(name), "%s/%s", rel, OPAQUE_MARKER);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 0);
        commit_failed |= archive_write_header(commit_tar, e) != ARCHIVE_OK;
        archive_entry_free(e);
    }
    return commit_failed;
}

int layer_from_upper(const char *root, const char *upper, char hex[65], mb_error *err)
{
    char tar[4200];
    int ret;

    snprintf(tar, sizeof(tar), "%s/tmp/commit-%d.tar", root, (int)getpid());
    commit_tar = archive_write_new();
    commit_base = upper;
    commit_failed = 0;
    archive_write_set_format_pax_restricted(commit_tar);
    if (archive_write_open_filename(commit_tar, tar) != ARCHIVE_OK)
        commit_failed = 1;
    if (!commit_failed && nftw(upper, commit_add, 64, FTW_PHYS) != 0)
        commit_failed = 1;
    if (archive_write_close(commit_tar) != ARCHIVE_OK)
        commit_failed = 1;
    ret = commit_failed ? mb_fail(err, 0, "commit %s: %s", upper,
                                  archive_error_string(commit_tar) ?: "cannot read the upper dir")
                        : layer_import_file(root, tar, hex, err);
    archive_write_free(commit_tar);
    unlink(tar);
    return ret;
}
