/*
 * Suite 07-net: a container's own network namespace; on the bridge it has
 * an address the host and other containers reach; published ports answer
 * on the host, 127.0.0.1 included; the bridge stays between containers
 * until `minibox network rm`; rootless containers get slirp4netns.
 * Traffic stays on this machine: loopback and the namespaces made here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mbtest.h"

#define USER "mbtest-net"

static uid_t user_uid;
static gid_t user_gid;
static const char *no_user;
static int port_base;

/* A web server inside: prints its eth0 address, then "ready", then waits.
 * Its files live on a tmpfs of its own: the rootfs is shared by every run. */
#define SERVE_SCRIPT                                                                               \
    "mount -t tmpfs www /mnt && echo served-by-$(hostname) > /mnt/index.html && "                  \
    "httpd -p 8000 -h /mnt && "                                                                    \
    "(ip -o -4 addr show eth0 2>/dev/null | awk '{print \"ip=\" $4}'); echo ready; cat"

static int suite_setup(void **state)
{
    int ret = mb_group_setup(state);

    port_base = 20000 + (int)(getpid() % 20000);
    if (ret == 0) {
        no_user = mb_tun_for_users();
        if (no_user == NULL)
            no_user = mb_user_create(USER, 1, &user_uid, &user_gid);
    }
    return ret;
}

static int suite_teardown(void **state)
{
    mb_user_delete(USER);
    mb_tun_restore();
    return mb_group_teardown(state);
}

static void require_net(void)
{
    mb_require(CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS);
    if (system("command -v nft >/dev/null") != 0)
        mb_skip("nft is missing (make deps installs nftables)");
}

/* Start a serving container with extra options; fills its address. */
static void serve(struct mb_proc *p, const char *name, const char *opt1, const char *opt2, char *ip,
                  size_t len)
{
    char line[256];

    mb_run_needs_cap("SYS_ADMIN"); /* SERVE_SCRIPT mounts a tmpfs */
    if (opt1 != NULL && opt2 != NULL)
        mb_spawn(p, "run", "--hostname", name, opt1, opt2, "--rootfs", mb_rootfs, "sh", "-c",
                 SERVE_SCRIPT, NULL);
    else
        mb_spawn(p, "run", "--hostname", name, "--rootfs", mb_rootfs, "sh", "-c", SERVE_SCRIPT,
                 NULL);
    ip[0] = '\0';
    while (mb_read_line(p, line, sizeof(line), 20000) == 0 && strcmp(line, "ready") != 0)
        if (strncmp(line, "ip=", 3) == 0)
            snprintf(ip, len, "%.*s", (int)strcspn(line + 3, "/"), line + 3);
    if (strcmp(line, "ready") != 0)
        fail_msg("the serving container never became ready");
}

static void test_none_has_only_lo(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("--net none: CLONE_NEWNET gives the container a network namespace with only a loopback "
            "interface.");
    require_net();
    mb_run(&r, NULL, "run", "--net", "none", "--rootfs", mb_rootfs, "sh", "-c",
           "ls /sys/class/net; ip -o link show lo", NULL);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "lo\n", 3) == 0);
    assert_true(mb_contains(r.out, "UP"));
    mb_result_free(&r);
}

static void test_bridge_gives_eth0_an_address_and_route(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("--net bridge: a veth pair, one end on the host's bridge, the other moved into the "
            "container as eth0 with a leased address and a default route.");
    require_net();
    mb_run(&r, NULL, "run", "--net", "bridge", "--rootfs", mb_rootfs, "sh", "-c",
           "ip -o -4 addr show eth0; ip route; cat /etc/hosts", NULL);
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(r.out, "inet "));
    assert_true(mb_contains(r.out, "default via "));
    mb_result_free(&r);
}

static int network_exists(void)
{
    return system("ip link show minibox0 >/dev/null 2>&1") == 0 &&
           system("nft list table ip minibox >/dev/null 2>&1") == 0;
}

