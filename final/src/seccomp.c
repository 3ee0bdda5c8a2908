/*
 * seccomp.c - see seccomp.h.
 *
 * A seccomp filter is a small classic-BPF program the kernel runs on every
 * system call the container makes: it sees the call's number, its
 * architecture and its six arguments (never the memory they point to), and
 * answers "allow" or "fail with this errno". Capabilities decide what a call
 * may do once it runs; the filter decides whether the kernel code behind it
 * runs at all. That matters because most container escapes are kernel bugs
 * reached through rarely used calls (new mount API, keyrings, user
 * namespaces): a call the filter refuses cannot reach its bug.
 *
 * libseccomp compiles a rule set into BPF. Compiling costs milliseconds, so
 * the default program is kept on disk, keyed by everything it depends on.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* libseccomp's header has the same name as ours: <> finds the system's
 * (the unit tests add final/src with -iquote, which only "" searches). */
#include <seccomp.h>

#include "seccomp.h"
#include "util.h"

/* ------------------------------------------------------------------------
 * The default profile, as data.
 * ------------------------------------------------------------------------ */

/* What a call not named below gets: EPERM, as Docker and Podman answer. */
#define DEFAULT_ERRNO EPERM

/*
 * Allowed to everyone: what ordinary programs (shells, libc, language
 * runtimes, servers) call. Podman's and Docker's lists, minus everything
 * that moved to a capability group below. Names this libseccomp does not
 * know are skipped, so newer calls can be listed before libseccomp knows
 * them. Left out on purpose, for everyone:
 *  - keyctl, add_key, request_key: the kernel keyring is not namespaced by
 *    containers; a container could read or plant the keys (Kerberos tickets,
 *    fscrypt and dm-crypt keys) of the same uid on the host, and the keyring
 *    code has a long CVE history (CVE-2016-0728: refcount overflow to root).
 *  - io_uring_setup/enter/register: a second way into the kernel that does
 *    not pass through the filter once set up, and the source of a stream of
 *    privilege escalations (CVE-2022-29582, CVE-2023-2598); Docker dropped it.
 *  - uselib, nfsservctl, sysfs, ustat, vm86, vm86old, bdflush, ...: obsolete
 *    calls nobody needs, kept by the kernel for compatibility, rarely tested.
 *  - kexec_load, kexec_file_load, swapon, swapoff, lookup_dcookie: the host's
 *    machine, not the container's.
 *  - vmsplice: pages shared with a pipe, a recurring source of bugs; Podman
 *    refuses it too.
 */
static const char *const allowed_syscalls[] = {
    "_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm",
    /* adjtimex/clock_adjtime: only reading without CAP_SYS_TIME (the kernel
     * checks it before changing the clock); chrony and ntpstat read with it. */
    "bind", "brk", "cachestat", "capget", "capset", "chdir", "chmod", "chown", "chown32",
    "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
    "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
    "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
    "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
    "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
    "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
    "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
    "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue",
    "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "get_robust_list",
    "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
    "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
    "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
    "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid",
    "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
    "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit",
    "ioprio_get", "ioprio_set", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
    "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen",
    "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
    "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat",
    "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
    "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
    "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd",
    "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat",
    "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2",
    "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64",
    "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64",
    "pwritev", "pwritev2", "read", "readahead", "readdir", "readlink", "readlinkat", "readv",
    "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
    "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
    "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
    "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
    "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
    "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
    "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_robust_list", "set_thread_area",
    "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
    "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
    "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
    "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget",
    "shutdown", "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4", "sigpending",
    "sigprocmask", "sigreturn", "sigsuspend", "socketcall", "socketpair", "splice", "stat",
    "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
    "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
    "timerfd", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
    "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
    "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "wait4",
    "waitid", "waitpid", "write", "writev",
    /* x86 only: thread-local storage and the LDT (Wine, old runtimes). */
    "arch_prctl", "modify_ldt", NULL};

/* Calls that only a capability makes safe: allowed when the container keeps
 * any of `unlocked_by`. Without it the kernel would refuse most of them
 * anyway; the filter refuses them before their code (and its bugs) runs. */
struct gated_group {
    cap_mask unlocked_by;
    /* Also allowed without the capability on Linux >= 4.8 (see ptrace). */
    bool open_since_linux_4_8;
    const char *const names[24];
};

