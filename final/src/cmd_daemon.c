/*
 * cmd_daemon.c - `minibox daemon [--group NAME] [--trust-group]
 * [--max-containers N] [--max-memory SIZE] [--max-pids N]` (chapter 9).
 *
 * Like dockerd: a root process on a unix socket runs containers for
 * clients. The socket is mode 0660, group NAME: the kernel itself keeps
 * everyone else out, and SO_PEERCRED tells who connected. Each caller is
 * served as who they are (policy.h): root with every option, a member who
 * is not root with what that user could do without the daemon.
 * --trust-group makes every member root again, as Docker's group is.
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

#include "cgroup_layout.h"
#include "commands.h"
#include "ids.h"
#include "policy.h"
#include "protocol.h"
#include "state.h"
#include "util.h"

/* The daemon's options, as every handler needs them. */
struct daemon_options {
    const char *group_name;
    gid_t group; /* (gid_t)-1: no group, root only */
    bool group_given;
    bool trust_group;
    struct policy_limits limits;
    bool memory_given, pids_given; /* --max-memory, --max-pids were typed */
};

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

/* Is the user a member of group, primary or supplementary? The first
 * getgrouplist call says how many groups the user has: all are looked at. */
static bool user_in_group(const struct passwd *pw, gid_t group)
{
    int n = 0;
    gid_t *groups;
    bool found = false;

    getgrouplist(pw->pw_name, pw->pw_gid, NULL, &n);
    groups = calloc((size_t)n + 1, sizeof(*groups));
    if (groups != NULL && getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) >= 0)
        for (int i = 0; i < n && !found; i++)
            found = groups[i] == group;
    free(groups);
    return found;
}

/* Who connected (SO_PEERCRED), and may they: root, or a member of the
 * group. */
static int peer_identify(int sock, const struct daemon_options *o, struct mb_caller *c)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    struct passwd *pw;

    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return 0;
    c->uid = cred.uid;
    c->gid = cred.gid;
    snprintf(c->name, sizeof(c->name), "uid %u", (unsigned)cred.uid);
    c->restricted = cred.uid != 0 && !o->trust_group;
    c->limits = o->limits;
    if ((pw = getpwuid(cred.uid)) != NULL) {
        c->gid = pw->pw_gid; /* container root's group: the user's own */
        snprintf(c->name, sizeof(c->name), "%s", pw->pw_name);
    }
    if (cred.uid == 0)
        return 1;
    if (o->group == (gid_t)-1 || pw == NULL)
        return 0;
    return user_in_group(pw, o->group);
}

/* Turn {"signal": N} messages from the client into signals for the
 * handler (minibox's parent role passes them to the container). */
__attribute__((noreturn)) static void relay_signals(int sock, pid_t handler)
{
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

#if MB_STEP >= 10
/* The spare's relay, forked ahead too (chapter 10, speed): it waits on
 * `relay_ctl` for the client's socket, which an attached run hands it
 * (SCM_RIGHTS); any other request closes relay_ctl and the relay exits.
 * It dies with its handler (PDEATHSIG): it has no one else to signal. */
static int relay_ctl = -1;

static void relay_prefork(void)
{
    pid_t handler = getpid();
    int pair[2];

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
        return; /* start_signal_relay forks one when it is needed */
    if (fork() == 0) {
        int fds[PROTO_MAX_FDS], n_fds = 0;
        mb_error ignored;
        json_t *msg;

        close(pair[0]);
        prctl(PR_SET_NAME, "minibox-relay");
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != handler || proto_recv(pair[1], &msg, fds, &n_fds, &ignored) != 0 ||
            n_fds != 1)
            _exit(0);
        json_decref(msg);
        relay_signals(fds[0], handler);
    }
    close(pair[1]);
    relay_ctl = pair[0];
}

/* The relay forked ahead is not needed: let it go. */
static void relay_release(void)
{
    cleanup_fdp(&relay_ctl);
    relay_ctl = -1;
}
#endif

