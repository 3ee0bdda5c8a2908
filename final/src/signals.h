/*
 * signals.h - passing signals on to the container and collecting its status.
 *
 * minibox blocks the signals it forwards (and SIGCHLD) before it creates the
 * container, then takes them one at a time with sigwaitinfo(2): no handler
 * runs at an awkward moment, and no signal is lost between clone and wait.
 */
#ifndef MB_SIGNALS_H
#define MB_SIGNALS_H

#include "mb_step.h"
#include <signal.h>
#include <sys/types.h>

#include "error.h"

/* Block the forwarded signals and SIGCHLD; the old mask goes to *saved. */
int signals_block(sigset_t *saved, mb_error *err);

/* Forward signals to `child` until it exits, reaping any other child on the
 * way (an init must). *status gets the shell-style status: the exit code, or
 * 128+N when signal N killed it. */
int signals_forward_until_exit(pid_t child, int *status, mb_error *err);

/* In a process about to exec: default dispositions and the saved mask. */
void signals_reset_for_exec(const sigset_t *saved);

/* Shell-style status from a waitpid(2) status. */
int signals_exit_status(int wstatus);

#if MB_STEP >= 9
/* A signal as kill(1) takes it: "TERM", "SIGTERM", "sigterm" or "15". */
int signals_parse(const char *text, int *sig, mb_error *err);
#endif

#endif
