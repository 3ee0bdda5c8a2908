/* user.c - see user.h. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "user.h"
#include "util.h"

/* A decimal id, or -1. */
static long parse_id(const char *s)
{
    char *end;
    long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    return errno != 0 || *end != '\0' || v > 0x7fffffffL ? -1 : v;
}

/* Field `index` (0-based) of a colon-separated line, copied into out. */
static void field(const char *line, int index, char *out, size_t len)
{
    size_t n;

    for (int i = 0; i < index && line != NULL; i++) {
        line = strchr(line, ':');
        line = line ? line + 1 : NULL;
    }
    n = line ? strcspn(line, ":\n") : 0;
    if (n >= len)
        n = len - 1;
    memcpy(out, line ? line : "", n);
    out[n] = '\0';
}

/* The line of /etc/passwd or /etc/group whose name (or id) is key (heap;
 * NULL when there is none). Lines are read whole, however long. */
static char *find_entry(const char *file, const char *key)
{
    FILE *f = fopen(file, "re");
    char *line = NULL, name[256], id[32];
    size_t cap = 0;

    while (f != NULL && getline(&line, &cap, f) >= 0) {
        field(line, 0, name, sizeof(name));
        field(line, 2, id, sizeof(id));
        if (strcmp(name, key) == 0 || strcmp(id, key) == 0) {
            fclose(f);
            return line;
        }
    }
    if (f != NULL)
        fclose(f);
    free(line);
    return NULL;
}

static int resolve_user(const char *name, struct user_ids *ids, char *user_name, mb_error *err)
{
    cleanup_free char *line = find_entry("/etc/passwd", name);
    char value[256];
    long id = parse_id(name);

    if (line == NULL) {
        if (id < 0)
            return mb_fail(err, 0, "-u %s: no such user in the container's /etc/passwd", name);
        ids->uid = ids->gid = (gid_t)id; /* Docker's rule for an unknown number */
        user_name[0] = '\0';
        return 0;
    }
    field(line, 0, user_name, 256);
    field(line, 2, value, sizeof(value));
    ids->uid = (uid_t)parse_id(value);
    field(line, 3, value, sizeof(value));
    ids->gid = (gid_t)parse_id(value);
    field(line, 5, ids->home, sizeof(ids->home));
    return 0;
}

static int resolve_group(const char *name, struct user_ids *ids, mb_error *err)
{
    cleanup_free char *line = find_entry("/etc/group", name);
    char value[32];
    long id = parse_id(name);

    if (line == NULL) {
        if (id < 0)
            return mb_fail(err, 0, "-u: no such group '%s' in the container's /etc/group", name);
        ids->gid = (gid_t)id;
        return 0;
    }
    field(line, 2, value, sizeof(value));
    ids->gid = (gid_t)parse_id(value);
    return 0;
}

int user_from_ids(uid_t uid, gid_t gid, const gid_t *groups, size_t n, struct user_ids *ids,
                  mb_error *err)
{
    memset(ids, 0, sizeof(*ids));
    ids->uid = uid;
    ids->gid = gid;
    strcpy(ids->home, "/");
    for (size_t i = 0; i < n; i++)
        if (user_add_group(ids, groups[i], err) < 0)
            return -1;
    return 0;
}

int user_add_group(struct user_ids *ids, gid_t gid, mb_error *err)
{
    gid_t *grown = realloc(ids->groups, (size_t)(ids->n_groups + 1) * sizeof(*grown));

    if (grown == NULL)
        return mb_fail(err, ENOMEM, "supplementary groups");
    ids->groups = grown;
    ids->groups[ids->n_groups++] = gid;
    return 0;
}

void user_ids_free(struct user_ids *ids)
{
    free(ids->groups);
    ids->groups = NULL;
    ids->n_groups = 0;
}

/* The groups that list the user as a member (the 4th field of /etc/group),
 * every one of them. */
static int supplementary_groups(const char *user_name, struct user_ids *ids, mb_error *err)
{
    cleanup_free char *line = NULL;
    FILE *f = fopen("/etc/group", "re");
    size_t cap = 0;
    char id[32];
    int ret = 0;

    while (ret == 0 && f != NULL && user_name[0] != '\0' && getline(&line, &cap, f) >= 0) {
        char *members = strchr(line, ':'), *save = NULL;

        /* name:password:gid:members */
        for (int i = 0; i < 2 && members != NULL; i++)
            members = strchr(members + 1, ':');
        if (members == NULL)
            continue;
        members[strcspn(members, "\n")] = '\0';
        for (char *m = strtok_r(members + 1, ",", &save); m != NULL; m = strtok_r(NULL, ",", &save))
            if (strcmp(m, user_name) == 0) {
                field(line, 2, id, sizeof(id));
                if (parse_id(id) >= 0)
                    ret = user_add_group(ids, (gid_t)parse_id(id), err);
                break;
            }
    }
    if (f != NULL)
        fclose(f);
    return ret;
}

int user_resolve(const char *spec, struct user_ids *ids, mb_error *err)
{
    char user[256], user_name[256] = "";
    const char *colon;
    int ret;

    memset(ids, 0, sizeof(*ids));
    strcpy(ids->home, spec == NULL ? "/root" : "/");
    if (spec == NULL)
        return 0;
    colon = strchr(spec, ':');
    snprintf(user, sizeof(user), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    ret = resolve_user(user, ids, user_name, err);
    if (ret == 0 && colon != NULL)
        ret = resolve_group(colon + 1, ids, err);
    if (ret == 0)
        ret = supplementary_groups(user_name, ids, err);
    return ret;
}

int user_switch(const struct user_ids *ids, mb_error *err)
{
    /* Groups first: after setuid away from root, setgroups is refused. */
    if (setgroups((size_t)ids->n_groups, ids->groups) < 0 && (errno != EPERM || ids->n_groups > 0))
        return mb_fail(err, errno, "setgroups");
    if (setresgid(ids->gid, ids->gid, ids->gid) < 0)
        return mb_fail(err, errno, "setgid %u (is it mapped?)", (unsigned)ids->gid);
    if (setresuid(ids->uid, ids->uid, ids->uid) < 0)
        return mb_fail(err, errno, "setuid %u (is it mapped?)", (unsigned)ids->uid);
    return 0;
}
