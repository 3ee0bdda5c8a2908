/*
 * slirp.h - rootless networking through slirp4netns (chapter 7).
 *
 * A normal user cannot create a veth pair on the host. slirp4netns instead
 * runs as that user, creates a tap device inside the container's network
 * namespace and carries its packets as ordinary sockets of its own: the
 * container reaches out as the user's own process would, and published
 * ports are sockets slirp4netns listens on (added through its API socket).
 */
#ifndef MB_SLIRP_H
#define MB_SLIRP_H

#include <sys/types.h>

#include "error.h"
#include "network.h"

#define SLIRP_GATEWAY "10.0.2.2" /* the host's loopback, seen from inside */
#define SLIRP_DNS     "10.0.2.3"

/* Start slirp4netns for the network namespace of `pid` and publish ports;
 * `api_path` is the container's state dir (its API socket and log go there). */
int slirp_start(pid_t pid, int in_userns, const struct net_config *net, const char *api_path,
                struct net_state *st, mb_error *err);

/* Stop it (closing its exit fd) and reap it. */
void slirp_stop(struct net_state *st);

#endif
