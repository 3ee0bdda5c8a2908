/*
 * console.h - an OCI container's terminal (chapter 10). The runtime spec's
 * process.terminal asks for a pseudo-terminal made inside the container
 * (its own devpts), whose master goes to whoever called create or exec
 * (conmon, containerd's shim) over a unix socket, --console-socket.
 */
#ifndef MB_CONSOLE_H
#define MB_CONSOLE_H

#include "error.h"

/* The caller's side, before clone: connect to the console socket. */
int console_connect(const char *path, mb_error *err);

/* In the container, after pivot_root: a new pty from its /dev/ptmx becomes
 * this process's controlling terminal and stdio, and the master is sent
 * over socket_fd (then closed). */
int console_setup(int socket_fd, mb_error *err);

#endif
