/*
 * cgroup_devices.h - which device nodes the container may open (chapter 5).
 *
 * A container's root holds CAP_MKNOD (Docker's default set keeps it), so it
 * can make a node for any major:minor, the host's disk included, and any
 * device node shipped in an image is a node like any other. The kernel asks
 * the container's cgroup before it opens (or makes) a device node: the
 * devices controller on cgroup v1, a BPF_PROG_TYPE_CGROUP_DEVICE program on
 * cgroup v2. minibox writes an allowlist there, the one runc, crun and
 * Docker apply, so that making a node still works but opening one that is
 * not on the list fails with EPERM.
 *
 * The rules are an ordered list, as OCI's linux.resources.devices and the
 * v1 devices.allow/devices.deny files have them: the LAST rule that matches
 * an access decides, an access that no rule matches is refused. A rule
 * matches when its type (or 'a'), major and minor match and the access asked
 * for is within its access.
 */
#ifndef MB_CGROUP_DEVICES_H
#define MB_CGROUP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "error.h"

#define DEVICE_ANY (-1) /* a major or minor that matches every number ('*') */

/* The access bits, with the values the kernel gives a device program
 * (BPF_DEVCG_ACC_*); v1 spells them m, r, w. */
enum {
    DEVICE_MKNOD = 1,
    DEVICE_READ = 2,
    DEVICE_WRITE = 4,
    DEVICE_RWM = DEVICE_MKNOD | DEVICE_READ | DEVICE_WRITE,
};

struct device_rule {
    char type;            /* 'c' (character), 'b' (block) or 'a' (all) */
    int64_t major, minor; /* or DEVICE_ANY */
    unsigned access;      /* DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD */
    bool allow;
};

/* The default list: deny everything, then make any node, then open only
 * null, zero, full, random, urandom, tty, console, ptmx and /dev/pts/N. */
extern const struct device_rule device_rules_default[];
extern const size_t device_rules_default_count;

/* Parse a rule in the v1 format, "c 1:3 rwm" or "b *:* m" or "a" (allow;
 * Docker's --device-cgroup-rule). Pure. */
int device_rule_parse(const char *text, bool allow, struct device_rule *rule, mb_error *err);

/* The rule in the v1 format ("c 1:3 rwm"), for devices.allow/deny. */
void device_rule_format(const struct device_rule *rule, char *buf, size_t len);

/* Put the rules in force for the cgroup `cg` (made, still empty): on the
 * devices hierarchy of v1 when the host has one, else as a device program
 * attached to the v2 dir. No rules: nothing is done (the devices of the
 * parent cgroup apply). Where neither is possible the error names the fix. */
int cgroup_devices_apply(const struct container_cgroup *cg, const struct device_rule *rules,
                         size_t n, mb_error *err);

#endif
