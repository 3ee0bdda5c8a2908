/* policy.c - see policy.h. */

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mounts.h"
#include "policy.h"
#include "state.h"
#include "util.h"

static const struct mb_caller *served;

void policy_serve(const struct mb_caller *caller)
{
    served = caller;
}

const struct mb_caller *policy_caller(void)
{
    return served;
}

bool policy_restricted(void)
{
    return served != NULL && served->restricted;
}

uid_t policy_owner(void)
{
    return served != NULL ? served->uid : geteuid();
}

bool policy_may_see(json_t *record)
{
    json_t *owner = json_object_get(record, "owner");

    if (!policy_restricted())
        return true;
    /* A record without an owner was made before owners were kept, by
     * root: it is root's. */
    return json_is_integer(owner) && json_integer_value(owner) == (json_int_t)served->uid;
}

/* One line for every refusal: what, who, and the way that remains. */
static int refuse(mb_error *err, const char *what)
{
    return mb_fail(err, 0,
                   "%s: refused for uid %u: through the daemon a member who is not root gets "
                   "what that user could do without it (root may)",
                   what, (unsigned)served->uid);
}

int policy_check_request(const char *verb, int argc, char **argv, mb_error *err)
{
    if (!policy_restricted())
        return 0;
    /* Images are shared by everyone the daemon serves. Removing one, or
     * giving a name another image (image_save), would change what the
     * others run. */
    if (strcmp(verb, "rmi") == 0)
        return refuse(err, "rmi (images are shared by every user of the daemon)");
    /* The client opens the archive and sends it as stdin ("-"): the
     * daemon never opens a path a member names. */
    if (strcmp(verb, "image") == 0 && argc >= 3 && strcmp(argv[1], "import") == 0 &&
        strcmp(argv[2], "-") != 0)
        return refuse(err, "image import of a path the daemon would open (the client sends it)");
    return 0;
}

static bool has_dotdot(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return true;
    return false;
}

/* The lowest port a normal user may bind (net.ipv4.ip_unprivileged_port_start). */
static int unprivileged_port_start(void)
{
    cleanup_free char *text = NULL;
    mb_error ignored;

    if (read_file_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_unprivileged_port_start", &text, NULL,
                     &ignored) < 0)
        return 1024;
    return atoi(text);
}

static int check_network(const struct net_config *net, mb_error *err)
{
    int lowest = unprivileged_port_start();
    char what[64];

    if (net->mode == NET_HOST)
        return refuse(err, "--net host (the host's network namespace)");
    for (int i = 0; i < net->n_ports; i++)
        if (net->ports[i].host_port < lowest) {
            snprintf(what, sizeof(what), "-p %d (a host port below %d)", net->ports[i].host_port,
                     lowest);
            return refuse(err, what);
        }
    return 0;
}

/* The daemon's limits: a missing one becomes the limit, a larger one is
 * refused. */
static int check_limits(struct limits *limits, mb_error *err)
{
    const struct policy_limits *max = &served->limits;
    char have[32], want[32];

    if (max->max_memory > 0 && limits->memory_bytes == 0)
        limits->memory_bytes = max->max_memory;
    if (max->max_memory > 0 && limits->memory_bytes > max->max_memory) {
        limits_format_bytes(limits->memory_bytes, want, sizeof(want));
        limits_format_bytes(max->max_memory, have, sizeof(have));
        return mb_fail(err, 0,
                       "--memory %s is over this daemon's limit for a member (%s, its "
                       "--max-memory)",
                       want, have);
    }
    if (max->max_pids > 0 && limits->pids_max == 0)
        limits->pids_max = max->max_pids;
    if (max->max_pids > 0 && limits->pids_max > max->max_pids)
        return mb_fail(err, 0,
                       "--pids-limit %ld is over this daemon's limit for a member (%ld, its "
                       "--max-pids)",
                       limits->pids_max, max->max_pids);
    return 0;
}

/* A path the caller typed, made absolute from the client's working
 * directory (the handler's own is "/"), with no "..". */
static int caller_path(const char *what, const char *path, char **out, mb_error *err)
{
    char joined[8192];

    if ((size_t)snprintf(joined, sizeof(joined), "%s%s%s", path[0] == '/' ? "" : served->cwd,
                         path[0] == '/' ? "" : "/", path) >= sizeof(joined))
        return mb_fail(err, ENAMETOOLONG, "%s %s", what, path);
    if (has_dotdot(joined))
        return mb_fail(err, 0, "%s %s: '..' is refused in a member's paths (give it without)", what,
                       path);
    *out = strdup(joined);
    return *out ? 0 : mb_fail(err, ENOMEM, "%s", what);
}

