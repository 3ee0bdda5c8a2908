/*
 * selfexe.h - run minibox from a sealed copy of itself (chapter 10).
 *
 * CVE-2019-5736: a process inside the container that gets hold of
 * /proc/<pid>/exe of a runtime process (the runtime's own code running in
 * the container, e.g. through a command that is "#!/proc/self/exe") can
 * reopen it for writing once the runtime exits and overwrite the host's
 * binary. Running from a sealed memfd copy leaves nothing to overwrite:
 * /proc/<pid>/exe is the memfd, and its seals forbid every write.
 */
#ifndef MB_SELFEXE_H
#define MB_SELFEXE_H

#include <stdbool.h>

#include "error.h"

/* Re-execute this process from a sealed memfd copy of /proc/self/exe,
 * unless it already runs from one. Returns only when nothing had to be
 * done, or on failure. */
int selfexe_ensure_sealed(char **argv, mb_error *err);

/* main's argv, for a verb that decides to re-execute later (run). */
extern char **selfexe_argv;

/* Is there anything to protect: minibox runs from a file a container
 * could write (not sealed, not on a read-only mount, not out of reach of
 * the ids the container gets)? */
bool selfexe_exposed(void);

/* `run` protects the binary more cheaply: the container's first process
 * execs its command through minibox-exec (stub/exec_stub.c), a program
 * without libc run from a sealed memfd, so that /proc/self/exe in the
 * container is never minibox's file, without minibox re-executing itself
 * (a second dynamic load: about 1.3 ms a run here). Returns the memfd
 * (close-on-exec), or -1 with err when this build carries no stub. */
int selfexe_stub_fd(mb_error *err);

#endif
