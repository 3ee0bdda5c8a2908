/*
 * config.h - what `minibox run` was asked to do, parsed once from the command
 * line and then only read.
 */
#ifndef MB_CONFIG_H
#define MB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "mb_step.h"
#if MB_STEP >= 5
#include "resource_limits.h"
#endif
#if MB_STEP >= 6
#include "userns.h"
#endif
#if MB_STEP >= 7
#include "network.h"
#endif
#if MB_STEP >= 8
#include "image_store.h"
#endif
#if MB_STEP >= 10
#include <jansson.h>
#include <sys/types.h>

#include "caps.h"
#include "cgroup_devices.h"
#include "cgroup_systemd.h"
#include "seccomp.h"
#endif

/* Options that every verb accepts (before the verb). Chapter 5 brings the
 * first, when there is state to keep; until then a verb gets NULL. */
#if MB_STEP >= 5
struct mb_globals {
    const char *root; /* --root / MINIBOX_ROOT: state and image store */
#if MB_STEP >= 9
    const char *socket; /* --socket / MINIBOX_SOCKET: the daemon's socket */
#endif
#if MB_STEP >= 10
    bool root_given;                    /* --root or MINIBOX_ROOT was given */
    const char *log;                    /* --log FILE: errors go there too (OCI runtimes) */
    bool log_json;                      /* --log-format json */
    bool systemd_cgroup;                /* --systemd-cgroup: cgroupsPath is slice:prefix:name */
    enum cgroup_manager cgroup_manager; /* --cgroup-manager (default: auto) */
#endif
};
#else
struct mb_globals;
#endif

#if MB_STEP >= 4
/* -v SRC:DST[:ro] */
struct volume {
    char *source; /* absolute host path, symlinks resolved */
    char *target; /* absolute path inside the container */
    bool readonly;
#if MB_STEP >= 9
    bool as_caller; /* a member's: opened in the container as the caller (policy.h) */
#endif
};
#endif

#if MB_STEP >= 10
/* --tmpfs PATH[:OPTIONS] */
struct tmpfs_mount {
    char *target;  /* absolute path inside the container */
    char *options; /* mount -o style: rw,nosuid,size=1m ... */
};

/* --device HOST[:CONTAINER][:PERMISSIONS] */
struct device_mapping {
    char *host;              /* the host's node, symlinks resolved */
    char *container;         /* absolute path inside the container */
    struct device_rule rule; /* what the container's cgroup allows on it */
};

/* A mount an OCI config lists (config.json's mounts[]). */
struct mount_entry {
    char *source;              /* a bind's host path (made absolute), or the fs's source */
    char *target;              /* absolute, inside the container */
    char *fstype;              /* NULL for a bind */
    char *data;                /* the filesystem's own options ("mode=755"), or NULL */
    unsigned long flags;       /* MS_RDONLY, MS_NOSUID ... */
    unsigned long propagation; /* MS_SHARED|MS_REC ... set after it, or 0 */
    bool bind, recursive;
};

/* A device node an OCI config asks for by number (linux.devices). */
struct device_node {
    char *path;  /* absolute, inside the container */
    mode_t mode; /* S_IFCHR, S_IFBLK or S_IFIFO, and the permissions */
    dev_t rdev;
    uid_t uid;
    gid_t gid;
};

/* A namespace an OCI config names by path (a pod's): joined, not made. */
struct namespace_path {
    int type; /* CLONE_NEW* */
    char *path;
};

/* What an OCI bundle asks for that run has no option for (oci_spec.c
 * translates config.json into it; the core reads it where it acts). */
struct spec_config {
    bool given;                  /* the container comes from a config.json */
    unsigned long namespaces;    /* CLONE_NEW* to make */
    struct namespace_path *join; /* namespaces to join */
    size_t n_join;
    struct mount_entry *mounts; /* every mount: minibox adds none of its own */
    size_t n_mounts;
    struct device_node *nodes; /* linux.devices */
    size_t n_nodes;
    struct device_rule *device_rules; /* linux.resources.devices, each node's, the defaults */
    size_t n_device_rules;
    char **masked, **readonly; /* linux.maskedPaths, readonlyPaths; NULL-terminated */
    char **sysctl;             /* "key=value" (namespaced ones only); NULL-terminated */
    char *domainname;
    unsigned long root_propagation; /* rootfsPropagation, with MS_REC */
    char *cgroup_path;              /* linux.cgroupsPath, in every hierarchy */
    json_t *hooks;                  /* createContainer and startContainer run inside */
    char *state_json;               /* what the hooks read on stdin */
    int fifo_fd;                    /* create: exec.fifo (O_PATH), waited on before execve; -1 */
    int console_fd;                 /* create: --console-socket, connected; -1 */
    bool no_pivot;
};

