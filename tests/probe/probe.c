/*
 * probe.c - the in-container probe.
 *
 * A static binary copied into the test rootfs as /bin/probe. Tests run it
 * inside containers and read facts it prints as key=value lines, so no
 * assertion depends on the free text of busybox tools. It is also the
 * attacker for the escape tests: it does, as root inside the container, what
 * a hostile workload would.
 *
 *   probe [facts]          print the facts below
 *   probe hold             facts, then "ready", then wait for stdin to close
 *   probe exit N           exit with status N
 *   probe segv             die of SIGSEGV
 *   probe trap SIG CODE    "ready", then exit CODE when SIG arrives
 *   probe orphans N        leave N exited orphans for PID 1 to reap, "ready", hold
 *   probe escape PATH      try the chroot escape; escaped=1 if PATH of the host is then visible
 *   probe pty              allocate a pseudo-terminal: pty=ok or pty=<error>
 *   probe write PATH TEXT  write=ok or write=<errno name>
 *   probe mounts           mount=<mount point> <fstype> <options>, one per mount
 *   probe pids             pids=<the numeric entries of /proc>
 *   probe hog MIB          allocate and touch MIB MiB, then allocated=MIB
 *   probe spin MS          burn CPU for MS ms of wall time, then "ready", hold
 *   probe fork N           try to fork N children: forked=<how many could be>
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void print_file_line(const char *key, const char *path)
{
    char buf[512];
    FILE *f = fopen(path, "r");

    if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
        printf("%s=unavailable\n", key);
    } else {
        buf[strcspn(buf, "\n")] = '\0';
        printf("%s=%s\n", key, buf);
    }
    if (f != NULL)
        fclose(f);
}

/* The value of a "Key:\tvalue" line of /proc/self/status. */
static void print_status_field(const char *key, const char *field)
{
    char line[512];
    size_t len = strlen(field);
    FILE *f = fopen("/proc/self/status", "r");

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            char *v = line + len + 1;
            v += strspn(v, " \t");
            v[strcspn(v, "\n")] = '\0';
            printf("%s=%s\n", key, v);
            fclose(f);
            return;
        }
    }
    printf("%s=unavailable\n", key);
    if (f != NULL)
        fclose(f);
}

static void facts(void)
{
    static const char *const ns[] = {"pid", "mnt", "uts", "ipc", "net", "user", "cgroup"};
    char buf[256], path[64];
    ssize_t n;

    printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
    printf("uid=%d\ngid=%d\neuid=%d\n", (int)getuid(), (int)getgid(), (int)geteuid());
    if (gethostname(buf, sizeof(buf)) == 0)
        printf("hostname=%s\n", buf);
    if (getcwd(buf, sizeof(buf)) != NULL)
        printf("cwd=%s\n", buf);
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
        n = readlink(path, buf, sizeof(buf) - 1);
        buf[n < 0 ? 0 : n] = '\0';
        printf("ns_%s=%s\n", ns[i], n < 0 ? "unavailable" : buf);
    }
    print_file_line("uid_map", "/proc/self/uid_map");
    print_file_line("gid_map", "/proc/self/gid_map");
    print_file_line("cgroup", "/proc/self/cgroup");
    print_status_field("cap_eff", "CapEff");
    print_status_field("cap_bnd", "CapBnd");
    print_status_field("nspid", "NSpid");
    fflush(stdout);
}

static void hold(void)
{
    char c;

    printf("ready\n");
    fflush(stdout);
    while (read(0, &c, 1) > 0)
        ;
}

static int exit_code;
static void on_signal(int sig)
{
    (void)sig;
    _exit(exit_code);
}

static int trap(const char *signame, const char *code)
{
    int sig = atoi(signame);

    if (sig <= 0)
        sig = strcmp(signame, "INT") == 0 ? SIGINT : strcmp(signame, "HUP") == 0 ? SIGHUP : SIGTERM;
    exit_code = atoi(code);
    signal(sig, on_signal);
    printf("ready\n");
    fflush(stdout);
    for (;;)
        pause();
    return 0;
}

static int orphans(int n)
{
    for (int i = 0; i < n; i++) {
        pid_t child = fork();

        if (child == 0) {
            /* The grandchild outlives its parent, so it is re-parented to
             * PID 1, then exits: a zombie until PID 1 reaps it. */
            if (fork() == 0) {
                usleep(20000);
                _exit(0);
            }
            _exit(0);
        }
        waitpid(child, NULL, 0);
    }
    usleep(200000);
    hold();
    return 0;
}

