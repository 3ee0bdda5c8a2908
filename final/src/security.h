/*
 * security.h - putting the hardening of chapter 10 in place, in order.
 *
 *   parent, before clone   compile (or load the cached) seccomp filter
 *   child, after pivot     mask /proc and /sys paths, make others read-only
 *   child, before execve   close-on-exec every fd, working directory, the
 *                          root read-only (--read-only), drop capabilities,
 *                          switch user, no_new_privs, seccomp
 */
#ifndef MB_SECURITY_H
#define MB_SECURITY_H

#include <stddef.h>

#include "config.h"
#include "error.h"

/* Parent: the filter the container will get (none when unconfined). */
int security_prepare(struct hardening_config *h, const char *state_root, mb_error *err);

/* Child, right after pivot_root: masks (bound from null_tree, a clone of
 * the host's /dev/null taken before pivot_root, when there is one),
 * read-only paths; an OCI config's lists and sysctls. */
int security_apply_mounts(const struct container_config *cfg, int null_tree, mb_error *err);

/* Child, last before execve: everything else. workdir may be NULL; home
 * gets the user's home directory (for HOME). */
int security_enter(const struct hardening_config *h, const struct process_config *proc,
                   const char *workdir, char *home, size_t home_len, mb_error *err);

/* The very last step, right before execve: the seccomp filter, when
 * no_new_privs let security_enter leave it for last. */
int security_finish(const struct hardening_config *h, mb_error *err);

#endif
