/*
 * layer.h - one image layer: a tar of changes, stored extracted and named by
 * the sha256 of the uncompressed tar (chapter 8).
 *
 * Inside a tar, a deletion is a whiteout file ".wh.NAME", and a directory
 * whose lower contents are hidden holds ".wh..wh..opq". overlayfs wants
 * them its own way: a 0:0 character device NAME, and the xattr
 * trusted.overlay.opaque="y" on the directory. Import converts tar to
 * overlay; commit converts back.
 */
#ifndef MB_LAYER_H
#define MB_LAYER_H

#include <stdint.h>

#include "error.h"

/* What one import may unpack at most, unless `image import --max-size`
 * says otherwise: an archive may be a small file that unpacks to anything. */
#define LAYER_DEFAULT_MAX_BYTES (64ULL << 30)

/* A layer read and extracted, not in the store yet. */
struct layer {
    char hex[65];   /* the sha256 of its uncompressed tar: its id */
    char dir[4300]; /* where it was extracted, under <root>/tmp; "" when the store has it */
};

/* Read the layer tar on fd (plain, gzip, ...) from its start, once:
 * extract it under <root>/tmp and take its digest from the same stream,
 * then write it to disk (one syncfs); if the store has that digest
 * already, the copy is dropped (l->dir ""). At most *budget bytes are
 * unpacked (*budget keeps what is left). Nothing of the store changes: no
 * lock is needed while the archive is read. */
int layer_prepare(const char *root, int fd, uint64_t *budget, struct layer *l, mb_error *err);

/* Under the store lock: move a prepared layer to <root>/layers/<hex>. */
int layer_store(const char *root, struct layer *l, mb_error *err);

/* Remove what layer_prepare left under <root>/tmp. */
void layer_discard(struct layer *l);

/* Extract the archive on fd into an existing dir with every check above
 * (also the outer archive of an OCI layout or a docker save). With `hex`
 * (65 bytes), the sha256 of the uncompressed stream too, in the same pass. */
int layer_extract(int fd, const char *dir, uint64_t *budget, char *hex, mb_error *err);

/* Prepare a layer from a container's overlay upper dir (commit). */
int layer_from_upper(const char *root, const char *upper, struct layer *l, mb_error *err);

#endif
