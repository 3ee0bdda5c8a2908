/*
 * container.c - create the container process and wait for it.
 */
#include "mb_step.h"
#if MB_STEP >= 2
/*
 * The parent (this process, outside) and the child (the container's first
 * process) talk over one pipe, the report pipe. It is close-on-exec, so:
 *   - the child execs the command: the pipe closes, the parent reads EOF;
 *   - the child fails during setup: it writes an mb_error and exits, the
 *     parent reads it and prints it as minibox's own one-line error.
 * Meanwhile the parent passes the signals it gets on to the container.
 */
#endif

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#if MB_STEP >= 2
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "command.h"
#if MB_STEP >= 3
#include "ids.h"
#endif
#include "container.h"
#include "rootfs.h"
#if MB_STEP >= 2
#include "init.h"
#include "signals.h"
#include "util.h"
#endif
#if MB_STEP >= 5
#include <linux/sched.h>
#include <stdio.h>

#include "cgroup.h"
#include "cgroup_devices.h"
#include "state.h"
#endif
#if MB_STEP >= 8
#include "container_store.h"
#endif
#if MB_STEP >= 9
#include <sys/ioctl.h>

#include "policy.h"
#endif
#if MB_STEP >= 10
#include <grp.h>
#include <sys/stat.h>

#include "console.h"
#include "hardening.h"
#include "hooks.h"
#include "namespaces.h"
#endif

#if MB_STEP >= 2
/* The namespaces a container gets; each chapter adds one. */
static unsigned long container_clone_flags(const struct container_config *cfg)
{
    unsigned long flags = 0;

#if MB_STEP >= 10
    /* An OCI config lists its namespaces itself. The cgroup namespace is
     * made by the child, once it is in its cgroup (container_enter_cgroup). */
    if (cfg->spec.given)
        return cfg->spec.namespaces & ~(unsigned long)CLONE_NEWCGROUP;
#endif
#if MB_STEP >= 6
    /* The user namespace is made first (the kernel does so within one
     * clone), so it owns every other namespace created with it. */
    if (cfg->userns.mode != USERNS_HOST)
        flags |= CLONE_NEWUSER;
#else
    (void)cfg;
#endif
#if MB_STEP >= 2
    flags |= CLONE_NEWPID; /* the command is PID 1 of its own process tree */
#endif
#if MB_STEP >= 3
    flags |= CLONE_NEWUTS; /* its own hostname */
#endif
#if MB_STEP >= 4
    flags |= CLONE_NEWNS;  /* its own mount table: /proc, /dev, pivot_root */
    flags |= CLONE_NEWIPC; /* its own SysV IPC and POSIX message queues */
#endif
#if MB_STEP >= 7
    if (cfg->net.mode != NET_HOST)
        flags |= CLONE_NEWNET; /* its own interfaces, routes and ports */
#endif
    return flags;
}

/* clone(2) used like fork(2): no new stack, the child returns here with 0.
 * glibc's clone() wrapper wants a stack and a function; the raw system call
 * keeps the child's code in line with the parent's, as crun does. */
static pid_t clone_process(unsigned long flags)
{
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}
#endif
#if MB_STEP >= 5

/* clone3(2) with CLONE_INTO_CGROUP (Linux 5.7, cgroup v2): the child starts
 * life inside its cgroup, so not one page or pid of it is ever counted
 * against minibox's own cgroup. Returns -1 with ENOSYS/E2BIG/EINVAL where
 * the kernel lacks it; the caller then lets the child join by itself. */
