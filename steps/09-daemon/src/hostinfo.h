/*
 * hostinfo.h - what this host lets a container engine do, found by trying.
 *
 * `minibox info` prints it; a chapter that fails on a student's machine
 * starts here. Every fact is tried (unshare a namespace in a child) or read
 * from the kernel (mountinfo, sysctls), never guessed from a distribution's
 * name.
 */
#ifndef MB_HOSTINFO_H
#define MB_HOSTINFO_H

#include <jansson.h>

#include "error.h"

/* Build the JSON model of this host. The caller owns the result. */
int hostinfo_probe(json_t **out, mb_error *err);

#endif
