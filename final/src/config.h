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
#include "caps.h"
#include "cgroup_devices.h"
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
    bool root_given;     /* --root or MINIBOX_ROOT was given */
    const char *log;     /* --log FILE: errors go there too (OCI runtimes) */
    bool log_json;       /* --log-format json */
    bool systemd_cgroup; /* --systemd-cgroup: cgroupsPath is slice:prefix:name */
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
};

/* How the command runs inside: -e/--env-file, -w, -u. */
struct process_config {
    char **env;          /* NAME=VALUE, NULL-terminated, heap */
    size_t n_env;        /* entries in env */
    const char *workdir; /* -w: absolute */
    const char *user;    /* -u USER[:GROUP], resolved inside the container */
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
#endif
};

#endif
