/*
 * network.c - see network.h.
 *
 * The network is made once, by the first bridged container, and stays
 * (minibox network rm removes it): the bridge minibox0, its address and
 * the nftables table. The life of a bridged container's network, parent
 * and child:
 *
 *   parent, before clone   lease 10.201.0.N (make the network if absent),
 *                          hold the -p host ports, add them to the NAT map
 *   parent, after clone    veth mbXXXX <-> eth0 with eth0 created right in
 *                          the child's namespace; mbXXXX on the bridge, up
 *   child, released        lo up; eth0: address, up, default route
 *   parent, at exit        return the lease and the ports; the veth goes
 *                          with the container's namespace
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipam.h"
#include "mounts.h"
#include "nat.h"
#include "netlink.h"
#include "network.h"
#include "slirp.h"
#include "util.h"

int net_parse_mode(const char *text, enum net_mode *mode, mb_error *err)
{
    static const struct {
        const char *name;
        enum net_mode mode;
    } modes[] = {
        {"none", NET_NONE}, {"bridge", NET_BRIDGE}, {"slirp", NET_SLIRP}, {"host", NET_HOST}};

    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(text, modes[i].name) == 0) {
            *mode = modes[i].mode;
            return 0;
        }
    return mb_fail(err, 0, "bad --net '%s': expected none, bridge, slirp or host", text);
}

int net_parse_port(const char *spec, struct port_map *port, mb_error *err)
{
    char proto[8] = "tcp";
    int used = 0, n = sscanf(spec, "%d:%d%n/%7[a-z]%n", &port->host_port, &port->container_port,
                             &used, proto, &used);

    if ((n != 2 && n != 3) || (size_t)used != strlen(spec) ||
        (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
        return mb_fail(err, 0, "bad -p '%s': expected HOSTPORT:CONTAINERPORT[/tcp|/udp]", spec);
    if (port->host_port < 1 || port->host_port > 65535 || port->container_port < 1 ||
        port->container_port > 65535)
        return mb_fail(err, 0, "bad -p '%s': ports are 1 to 65535", spec);
    port->udp = strcmp(proto, "udp") == 0;
    return 0;
}

/* /etc/hosts, /etc/hostname and /etc/resolv.conf for the container, in its
 * state dir; bound over the rootfs's so the shared rootfs is not written. */
static int write_etc_files(const struct net_config *net, const char *state_dir,
                           const char *hostname, const struct net_state *st, mb_error *err)
{
    char path[4200], text[1024], addr[32];
    int ret;

    snprintf(path, sizeof(path), "%s/hostname", state_dir);
    snprintf(text, sizeof(text), "%s\n", hostname);
    if ((ret = write_new_file(path, text, err)) < 0)
        return ret;
    inet_ntop(AF_INET, &st->addr, addr, sizeof(addr));
    snprintf(path, sizeof(path), "%s/hosts", state_dir);
    snprintf(text, sizeof(text), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n%s%s%s",
             net->mode == NET_BRIDGE ? addr : "", net->mode == NET_BRIDGE ? "\t" : "",
             net->mode == NET_BRIDGE ? hostname : "");
    if (net->mode == NET_BRIDGE)
        strncat(text, "\n", sizeof(text) - strlen(text) - 1);
    if ((ret = write_new_file(path, text, err)) < 0)
        return ret;
    /* The host's resolvers on 127.x (systemd-resolved, dnsmasq) are not
     * reachable from another network namespace. */
    snprintf(path, sizeof(path), "%s/resolv.conf", state_dir);
    snprintf(text, sizeof(text), "nameserver %s\n", net->mode == NET_SLIRP ? SLIRP_DNS : "8.8.8.8");
    return write_new_file(path, text, err);
}

