/*
 * ipam.h - addresses for containers on the bridge (chapter 7): a lease
 * file under a lock, shared by every minibox on the host.
 *
 *   /run/minibox/net/leases   "ADDRESS ID LOCKFILE PORTS" per container
 *   /run/minibox/net/lock     flock'd around every read-modify-write
 *
 * A lease whose container's lock file is gone or free belongs to a dead
 * container (its minibox was killed) and is reclaimed.
 */
#ifndef MB_IPAM_H
#define MB_IPAM_H

#include <limits.h>
#include <netinet/in.h>

#include "error.h"

#define IPAM_DIR       "/run/minibox/net"
#define IPAM_MAX       256
#define BRIDGE_NAME    "minibox0"
#define SUBNET_DEFAULT "10.201.0.0/24"

struct subnet {
    struct in_addr network, gateway;
    int prefix;
};

struct lease {
    struct in_addr addr;
    char id[65];
    char lock[PATH_MAX];
    char ports[256]; /* "tcp:8080:80,udp:5353:53" or "-" */
};

struct lease_table {
    struct lease leases[IPAM_MAX];
    int n;
};

/* Pure: "10.201.0.0/24" (prefix 16 to 29). */
int subnet_parse(const char *text, struct subnet *net, mb_error *err);

/* The subnet from MINIBOX_SUBNET or the default. */
int subnet_configured(struct subnet *net, mb_error *err);

/* Take the lock; returns its fd. */
int ipam_lock(mb_error *err);

/* Read the table, dropping dead containers' leases (their ids are copied to
 * dead[], *n_dead of them, for the caller to clean up). */
int ipam_load(struct lease_table *t, char dead[][65], int *n_dead, mb_error *err);
int ipam_save(const struct lease_table *t, mb_error *err);

/* The lowest free address of the subnet. */
int ipam_pick(const struct lease_table *t, const struct subnet *net, struct in_addr *addr,
              mb_error *err);

#endif