int policy_check_run(struct run_args *args, mb_error *err)
{
    struct container_config *cfg = &args->cfg;
    int ret;

    if (!policy_restricted())
        return 0;
    if (args->userns_given)
        return refuse(err, "--userns (a member's containers use the member's own ids)");
    if (cfg->cgroup_parent != NULL)
        return refuse(err, "--cgroup-parent");
    ret = check_network(&cfg->net, err);
    if (ret == 0)
        ret = check_limits(&cfg->limits, err);
    for (size_t i = 0; ret == 0 && i < cfg->n_volumes; i++) {
        struct volume *vol = &cfg->volumes[i];
        char *path = NULL;

        ret = caller_path("volume source", vol->source, &path, err);
        if (ret == 0) {
            free(vol->source);
            vol->source = path;
            vol->as_caller = true;
        }
    }
    if (ret == 0 && args->rootfs != NULL) {
        ret = caller_path("rootfs", args->rootfs, &cfg->rootfs, err);
        if (ret == 0 && strcmp(cfg->rootfs, "/") == 0)
            ret = mb_fail(err, 0, "rootfs /: the host's root cannot be a container's root");
        cfg->rootfs_as_caller = ret == 0;
    }
    return ret;
}

int policy_open_tree(const char *what, const char *path, bool want_dir, int *at, mb_error *err)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    cleanup_fd int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
    struct stat st;
    int tree;

    /* This runs in the container before pivot_root, as its root: the
     * caller's own uid, without the host's capabilities. The kernel checks
     * every directory on the way against the caller; a symlink could point
     * anywhere the caller can name, so none is followed. */
    if (fd < 0 && errno == ELOOP)
        return mb_fail(err, 0,
                       "%s %s: a symbolic link on the way: a member's paths are opened "
                       "without following any (give the path it points to)",
                       what, path);
    if (fd < 0)
        return mb_fail(err, errno, "%s %s (opened as uid %u)", what, path, (unsigned)served->uid);
    if (fstat(fd, &st) < 0)
        return mb_fail(err, errno, "%s %s", what, path);
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return mb_fail(err, 0, "%s %s: neither a directory nor a file (devices are root's)", what,
                       path);
    if (want_dir && !S_ISDIR(st.st_mode))
        return mb_fail(err, ENOTDIR, "%s %s", what, path);
    /* The last component too: what the caller may not read (/etc/shadow,
     * another user's home) is not the caller's to mount. */
    if (faccessat(fd, "", S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
        return mb_fail(err, errno, "%s %s (opened as uid %u)", what, path, (unsigned)served->uid);
    /* A copy of the mounts there, detached: attached with move_mount, it
     * is exactly what was checked, whatever the path names by then. */
    tree = (int)syscall(SYS_open_tree, fd, "",
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
    if (tree < 0)
        return mb_fail(err, errno, "%s %s: open_tree", what, path);
    if (at != NULL)
        *at = take_fd(&fd);
    return tree;
}

/* Count uid's running containers (state_each). */
struct running {
    uid_t uid;
    int n;
};

static int count_running(struct container_state *state, void *data)
{
    struct running *r = data;
    json_t *rec;

    if (!state_running(state))
        return 0;
    rec = state_record(state);
    r->n += json_integer_value(json_object_get(rec, "owner")) == (json_int_t)r->uid;
    json_decref(rec);
    return 0;
}

int policy_admit(const char *root, int *lock_fd, mb_error *err)
{
    cleanup_fd int fd = -1;
    int max, running;

    *lock_fd = -1;
    if (!policy_restricted() || served->limits.max_running <= 0)
        return 0;
    max = served->limits.max_running;
    /* Count and create under one lock, or two runs could both see room. */
    fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX) < 0)
        return mb_fail(err, errno, "lock %s", root);
    {
        struct running r = {served->uid, 0};

        state_each(root, count_running, &r);
        running = r.n;
    }
    if (running >= max)
        return mb_fail(err, 0,
                       "uid %u already runs %d container%s, this daemon's limit for a member "
                       "(its --max-containers): stop one first",
                       (unsigned)served->uid, running, running == 1 ? "" : "s");
    *lock_fd = take_fd(&fd);
    return 0;
}

