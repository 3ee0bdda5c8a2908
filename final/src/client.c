/*
 * client.c - see client.h.
 *
 * The request carries the verb's arguments, the client's working directory
 * (relative paths mean what the user meant) and TERM, with the client's
 * stdin, stdout and stderr as SCM_RIGHTS: the daemon runs the verb with
 * them as its own stdio. The reply is the exit status. For `run -t` an
 * intermediate reply brings the pty master back. While a run is attached,
 * SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to the client are passed on as
 * {"signal": N} messages.
 *
 * What the user names is read here, with the user's rights: `image import
 * FILE` sends FILE itself as the request's stdin, and (chapter 10) run and
 * exec send the environment that -e NAME and --env-file make. The daemon
 * opens no path of the caller's for its contents (policy.h).
 */
#include "mb_step.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "protocol.h"
#include "terminal.h"
#include "util.h"
#if MB_STEP >= 10
#include "run_options.h"
#endif

static int client_connect(const char *path, mb_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return mb_fail(err, errno, "socket");
    if (path_format(addr.sun_path, sizeof(addr.sun_path), err, "%s", path) < 0) {
        close(fd);
        return mb_fail(err, ENAMETOOLONG, "socket path %s: longer than %zu bytes", path,
                       sizeof(addr.sun_path) - 1);
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
        return fd;
    close(fd);
    if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR)
        return -2; /* no daemon: the caller runs the verb itself */
    if (errno == EACCES || errno == EPERM)
        return mb_fail(err, 0,
                       "permission denied on %s: only root and the daemon's group may use it "
                       "(fix: sudo usermod -aG minibox $USER, then log in again)",
                       path);
    return mb_fail(err, errno, "connect %s", path);
}

/* image import FILE [NAME]: FILE, opened here; the request names it "-"
 * (stdin). -2 for any other request. */
static int client_open_archive(int argc, char **argv, mb_error *err)
{
    int fd;

    if (argc < 3 || strcmp(argv[0], "image") != 0 || strcmp(argv[1], "import") != 0 ||
        strcmp(argv[2], "-") == 0)
        return -2;
    fd = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mb_fail(err, errno, "image import %s", argv[2]);
    return fd;
}

static json_t *client_request(int argc, char **argv, int archive)
{
    char cwd[4096];
    json_t *args = json_array();

    for (int i = 1; i < argc; i++)
        json_array_append_new(args, json_string(archive >= 0 && i == 2 ? "-" : argv[i]));
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        snprintf(cwd, sizeof(cwd), "/");
    return json_pack("{s:i, s:s, s:o, s:s, s:s?, s:b}", "v", PROTO_VERSION, "op", argv[0], "args",
                     args, "cwd", cwd, "term", getenv("TERM"), "stdin_tty", isatty(0));
}

static int forward_sock = -1;

static void forward_signal(int sig)
{
    char msg[64];
    int len = snprintf(msg + 4, sizeof(msg) - 4, "{\"v\":1,\"signal\":%d}", sig);

    msg[0] = msg[1] = msg[2] = 0;
    msg[3] = (char)len;
    if (forward_sock >= 0)
        (void)!send(forward_sock, msg, (size_t)len + 4, MSG_NOSIGNAL);
}

#if MB_STEP >= 10
/* The environment -e and --env-file give the command, as strings. */
static json_t *env_array(const struct process_config *proc)
{
    json_t *env = json_array();

    for (size_t i = 0; i < proc->n_env; i++)
        json_array_append_new(env, json_string(proc->env[i]));
    return env;
}
#endif

/* run is read here with the parser the daemon uses: bad syntax fails
 * without a round trip, and -t without a terminal before a pty is made.
 * From chapter 10, *env gets the environment of run or exec, resolved
 * here: -e NAME takes the caller's value, --env-file is read with the
 * caller's rights. */
