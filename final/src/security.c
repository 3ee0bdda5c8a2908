/* security.c - see security.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardening.h"
#include "security.h"
#include "user.h"
#include "util.h"

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

int security_apply_mounts(const struct container_config *cfg, int null_tree, mb_error *err)
{
    const struct spec_config *spec = &cfg->spec;
    int ret = 0;

    /* An OCI config says which paths, and may set namespaced sysctls
     * (before /proc/sys goes read-only); run has Docker's lists. */
    if (spec->given) {
        ret = hardening_sysctl(spec->sysctl, err);
        if (ret == 0)
            ret = hardening_mask_paths((const char *const *)spec->masked, null_tree, err);
        if (ret == 0)
            ret = hardening_readonly_paths_apply((const char *const *)spec->readonly, err);
    } else if (!cfg->hardening.privileged) {
        ret = hardening_mask_paths(hardening_masked_paths, null_tree, err);
        if (ret == 0)
            ret = hardening_readonly_paths_apply(hardening_readonly_paths, err);
    }
    return ret;
}

/* What an OCI process sets while it is still root: raising a hard rlimit
 * and lowering oom_score_adj need CAP_SYS_RESOURCE. */
static int process_limits(const struct process_config *proc, mb_error *err)
{
    for (size_t i = 0; i < proc->n_rlimits; i++) {
        struct rlimit value = {.rlim_cur = proc->rlimits[i].soft,
                               .rlim_max = proc->rlimits[i].hard};

        if (setrlimit(proc->rlimits[i].resource, &value) < 0)
            return mb_fail(err, errno, "setrlimit %d to %llu/%llu", proc->rlimits[i].resource,
                           proc->rlimits[i].soft, proc->rlimits[i].hard);
    }
    if (proc->oom_score_adj_given) {
        char text[24];

        snprintf(text, sizeof(text), "%d", proc->oom_score_adj);
        if (write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", text, err) < 0)
            return -1;
    }
    if (proc->umask_given)
        umask(proc->umask);
    return 0;
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

    /* CVE-2024-21626: nothing open in minibox may reach the command (but
     * the fds an OCI caller passes on: --preserve-fds). */
    ret = hardening_close_fds_on_exec(3 + proc->preserve_fds, err);
    if (ret == 0)
        ret = process_limits(proc, err);
    if (ret == 0 && proc->ids_given)
        ret = user_from_ids(proc->uid, proc->gid, proc->groups, proc->n_groups, &ids, err);
    else if (ret == 0)
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
    if (h->caps_sets_given)
        sets = h->caps_sets; /* an OCI process's five sets, as they are */
    else
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
    return ret;
}

int security_finish(const struct hardening_config *h, mb_error *err)
{
    /* Last: after this only execve runs, and the filter allows it (an OCI
     * config's own profile need not allow anything minibox does before). */
    if (h->allow_new_privs)
        return 0; /* installed by security_enter already */
    return seccomp_program_install(&h->seccomp, err);
}
