/* devices.h - the container's minimal /dev (chapter 4). */
#ifndef MB_DEVICES_H
#define MB_DEVICES_H

#include "error.h"

/* Mount a tmpfs on <rootfs>/dev and fill it with the few devices every
 * program expects, a private devpts and /dev/shm. */
int devices_setup(int rootfd, mb_error *err);

#endif