/* The subnet must not overlap a route the host already has. */
static int subnet_check_routes(const struct subnet *sn, mb_error *err)
{
    char line[512], dev[64];
    unsigned int dest, mask;
    uint32_t mine = sn->network.s_addr, mymask = htonl(~0U << (32 - sn->prefix));
    FILE *f = fopen("/proc/net/route", "re");

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "%63s %x %*x %*x %*d %*d %*d %x", dev, &dest, &mask) != 3 || mask == 0 ||
            strcmp(dev, BRIDGE_NAME) == 0)
            continue;
        if (((dest ^ mine) & (mask & mymask)) == 0) {
            char net[32];
            inet_ntop(AF_INET, &sn->network, net, sizeof(net));
            fclose(f);
            return mb_fail(err, 0,
                           "subnet %s/%d clashes with a host route on %s (fix: "
                           "MINIBOX_SUBNET=another private /24)",
                           net, sn->prefix, dev);
        }
    }
    if (f != NULL)
        fclose(f);
    return 0;
}

/* A MAC address made from an IPv4 address, 02:6d:a.b.c.d (02: locally
 * administered, 6d: 'm'), as Docker makes 02:42:a.b.c.d. A container that
 * gets an address gets the MAC that went with it last time, so a neighbour
 * (ARP) entry the host or another container still holds stays right. The
 * bridge gets its gateway's: a bridge without a MAC of its own takes the
 * lowest of its ports' and changes it as containers come and go. */
static void mac_of(struct in_addr addr, unsigned char mac[6])
{
    mac[0] = 0x02;
    mac[1] = 0x6d;
    memcpy(mac + 2, &addr, 4);
}

/* The network, made once and kept, as Docker keeps docker0: the bridge,
 * its address, the two sysctls and the NAT table. Its first line in the
 * lease file records the subnet. */
static int network_create(int nl, struct lease_table *t, const struct subnet *sn, mb_error *err)
{
    unsigned char mac[6];
    mb_error ignored;
    int ret, index;

    ret = subnet_check_routes(sn, err);
    if (ret < 0)
        return ret;
    /* a bridge without its line is a leftover: start afresh */
    nl_link_del(nl, BRIDGE_NAME, &ignored);
    mac_of(sn->gateway, mac);
    ret = nl_bridge_add(nl, BRIDGE_NAME, mac, err);
    index = nl_link_index(BRIDGE_NAME);
    if (ret == 0)
        ret = nl_addr_add(nl, index, sn->gateway, sn->prefix, err);
    if (ret == 0)
        ret = nl_link_up(nl, index, err);
    /* Let DNAT send 127.0.0.1's packets out of the bridge, so a port
     * published on the host answers on localhost too. */
    if (ret == 0)
        ret = write_file_at(AT_FDCWD, "/proc/sys/net/ipv4/conf/" BRIDGE_NAME "/route_localnet", "1",
                            err);
    /* Routing between the bridge and the world (outbound NAT) needs
     * forwarding on; like Docker, it is left on. */
    if (ret == 0)
        ret = write_file_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", "1", err);
    if (ret == 0)
        ret = nat_create(sn, err);
    if (ret < 0) {
        nl_link_del(nl, BRIDGE_NAME, &ignored);
        return ret;
    }
    t->has_network = 1;
    t->subnet = *sn;
    t->last.s_addr = 0;
    return 0;
}

/* The network exists when the bridge does and the lease file says on which
 * subnet; it must be the one asked for. */
static int network_ensure(int nl, struct lease_table *t, const struct subnet *sn, mb_error *err)
{
    char have[32], want[32];

    if (!t->has_network || nl_link_index(BRIDGE_NAME) == 0)
        return network_create(nl, t, sn, err);
    if (t->subnet.network.s_addr == sn->network.s_addr && t->subnet.prefix == sn->prefix)
        return 0;
    inet_ntop(AF_INET, &t->subnet.network, have, sizeof(have));
    inet_ntop(AF_INET, &sn->network, want, sizeof(want));
    return mb_fail(err, 0,
                   "%s is on %s/%d, and MINIBOX_SUBNET asks for %s/%d (fix: minibox network rm, "
                   "once no container uses it)",
                   BRIDGE_NAME, have, t->subnet.prefix, want, sn->prefix);
}

/* Bind each published host port and keep it bound while the container
 * runs: nobody else can take it, and a taken port is a clear error now. */