static pid_t clone_into_cgroup(unsigned long flags, int cgroup_fd)
{
    struct clone_args args = {
        .flags = flags | CLONE_INTO_CGROUP,
        .exit_signal = SIGCHLD,
        .cgroup = (unsigned long long)cgroup_fd,
    };

    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Everything the container holds on the host besides its processes. */
struct container_resources {
    struct container_state state;
    struct container_cgroup cgroup;
    int in_cgroup; /* clone3 put the child in its cgroup already */
#if MB_STEP >= 7
    struct net_state net;
#endif
#if MB_STEP >= 6
    int joined_by_parent; /* in a user namespace the parent moves the child */
#endif
#if MB_STEP >= 8
    int failed; /* minibox failed: nothing of the container may stay */
#endif
#if MB_STEP >= 9
    int exit_status; /* for the record ps reads */
#endif
};

/* The device allowlist (cgroup_devices.h), in force before the container's
 * first process joins the cgroup. */
static int container_limit_devices(const struct container_config *cfg,
                                   const struct container_cgroup *cg, mb_error *err)
{
#if MB_STEP >= 6
    /* A normal user's container holds no capability on the host: the kernel
     * refuses it mknod, and it opens the host's nodes with the user's own
     * rights. There is nothing for the allowlist to take away, and no
     * cgroup the user could write it into. */
    if (geteuid() != 0)
        return 0;
#endif
#if MB_STEP >= 10
    /* --privileged: every device; --device: the default list and these. */
    struct device_rule rules[64];
    size_t n = device_rules_default_count;

    /* An OCI config's list, with its nodes' rules and the defaults after
     * (oci_spec.c puts them together, as runc does). */
    if (cfg->spec.given)
        return cgroup_devices_apply(cg, cfg->spec.device_rules, cfg->spec.n_device_rules, err);
    if (cfg->hardening.privileged)
        return 0;
    if (n + cfg->n_devices > sizeof(rules) / sizeof(rules[0]))
        return mb_fail(err, 0, "too many --device: at most %zu",
                       sizeof(rules) / sizeof(rules[0]) - device_rules_default_count);
    memcpy(rules, device_rules_default, n * sizeof(rules[0]));
    for (size_t i = 0; i < cfg->n_devices; i++)
        rules[n++] = cfg->devices[i].rule;
    return cgroup_devices_apply(cg, rules, n, err);
#else
    (void)cfg;
    return cgroup_devices_apply(cg, device_rules_default, device_rules_default_count, err);
#endif
}

/* The cgroup and the state that lets a later minibox clean up after this
 * one if it is killed. Dead containers' leftovers go first. */
static int resources_create(const struct container_config *cfg, struct container_resources *res,
                            mb_error *err)
{
    struct cgroup_layout layout;
    int ret, planned;
#if MB_STEP >= 9
    /* A member's running containers are counted and this one's record
     * written under one lock (policy.h). */
    cleanup_fd int admitted = -1;
#endif

    memset(res, 0, sizeof(*res));
    res->state.fd = res->state.lock_fd = -1;
    if (state_gc(cfg->state_root, err) < 0)
        return -1;
#if MB_STEP >= 9
    if (policy_admit(cfg->state_root, &admitted, err) < 0)
        return -1;
#endif
    ret = cgroup_layout_detect(&layout, err);
    if (ret < 0)
        return ret;
    ret = state_create(cfg->state_root, cfg->id, &res->state, err);
    if (ret < 0)
        return ret;
#if MB_STEP >= 10
    ret = state_close_to_others(
        &res->state, cfg->userns.mode == USERNS_HOST ? 0 : (gid_t)cfg->userns.gids[0].outside, err);
    if (ret < 0) {
        state_remove(&res->state);
        return ret;
    }
    enum cgroup_manager manager = CGROUP_MANAGER_CGROUPFS;

    if (!cfg->spec.given)
        ret =
            cgroup_manager_choose(cfg->cgroup_manager, &layout, cfg->cgroup_parent, &manager, err);
    if (ret == 0 && cfg->spec.given)
        ret = cgroup_plan_path(&layout, cfg->spec.cgroup_path, &cfg->limits, &res->cgroup, err);
    else if (ret == 0 && manager == CGROUP_MANAGER_SYSTEMD)
        ret = cgroup_plan_systemd(&layout, cfg->id, &cfg->limits, &res->cgroup, err);
    else if (ret == 0)
        ret = cgroup_plan(&layout, cfg->id, cfg->cgroup_parent, &cfg->limits, &res->cgroup, err);
#else
    ret = cgroup_plan(&layout, cfg->id, cfg->cgroup_parent, &cfg->limits, &res->cgroup, err);
#endif
    if (ret == 0)
        ret = state_record_cgroups(&res->state, &res->cgroup, err);
    planned = res->cgroup.n_dirs;
    if (ret == 0)
        ret = cgroup_create(&layout, &cfg->limits, &res->cgroup, err);
    /* A v2 dir may have been dropped: only then is the record rewritten
     * (replacing a file by rename makes ext4 write the old one out first). */
    if (ret == 0 && res->cgroup.n_dirs != planned)
        ret = state_record_cgroups(&res->state, &res->cgroup, err);
#if MB_STEP >= 10
    /* A scope of systemd's exists only with the process in it: its device
     * program goes in when the parent places the child, which waits. */
    if (ret == 0 && !res->cgroup.by_systemd)
#else
    if (ret == 0)
#endif
        ret = container_limit_devices(cfg, &res->cgroup, err);
#if MB_STEP >= 7
    if (ret == 0)
        ret = network_prepare(&cfg->net, cfg->id, res->state.dir, cfg->hostname, &res->net, err);
#endif
#if MB_STEP >= 8
    if (ret == 0 && cfg->image.config != NULL)
        ret = container_store_create(cfg, &res->state, err);
#endif
#if MB_STEP >= 10
    /* An OCI container's record is its state.json (oci_state.c). */
    if (ret == 0 && cfg->image.config == NULL && !cfg->spec.given)
        ret = container_record_write(cfg, &res->state, err);
#elif MB_STEP >= 9
    if (ret == 0 && cfg->image.config == NULL)
        ret = container_record_write(cfg, &res->state, err);
#endif
#if MB_STEP >= 9
    /* -d: the container's output goes to its log (minibox logs ID). */
    if (ret == 0 && cfg->detach)
        ret = state_log_redirect(&res->state, err);
#endif
    if (ret < 0) {
        mb_error ignored;
        cgroup_destroy(&res->cgroup, &ignored);
#if MB_STEP >= 8
        state_end(&res->state, false);
#else
        state_remove(&res->state);
#endif
    }
    return ret;
}

/* After the container: report an OOM kill, remove the cgroup and state. */
static int resources_release(const struct container_config *cfg, struct container_resources *res,
                             mb_error *err)
{
    long oom_kills = cgroup_oom_kills(&res->cgroup);
    int ret;

    if (oom_kills > 0) {
        char limit[32];

        limits_format_bytes(cfg->limits.memory_bytes, limit, sizeof(limit));
        fprintf(stderr,
                "minibox: container %.12s was OOM-killed: it reached its memory limit (%s)\n",
                cfg->id, cfg->limits.memory_bytes ? limit : "none set");
    }
#if MB_STEP >= 7
    network_release(&cfg->net, &res->net);
#endif
    ret = cgroup_destroy(&res->cgroup, err);
#if MB_STEP >= 8
    /* A run that failed to start leaves nothing, record and layer included;
     * one that ran keeps what its record says it keeps. */
    bool keep = !res->failed && container_record_kept(cfg);
#if MB_STEP >= 9
    if (keep) {
        mb_error ignored;

        /* What ps and inspect show once it has ended. */
        state_status_write(&res->state, res->exit_status, oom_kills > 0, &ignored);
    }
#endif
    state_end(&res->state, keep);
#else
    state_remove(&res->state);
#endif
    return ret;
}
#endif

#if MB_STEP >= 5
/* Enter the container's cgroup, then a cgroup namespace rooted there: the
 * container sees its own cgroup as "/" in /proc/self/cgroup and cannot name
 * the host's hierarchy. The order matters: the namespace's root is the
 * cgroup the process is in when it unshares. */
static int container_enter_cgroup(const struct container_config *cfg,
                                  const struct container_resources *res, mb_error *err)
{
    int ret;

#if MB_STEP >= 6
    if (!res->joined_by_parent) {
#endif
        ret = cgroup_join_self(&res->cgroup, res->in_cgroup, err);
        if (ret < 0)
            return ret;
#if MB_STEP >= 6
    }
#endif
#if MB_STEP >= 10
    if (cfg->spec.given && !(cfg->spec.namespaces & CLONE_NEWCGROUP))
        return 0; /* an OCI config without one keeps the host's view */
#else
    (void)cfg;
#endif
    if (unshare(CLONE_NEWCGROUP) < 0)
        return mb_fail(err, errno, "unshare(CLONE_NEWCGROUP)");
    return 0;
}
#endif

/* One container being run: what it was asked to be and what it holds. */
struct container {
    const struct container_config *cfg;
#if MB_STEP >= 5
    struct container_resources res;
#endif
#if MB_STEP >= 6
    int sync_rd, sync_wr; /* parent -> child: "your ids are mapped, go on" */
#endif
#if MB_STEP >= 10
    pid_t created; /* OCI create: the process, set up and waiting for start */
#endif
};

#if MB_STEP >= 6
/* Does the child have to wait for its parent before it sets itself up? */
static int container_needs_sync(const struct container *c)
{
    int sync = c->cfg->userns.mode != USERNS_HOST; /* uid_map, gid_map */

#if MB_STEP >= 7
    sync |= c->cfg->net.mode == NET_BRIDGE || c->cfg->net.mode == NET_SLIRP; /* eth0, tap0 */
#endif
#if MB_STEP >= 10
    sync |= c->res.cgroup.by_systemd; /* its scope is made with it in it */
#endif
#if MB_STEP >= 10
    sync |= json_object_size(c->cfg->spec.hooks) > 0; /* prestart, createRuntime */
#endif
    return sync;
}

/* Child: wait until the parent has prepared everything only it can (the id
 * maps, the network plumbing), then become root of the user namespace. */
static int container_wait_for_parent(const struct container *c, mb_error *err)
{
    char go;
    ssize_t n;

    if (!container_needs_sync(c))
        return 0;
    close(c->sync_wr);
    do
        n = read(c->sync_rd, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        _exit(MB_EXIT_FAILED); /* the parent failed and says why */
    close(c->sync_rd);
    if (c->cfg->userns.mode == USERNS_HOST)
        return 0;
    return userns_become_root(&c->cfg->userns, err);
}

/* Parent: map the child's ids, move it into its cgroup if its mapped ids
 * cannot do that themselves, plug in its network, then let it go on. */
static int container_release_child(struct container *c, pid_t pid, mb_error *err)
{
    int ret = 0;

    if (!container_needs_sync(c))
        return 0;
    close(take_fd(&c->sync_rd));
    if (c->cfg->userns.mode != USERNS_HOST)
        ret = userns_write_maps(pid, &c->cfg->userns, err);
#if MB_STEP >= 8
    if (ret == 0 && rootfs_overlay_by_parent(c->cfg))
        ret = rootfs_overlay_into(c->cfg, pid, err);
#endif
#if MB_STEP >= 10
    if (ret == 0 && c->res.cgroup.by_systemd) {
        ret = cgroup_place_by_systemd(&c->res.cgroup, pid, &c->cfg->limits, err);
        if (ret == 0)
            ret = container_limit_devices(c->cfg, &c->res.cgroup, err);
        c->res.in_cgroup = 1;
    }
#endif
    if (ret == 0 && c->res.joined_by_parent)
        ret = cgroup_add_process(&c->res.cgroup, pid, c->res.in_cgroup, err);
#if MB_STEP >= 7
    if (ret == 0)
        ret = network_attach(&c->cfg->net, c->cfg->id, pid, c->cfg->userns.mode != USERNS_HOST,
                             c->res.state.dir, &c->res.net, err);
#endif
#if MB_STEP >= 10
    /* An OCI config's runtime hooks (a CNI plugin setting the network up,
     * say): the namespaces exist, nothing is mounted yet; createContainer
     * comes after them, in the child. */
    if (ret == 0)
        ret = hooks_run_as(c->cfg->spec.hooks, "prestart", c->cfg->spec.state_json, pid, "creating",
                           err);
    if (ret == 0)
        ret = hooks_run_as(c->cfg->spec.hooks, "createRuntime", c->cfg->spec.state_json, pid,
                           "creating", err);
#endif
    if (ret == 0 && write(c->sync_wr, "1", 1) != 1)
        ret = mb_fail(err, errno, "release the container");
    close(take_fd(&c->sync_wr));
    return ret;
}
#endif

#if MB_STEP >= 10
/* The rest of an OCI container's setup: names only in its own UTS
 * namespace (never the host's), a mount namespace joined by path as it is
 * (runc sets no root up in one), its own session, its terminal. */
static int container_setup_spec(const struct container *c, mb_error *err)
{
    const struct container_config *cfg = c->cfg;
    const struct spec_config *spec = &cfg->spec;
    int ret;

    if (spec->namespaces & CLONE_NEWUTS) {
        if (cfg->hostname[0] != '\0' && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
            return mb_fail(err, errno, "sethostname %s", cfg->hostname);
        if (spec->domainname != NULL &&
            setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
            return mb_fail(err, errno, "setdomainname %s", spec->domainname);
    }
    ret = namespaces_join_paths(spec->join, spec->n_join, CLONE_NEWNS, NULL, err);
    if (ret < 0)
        return ret;
    if (spec->namespaces & CLONE_NEWNS) {
        ret = rootfs_enter_spec(cfg, &c->res.cgroup, err);
        if (ret < 0)
            return ret;
    }
    /* A session of its own: the terminal create ran in is not the
     * container's (and cannot be typed into: TIOCSTI). */
    if (setsid() < 0 && errno != EPERM)
        return mb_fail(err, errno, "setsid");
    if (cfg->process.terminal)
        return console_setup(spec->console_fd, err);
    return 0;
}
#endif

/* Everything the container's first process does before the command runs. */
static int container_setup(const struct container *c, mb_error *err)
{
    int ret;

#if MB_STEP >= 2
    /* If minibox dies (even by SIGKILL), the container dies with it instead
     * of running on unsupervised. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return mb_fail(err, errno, "prctl(PR_SET_PDEATHSIG)");
    /* A session of its own, and so no controlling terminal. In minibox's
     * session the container's processes would share the terminal of
     * whoever ran minibox, and ioctl(TIOCSTI) on it pushes bytes into its
     * input queue: a command typed into the caller's shell, run by the
     * caller when minibox exits (CVE-2017-5226 in bubblewrap, CVE-2016-10124
     * in lxc-attach; runc does this for every container). The kernel allows
     * TIOCSTI only on one's controlling terminal, unless one holds
     * CAP_SYS_ADMIN, which chapter 10 takes away. */
    if (setsid() < 0)
        return mb_fail(err, errno, "setsid");
#endif
#if MB_STEP >= 10
    /* Until its execve, this process runs minibox's own file in the
     * container's pid namespace: not dumpable, a process that `exec`
     * joins cannot open its /proc/1/exe (CVE-2019-5736, cmd_run.c). The
     * execve of minibox-exec makes the next image dumpable again. */
    if (c->cfg->exec_via_stub && prctl(PR_SET_DUMPABLE, 0) < 0)
        return mb_fail(err, errno, "prctl(PR_SET_DUMPABLE)");
#endif
#if MB_STEP >= 6
    ret = container_wait_for_parent(c, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 5
    ret = container_enter_cgroup(c->cfg, &c->res, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 9
    /* -t: the pty slave (our stdin) becomes the controlling terminal of the
     * new session, so ^C on it is SIGINT for the container's foreground. */
    if (c->cfg->tty && ioctl(0, TIOCSCTTY, 0) < 0)
        return mb_fail(err, errno, "make the pty the container's terminal");
#endif
#if MB_STEP >= 7
    ret = network_configure_inside(&c->cfg->net, &c->res.net, err);
    if (ret < 0)
        return ret;
#endif
#if MB_STEP >= 10
    if (c->cfg->spec.given)
        return container_setup_spec(c, err);
#endif
#if MB_STEP >= 3
        /* Its own name, in its own UTS namespace (chapter 3). */
#if MB_SOLUTION_03
    if (sethostname(c->cfg->hostname, strlen(c->cfg->hostname)) < 0)
        return mb_fail(err, errno, "sethostname %s", c->cfg->hostname);
#else
    /* TODO(03): give the container's UTS namespace its name, c->cfg->hostname, with
     * sethostname(2); on a failure, mb_fail naming the call. docs/03-uts.md#the-mechanism */
    return mb_todo(err, "03");
#endif
#endif
    ret = rootfs_enter(c->cfg, err);
    if (ret < 0)
        return ret;
    return 0;
}

#if MB_STEP >= 2
__attribute__((noreturn)) static void container_child(const struct container *c,
                                                      const sigset_t *saved_mask, int report_fd)
{
    mb_error err;

    if (container_setup(c, &err) < 0)
        child_fail(report_fd, &err);
    if (c->cfg->init)
        init_run(c->cfg, saved_mask, report_fd);
    command_exec(c->cfg, saved_mask, report_fd);
}
#else
__attribute__((noreturn)) static void container_child(const struct container *c)
{
    mb_error err;

    if (container_setup(c, &err) < 0)
        child_fail(&err);
    command_exec(c->cfg);
}
#endif

#if MB_STEP >= 2
/* Create the container's first process. */
static pid_t container_clone(struct container *c)
{
    unsigned long flags = container_clone_flags(c->cfg);
#if MB_STEP >= 5
    cleanup_fd int cgroup_fd = cgroup_open_v2_dir(&c->res.cgroup);

#if MB_STEP >= 6
    c->res.joined_by_parent = c->cfg->userns.mode != USERNS_HOST;
#endif
#if MB_STEP >= 10
    c->res.joined_by_parent |= c->res.cgroup.by_systemd;
#endif
    if (cgroup_fd >= 0) {
        pid_t pid = clone_into_cgroup(flags, cgroup_fd);
        if (pid >= 0)
            c->res.in_cgroup = 1;
        if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
            return pid;
    }
#endif
    return clone_process(flags);
}
#endif

#if MB_STEP >= 10
/* After the clone, this process goes back to its own namespaces (the child
 * keeps those joined by path): the hooks and id-map helpers it starts from
 * now on run in the runtime's namespaces, as the spec wants prestart and
 * createRuntime hooks, and newuidmap reads the child's pid in the pid
 * namespace it was taken in. (An ASan build's leak check at exit clones a
 * helper too; in the pod's pid namespace it could not see us.) errno is
 * kept for a failed clone's report. */
static int container_return_home(struct namespaces_saved *own, pid_t pid, mb_error *err)
{
    int saved_errno = errno, ret = 0;

    if (pid == 0)
        namespaces_saved_close(own);
    else
        ret = namespaces_return(own, err);
    errno = saved_errno;
    return ret;
}
#endif

#if MB_STEP >= 2
/* Start the container and wait for it, passing signals on. */
static int container_start_and_wait(struct container *c, int *status, mb_error *err)
{
    cleanup_fd int report_rd = -1;
    cleanup_fd int report_wr = -1;
    sigset_t saved_mask;
    int ret, wstatus;
    pid_t pid;
#if MB_STEP >= 10
    struct namespaces_saved own = {0};
#endif

    ret = report_pipe_open(&report_rd, &report_wr, &saved_mask, err);
    if (ret < 0)
        return ret;

#if MB_STEP >= 6
    c->sync_rd = c->sync_wr = -1;
    if (container_needs_sync(c)) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) < 0) {
            sigprocmask(SIG_SETMASK, &saved_mask, NULL);
            return mb_fail(err, errno, "pipe2");
        }
        c->sync_rd = fds[0];
        c->sync_wr = fds[1];
    }
#endif
#if MB_STEP >= 10
    /* Namespaces an OCI config names by path (a pod's): joined just before
     * the clone, so the child starts in them (a pid namespace only takes
     * children), and left right after it; the mount namespace is the
     * child's to join. */
    if (c->cfg->spec.given) {
        ret = namespaces_join_paths(
            c->cfg->spec.join, c->cfg->spec.n_join,
            CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP, &own, err);
        if (ret < 0) {
            mb_error ignored; /* the join's error is the one to report */

            (void)namespaces_return(&own, &ignored);
            cleanup_fdp(&c->sync_rd);
            cleanup_fdp(&c->sync_wr);
            sigprocmask(SIG_SETMASK, &saved_mask, NULL);
            return ret;
        }
    }
#endif
    pid = container_clone(c);
#if MB_STEP >= 10
    if (container_return_home(&own, pid, err) < 0) {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
        }
        cleanup_fdp(&c->sync_rd);
        cleanup_fdp(&c->sync_wr);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return -1;
    }
#endif
    if (pid < 0) {
        int saved_errno = errno;

        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
#if MB_STEP >= 6
        cleanup_fdp(&c->sync_rd);
        cleanup_fdp(&c->sync_wr);
        if (c->cfg->userns.mode != USERNS_HOST &&
            (saved_errno == EPERM || saved_errno == ENOSPC || saved_errno == EUSERS))
            return userns_clone_failed(saved_errno, err);
#endif
        return mb_fail(err, saved_errno, "clone");
    }
    if (pid == 0) {
        close(take_fd(&report_rd));
        container_child(c, &saved_mask, report_wr);
    }

    close(take_fd(&report_wr));
#if MB_STEP >= 9
    /* stop and kill find the container's PID 1 here: written before the
     * command can run, so whoever sees it running finds its pid too. */
    ret = state_pid_write(&c->res.state, pid, err);
    if (ret < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return ret;
    }
#endif
#if MB_STEP >= 6
    ret = container_release_child(c, pid, err);
    if (ret < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return ret;
    }
#endif
    ret = child_report_read(report_rd, err);
#if MB_STEP >= 10
    /* OCI create: the process is set up and waits for `start`; it is not
     * this process's to wait for (create's caller is its subreaper). */
    if (ret == 1) {
        c->created = pid;
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return 0;
    }
#endif
#if MB_STEP >= 9
    /* -d learns it started. */
    if (ret == 0 && c->cfg->started_fd >= 0)
        (void)!dprintf(c->cfg->started_fd, "%s\n", c->cfg->id);
#endif
    if (ret < 0) {
        /* The child exits right after reporting; collect it so that no
         * zombie and no half-made container is left. */
        waitpid(pid, &wstatus, 0);
    } else {
        ret = signals_forward_until_exit(pid, status, err);
    }
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    return ret;
}
#else
/* Start the container and wait for it. A child that fails has printed why
 * and exits 125, 126 or 127; minibox ends with that status, as with the
 * command's own. */
static int container_start_and_wait(struct container *c, int *status, mb_error *err)
{
    int wstatus;
    pid_t pid = fork(); /* chapter 2 makes it a clone(2) with namespaces */

    if (pid < 0)
        return mb_fail(err, errno, "fork");
    if (pid == 0)
        container_child(c);
    while (waitpid(pid, &wstatus, 0) < 0)
        if (errno != EINTR)
            return mb_fail(err, errno, "waitpid");
#if MB_SOLUTION_01
    /* Killed by signal N: 128+N, as a shell reports it (chapter 2 moves
     * this into signals.c, next to the forwarding). */
    *status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
    return 0;
#else
    /* TODO(01): turn the wait status into minibox's exit status in *status: the command's own
     * exit code, or 128+N when signal N killed it, as a shell reports it (WIFSIGNALED,
     * WTERMSIG, WEXITSTATUS in waitpid(2)). docs/01-chroot.md#the-mechanism */
    (void)wstatus;
    (void)status;
    return mb_todo(err, "01");
#endif
}
#endif

int container_run(const struct container_config *cfg, int *status, mb_error *err)
{
    struct container c = {.cfg = cfg};
    int ret;

#if MB_STEP >= 5
    mb_error release_err;

    ret = resources_create(cfg, &c.res, err);
    if (ret < 0)
        return ret;
    ret = container_start_and_wait(&c, status, err);
#if MB_STEP >= 8
    c.res.failed = ret < 0;
#endif
#if MB_STEP >= 9
    c.res.exit_status = ret < 0 ? err->status : *status;
#endif
    /* Cleanup runs whether the container ran or failed to start. */
    if (resources_release(cfg, &c.res, &release_err) < 0 && ret == 0) {
        *err = release_err;
        ret = -1;
    }
#else
    ret = container_start_and_wait(&c, status, err);
#endif
    return ret;
}

#if MB_STEP >= 10
/* The exec fifo in the container's dir: its process opens it for writing,
 * which blocks until `start` opens it for reading (runc's way). 0622: the
 * container's user, maybe not root, opens it through create's fd. */
static int make_exec_fifo(const struct container_state *state, int *fd, mb_error *err)
{
    if (mkfifoat(state->fd, "exec.fifo", 0622) < 0 ||
        fchmodat(state->fd, "exec.fifo", 0622, AT_SYMLINK_NOFOLLOW) < 0)
        return mb_fail(err, errno, "mkfifo %s/exec.fifo", state->dir);
    *fd = openat(state->fd, "exec.fifo", O_PATH | O_CLOEXEC);
    if (*fd < 0)
        return mb_fail(err, errno, "open %s/exec.fifo", state->dir);
    return 0;
}

int container_create(struct container_config *cfg, struct container_created *out, mb_error *err)
{
    struct container c = {.cfg = cfg};
    mb_error ignored;
    int ret, status;

    ret = resources_create(cfg, &c.res, err);
    if (ret < 0)
        return ret;
    ret = make_exec_fifo(&c.res.state, &cfg->spec.fifo_fd, err);
    if (ret == 0)
        ret = container_start_and_wait(&c, &status, err);
    cleanup_fdp(&cfg->spec.fifo_fd);
    cfg->spec.fifo_fd = -1;
    if (ret == 0 && c.created <= 0)
        ret = mb_fail(err, 0, "the container's process ended before it was ready");
    if (ret < 0) {
        c.res.failed = 1;
        resources_release(cfg, &c.res, &ignored);
        return ret;
    }
    /* From now on the container lives as long as its process, not as long
     * as this minibox: with no lock file, gc leaves its dir to `delete`. */
    unlinkat(c.res.state.fd, "lock", 0);
    cleanup_fdp(&c.res.state.lock_fd);
    c.res.state.lock_fd = -1;
    out->pid = c.created;
    out->state = c.res.state;
    out->cgroup = c.res.cgroup;
    return 0;
}
#endif

#if MB_STEP >= 10
/* The joiner: a process of its own, so that the caller never enters the
 * container (it writes the pid file on the host, and waits). From its first
 * setns until the command's execve, a process of the container is root with
 * the host's capabilities, and the container's root may look at it through
 * /proc/PID (fd/N, cwd, root) or ptrace it (CVE-2016-9962, runc exec). So,
 * before joining: not dumpable (the kernel then lets only holders of
 * CAP_SYS_PTRACE in the host's user namespace into /proc/PID/fd, and
 * refuses them ptrace otherwise; execve makes the command dumpable again),
 * and every fd closed, not only marked close-on-exec, but its stdio, the
 * pipes and what the command is to get (a host directory one /proc/PID/fd/N
 * away is a way out: CVE-2024-21626). Then the cgroups (host paths: first),
 * the namespaces, and the command's process, made a child of the caller
 * (CLONE_PARENT), in the container's pid namespace. */
__attribute__((noreturn)) static void exec_join(const struct container_config *cfg,
                                                const struct exec_request *req,
                                                const sigset_t *saved_mask, int report_fd,
                                                int pid_fd)
{
    int keep[] = {report_fd, pid_fd, req->console_fd};
    mb_error err;
    pid_t pid;

    /* 3 .. 3+N-1 are the caller's --preserve-fds, for the command. */
    if (prctl(PR_SET_DUMPABLE, 0) < 0 ||
        hardening_close_fds(3 + cfg->process.preserve_fds, keep, 3, &err) < 0) {
        mb_fail(&err, errno, "prepare to join the container");
        child_fail(report_fd, &err);
    }
    if (cgroup_join_self(req->cgroup, 0, &err) < 0 || namespaces_join(req->target, &err) < 0)
        child_fail(report_fd, &err);
    /* Root joining a container with a user namespace of its own (root's
     * --userns=auto, a daemon member's, an OCI config's) is now an id that
     * namespace does not map, yet still the host's uid 0 to the kernel: the
     * owner of the host's files. Become the namespace's root before
     * anything is done inside (a -w directory is made next), as runc's
     * nsexec does. */
    if (geteuid() != 0 &&
        (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
        mb_fail(&err, errno, "become root of the container's user namespace");
        child_fail(report_fd, &err);
    }
    pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0) {
        mb_fail(&err, errno, "clone");
        child_fail(report_fd, &err);
    }
    if (pid == 0) {
        close(pid_fd);
        /* An attached command ends with the caller, as a run's does; a
         * detached one lives on (with the caller's stdio, or for exec -d
         * none). Either way in a session of its own: the caller's terminal
         * is not its own to type into (TIOCSTI). */
        if ((!req->detach && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) ||
            (setsid() < 0 && errno != EPERM)) {
            mb_fail(&err, errno, "exec: prctl/setsid");
            child_fail(report_fd, &err);
        }
        if (req->null_stdio) {
            int null = open("/dev/null", O_RDWR | O_CLOEXEC);

            if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) {
                mb_fail(&err, errno, "detach the command");
                child_fail(report_fd, &err);
            }
        }
        if (req->console_fd >= 0 && console_setup(req->console_fd, &err) < 0)
            child_fail(report_fd, &err);
        command_exec(cfg, saved_mask, report_fd);
    }
    (void)!write(pid_fd, &pid, sizeof(pid));
    _exit(0);
}

int container_exec(const struct container_config *cfg, const struct exec_request *req, int *status,
                   mb_error *err)
{
    cleanup_fd int report_rd = -1, report_wr = -1, pid_rd = -1, pid_wr = -1;
    sigset_t saved_mask;
    pid_t joiner, pid = -1;
    int fds[2], ret;

    ret = report_pipe_open(&report_rd, &report_wr, &saved_mask, err);
    if (ret < 0)
        return ret;
    if (pipe2(fds, O_CLOEXEC) < 0) {
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return mb_fail(err, errno, "pipe2");
    }
    pid_rd = fds[0];
    pid_wr = fds[1];
    joiner = fork();
    if (joiner == 0) {
        close(take_fd(&report_rd));
        close(take_fd(&pid_rd));
        exec_join(cfg, req, &saved_mask, report_wr, pid_wr);
    }
    close(take_fd(&report_wr));
    close(take_fd(&pid_wr));
    if (joiner < 0)
        ret = mb_fail(err, errno, "fork");
    else {
        waitpid(joiner, NULL, 0);
        if (read(pid_rd, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
            pid = -1;
        ret = child_report_read(report_rd, err);
        if (ret == 0 && pid < 0)
            ret = mb_fail(err, 0, "exec: the command's process was not made");
    }
    if (ret == 0 && req->pid_file != NULL)
        ret = write_pid_file(req->pid_file, pid, err);
    if (ret < 0 && pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    } else if (ret == 0 && !req->detach)
        ret = signals_forward_until_exit(pid, status, err);
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    return ret;
}
#endif
