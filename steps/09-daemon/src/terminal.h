/*
 * terminal.h - the client's side of `run -it` (chapter 9): the user's
 * terminal in raw mode, bytes both ways between it and the pty master the
 * daemon handed over, the window size passed on, and the terminal restored
 * on every way out.
 */
#ifndef MB_TERMINAL_H
#define MB_TERMINAL_H

/* Relay until a message arrives on `sock` (the daemon's final reply); the
 * caller then reads it. The terminal is restored before returning. */
int terminal_session(int master, int sock);

#endif
