/* command.c - exec the command (from chapter 3 with an environment of its own); see
 * command.h. */

#include <errno.h>
#include <unistd.h>

#include "command.h"

void child_fail(const mb_error *err)
{
    mb_error_print(err);
    _exit(err->status);
}

void command_exec(const struct container_config *cfg)
{
    mb_error err;
    int saved_errno;

    execvp(cfg->argv[0], cfg->argv);
    saved_errno = errno;
    if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        mb_fail_status(&err, MB_EXIT_NOT_FOUND, saved_errno, "exec %s", cfg->argv[0]);
    else
        mb_fail_status(&err, MB_EXIT_CANNOT_EXEC, saved_errno, "exec %s", cfg->argv[0]);
    child_fail(&err);
}
