/* ipam.c - see ipam.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipam.h"
#include "util.h"

int subnet_parse(const char *text, struct subnet *net, mb_error *err)
{
    char addr[32];
    int prefix;
    char extra;
    uint32_t host, mask;

    if (sscanf(text, "%31[0-9.]/%d%c", addr, &prefix, &extra) != 2 || prefix < 16 || prefix > 29 ||
        inet_pton(AF_INET, addr, &net->network) != 1)
        return mb_fail(err, 0, "bad subnet '%s': expected an IPv4 network like %s (/16 to /29)",
                       text, SUBNET_DEFAULT);
    mask = prefix == 0 ? 0 : htonl(~0U << (32 - prefix));
    host = ntohl(net->network.s_addr & mask);
    net->network.s_addr = htonl(host);
    net->gateway.s_addr = htonl(host + 1);
    net->prefix = prefix;
    return 0;
}

int subnet_configured(struct subnet *net, mb_error *err)
{
    const char *text = getenv("MINIBOX_SUBNET");

    return subnet_parse(text != NULL && text[0] != '\0' ? text : SUBNET_DEFAULT, net, err);
}

static int mkdir_run_dir(void)
{
    if (mkdir("/run/minibox", 0711) < 0 && errno != EEXIST)
        return -1;
    if (mkdir(IPAM_DIR, 0700) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

int ipam_lock(mb_error *err)
{
    int fd;

    if (mkdir_run_dir() < 0)
        return mb_fail(err, errno, "create %s", IPAM_DIR);
    fd = open(IPAM_DIR "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return mb_fail(err, errno, "open %s/lock", IPAM_DIR);
    if (flock(fd, LOCK_EX) < 0) {
        int saved = errno;
        close(fd);
        return mb_fail(err, saved, "lock %s/lock", IPAM_DIR);
    }
    return fd;
}

/* Alive while its minibox holds the container's lock. */
static int lease_alive(const struct lease *l)
{
    cleanup_fd int fd = open(l->lock, O_WRONLY | O_CLOEXEC);

    return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

int ipam_load(struct lease_table *t, struct lease *dead, int *n_dead, mb_error *err)
{
    char line[PATH_MAX + 512], addr[32], net[32], last[32];
    FILE *f = fopen(IPAM_DIR "/leases", "re");

    memset(t, 0, offsetof(struct lease_table, leases));
    t->n = 0;
    *n_dead = 0;
    if (f == NULL)
        return errno == ENOENT ? 0 : mb_fail(err, errno, "read %s/leases", IPAM_DIR);
    while (t->n < IPAM_MAX && fgets(line, sizeof(line), f) != NULL) {
        struct lease *l = &t->leases[t->n];

        if (sscanf(line, "network %31s last %31s", net, last) == 2) {
            mb_error ignored;

            t->has_network = subnet_parse(net, &t->subnet, &ignored) == 0 &&
                             inet_pton(AF_INET, last, &t->last) == 1;
            continue;
        }
        if (sscanf(line, "%31s %64s %4095s %255s", addr, l->id, l->lock, l->ports) != 4 ||
            inet_pton(AF_INET, addr, &l->addr) != 1)
            continue;
        if (!lease_alive(l)) {
            dead[(*n_dead)++] = *l;
            continue;
        }
        t->n++;
    }
    fclose(f);
    return 0;
}

int ipam_save(const struct lease_table *t, mb_error *err)
{
    char addr[32], net[32];
    FILE *f = fopen(IPAM_DIR "/leases.new", "we");

    if (f == NULL)
        return mb_fail(err, errno, "write %s/leases", IPAM_DIR);
    if (t->has_network) {
        inet_ntop(AF_INET, &t->subnet.network, net, sizeof(net));
        inet_ntop(AF_INET, &t->last, addr, sizeof(addr));
        fprintf(f, "network %s/%d last %s\n", net, t->subnet.prefix, addr);
    }
    for (int i = 0; i < t->n; i++) {
        inet_ntop(AF_INET, &t->leases[i].addr, addr, sizeof(addr));
        fprintf(f, "%s %s %s %s\n", addr, t->leases[i].id, t->leases[i].lock, t->leases[i].ports);
    }
    /* write, then rename: a minibox that dies midway leaves the old file or
     * the new, never half of one. No fsync: the file lives in /run, which
     * no lease outlives, and a reboot empties it anyway. */
    if (fflush(f) != 0 || fclose(f) != 0 || rename(IPAM_DIR "/leases.new", IPAM_DIR "/leases") < 0)
        return mb_fail(err, errno, "write %s/leases", IPAM_DIR);
    return 0;
}

/* Round robin, as Docker's allocator: an address that a container just
 * gave back is not handed out again until the subnet has gone round. The
 * host may still have the old container in its neighbour (ARP) cache, and
 * the old veth may still be on the bridge while the kernel tears its
 * namespace down (network_release does not wait for that). */
int ipam_pick(struct lease_table *t, const struct subnet *net, struct in_addr *addr, mb_error *err)
{
    uint32_t first = ntohl(net->network.s_addr) + 2;
    uint32_t last = ntohl(net->network.s_addr) + (1U << (32 - net->prefix)) - 2;
    uint32_t a = ntohl(t->last.s_addr);

    for (uint32_t tries = 0; tries <= last - first; tries++) {
        int used = 0;

        a = a < first || a >= last ? first : a + 1;
        for (int i = 0; i < t->n && !used; i++)
            used = ntohl(t->leases[i].addr.s_addr) == a;
        if (!used) {
            addr->s_addr = htonl(a);
            t->last = *addr;
            return 0;
        }
    }
    return mb_fail(err, 0, "no free address left on %s (fix: a larger MINIBOX_SUBNET)",
                   BRIDGE_NAME);
}

int ipam_forget(mb_error *err)
{
    if (unlink(IPAM_DIR "/leases") < 0 && errno != ENOENT)
        return mb_fail(err, errno, "remove %s/leases", IPAM_DIR);
    return 0;
}
