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

/* CLONE_NEW* of a namespace type as the OCI runtime spec names it
 * ("network", "mount" ...), 0 when there is none. */
int namespaces_flag(const char *oci_type);

/* This process's own namespaces, kept while it is in others. */
struct namespaces_saved {
    size_t n;
    int fd[8], type[8];
};

/* Join the namespaces an OCI config names by path (a pod's, shared with
 * its sandbox), those of the CLONE_NEW* types in `types`; the others are
 * left for another step (the mount namespace is the container process's
 * own). With `saved` (zeroed by the caller), the namespaces left are kept
 * there first, for namespaces_return. */
struct namespace_path;
int namespaces_join_paths(const struct namespace_path *join, size_t n, unsigned long types,
                          struct namespaces_saved *saved, mb_error *err);

/* Back into the namespaces saved (for the pid namespace: where this
 * process's children start), and the saved fds closed. */
int namespaces_return(struct namespaces_saved *saved, mb_error *err);

/* Only close them (a child that stays where it is). */
void namespaces_saved_close(struct namespaces_saved *saved);

#endif