/* A child that relays the client's signals to this handler. */
static void start_signal_relay(int sock)
{
    pid_t handler = getpid();

#if MB_STEP >= 10
    if (relay_ctl >= 0) {
        mb_error ignored;
        json_t *msg = json_pack("{s:b}", "relay", 1);
        int ret = proto_send(relay_ctl, msg, &sock, 1, &ignored);

        json_decref(msg);
        relay_release();
        if (ret == 0)
            return;
    }
#endif
    if (fork() == 0)
        relay_signals(sock, handler);
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
#if MB_STEP >= 10
        if (args.cfg.detach || args.cfg.tty)
            relay_release(); /* no signals to relay: the relay forked ahead goes */
#endif
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
    json_array_foreach (args, i, a) {
        if (!json_is_string(a)) {
            free(argv);
            return NULL;
        }
        argv[(*argc)++] = (char *)json_string_value(a);
    }
    return argv;
}

#if MB_STEP >= 10
/* exec closes every fd but stdio before it joins a container (CVE-2016-9962
 * class), the connection to the client among them: it runs in a child, and
 * the handler, which keeps the connection, replies with its status. */
static int run_in_child(const struct mb_globals *g, const struct verb *verb, int argc, char **argv,
                        mb_error *err)
{
    int wstatus;
    pid_t child;

    fflush(NULL);
    child = fork();
    if (child < 0)
        return mb_fail(err, errno, "fork");
    if (child == 0) {
        mb_error e;
        int ret = verb->run(g, argc, argv, &e);

        if (ret < 0)
            mb_error_print(&e);
        fflush(NULL);
        _exit(ret < 0 ? e.status : ret);
    }
    if (waitpid(child, &wstatus, 0) < 0)
        return mb_fail(err, errno, "wait for %s", verb->name);
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}
#endif

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
    ret = policy_check_request(verb->name, argc, argv, &err);
#if MB_STEP >= 10
    if (ret < 0 || verb->run != cmd_run)
        relay_release();
#endif
    if (ret == 0 && verb->run == cmd_run)
        ret = serve_run(g, sock, argc, argv, req, &err);
#if MB_STEP >= 10
    else if (ret == 0 && verb->enters)
        ret = run_in_child(g, verb, argc, argv, &err);
#endif
    else if (ret == 0)
        ret = verb->run(g, argc, argv, &err);
    if (ret < 0) {
        mb_error_print(&err);
        return err.status;
    }
    return ret;
}

/* One connection, in its own process. */
__attribute__((noreturn)) static void handle_client(const struct mb_globals *g, int sock,
                                                    const struct daemon_options *o)
{
    int fds[PROTO_MAX_FDS], n_fds = 0, status;
    const char *op, *cwd, *term;
    char msg[512];
    const struct verb *verb = NULL;
    mb_error err = {.msg = "the client closed the connection without a request"};
    json_t *req;
    static struct mb_caller caller = {.uid = (uid_t)-1};
    uid_t uid;

    signal(SIGPIPE, SIG_IGN);
    if (!peer_identify(sock, o, &caller)) {
        snprintf(msg, sizeof(msg),
                 "permission denied: uid %u is neither root nor in group '%s' (fix: sudo "
                 "usermod -aG %s USER, then log in again)",
                 (unsigned)caller.uid, o->group_name, o->group_name);
        fprintf(stderr, "minibox daemon: refused uid %u\n", (unsigned)caller.uid);
        reply_error(sock, msg);
        _exit(0);
    }
    uid = caller.uid;
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
    fprintf(stderr, "minibox daemon: uid %u%s: %s\n", (unsigned)uid,
            caller.restricted ? " (member)" : "", op ? op : "(no op)");
    if (verb == NULL || n_fds != 3 || !json_is_array(json_object_get(req, "args")) || cwd == NULL ||
        cwd[0] != '/' || strlen(cwd) >= sizeof(caller.cwd)) {
        reply_error(sock, verb == NULL ? "unknown op" : "bad request: args, cwd and 3 fds needed");
        _exit(0);
    }
    snprintf(caller.cwd, sizeof(caller.cwd), "%s", cwd);
#if MB_STEP >= 10
    caller.env = json_object_get(req, "env");
#endif
    policy_serve(&caller);
    /* Relative paths mean what the user meant. A member's are joined to
     * cwd and opened as the member (policy.h): root does not enter a
     * directory on a member's behalf. */
    if (caller.restricted || chdir(cwd) < 0)
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
#if MB_SOLUTION_09
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
#else
    /* TODO(09): a unix stream socket listening at `path` (its directory made; a stale socket
     * file that nobody answers on removed, one that answers refused), mode 0660 owned by
     * root:group (0600 without a group: root only); returns the fd. The group is the
     * permission to use the daemon. docs/09-daemon.md#unix-sockets-and-peer-credentials */
    (void)path;
    (void)group;
    return mb_todo(err, "09");
#endif
}

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

