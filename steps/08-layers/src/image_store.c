/* image_store.c - see image_store.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "image_store.h"
#include "state.h"
#include "util.h"

static void image_drop_if_orphan(const char *root, json_t *repos, const char *id);

void layer_dir(const char *root, const char *hex, char *buf, size_t len)
{
    snprintf(buf, len, "%s/layers/%s", root, hex);
}

void image_ref_normalise(const char *ref, char *buf, size_t len)
{
    const char *slash = strrchr(ref, '/');
    const char *colon = strchr(slash ? slash : ref, ':');

    snprintf(buf, len, "%s%s", ref, colon ? "" : ":latest");
}

static int store_mkdirs(const char *root, mb_error *err)
{
    static const char *const dirs[] = {"", "/layers", "/images", "/tmp"};
    char path[4200];

    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
        if (mkdir(path, 0711) < 0 && errno != EEXIST)
            return mb_fail(err, errno, "create %s", path);
    }
    return 0;
}

int store_lock(const char *root, mb_error *err)
{
    char path[4200];
    int fd;

    if (store_mkdirs(root, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/store.lock", root);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return mb_fail(err, saved, "lock %s", path);
    }
    return fd;
}

int store_write_atomic(const char *path, const char *data, size_t len, mb_error *err)
{
    char tmp[4200];
    cleanup_fd int fd = -1;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
        return mb_fail(err, errno, "write %s", tmp);
    if (rename(tmp, path) < 0)
        return mb_fail(err, errno, "rename %s", tmp);
    return 0;
}

static void sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;

    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static json_t *repositories_load(const char *root)
{
    char path[4200];
    json_t *repos;

    snprintf(path, sizeof(path), "%s/repositories.json", root);
    repos = json_load_file(path, 0, NULL);
    return json_is_object(repos) ? repos : (json_decref(repos), json_object());
}

static int repositories_save(const char *root, json_t *repos, mb_error *err)
{
    char path[4200];
    char *text = json_dumps(repos, JSON_INDENT(2) | JSON_SORT_KEYS);
    int ret;

    if (text == NULL)
        return mb_fail(err, ENOMEM, "repositories.json");
    snprintf(path, sizeof(path), "%s/repositories.json", root);
    ret = store_write_atomic(path, text, strlen(text), err);
    free(text);
    return ret;
}

int image_names(const char *root, json_t **repositories, mb_error *err)
{
    (void)err;
    *repositories = repositories_load(root);
    return 0;
}

int image_save(const char *root, json_t *config, const char *name, char *id, mb_error *err)
{
    char hex[65], path[4200], ref[512];
    char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *repos;
    int ret;

    if (text == NULL)
        return mb_fail(err, ENOMEM, "image config");
    ret = store_mkdirs(root, err);
    sha256_hex(text, strlen(text), hex);
    snprintf(path, sizeof(path), "%s/images/%s.json", root, hex);
    if (ret == 0)
        ret = store_write_atomic(path, text, strlen(text), err);
    free(text);
    if (ret < 0)
        return ret;
    snprintf(id, 72, "sha256:%s", hex);
    if (name == NULL)
        return 0;
    image_ref_normalise(name, ref, sizeof(ref));
    repos = repositories_load(root);
    {
        char old[72] = "";
        const char *prev = json_string_value(json_object_get(repos, ref));

        if (prev != NULL && strcmp(prev, id) != 0)
            snprintf(old, sizeof(old), "%s", prev);
        json_object_set_new(repos, ref, json_string(id));
        ret = repositories_save(root, repos, err);
        /* The name moved on: an image left with no name and no container
         * would only take space, unseen. */
        if (ret == 0 && old[0] != '\0')
            image_drop_if_orphan(root, repos, old);
    }
    json_decref(repos);
    return ret;
}

/* The id (hex) a reference names: a name, "sha256:<hex>", or a hex prefix. */
static int resolve_hex(const char *root, const char *ref, char hex[65], mb_error *err)
{
    char norm[512], dir[4200];
    json_t *repos = repositories_load(root), *id;
    struct dirent *e;
    int found = 0;
    DIR *d;

    image_ref_normalise(ref, norm, sizeof(norm));
    id = json_object_get(repos, norm);
    if (json_is_string(id) && strncmp(json_string_value(id), "sha256:", 7) == 0) {
        snprintf(hex, 65, "%s", json_string_value(id) + 7);
        json_decref(repos);
        return 0;
    }
    json_decref(repos);
    if (strncmp(ref, "sha256:", 7) == 0)
        ref += 7;
    if (strlen(ref) < 4 || strspn(ref, "0123456789abcdef") != strlen(ref))
        return mb_fail(err, 0,
                       "no image '%s' (see 'minibox images'; import one with "
                       "'minibox image import FILE NAME')",
                       ref);
    snprintf(dir, sizeof(dir), "%s/images", root);
    d = opendir(dir);
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, ref, strlen(ref)) == 0 && strlen(e->d_name) == 69) {
            snprintf(hex, 65, "%.64s", e->d_name);
            found++;
        }
    }
    if (d != NULL)
        closedir(d);
    if (found != 1)
        return mb_fail(err, 0, "%s image id '%s'", found ? "ambiguous" : "no", ref);
    return 0;
}

