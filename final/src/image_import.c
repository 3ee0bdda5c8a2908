/* image_import.c - see image_import.h.
 *
 * An archive is someone else's data. Everything in it is read through
 * file descriptors opened below the unpacked archive without following any
 * link (a blob that is a symlink to /etc/shadow, or to /dev/zero, is
 * refused, never read), every blob is checked against the digest that
 * names it, what is unpacked is counted against a limit, and the store's
 * lock is taken only at the end, to move the finished layers in and save
 * the image: an import that reads slowly or forever blocks nobody else. */
#include "mb_step.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "image_import.h"
#include "image_store.h"
#include "layer.h"
#include "mounts.h"
#include "util.h"
#if MB_STEP >= 10
#include "lazy_libs.h" /* the same functions, loaded on first use */
#endif

/* An index, a manifest or a config is a few KiB: more is not an image. */
#define JSON_MAX_BYTES (4 << 20)

enum archive_kind { KIND_ROOTFS, KIND_OCI, KIND_DOCKER };

/* Look at the entry names: index.json + oci-layout, or manifest.json. The
 * data is skipped, but a compressed archive is still decompressed to get
 * past it: counted against the budget too. */
static int archive_kind_of(const char *file, uint64_t budget, enum archive_kind *kind,
                           mb_error *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int oci = 0, docker = 0, entries = 0, r;
    uint64_t seen = 0;

    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK) {
        mb_fail(err, 0, "import %s: %s", file, archive_error_string(a));
        archive_read_free(a);
        return -1;
    }
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);

        seen += (uint64_t)archive_entry_size(e);
        if (seen > budget) {
            archive_read_free(a);
            return mb_fail(err, 0,
                           "import %s: it unpacks to more than its limit (fix: image import "
                           "--max-size SIZE, if you trust it)",
                           file);
        }
        if (strncmp(name, "./", 2) == 0)
            name += 2;
        oci |= strcmp(name, "oci-layout") == 0;
        docker |= strcmp(name, "manifest.json") == 0;
        entries++;
    }
    if (r != ARCHIVE_EOF || entries == 0) {
        mb_fail(err, 0, "import %s: not a tar archive: %s", file,
                entries ? archive_error_string(a) : "no entries");
        archive_read_free(a);
        return -1;
    }
    archive_read_free(a);
    *kind = oci ? KIND_OCI : docker ? KIND_DOCKER : KIND_ROOTFS;
    return 0;
}

/* Unpack the outer archive (OCI layout or docker save) into `dir`, with
 * the same secure extraction as a layer's: no "..", no absolute paths,
 * nothing through a symlink the archive planted. */
static int unpack_outer(const char *file, const char *dir, uint64_t *budget, mb_error *err)
{
    cleanup_fd int fd = open(file, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return mb_fail(err, errno, "import %s", file);
    if (mkdir(dir, 0700) < 0)
        return mb_fail(err, errno, "create %s", dir);
    return layer_extract(fd, dir, budget, NULL, err);
}

/* A file of the unpacked archive, by a name its manifest gives: below
 * it, through no link at all, and a regular file (a symlink to a host file
 * or to /dev/zero, a FIFO the archive made: refused, never opened for
 * reading). */
static int open_inner(int dirfd, const char *rel, mb_error *err)
{
    cleanup_fd int fd = -1;
    struct stat st;

    if (rel == NULL || rel[0] == '\0' || rel[0] == '/')
        return mb_fail(err, 0, "import: the manifest names a bad path '%s'", rel ? rel : "");
    fd = path_open_beneath(dirfd, rel, O_RDONLY | O_NONBLOCK);
    if (fd < 0 && (errno == ELOOP || errno == EXDEV))
        return mb_fail(err, 0, "import: '%s' leads out of the archive (a link or '..': refused)",
                       rel);
    if (fd < 0)
        return mb_fail(err, errno, "import: %s", rel);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return mb_fail(err, 0, "import: '%s' is no regular file of the archive (refused)", rel);
    return take_fd(&fd);
}

/* The sha256 of the whole file on fd, as 64 hex digits. */
static int file_sha256(int fd, char hex[65], mb_error *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char digest[32], buf[65536];
    unsigned int n = 0;
    ssize_t got;

    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    if (lseek(fd, 0, SEEK_SET) < 0) {
        EVP_MD_CTX_free(md);
        return mb_fail(err, errno, "import: seek");
    }
    while ((got = read(fd, buf, sizeof(buf))) > 0)
        EVP_DigestUpdate(md, buf, (size_t)got);
    EVP_DigestFinal_ex(md, digest, &n);
    EVP_MD_CTX_free(md);
    if (got < 0)
        return mb_fail(err, errno, "import: read");
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

/* An OCI blob: blobs/sha256/<hex>, opened as above, and its content must
 * be what its digest says (a blob swapped for another is refused, whatever
 * the config says or leaves out). */
static int open_blob(int dirfd, const char *digest, mb_error *err)
{
    char rel[128], hex[65];
    cleanup_fd int fd = -1;

    if (digest == NULL || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71 ||
        strspn(digest + 7, "0123456789abcdef") != 64)
        return mb_fail(err, 0, "import: bad blob digest '%s'", digest ? digest : "");
    snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest + 7);
    fd = open_inner(dirfd, rel, err);
    if (fd < 0 || file_sha256(fd, hex, err) < 0)
        return -1;
    if (strcmp(hex, digest + 7) != 0)
        return mb_fail(err, 0,
                       "import: blob %.19s does not match its digest (the archive is corrupt or "
                       "was altered)",
                       digest);
    return take_fd(&fd);
}

/* A small JSON file of the archive, read from fd: at most JSON_MAX_BYTES. */
static json_t *read_json(int fd, const char *what, mb_error *err)
{
    cleanup_free char *text = NULL;
    struct stat st;
    json_t *json;

    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) < 0 || st.st_size > JSON_MAX_BYTES) {
        mb_fail(err, 0, "import: %s is larger than %d MiB: no image's is (refused)", what,
                JSON_MAX_BYTES >> 20);
        return NULL;
    }
    text = malloc((size_t)st.st_size + 1);
    if (text == NULL || pread(fd, text, (size_t)st.st_size, 0) != st.st_size) {
        mb_fail(err, errno, "import: read %s", what);
        return NULL;
    }
    text[st.st_size] = '\0';
    json = json_loads(text, 0, NULL);
    if (json == NULL)
        mb_fail(err, 0, "import: %s is not valid JSON", what);
    return json;
}

