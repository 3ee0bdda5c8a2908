/*
 * nat.h - outbound NAT and published ports with nftables (chapter 7), in
 * minibox's own table "ip minibox". The table is made with the bridge and
 * stays with it; a container's published ports are elements of its map
 * "ports", added and deleted with the container.
 */
#ifndef MB_NAT_H
#define MB_NAT_H

#include "error.h"
#include "ipam.h"

#define NAT_PORTS_MAP "ports"

/* Make (or replace) the table for the subnet, with an empty map. */
int nat_create(const struct subnet *net, mb_error *err);
int nat_remove(mb_error *err);

/* Add (add = 1) or delete the DNAT elements of a lease's published ports. */
int nat_publish(int add, const struct lease *l, mb_error *err);

#endif