/* eth0's address, and its MAC, as "10.201.0.N 02:6d:0a:c9:00:0n". */
static void bridged_address(char *out, size_t len)
{
    struct mb_result r;

    mb_run(&r, NULL, "run", "--net", "bridge", "--rootfs", mb_rootfs, "sh", "-c",
           "ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1 | tr '\\n' ' '; "
           "cat /sys/class/net/eth0/address",
           NULL);
    assert_int_equal(r.status, 0);
    snprintf(out, len, "%.*s", (int)strcspn(r.out, "\n"), r.out);
    mb_result_free(&r);
}

/* Like Docker's docker0, the bridge and the NAT table are made once and
 * stay; a container's veth and lease go with it. Addresses go round the
 * subnet (the one just given back is not reused at once), and a MAC is
 * made from its address (02:6d:a.b.c.d), so a neighbour entry the host
 * still holds for an address is never wrong. */
static void test_bridge_stays_and_addresses_go_round(void **state)
{
    char first[64], second[64], mac[32];
    unsigned a, b, c, d;

    (void)state;
    mb_hint("The bridge and NAT table are made once and stay; each container's veth and lease go "
            "with it, and addresses go round the subnet, each with a MAC made from it.");
    require_net();
    bridged_address(first, sizeof(first));
    assert_true(network_exists());
    mb_assert_nothing_leaked();
    bridged_address(second, sizeof(second));
    if (strcmp(first, second) == 0)
        fail_msg("two containers in a row got the same address and MAC: %s", first);
    if (sscanf(second, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        fail_msg("no address in '%s'", second);
    snprintf(mac, sizeof(mac), "02:6d:%02x:%02x:%02x:%02x", a, b, c, d);
    if (!mb_contains(second, mac))
        fail_msg("the MAC of %s is not %s", second, mac);
}

static void test_host_reaches_a_server_in_the_container(void **state)
{
    char ip[64], body[256];
    struct mb_proc p;

    (void)state;
    mb_hint("The host reaches the container's address through the bridge minibox0, which holds the "
            "gateway address.");
    require_net();
    serve(&p, "web1", NULL, NULL, ip, sizeof(ip));
    if (ip[0] == '\0')
        fail_msg("the container has no eth0 address on the default network");
    if (mb_http_get(ip, 8000, body, sizeof(body), 10000) < 0)
        fail_msg("nothing answered at %s:8000", ip);
    assert_string_equal(body, "served-by-web1\n");
    assert_int_equal(mb_finish(&p, 10000), 0);
}

static void test_containers_reach_each_other(void **state)
{
    char ip[64], url[128];
    struct mb_result r;
    struct mb_proc p;

    (void)state;
    mb_hint("Two containers' veths on the same bridge reach each other by address.");
    require_net();
    serve(&p, "web2", NULL, NULL, ip, sizeof(ip));
    snprintf(url, sizeof(url), "http://%s:8000/", ip);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "wget", "-qO-", url, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "served-by-web2\n");
    mb_result_free(&r);
    assert_int_equal(mb_finish(&p, 10000), 0);
}

/* -p: the host port answers on 127.0.0.1 and on the bridge's gateway
 * address, from the host and from another container. */
static void test_published_port_answers(void **state)
{
    char ip[64], spec[32], body[256], script[256];
    struct mb_result r;
    struct mb_proc p;
    int port = port_base;

    (void)state;
    mb_hint("-p HOST:CONTAINER adds DNAT rules in the ip minibox nft table (and route_localnet for "
            "127.0.0.1) to the container's address.");
    require_net();
    snprintf(spec, sizeof(spec), "%d:8000", port);
    serve(&p, "web3", "-p", spec, ip, sizeof(ip));
    if (mb_http_get("127.0.0.1", port, body, sizeof(body), 10000) < 0)
        fail_msg("nothing answered at 127.0.0.1:%d", port);
    assert_string_equal(body, "served-by-web3\n");
    snprintf(script, sizeof(script),
             "wget -qO- http://$(ip route | awk '/default/ {print $3}'):%d/", port);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "sh", "-c", script, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "served-by-web3\n");
    mb_result_free(&r);
    assert_int_equal(mb_finish(&p, 10000), 0);
}

