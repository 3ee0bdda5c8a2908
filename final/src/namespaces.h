/*
 * namespaces.h - joining a running container's namespaces (chapter 10).
 */
#ifndef MB_NAMESPACES_H
#define MB_NAMESPACES_H

#include <sys/types.h>

#include "error.h"

/* Make this process a member of every namespace of `pid` (its children
 * then start in its PID namespace). With a pidfd, the kernel (5.8+) moves
 * it into all of them at once; else one /proc/PID/ns file at a time. */
int namespaces_join(pid_t pid, mb_error *err);

#endif
