/*
 * container.c - create the container process and wait for it.
 */
/*
 * The parent (this process, outside) and the child (the container's first
 * process) talk over one pipe, the report pipe. It is close-on-exec, so:
 *   - the child execs the command: the pipe closes, the parent reads EOF;
 *   - the child fails during setup: it writes an mb_error and exits, the
 *     parent reads it and prints it as minibox's own one-line error.
 * Meanwhile the parent passes the signals it gets on to the container.
 */

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "command.h"
#include "ids.h"
#include "container.h"
#include "rootfs.h"
#include "init.h"
#include "signals.h"
#include "util.h"
#include <linux/sched.h>
#include <stdio.h>

#include "cgroup.h"
#include "cgroup_devices.h"
#include "state.h"
#include "container_store.h"
#include <sys/ioctl.h>

#include "policy.h"

/* The namespaces a container gets; each chapter adds one. */
static unsigned long container_clone_flags(const struct container_config *cfg)
{
    unsigned long flags = 0;

    /* The user namespace is made first (the kernel does so within one
     * clone), so it owns every other namespace created with it. */
    if (cfg->userns.mode != USERNS_HOST)
        flags |= CLONE_NEWUSER;
    flags |= CLONE_NEWPID; /* the command is PID 1 of its own process tree */
    flags |= CLONE_NEWUTS; /* its own hostname */
    flags |= CLONE_NEWNS;  /* its own mount table: /proc, /dev, pivot_root */
    flags |= CLONE_NEWIPC; /* its own SysV IPC and POSIX message queues */
    if (cfg->net.mode != NET_HOST)
        flags |= CLONE_NEWNET; /* its own interfaces, routes and ports */
    return flags;
}

/* clone(2) used like fork(2): no new stack, the child returns here with 0.
 * glibc's clone() wrapper wants a stack and a function; the raw system call
 * keeps the child's code in line with the parent's, as crun does. */
static pid_t clone_process(unsigned long flags)
{
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

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
    struct net_state net;
    int joined_by_parent; /* in a user namespace the parent moves the child */
    int failed; /* minibox failed: nothing of the container may stay */
    int exit_status; /* for the record ps reads */
};

/* The device allowlist (cgroup_devices.h), in force before the container's
 * first process joins the cgroup. */
static int container_limit_devices(const struct container_config *cfg,
                                   const struct container_cgroup *cg, mb_error *err)
{
    /* A normal user's container holds no capability on the host: the kernel
     * refuses it mknod, and it opens the host's nodes with the user's own
     * rights. There is nothing for the allowlist to take away, and no
     * cgroup the user could write it into. */
    if (geteuid() != 0)
        return 0;
    (void)cfg;
    return cgroup_devices_apply(cg, device_rules_default, device_rules_default_count, err);
}

/* The cgroup and the state that lets a later minibox clean up after this
 * one if it is killed. Dead containers' leftovers go first. */
