/* image_import.c - see image_import.h. */
#include "mb_step.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image_import.h"
#include "image_store.h"
#include "layer.h"
#include "util.h"
#if MB_STEP >= 10
#include "lazy_libs.h" /* the same functions, loaded on first use */
#endif

enum archive_kind { KIND_ROOTFS, KIND_OCI, KIND_DOCKER };

/* Look at the entry names: index.json + oci-layout, or manifest.json. */
static int archive_kind_of(const char *file, enum archive_kind *kind, mb_error *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int oci = 0, docker = 0, entries = 0, r;

    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK) {
        mb_fail(err, 0, "import %s: %s", file, archive_error_string(a));
        archive_read_free(a);
        return -1;
    }
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
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

/* Unpack the outer archive (OCI layout or docker save) into `dir`. Its
 * blobs are then read as files; the same secure flags apply. */
static int unpack_outer(const char *file, const char *dir, mb_error *err)
{
    cleanup_free char *abs = realpath(file, NULL);

    if (abs == NULL)
        return mb_fail(err, errno, "import %s", file);
    if (mkdir(dir, 0700) < 0)
        return mb_fail(err, errno, "create %s", dir);
    /* The same secure extraction as a layer's: no "..", no absolute
     * paths, nothing through a symlink the archive planted. */
    return layer_extract(abs, dir, err);
}

/* A path inside the unpacked archive, refusing anything that leaves it. */
static int inner_path(const char *dir, const char *rel, char *buf, size_t len, mb_error *err)
{
    if (rel == NULL || rel[0] == '/' || strstr(rel, "..") != NULL)
        return mb_fail(err, 0, "import: the manifest names a bad path '%s'", rel ? rel : "");
    snprintf(buf, len, "%s/%s", dir, rel);
    return 0;
}

static int blob_path(const char *dir, const char *digest, char *buf, size_t len, mb_error *err)
{
    if (digest == NULL || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71 ||
        strspn(digest + 7, "0123456789abcdef") != 64)
        return mb_fail(err, 0, "import: bad blob digest '%s'", digest ? digest : "");
    snprintf(buf, len, "%s/blobs/sha256/%s", dir, digest + 7);
    return 0;
}

/* Import every layer file; check them against the config's diff_ids. */
static int import_layers(const char *root, const char *const *paths, size_t n, json_t *config,
                         mb_error *err)
{
    json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    json_t *computed = json_array();
    char hex[65], want[72];

    for (size_t i = 0; i < n; i++) {
        int ret = layer_import_file(root, paths[i], hex, err);
        if (ret < 0) {
            json_decref(computed);
            return ret;
        }
        snprintf(want, sizeof(want), "sha256:%s", hex);
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
    json_object_set_new(config, "rootfs",
                        json_pack("{s:s, s:o}", "type", "layers", "diff_ids", computed));
    return 0;
}

static int import_oci(const char *root, const char *dir, json_t **config, const char **paths,
                      char storage[][4200], size_t *n, char *ref_name, mb_error *err)
{
    char path[4200];
    json_t *index, *manifest, *desc, *layer;
    const char *name;
    size_t i;

    (void)root;
    if (path_format(path, sizeof(path), err, "%s/index.json", dir) < 0)
        return -1;
    index = json_load_file(path, 0, NULL);
    desc = json_array_get(json_object_get(index, "manifests"), 0);
    name = json_string_value(
        json_object_get(json_object_get(desc, "annotations"), "org.opencontainers.image.ref.name"));
    if (name != NULL)
        snprintf(ref_name, 256, "%s", name);
    if (blob_path(dir, json_string_value(json_object_get(desc, "digest")), path, sizeof(path),
                  err) < 0) {
        json_decref(index);
        return -1;
    }
    json_decref(index);
    manifest = json_load_file(path, 0, NULL);
    if (manifest == NULL ||
        blob_path(dir,
                  json_string_value(json_object_get(json_object_get(manifest, "config"), "digest")),
                  path, sizeof(path), err) < 0) {
        json_decref(manifest);
        return manifest ? -1 : mb_fail(err, 0, "import: the OCI manifest is missing or invalid");
    }
    *config = json_load_file(path, 0, NULL);
    *n = 0;
    json_array_foreach (json_object_get(manifest, "layers"), i, layer) {
        if (*n == IMAGE_MAX_LAYERS ||
            blob_path(dir, json_string_value(json_object_get(layer, "digest")), storage[*n], 4200,
                      err) < 0) {
            json_decref(manifest);
            return -1;
        }
        paths[*n] = storage[*n];
        (*n)++;
    }
    json_decref(manifest);
    return *config ? 0 : mb_fail(err, 0, "import: the OCI image config is missing");
}

static int import_docker(const char *dir, json_t **config, const char **paths, char storage[][4200],
                         size_t *n, char *ref_name, mb_error *err)
{
    char path[4200];
    json_t *manifest, *entry, *layer;
    size_t i;

    if (path_format(path, sizeof(path), err, "%s/manifest.json", dir) < 0)
        return -1;
    manifest = json_load_file(path, 0, NULL);
    entry = json_array_get(manifest, 0);
    if (json_string_value(json_array_get(json_object_get(entry, "RepoTags"), 0)) != NULL)
        snprintf(ref_name, 256, "%s",
                 json_string_value(json_array_get(json_object_get(entry, "RepoTags"), 0)));
    if (inner_path(dir, json_string_value(json_object_get(entry, "Config")), path, sizeof(path),
                   err) < 0) {
        json_decref(manifest);
        return -1;
    }
    *config = json_load_file(path, 0, NULL);
    *n = 0;
    json_array_foreach (json_object_get(entry, "Layers"), i, layer) {
        if (*n == IMAGE_MAX_LAYERS ||
            inner_path(dir, json_string_value(layer), storage[*n], 4200, err) < 0) {
            json_decref(manifest);
            return -1;
        }
        paths[*n] = storage[*n];
        (*n)++;
    }
    json_decref(manifest);
    return *config ? 0 : mb_fail(err, 0, "import: the docker image config is missing");
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

int image_import(const char *root, const char *file, const char *name, char *id, mb_error *err)
{
    static char storage[IMAGE_MAX_LAYERS][4200];
    const char *paths[IMAGE_MAX_LAYERS];
    char dir[4200], ref_name[256] = "";
    cleanup_fd int lock = -1;
    enum archive_kind kind;
    json_t *config = NULL;
    size_t n = 0;
    int ret;

    ret = archive_kind_of(file, &kind, err);
    if (ret < 0)
        return ret;
    lock = store_lock(root, err);
    if (lock < 0)
        return -1;
    snprintf(dir, sizeof(dir), "%s/tmp/import-%d", root, (int)getpid());
    if (kind == KIND_ROOTFS) {
        config = default_config();
        paths[n++] = file;
    } else {
        ret = unpack_outer(file, dir, err);
        if (ret == 0 && kind == KIND_OCI)
            ret = import_oci(root, dir, &config, paths, storage, &n, ref_name, err);
        else if (ret == 0)
            ret = import_docker(dir, &config, paths, storage, &n, ref_name, err);
    }
    if (ret == 0)
        ret = import_layers(root, paths, n, config, err);
    if (ret == 0)
        ret = image_save(root, config, name ? name : (ref_name[0] ? ref_name : NULL), id, err);
    if (ret < 0)
        image_store_collect(root); /* layers of a refused import */
    json_decref(config);
    if (kind != KIND_ROOTFS) {
        if (remove_tree(dir) < 0)
            fprintf(stderr, "minibox: could not remove %s\n", dir);
    }
    return ret;
}
