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

#include "error.h"

/* Import a layer tar (plain, gzip, ...) into the store; hex gets its id. */
int layer_import_file(const char *root, const char *path, char hex[65], mb_error *err);

/* Extract an archive into an existing dir with every check above (also used
 * for the outer archive of an OCI layout or a docker save). */
int layer_extract(const char *path, const char *dir, mb_error *err);

/* Make a layer from a container's overlay upper dir (commit). */
int layer_from_upper(const char *root, const char *upper, char hex[65], mb_error *err);

#endif
