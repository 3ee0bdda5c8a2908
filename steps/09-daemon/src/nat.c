/*
 * nat.c - see nat.h.
 *
 * The ruleset, for a container 10.201.0.2 publishing 8080 -> 80:
 *
 *   table ip minibox {
 *     chain prerouting {   # packets arriving from outside or other containers
 *       type nat hook prerouting priority dstnat;
 *       fib daddr type local tcp dport 8080 dnat to 10.201.0.2:80
 *     }
 *     chain output {       # packets the host itself sends (curl 127.0.0.1:8080)
 *       type nat hook output priority -100;
 *       fib daddr type local tcp dport 8080 dnat to 10.201.0.2:80
 *     }
 *     chain postrouting {
 *       type nat hook postrouting priority srcnat;
 *       ip saddr 10.201.0.0/24 oifname != "minibox0" masquerade   # outbound
 *       oifname "minibox0" ct status dnat masquerade               # replies come back through us
 *     }
 *   }
 *
 * The table is replaced in one transaction (nft -f), so there is never a
 * moment with half the rules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nat.h"
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

/* The dnat rules of one lease, for one chain. */
static void append_dnat(char *buf, size_t len, const struct lease *l)
{
    char addr[32], ports[256];

    if (strcmp(l->ports, "-") == 0)
        return;
    inet_ntop(AF_INET, &l->addr, addr, sizeof(addr));
    snprintf(ports, sizeof(ports), "%s", l->ports);
    for (char *save = NULL, *p = strtok_r(ports, ",", &save); p != NULL;
         p = strtok_r(NULL, ",", &save)) {
        char proto[4];
        int host, inside;
        size_t used = strlen(buf);

        if (sscanf(p, "%3[a-z]:%d:%d", proto, &host, &inside) == 3)
            snprintf(buf + used, len - used,
                     "    fib daddr type local %s dport %d dnat to %s:%d comment \"%.12s\"\n",
                     proto, host, addr, inside, l->id);
    }
}

int nat_apply(const struct subnet *net, const struct lease_table *t, mb_error *err)
{
    static char rules[65536];
    char network[32];
    size_t used;

    inet_ntop(AF_INET, &net->network, network, sizeof(network));
    /* "add" then "delete" then the table: replaces it whether or not it
     * existed, in the same transaction. */
    snprintf(rules, sizeof(rules),
             "add table ip minibox\n"
             "delete table ip minibox\n"
             "table ip minibox {\n"
             "  chain prerouting {\n"
             "    type nat hook prerouting priority dstnat; policy accept;\n");
    for (int i = 0; i < t->n; i++)
        append_dnat(rules, sizeof(rules), &t->leases[i]);
    used = strlen(rules);
    snprintf(rules + used, sizeof(rules) - used,
             "  }\n"
             "  chain output {\n"
             "    type nat hook output priority -100; policy accept;\n");
    for (int i = 0; i < t->n; i++)
        append_dnat(rules, sizeof(rules), &t->leases[i]);
    used = strlen(rules);
    snprintf(rules + used, sizeof(rules) - used,
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
