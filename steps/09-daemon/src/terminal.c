/*
 * terminal.c - see terminal.h.
 *
 * Raw mode turns off the line discipline of the user's terminal: no echo,
 * no line editing, no signals from ^C. Every byte goes to the container's
 * pty, whose own line discipline does all that for the shell inside, so ^C
 * becomes SIGINT in the container, not in the client.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "terminal.h"
#include "util.h"

static struct termios saved;
static int saved_ok;
static volatile sig_atomic_t winch;

/* TCSADRAIN, not TCSAFLUSH, both ways (as ssh does): what the user typed or
 * pasted before the shell was up, or after it ended, is input for someone;
 * flushing it loses keystrokes. Only the pending output is waited for. */
static void terminal_restore(void)
{
    if (saved_ok)
        tcsetattr(0, TCSADRAIN, &saved);
    saved_ok = 0;
}

static void on_fatal(int sig)
{
    terminal_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_winch(int sig)
{
    (void)sig;
    winch = 1;
}

static void pass_window_size(int master)
{
    struct winsize ws;

    if (ioctl(0, TIOCGWINSZ, &ws) == 0)
        ioctl(master, TIOCSWINSZ, &ws);
}

static int terminal_raw(void)
{
    struct termios raw;

    if (!isatty(0) || tcgetattr(0, &saved) < 0)
        return 0;
    saved_ok = 1;
    atexit(terminal_restore);
    signal(SIGTERM, on_fatal);
    signal(SIGHUP, on_fatal);
    signal(SIGQUIT, on_fatal);
    raw = saved;
    cfmakeraw(&raw);
    return tcsetattr(0, TCSADRAIN, &raw);
}

/* Copy what is readable on `from` to `to`; 0 at EOF or error. */
static int pump(int from, int to)
{
    char buf[4096];
    ssize_t n = read(from, buf, sizeof(buf));

    if (n < 0 && errno == EINTR)
        return 1;
    if (n <= 0)
        return 0;
    return write_all(to, buf, (size_t)n) == 0;
}

int terminal_session(int master, int sock)
{
    struct sigaction sa = {.sa_handler = on_winch};
    int stdin_open = 1, master_open = 1;

    sigaction(SIGWINCH, &sa, NULL);
    terminal_raw();
    pass_window_size(master);
    for (;;) {
        struct pollfd fds[3] = {{stdin_open ? 0 : -1, POLLIN, 0},
                                {master_open ? master : -1, POLLIN, 0},
                                {sock, POLLIN, 0}};

        if (winch) {
            winch = 0;
            pass_window_size(master);
        }
        if (poll(fds, 3, -1) < 0 && errno != EINTR)
            break;
        if (fds[0].revents && !pump(0, master))
            stdin_open = 0;
        if (fds[1].revents && !pump(master, 1))
            master_open = 0; /* EIO: the container's side is gone */
        if (fds[2].revents) {
            /* the daemon's final reply: first show what the pty still holds */
            struct pollfd m = {master, POLLIN, 0};
            while (master_open && poll(&m, 1, 50) > 0 && pump(master, 1))
                ;
            break;
        }
    }
    terminal_restore();
    return 0;
}
