/*
 * netlink.h - the rtnetlink messages chapter 7 sends by hand: make a
 * bridge and a veth pair, move one end into the container, give addresses,
 * bring links up, add the default route.
 *
 * A request is a struct nlmsghdr, a fixed header for its family (ifinfomsg
 * for links, ifaddrmsg for addresses, rtmsg for routes), then attributes:
 * (length, type, value) records, nested where the kernel expects it
 * (IFLA_LINKINFO > IFLA_INFO_DATA > VETH_INFO_PEER). Every request asks for
 * an ACK, so every error comes back as an errno.
 */
#ifndef MB_NETLINK_H
#define MB_NETLINK_H

#include <netinet/in.h>
#include <sys/types.h>

#include "error.h"

/* A NETLINK_ROUTE socket of the calling process's network namespace. */
int nl_open(mb_error *err);

int nl_link_index(const char *name);

/* ip link add NAME type bridge */
int nl_bridge_add(int nl, const char *name, mb_error *err);

/* ip link add HOST type veth peer name PEER netns PID; HOST joins MASTER. */
int nl_veth_add(int nl, const char *host, int master_index, const char *peer, pid_t peer_pid,
                mb_error *err);

/* ip link set dev INDEX up */
int nl_link_up(int nl, int index, mb_error *err);

/* ip link del NAME (no error when it is already gone) */
int nl_link_del(int nl, const char *name, mb_error *err);

/* ip addr add ADDR/PREFIX dev INDEX */
int nl_addr_add(int nl, int index, struct in_addr addr, int prefix, mb_error *err);

/* ip route add default via GATEWAY dev INDEX */
int nl_route_default(int nl, int index, struct in_addr gateway, mb_error *err);

#endif
