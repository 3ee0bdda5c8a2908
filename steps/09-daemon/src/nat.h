/*
 * nat.h - outbound NAT and published ports with nftables (chapter 7), in
 * minibox's own table "ip minibox", rebuilt whole from the lease table on
 * every change and removed with the last container.
 */
#ifndef MB_NAT_H
#define MB_NAT_H

#include "error.h"
#include "ipam.h"

int nat_apply(const struct subnet *net, const struct lease_table *t, mb_error *err);
int nat_remove(mb_error *err);

#endif
