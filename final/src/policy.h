/*
 * policy.h - who may do what through the daemon (chapter 9).
 *
 * The daemon is root. Served blindly, every member of its group would be
 * root too (a volume of / is enough). So each connection is served as the
 * caller SO_PEERCRED names. Root keeps every option. A member who is not
 * root gets what that user could have without the daemon, and no more:
 *
 *   - containers in a user namespace: container root is the caller's own
 *     uid, ids 1..N the caller's range in /etc/subuid (userns.c);
 *   - -v and --rootfs opened in the container, with the caller's ids, no
 *     symlink followed and no ".." (volumes.c, rootfs.c);
 *   - nothing of the host's: --net host, --userns, --cgroup-parent, host
 *     ports the caller could not bind, and from chapter 10 --privileged,
 *     capabilities beyond the default set, seccomp=unconfined;
 *   - only their own containers: every verb finds, and ps lists, only the
 *     containers whose record names the caller as owner;
 *   - limits: at most --max-containers running, each at most --max-memory
 *     and --max-pids (the daemon's options);
 *   - nothing the caller names is opened by root: the client reads an
 *     image archive (it arrives as stdin) and, from chapter 10, the
 *     --env-file files and the values of -e NAME.
 *
 * `minibox daemon --trust-group` brings back the rule of the first
 * sections (a member is root) for a machine with one user.
 *
 * A handler process serves one connection, so who it serves is a property
 * of the process, like its uid: set once, read where a decision is made.
 */
#ifndef MB_POLICY_H
#define MB_POLICY_H

#include "mb_step.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "commands.h"
#include "error.h"

/* What a daemon lets a member who is not root have (its options). */
struct policy_limits {
    int max_running;     /* --max-containers: running at once per member; 0: any */
    uint64_t max_memory; /* --max-memory: per container (and the default); 0: none */
    long max_pids;       /* --max-pids: per container (and the default); 0: none */
};

/* Who the handler serves. */
struct mb_caller {
    uid_t uid;
    gid_t gid;       /* the user's primary group */
    char name[256];  /* the user's name (for /etc/subuid and messages) */
    bool restricted; /* not root, and the daemon does not --trust-group */
    char cwd[4096];  /* the client's working directory */
    struct policy_limits limits;
#if MB_STEP >= 10
    json_t *env; /* -e and --env-file as the client resolved them, or NULL */
#endif
};

/* The handler, once: serve this caller from now on. */
void policy_serve(const struct mb_caller *caller);

/* The caller being served; NULL when minibox runs without a daemon. */
const struct mb_caller *policy_caller(void);

/* Is the caller a member who is not root (and not trusted)? */
bool policy_restricted(void);

/* The uid a new container's record names as its owner. */
uid_t policy_owner(void);

/* May the caller see and act on the container of this record? */
bool policy_may_see(json_t *record);

/* The daemon's handler, before a verb runs: a verb or a form of it that
 * a restricted caller may not use at all. */
int policy_check_request(const char *verb, int argc, char **argv, mb_error *err);

/* run, after parsing, before anything is checked on the host: refuse what
 * the caller may not have, apply the limits, make relative paths the
 * client's. */
int policy_check_run(struct run_args *args, mb_error *err);

/* A path the caller named, opened in the container (whose ids are the
 * caller's), following no symlink: a directory (want_dir) or a regular
 * file the caller may read. Returns a detached copy of the mounts there
 * (open_tree); *at, if given, gets the O_PATH fd of what was checked. */
int policy_open_tree(const char *what, const char *path, bool want_dir, int *at, mb_error *err);

/* Before a container's state exists: at most max_running running
 * containers per member. Returns a lock fd to close once the new
 * container's record is written (-1 when there is no cap), or -1 with err. */
int policy_admit(const char *root, int *lock_fd, mb_error *err);

#if MB_STEP >= 10
struct process_config;

/* run and exec through the daemon: the environment is the client's (its
 * -e NAME values, its --env-file lines), never the daemon's. */
int policy_client_env(struct process_config *proc, mb_error *err);
#endif

#endif