static int ports_hold(const struct net_config *net, struct net_state *st, mb_error *err)
{
    for (int i = 0; i < net->n_ports; i++) {
        const struct port_map *p = &net->ports[i];
        struct sockaddr_in addr = {.sin_family = AF_INET,
                                   .sin_port = htons((uint16_t)p->host_port)};
        int fd = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

        st->port_fds[i] = fd;
        if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
            return mb_fail(err, errno, "publish port %d/%s: the host port is not free",
                           p->host_port, p->udp ? "udp" : "tcp");
    }
    return 0;
}

static void ports_release(struct net_state *st)
{
    for (int i = 0; i < NET_MAX_PORTS; i++)
        if (st->port_fds[i] > 0)
            close(st->port_fds[i]);
    memset(st->port_fds, 0, sizeof(st->port_fds));
}

static void ports_format(const struct net_config *net, char *buf, size_t len)
{
    snprintf(buf, len, "-");
    for (int i = 0; i < net->n_ports; i++) {
        size_t used = i == 0 ? 0 : strlen(buf);
        snprintf(buf + used, len - used, "%s%s:%d:%d", i == 0 ? "" : ",",
                 net->ports[i].udp ? "udp" : "tcp", net->ports[i].host_port,
                 net->ports[i].container_port);
    }
}

static void veth_name(const char *id, char *buf, size_t len)
{
    snprintf(buf, len, "mb%.12s", id);
}

/* What dead containers held: their veths (gone with their namespaces
 * unless something keeps those alive) and their published ports. */
static void drop_dead(int nl, const struct lease *dead, int n_dead)
{
    char veth[16];
    mb_error ignored;

    for (int i = 0; i < n_dead; i++) {
        veth_name(dead[i].id, veth, sizeof(veth));
        nl_link_del(nl, veth, &ignored);
        nat_publish(0, &dead[i], &ignored);
    }
}

static int bridge_prepare(const struct net_config *net, const char *id, const char *state_dir,
                          struct net_state *st, mb_error *err)
{
    static struct lease_table t;
    static struct lease dead[IPAM_MAX];
    cleanup_fd int lock = -1, nl = -1;
    struct subnet sn;
    struct lease *l;
    int n_dead, ret;

    ret = subnet_configured(&sn, err);
    if (ret < 0)
        return ret;
    nl = nl_open(err);
    if (nl < 0)
        return -1;
    lock = ipam_lock(err);
    if (lock < 0)
        return -1;
    ret = ipam_load(&t, dead, &n_dead, err);
    if (ret < 0)
        return ret;
    drop_dead(nl, dead, n_dead);
    ret = network_ensure(nl, &t, &sn, err);
    if (ret == 0)
        ret = ipam_pick(&t, &sn, &st->addr, err);
    if (ret == 0)
        ret = ports_hold(net, st, err);
    if (ret < 0) {
        mb_error ignored;

        ports_release(st);
        if (n_dead > 0 || t.has_network)
            ipam_save(&t, &ignored); /* the reclaimed leases, the new network */
        return ret;
    }
    l = &t.leases[t.n++];
    l->addr = st->addr;
    snprintf(l->id, sizeof(l->id), "%s", id);
    snprintf(l->lock, sizeof(l->lock), "%s/lock", state_dir);
    ports_format(net, l->ports, sizeof(l->ports));
    ret = nat_publish(1, l, err);
    if (ret == 0)
        ret = ipam_save(&t, err);
    if (ret < 0) {
        mb_error ignored;

        nat_publish(0, l, &ignored);
        t.n--;
        ipam_save(&t, &ignored);
        ports_release(st);
        return ret;
    }
    st->leased = 1;
    st->gateway = sn.gateway;
    st->prefix = sn.prefix;
    return 0;
}

int network_prepare(const struct net_config *net, const char *id, const char *state_dir,
                    const char *hostname, struct net_state *st, mb_error *err)
{
    int ret = 0;

    memset(st, 0, sizeof(*st));
    if (net->mode == NET_HOST)
        return 0;
    if (net->mode == NET_BRIDGE)
        ret = bridge_prepare(net, id, state_dir, st, err);
    if (ret == 0)
        ret = write_etc_files(net, state_dir, hostname, st, err);
    if (ret < 0)
        network_release(net, st);
    return ret;
}

