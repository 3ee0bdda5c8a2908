/*
 * config.h - what `minibox run` was asked to do, parsed once from the command
 * line and then only read.
 */
#ifndef MB_CONFIG_H
#define MB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "resource_limits.h"
#include "userns.h"
#include "network.h"
#include "image_store.h"

/* Options that every verb accepts (before the verb). Chapter 5 brings the
 * first, when there is state to keep; until then a verb gets NULL. */
struct mb_globals {
    const char *root; /* --root / MINIBOX_ROOT: state and image store */
};

/* -v SRC:DST[:ro] */
struct volume {
    char *source; /* absolute host path, symlinks resolved */
    char *target; /* absolute path inside the container */
    bool readonly;
};

struct container_config {
    char id[65]; /* 64 hex digits, random (chapter 3 names the host after it) */
    char *rootfs;      /* absolute host path of the root filesystem */
    char *const *argv; /* the command and its arguments */
    bool init; /* --init: minibox's own PID 1 runs the command */
    char hostname[65]; /* --hostname, or the short id */
    struct volume *volumes;
    size_t n_volumes;
    struct limits limits;      /* --memory, --cpus, --pids-limit */
    const char *cgroup_parent; /* --cgroup-parent, or NULL: our own cgroup */
    const char *state_root;    /* --root: where the container's state lives */
    struct userns_plan userns; /* rootless, --userns=auto, or the host's ids */
    struct net_config net; /* --net, -p */
    struct image image;  /* run IMAGE: its layers and config (id "" for --rootfs) */
    const char *name;    /* --name */
    bool remove;         /* --rm: the writable layer goes when the container ends */
    char **image_env;    /* the image's Env, NULL-terminated */
    const char *workdir; /* the image's WorkingDir */
};

#endif
