/* oci_process.c - see oci_process.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "hardening.h"
#include "oci_process.h"
#include "oci_spec.h"
#include "util.h"

static int apply_rlimits(json_t *rlimits, mb_error *err)
{
    json_t *rlimit;
    size_t i;

    json_array_foreach(rlimits, i, rlimit)
    {
        struct rlimit value = {
            .rlim_cur = (rlim_t)json_integer_value(json_object_get(rlimit, "soft")),
            .rlim_max = (rlim_t)json_integer_value(json_object_get(rlimit, "hard")),
        };
        const char *type = json_string_value(json_object_get(rlimit, "type"));
        int resource, ret;

        ret = oci_rlimit_resource(type, &resource, err);
        if (ret < 0)
            return ret;
        if (setrlimit(resource, &value) < 0)
            return mb_fail(err, errno, "setrlimit %s", type);
    }
    return 0;
}

static int apply_oom_score_adj(json_t *value, mb_error *err)
{
    char text[24];

    if (!json_is_integer(value))
        return 0;
    snprintf(text, sizeof(text), "%d", (int)json_integer_value(value));
    return write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", text, err);
}

static int apply_user(json_t *user, mb_error *err)
{
    uid_t uid = (uid_t)json_integer_value(json_object_get(user, "uid"));
    gid_t gid = (gid_t)json_integer_value(json_object_get(user, "gid"));
    json_t *extra = json_object_get(user, "additionalGids"), *value;
    gid_t groups[64];
    size_t n = 0, i;

    json_array_foreach(extra, i, value)
    {
        if (n < sizeof(groups) / sizeof(groups[0]))
            groups[n++] = (gid_t)json_integer_value(value);
    }
    /* Groups first: after setuid away from root, setgroups is refused. */
    if (setgroups(n, groups) < 0)
        return mb_fail(err, errno, "setgroups");
    if (setgid(gid) < 0)
        return mb_fail(err, errno, "setgid %u", (unsigned)gid);
    if (setuid(uid) < 0)
        return mb_fail(err, errno, "setuid %u", (unsigned)uid);
    if (json_is_integer(json_object_get(user, "umask")))
        umask((mode_t)json_integer_value(json_object_get(user, "umask")) & 0777);
    return 0;
}

int oci_process_prepare(json_t *process, int preserve_fds, const struct seccomp_program *prog,
                        mb_error *err)
{
    const char *cwd = json_string_value(json_object_get(process, "cwd"));
    struct caps_sets sets;
    int ret;

    /* Without no_new_privs only CAP_SYS_ADMIN may install a filter: do it
     * now, while we have it (as runc does). The filter must then allow what
     * follows: Docker's and Podman's profiles do. */
    if (!json_is_true(json_object_get(process, "noNewPrivileges"))) {
        ret = seccomp_program_install(prog, err);
        if (ret < 0)
            return ret;
    }
    ret = apply_rlimits(json_object_get(process, "rlimits"), err);
    if (ret < 0)
        return ret;
    ret = apply_oom_score_adj(json_object_get(process, "oomScoreAdj"), err);
    if (ret < 0)
        return ret;
    ret = oci_caps_sets(json_object_get(process, "capabilities"), &sets, err);
    if (ret < 0)
        return ret;
    ret = caps_drop_bounding(&sets, err);
    if (ret < 0)
        return ret;
    ret = apply_user(json_object_get(process, "user"), err);
    if (ret < 0)
        return ret;
    ret = caps_apply(&sets, err);
    if (ret < 0)
        return ret;
    ret = hardening_chdir_inside(cwd ? cwd : "/", false, err);
    if (ret < 0)
        return ret;
    if (json_is_true(json_object_get(process, "noNewPrivileges"))) {
        ret = hardening_no_new_privs(err);
        if (ret < 0)
            return ret;
    }
    return hardening_close_fds_on_exec(3 + preserve_fds, err);
}

