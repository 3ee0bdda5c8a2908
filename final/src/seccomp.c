/* seccomp.c - placeholder until the filter lands: no filter at all. */
#include <stdlib.h>

#include "seccomp.h"

int seccomp_program_default(const char *cache_dir, cap_mask caps, struct seccomp_program *prog,
                            mb_error *err)
{
    (void)cache_dir;
    (void)caps;
    (void)err;
    prog->filter = NULL;
    prog->len = 0;
    return 0;
}

int seccomp_program_from_oci(json_t *profile, struct seccomp_program *prog, mb_error *err)
{
    (void)profile;
    (void)err;
    prog->filter = NULL;
    prog->len = 0;
    return 0;
}

int seccomp_program_install(const struct seccomp_program *prog, mb_error *err)
{
    (void)prog;
    (void)err;
    return 0;
}

void seccomp_program_free(struct seccomp_program *prog)
{
    free(prog->filter);
    prog->filter = NULL;
}
