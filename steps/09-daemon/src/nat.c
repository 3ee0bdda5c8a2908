/*
 * nat.c - see nat.h.
 *
 * The table, made once with the bridge (nft -f), for the subnet 10.201.0.0/24;
 * here with one container 10.201.0.2 publishing 8080 -> 80:
 *
 *   table ip minibox {
 *     map ports {          # published ports: (protocol, host port) -> (address, port)
 *       type inet_proto . inet_service : ipv4_addr . inet_service
 *       elements = { tcp . 8080 : 10.201.0.2 . 80 }
 *     }
 *     chain prerouting {   # packets arriving from outside or other containers
 *       type nat hook prerouting priority dstnat;
 *       fib daddr type local dnat ip to meta l4proto . th dport map @ports
 *     }
 *     chain output {       # packets the host itself sends (curl 127.0.0.1:8080)
 *       type nat hook output priority -100;
 *       fib daddr type local dnat ip to meta l4proto . th dport map @ports
 *     }
 *     chain postrouting {
 *       type nat hook postrouting priority srcnat;
 *       ip saddr 10.201.0.0/24 oifname != "minibox0" masquerade   # outbound
 *       oifname "minibox0" ct status dnat masquerade               # replies come back through us
 *     }
 *   }
 *
 * The rules never change: a container's published ports are elements of
 * the map, added when it starts and deleted when it ends, each time in one
 * nfnetlink batch sent by minibox itself (netlink.c) rather than by an nft
 * process, which would parse the whole ruleset first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nat.h"
#include "netlink.h"
#include "util.h"

/* Run `nft -f -` with `rules` on its stdin. */
static int nft_run(const char *rules, mb_error *err)
{
    int fds[2], wstatus;
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return mb_fail(err, errno, "pipe for nft");
    pid = fork();
    if (pid < 0)
        return mb_fail(err, errno, "fork nft");
    if (pid == 0) {
        dup2(fds[0], 0);
        execlp("nft", "nft", "-f", "-", (char *)NULL);
        execl("/usr/sbin/nft", "nft", "-f", "-", (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    (void)write_all(fds[1], rules, strlen(rules));
    close(fds[1]);
    if (waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus))
        return mb_fail(err, 0, "nft did not finish");
    if (WEXITSTATUS(wstatus) == 127)
        return mb_fail(err, 0, "nft not found (fix: apt-get install nftables, or --net none)");
    if (WEXITSTATUS(wstatus) != 0)
        return mb_fail(err, 0, "nft refused minibox's NAT rules (its message is above)");
    return 0;
}

int nat_create(const struct subnet *net, mb_error *err)
{
    char rules[2048], network[32];

    inet_ntop(AF_INET, &net->network, network, sizeof(network));
    /* "add" then "delete" then the table: replaces it whether or not it
     * existed, in the same transaction. */
    snprintf(rules, sizeof(rules),
             "add table ip minibox\n"
             "delete table ip minibox\n"
             "table ip minibox {\n"
             "  map " NAT_PORTS_MAP " {\n"
             "    type inet_proto . inet_service : ipv4_addr . inet_service\n"
             "  }\n"
             "  chain prerouting {\n"
             "    type nat hook prerouting priority dstnat; policy accept;\n"
             "    fib daddr type local dnat ip to meta l4proto . th dport map @" NAT_PORTS_MAP "\n"
             "  }\n"
             "  chain output {\n"
             "    type nat hook output priority -100; policy accept;\n"
             "    fib daddr type local dnat ip to meta l4proto . th dport map @" NAT_PORTS_MAP "\n"
             "  }\n"
             "  chain postrouting {\n"
             "    type nat hook postrouting priority srcnat; policy accept;\n"
             "    ip saddr %s/%d oifname != \"%s\" masquerade\n"
             "    oifname \"%s\" ct status dnat masquerade\n"
             "  }\n"
             "}\n",
             network, net->prefix, BRIDGE_NAME, BRIDGE_NAME);
    return nft_run(rules, err);
}

int nat_remove(mb_error *err)
{
    return nft_run("add table ip minibox\ndelete table ip minibox\n", err);
}

/* One element of the map as nftables stores it: each field of a
 * concatenation takes a whole 32-bit register, so the protocol number
 * (1 byte) and each port (2 bytes, network order) are padded to 4. */
struct port_key {
    uint8_t proto, pad[3];
    uint16_t host_port, pad2;
};
struct port_target {
    struct in_addr addr;
    uint16_t port, pad;
};

int nat_publish(int add, const struct lease *l, mb_error *err)
{
    struct port_key keys[16];
    struct port_target targets[16];
    cleanup_fd int nfnl = -1;
    char ports[256];
    int n = 0;

    /* "tcp:8080:80,udp:5353:53" */
    snprintf(ports, sizeof(ports), "%s", l->ports);
    for (char *save = NULL, *p = strtok_r(ports, ",", &save); p != NULL && n < 16;
         p = strtok_r(NULL, ",", &save)) {
        char proto[4];
        int host, inside;

        if (sscanf(p, "%3[a-z]:%d:%d", proto, &host, &inside) != 3)
            continue;
        memset(&keys[n], 0, sizeof(keys[n]));
        memset(&targets[n], 0, sizeof(targets[n]));
        keys[n].proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
        keys[n].host_port = htons((uint16_t)host);
        targets[n].addr = l->addr;
        targets[n].port = htons((uint16_t)inside);
        n++;
    }
    if (n == 0)
        return 0;
    nfnl = nl_open_netfilter(err);
    if (nfnl < 0)
        return -1;
    return nl_nft_map_elements(nfnl, add, "minibox", NAT_PORTS_MAP, n, keys, sizeof(keys[0]),
                               targets, sizeof(targets[0]), err);
}
