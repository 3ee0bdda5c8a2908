/*
 * seccomp.h - the container's system call filter (chapter 10).
 *
 * The filter is compiled (by libseccomp) in the parent, before clone, into
 * a classic BPF program; the child installs it as the very last step before
 * execve, after capabilities are dropped and no_new_privs is set. The
 * default filter is compiled once and cached on disk, so a run pays for
 * reading a small file, not for libseccomp's compiler.
 */
#ifndef MB_SECCOMP_H
#define MB_SECCOMP_H

#include <jansson.h>
#include <stddef.h>

#include "caps.h"
#include "error.h"

struct sock_filter;

/* A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
struct seccomp_program {
    struct sock_filter *filter; /* heap; NULL: no filter (unconfined) */
    unsigned short len;         /* number of instructions */
};

/* Docker's default profile, in spirit: everything not listed fails with
 * EPERM; the syscalls that only a capability makes safe (mount, unshare,
 * setns, ptrace ...) are allowed when `caps` holds that capability. Loaded
 * from <cache_dir>/seccomp-<key>.bpf when present, else compiled and stored
 * there (atomically). cache_dir NULL: compile every time. */
int seccomp_program_default(const char *cache_dir, cap_mask caps, struct seccomp_program *prog,
                            mb_error *err);

/* An OCI config.json's linux.seccomp object (defaultAction, defaultErrnoRet,
 * architectures, syscalls[{names, action, errnoRet, args}]). */
int seccomp_program_from_oci(json_t *profile, struct seccomp_program *prog, mb_error *err);

/* In the child, last before execve; needs no_new_privs or CAP_SYS_ADMIN. A
 * program with no filter installs nothing. */
int seccomp_program_install(const struct seccomp_program *prog, mb_error *err);

void seccomp_program_free(struct seccomp_program *prog);

#endif
