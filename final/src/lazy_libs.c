/* lazy_libs.c - see lazy_libs.h. Built only in the full engine. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"

/* The real names here: the struct, not the macros that call through it. */
#define LAZY_LIBS_IMPL
#include "lazy_libs.h"

/* Debian 12's sonames (libarchive13, libssl3). */
#define ARCHIVE_SONAME "libarchive.so.13"
#define CRYPTO_SONAME  "libcrypto.so.3"
#define SYSTEMD_SONAME "libsystemd.so.0"

__attribute__((noreturn)) static void lazy_fail(const char *what, const char *package)
{
    fprintf(stderr, "minibox: cannot load %s: %s (fix: apt-get install %s)\n", what, dlerror(),
            package);
    exit(MB_EXIT_FAILED);
}

static void *lazy_open(const char *soname, const char *package)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

    if (lib == NULL)
        lazy_fail(soname, package);
    return lib;
}

const struct lazy_libs *lazy_libs(void)
{
    static struct lazy_libs libs;
    static int loaded;
    void *archive, *crypto;

    if (loaded)
        return &libs;
    archive = lazy_open(ARCHIVE_SONAME, "libarchive13");
    crypto = lazy_open(CRYPTO_SONAME, "libssl3");
#define LAZY_LOOKUP(lib, f)                                                                        \
    if ((*(void **)&libs.f = dlsym(lib, #f)) == NULL)                                              \
        lazy_fail(#f, "a libarchive13 and libssl3 of Debian 12 or later");
#define LAZY_ARCHIVE(f) LAZY_LOOKUP(archive, f)
#define LAZY_CRYPTO(f)  LAZY_LOOKUP(crypto, f)
    LAZY_ARCHIVE_FUNCS(LAZY_ARCHIVE)
    LAZY_CRYPTO_FUNCS(LAZY_CRYPTO)
    loaded = 1;
    return &libs;
}

const struct lazy_systemd *lazy_systemd(mb_error *err)
{
    static struct lazy_systemd funcs;
    static int loaded;
    void *lib;

    if (loaded)
        return &funcs;
    lib = dlopen(SYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL && err == NULL)
        lazy_fail(SYSTEMD_SONAME, "libsystemd0");
    if (lib == NULL) {
        mb_fail(err, 0,
                "cannot load %s: %s (fix: apt-get install libsystemd0, or "
                "--cgroup-manager cgroupfs)",
                SYSTEMD_SONAME, dlerror());
        return NULL;
    }
#define LAZY_SYSTEMD(f)                                                                            \
    if ((*(void **)&funcs.f = dlsym(lib, #f)) == NULL)                                             \
        lazy_fail(#f, "a libsystemd0 of Debian 12 or later");
    LAZY_SYSTEMD_FUNCS(LAZY_SYSTEMD)
    loaded = 1;
    return &funcs;
}
