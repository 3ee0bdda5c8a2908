/*
 * oci_init.h - the container's first process between clone and execve
 * (chapter 10): it builds the container around itself, tells `create` it
 * is ready, then blocks on the exec fifo until `start` opens it.
 */
#ifndef MB_OCI_INIT_H
#define MB_OCI_INIT_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "oci_cgroup.h"
#include "seccomp.h"

struct oci_init_args {
    json_t *config;
    const char *rootfs, *bundle;
    const struct oci_cgroup *cgroup;
    const struct seccomp_program *seccomp;
    int sync_fd;    /* create's end: "go" arrives, "ready" or the error leaves */
    int fifo_fd;    /* O_PATH fd of <state>/exec.fifo */
    int console_fd; /* connected --console-socket, or -1 */
    int preserve_fds;
    bool no_pivot;
};

/* What goes over sync_fd (a SOCK_SEQPACKET pair: one message, one send). */
struct oci_sync_msg {
    char kind; /* 'G' go, 'R' ready, 'E' failed */
    mb_error err;
};

/* Never returns: execs the command, or exits with the failure's status. */
__attribute__((noreturn)) void oci_init_run(const struct oci_init_args *args);

#endif
