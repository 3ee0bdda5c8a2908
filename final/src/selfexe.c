/* selfexe.c - see selfexe.h. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "selfexe.h"
#include "util.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

char **selfexe_argv;

/* Are we running from a copy that nobody can write to? */
static int selfexe_is_sealed(void)
{
    cleanup_fd int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    int seals = fd < 0 ? -1 : fcntl(fd, F_GET_SEALS);

    return seals >= 0 && (seals & SEALS) == SEALS;
}

/* How much of the ELF file the kernel and the loader read: up to the end of
 * the last segment. What follows (debug info, the section headers) is for
 * debuggers; leaving it out makes the copy a quarter of a -g build. The
 * whole file when it does not parse. */
static off_t selfexe_loaded_size(int fd, off_t file_size)
{
    Elf64_Ehdr eh;
    off_t end = 0;

    if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_phentsize != sizeof(Elf64_Phdr))
        return file_size;
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))) !=
            (ssize_t)sizeof(ph))
            return file_size;
        if ((off_t)(ph.p_offset + ph.p_filesz) > end)
            end = (off_t)(ph.p_offset + ph.p_filesz);
    }
    if ((off_t)(eh.e_phoff + (Elf64_Off)eh.e_phnum * sizeof(Elf64_Phdr)) > end)
        end = (off_t)(eh.e_phoff + (Elf64_Off)eh.e_phnum * sizeof(Elf64_Phdr));
    return end > 0 && end <= file_size ? end : file_size;
}

/* A memfd holding a copy of the binary, sealed against every change. */
static int selfexe_sealed_copy(mb_error *err)
{
    cleanup_fd int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    cleanup_fd int copy = -1;
    struct stat st;
    off_t done = 0, size;

    if (self < 0 || fstat(self, &st) < 0)
        return mb_fail(err, errno, "open /proc/self/exe");
    size = selfexe_loaded_size(self, st.st_size);
    copy = memfd_create("minibox", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (copy < 0)
        return mb_fail(err, errno, "memfd_create");
    while (done < size) {
        ssize_t n = sendfile(copy, self, &done, (size_t)(size - done));
        if (n <= 0)
            return mb_fail(err, n < 0 ? errno : EIO, "copy /proc/self/exe");
    }
    if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
        return mb_fail(err, errno, "seal the copy of minibox");
    return take_fd(&copy);
}

/* Could anything in a container write the binary at all? Not on a
 * read-only mount, and not when minibox runs as a user who may not write it
 * (the container's ids are that user's or less). Then the copy, and the
 * second execve, can be skipped, as runc does. */
static int selfexe_is_writable(void)
{
    struct statvfs vfs;
    struct stat st;

    if (statvfs("/proc/self/exe", &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        return 0;
    if (geteuid() == 0 || stat("/proc/self/exe", &st) < 0)
        return 1;
    /* Group-writable counts whatever the group: a rootless container keeps
     * the user's supplementary groups. */
    return st.st_uid == geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH));
}

bool selfexe_exposed(void)
{
    return selfexe_is_writable() && !selfexe_is_sealed();
}

int selfexe_ensure_sealed(char **argv, mb_error *err)
{
    cleanup_fd int copy = -1;

    if (!selfexe_exposed())
        return 0;
    copy = selfexe_sealed_copy(err);
    if (copy < 0)
        return -1;
    /* The fd is close-on-exec: the new image holds the memfd through its
     * mapping only, so no fd of it is left for the container to find. */
    fexecve(copy, argv, environ);
    return mb_fail(err, errno, "re-execute minibox from its sealed copy");
}

#ifdef MB_EXEC_STUB
/* The stub's bytes, linked in by the Makefile (.incbin). */
extern const char exec_stub_start[], exec_stub_end[];

int selfexe_stub_fd(mb_error *err)
{
    cleanup_fd int fd = memfd_create("minibox-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    size_t size = (size_t)(exec_stub_end - exec_stub_start);

    if (fd < 0)
        return mb_fail(err, errno, "memfd_create");
    if (write_all(fd, exec_stub_start, size) < 0 || fcntl(fd, F_ADD_SEALS, SEALS) < 0)
        return mb_fail(err, errno, "seal minibox-exec");
    return take_fd(&fd);
}
#else
int selfexe_stub_fd(mb_error *err)
{
    return mb_fail(err, ENOSYS, "this build of minibox carries no minibox-exec");
}
#endif
