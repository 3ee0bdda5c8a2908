/*
 * image_import.h - `minibox image import FILE [NAME[:TAG]]` (chapter 8).
 *
 * Three kinds of archive are understood:
 *   - a plain rootfs tarball (one layer; e.g. `tar -C rootfs -c .`);
 *   - an OCI image layout archive (oci-layout, index.json, blobs/sha256/);
 *   - a `docker save` archive (manifest.json, <config>.json, layer tars).
 * Layers may be gzip-compressed; each is stored under the sha256 of its
 * uncompressed tar, so the same layer from any of the three lands once.
 */
#ifndef MB_IMAGE_IMPORT_H
#define MB_IMAGE_IMPORT_H

#include <stdint.h>

#include "error.h"

/* Import `file` as image `name` (NULL: the archive's own name). What the
 * archive unpacks to is capped at max_bytes (0: no cap). */
int image_import(const char *root, const char *file, const char *name, uint64_t max_bytes, char *id,
                 mb_error *err);

#endif
