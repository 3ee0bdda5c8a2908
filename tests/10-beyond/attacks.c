/*
 * Attacks a default container could make on the host until the full engine
 * closed them (issue 15): device nodes off the allowlist, ... Each test makes
 * the attack through the CLI and must see it fail; where it is safe, a lesson
 * test shows it working on step 09.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "beyond.h"

/* ---- devices ----------------------------------------------------------- */

/* A directory holding a node of a host device, mode 0666: what an image
 * (or a volume) could ship. */
static const char *device_dir(const struct mb_device *d, char *buf, size_t len)
{
    char node[4400];

    snprintf(buf, len, "%s/devvol", mb_tmp);
    mkdir(buf, 0755);
    snprintf(node, sizeof(node), "%s/node", buf);
    unlink(node);
    assert_int_equal(
        mknod(node, (d->type == 'b' ? S_IFBLK : S_IFCHR) | 0666, makedev(d->major, d->minor)), 0);
    chmod(node, 0666);
    return buf;
}

/* A device node that arrives with the container's files needs no
 * capability at all: any user may open a 0666 node. Only the container's
 * cgroup stops it, even for `-u 65534 --cap-drop ALL`. (Chapter 5's suite
 * shows the attack working on step 04.) */
void test_shipped_device_node_cannot_be_opened(void **state)
{
    struct mb_device d;
    char dir[4200], spec[4300];

    (void)state;
    mb_hint("A device node shipped in the image needs no capability to open; only the container's "
            "device allowlist stops it.");
    bx_require();
    mb_require_host_device(&d);
    snprintf(spec, sizeof(spec), "%s:/vol", device_dir(&d, dir, sizeof(dir)));
    bx_expect_kv("open", "EPERM", "run", "-u", "65534", "--cap-drop", "ALL", "-v", spec, "--rootfs",
                 mb_rootfs, "probe", "open", "/vol/node", NULL);
    bx_expect_kv("open", "EPERM", "run", "-v", spec, "--rootfs", mb_rootfs, "probe", "open",
                 "/vol/node", NULL);
}

/* --device HOST[:CONTAINER][:PERMISSIONS] adds one node, with exactly the
 * access asked for; --privileged lifts the list. */
void test_device_option_and_privileged(void **state)
{
    struct mb_device d;
    char dir[4200], spec[4400], type[2], maj[16], min[16];
    struct mb_result r;

    (void)state;
    mb_hint("--device HOST[:CONTAINER][:PERMISSIONS] adds one node to the allowlist with exactly "
            "that access; --privileged lifts the list.");
    bx_require();
    mb_require_host_device(&d);
    snprintf(spec, sizeof(spec), "%s/node:/dev/target:r", device_dir(&d, dir, sizeof(dir)));
    snprintf(type, sizeof(type), "%c", d.type);
    snprintf(maj, sizeof(maj), "%d", d.major);
    snprintf(min, sizeof(min), "%d", d.minor);
    /* kmsg wants CAP_SYSLOG besides the cgroup's consent */
    mb_run(&r, NULL, "run", "--cap-add", "SYSLOG", "--device", spec, "--rootfs", mb_rootfs, "sh",
           "-c", "probe open /dev/target; probe open-write /dev/target; probe stat /dev/target",
           NULL);
    bx_assert_kv_about("--device ...:r, open for reading", &r, "open", "ok");
    bx_assert_kv_about("--device ...:r, open for writing", &r, "open_write", "EPERM");
    bx_assert_kv(&r, "stat_type", d.type == 'b' ? "blk" : "chr");
    mb_result_free(&r);
    bx_expect_kv("open", "ok", "run", "--privileged", "--rootfs", mb_rootfs, "probe", "device",
                 type, maj, min, NULL);
    bx_expect_kv("open", "EPERM", "run", "--rootfs", mb_rootfs, "probe", "device", type, maj, min,
                 NULL);
    mb_run(&r, NULL, "run", "--device", dir, "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_run(&r, NULL, "run", "--device", "/dev/null:/dev/n:rx", "--rootfs", mb_rootfs, "true", NULL);
    mb_assert_usage_error(&r);
    mb_result_free(&r);
    mb_assert_nothing_leaked();
}

/* exec joins the container's cgroup, and with it the allowlist. */
void test_exec_is_held_by_the_device_allowlist(void **state)
{
    struct mb_device d;
    struct mb_proc p;
    char type[2], maj[16], min[16];

    (void)state;
    mb_hint("exec joins the container's cgroup first, and with it the device allowlist.");
    bx_require();
    mb_require_host_device(&d);
    snprintf(type, sizeof(type), "%c", d.type);
    snprintf(maj, sizeof(maj), "%d", d.major);
    snprintf(min, sizeof(min), "%d", d.minor);
    mb_spawn(&p, "run", "--name", "bx-devices", "--rootfs", mb_rootfs, "probe", "hold", NULL);
    bx_track(&p);
    mb_expect_line(&p, "ready", 10000);
    bx_expect_kv("open", "EPERM", "exec", "bx-devices", "probe", "device", type, maj, min, NULL);
    bx_untrack(&p);
    assert_int_equal(mb_finish(&p, 10000), 0);
    mb_assert_nothing_leaked();
}
