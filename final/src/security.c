/* security.c - see security.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardening.h"
#include "security.h"
#include "user.h"

int security_prepare(struct hardening_config *h, const char *state_root, mb_error *err)
{
    char cache[4200];

    h->seccomp.filter = NULL;
    h->seccomp.len = 0;
    if (h->privileged || h->seccomp_unconfined)
        return 0;
    /* Compiled once per profile and capability set, then read from here:
     * the state root is the caller's own (root's, or a user's 0700 dir). */
    snprintf(cache, sizeof(cache), "%s/cache", state_root);
    return seccomp_program_default(cache, h->caps, &h->seccomp, err);
}

int security_apply_mounts(const struct hardening_config *h, mb_error *err)
{
    int ret = 0;

    if (!h->privileged) {
        ret = hardening_mask_paths(hardening_masked_paths, err);
        if (ret == 0)
            ret = hardening_readonly_paths_apply(hardening_readonly_paths, err);
    }
    return ret;
}

/* A user other than root keeps no capabilities in effect (the bounding
 * set still limits what a setuid binary could give back, and
 * no_new_privs stops even that). */
static void caps_for_user(const struct hardening_config *h, uid_t uid, struct caps_sets *sets)
{
    caps_sets_from_mask(h->caps, sets);
    if (uid != 0)
        sets->effective = sets->permitted = 0;
}

int security_enter(const struct hardening_config *h, const struct process_config *proc,
                   const char *workdir, char *home, size_t home_len, mb_error *err)
{
    struct user_ids ids;
    struct caps_sets sets;
    int ret;

    /* CVE-2024-21626: nothing open in minibox may reach the command. */
    ret = hardening_close_fds_on_exec(3, err);
    if (ret == 0)
        ret = user_resolve(proc->user, &ids, err);
    if (ret == 0 && workdir != NULL && workdir[0] != '\0')
        ret = hardening_chdir_inside(workdir, true, err);
    /* After the working directory is made, as Docker makes it in the
     * container's layer before the root goes read-only. */
    if (ret == 0 && h->readonly_rootfs)
        ret = hardening_readonly_root(err);
    if (ret < 0)
        return ret;
    snprintf(home, home_len, "%s", ids.home);
    caps_for_user(h, ids.uid, &sets);
    /* Without no_new_privs, installing a filter needs CAP_SYS_ADMIN, which
     * may be dropped below: install it first then. */
    if (h->allow_new_privs) {
        ret = seccomp_program_install(&h->seccomp, err);
        if (ret < 0)
            return ret;
    }
    ret = caps_drop_bounding(&sets, err); /* needs CAP_SETPCAP: first */
    if (ret == 0)
        ret = user_switch(&ids, err);
    if (ret == 0)
        ret = caps_apply(&sets, err);
    if (ret == 0 && !h->allow_new_privs)
        ret = hardening_no_new_privs(err);
    /* Last: after this only execve runs, and the filter allows it. */
    if (ret == 0 && !h->allow_new_privs)
        ret = seccomp_program_install(&h->seccomp, err);
    return ret;
}
