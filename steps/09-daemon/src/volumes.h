/* volumes.h - bind volumes, -v SRC:DST[:ro] (chapter 4). */
#ifndef MB_VOLUMES_H
#define MB_VOLUMES_H

#include <stddef.h>

#include "config.h"
#include "error.h"

/* Parse one -v spec. Pure: checks the syntax only, touches no file. */
int volume_parse(const char *spec, struct volume *vol, mb_error *err);

/* Check a parsed volume against the host (the source exists) and store its
 * source with symlinks resolved. */
int volume_check_source(struct volume *vol, mb_error *err);

void volume_free(struct volume *vol);

/* In the container, before pivot_root: bind every volume into the rootfs. */
int volumes_mount(int rootfd, const struct volume *vols, size_t n, mb_error *err);

#endif
