/* signals.c - see signals.h. */
#include <errno.h>
#include <sys/wait.h>

#include "signals.h"

/* What a terminal, a supervisor or `kill` may send to minibox and expect the
 * command to receive. SIGKILL and SIGSTOP cannot be caught, so cannot be
 * forwarded: killing minibox kills the container through PR_SET_PDEATHSIG. */
static const int forwarded_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
};

#define N_FORWARDED (sizeof(forwarded_signals) / sizeof(forwarded_signals[0]))

static void forwarded_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaddset(set, forwarded_signals[i]);
    sigaddset(set, SIGCHLD);
}

int signals_block(sigset_t *saved, mb_error *err)
{
    sigset_t set;

    forwarded_set(&set);
    if (sigprocmask(SIG_BLOCK, &set, saved) < 0)
        return mb_fail(err, errno, "sigprocmask");
    return 0;
}

int signals_exit_status(int wstatus)
{
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

/* Reap every child that has exited. Returns 1 once `child` is among them. */
static int reap_children(pid_t child, int *status)
{
    int done = 0, wstatus;
    pid_t pid;

    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        if (pid == child) {
            *status = signals_exit_status(wstatus);
            done = 1;
        }
    }
    return done;
}

int signals_forward_until_exit(pid_t child, int *status, mb_error *err)
{
    sigset_t set;

    forwarded_set(&set);
    /* The child may have exited before we got here: its SIGCHLD is pending
     * and sigwaitinfo returns it at once. */
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&set, &info);

        if (sig < 0 && errno == EINTR)
            continue;
        if (sig < 0)
            return mb_fail(err, errno, "sigwaitinfo");
        if (sig == SIGCHLD) {
            if (reap_children(child, status))
                return 0;
            continue;
        }
        /* A terminal sends SIGINT/SIGQUIT/SIGWINCH to the whole foreground
         * process group, which the container is in already: passing on a
         * signal the kernel sent (SI_KERNEL) would deliver it twice. */
        if (info.si_code == SI_KERNEL)
            continue;
        kill(child, sig);
    }
}

void signals_reset_for_exec(const sigset_t *saved)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};

    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL); /* fails harmlessly for KILL, STOP, RT gaps */
    sigprocmask(SIG_SETMASK, saved, NULL);
}

