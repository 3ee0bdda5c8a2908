/*
 * container_store.h - containers made from images outlive their process
 * (chapter 8): their writable layer stays until `minibox rm`, so that
 * `minibox commit` can turn it into an image. This file says what a
 * container's record holds; state.c owns the dir and its files.
 *
 *   <root>/containers/<id>/container.json  id, name, image, command, created
 *   <root>/containers/<id>/upper, work     the overlay's writable layer
 *   <root>/containers/<id>/rootfs          where the overlay is mounted
 */
#ifndef MB_CONTAINER_STORE_H
#define MB_CONTAINER_STORE_H

#include "mb_step.h"

#include <stdbool.h>

#include "config.h"
#include "error.h"
#include "state.h"

/* Does the container's record outlive its run? An image container's does
 * (its layer is kept for commit) unless --rm; from chapter 9 whatever the
 * daemon ran, until rm, as Docker keeps it. The one answer for the record,
 * the end of a run and gc. */
bool container_record_kept(const struct container_config *cfg);

/* The record: id, name, image (or rootfs), command, created, keep. */
int container_record_write(const struct container_config *cfg, const struct container_state *state,
                           mb_error *err);

/* Parent, before clone: the dirs and the record of an image container. */
int container_store_create(const struct container_config *cfg, const struct container_state *state,
                           mb_error *err);

#endif