int image_resolve(const char *root, const char *ref, struct image *img, mb_error *err)
{
    char hex[65], path[4200];
    json_t *ids, *diff;
    size_t i;

    memset(img, 0, sizeof(*img));
    if (resolve_hex(root, ref, hex, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/images/%s.json", root, hex);
    img->config = json_load_file(path, 0, NULL);
    if (img->config == NULL)
        return mb_fail(err, errno, "image %s: cannot read %s", ref, path);
    snprintf(img->id, sizeof(img->id), "sha256:%s", hex);
    ids = json_object_get(json_object_get(img->config, "rootfs"), "diff_ids");
    json_array_foreach (ids, i, diff) {
        const char *v = json_string_value(diff);
        if (v == NULL || strncmp(v, "sha256:", 7) != 0 || strlen(v) != 71 ||
            img->n_layers == IMAGE_MAX_LAYERS) {
            image_release(img);
            return mb_fail(err, 0, "image %s: bad or too many layers in its config", ref);
        }
        snprintf(img->layers[img->n_layers++], 65, "%s", v + 7);
    }
    return 0;
}

void image_release(struct image *img)
{
    json_decref(img->config);
    img->config = NULL;
}

struct image_user {
    const char *id;
    char *who;
    size_t len;
};

static int image_used_by(struct container_state *state, void *data)
{
    struct image_user *u = data;
    json_t *record = state_record(state);
    int used = strcmp(json_string_value(json_object_get(record, "image")) ?: "", u->id) == 0;

    if (used)
        snprintf(u->who, u->len, "%.12s", state->id);
    json_decref(record);
    return used;
}

/* Is the image the base of any container, running or exited? */
static int image_in_use(const char *root, const char *id, char *who, size_t len)
{
    struct image_user u = {id, who, len};

    return state_each(root, image_used_by, &u);
}

/* Delete layers that no stored image lists any more. */
static void layers_collect(const char *root)
{
    char dir[4200];
    json_t *keep = json_object();
    struct dirent *e;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/images", root);
    d = opendir(dir);
    while (d != NULL && (e = readdir(d)) != NULL) {
        cleanup_free char *text = NULL;
        json_t *cfg, *diff;
        mb_error ignored;
        size_t i;

        if (e->d_name[0] == '.' || read_file_at(dirfd(d), e->d_name, &text, NULL, &ignored) < 0)
            continue;
        cfg = json_loads(text, 0, NULL);
        json_array_foreach (json_object_get(json_object_get(cfg, "rootfs"), "diff_ids"), i, diff)
            if (json_string_value(diff) != NULL && strlen(json_string_value(diff)) == 71)
                json_object_set_new(keep, json_string_value(diff) + 7, json_true());
        json_decref(cfg);
    }
    if (d != NULL)
        closedir(d);
    snprintf(dir, sizeof(dir), "%s/layers", root);
    d = opendir(dir);
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        mb_error ignored;

        if (strlen(e->d_name) != 64 || json_object_get(keep, e->d_name) != NULL)
            continue;
        if (path_format(path, sizeof(path), &ignored, "%s/%s", dir, e->d_name) < 0 ||
            remove_tree(path) < 0)
            fprintf(stderr, "minibox: could not remove layer %.12s\n", e->d_name);
    }
    if (d != NULL)
        closedir(d);
    json_decref(keep);
}

void image_store_collect(const char *root)
{
    layers_collect(root);
}

static void image_drop_if_orphan(const char *root, json_t *repos, const char *id)
{
    char who[16], path[4200];
    const char *key;
    json_t *value;

    json_object_foreach (repos, key, value)
        if (strcmp(json_string_value(value), id) == 0)
            return;
    if (image_in_use(root, id, who, sizeof(who)))
        return;
    snprintf(path, sizeof(path), "%s/images/%s.json", root, id + 7);
    unlink(path);
    layers_collect(root);
}

int image_remove(const char *root, const char *ref, mb_error *err)
{
    cleanup_fd int lock = store_lock(root, err);
    char hex[65], id[72], norm[512], who[16], path[4200];
    json_t *repos, *value;
    const char *key;
    void *tmp;
    int ret, names_left = 0;

    if (lock < 0)
        return -1;
    if (resolve_hex(root, ref, hex, err) < 0)
        return -1;
    snprintf(id, sizeof(id), "sha256:%s", hex);
    if (image_in_use(root, id, who, sizeof(who)))
        return mb_fail(err, 0, "image %s is used by container %s (fix: minibox rm %s first)", ref,
                       who, who);
    image_ref_normalise(ref, norm, sizeof(norm));
    repos = repositories_load(root);
    json_object_del(repos, norm);
    json_object_foreach_safe (repos, tmp, key, value) {
        if (strcmp(json_string_value(value), id) != 0)
            continue;
        if (strncmp(ref, "sha256:", 7) == 0 || strspn(ref, "0123456789abcdef") == strlen(ref))
            json_object_del(repos, key); /* removal by id drops every name */
        else
            names_left++;
    }
    ret = repositories_save(root, repos, err);
    json_decref(repos);
    if (ret < 0 || names_left > 0)
        return ret;
    snprintf(path, sizeof(path), "%s/images/%s.json", root, hex);
    unlink(path);
    layers_collect(root);
    return 0;
}
