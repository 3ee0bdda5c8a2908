/* error.c - filling and printing mb_error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void mb_error_set(mb_error *err, int status, int errnum, const char *fmt, ...)
{
    int saved_errno = errno; /* callers may still look at it */
    va_list ap;
    size_t used;

    err->status = status;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    used = strlen(err->msg);
    if (errnum != 0 && used < sizeof(err->msg))
        snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", strerror(errnum));
    /* One line, always: messages quote user input and other programs' text. */
    for (char *p = err->msg; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    errno = saved_errno;
}

void mb_error_print(const mb_error *err)
{
    /* One line, always: messages may embed user input with newlines. */
    char line[sizeof(err->msg)];
    size_t i;

    for (i = 0; err->msg[i] != '\0' && i < sizeof(line) - 1; i++)
        line[i] = (err->msg[i] == '\n') ? ' ' : err->msg[i];
    line[i] = '\0';
    fprintf(stderr, "minibox: %s\n", line);
}

