/* ipam.c - see ipam.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

int ipam_load(struct lease_table *t, char dead[][65], int *n_dead, mb_error *err)
{
    char line[PATH_MAX + 512], addr[32];
    FILE *f = fopen(IPAM_DIR "/leases", "re");

    t->n = 0;
    *n_dead = 0;
    if (f == NULL)
        return errno == ENOENT ? 0 : mb_fail(err, errno, "read %s/leases", IPAM_DIR);
    while (t->n < IPAM_MAX && fgets(line, sizeof(line), f) != NULL) {
        struct lease *l = &t->leases[t->n];

        if (sscanf(line, "%31s %64s %4095s %255s", addr, l->id, l->lock, l->ports) != 4 ||
            inet_pton(AF_INET, addr, &l->addr) != 1)
            continue;
        if (!lease_alive(l)) {
            memcpy(dead[(*n_dead)++], l->id, sizeof(l->id));
            continue;
        }
        t->n++;
    }
    fclose(f);
    return 0;
}

int ipam_save(const struct lease_table *t, mb_error *err)
{
    char addr[32];
    FILE *f = fopen(IPAM_DIR "/leases.new", "we");

    if (f == NULL)
        return mb_fail(err, errno, "write %s/leases", IPAM_DIR);
    for (int i = 0; i < t->n; i++) {
        inet_ntop(AF_INET, &t->leases[i].addr, addr, sizeof(addr));
        fprintf(f, "%s %s %s %s\n", addr, t->leases[i].id, t->leases[i].lock, t->leases[i].ports);
    }
    /* write, flush, rename: a crash leaves the old file or the new, never half of one */
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
        rename(IPAM_DIR "/leases.new", IPAM_DIR "/leases") < 0)
        return mb_fail(err, errno, "write %s/leases", IPAM_DIR);
    return 0;
}

int ipam_pick(const struct lease_table *t, const struct subnet *net, struct in_addr *addr,
              mb_error *err)
{
    uint32_t first = ntohl(net->network.s_addr) + 2;
    uint32_t last = ntohl(net->network.s_addr) + (1U << (32 - net->prefix)) - 2;

    for (uint32_t a = first; a <= last; a++) {
        int used = 0;
        for (int i = 0; i < t->n && !used; i++)
            used = ntohl(t->leases[i].addr.s_addr) == a;
        if (!used) {
            addr->s_addr = htonl(a);
            return 0;
        }
    }
    return mb_fail(err, 0, "no free address left on %s (fix: a larger MINIBOX_SUBNET)",
                   BRIDGE_NAME);
}
