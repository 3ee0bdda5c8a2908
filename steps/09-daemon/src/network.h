/*
 * network.h - the container's network (chapter 7).
 *
 *   --net none    a network namespace with only lo
 *   --net bridge  (root's default) a veth pair: eth0 inside, the other end
 *                 on the bridge minibox0 outside; an address from a lease
 *                 file; outbound NAT and -p published ports with nftables
 *   --net slirp   (a normal user's default) slirp4netns, a user-mode TCP/IP
 *                 stack that needs no privilege
 *   --net host    no network namespace: the host's own interfaces
 */
#ifndef MB_NETWORK_H
#define MB_NETWORK_H

#include <netinet/in.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

#define NET_MAX_PORTS 16

enum net_mode { NET_DEFAULT, NET_NONE, NET_BRIDGE, NET_SLIRP, NET_HOST };

struct port_map {
    int host_port, container_port;
    int udp; /* 0: tcp */
};

struct net_config {
    enum net_mode mode;
    struct port_map ports[NET_MAX_PORTS];
    int n_ports;
};

/* What the parent holds while the container runs. */
struct net_state {
    struct in_addr addr, gateway;
    int prefix;
    char veth[16];               /* host end of the veth pair */
    int port_fds[NET_MAX_PORTS]; /* host ports held so nobody else takes them */
    int leased;
    pid_t slirp_pid;
    int slirp_exit_fd; /* slirp4netns exits when this closes */
};

/* Pure: "8080:80", "8080:80/udp", "127.0.0.1:8080:80" is not supported. */
int net_parse_port(const char *spec, struct port_map *port, mb_error *err);
int net_parse_mode(const char *text, enum net_mode *mode, mb_error *err);

/* Parent, before clone: lease an address (making the bridge and the NAT
 * table the first time), hold the published host ports and publish them. */
int network_prepare(const struct net_config *net, const char *id, const char *state_dir,
                    const char *hostname, struct net_state *st, mb_error *err);

/* Parent, after clone, before the child goes on: plug the container in. */
int network_attach(const struct net_config *net, const char *id, pid_t pid, int in_userns,
                   const char *state_dir, struct net_state *st, mb_error *err);

/* Child, in its network namespace: lo, eth0, its address and route. */
int network_configure_inside(const struct net_config *net, const struct net_state *st,
                             mb_error *err);

/* Child, before pivot_root: bind the per-container /etc/hosts, hostname and
 * resolv.conf from state_dir over the rootfs's. */
int network_mount_files(const struct net_config *net, int rootfd, const char *state_dir,
                        mb_error *err);

/* Parent, after the container: release the ports and the lease. The bridge
 * and the NAT table stay for the next container. */
void network_release(const struct net_config *net, struct net_state *st);

/* Reclaim the leases, links and published ports of dead containers;
 * returns how many. */
int network_gc(mb_error *err);

/* minibox network rm: remove the bridge, the NAT table and the lease file,
 * unless a running container has a lease. Returns 1 if there was a network
 * to remove, 0 if not. */
int network_remove(mb_error *err);

/* minibox network ls */
int network_list(FILE *out, mb_error *err);

#endif
