/*
 * protocol.h - the daemon's wire format (chapter 9).
 *
 * Every message is a 4-byte big-endian length, then that many bytes of one
 * JSON object. Requests carry "v": 1 and "op"; replies are {"v":1, "ok":
 * true, ...} or {"v":1, "ok":false, "error": "..."}. File descriptors (the
 * client's stdin, stdout and stderr; a pty master) travel beside a message
 * as SCM_RIGHTS ancillary data, so the container writes straight to the
 * client's terminal or pipes and the daemon never copies a byte of output.
 */
#ifndef MB_PROTOCOL_H
#define MB_PROTOCOL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PROTO_VERSION   1
#define PROTO_MAX_BYTES (1u << 20) /* a larger message is refused */
#define PROTO_MAX_FDS   3

/* Pure: parse one message body; it must be a JSON object with "v": 1. */
int proto_parse(const char *buf, size_t len, json_t **msg, mb_error *err);

/* Send one message, with up to PROTO_MAX_FDS fds. */
int proto_send(int sock, json_t *msg, const int *fds, int n_fds, mb_error *err);

/* Receive one message and the fds that came with it (*n_fds of them).
 * Returns 0, 1 at a clean end of stream, or -1. */
int proto_recv(int sock, json_t **msg, int *fds, int *n_fds, mb_error *err);

#endif