static int escape(const char *marker)
{
    char dir[] = "/tmp/escape.XXXXXX";
    int outside;

    if (mkdtemp(dir) == NULL) {
        printf("escape_error=mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    outside = open("/", O_RDONLY | O_DIRECTORY);
    /* chroot into a subdirectory while keeping a fd to "/": the cwd is now
     * outside the new root, where ".." is not stopped by it. */
    if (outside < 0 || chroot(dir) < 0 || fchdir(outside) < 0) {
        printf("escape_error=%s\n", strerror(errno));
        return 1;
    }
    /* The cwd is still the old "/": remove the dir by its relative path, so
     * no escape.* is left in the rootfs (it stays usable as our root). */
    rmdir(dir + 1);
    for (int i = 0; i < 256; i++)
        if (chdir("..") < 0)
            break;
    if (chroot(".") < 0) {
        printf("escape_error=chroot .: %s\n", strerror(errno));
        return 1;
    }
    printf("escaped=%d\n", access(marker, F_OK) == 0);
    return 0;
}

static int pty(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
    char *name;

    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
        (name = ptsname(master)) == NULL || (slave = open(name, O_RDWR | O_NOCTTY)) < 0) {
        printf("pty=%s\n", strerror(errno));
        return 1;
    }
    printf("pty=ok\npty_name=%s\n", name);
    return 0;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || write(fd, text, strlen(text)) < 0) {
        printf("write=%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "error");
        return 1;
    }
    close(fd);
    printf("write=ok\n");
    return 0;
}

static int mounts(void)
{
    char line[4096], mp[1024], opts[512], fstype[128];
    FILE *f = fopen("/proc/self/mountinfo", "r");

    if (f == NULL) {
        printf("mounts=unavailable\n");
        return 1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *dash = strstr(line, " - ");
        if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %1023s %511s", mp, opts) != 2 ||
            sscanf(dash + 3, "%127s", fstype) != 1)
            continue;
        printf("mount=%s %s %s\n", mp, fstype, opts);
    }
    fclose(f);
    return 0;
}

static int pids(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;

    printf("pids=");
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            printf("%s ", e->d_name);
    printf("\n");
    return d == NULL;
}

static int hog(int mib)
{
    for (int i = 0; i < mib; i++) {
        char *chunk = malloc(1 << 20);

        if (chunk == NULL) {
            printf("allocated=%d\nerror=malloc failed\n", i);
            return 1;
        }
        memset(chunk, 0x5a, 1 << 20); /* touch every page: charge it */
    }
    printf("allocated=%d\n", mib);
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int spin(int ms)
{
    long long end = now_ms() + ms;
    volatile unsigned long x = 0;

    while (now_ms() < end)
        for (int i = 0; i < 100000; i++)
            x += (unsigned long)i;
    hold();
    return 0;
}

static int fork_many(int n)
{
    pid_t kids[4096];
    int forked = 0;

    for (int i = 0; i < n && i < 4096; i++) {
        pid_t pid = fork();

        if (pid == 0) {
            pause();
            _exit(0);
        }
        if (pid < 0)
            break;
        kids[forked++] = pid;
    }
    printf("forked=%d\n", forked);
    for (int i = 0; i < forked; i++) {
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, 0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "facts";

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(cmd, "facts") == 0)
        facts();
    else if (strcmp(cmd, "hold") == 0)
        facts(), hold();
    else if (strcmp(cmd, "exit") == 0 && argc > 2)
        return atoi(argv[2]);
    else if (strcmp(cmd, "segv") == 0)
        raise(SIGSEGV), *(volatile int *)0 = 1;
    else if (strcmp(cmd, "trap") == 0 && argc > 3)
        return trap(argv[2], argv[3]);
    else if (strcmp(cmd, "orphans") == 0 && argc > 2)
        return orphans(atoi(argv[2]));
    else if (strcmp(cmd, "escape") == 0 && argc > 2)
        return escape(argv[2]);
    else if (strcmp(cmd, "pty") == 0)
        return pty();
    else if (strcmp(cmd, "write") == 0 && argc > 3)
        return write_file(argv[2], argv[3]);
    else if (strcmp(cmd, "mounts") == 0)
        return mounts();
    else if (strcmp(cmd, "pids") == 0)
        return pids();
    else if (strcmp(cmd, "hog") == 0 && argc > 2)
        return hog(atoi(argv[2]));
    else if (strcmp(cmd, "spin") == 0 && argc > 2)
        return spin(atoi(argv[2]));
    else if (strcmp(cmd, "fork") == 0 && argc > 2)
        return fork_many(atoi(argv[2]));
    else {
        fprintf(stderr, "probe: unknown command '%s'\n", cmd);
        return 2;
    }
    return 0;
}
