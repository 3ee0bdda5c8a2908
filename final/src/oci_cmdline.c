/* oci_cmdline.c - see oci_cmdline.h. */
#include <stdlib.h>
#include <string.h>

#include "oci_cmdline.h"

static int take_option(int argc, char **argv, int at, const struct oci_option *o, mb_error *err)
{
    size_t len = strlen(o->name);
    const char *arg = argv[at];

    if (strncmp(arg, o->name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
        return 0;
    if (o->flag != NULL) {
        *o->flag = arg[len] == '\0' || strcmp(arg + len + 1, "true") == 0;
        return 1;
    }
    if (arg[len] == '=') {
        if (o->value != NULL)
            *o->value = arg + len + 1;
        return 1;
    }
    /* The bare name: an option taken and ignored (no value slot) stops
     * here; one with a slot takes the next argument. */
    if (o->value == NULL)
        return 1;
    if (at + 1 >= argc)
        return mb_fail(err, 0, "%s: option %s needs a value", argv[0], o->name);
    *o->value = argv[at + 1];
    return 2;
}

int oci_parse_options(int argc, char **argv, const struct oci_option *options, mb_error *err)
{
    int at = 1;

    while (at < argc && argv[at][0] == '-' && argv[at][1] != '\0') {
        int used = 0;

        if (strcmp(argv[at], "--") == 0)
            return at + 1;
        for (const struct oci_option *o = options; o->name != NULL && used == 0; o++) {
            used = take_option(argc, argv, at, o, err);
            if (used < 0)
                return used;
        }
        if (used == 0)
            return mb_fail(err, 0, "%s: unknown option '%s'", argv[0], argv[at]);
        at += used;
    }
    return at;
}

int oci_parse_count(const char *text, const char *what, int *out, mb_error *err)
{
    char *end;
    long n = strtol(text, &end, 10);

    if (*text == '\0' || *end != '\0' || n < 0 || n > 65535)
        return mb_fail(err, 0, "bad %s '%s': a whole number", what, text);
    *out = (int)n;
    return 0;
}
