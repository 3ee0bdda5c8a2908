/*
 * oci_cmdline.h - the option syntax runc set for every OCI runtime:
 * "--name value" and "--name=value", flags before the container id.
 */
#ifndef MB_OCI_CMDLINE_H
#define MB_OCI_CMDLINE_H

#include <stdbool.h>

#include "error.h"

/* One accepted option: `value` gets its argument, or `flag` is set; both
 * NULL: accepted and ignored (a flag minibox has no use for). */
struct oci_option {
    const char *name;
    const char **value;
    bool *flag;
};

/* Parse argv[1..] up to the first non-option; returns its index. An option
 * not in `options` (NULL-name terminated) is an error. */
int oci_parse_options(int argc, char **argv, const struct oci_option *options, mb_error *err);

/* A whole number >= 0. */
int oci_parse_count(const char *text, const char *what, int *out, mb_error *err);

#endif
