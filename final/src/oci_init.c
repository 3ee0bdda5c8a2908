/* oci_init.c - see oci_init.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oci_init.h"
#include "oci_process.h"
#include "oci_rootfs.h"
#include "oci_spec.h"
#include "util.h"

/* The namespaces config.json names by type: a mount namespace with a path
 * is joined here (create itself must stay in the host's to reach its
 * files); a new cgroup namespace is made here, after create moved us into
 * the container's cgroup, so that cgroup becomes its root. */
static int init_namespaces(json_t *namespaces, mb_error *err)
{
    json_t *ns;
    size_t i;

    json_array_foreach(namespaces, i, ns)
    {
        const char *type = json_string_value(json_object_get(ns, "type"));
        const char *path = json_string_value(json_object_get(ns, "path"));

        if (strcmp(type, "mount") == 0 && path != NULL) {
            cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0 || setns(fd, CLONE_NEWNS) < 0)
                return mb_fail(err, errno, "join mount namespace %s", path);
        }
        if (strcmp(type, "cgroup") == 0 && path == NULL && unshare(CLONE_NEWCGROUP) < 0)
            return mb_fail(err, errno, "unshare the cgroup namespace");
    }
    return 0;
}

static bool has_namespace(json_t *namespaces, const char *wanted)
{
    json_t *ns;
    size_t i;

    json_array_foreach(namespaces, i, ns)
    {
        if (strcmp(json_string_value(json_object_get(ns, "type")), wanted) == 0)
            return true;
    }
    return false;
}

static int init_names(json_t *config, mb_error *err)
{
    const char *hostname = json_string_value(json_object_get(config, "hostname"));
    const char *domain = json_string_value(json_object_get(config, "domainname"));
    json_t *namespaces = json_object_get(json_object_get(config, "linux"), "namespaces");

    if (!has_namespace(namespaces, "uts"))
        return 0; /* never rename the host */
    if (hostname != NULL && sethostname(hostname, strlen(hostname)) < 0)
        return mb_fail(err, errno, "sethostname %s", hostname);
    if (domain != NULL && setdomainname(domain, strlen(domain)) < 0)
        return mb_fail(err, errno, "setdomainname %s", domain);
    return 0;
}

static int init_setup(const struct oci_init_args *a, char *path, size_t len, mb_error *err)
{
    json_t *process = json_object_get(a->config, "process");
    int ret;

    ret = init_namespaces(json_object_get(json_object_get(a->config, "linux"), "namespaces"), err);
    if (ret < 0)
        return ret;
    /* Its own session: the terminal create ran in is not the container's. */
    setsid();
    ret = init_names(a->config, err);
    if (ret < 0)
        return ret;
    ret = oci_rootfs_setup(a->config, a->rootfs, a->bundle, a->cgroup, a->no_pivot, err);
    if (ret < 0)
        return ret;
    ret = oci_rootfs_finish(a->config, err);
    if (ret < 0)
        return ret;
    if (a->console_fd >= 0) {
        ret = oci_console_setup(a->console_fd, err);
        close(a->console_fd);
        if (ret < 0)
            return ret;
    }
    ret = oci_process_prepare(process, a->preserve_fds, a->seccomp, err);
    if (ret < 0)
        return ret;
    return oci_process_find(process, path, len, err);
}

/* Like runc's exec.fifo: opening a fifo for writing blocks until someone
 * opens it for reading, which only `start` does. The fifo is reached
 * through create's O_PATH fd: its host path is gone after pivot_root. */
static int wait_for_start(int fifo_fd, mb_error *err)
{
    char path[64];
    cleanup_fd int fd = -1;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fifo_fd);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return mb_fail(err, errno, "open the exec fifo (is /proc mounted?)");
    if (write(fd, "0", 1) != 1)
        return mb_fail(err, errno, "write the exec fifo");
    close(fifo_fd);
    return 0;
}

static int sync_send(int fd, char kind, const mb_error *err)
{
    struct oci_sync_msg msg = {.kind = kind};

    if (err != NULL)
        msg.err = *err;
    return send(fd, &msg, sizeof(msg), MSG_NOSIGNAL) == (ssize_t)sizeof(msg) ? 0 : -1;
}

void oci_init_run(const struct oci_init_args *a)
{
    struct oci_sync_msg go;
    char path[4096];
    mb_error err = {0};

    if (recv(a->sync_fd, &go, sizeof(go), 0) != (ssize_t)sizeof(go) || go.kind != 'G')
        _exit(MB_EXIT_FAILED); /* create died before letting us go */
    if (init_setup(a, path, sizeof(path), &err) < 0) {
        sync_send(a->sync_fd, 'E', &err);
        _exit(err.status);
    }
    sync_send(a->sync_fd, 'R', NULL);
    close(a->sync_fd);
    if (wait_for_start(a->fifo_fd, &err) == 0)
        oci_process_exec(json_object_get(a->config, "process"), path, a->seccomp, &err);
    mb_error_print(&err);
    _exit(err.status);
}