static json_t *read_inner_json(int dirfd, const char *rel, mb_error *err)
{
    cleanup_fd int fd = open_inner(dirfd, rel, err);

    return read_json(fd, rel, err);
}

static json_t *read_blob_json(int dirfd, const char *digest, const char *what, mb_error *err)
{
    cleanup_fd int fd = open_blob(dirfd, digest, err);

    return read_json(fd, what, err);
}

/* What an archive holds once read: the config and its layers' fds. */
struct parsed {
    json_t *config;
    int fds[IMAGE_MAX_LAYERS];
    size_t n;
    bool layers_verified; /* each layer blob matched its digest already */
    char ref_name[256];
};

static int add_layer(struct parsed *p, int fd, mb_error *err)
{
    if (fd < 0)
        return -1;
    if (p->n == IMAGE_MAX_LAYERS) {
        close(fd);
        return mb_fail(err, 0, "import: more than %d layers", IMAGE_MAX_LAYERS);
    }
    p->fds[p->n++] = fd;
    return 0;
}

static int parse_oci(int dirfd, struct parsed *p, mb_error *err)
{
    json_t *index, *manifest, *desc, *layer;
    const char *name;
    size_t i;
    int ret = 0;

    index = read_inner_json(dirfd, "index.json", err);
    if (index == NULL)
        return -1;
    desc = json_array_get(json_object_get(index, "manifests"), 0);
    name = json_string_value(
        json_object_get(json_object_get(desc, "annotations"), "org.opencontainers.image.ref.name"));
    if (name != NULL)
        snprintf(p->ref_name, sizeof(p->ref_name), "%s", name);
    manifest = read_blob_json(dirfd, json_string_value(json_object_get(desc, "digest")),
                              "the OCI manifest", err);
    json_decref(index);
    if (manifest == NULL)
        return -1;
    p->config = read_blob_json(
        dirfd, json_string_value(json_object_get(json_object_get(manifest, "config"), "digest")),
        "the OCI image config", err);
    json_array_foreach (json_object_get(manifest, "layers"), i, layer) {
        if (ret == 0 && p->config != NULL)
            ret = add_layer(
                p, open_blob(dirfd, json_string_value(json_object_get(layer, "digest")), err), err);
    }
    json_decref(manifest);
    p->layers_verified = true;
    return p->config == NULL || ret < 0 ? -1 : 0;
}

static int parse_docker(int dirfd, struct parsed *p, mb_error *err)
{
    json_t *manifest, *entry, *layer;
    const char *config, *slash;
    char hex[65];
    size_t i;
    int ret = 0;

    manifest = read_inner_json(dirfd, "manifest.json", err);
    if (manifest == NULL)
        return -1;
    entry = json_array_get(manifest, 0);
    if (json_string_value(json_array_get(json_object_get(entry, "RepoTags"), 0)) != NULL)
        snprintf(p->ref_name, sizeof(p->ref_name), "%s",
                 json_string_value(json_array_get(json_object_get(entry, "RepoTags"), 0)));
    /* The config's name is its sha256 (<hex>.json, or blobs/sha256/<hex>). */
    config = json_string_value(json_object_get(entry, "Config"));
    {
        cleanup_fd int fd = open_inner(dirfd, config, err);

        slash = config ? strrchr(config, '/') : NULL;
        slash = slash ? slash + 1 : config;
        if (fd >= 0 && (file_sha256(fd, hex, err) < 0 || strncmp(slash, hex, 64) != 0))
            ret = mb_fail(err, 0,
                          "import: the config %s does not match its digest (the archive is "
                          "corrupt or was altered)",
                          config);
        p->config = fd >= 0 && ret == 0 ? read_json(fd, config, err) : NULL;
    }
    json_array_foreach (json_object_get(entry, "Layers"), i, layer) {
        if (ret == 0 && p->config != NULL)
            ret = add_layer(p, open_inner(dirfd, json_string_value(layer), err), err);
    }
    json_decref(manifest);
    return p->config == NULL || ret < 0 ? -1 : 0;
}

