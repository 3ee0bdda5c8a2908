/*
 * cmd_oci.c - the OCI runtime command line (chapter 10). Placeholder until
 * the OCI runtime lands: every verb fails with one line.
 */
#include <stdbool.h>

#include "commands.h"

#define OCI_TODO(name)                                                                             \
    int name(const struct mb_globals *globals, int argc, char **argv, mb_error *err)               \
    {                                                                                              \
        (void)globals;                                                                             \
        (void)argc;                                                                                \
        return mb_fail(err, 0, "%s: the OCI runtime is not built yet", argv[0]);                   \
    }

OCI_TODO(cmd_oci_create)
OCI_TODO(cmd_oci_start)
OCI_TODO(cmd_oci_state)
OCI_TODO(cmd_oci_kill)
OCI_TODO(cmd_oci_delete)
OCI_TODO(cmd_oci_exec)
OCI_TODO(cmd_oci_pause)
OCI_TODO(cmd_oci_resume)
OCI_TODO(cmd_oci_features)

bool oci_container_exists(const struct mb_globals *globals, const char *id)
{
    (void)globals;
    (void)id;
    return false;
}

void oci_log_error(const struct mb_globals *globals, const mb_error *err)
{
    (void)globals;
    (void)err;
}
