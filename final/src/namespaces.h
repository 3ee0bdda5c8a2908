/*
 * namespaces.h - joining a running container's namespaces (chapter 10).
 */
#ifndef MB_NAMESPACES_H
#define MB_NAMESPACES_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Make this process a member of every namespace of `pid` (its children
 * then start in its PID namespace). With a pidfd, the kernel (5.8+) moves
 * it into all of them at once; else one /proc/PID/ns file at a time. */
int namespaces_join(pid_t pid, mb_error *err);

/* The namespaces an OCI config names by path (a pod's, shared with its
 * sandbox), those of the CLONE_NEW* types in `types`; the others are left
 * for another step (the mount namespace is the container process's own). */
struct namespace_path;

/* CLONE_NEW* of a namespace type as the OCI runtime spec names it
 * ("network", "mount" ...), 0 when there is none. */
int namespaces_flag(const char *oci_type);

int namespaces_join_paths(const struct namespace_path *join, size_t n, unsigned long types,
                          mb_error *err);

#endif
