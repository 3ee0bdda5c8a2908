/*
 * cmd_daemon.c - `minibox daemon [--group NAME]` (chapter 9).
 *
 * Like dockerd: a root process on a unix socket runs containers for
 * clients. The socket is mode 0660, group NAME: the kernel itself keeps
 * everyone else out, and SO_PEERCRED tells who connected. Membership of
 * the group is root-equivalent (a member can bind-mount / into a container):
 * treat it like sudo.
 *
 * One process per connection: the daemon only accepts and forks. The
 * handler runs the verb with the client's stdin/stdout/stderr as its own
 * stdio (they came as SCM_RIGHTS), so output never passes through the
 * daemon, a slow client slows only itself, and a client that disconnects
 * leaves its container running. The daemon is a child subreaper: a
 * detached container's monitor, orphaned when its handler ends, is reaped
 * here. Containers outlive the daemon too: kill -9 it, start it again, and
 * ps finds them from their state dirs and locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "ids.h"
#include "protocol.h"
#include "state.h"
#include "util.h"

static void reply(int sock, json_t *msg, const int *fds, int n_fds)
{
    mb_error ignored;

    proto_send(sock, msg, fds, n_fds, &ignored);
    json_decref(msg);
}

static void reply_error(int sock, const char *text)
{
    reply(sock, json_pack("{s:i, s:b, s:s}", "v", PROTO_VERSION, "ok", 0, "error", text), NULL, 0);
}

static void reply_exit(int sock, int status)
{
    reply(sock, json_pack("{s:i, s:b, s:i}", "v", PROTO_VERSION, "ok", 1, "exit", status), NULL, 0);
}

/* Root, or a member of the group (primary or supplementary). */
static int peer_allowed(int sock, gid_t group, uid_t *uid)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    cleanup_free gid_t *groups = NULL;
    int n = 0;
    struct passwd *pw;

    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return 0;
    *uid = cred.uid;
    if (cred.uid == 0)
        return 1;
    if (group == (gid_t)-1 || (pw = getpwuid(cred.uid)) == NULL)
        return 0;
    /* The first call says how many groups the user has: all are looked at. */
    getgrouplist(pw->pw_name, pw->pw_gid, NULL, &n);
    groups = calloc((size_t)n + 1, sizeof(*groups));
    if (groups == NULL || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
        return 0;
    for (int i = 0; i < n; i++)
        if (groups[i] == group)
            return 1;
    return 0;
}

/* A child that turns {"signal": N} messages from the client into signals
 * for the handler (minibox's parent role passes them to the container). */
static pid_t start_signal_relay(int sock)
{
    pid_t handler = getpid(), pid = fork();

    if (pid != 0)
        return pid;
    for (;;) {
        int fds[PROTO_MAX_FDS], n_fds;
        mb_error ignored;
        json_t *msg;
        int ret = proto_recv(sock, &msg, fds, &n_fds, &ignored);

        if (ret != 0)
            _exit(0); /* the client left: the container runs on */
        if (json_is_integer(json_object_get(msg, "signal")))
            kill(handler, (int)json_integer_value(json_object_get(msg, "signal")));
        json_decref(msg);
    }
}

/* -d: a monitor process runs the container with the log as its stdio; the
 * handler answers as soon as it has started (or failed). */
