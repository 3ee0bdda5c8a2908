/*
 * client.h - the client half of chapter 9: a verb typed by the user is sent
 * to the daemon when one listens on the socket.
 */
#ifndef MB_CLIENT_H
#define MB_CLIENT_H

#include "config.h"
#include "error.h"

/* 1: the daemon ran the verb and *status is its exit status; 0: no daemon
 * listens (run it here); -1: err says why not. */
int client_call(const struct mb_globals *globals, int argc, char **argv, int *status,
                mb_error *err);

#endif
