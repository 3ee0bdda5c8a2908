/* console.c - see console.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "util.h"

int console_connect(const char *path, mb_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    cleanup_fd int fd = -1;

    if (path_format(addr.sun_path, sizeof(addr.sun_path), err, "%s", path) < 0)
        return mb_fail(err, ENAMETOOLONG, "console socket %s", path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return mb_fail(err, errno, "socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return mb_fail(err, errno, "connect to console socket %s", path);
    return take_fd(&fd);
}

/* The master, with the pty's name as the message (what runc sends). */
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

int console_setup(int socket_fd, mb_error *err)
{
    cleanup_fd int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    cleanup_fd int slave = -1;
    char name[64];
    int ret;

    if (master < 0)
        return mb_fail(err, errno, "open /dev/ptmx (is devpts mounted on /dev/pts?)");
    if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
        return mb_fail(err, errno, "unlock the pseudo-terminal");
    slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return mb_fail(err, errno, "open %s", name);
    /* A session of its own, with the terminal as its controlling one: ^C
     * typed into the terminal reaches the container's foreground. */
    if (setsid() < 0 && errno != EPERM)
        return mb_fail(err, errno, "setsid");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return mb_fail(err, errno, "make %s the controlling terminal", name);
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
        return mb_fail(err, errno, "dup2 %s", name);
    ret = send_fd(socket_fd, master, name, err);
    close(socket_fd);
    return ret;
}
