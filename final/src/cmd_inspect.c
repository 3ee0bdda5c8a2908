/* cmd_inspect.c - `minibox inspect` (chapter 10). Being written. */
#include "commands.h"

int cmd_inspect(const struct mb_globals *globals, int argc, char **argv, mb_error *err)
{
    (void)globals;
    (void)argc;
    (void)argv;
    return mb_fail(err, 0, "inspect: not built yet");
}
