/*
 * hardening.h - what the container may not see or change of the host's
 * kernel, whatever its capabilities (chapter 10).
 */
#ifndef MB_HARDENING_H
#define MB_HARDENING_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Docker's lists. Masked: a file gets /dev/null bound over it, a directory
 * an empty read-only tmpfs. Read-only: bound onto itself, remounted ro. */
extern const char *const hardening_masked_paths[];   /* NULL-terminated */
extern const char *const hardening_readonly_paths[]; /* NULL-terminated */

/* After pivot_root, in the container: mask each path (absolute, inside the
 * container). A path the kernel does not have is skipped. Files get the
 * null device bound over them: from null_tree (a detached clone of the
 * host's /dev/null, open_tree(2)) when it is not -1, else the container's
 * /dev/null, and only if it is the null device. */
int hardening_mask_paths(const char *const *paths, int null_tree, mb_error *err);

/* May a container set this sysctl? Only what a namespace of its own
 * (CLONE_NEW* in `namespaces`) holds, as runc allows: anything else is the
 * host's kernel. */
int hardening_sysctl_allowed(const char *key, unsigned long namespaces, mb_error *err);

/* An OCI config's sysctls ("net.ipv4.ip_forward=1"), written under the
 * container's /proc/sys; NULL-terminated. */
int hardening_sysctl(char *const *settings, mb_error *err);

/* After pivot_root: make each path a read-only mount. Missing ones are
 * skipped. */
int hardening_readonly_paths_apply(const char *const *paths, mb_error *err);

/* Remount the container's / read-only (--read-only); the mounts on top of
 * it (/proc, /dev, volumes, --tmpfs) keep their own flags. */
int hardening_readonly_root(mb_error *err);

/* prctl(PR_SET_NO_NEW_PRIVS): no execve after this can gain privileges,
 * not through setuid bits and not through file capabilities. */
int hardening_no_new_privs(mb_error *err);

/* CVE-2024-21626: no fd of minibox's (or of whoever started minibox) may
 * reach the command. Marks every fd from `first` on close-on-exec. */
int hardening_close_fds_on_exec(int first, mb_error *err);

/* Close every fd from `first` on but the n in keep[] (-1 entries are
 * ignored), not only mark them close-on-exec: before a process joins a
 * container, nothing of the host may be open in it (CVE-2016-9962). */
int hardening_close_fds(int first, const int *keep, size_t n, mb_error *err);

/* chdir(dir) inside the container, then prove the working directory is
 * inside its root: a directory reached through a leaked fd or a path that
 * walks out has no name from "/" (getcwd fails with ENOENT). */
int hardening_chdir_inside(const char *dir, bool create, mb_error *err);

#endif
