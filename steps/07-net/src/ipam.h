/*
 * ipam.h - addresses for containers on the bridge (chapter 7): a lease
 * file under a lock, shared by every minibox on the host.
 *
 *   /run/minibox/net/leases   "network SUBNET last ADDRESS", then
 *                             "ADDRESS ID LOCKFILE PORTS" per container
 *   /run/minibox/net/lock     flock'd around every read-modify-write
 *
 * The first line is the network's: the subnet minibox0 was made with (the
 * bridge outlives its containers) and the address handed out last. A lease
 * whose container's lock file is gone or free belongs to a dead container
 * (its minibox was killed) and is reclaimed.
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
    int has_network;      /* the first line was there: the bridge was made */
    struct subnet subnet; /* ... on this subnet */
    struct in_addr last;  /* the address handed out last */
    struct lease leases[IPAM_MAX];
    int n;
};

/* Pure: "10.201.0.0/24" (prefix 16 to 29). */
int subnet_parse(const char *text, struct subnet *net, mb_error *err);

/* The subnet from MINIBOX_SUBNET or the default. */
int subnet_configured(struct subnet *net, mb_error *err);

/* Take the lock; returns its fd. */
int ipam_lock(mb_error *err);

/* Read the table, dropping dead containers' leases (they are copied to
 * dead[], *n_dead of them, for the caller to clean up). */
int ipam_load(struct lease_table *t, struct lease *dead, int *n_dead, mb_error *err);
int ipam_save(const struct lease_table *t, mb_error *err);

/* The next free address after the one handed out last, wrapping around at
 * the end of the subnet; records it as the last. */
int ipam_pick(struct lease_table *t, const struct subnet *net, struct in_addr *addr, mb_error *err);

/* Forget the network: the file goes (network rm, with no lease left). */
int ipam_forget(mb_error *err);

#endif