int network_attach(const struct net_config *net, const char *id, pid_t pid, int in_userns,
                   const char *state_dir, struct net_state *st, mb_error *err)
{
    cleanup_fd int nl = -1;
    unsigned char mac[6];
    int ret;

    if (net->mode == NET_SLIRP)
        return slirp_start(pid, in_userns, net, state_dir, st, err);
    if (net->mode != NET_BRIDGE)
        return 0;
    nl = nl_open(err);
    if (nl < 0)
        return -1;
    veth_name(id, st->veth, sizeof(st->veth));
    mac_of(st->addr, mac);
    ret = nl_veth_add(nl, st->veth, nl_link_index(BRIDGE_NAME), "eth0", mac, pid, err);
    if (ret == 0)
        ret = nl_link_up(nl, nl_link_index(st->veth), err);
    return ret;
}

int network_configure_inside(const struct net_config *net, const struct net_state *st,
                             mb_error *err)
{
#if MB_SOLUTION_07
    cleanup_fd int nl = -1;
    int ret, eth0;

    if (net->mode == NET_HOST)
        return 0;
    nl = nl_open(err);
    if (nl < 0)
        return -1;
    ret = nl_link_up(nl, nl_link_index("lo"), err);
    if (ret < 0 || net->mode != NET_BRIDGE)
        return ret;
    eth0 = nl_link_index("eth0");
    if (eth0 == 0)
        return mb_fail(err, ENODEV, "eth0 did not arrive in the container");
    ret = nl_addr_add(nl, eth0, st->addr, st->prefix, err);
    if (ret == 0)
        ret = nl_link_up(nl, eth0, err);
    if (ret == 0)
        ret = nl_route_default(nl, eth0, st->gateway, err);
    return ret;
#else
    /* TODO(07): in the container's network namespace (not --net host): bring lo up; for
     * --net bridge, give eth0 (it arrived from the parent) st->addr/st->prefix, bring it up, and
     * route by default through st->gateway, with nl_open, nl_link_index, nl_link_up,
     * nl_addr_add and nl_route_default. docs/07-net.md#addresses-and-routes */
    if (net->mode == NET_HOST)
        return 0;
    (void)st;
    return mb_todo(err, "07");
#endif
}

int network_mount_files(const struct net_config *net, int rootfd, const char *state_dir,
                        mb_error *err)
{
    static const char *const files[] = {"hosts", "hostname", "resolv.conf"};
    char source[4200], target[64];

    if (net->mode == NET_HOST)
        return 0;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        cleanup_fd int fd = -1;

        snprintf(target, sizeof(target), "etc/%s", files[i]);
        fd = path_open_in_root(rootfd, target, MOUNT_FILE, err);
        /* A rootless user may not create the file in a rootfs it does not
         * own: the container then keeps the rootfs's own (or none). */
        if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS))
            continue;
        if (fd < 0)
            return -1;
        /* By path, in the child's own mount namespace (a bind source must be
         * a mount of the caller's namespace); the state dir is 0711 so the
         * mapped root of --userns=auto may walk to it. */
        snprintf(source, sizeof(source), "%s/%s", state_dir, files[i]);
        snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
        if (mount(source, target, NULL, MS_BIND, NULL) < 0)
            return mb_fail(err, errno, "bind /etc/%s", files[i]);
#if MB_STEP >= 10
        /* Read-only: they are minibox's files in the host's state dir,
         * written by root; a container writing them writes host state.
         * (Docker lets it; here a container that must edit its /etc/hosts
         * brings its own with -v FILE:/etc/hosts.) */
        {
            cleanup_fd int bound = -1;

            snprintf(target, sizeof(target), "etc/%s", files[i]);
            bound = path_open_in_root(rootfd, target, MOUNT_FILE, err);
            if (bound < 0 || mount_make_readonly(bound, false) < 0)
                return mb_fail(err, errno, "make /etc/%s read-only", files[i]);
        }
#endif
    }
    return 0;
}

/* The veth is not deleted here: it goes with the container's network
 * namespace, which the kernel tears down once the container's last process
 * is gone (the container has been waited for). A RTM_DELLINK would wait
 * for the same teardown inside the request (an RCU grace period: tens of
 * milliseconds); ipam_pick does not hand the address out again meanwhile. */
