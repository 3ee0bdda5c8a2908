/*
 * image_store.h - images as content-addressed layers (chapter 8).
 *
 *   <root>/layers/<hex>/        a layer, extracted: hex is the sha256 of its
 *                               uncompressed tar (the OCI diff_id)
 *   <root>/images/<hex>.json    an image config (OCI): Env, Cmd, Entrypoint,
 *                               WorkingDir, rootfs.diff_ids; hex is the
 *                               sha256 of the file, the image's id
 *   <root>/repositories.json    {"name:tag": "sha256:<hex>"}
 *
 * Every file is written to a temporary name, fsync'd and renamed, so a
 * crash leaves the old version or the new one, never half of one. A layer
 * dir appears (rename) only once fully extracted.
 */
#ifndef MB_IMAGE_STORE_H
#define MB_IMAGE_STORE_H

#include <jansson.h>

#include "error.h"

#define IMAGE_MAX_LAYERS 64

struct image {
    char id[72]; /* sha256:<64 hex> */
    json_t *config;
    char layers[IMAGE_MAX_LAYERS][65]; /* diff_id hex, bottom layer first */
    int n_layers;
};

/* Take the store's lock (writers: import, commit, rmi). Returns its fd. */
int store_lock(const char *root, mb_error *err);

/* Find an image by name[:tag] (":latest" implied) or by id (or its prefix). */
int image_resolve(const char *root, const char *ref, struct image *img, mb_error *err);
void image_release(struct image *img);

/* Store a config and name it; id gets "sha256:<hex>". */
int image_save(const char *root, json_t *config, const char *name, char *id, mb_error *err);

/* The names pointing at each image, for `images`: calls fn per name. */
int image_names(const char *root, json_t **repositories, mb_error *err);

/* Remove a name; the image and its unused layers go with its last name.
 * Refused while a container (running or exited) uses the image. */
int image_remove(const char *root, const char *ref, mb_error *err);

/* Delete the layers that no stored image lists (after a failed import). */
void image_store_collect(const char *root);

/* "<root>/layers/<hex>" */
void layer_dir(const char *root, const char *hex, char *buf, size_t len);

/* Write a small file atomically: tmp, fsync, rename. */
int store_write_atomic(const char *path, const char *data, size_t len, mb_error *err);
#if MB_STEP >= 10
/* The same without fsync, for files that mean nothing after a reboot (a
 * running container's pid, the record of a run that is not kept): readers
 * still never see half a file, and a run does not wait for the disk. */
int store_write_runtime(const char *path, const char *data, size_t len, mb_error *err);
#endif

/* Normalise "name" to "name:latest". */
void image_ref_normalise(const char *ref, char *buf, size_t len);

#endif
