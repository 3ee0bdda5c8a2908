/*
 * cmd_network.c - `minibox network ls|rm|gc` (chapter 7): the bridged
 * network outlives its containers, as Docker's docker0 does, so it is
 * listed and removed on its own.
 *
 *   ls   the network (bridge, subnet, gateway) and how many containers use it
 *   rm   remove the bridge, the NAT table and the lease file; refused while
 *        a running container has a lease
 *   gc   release the leases (and ports) of containers whose minibox was killed
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ipam.h"
#include "network.h"

int cmd_network(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    const char *sub = argc > 1 ? argv[1] : "";
    int ret;

    (void)globals;
    if (argc != 2 || (strcmp(sub, "ls") != 0 && strcmp(sub, "rm") != 0 && strcmp(sub, "gc") != 0))
        return mb_fail(err, 0, "usage: minibox network ls|rm|gc");
    if (geteuid() != 0)
        return mb_fail(err, 0, "network %s: the bridge %s is root's (run it as root)", sub,
                       BRIDGE_NAME);
    if (strcmp(sub, "ls") == 0)
        return network_list(stdout, err) < 0 ? -1 : 0;
    if (strcmp(sub, "gc") == 0) {
        ret = network_gc(err);
        if (ret < 0)
            return -1;
        printf("minibox network gc: %d stale lease%s released\n", ret, ret == 1 ? "" : "s");
        return 0;
    }
    ret = network_remove(err);
    if (ret < 0)
        return -1;
    if (ret > 0)
        printf("%s\n", BRIDGE_NAME);
    return 0;
}