/* One process.rlimits entry. */
struct rlimit_value {
    int resource;
    unsigned long long soft, hard;
};

/* What the container may do: hardened by default (chapter 10). */
struct hardening_config {
    cap_mask caps;                  /* bounding = permitted = effective */
    const char *cap_add[64];        /* as given, for inspect */
    const char *cap_drop[64];       /* as given, for inspect */
    int n_cap_add, n_cap_drop;      /* entries used above */
    bool privileged;                /* --privileged: all caps and devices, no filter, no masks */
    bool seccomp_unconfined;        /* --security-opt seccomp=unconfined */
    bool allow_new_privs;           /* --security-opt no-new-privileges=false */
    bool readonly_rootfs;           /* --read-only */
    struct seccomp_program seccomp; /* compiled in the parent, installed last */
    bool caps_sets_given;           /* an OCI process: its five sets, not caps */
    struct caps_sets caps_sets;
};

/* How the command runs inside: -e/--env-file, -w, -u. */
struct process_config {
    char **env;          /* NAME=VALUE, NULL-terminated, heap */
    size_t n_env;        /* entries in env */
    const char *workdir; /* -w: absolute */
    const char *user;    /* -u USER[:GROUP], resolved inside the container */
    /* An OCI process says it all itself: */
    bool env_exact; /* env is the whole environment: no defaults added */
    bool ids_given; /* uid, gid and groups as numbers: nothing looked up */
    uid_t uid;
    gid_t gid;
    gid_t *groups; /* additionalGids */
    size_t n_groups;
    bool umask_given;
    mode_t umask;
    struct rlimit_value *rlimits;
    size_t n_rlimits;
    bool oom_score_adj_given;
    int oom_score_adj;
    bool terminal;    /* its stdio is a new pty, sent to spec.console_fd */
    int preserve_fds; /* --preserve-fds: 3 .. 3+N-1 reach the command too */
};
#endif

struct container_config {
#if MB_STEP >= 3
    char id[65]; /* 64 hex digits, random (chapter 3 names the host after it) */
#endif
    char *rootfs;      /* absolute host path of the root filesystem */
    char *const *argv; /* the command and its arguments */
#if MB_STEP >= 2
    bool init; /* --init: minibox's own PID 1 runs the command */
#endif
#if MB_STEP >= 3
    char hostname[65]; /* --hostname, or the short id */
#endif
#if MB_STEP >= 4
    struct volume *volumes;
    size_t n_volumes;
#endif
#if MB_STEP >= 5
    struct limits limits;      /* --memory, --cpus, --pids-limit */
    const char *cgroup_parent; /* --cgroup-parent, or NULL: our own cgroup */
    const char *state_root;    /* --root: where the container's state lives */
#endif
#if MB_STEP >= 6
    struct userns_plan userns; /* rootless, --userns=auto, or the host's ids */
#endif
#if MB_STEP >= 7
    struct net_config net; /* --net, -p */
#endif
#if MB_STEP >= 8
    struct image image;  /* run IMAGE: its layers and config (id "" for --rootfs) */
    const char *name;    /* --name */
    bool remove;         /* --rm: the writable layer goes when the container ends */
    char **image_env;    /* the image's Env, NULL-terminated */
    const char *workdir; /* the image's WorkingDir */
#endif
#if MB_STEP >= 9
    bool keep_record;      /* run by the daemon: keep the record until rm, as Docker does */
    const char *image_ref; /* IMAGE as the user named it: ps shows it */
    bool detach;           /* -d */
    bool tty;              /* -t: the container's stdio is a pseudo-terminal */
    int started_fd;        /* -d through the daemon: "\n" once started, else the error */
    bool rootfs_as_caller; /* a member's --rootfs: opened in the container (policy.h) */
#endif
#if MB_STEP >= 10
    struct hardening_config hardening;
    struct process_config process;
    struct tmpfs_mount *tmpfs;
    size_t n_tmpfs;
    struct device_mapping *devices; /* --device */
    size_t n_devices;
    /* CVE-2019-5736 without a second minibox execve (selfexe.h): the first
     * process execs the command through minibox-exec, from this memfd. */
    bool exec_via_stub;
    int exec_stub_fd;
    struct spec_config spec;            /* an OCI bundle's own (create) */
    enum cgroup_manager cgroup_manager; /* the global --cgroup-manager */
#endif
};

#endif
