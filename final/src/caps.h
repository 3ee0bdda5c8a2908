/*
 * caps.h - capabilities: the names, Docker's default set, and dropping
 * everything else before the command runs (chapter 10).
 *
 * Root in a container without a user namespace is root of the host to the
 * kernel; what makes it less is the capability sets. A capability dropped
 * from the bounding set can never come back, not even through a setuid
 * binary or file capabilities.
 */
#ifndef MB_CAPS_H
#define MB_CAPS_H

#include <stdbool.h>
#include <linux/capability.h> /* CAP_CHOWN ... for everyone using cap_mask */
#include <stdint.h>

#include "error.h"

/* One bit per capability number (CAP_CHOWN is bit 0). */
typedef uint64_t cap_mask;

#define CAP_BIT(cap) ((cap_mask)1 << (cap))

/* Docker's default set: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW,
 * SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL,
 * AUDIT_WRITE. */
cap_mask caps_default(void);

/* Every capability this kernel knows (0..cap_last_cap). */
cap_mask caps_all(void);

/* What minibox itself can still give: its own bounding set (a host or an
 * outer container may have taken some away, e.g. CAP_SYS_RESOURCE). */
cap_mask caps_available(void);

/* "NET_ADMIN", "CAP_NET_ADMIN" or "net_admin" -> its number; "ALL" -> -2.
 * Returns -1 with err for an unknown name. */
int caps_from_name(const char *name, mb_error *err);

/* "CAP_NET_ADMIN" for a number, NULL when unknown. */
const char *caps_name(int cap);

/* What the container's process keeps: the OCI spec's five sets. */
struct caps_sets {
    cap_mask bounding, effective, permitted, inheritable, ambient;
};

/* All five as minibox runs a container: bounding = permitted = effective =
 * mask; no inheritable and no ambient capabilities. */
void caps_sets_from_mask(cap_mask mask, struct caps_sets *sets);

/* Step 1, while still root with every capability: drop what is outside the
 * bounding set (needs CAP_SETPCAP, so it comes before anything else is
 * dropped) and keep the permitted set across a following setuid. */
int caps_drop_bounding(const struct caps_sets *sets, mb_error *err);

/* Step 2, after setgroups/setgid/setuid: set effective, permitted and
 * inheritable with capset(2), then raise the ambient ones. */
int caps_apply(const struct caps_sets *sets, mb_error *err);

#endif