#if MB_STEP >= 10
/* A handler forked before its client comes (chapter 10, speed): the spare
 * waits in accept() itself, so a connection is served at once instead of
 * after the daemon's fork, and tells the daemon through `taken` that it
 * was taken; the daemon then forks the next spare while the first one
 * works. The spare calls itself minibox-spare (ps, the bench's count of
 * monitors) until it has a client. */
static pid_t fork_spare(const struct mb_globals *g, int sock, int taken,
                        const struct daemon_options *o)
{
    pid_t daemon_pid = getpid(), pid = fork();

    if (pid != 0)
        return pid;
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    prctl(PR_SET_NAME, "minibox-spare");
    /* An idle spare goes with its daemon: after kill -9 of the daemon it
     * would otherwise serve one more client on a socket nobody restarts,
     * then block forever on one the next daemon has replaced. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != daemon_pid)
        _exit(0);
    relay_prefork();
    for (;;) {
        int client = accept4(sock, NULL, NULL, SOCK_CLOEXEC);

        if (client >= 0) {
            prctl(PR_SET_PDEATHSIG, 0); /* a handler outlives the daemon */
            (void)!write(taken, "", 1);
            close(taken);
            close(sock);
            prctl(PR_SET_NAME, "minibox");
            handle_client(g, client, o);
        }
        /* EINVAL: the daemon shut the socket down (it is stopping) */
        if (errno != EINTR && errno != ECONNABORTED)
            _exit(0);
    }
}

static int serve_with_a_spare(const struct mb_globals *g, int sock, const struct daemon_options *o,
                              mb_error *err)
{
    int taken[2];
    pid_t spare = -1, pid;

    if (pipe2(taken, O_CLOEXEC) < 0)
        return mb_fail(err, errno, "daemon: a pipe for its spare handlers");
    while (!stopping) {
        struct pollfd p = {taken[0], POLLIN, 0};
        char byte;

        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
            if (pid == spare)
                spare = -1; /* it died without a client: make another */
        if (spare < 0)
            spare = fork_spare(g, sock, taken[1], o);
        if (poll(&p, 1, 500) > 0 && read(taken[0], &byte, 1) == 1)
            spare = -1; /* it has a client: the next one needs a spare */
    }
    /* A spare blocked in accept() returns EINVAL once the listening socket
     * is shut down; one that already took a client serves it to the end. */
    shutdown(sock, SHUT_RDWR);
    close(taken[0]);
    close(taken[1]);
    return 0;
}
#endif

/* What a member gets unless the daemon is told otherwise: enough for a
 * course's exercises, not enough for one student to take the machine. */
#define DEFAULT_MAX_CONTAINERS 10
#define DEFAULT_MAX_MEMORY     (1024ULL * 1024 * 1024)
#define DEFAULT_MAX_PIDS       1024

/* --max-memory / --max-pids: the same spellings as run's, or 0 for none. */
static int parse_limit_option(struct policy_limits *l, const char *opt, const char *value,
                              mb_error *err)
{
    char *end;
    long n;

    if (strcmp(opt, "--max-memory") == 0) {
        l->max_memory = 0;
        return strcmp(value, "0") == 0 ? 0 : limits_parse_memory(value, &l->max_memory, err);
    }
    if (strcmp(opt, "--max-pids") == 0) {
        l->max_pids = 0;
        return strcmp(value, "0") == 0 ? 0 : limits_parse_pids(value, &l->max_pids, err);
    }
    n = strtol(value, &end, 10);
    if (*end != '\0' || end == value || n < 0 || n > 100000)
        return mb_fail(err, 0, "daemon: bad --max-containers '%s': a count, 0 for no limit", value);
    l->max_running = (int)n;
    return 0;
}