static int client_check(int argc, char **argv, json_t **env, mb_error *err)
{
    struct run_args args;
    int ret;

    *env = NULL;
#if MB_STEP >= 10
    if (strcmp(argv[0], "exec") == 0) {
        struct process_config proc = {0};

        ret = exec_args_env(argc, argv, &proc, err);
        if (ret == 0)
            *env = env_array(&proc);
        for (size_t i = 0; i < proc.n_env; i++)
            free(proc.env[i]);
        free(proc.env);
        return ret;
    }
#endif
    if (strcmp(argv[0], "run") != 0)
        return 0;
    ret = run_args_parse(&args, argc, argv, err);
    if (ret == 0 && !args.help && args.cfg.tty && !isatty(0))
        ret = mb_fail(err, 0, "run -t: stdin is not a terminal");
#if MB_STEP >= 10
    if (ret == 0 && !args.help)
        ret = run_options_read_env_files(&args.cfg.process, args.env_files, args.n_env_files, err);
    if (ret == 0)
        *env = env_array(&args.cfg.process);
#endif
    run_args_free(&args);
    return ret;
}

/* The send failed because the daemon hung up: if it said why first (a
 * refused caller), that is the error; else the send's own. */
static int client_read_refusal(int sock, mb_error *err)
{
    mb_error send_err = *err;
    int fds[PROTO_MAX_FDS], n_fds;
    json_t *reply;
    const char *why;

    if (proto_recv(sock, &reply, fds, &n_fds, err) != 0) {
        *err = send_err;
        return -1;
    }
    for (int i = 0; i < n_fds; i++)
        close(fds[i]);
    why = json_string_value(json_object_get(reply, "error"));
    if (why != NULL)
        mb_fail(err, 0, "%s", why);
    else
        *err = send_err;
    json_decref(reply);
    return -1;
}

int client_call(const struct mb_globals *globals, int argc, char **argv, int *status, mb_error *err)
{
    int stdio[3] = {0, 1, 2};
    cleanup_fd int sock = -1;
    cleanup_fd int archive = -1;
    json_t *req, *reply, *env;
    int fds[PROTO_MAX_FDS], n_fds, ret;

    if (client_check(argc, argv, &env, err) < 0)
        return -1;
    sock = client_connect(globals->socket, err);
    if (sock < 0) {
        json_decref(env);
        return sock == -2 ? 0 : -1;
    }
    archive = client_open_archive(argc, argv, err);
    if (archive == -1) {
        json_decref(env);
        return -1;
    }
    if (archive >= 0)
        stdio[0] = archive;
    req = client_request(argc, argv, archive);
    if (env != NULL)
        json_object_set_new(req, "env", env);
    ret = proto_send(sock, req, stdio, 3, err);
    json_decref(req);
    /* A daemon that refuses the caller answers before reading the request
     * and hangs up, so the send can fail with EPIPE: its answer is still
     * waiting to be read, and it says more than "Broken pipe". */
    if (ret < 0 && (errno == EPIPE || errno == ECONNRESET))
        return client_read_refusal(sock, err);
    if (ret < 0)
        return -1;
    forward_sock = sock;
    signal(SIGINT, forward_signal);
    signal(SIGTERM, forward_signal);
    signal(SIGHUP, forward_signal);
    signal(SIGQUIT, forward_signal);
    for (;;) {
        ret = proto_recv(sock, &reply, fds, &n_fds, err);
        if (ret == 1)
            return mb_fail(err, 0, "the daemon closed the connection before an answer");
        if (ret < 0)
            return -1;
        if (!json_is_true(json_object_get(reply, "ok"))) {
            ret = mb_fail(err, 0, "%s",
                          json_string_value(json_object_get(reply, "error")) ?: "error");
            json_decref(reply);
            return ret;
        }
        if (json_is_true(json_object_get(reply, "pty")) && n_fds == 1) {
            json_decref(reply);
            terminal_session(fds[0], sock);
            close(fds[0]);
            continue;
        }
        if (json_is_integer(json_object_get(reply, "exit"))) {
            *status = (int)json_integer_value(json_object_get(reply, "exit"));
            json_decref(reply);
            return 1;
        }
        json_decref(reply);
    }
}
