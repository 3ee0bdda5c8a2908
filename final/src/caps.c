/* caps.c - see caps.h. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

/* Index = capability number (linux/capability.h). */
static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
#define N_CAP_NAMES ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

cap_mask caps_default(void)
{
    /* Enough for what images expect root to do to its own files and
     * processes; nothing that reaches the kernel's or the host's state
     * (SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_TIME, ...). */
    return CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FSETID) |
           CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_NET_RAW) | CAP_BIT(CAP_SETGID) |
           CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETFCAP) | CAP_BIT(CAP_SETPCAP) |
           CAP_BIT(CAP_NET_BIND_SERVICE) | CAP_BIT(CAP_SYS_CHROOT) | CAP_BIT(CAP_KILL) |
           CAP_BIT(CAP_AUDIT_WRITE);
}

/* The highest capability this kernel knows (it may know more than our
 * table, or fewer than the headers we were built with). */
static int caps_last(void)
{
    static int last = -1;
    FILE *f;

    if (last >= 0)
        return last;
    f = fopen("/proc/sys/kernel/cap_last_cap", "re");
    if (f == NULL || fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
        last = CAP_LAST_CAP;
    if (f != NULL)
        fclose(f);
    return last;
}

cap_mask caps_all(void)
{
    int last = caps_last();

    return last >= 63 ? ~(cap_mask)0 : (CAP_BIT(last + 1) - 1);
}

cap_mask caps_available(void)
{
    cap_mask have = 0;

    for (int cap = 0; cap <= caps_last(); cap++)
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            have |= CAP_BIT(cap);
    return have;
}

const char *caps_name(int cap)
{
    return cap >= 0 && cap < N_CAP_NAMES ? cap_names[cap] : NULL;
}

int caps_from_name(const char *name, mb_error *err)
{
    const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;

    if (strcasecmp(bare, "ALL") == 0)
        return -2;
    for (int i = 0; i < N_CAP_NAMES; i++)
        if (strcasecmp(bare, cap_names[i] + 4) == 0)
            return i;
    return mb_fail(err, 0, "unknown capability '%s' (e.g. NET_ADMIN, SYS_PTRACE, ALL)", name);
}

void caps_sets_from_mask(cap_mask mask, struct caps_sets *sets)
{
    sets->bounding = sets->effective = sets->permitted = mask;
    sets->inheritable = sets->ambient = 0;
}

int caps_drop_bounding(const struct caps_sets *sets, mb_error *err)
{
    int last = caps_last();

    for (int cap = 0; cap <= last; cap++) {
        if (sets->bounding & CAP_BIT(cap))
            continue;
        /* EINVAL: a capability the kernel does not know; nothing to drop. */
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return mb_fail(err, errno, "drop %s from the bounding set",
                           caps_name(cap) ? caps_name(cap) : "a capability");
    }
    /* A setuid away from root would otherwise clear the permitted set. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return mb_fail(err, errno, "prctl(PR_SET_KEEPCAPS)");
    return 0;
}

int caps_apply(const struct caps_sets *sets, mb_error *err)
{
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];

    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)(sets->effective >> (32 * i));
        data[i].permitted = (uint32_t)(sets->permitted >> (32 * i));
        data[i].inheritable = (uint32_t)(sets->inheritable >> (32 * i));
    }
    /* glibc has no capset() wrapper; libcap is not worth a dependency for
     * one system call. */
    if (syscall(SYS_capset, &header, data) < 0)
        return mb_fail(err, errno, "capset");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return mb_fail(err, errno, "clear the ambient capabilities");
    /* The kernel raises an ambient capability only if it is permitted and
     * inheritable too: runc's own default config lists ambient ones that
     * are not inheritable. Like runc (which warns), those are left out. */
    for (int cap = 0; cap <= caps_last(); cap++)
        if ((sets->ambient & CAP_BIT(cap)) &&
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
            return mb_fail(err, errno, "raise ambient %s", caps_name(cap));
    return 0;
}
