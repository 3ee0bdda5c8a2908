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

#include "error.h"

/* Re-execute this process from a sealed memfd copy of /proc/self/exe,
 * unless it already runs from one. Returns only when nothing had to be
 * done, or on failure. */
int selfexe_ensure_sealed(char **argv, mb_error *err);

#endif
