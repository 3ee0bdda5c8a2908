/*
 * exec_stub.c - minibox-exec, the last program a container's first process
 * runs before the command (full engine only; see selfexe.h).
 *
 * CVE-2019-5736: whatever runs in a container while its executable is the
 * host's minibox binary lets the container reach that binary through
 * /proc/PID/exe ("#!/proc/self/exe" is enough) and overwrite it. The full
 * engine runs `run` from a sealed memfd copy of minibox to close that, at
 * the price of a second execve of a dynamically linked program (the loader,
 * libc's start-up: about 1.3 ms here). Instead, minibox hands the command
 * to this program, executed from a sealed memfd of its own: /proc/self/exe
 * of the container's first process is then this stub, which nothing can
 * write, and whose only job is one execve.
 *
 * It is built without libc (-nostdlib -ffreestanding): no dynamic loader,
 * no libc start-up, a few hundred bytes of code. It is called as
 *
 *     minibox-exec REPORT-FD PATH ARGV0 [ARG...]       (environment: the command's)
 *
 * and execs PATH with ARGV0 ARG... (a file the kernel cannot execute is
 * run by /bin/sh, as execvp does). If that fails it writes minibox's
 * error report (error.h) to REPORT-FD, which minibox's parent reads, and
 * exits 126 or 127. Run any other way (as the interpreter of a
 * "#!/proc/self/exe" script, say) it refuses and exits 126: it never loops
 * and never runs anything it was not given by minibox.
 */
#include <asm/unistd.h>
#include <stddef.h>

#include "../src/error.h"

#define F_SETFD    2
#define FD_CLOEXEC 1
#define E_NOENT    2
#define E_NOEXEC   8
#define E_ACCES    13
#define E_NOTDIR   20

#if defined(__x86_64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov %rsp, %rdi\n" /* argc, argv..., 0, envp..., 0 */
        "  and $-16, %rsp\n"
        "  call stub_main\n"
        "  hlt\n");

static long sys3(long n, long a, long b, long c)
{
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  mov x29, #0\n"
        "  mov x0, sp\n"
        "  bl stub_main\n");

static long sys3(long n, long a, long b, long c)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;

    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
#else
#error "minibox-exec: no system call stub for this architecture"
#endif

/* The compiler may call these for copies and clears. */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *s, int c, size_t n)
{
    unsigned char *p = s;

    while (n--)
        *p++ = (unsigned char)c;
    return s;
}
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *q = d;
    const unsigned char *p = s;

    while (n--)
        *q++ = *p++;
    return d;
}

static size_t len(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

static __attribute__((noreturn)) void stop(int status)
{
    for (;;)
        sys3(__NR_exit_group, status, 0, 0);
}

/* "exec ARGV0: REASON", as minibox words the same failure. */
static __attribute__((noreturn)) void report(long fd, const char *argv0, long errnum)
{
    static const struct {
        int errnum;
        const char *text;
    } reasons[] = {{E_NOENT, "No such file or directory"},
                   {E_NOEXEC, "Exec format error"},
                   {E_ACCES, "Permission denied"},
                   {E_NOTDIR, "Not a directory"}};
    const char *reason = "cannot execute";
    mb_error err;
    size_t used = 0;

    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].errnum == errnum)
            reason = reasons[i].text;
    memset(&err, 0, sizeof(err));
    err.status = errnum == E_NOENT || errnum == E_NOTDIR ? MB_EXIT_NOT_FOUND : MB_EXIT_CANNOT_EXEC;
    for (const char *parts[] = {"exec ", argv0, ": ", reason, NULL}, **p = parts; *p; p++)
        for (size_t i = 0; (*p)[i] && used < sizeof(err.msg) - 1; i++)
            err.msg[used++] = (*p)[i];
    sys3(__NR_write, fd, (long)&err, sizeof(err));
    stop(err.status);
}

__attribute__((noreturn, used)) void stub_main(long *sp);
__attribute__((noreturn, used)) void stub_main(long *sp)
{
    long argc = sp[0], fd = 0;
    char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
    static const char self[] = "minibox-exec";
    static const char refused[] = "minibox-exec: runs only what minibox hands it\n";
    long ret;

    if (argc < 4 || len(argv[0]) != sizeof(self) - 1)
        goto refuse;
    for (size_t i = 0; i < sizeof(self) - 1; i++)
        if (argv[0][i] != self[i])
            goto refuse;
    for (const char *d = argv[1]; *d; d++) {
        if (*d < '0' || *d > '9' || fd > 100000)
            goto refuse;
        fd = fd * 10 + (*d - '0');
    }
    /* The report fd was kept open across this execve only: the command's
     * own execve closes it, which tells minibox the command started. */
    sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
    ret = sys3(__NR_execve, (long)argv[2], (long)(argv + 3), (long)envp);
    if (ret == -E_NOEXEC) {
        /* A script without "#!": the shell runs it, as execvp does. ARGV0
         * becomes "/bin/sh", PATH its first argument. */
        argv[1] = "/bin/sh";
        for (long i = 3; i < argc; i++)
            argv[i] = argv[i + 1];
        sys3(__NR_execve, (long)"/bin/sh", (long)(argv + 1), (long)envp);
        report(fd, argv[2], -ret);
    }
    report(fd, argv[3], -ret);

refuse:
    sys3(__NR_write, 2, (long)refused, sizeof(refused) - 1);
    stop(MB_EXIT_CANNOT_EXEC);
}
