/*
 * user.h - -u USER[:GROUP]: who the command runs as (chapter 10).
 *
 * Names mean what the container's /etc/passwd and /etc/group say, not the
 * host's: the image decides who "nobody" is. So they are looked up inside,
 * after pivot_root, in the container's own files.
 */
#ifndef MB_USER_H
#define MB_USER_H

#include <sys/types.h>

#include "error.h"

#define USER_MAX_GROUPS 64

struct user_ids {
    uid_t uid;
    gid_t gid;
    gid_t groups[USER_MAX_GROUPS]; /* supplementary, from /etc/group */
    int n_groups;
    char home[256]; /* from /etc/passwd, "/" when unknown */
};

/* Resolve spec (NULL: root) against /etc/passwd and /etc/group of the
 * current root. A number needs no entry; a name must have one. */
int user_resolve(const char *spec, struct user_ids *ids, mb_error *err);

/* setgroups, setgid, setuid. setgroups is skipped where the user
 * namespace forbids it (a single-id map) and no groups are wanted. */
int user_switch(const struct user_ids *ids, mb_error *err);

#endif