static int run_detached(const struct mb_globals *g, int sock, struct run_args *args)
{
    int pipefd[2];
    char buf[512] = "";
    ssize_t n, got = 0;
    pid_t monitor;
    mb_error err;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return MB_EXIT_FAILED;
    monitor = fork();
    if (monitor == 0) {
        int ret, null = open("/dev/null", O_RDWR | O_CLOEXEC);

        close(pipefd[0]);
        close(sock);
        /* Let go of the client's stdio: a client waiting for EOF on them
         * (id=$(minibox run -d ...)) must not wait for the container. */
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        setsid(); /* no terminal, no process group of the client's */
        args->cfg.started_fd = pipefd[1];
        ret = run_execute(g, args, &err);
        if (ret < 0) {
            dprintf(pipefd[1], "!%d %s\n", err.status, err.msg);
            _exit(err.status);
        }
        _exit(ret);
    }
    close(pipefd[1]);
    /* One line: the id once the container runs, or "!STATUS message". The
     * monitor keeps the pipe open while the container runs: read to '\n'. */
    while (got < (ssize_t)sizeof(buf) - 1 && memchr(buf, '\n', (size_t)got) == NULL &&
           (n = read(pipefd[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
        got += n;
    close(pipefd[0]);
    buf[strcspn(buf, "\n")] = '\0';
    if (strlen(buf) == MB_ID_LEN) {
        printf("%s\n", buf);
        return 0;
    }
    if (buf[0] == '!') {
        char *msg = strchr(buf, ' ');
        fprintf(stderr, "minibox: %s\n", msg ? msg + 1 : "run failed");
        return atoi(buf + 1) ?: MB_EXIT_FAILED;
    }
    fprintf(stderr, "minibox: the container's monitor ended before it started\n");
    return MB_EXIT_FAILED;
}

/* -t: a pty; its master goes to the client, its slave is the stdio. */
static int run_tty(const struct mb_globals *g, int sock, struct run_args *args, mb_error *err)
{
    int master, slave;

    if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
        return mb_fail(err, errno, "openpty");
    reply(sock, json_pack("{s:i, s:b, s:b}", "v", PROTO_VERSION, "ok", 1, "pty", 1), &master, 1);
    close(master);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    close(slave);
    return run_execute(g, args, err);
}

/* run, as the client typed it: parsed by the parser the client used, so
 * the daemon sees -d and -t wherever they stand (-dp 80:80, -e A=1 -d). The
 * daemon keeps the record of every run, as Docker does, until rm. */
static int serve_run(const struct mb_globals *g, int sock, int argc, char **argv, json_t *req,
                     mb_error *err)
{
    struct run_args args;
    int ret;

    ret = run_args_parse(&args, argc, argv, err);
    if (ret == 0 && args.help)
        ret = cmd_run(g, argc, argv, err);
    else if (ret == 0) {
        args.cfg.keep_record = true;
        if (args.cfg.detach)
            ret = run_detached(g, sock, &args);
        else if (args.cfg.tty && !json_is_true(json_object_get(req, "stdin_tty")))
            ret = mb_fail(err, 0, "run -t: stdin is not a terminal");
        else if (args.cfg.tty)
            ret = run_tty(g, sock, &args, err);
        else {
            start_signal_relay(sock);
            ret = run_execute(g, &args, err);
        }
    }
    run_args_free(&args);
    return ret;
}

/* The request's args as argv (argv[0] is the verb), as many as it has. */
static char **request_argv(json_t *req, const char *op, int *argc)
{
    json_t *args = json_object_get(req, "args"), *a;
    char **argv = calloc(json_array_size(args) + 2, sizeof(*argv));
    size_t i;

    if (argv == NULL)
        return NULL;
    *argc = 0;
    argv[(*argc)++] = (char *)op;
    json_array_foreach(args, i, a)
    {
        if (!json_is_string(a)) {
            free(argv);
            return NULL;
        }
        argv[(*argc)++] = (char *)json_string_value(a);
    }
    return argv;
}

static int run_verb(const struct mb_globals *g, int sock, const struct verb *verb, json_t *req)
{
    cleanup_free char **argv = NULL;
    int argc = 0, ret;
    mb_error err;

    argv = request_argv(req, verb->name, &argc);
    if (argv == NULL) {
        fprintf(stderr, "minibox: bad request: args must be strings\n");
        return MB_EXIT_FAILED;
    }
    if (verb->run == cmd_run)
        ret = serve_run(g, sock, argc, argv, req, &err);
    else
        ret = verb->run(g, argc, argv, &err);
    if (ret < 0) {
        mb_error_print(&err);
        return err.status;
    }
    return ret;
}

/* One connection, in its own process. */
__attribute__((noreturn)) static void handle_client(const struct mb_globals *g, int sock,
                                                    gid_t group, const char *group_name)
{
    int fds[PROTO_MAX_FDS], n_fds = 0, status;
    const char *op, *cwd, *term;
    char msg[512];
    const struct verb *verb = NULL;
    mb_error err = {.msg = "the client closed the connection without a request"};
    json_t *req;
    uid_t uid = (uid_t)-1;

    signal(SIGPIPE, SIG_IGN);
    if (!peer_allowed(sock, group, &uid)) {
        snprintf(msg, sizeof(msg),
                 "permission denied: uid %u is neither root nor in group '%s' (fix: sudo "
                 "usermod -aG %s USER, then log in again)",
                 (unsigned)uid, group_name, group_name);
        fprintf(stderr, "minibox daemon: refused uid %u\n", (unsigned)uid);
        reply_error(sock, msg);
        _exit(0);
    }
    if (proto_recv(sock, &req, fds, &n_fds, &err) != 0) {
        fprintf(stderr, "minibox daemon: uid %u: bad request: %s\n", (unsigned)uid, err.msg);
        reply_error(sock, err.msg);
        _exit(0);
    }
    op = json_string_value(json_object_get(req, "op"));
    cwd = json_string_value(json_object_get(req, "cwd"));
    term = json_string_value(json_object_get(req, "term"));
    if (op != NULL && (verb = verb_find(op)) != NULL && !verb->remote)
        verb = NULL; /* the verbs a client may not send */
    fprintf(stderr, "minibox daemon: uid %u: %s\n", (unsigned)uid, op ? op : "(no op)");
    if (verb == NULL || n_fds != 3 || !json_is_array(json_object_get(req, "args")) || cwd == NULL ||
        cwd[0] != '/') {
        reply_error(sock, verb == NULL ? "unknown op" : "bad request: args, cwd and 3 fds needed");
        _exit(0);
    }
    if (chdir(cwd) < 0)
        (void)!chdir("/");
    if (term != NULL)
        setenv("TERM", term, 1);
    /* From here the verb's output is the client's. */
    for (int i = 0; i < 3; i++)
        dup2(fds[i], i);
    for (int i = 0; i < 3; i++)
        if (fds[i] > 2)
            close(fds[i]); /* the copies on 0-2 are the only ones left */
    status = run_verb(g, sock, verb, req);
    fflush(NULL);
    reply_exit(sock, status);
    _exit(0);
}

static int listen_on(const char *path, gid_t group, mb_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    char dir[sizeof(addr.sun_path)];

    if (fd < 0)
        return mb_fail(err, errno, "socket");
    if (strlen(path) >= sizeof(addr.sun_path))
        return mb_fail(err, ENAMETOOLONG, "socket path %s", path);
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    snprintf(dir, sizeof(dir), "%s", path);
    if (strrchr(dir, '/') != NULL && strrchr(dir, '/') != dir) {
        *strrchr(dir, '/') = '\0';
        mkdir(dir, 0755);
    }
    /* A socket file left by a daemon that died: nobody listens on it. */
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
        return mb_fail(err, 0, "a daemon already listens on %s", path);
    unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 128) < 0)
        return mb_fail(err, errno, "listen on %s", path);
    if (chmod(path, group == (gid_t)-1 ? 0600 : 0660) < 0 ||
        (group != (gid_t)-1 && chown(path, 0, group) < 0))
        return mb_fail(err, errno, "set the owner of %s", path);
    return fd;
}

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

int cmd_daemon(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    const char *group_name = "minibox";
    struct sigaction sa = {.sa_handler = on_stop};
    gid_t group = (gid_t)-1;
    struct group *gr;
    int sock, group_given = 0;

    /* --socket and --root are global options (before the verb); dockerd
     * takes its socket after it, so both places work. */
    struct mb_globals own = *globals;

    globals = &own;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--group") == 0 && i + 1 < argc)
            group_name = argv[++i], group_given = 1;
        else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
            own.socket = argv[++i];
        else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
            own.root = argv[++i];
        else
            return mb_fail(err, 0,
                           "daemon: unknown option '%s' (usage: minibox daemon [--group NAME] "
                           "[--socket PATH] [--root DIR])",
                           argv[i]);
    }
    if (geteuid() != 0)
        return mb_fail(err, 0, "the daemon runs as root (a normal user runs rootless without it)");
    gr = getgrnam(group_name);
    if (gr != NULL)
        group = gr->gr_gid;
    else if (group_given)
        return mb_fail(err, 0, "daemon: no group '%s' (fix: groupadd %s, or leave out --group)",
                       group_name, group_name);
    sock = listen_on(globals->socket, group, err);
    if (sock < 0)
        return -1;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* Containers whose minibox died while no daemon ran: clean them up. */
    state_gc(globals->root, err);
    fprintf(stderr, "minibox daemon: listening on %s (group %s)\n", globals->socket,
            gr ? group_name : "none: root only");
    while (!stopping) {
        struct pollfd p = {sock, POLLIN, 0};
        int client;

        while (waitpid(-1, NULL, WNOHANG) > 0)
            ; /* handlers, and orphaned monitors of detached containers */
        if (poll(&p, 1, 500) <= 0)
            continue;
        client = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        if (fork() == 0) {
            close(sock);
            signal(SIGTERM, SIG_DFL);
            signal(SIGINT, SIG_DFL);
            handle_client(globals, client, group, group_name);
        }
        close(client);
    }
    unlink(globals->socket);
    fprintf(stderr, "minibox daemon: stopped; containers keep running\n");
    return 0;
}
