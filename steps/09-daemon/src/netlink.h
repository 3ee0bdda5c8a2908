/*
 * netlink.h - the netlink messages chapter 7 sends by hand: rtnetlink to
 * make a bridge and a veth pair, move one end into the container, give
 * addresses, bring links up, add the default route; nfnetlink to add and
 * remove one element of an nftables map (a published port).
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

/* A NETLINK_NETFILTER socket, for nftables. */
int nl_open_netfilter(mb_error *err);

int nl_link_index(const char *name);

/* ip link add NAME address MAC type bridge */
int nl_bridge_add(int nl, const char *name, const unsigned char mac[6], mb_error *err);

/* ip link add HOST type veth peer name PEER address MAC netns PID; HOST
 * joins MASTER. */
int nl_veth_add(int nl, const char *host, int master_index, const char *peer,
                const unsigned char peer_mac[6], pid_t peer_pid, mb_error *err);

/* ip link set dev INDEX up */
int nl_link_up(int nl, int index, mb_error *err);

/* ip link del NAME (no error when it is already gone) */
int nl_link_del(int nl, const char *name, mb_error *err);

/* ip addr add ADDR/PREFIX dev INDEX */
int nl_addr_add(int nl, int index, struct in_addr addr, int prefix, mb_error *err);

/* ip route add default via GATEWAY dev INDEX */
int nl_route_default(int nl, int index, struct in_addr gateway, mb_error *err);

/* nft add element ip TABLE MAP { KEY : DATA, ... } (add), or
 * nft delete element ip TABLE MAP { KEY, ... } (!add; what is gone already
 * is no error), N elements in one batch. KEYS and DATA are N values of the
 * map's concatenated types, each field padded to 4 bytes as nftables
 * stores them. */
int nl_nft_map_elements(int nfnl, int add, const char *table, const char *map, int n,
                        const void *keys, size_t key_len, const void *data, size_t data_len,
                        mb_error *err);

#endif
