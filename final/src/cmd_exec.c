/* cmd_exec.c - `minibox exec` (chapter 10). Being written. */
#include "commands.h"

int cmd_exec(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    (void)argc;
    return cmd_oci_exec(globals, argc, argv, err);
}