static int resources_create(const struct container_config *cfg, struct container_resources *res,
                            mb_error *err)
{
    struct cgroup_layout layout;
    int ret, planned;
    /* A member's running containers are counted and this one's record
     * written under one lock (policy.h). */
    cleanup_fd int admitted = -1;

    memset(res, 0, sizeof(*res));
    res->state.fd = res->state.lock_fd = -1;
    if (state_gc(cfg->state_root, err) < 0)
        return -1;
    if (policy_admit(cfg->state_root, &admitted, err) < 0)
        return -1;
    ret = cgroup_layout_detect(&layout, err);
    if (ret < 0)
        return ret;
    ret = state_create(cfg->state_root, cfg->id, &res->state, err);
    if (ret < 0)
        return ret;
    ret = cgroup_plan(&layout, cfg->id, cfg->cgroup_parent, &cfg->limits, &res->cgroup, err);
    if (ret == 0)
        ret = state_record_cgroups(&res->state, &res->cgroup, err);
    planned = res->cgroup.n_dirs;
    if (ret == 0)
        ret = cgroup_create(&layout, &cfg->limits, &res->cgroup, err);
    /* A v2 dir may have been dropped: only then is the record rewritten
     * (replacing a file by rename makes ext4 write the old one out first). */
    if (ret == 0 && res->cgroup.n_dirs != planned)
        ret = state_record_cgroups(&res->state, &res->cgroup, err);
    if (ret == 0)
        ret = container_limit_devices(cfg, &res->cgroup, err);
    if (ret == 0)
        ret = network_prepare(&cfg->net, cfg->id, res->state.dir, cfg->hostname, &res->net, err);
    if (ret == 0 && cfg->image.config != NULL)
        ret = container_store_create(cfg, &res->state, err);
    if (ret == 0 && cfg->image.config == NULL)
        ret = container_record_write(cfg, &res->state, err);
    /* -d: the container's output goes to its log (minibox logs ID). */
    if (ret == 0 && cfg->detach)
        ret = state_log_redirect(&res->state, err);
    if (ret < 0) {
        mb_error ignored;
        cgroup_destroy(&res->cgroup, &ignored);
        state_end(&res->state, false);
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
    network_release(&cfg->net, &res->net);
    ret = cgroup_destroy(&res->cgroup, err);
    /* A run that failed to start leaves nothing, record and layer included;
     * one that ran keeps what its record says it keeps. */
    bool keep = !res->failed && container_record_kept(cfg);
    if (keep) {
        mb_error ignored;

        /* What ps and inspect show once it has ended. */
        state_status_write(&res->state, res->exit_status, oom_kills > 0, &ignored);
    }
    state_end(&res->state, keep);
    return ret;
}

/* Enter the container's cgroup, then a cgroup namespace rooted there: the
 * container sees its own cgroup as "/" in /proc/self/cgroup and cannot name
 * the host's hierarchy. The order matters: the namespace's root is the
 * cgroup the process is in when it unshares. */
static int container_enter_cgroup(const struct container_config *cfg,
                                  const struct container_resources *res, mb_error *err)
{
    int ret;

    if (!res->joined_by_parent) {
        ret = cgroup_join_self(&res->cgroup, res->in_cgroup, err);
        if (ret < 0)
            return ret;
    }
    (void)cfg;
    if (unshare(CLONE_NEWCGROUP) < 0)
        return mb_fail(err, errno, "unshare(CLONE_NEWCGROUP)");
    return 0;
}

/* One container being run: what it was asked to be and what it holds. */
struct container {
    const struct container_config *cfg;
    struct container_resources res;
    int sync_rd, sync_wr; /* parent -> child: "your ids are mapped, go on" */
};

/* Does the child have to wait for its parent before it sets itself up? */
static int container_needs_sync(const struct container *c)
{
    int sync = c->cfg->userns.mode != USERNS_HOST; /* uid_map, gid_map */

    sync |= c->cfg->net.mode == NET_BRIDGE || c->cfg->net.mode == NET_SLIRP; /* eth0, tap0 */
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
    if (ret == 0 && rootfs_overlay_by_parent(c->cfg))
        ret = rootfs_overlay_into(c->cfg, pid, err);
    if (ret == 0 && c->res.joined_by_parent)
        ret = cgroup_add_process(&c->res.cgroup, pid, c->res.in_cgroup, err);
    if (ret == 0)
        ret = network_attach(&c->cfg->net, c->cfg->id, pid, c->cfg->userns.mode != USERNS_HOST,
                             c->res.state.dir, &c->res.net, err);
    if (ret == 0 && write(c->sync_wr, "1", 1) != 1)
        ret = mb_fail(err, errno, "release the container");
    close(take_fd(&c->sync_wr));
    return ret;
}

/* Everything the container's first process does before the command runs. */
static int container_setup(const struct container *c, mb_error *err)
{
    int ret;

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
    ret = container_wait_for_parent(c, err);
    if (ret < 0)
        return ret;
    ret = container_enter_cgroup(c->cfg, &c->res, err);
    if (ret < 0)
        return ret;
    /* -t: the pty slave (our stdin) becomes the controlling terminal of the
     * new session, so ^C on it is SIGINT for the container's foreground. */
    if (c->cfg->tty && ioctl(0, TIOCSCTTY, 0) < 0)
        return mb_fail(err, errno, "make the pty the container's terminal");
    ret = network_configure_inside(&c->cfg->net, &c->res.net, err);
    if (ret < 0)
        return ret;
        /* Its own name, in its own UTS namespace (chapter 3). */
    if (sethostname(c->cfg->hostname, strlen(c->cfg->hostname)) < 0)
        return mb_fail(err, errno, "sethostname %s", c->cfg->hostname);
    ret = rootfs_enter(c->cfg, err);
    if (ret < 0)
        return ret;
    return 0;
}

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

/* Create the container's first process. */
static pid_t container_clone(struct container *c)
{
    unsigned long flags = container_clone_flags(c->cfg);
    cleanup_fd int cgroup_fd = cgroup_open_v2_dir(&c->res.cgroup);

    c->res.joined_by_parent = c->cfg->userns.mode != USERNS_HOST;
    if (cgroup_fd >= 0) {
        pid_t pid = clone_into_cgroup(flags, cgroup_fd);
        if (pid >= 0)
            c->res.in_cgroup = 1;
        if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
            return pid;
    }
    return clone_process(flags);
}

/* Start the container and wait for it, passing signals on. */
static int container_start_and_wait(struct container *c, int *status, mb_error *err)
{
    cleanup_fd int report_rd = -1;
    cleanup_fd int report_wr = -1;
    sigset_t saved_mask;
    int ret, wstatus;
    pid_t pid;

    ret = report_pipe_open(&report_rd, &report_wr, &saved_mask, err);
    if (ret < 0)
        return ret;

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
    pid = container_clone(c);
    if (pid < 0) {
        int saved_errno = errno;

        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        cleanup_fdp(&c->sync_rd);
        cleanup_fdp(&c->sync_wr);
        if (c->cfg->userns.mode != USERNS_HOST &&
            (saved_errno == EPERM || saved_errno == ENOSPC || saved_errno == EUSERS))
            return userns_clone_failed(saved_errno, err);
        return mb_fail(err, saved_errno, "clone");
    }
    if (pid == 0) {
        close(take_fd(&report_rd));
        container_child(c, &saved_mask, report_wr);
    }

    close(take_fd(&report_wr));
    /* stop and kill find the container's PID 1 here: written before the
     * command can run, so whoever sees it running finds its pid too. */
    ret = state_pid_write(&c->res.state, pid, err);
    if (ret < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return ret;
    }
    ret = container_release_child(c, pid, err);
    if (ret < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return ret;
    }
    ret = child_report_read(report_rd, err);
    /* -d learns it started. */
    if (ret == 0 && c->cfg->started_fd >= 0)
        (void)!dprintf(c->cfg->started_fd, "%s\n", c->cfg->id);
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

int container_run(const struct container_config *cfg, int *status, mb_error *err)
{
    struct container c = {.cfg = cfg};
    int ret;

    mb_error release_err;

    ret = resources_create(cfg, &c.res, err);
    if (ret < 0)
        return ret;
    ret = container_start_and_wait(&c, status, err);
    c.res.failed = ret < 0;
    c.res.exit_status = ret < 0 ? err->status : *status;
    /* Cleanup runs whether the container ran or failed to start. */
    if (resources_release(cfg, &c.res, &release_err) < 0 && ret == 0) {
        *err = release_err;
        ret = -1;
    }
    return ret;
}

