/*
 * cmd_oci_features.c - `minibox features` (chapter 10): what this runtime
 * implements, as the runtime spec's features.md document, so that a
 * caller can check before it asks for something.
 */
#include <stdio.h>

#include "caps.h"
#include "commands.h"
#include "oci_state.h"

static json_t *capability_names(void)
{
    json_t *names = json_array();

    for (int cap = 0; cap < 64; cap++)
        if ((caps_all() & CAP_BIT(cap)) && caps_name(cap) != NULL)
            json_array_append_new(names, json_string(caps_name(cap)));
    return names;
}

static json_t *linux_features(void)
{
    return json_pack("{s:[s,s,s,s,s,s,s], s:o, s:{s:b, s:b, s:b, s:b}, s:{s:b, s:[s,s,s,s,s,s,s], "
                     "s:[s,s,s,s,s,s,s], s:[s,s]}, s:{s:b}, s:{s:b}}",
                     "namespaces", "cgroup", "ipc", "mount", "network", "pid", "user", "uts",
                     "capabilities", capability_names(), "cgroup", "v1", 1, "v2", 1, "systemd", 0,
                     "systemdUser", 0, "seccomp", "enabled", 1, "actions", "SCMP_ACT_ALLOW",
                     "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                     "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRAP", "operators",
                     "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
                     "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", "archs", "SCMP_ARCH_X86_64",
                     "SCMP_ARCH_AARCH64", "apparmor", "enabled", 0, "selinux", "enabled", 0);
}

int cmd_oci_features(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    json_t *features;

    (void)globals;
    if (argc != 1)
        return mb_fail(err, 0, "usage: minibox %s (no arguments)", argv[0]);
    features = json_pack(
        "{s:s, s:s, s:[s,s,s,s,s,s], s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s], s:o}",
        "ociVersionMin", "1.0.0", "ociVersionMax", OCI_VERSION, "hooks", "prestart",
        "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        "mountOptions", "async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "mand",
        "noatime", "nodev", "nodiratime", "noexec", "nosuid", "private", "rbind", "relatime", "ro",
        "rprivate", "rshared", "rslave", "rw", "shared", "slave", "strictatime", "linux",
        linux_features());
    if (features == NULL)
        return mb_fail(err, 0, "features: cannot build the document");
    json_dumpf(features, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(features);
    return 0;
}