static const char *env_path(json_t *env)
{
    json_t *value;
    size_t i;

    json_array_foreach(env, i, value)
    {
        if (strncmp(json_string_value(value), "PATH=", 5) == 0)
            return json_string_value(value) + 5;
    }
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int oci_process_find(json_t *process, char *path, size_t len, mb_error *err)
{
    const char *name = json_string_value(json_array_get(json_object_get(process, "args"), 0));
    const char *dirs = env_path(json_object_get(process, "env"));
    bool denied = false;

    if (strchr(name, '/') != NULL) {
        snprintf(path, len, "%s", name);
        if (access(path, X_OK) == 0)
            return 0;
        return mb_fail_status(err, errno == ENOENT ? MB_EXIT_NOT_FOUND : MB_EXIT_CANNOT_EXEC, errno,
                              "exec %s", name);
    }
    while (*dirs != '\0') {
        size_t n = strcspn(dirs, ":");
        struct stat st;

        snprintf(path, len, "%.*s/%s", (int)n, n ? dirs : ".", name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(path, X_OK) == 0)
                return 0;
            denied = true;
        }
        dirs += n + (dirs[n] == ':');
    }
    if (denied)
        return mb_fail_status(err, MB_EXIT_CANNOT_EXEC, EACCES, "exec %s", name);
    return mb_fail_status(err, MB_EXIT_NOT_FOUND, 0, "exec %s: not found in $PATH", name);
}

/* A JSON array of strings as a NULL-terminated vector (pointing into it). */
static char **string_vector(json_t *array)
{
    size_t n = json_array_size(array), i;
    char **vec = calloc(n + 1, sizeof(*vec));
    json_t *value;

    if (vec == NULL)
        return NULL;
    json_array_foreach(array, i, value)
    {
        vec[i] = (char *)json_string_value(value);
    }
    return vec;
}

int oci_process_exec(json_t *process, const char *path, const struct seccomp_program *prog,
                     mb_error *err)
{
    cleanup_free char **argv = string_vector(json_object_get(process, "args"));
    cleanup_free char **envp = string_vector(json_object_get(process, "env"));
    int ret;

    if (argv == NULL || envp == NULL)
        return mb_fail(err, ENOMEM, "exec");
    if (json_is_true(json_object_get(process, "noNewPrivileges"))) {
        ret = seccomp_program_install(prog, err);
        if (ret < 0)
            return ret;
    }
    execve(path, argv, envp);
    return mb_fail_status(err, errno == ENOENT ? MB_EXIT_NOT_FOUND : MB_EXIT_CANNOT_EXEC, errno,
                          "exec %s", path);
}

int oci_console_connect(const char *path, mb_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return mb_fail(err, ENAMETOOLONG, "console socket %s", path);
    memcpy(addr.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return mb_fail(err, errno, "socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        return mb_fail(err, saved, "connect to console socket %s", path);
    }
    return fd;
}

static int send_fd(int socket_fd, int fd, const char *name, mb_error *err)
{
    char control[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control,
        .msg_controllen = sizeof(control),
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    if (sendmsg(socket_fd, &msg, MSG_NOSIGNAL) < 0)
        return mb_fail(err, errno, "send the terminal to the console socket");
    return 0;
}

int oci_console_setup(int socket_fd, mb_error *err)
{
    cleanup_fd int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    cleanup_fd int slave = -1;
    char name[64];

    if (master < 0)
        return mb_fail(err, errno, "open /dev/ptmx (is devpts mounted on /dev/pts?)");
    if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
        return mb_fail(err, errno, "unlock the pseudo-terminal");
    slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return mb_fail(err, errno, "open %s", name);
    /* A session of its own, with the terminal as its controlling one:
     * ^C typed into the terminal reaches the container's foreground. */
    if (setsid() < 0 && errno != EPERM)
        return mb_fail(err, errno, "setsid");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return mb_fail(err, errno, "make %s the controlling terminal", name);
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
        return mb_fail(err, errno, "dup2 %s", name);
    return send_fd(socket_fd, master, name, err);
}
