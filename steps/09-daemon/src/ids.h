/* ids.h - container ids. */
#ifndef MB_IDS_H
#define MB_IDS_H

#include "error.h"

#define MB_ID_LEN       64 /* hex digits, as Docker */
#define MB_SHORT_ID_LEN 12 /* what ps and the default hostname show */

/* Fill id (MB_ID_LEN + 1 bytes) with 32 random bytes in hex. */
int container_id_new(char *id, mb_error *err);

#endif
