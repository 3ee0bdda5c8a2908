/*
 * oci_process.h - turning the calling process into config.json's `process`
 * (the container's first process, or one `exec` adds): limits, user,
 * capabilities, no_new_privs, working directory, terminal, then the
 * command (chapter 10).
 */
#ifndef MB_OCI_PROCESS_H
#define MB_OCI_PROCESS_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"
#include "seccomp.h"

/* Everything but the exec, in the order the kernel needs: rlimits and
 * oomScoreAdj while still privileged, the bounding set before the uid
 * changes, the other sets after, the working directory as the user, and
 * every fd above 2 + preserve_fds closed on exec. */
int oci_process_prepare(json_t *process, int preserve_fds, const struct seccomp_program *prog,
                        mb_error *err);

/* args[0] looked up in process.env's PATH (not minibox's own). Status 127
 * when there is no such command, 126 when it cannot be executed. */
int oci_process_find(json_t *process, char *path, size_t len, mb_error *err);

/* Install the filter (last, with noNewPrivileges: it may forbid what came
 * before; else prepare installed it) and execve.
 * Returns only on failure. */
int oci_process_exec(json_t *process, const char *path, const struct seccomp_program *prog,
                     mb_error *err);

/* --console-socket: connect to the unix socket of whoever wants the
 * terminal (conmon, containerd's shim). Done by the runtime on the host,
 * before the container's mount namespace hides the path. */
int oci_console_connect(const char *path, mb_error *err);

/* In the process: a new pseudo-terminal from the devpts it sees, its slave
 * as stdin/stdout/stderr and controlling terminal, its master sent over
 * socket_fd with SCM_RIGHTS (and the slave's name as the message, as runc
 * does). */
int oci_console_setup(int socket_fd, mb_error *err);

#endif