static const struct gated_group gated_groups[] = {
    /* CAP_SYS_ADMIN: mounts and namespaces. unshare(CLONE_NEWUSER) hands any
     * process a namespace where it holds every capability, which opens
     * kernel code written for root only to everyone: CVE-2022-0185 (a heap
     * overflow in fsconfig, reached by unshare(CLONE_NEWUSER|CLONE_NEWNS)
     * from an unprivileged container) and most netfilter escalations begin
     * that way. setns would join a namespace reached through a leaked fd;
     * mount and the new mount API (fsopen, open_tree, move_mount ...) could
     * cover or expose the host's files. clone and clone3 with namespace
     * flags are handled in arg_rules. */
    {CAP_BIT(CAP_SYS_ADMIN),
     false,
     {"mount",         "umount",   "umount2",     "unshare",     "setns",         "pivot_root",
      "fsopen",        "fsconfig", "fsmount",     "fspick",      "move_mount",    "open_tree",
      "mount_setattr", "quotactl", "quotactl_fd", "sethostname", "setdomainname", "fanotify_init",
      "clone",         "clone3",   NULL}},
    /* BPF programs run inside the kernel; the verifier has had many holes
     * (CVE-2021-3490, CVE-2021-31440). perf_event_open reads the host's
     * performance counters and kernel addresses. syslog reads the kernel log
     * (addresses that defeat KASLR) and can clear it. */
    {CAP_BIT(CAP_BPF) | CAP_BIT(CAP_SYS_ADMIN), false, {"bpf", NULL}},
    {CAP_BIT(CAP_PERFMON) | CAP_BIT(CAP_SYS_ADMIN), false, {"perf_event_open", NULL}},
    {CAP_BIT(CAP_SYSLOG) | CAP_BIT(CAP_SYS_ADMIN), false, {"syslog", NULL}},
    /* ptrace and reading/writing another process's memory. Before Linux 4.8
     * a tracer could change a traced call after seccomp had checked it and so
     * step around the filter; since 4.8 the filter runs again after the
     * tracer. Inside the container's PID namespace a process can only trace
     * its own container's processes of its own uid (ptrace_may_access), so,
     * like Docker, we allow these on >= 4.8 for debuggers (gdb, strace) and
     * gate them on CAP_SYS_PTRACE only on older kernels. */
    {CAP_BIT(CAP_SYS_PTRACE), true, {"ptrace", "process_vm_readv", "process_vm_writev", NULL}},
    /* kcmp compares kernel pointers across processes (an ASLR oracle);
     * pidfd_getfd steals an fd from another process; process_madvise acts on
     * another's memory. userfaultfd lets a process stall a kernel thread at a
     * page fault for as long as it likes, which turns narrow kernel races into
     * reliable exploits (CVE-2016-5195's kin, CVE-2021-22555's exploit), so
     * Docker keeps it for CAP_SYS_PTRACE too. */
    {CAP_BIT(CAP_SYS_PTRACE),
     false,
     {"kcmp", "pidfd_getfd", "process_madvise", "userfaultfd", NULL}},
    /* Kernel modules are code in ring 0: the end of any isolation. */
    {CAP_BIT(CAP_SYS_MODULE), false, {"init_module", "finit_module", "delete_module", NULL}},
    /* The host's machine: rebooting (in a PID namespace it only kills the
     * container's init), process accounting to a file, raw I/O ports. */
    {CAP_BIT(CAP_SYS_BOOT), false, {"reboot", NULL}},
    {CAP_BIT(CAP_SYS_PACCT), false, {"acct", NULL}},
    {CAP_BIT(CAP_SYS_RAWIO), false, {"iopl", "ioperm", NULL}},
    /* The clock is not namespaced: setting it sets the host's. */
    {CAP_BIT(CAP_SYS_TIME),
     false,
     {"settimeofday", "stime", "clock_settime", "clock_settime64", NULL}},
    /* NUMA memory placement: pin memory to the host's nodes. */
    {CAP_BIT(CAP_SYS_NICE),
     false,
     {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", NULL}},
    /* open_by_handle_at opens any file of a mounted filesystem by its
     * handle, outside the container's root: the 2014 "shocker" escape. */
    {CAP_BIT(CAP_DAC_READ_SEARCH), false, {"open_by_handle_at", NULL}},
    {CAP_BIT(CAP_SYS_CHROOT), false, {"chroot", NULL}},
    {CAP_BIT(CAP_SYS_TTY_CONFIG), false, {"vhangup", NULL}},
};

/* The namespace flags clone(2) accepts (CLONE_NEWTIME exists only for
 * unshare and clone3). */
#define CLONE_NAMESPACE_FLAGS                                                                      \
    ((uint64_t)(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |         \
                CLONE_NEWNET | CLONE_NEWCGROUP))

/* Rules on a call's arguments. A rule applies unless the container keeps one
 * of `unless_caps` (0: always). errno_ret 0 allows, else the call fails with
 * it. cmp.op 0 (_SCMP_CMP_MIN): no condition. */
struct arg_rule {
    const char *name;
    cap_mask unless_caps;
    int errno_ret;
    struct scmp_arg_cmp cmp;
};

static const struct arg_rule arg_rules[] = {
    /* personality: only the harmless personas. The others switch off ASLR
     * (ADDR_NO_RANDOMIZE) or make every readable page executable
     * (READ_IMPLIES_EXEC), undoing exploit mitigations. 0xffffffff only
     * asks for the current one. */
    {"personality", 0, 0, {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = PER_LINUX}},
    {"personality", 0, 0, {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = PER_LINUX32}},
    {"personality", 0, 0, {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = UNAME26}},
    {"personality", 0, 0, {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = UNAME26 | PER_LINUX32}},
    {"personality", 0, 0, {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = 0xffffffffu}},
    /* Without CAP_SYS_ADMIN, clone may make threads and processes but no
     * namespaces (flags are argument 0 on x86). clone3 passes its flags in
     * a struct in memory, which a filter cannot read, so it fails with
     * ENOSYS: glibc then falls back to clone, which the filter can check
     * (what Docker does). */
    {"clone",
     CAP_BIT(CAP_SYS_ADMIN),
     0,
     {.arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = CLONE_NAMESPACE_FLAGS, .datum_b = 0}},
    {"clone3", CAP_BIT(CAP_SYS_ADMIN), ENOSYS, {.op = _SCMP_CMP_MIN}},
    /* ioctl: every request but two. TIOCSTI pushes bytes into a terminal's
     * input queue, as if typed: given the terminal of whoever ran the
     * container, a command for their shell (CVE-2017-5226, CVE-2016-10124).
     * TIOCLINUX pastes into a virtual console the same way. The request is
     * an unsigned int that the kernel takes from the low 32 bits of the
     * register: compare those only, or 0x100005412 would pass as TIOCSTI
     * (CVE-2019-7303, snapd's filter). libseccomp checks the refusals
     * before the catch-all "any request" (>= 0). The answer is EIO, what
     * Linux 6.2+ answers when TIOCSTI is switched off (dev.tty.
     * legacy_tiocsti=0): libseccomp takes no rule whose action is the
     * default one, EPERM. */
    {"ioctl",
     0,
     EIO,
     {.arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = TIOCSTI}},
    {"ioctl",
     0,
     EIO,
     {.arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = TIOCLINUX}},
    {"ioctl", 0, 0, {.arg = 1, .op = SCMP_CMP_GE, .datum_a = 0}},
    /* socket: every family but AF_VSOCK, the sockets between a virtual
     * machine and its hypervisor: no namespace covers them, so a container
     * in a VM would reach the host's (or the hypervisor's) vsock services,
     * agents that often run as root. Docker refuses it too. The answer is
     * that of a kernel without vsock, which programs take as "no vsock
     * here". (On i386 the family travels inside socketcall's argument
     * block, in memory, which a filter cannot read; as in Docker's profile,
     * socketcall stays allowed.) */
    {"socket",
     0,
     EAFNOSUPPORT,
     {.arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = AF_VSOCK}},
    {"socket", 0, 0, {.arg = 0, .op = SCMP_CMP_GE, .datum_a = 0}},
};

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------
 * Building a filter with libseccomp.
 * ------------------------------------------------------------------------ */

static void cleanup_scmp_ctx(scmp_filter_ctx *ctx)
{
    if (*ctx)
        seccomp_release(*ctx);
}
#define cleanup_scmp __attribute__((cleanup(cleanup_scmp_ctx)))

/* A filter context whose program is a binary tree of syscall numbers, not
 * a list. The kernel pays for a list at every start: seccomp(2) runs the
 * program once per syscall number and architecture (seccomp_cache_prepare,
 * Linux 5.11) to find the calls it may allow without running the filter,
 * and each of those runs walks the list up to its number. With ~350 allowed
 * calls in three ABIs, that walk was 0.8 ms of every container's start
 * here; the tree (a longer program: 1190 instructions instead of 950)
 * makes it 0.2 ms, and each call the container makes later is a few
 * comparisons instead of up to a few hundred. */
static int new_filter(uint32_t default_action, scmp_filter_ctx *ctx, mb_error *err)
{
    int ret;

    *ctx = seccomp_init(default_action);
    if (!*ctx)
        return mb_fail(err, 0, "seccomp: cannot initialise libseccomp");
    ret = seccomp_attr_set(*ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (ret < 0)
        return mb_fail(err, -ret, "seccomp: ask libseccomp for a binary tree (libseccomp >= 2.5)");
    return 0;
}

/* The other ABIs the native one's kernel also runs: a 32-bit binary enters
 * through the i386 table, with its own syscall numbers, so a filter that
 * knows only x86_64 numbers would let it through (Docker's archMap). */
static int add_compat_arches(scmp_filter_ctx ctx, mb_error *err)
{
    static const uint32_t x86_64_compat[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
    static const uint32_t aarch64_compat[] = {SCMP_ARCH_ARM};
    const uint32_t *arches = NULL;
    size_t n = 0;

    if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
        arches = x86_64_compat;
        n = N_ELEMENTS(x86_64_compat);
    } else if (seccomp_arch_native() == SCMP_ARCH_AARCH64) {
        arches = aarch64_compat;
        n = N_ELEMENTS(aarch64_compat);
    }
    for (size_t i = 0; i < n; i++) {
        int ret = seccomp_arch_add(ctx, arches[i]);
        if (ret < 0 && ret != -EEXIST)
            return mb_fail(err, -ret, "seccomp: add architecture %#x", arches[i]);
    }
    return 0;
}

/* Add one rule; a name this libseccomp does not know is skipped, as runc
 * does (a profile lists calls of every kernel and architecture). */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int n_cmp,
                    const struct scmp_arg_cmp *cmp, mb_error *err)
{
    int nr = seccomp_syscall_resolve_name(name);
    int ret;

    if (nr == __NR_SCMP_ERROR)
        return 0;
    ret = seccomp_rule_add_array(ctx, action, nr, n_cmp, cmp);
    if (ret < 0)
        return mb_fail(err, -ret, "seccomp: rule for %s", name);
    return 0;
}

static int add_names(scmp_filter_ctx ctx, uint32_t action, const char *const *names, mb_error *err)
{
    for (; *names; names++) {
        int ret = add_rule(ctx, action, *names, 0, NULL, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Write the compiled program to a memfd and read it back: libseccomp 2.5
 * exports only to an fd. */
static int export_program(scmp_filter_ctx ctx, struct seccomp_program *prog, mb_error *err)
{
    cleanup_fd int fd = memfd_create("minibox-seccomp", MFD_CLOEXEC);
    struct sock_filter *filter;
    off_t size;
    int ret;

    if (fd < 0)
        return mb_fail(err, errno, "seccomp: memfd_create");
    ret = seccomp_export_bpf(ctx, fd);
    if (ret < 0)
        return mb_fail(err, -ret, "seccomp: export the filter");
    size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
        size / sizeof(struct sock_filter) > BPF_MAXINSNS)
        return mb_fail(err, 0, "seccomp: the compiled filter has %lld bytes", (long long)size);
    filter = malloc((size_t)size);
    if (!filter)
        return mb_fail(err, errno, "seccomp: allocate the filter");
    if (pread(fd, filter, (size_t)size, 0) != size) {
        free(filter);
        return mb_fail(err, errno, "seccomp: read the exported filter");
    }
    prog->filter = filter;
    prog->len = (unsigned short)(size / sizeof(struct sock_filter));
    return 0;
}

/* ------------------------------------------------------------------------
 * The default profile: compile.
 * ------------------------------------------------------------------------ */

/* ptrace is safe against the filter from Linux 4.8 on (see gated_groups). */
static bool kernel_at_least_4_8(void)
{
    struct utsname u;
    int major = 0, minor = 0;

    if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return false;
    return major > 4 || (major == 4 && minor >= 8);
}

static int add_default_rules(scmp_filter_ctx ctx, cap_mask caps, bool ptrace_safe, mb_error *err)
{
    int ret = add_names(ctx, SCMP_ACT_ALLOW, allowed_syscalls, err);

    for (size_t i = 0; ret == 0 && i < N_ELEMENTS(gated_groups); i++) {
        const struct gated_group *g = &gated_groups[i];
        if ((caps & g->unlocked_by) || (g->open_since_linux_4_8 && ptrace_safe))
            ret = add_names(ctx, SCMP_ACT_ALLOW, g->names, err);
    }
    for (size_t i = 0; ret == 0 && i < N_ELEMENTS(arg_rules); i++) {
        const struct arg_rule *r = &arg_rules[i];
        uint32_t action = r->errno_ret ? SCMP_ACT_ERRNO(r->errno_ret) : SCMP_ACT_ALLOW;
        if (caps & r->unless_caps)
            continue;
        ret = add_rule(ctx, action, r->name, r->cmp.op == _SCMP_CMP_MIN ? 0 : 1, &r->cmp, err);
    }
    return ret;
}

static int compile_default(cap_mask caps, bool ptrace_safe, struct seccomp_program *prog,
                           mb_error *err)
{
    cleanup_scmp scmp_filter_ctx ctx = NULL;
    int ret = new_filter(SCMP_ACT_ERRNO(DEFAULT_ERRNO), &ctx, err);

    if (ret < 0)
        return ret;
    ret = add_compat_arches(ctx, err);
    if (ret < 0)
        return ret;
    ret = add_default_rules(ctx, caps, ptrace_safe, err);
    if (ret < 0)
        return ret;
    return export_program(ctx, prog, err);
}

/* ------------------------------------------------------------------------
 * The default profile: the on-disk cache.
 * ------------------------------------------------------------------------ */

/* The file: this header, then `len` struct sock_filter. The key and the
 * checksum catch a file that was truncated, half written by a crash or
 * belongs to another profile; the kernel would otherwise refuse a broken
 * program only when the container starts, or worse, accept a wrong one. */
struct cache_header {
    char magic[8]; /* CACHE_MAGIC */
    uint64_t key;
    uint64_t checksum; /* FNV-1a 64 of the instructions */
    uint32_t len;
    uint32_t reserved;
};
#define CACHE_MAGIC "mbscmp2" /* 2: binary-tree programs (new_filter) */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t fnv1a_u64(uint64_t h, uint64_t v)
{
    return fnv1a(h, &v, sizeof(v));
}

static uint64_t fnv1a_str(uint64_t h, const char *s)
{
    return fnv1a(h, s, strlen(s) + 1);
}

static uint64_t hash_names(uint64_t h, const char *const *names)
{
    for (; *names; names++)
        h = fnv1a_str(h, *names);
    return fnv1a_str(h, ""); /* end of list */
}

/* The capabilities the profile looks at: two masks that differ only in
 * others (CAP_CHOWN, CAP_KILL ...) give the same program and the same file. */
static cap_mask caps_consulted(void)
{
    cap_mask m = 0;

    for (size_t i = 0; i < N_ELEMENTS(gated_groups); i++)
        m |= gated_groups[i].unlocked_by;
    for (size_t i = 0; i < N_ELEMENTS(arg_rules); i++)
        m |= arg_rules[i].unless_caps;
    return m;
}

/* Everything the program depends on: the tables (so editing them changes
 * the file name), the capabilities that matter, the ptrace decision,
 * libseccomp's version (its code generator) and the native architecture. */
static uint64_t default_profile_key(cap_mask caps, bool ptrace_safe)
{
    const struct scmp_version *v = seccomp_version();
    uint64_t h = fnv1a_str(FNV_OFFSET, CACHE_MAGIC);

    h = fnv1a_u64(h, DEFAULT_ERRNO);
    h = hash_names(h, allowed_syscalls);
    for (size_t i = 0; i < N_ELEMENTS(gated_groups); i++) {
        h = fnv1a_u64(h, gated_groups[i].unlocked_by);
        h = fnv1a_u64(h, gated_groups[i].open_since_linux_4_8);
        h = hash_names(h, gated_groups[i].names);
    }
    for (size_t i = 0; i < N_ELEMENTS(arg_rules); i++) {
        const struct arg_rule *r = &arg_rules[i];
        h = fnv1a_str(h, r->name);
        h = fnv1a_u64(h, r->unless_caps);
        h = fnv1a_u64(h, (uint64_t)r->errno_ret);
        h = fnv1a_u64(h, r->cmp.arg);
        h = fnv1a_u64(h, r->cmp.op);
        h = fnv1a_u64(h, r->cmp.datum_a);
        h = fnv1a_u64(h, r->cmp.datum_b);
    }
    h = fnv1a_u64(h, caps & caps_consulted());
    h = fnv1a_u64(h, ptrace_safe);
    h = fnv1a_u64(h, v ? v->major : 0);
    h = fnv1a_u64(h, v ? v->minor : 0);
    h = fnv1a_u64(h, v ? v->micro : 0);
    return fnv1a_u64(h, seccomp_arch_native());
}

/*
 * Whoever can write the cache decides which calls every later container
 * may make: an allow-all program planted there switches the filter off
 * silently. So a file (and the directory it is in, whose writers can rename
 * another file over it) is trusted only when it belongs to us or to root and
 * nobody else may write it. A cache dir under /tmp or a group-writable one
 * is not used at all: we compile every time instead.
 */
static bool only_we_can_write(const struct stat *st)
{
    return (st->st_uid == geteuid() || st->st_uid == 0) && (st->st_mode & 022) == 0;
}

/* Open (creating it 0700 when missing) the cache directory if we trust it;
 * -1 means: no cache this time. */
static int open_cache_dir(const char *cache_dir)
{
    cleanup_fd int dirfd = -1;
    struct stat st;

    if (mkdir(cache_dir, 0700) < 0 && errno != EEXIST)
        return -1;
    dirfd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0 || fstat(dirfd, &st) < 0 || !only_we_can_write(&st))
        return -1;
    return take_fd(&dirfd);
}

static int read_exact(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Load <name> if it is ours, sane and for this key; false otherwise. */
static bool load_cached(int dirfd, const char *name, uint64_t key, struct seccomp_program *prog)
{
    cleanup_fd int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_free struct sock_filter *filter = NULL;
    struct cache_header h;
    struct stat st;
    size_t bytes;

    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !only_we_can_write(&st))
        return false;
    if (st.st_size < (off_t)sizeof(h) || (st.st_size - sizeof(h)) % sizeof(*filter) != 0)
        return false;
    if (read_exact(fd, &h, sizeof(h)) < 0 || memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0)
        return false;
    bytes = (size_t)st.st_size - sizeof(h);
    if (h.key != key || h.len == 0 || h.len > BPF_MAXINSNS || h.len * sizeof(*filter) != bytes)
        return false;
    filter = malloc(bytes);
    if (!filter || read_exact(fd, filter, bytes) < 0 ||
        fnv1a(FNV_OFFSET, filter, bytes) != h.checksum)
        return false;
    prog->filter = filter;
    prog->len = (unsigned short)h.len;
    filter = NULL;
    return true;
}

/* Write to a temporary name and rename it over <name>: a reader sees the
 * old file or the new one, never half of one, and two minibox processes
 * compiling at once both end with a whole file. Failures are not errors:
 * the caller has its program either way. */
static void store_cached(int dirfd, const char *name, uint64_t key,
                         const struct seccomp_program *prog)
{
    size_t bytes = prog->len * sizeof(*prog->filter);
    struct cache_header h = {.magic = CACHE_MAGIC, .key = key, .len = prog->len};
    char tmp[128];
    cleanup_fd int fd = -1;
    mb_error ignored;

    h.checksum = fnv1a(FNV_OFFSET, prog->filter, bytes);
    if (path_format(tmp, sizeof(tmp), &ignored, ".%s.%d.tmp", name, (int)getpid()) < 0)
        return;
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (write_all(fd, &h, sizeof(h)) < 0 || write_all(fd, prog->filter, bytes) < 0 ||
        renameat(dirfd, tmp, dirfd, name) < 0)
        unlinkat(dirfd, tmp, 0);
}

int seccomp_program_default(const char *cache_dir, cap_mask caps, struct seccomp_program *prog,
                            mb_error *err)
{
    bool ptrace_safe = kernel_at_least_4_8();
    uint64_t key = default_profile_key(caps, ptrace_safe);
    cleanup_fd int dirfd = -1;
    char name[64];
    int ret;

    prog->filter = NULL;
    prog->len = 0;
    snprintf(name, sizeof(name), "seccomp-%016" PRIx64 ".bpf", key);
    if (cache_dir)
        dirfd = open_cache_dir(cache_dir);
    if (dirfd >= 0 && load_cached(dirfd, name, key, prog))
        return 0;
    ret = compile_default(caps, ptrace_safe, prog, err);
    if (ret < 0)
        return ret;
    if (dirfd >= 0)
        store_cached(dirfd, name, key, prog);
    return 0;
}

/* ------------------------------------------------------------------------
 * An OCI profile (config.json's linux.seccomp).
 * ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    uint32_t action;
    bool takes_errno; /* its low 16 bits are errnoRet */
} oci_actions[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
};

static const struct {
    const char *name;
    enum scmp_compare op;
} oci_ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* `where` names the field in messages, e.g. "syscalls[3]". */
static int oci_errno(json_t *obj, const char *key, int fallback, const char *where, int *out,
                     mb_error *err)
{
    json_t *v = json_object_get(obj, key);

    *out = fallback;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffff)
        return mb_fail(err, 0, "seccomp: %s%s is not an errno number", where, key);
    *out = (int)json_integer_value(v);
    return 0;
}

/* "SCMP_ACT_ERRNO" with errnoRet (or `errno_fallback`) -> SCMP_ACT_ERRNO(n). */
static int oci_action(json_t *obj, const char *key, const char *errno_key, int errno_fallback,
                      const char *where, uint32_t *out, mb_error *err)
{
    json_t *v = json_object_get(obj, key);
    const char *name = json_string_value(v);
    int errno_ret, ret;

    if (!name)
        return mb_fail(err, 0, "seccomp: %s%s must be a string", where, key);
    if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
        return mb_fail(err, 0, "seccomp: %s%s SCMP_ACT_NOTIFY is not supported", where, key);
    ret = oci_errno(obj, errno_key, errno_fallback, where, &errno_ret, err);
    if (ret < 0)
        return ret;
    for (size_t i = 0; i < N_ELEMENTS(oci_actions); i++) {
        if (strcmp(name, oci_actions[i].name) != 0)
            continue;
        *out = oci_actions[i].action;
        if (oci_actions[i].takes_errno)
            *out |= (uint32_t)errno_ret & 0xffff;
        return 0;
    }
    return mb_fail(err, 0, "seccomp: %s%s '%s' is not an action", where, key, name);
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64". An architecture this
 * libseccomp does not know, or one it cannot mix with the native one (the
 * other byte order), is skipped: such a process could not run here. */
static int oci_architectures(scmp_filter_ctx ctx, json_t *arches, mb_error *err)
{
    size_t i;
    json_t *v;

    if (arches && !json_is_array(arches))
        return mb_fail(err, 0, "seccomp: architectures must be an array");
    json_array_foreach (arches, i, v) {
        const char *name = json_string_value(v);
        char lower[32];
        uint32_t token;
        int ret;

        if (!name || strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof(lower))
            return mb_fail(err, 0, "seccomp: architectures[%zu] is not an SCMP_ARCH_ name", i);
        for (size_t j = 0; j <= strlen(name + 10); j++)
            lower[j] = (char)tolower((unsigned char)name[10 + j]);
        token = seccomp_arch_resolve_name(lower);
        if (token == 0)
            continue;
        ret = seccomp_arch_add(ctx, token);
        if (ret < 0 && ret != -EEXIST && ret != -EDOM)
            return mb_fail(err, -ret, "seccomp: add architecture %s", name);
    }
    return 0;
}

/* args[{index, value, valueTwo, op}] -> cmp[], at most 6. */
static int oci_args(json_t *args, const char *where, struct scmp_arg_cmp *cmp, unsigned int *n,
                    mb_error *err)
{
    size_t i;
    json_t *a;

    *n = 0;
    if (!args || json_is_null(args))
        return 0;
    if (!json_is_array(args) || json_array_size(args) > 6)
        return mb_fail(err, 0, "seccomp: %sargs must be an array of at most 6", where);
    json_array_foreach (args, i, a) {
        json_t *index = json_object_get(a, "index"), *value = json_object_get(a, "value");
        json_t *value2 = json_object_get(a, "valueTwo");
        const char *op = json_string_value(json_object_get(a, "op"));
        size_t k;

        if (!json_is_integer(index) || json_integer_value(index) < 0 ||
            json_integer_value(index) > 5)
            return mb_fail(err, 0, "seccomp: %sargs[%zu].index must be 0 to 5", where, i);
        if (!json_is_integer(value) || (value2 && !json_is_integer(value2)))
            return mb_fail(err, 0, "seccomp: %sargs[%zu].value must be an integer", where, i);
        for (k = 0; k < N_ELEMENTS(oci_ops) && (!op || strcmp(op, oci_ops[k].name) != 0); k++)
            ;
        if (k == N_ELEMENTS(oci_ops))
            return mb_fail(err, 0, "seccomp: %sargs[%zu].op '%s' is not a comparison", where, i,
                           op ? op : "");
        cmp[i] = (struct scmp_arg_cmp){
            .arg = (unsigned int)json_integer_value(index),
            .op = oci_ops[k].op,
            .datum_a = (uint64_t)json_integer_value(value),
            .datum_b = value2 ? (uint64_t)json_integer_value(value2) : 0,
        };
    }
    *n = (unsigned int)i;
    return 0;
}

/* libseccomp refuses two conditions on the same argument in one rule; the
 * OCI spec means "either" there, so runc adds each as a rule of its own. */
static bool args_share_an_index(const struct scmp_arg_cmp *cmp, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        for (unsigned int j = i + 1; j < n; j++)
            if (cmp[i].arg == cmp[j].arg)
                return true;
    return false;
}

static int oci_rule(scmp_filter_ctx ctx, json_t *rule, size_t idx, uint32_t default_action,
                    mb_error *err)
{
    json_t *names = json_object_get(rule, "names"), *name;
    struct scmp_arg_cmp cmp[6];
    unsigned int n_cmp;
    char where[40];
    uint32_t action;
    size_t i;
    int ret;

    snprintf(where, sizeof(where), "syscalls[%zu].", idx);
    if (!json_is_object(rule))
        return mb_fail(err, 0, "seccomp: syscalls[%zu] must be an object", idx);
    if (!json_is_array(names))
        return mb_fail(err, 0, "seccomp: %snames must be an array of names", where);
    /* Without errnoRet, SCMP_ACT_ERRNO means EPERM (runc), not defaultErrnoRet. */
    ret = oci_action(rule, "action", "errnoRet", EPERM, where, &action, err);
    if (ret < 0)
        return ret;
    ret = oci_args(json_object_get(rule, "args"), where, cmp, &n_cmp, err);
    if (ret < 0)
        return ret;
    /* libseccomp refuses a rule that repeats the default action. */
    if (action == default_action)
        return 0;
    json_array_foreach (names, i, name) {
        if (!json_is_string(name))
            return mb_fail(err, 0, "seccomp: %snames[%zu] must be a string", where, i);
        if (!args_share_an_index(cmp, n_cmp)) {
            ret = add_rule(ctx, action, json_string_value(name), n_cmp, cmp, err);
        } else {
            for (unsigned int k = 0; ret == 0 && k < n_cmp; k++)
                ret = add_rule(ctx, action, json_string_value(name), 1, &cmp[k], err);
        }
        if (ret < 0)
            return ret;
    }
    return 0;
}

int seccomp_program_from_oci(json_t *profile, struct seccomp_program *prog, mb_error *err)
{
    cleanup_scmp scmp_filter_ctx ctx = NULL;
    json_t *syscalls, *rule;
    uint32_t default_action;
    size_t i;
    int ret;

    prog->filter = NULL;
    prog->len = 0;
    if (!json_is_object(profile))
        return mb_fail(err, 0, "seccomp: the profile must be a JSON object");
    /* defaultErrnoRet: the errno of the default action (EPERM when absent). */
    ret = oci_action(profile, "defaultAction", "defaultErrnoRet", EPERM, "", &default_action, err);
    if (ret < 0)
        return ret;
    syscalls = json_object_get(profile, "syscalls");
    if (syscalls && !json_is_array(syscalls) && !json_is_null(syscalls))
        return mb_fail(err, 0, "seccomp: syscalls must be an array");
    /* "flags" (SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW, _TSYNC) are not
     * applied: TSYNC is moot in a single-threaded child, and ignoring LOG or
     * SPEC_ALLOW only keeps the safer kernel default. */
    ret = new_filter(default_action, &ctx, err);
    if (ret < 0)
        return ret;
    ret = oci_architectures(ctx, json_object_get(profile, "architectures"), err);
    if (ret < 0)
        return ret;
    json_array_foreach (syscalls, i, rule) {
        ret = oci_rule(ctx, rule, i, default_action, err);
        if (ret < 0)
            return ret;
    }
    return export_program(ctx, prog, err);
}

/* ------------------------------------------------------------------------
 * Installing.
 * ------------------------------------------------------------------------ */

/* In the child, last before execve: no allocation, no output, only the
 * kernel call. seccomp(2) exists since Linux 3.17; prctl is the older
 * door to the same filter mode. No TSYNC: the child has one thread. */
int seccomp_program_install(const struct seccomp_program *prog, mb_error *err)
{
    struct sock_fprog fprog;

    if (!prog->filter)
        return 0;
    fprog.len = prog->len;
    fprog.filter = prog->filter;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == 0)
        return 0;
    if (errno != ENOSYS)
        return mb_fail(err, errno, "seccomp: install the filter");
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
        return mb_fail(err, errno, "seccomp: install the filter");
    return 0;
}

void seccomp_program_free(struct seccomp_program *prog)
{
    free(prog->filter);
    prog->filter = NULL;
    prog->len = 0;
}