static int daemon_parse(int argc, char **argv, struct mb_globals *own, struct daemon_options *o,
                        mb_error *err)
{
    for (int i = 1; i < argc; i++) {
        int ret = 0;

        if (strcmp(argv[i], "--group") == 0 && i + 1 < argc)
            o->group_name = argv[++i], o->group_given = true;
        else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
            own->socket = argv[++i];
        else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
            own->root = argv[++i];
        else if (strcmp(argv[i], "--trust-group") == 0)
            o->trust_group = true;
        else if ((strcmp(argv[i], "--max-containers") == 0 ||
                  strcmp(argv[i], "--max-memory") == 0 || strcmp(argv[i], "--max-pids") == 0) &&
                 i + 1 < argc) {
            ret = parse_limit_option(&o->limits, argv[i], argv[i + 1], err);
            o->memory_given |= strcmp(argv[i], "--max-memory") == 0;
            o->pids_given |= strcmp(argv[i], "--max-pids") == 0;
            i++;
        } else
            return mb_fail(err, 0,
                           "daemon: unknown option '%s' (usage: minibox daemon [--group NAME] "
                           "[--trust-group] [--max-containers N] [--max-memory SIZE] "
                           "[--max-pids N] [--socket PATH] [--root DIR])",
                           argv[i]);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* A limit for members that this host cannot enforce: an error when it was
 * asked for, a warning (and no such limit) when it is only the default. */
static int limit_unavailable(bool given, const char *option, const char *controller, mb_error *err)
{
    if (given)
        return mb_fail(err, 0,
                       "daemon: %s needs the %s cgroup controller, which this host does not "
                       "offer (see 'minibox info'; or %s 0)",
                       option, controller, option);
    fprintf(stderr,
            "minibox daemon: warning: no %s cgroup controller: members' containers run "
            "without the default %s\n",
            controller, option);
    return 0;
}

static int check_limit_controllers(struct daemon_options *o, mb_error *err)
{
    struct cgroup_layout layout;

    if (cgroup_layout_detect(&layout, err) < 0)
        return -1;
    if (o->limits.max_memory > 0 && layout.controllers[CG_MEMORY].version == 0) {
        if (limit_unavailable(o->memory_given, "--max-memory", "memory", err) < 0)
            return -1;
        o->limits.max_memory = 0;
    }
    if (o->limits.max_pids > 0 && layout.controllers[CG_PIDS].version == 0) {
        if (limit_unavailable(o->pids_given, "--max-pids", "pids", err) < 0)
            return -1;
        o->limits.max_pids = 0;
    }
    return 0;
}

int cmd_daemon(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    static struct daemon_options o = {
        .group_name = "minibox",
        .group = (gid_t)-1,
        .limits = {DEFAULT_MAX_CONTAINERS, DEFAULT_MAX_MEMORY, DEFAULT_MAX_PIDS},
    };
    struct sigaction sa = {.sa_handler = on_stop};
    struct group *gr;
    int sock;

    /* --socket and --root are global options (before the verb); dockerd
     * takes its socket after it, so both places work. */
    struct mb_globals own = *globals;

    globals = &own;
    if (daemon_parse(argc, argv, &own, &o, err) < 0)
        return -1;
    if (geteuid() != 0)
        return mb_fail(err, 0, "the daemon runs as root (a normal user runs rootless without it)");
    if (check_limit_controllers(&o, err) < 0)
        return -1;
    gr = getgrnam(o.group_name);
    if (gr != NULL)
        o.group = gr->gr_gid;
    else if (o.group_given)
        return mb_fail(err, 0, "daemon: no group '%s' (fix: groupadd %s, or leave out --group)",
                       o.group_name, o.group_name);
    /* Its state root exists before the first run: a member's run is
     * admitted under its lock (policy.h). */
    if (mkdir(globals->root, 0711) < 0 && errno != EEXIST)
        return mb_fail(err, errno, "daemon: state root %s (fix: --root DIR)", globals->root);
    sock = listen_on(globals->socket, o.group, err);
    if (sock < 0)
        return -1;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* Containers whose minibox died while no daemon ran: clean them up. */
    state_gc(globals->root, err);
    fprintf(stderr, "minibox daemon: listening on %s (group %s)\n", globals->socket,
            gr ? o.group_name : "none: root only");
    if (o.trust_group && gr != NULL)
        fprintf(stderr,
                "minibox daemon: warning: --trust-group: every member of group '%s' is root on "
                "this host (a volume of / is enough); give the group only to those you would "
                "give sudo\n",
                o.group_name);
#if MB_STEP >= 10
    if (serve_with_a_spare(globals, sock, &o, err) < 0) {
        unlink(globals->socket);
        return -1;
    }
#else
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
            handle_client(globals, client, &o);
        }
        close(client);
    }
#endif
    unlink(globals->socket);
    fprintf(stderr, "minibox daemon: stopped; containers keep running\n");
    return 0;
}
