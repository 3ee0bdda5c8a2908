/*
 * container.h - one container's life, from clone to exit status.
 */
#ifndef MB_CONTAINER_H
#define MB_CONTAINER_H

#include "config.h"
#include "error.h"

/* Run the container in the foreground. *status gets the command's status
 * (exit code, or 128+signal); the return is -1 when minibox itself failed. */
int container_run(const struct container_config *cfg, int *status, mb_error *err);

#endif
