/*
 * user.h - -u USER[:GROUP]: who the command runs as (chapter 10).
 *
 * Names mean what the container's /etc/passwd and /etc/group say, not the
 * host's: the image decides who "nobody" is. So they are looked up inside,
 * after pivot_root, in the container's own files.
 */
#ifndef MB_USER_H
#define MB_USER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct user_ids {
    uid_t uid;
    gid_t gid;
    gid_t *groups; /* supplementary, from /etc/group (heap, as many as there are) */
    int n_groups;
    char home[PATH_MAX]; /* from /etc/passwd, "/" when unknown */
};

/* Resolve spec (NULL: root) against /etc/passwd and /etc/group of the
 * current root. A number needs no entry; a name must have one. */
int user_resolve(const char *spec, struct user_ids *ids, mb_error *err);

/* An OCI process's user: numbers, nothing looked up. */
int user_from_ids(uid_t uid, gid_t gid, const gid_t *groups, size_t n, struct user_ids *ids,
                  mb_error *err);

/* Add a supplementary group. */
int user_add_group(struct user_ids *ids, gid_t gid, mb_error *err);

void user_ids_free(struct user_ids *ids);

/* setgroups, setgid, setuid. setgroups is skipped where the user
 * namespace forbids it (a single-id map) and no groups are wanted. */
int user_switch(const struct user_ids *ids, mb_error *err);

#endif