/* Read and extract every layer; check them against the config's diff_ids,
 * which an archive whose layers nothing else verified must have. */
static int prepare_layers(const char *root, struct parsed *p, uint64_t *budget,
                          struct layer *layers, mb_error *err)
{
    json_t *diff_ids = json_object_get(json_object_get(p->config, "rootfs"), "diff_ids");
    json_t *computed = json_array();
    char want[72];

    if (!p->layers_verified && json_array_size(diff_ids) != p->n) {
        json_decref(computed);
        return mb_fail(err, 0,
                       "import: the config lists %zu diff_ids for %zu layers: nothing would "
                       "verify them (refused)",
                       json_array_size(diff_ids), p->n);
    }
    for (size_t i = 0; i < p->n; i++) {
        int ret = layer_prepare(root, p->fds[i], budget, &layers[i], err);
        if (ret < 0) {
            json_decref(computed);
            return ret;
        }
        snprintf(want, sizeof(want), "sha256:%.64s", layers[i].hex);
        if (json_is_array(diff_ids) &&
            (i >= json_array_size(diff_ids) ||
             strcmp(json_string_value(json_array_get(diff_ids, i)) ?: "", want) != 0)) {
            json_decref(computed);
            return mb_fail(err, 0,
                           "import: layer %zu does not match the config's diff_id "
                           "(the archive is corrupt or was altered)",
                           i + 1);
        }
        json_array_append_new(computed, json_string(want));
    }
    json_object_set_new(p->config, "rootfs",
                        json_pack("{s:s, s:o}", "type", "layers", "diff_ids", computed));
    return 0;
}

/* A plain rootfs tarball has no config: give it a minimal one. */
static json_t *default_config(void)
{
    char created[32];
    time_t now = time(NULL);

    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    return json_pack("{s:s, s:s, s:s, s:{s:[s], s:[s]}}", "created", created, "architecture",
                     "amd64", "os", "linux", "config", "Env",
                     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "Cmd",
                     "/bin/sh");
}

/* Under the store's lock, briefly: the prepared layers in, the image saved. */
static int store_image(const char *root, struct layer *layers, size_t n, json_t *config,
                       const char *name, char *id, mb_error *err)
{
    cleanup_fd int lock = store_lock(root, err);
    int ret = lock < 0 ? -1 : 0;

    for (size_t i = 0; ret == 0 && i < n; i++)
        ret = layer_store(root, &layers[i], err);
    if (ret == 0)
        ret = image_save(root, config, name, id, err);
    if (ret < 0 && lock >= 0)
        image_store_collect(root); /* layers no image lists */
    return ret;
}

int image_import(const char *root, const char *file, const char *name, uint64_t max_bytes, char *id,
                 mb_error *err)
{
    static struct layer layers[IMAGE_MAX_LAYERS];
    struct parsed p = {.config = NULL, .n = 0};
    char dir[4200];
    cleanup_fd int dirfd = -1;
    cleanup_fd int lock = -1;
    uint64_t budget = max_bytes ? max_bytes : UINT64_MAX;
    enum archive_kind kind = KIND_ROOTFS;
    int ret;

    ret = archive_kind_of(file, budget, &kind, err);
    if (ret < 0)
        return ret;
    /* The store's dirs exist once its lock has been taken: only that. */
    lock = store_lock(root, err);
    if (lock < 0)
        return -1;
    close(take_fd(&lock));
    snprintf(dir, sizeof(dir), "%s/tmp/import-%d", root, (int)getpid());
    if (kind == KIND_ROOTFS) {
        int fd = open(file, O_RDONLY | O_CLOEXEC);

        p.config = default_config();
        ret = fd < 0 ? mb_fail(err, errno, "import %s", file) : add_layer(&p, fd, err);
        p.layers_verified = true; /* nothing to verify it against: it is the user's own */
    } else {
        ret = unpack_outer(file, dir, &budget, err);
        if (ret == 0 && (dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
            ret = mb_fail(err, errno, "open %s", dir);
        if (ret == 0 && kind == KIND_OCI)
            ret = parse_oci(dirfd, &p, err);
        else if (ret == 0)
            ret = parse_docker(dirfd, &p, err);
    }
    for (size_t i = 0; i < IMAGE_MAX_LAYERS; i++)
        layers[i].dir[0] = '\0';
    if (ret == 0)
        ret = prepare_layers(root, &p, &budget, layers, err);
    if (ret == 0)
        ret = store_image(root, layers, p.n, p.config,
                          name ? name : (p.ref_name[0] ? p.ref_name : NULL), id, err);
    for (size_t i = 0; i < p.n; i++) {
        layer_discard(&layers[i]);
        close(p.fds[i]);
    }
    json_decref(p.config);
    if (kind != KIND_ROOTFS && remove_tree(dir) < 0)
        fprintf(stderr, "minibox: could not remove %s\n", dir);
    return ret;
}
