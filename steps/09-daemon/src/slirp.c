/* slirp.c - see slirp.h. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slirp.h"
#include "util.h"

/* A unix socket path holds at most 108 bytes, and a state dir can be longer:
 * slirp4netns runs in the state dir and binds "slirp.sock" relative to it;
 * minibox connects through /proc/self/fd/N/slirp.sock. */
#define API_NAME "slirp.sock"

static int slirp_exec(pid_t pid, int in_userns, const char *api_path, int ready_wr, int exit_rd)
{
    char target[32], ready[32], exitfd[32], userns[64], api[4200];
    char *argv[16];
    int k = 0;

    snprintf(target, sizeof(target), "%d", (int)pid);
    snprintf(ready, sizeof(ready), "--ready-fd=%d", ready_wr);
    snprintf(exitfd, sizeof(exitfd), "--exit-fd=%d", exit_rd);
    snprintf(userns, sizeof(userns), "--userns-path=/proc/%d/ns/user", (int)pid);
    snprintf(api, sizeof(api), "--api-socket=%s", API_NAME);
    if (chdir(api_path) < 0)
        return -1;
    argv[k++] = "slirp4netns";
    argv[k++] = "--configure";
    argv[k++] = "--mtu=65520";
    argv[k++] = ready;
    argv[k++] = exitfd;
    argv[k++] = api;
    if (in_userns)
        argv[k++] = userns;
    argv[k++] = target;
    argv[k++] = "tap0";
    argv[k] = NULL;
    execvp(argv[0], argv);
    return -1;
}

/* One request on the API socket: add_hostfwd. */
static int slirp_publish(const char *api_path, const struct port_map *p, mb_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    cleanup_fd int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cleanup_fd int dir = open(api_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    char reply[1024] = "";
    json_t *req, *resp;
    char *text;
    ssize_t n;

    snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dir, API_NAME);
    if (fd < 0 || dir < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return mb_fail(err, errno, "slirp4netns API socket in %s", api_path);
    req = json_pack("{s:s, s:{s:s, s:s, s:i, s:i}}", "execute", "add_hostfwd", "arguments", "proto",
                    p->udp ? "udp" : "tcp", "host_addr", "0.0.0.0", "host_port", p->host_port,
                    "guest_port", p->container_port);
    text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (text == NULL || write_all(fd, text, strlen(text)) < 0) {
        free(text);
        return mb_fail(err, errno, "slirp4netns: publish port %d", p->host_port);
    }
    free(text);
    shutdown(fd, SHUT_WR);
    n = read(fd, reply, sizeof(reply) - 1);
    reply[n > 0 ? n : 0] = '\0';
    resp = json_loads(reply, 0, NULL);
    if (resp == NULL || json_object_get(resp, "error") != NULL) {
        json_decref(resp);
        return mb_fail(err, 0, "slirp4netns could not publish port %d/%s: %s", p->host_port,
                       p->udp ? "udp" : "tcp", reply);
    }
    json_decref(resp);
    return 0;
}

int slirp_start(pid_t pid, int in_userns, const struct net_config *net, const char *api_path,
                struct net_state *st, mb_error *err)
{
    int ready[2], exitp[2], ret = 0;
    char ok = 0;
    ssize_t n;

    /* slirp4netns opens the tun device with this user's host ids. udev
     * makes it 0666 on desktop distributions; machines without udev may
     * leave the kernel's 0600. */
    if (access("/dev/net/tun", R_OK | W_OK) < 0)
        return mb_fail(err, errno,
                       "rootless networking needs /dev/net/tun, which this user cannot open "
                       "(fix: chmod 0666 /dev/net/tun, the udev default, or --net none)");
    if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(exitp, O_CLOEXEC) < 0)
        return mb_fail(err, errno, "pipe for slirp4netns");
    st->slirp_pid = fork();
    if (st->slirp_pid < 0)
        return mb_fail(err, errno, "fork slirp4netns");
    if (st->slirp_pid == 0) {
        /* Only these two fds cross the exec: clear their close-on-exec. */
        fcntl(ready[1], F_SETFD, 0);
        fcntl(exitp[0], F_SETFD, 0);
        setsid(); /* not in the terminal's process group: Ctrl-C is the container's */
        /* Its chatter goes to a log beside the API socket, not the user's terminal. */
        {
            char log[4200];
            int fd;

            snprintf(log, sizeof(log), "%s/slirp.log", api_path);
            fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        slirp_exec(pid, in_userns, api_path, ready[1], exitp[0]);
        _exit(127);
    }
    close(ready[1]);
    close(exitp[0]);
    st->slirp_exit_fd = exitp[1];
    do
        n = read(ready[0], &ok, 1);
    while (n < 0 && errno == EINTR);
    close(ready[0]);
    if (n != 1 || ok != '1') {
        slirp_stop(st);
        return mb_fail(
            err, 0,
            "slirp4netns did not start, see %s/slirp.log (fix: apt-get install slirp4netns, "
            "or --net none)",
            api_path);
    }
    for (int i = 0; i < net->n_ports && ret == 0; i++)
        ret = slirp_publish(api_path, &net->ports[i], err);
    if (ret < 0)
        slirp_stop(st);
    return ret;
}

void slirp_stop(struct net_state *st)
{
    if (st->slirp_pid <= 0)
        return;
    close(st->slirp_exit_fd);
    waitpid(st->slirp_pid, NULL, 0);
    st->slirp_pid = 0;
}
