/* mountinfo.c - see mountinfo.h. */
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

/* The kernel escapes space, tab, newline and backslash in paths as \ooo. */
static void unescape_octal(char *s)
{
    char *out = s;

    for (char *in = s; *in != '\0'; in++) {
        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
            in[3] >= '0' && in[3] <= '7') {
            *out++ = (char)(((in[1] - '0') << 6) | ((in[2] - '0') << 3) | (in[3] - '0'));
            in += 3;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
}

static char *next_field(char **cursor)
{
    char *start = *cursor, *end;

    while (*start == ' ')
        start++;
    if (*start == '\0' || *start == '\n')
        return NULL;
    end = start + strcspn(start, " \n");
    if (*end != '\0')
        *end++ = '\0';
    *cursor = end;
    return start;
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *entry)
{
    char *cursor = line, *field[6], *optional;
    int i;

    for (i = 0; i < 6; i++) {
        field[i] = next_field(&cursor);
        if (field[i] == NULL)
            return -1;
    }
    /* Skip the optional fields up to the "-" separator. */
    do
        optional = next_field(&cursor);
    while (optional != NULL && strcmp(optional, "-") != 0);
    if (optional == NULL)
        return -1;
    entry->id = atoi(field[0]);
    entry->parent = atoi(field[1]);
    entry->root = field[3];
    entry->mount_point = field[4];
    entry->options = field[5];
    entry->fstype = next_field(&cursor);
    entry->source = next_field(&cursor);
    entry->super_options = next_field(&cursor);
    if (entry->fstype == NULL || entry->source == NULL || entry->super_options == NULL)
        return -1;
    unescape_octal(entry->root);
    unescape_octal(entry->mount_point);
    unescape_octal(entry->source);
    return 0;
}

int mount_options_have(const char *options, const char *name)
{
    size_t len = strlen(name);

    for (const char *p = options; p != NULL; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return 1;
    }
    return 0;
}