static void test_taken_host_port_is_refused(void **state)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    struct mb_result r;
    char spec[32];
    int fd;

    (void)state;
    mb_hint(
        "A host port already bound (or published) is refused with 125 before anything is made.");
    require_net();
    addr.sin_port = htons((uint16_t)(port_base + 1));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(fd, 1), 0);
    snprintf(spec, sizeof(spec), "%d:80", port_base + 1);
    mb_run(&r, NULL, "run", "-p", spec, "--rootfs", mb_rootfs, "true", NULL);
    close(fd);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "port"));
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

static void test_bad_network_input_is_125(void **state)
{
    static const char *const bad[][2] = {
        {"-p", "abc"},   {"-p", "0:80"},         {"-p", "70000:80"}, {"-p", "8080"},
        {"-p", "1:2:3"}, {"-p", "8080:80/sctp"}, {"--net", "wifi"},
    };
    struct mb_result r;

    (void)state;
    mb_hint(
        "--net and -p are parsed and checked in the parent: bad values exit 125 with one line.");
    require_net();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mb_run(&r, NULL, "run", bad[i][0], bad[i][1], "--rootfs", mb_rootfs, "true", NULL);
        if (r.status != 125)
            fail_msg("%s %s: expected exit 125, got %d", bad[i][0], bad[i][1], r.status);
        mb_assert_usage_error(&r);
        mb_result_free(&r);
    }
    mb_run(&r, NULL, "run", "--net", "none", "-p", "8080:80", "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

/* A subnet that overlaps a host route is refused before anything is made. */
static void test_subnet_clash_is_refused(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("A bridge subnet that overlaps a host route is refused before any interface exists.");
    require_net();
    /* the check runs when the network is made */
    mb_run(&r, NULL, "network", "rm", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    if (system("ip link add mbtestva type veth peer name mbtestvb && "
               "ip addr add 10.250.7.1/24 dev mbtestva && ip link set mbtestva up") != 0)
        mb_skip("cannot make a veth pair to hold a test route");
    setenv("MINIBOX_SUBNET", "10.250.7.0/24", 1);
    mb_run(&r, NULL, "run", "--net", "bridge", "--rootfs", mb_rootfs, "true", NULL);
    unsetenv("MINIBOX_SUBNET");
    if (system("ip link del mbtestva") != 0)
        print_message("could not remove mbtestva\n");
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "subnet"));
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* The network exists on one subnet: another one in MINIBOX_SUBNET is an
 * error that names the fix, not a container on an unrouted address. */
static void test_other_subnet_needs_network_rm(void **state)
{
    struct mb_result r;

    (void)state;
    mb_hint("The network lives on one subnet: asking for another in MINIBOX_SUBNET is an error "
            "naming the fix (minibox network rm), not an unrouted container.");
    require_net();
    mb_run(&r, NULL, "run", "--net", "bridge", "--rootfs", mb_rootfs, "true", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    setenv("MINIBOX_SUBNET", "10.250.8.0/24", 1);
    mb_run(&r, NULL, "run", "--net", "bridge", "--rootfs", mb_rootfs, "true", NULL);
    unsetenv("MINIBOX_SUBNET");
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "network rm"));
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* SIGKILL of minibox: the veth goes with the namespace; the lease and the
 * published port stay until gc or the next run. */
static void test_gc_after_killed_minibox(void **state)
{
    char ip[64], spec[32];
    struct mb_result r;
    struct mb_proc p;

    (void)state;
    mb_hint("A killed minibox leaves its lease and NAT rules: gc (or the next run) reclaims the "
            "leases of dead containers and their rules.");
    require_net();
    snprintf(spec, sizeof(spec), "%d:8000", port_base + 2);
    serve(&p, "doomed", "-p", spec, ip, sizeof(ip));
    kill(p.pid, SIGKILL);
    mb_finish(&p, 10000);
    mb_run(&r, NULL, "gc", NULL);
    assert_int_equal(r.status, 0);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* minibox network rm removes the bridge, the table and the lease file, but
 * not while a container uses them; ls shows the network. */
static void test_network_rm(void **state)
{
    char ip[64];
    struct mb_result r;
    struct mb_proc p;

    (void)state;
    mb_hint("minibox network rm removes the bridge, the nft table and the lease file, but not "
            "while a container uses them.");
    require_net();
    serve(&p, "inuse", NULL, NULL, ip, sizeof(ip));
    mb_run(&r, NULL, "network", "ls", NULL);
    assert_int_equal(r.status, 0);
    assert_true(mb_contains(r.out, "minibox0"));
    mb_result_free(&r);
    mb_run(&r, NULL, "network", "rm", NULL);
    mb_assert_usage_error(&r);
    assert_true(mb_contains(r.err, "in use"));
    mb_result_free(&r);
    assert_true(network_exists());
    assert_int_equal(mb_finish(&p, 10000), 0);

    mb_run(&r, NULL, "network", "rm", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "minibox0\n");
    mb_result_free(&r);
    if (system("ip link show minibox0 >/dev/null 2>&1") == 0)
        fail_msg("minibox0 is still there after network rm");
    if (system("nft list table ip minibox >/dev/null 2>&1") == 0)
        fail_msg("the table ip minibox is still there after network rm");
    if (access("/run/minibox/net/leases", F_OK) == 0)
        fail_msg("/run/minibox/net/leases is still there after network rm");
    /* nothing left to remove: still fine */
    mb_run(&r, NULL, "network", "rm", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    mb_result_free(&r);
    mb_run(&r, NULL, "network", "bogus", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
}

/* Rootless: slirp4netns; a published port answers on the host, and the
 * container reaches a server on the host's loopback through 10.0.2.2. */
static void test_rootless_slirp(void **state)
{
    char ip[64], spec[32], body[256], url[128];
    struct mb_result r;
    struct mb_proc p;
    pid_t server;

    (void)state;
    mb_hint("Rootless runs get slirp4netns attached to the container's network namespace: ports "
            "through its API socket, the host's loopback at 10.0.2.2.");
    require_net();
    if (no_user != NULL)
        mb_skip(no_user);
    if (system("command -v slirp4netns >/dev/null") != 0)
        mb_skip("slirp4netns is missing (make deps installs it)");
    mb_as_user(user_uid, user_gid);
    snprintf(spec, sizeof(spec), "%d:8000", port_base + 3);
    serve(&p, "rootless-web", "-p", spec, ip, sizeof(ip));
    mb_as_user(0, 0);
    if (mb_http_get("127.0.0.1", port_base + 3, body, sizeof(body), 10000) < 0)
        fail_msg("nothing answered at 127.0.0.1:%d (slirp4netns port forward)", port_base + 3);
    assert_string_equal(body, "served-by-rootless-web\n");
    assert_int_equal(mb_finish(&p, 10000), 0);

    server = mb_http_serve(port_base + 4, "host-loopback\n");
    assert_true(server > 0);
    snprintf(url, sizeof(url), "http://10.0.2.2:%d/", port_base + 4);
    mb_as_user(user_uid, user_gid);
    mb_run(&r, NULL, "run", "--rootfs", mb_rootfs, "wget", "-qO-", url, NULL);
    mb_as_user(0, 0);
    kill(server, SIGKILL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "host-loopback\n");
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

int main(void)
{
    /* grade: total=48 */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none_has_only_lo),
        cmocka_unit_test(test_bridge_gives_eth0_an_address_and_route),
        cmocka_unit_test(test_bridge_stays_and_addresses_go_round),
        cmocka_unit_test(test_host_reaches_a_server_in_the_container),
        cmocka_unit_test(test_containers_reach_each_other),
        cmocka_unit_test(test_published_port_answers),
        cmocka_unit_test(test_taken_host_port_is_refused),
        cmocka_unit_test(test_bad_network_input_is_125),
        cmocka_unit_test(test_subnet_clash_is_refused),
        cmocka_unit_test(test_other_subnet_needs_network_rm),
        cmocka_unit_test(test_gc_after_killed_minibox),
        cmocka_unit_test(test_rootless_slirp),
        cmocka_unit_test(test_network_rm),
        cmocka_unit_test(mb_test_nothing_leaked),
    };

    return cmocka_run_group_tests_name("07-net", tests, suite_setup, suite_teardown);
}