void network_release(const struct net_config *net, struct net_state *st)
{
    static struct lease_table t;
    static struct lease dead[IPAM_MAX];
    cleanup_fd int lock = -1, nl = -1;
    mb_error ignored;
    int n_dead;

    slirp_stop(st);
    ports_release(st);
    if (!st->leased)
        return;
    st->leased = 0;
    lock = ipam_lock(&ignored);
    if (lock < 0 || ipam_load(&t, dead, &n_dead, &ignored) < 0)
        return;
    for (int i = 0; i < t.n; i++)
        if (t.leases[i].addr.s_addr == st->addr.s_addr) {
            nat_publish(0, &t.leases[i], &ignored);
            t.leases[i] = t.leases[--t.n];
            break;
        }
    /* Our own lock is still held by us, so our lease was not counted dead;
     * but a dead one may have been. */
    if (n_dead > 0 && (nl = nl_open(&ignored)) >= 0)
        drop_dead(nl, dead, n_dead);
    ipam_save(&t, &ignored);
    (void)net;
}

int network_gc(mb_error *err)
{
    static struct lease_table t;
    static struct lease dead[IPAM_MAX];
    cleanup_fd int lock = -1, nl = -1;
    int n_dead, ret;

    if (access(IPAM_DIR "/leases", F_OK) < 0)
        return 0;
    nl = nl_open(err);
    if (nl < 0)
        return -1;
    lock = ipam_lock(err);
    if (lock < 0)
        return -1;
    ret = ipam_load(&t, dead, &n_dead, err);
    if (ret < 0 || n_dead == 0)
        return ret;
    drop_dead(nl, dead, n_dead);
    for (int i = 0; i < n_dead; i++)
        fprintf(stderr, "minibox: released the network of stale container %.12s\n", dead[i].id);
    ret = ipam_save(&t, err);
    return ret < 0 ? ret : n_dead;
}

int network_remove(mb_error *err)
{
    static struct lease_table t;
    static struct lease dead[IPAM_MAX];
    cleanup_fd int lock = -1, nl = -1;
    int n_dead, ret, removed = 0;
    mb_error ignored;

    nl = nl_open(err);
    if (nl < 0)
        return -1;
    lock = ipam_lock(err);
    if (lock < 0)
        return -1;
    ret = ipam_load(&t, dead, &n_dead, err);
    if (ret < 0)
        return ret;
    drop_dead(nl, dead, n_dead);
    if (t.n > 0) {
        ipam_save(&t, &ignored);
        return mb_fail(err, 0, "%s is in use by %d container%s (fix: stop %s first)", BRIDGE_NAME,
                       t.n, t.n == 1 ? "" : "s", t.n == 1 ? "it" : "them");
    }
    removed = t.has_network || nl_link_index(BRIDGE_NAME) > 0;
    if (!removed)
        return ipam_forget(err);
    ret = nl_link_del(nl, BRIDGE_NAME, err);
    if (ret == 0)
        ret = nat_remove(err);
    if (ret == 0)
        ret = ipam_forget(err);
    return ret < 0 ? ret : 1;
}

int network_list(FILE *out, mb_error *err)
{
    static struct lease_table t;
    static struct lease dead[IPAM_MAX];
    cleanup_fd int lock = -1;
    char net[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], addr[INET_ADDRSTRLEN + 4];
    int n_dead, ret;

    lock = ipam_lock(err);
    if (lock < 0)
        return -1;
    ret = ipam_load(&t, dead, &n_dead, err);
    if (ret < 0)
        return ret;
    fprintf(out, "%-10s %-18s %-15s %s\n", "NETWORK", "SUBNET", "GATEWAY", "CONTAINERS");
    if (!t.has_network || nl_link_index(BRIDGE_NAME) == 0)
        return 0;
    inet_ntop(AF_INET, &t.subnet.network, net, sizeof(net));
    inet_ntop(AF_INET, &t.subnet.gateway, gw, sizeof(gw));
    snprintf(addr, sizeof(addr), "%s/%d", net, t.subnet.prefix);
    fprintf(out, "%-10s %-18s %-15s %d\n", BRIDGE_NAME, addr, gw, t.n);
    return 0;
}
