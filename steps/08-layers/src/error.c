/* error.c - filling and printing mb_error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static int fail_v(mb_error *err, int status, int errnum, const char *fmt, va_list ap)
{
    int saved_errno = errno; /* callers may still look at it */
    size_t used;

    err->status = status;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    used = strlen(err->msg);
    if (errnum != 0 && used < sizeof(err->msg))
        snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", strerror(errnum));
    /* One line, always: messages quote user input and other programs' text. */
    for (char *p = err->msg; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    errno = saved_errno;
    return -1;
}

int mb_fail(mb_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fail_v(err, MB_EXIT_FAILED, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int mb_fail_status(mb_error *err, int status, int errnum, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fail_v(err, status, errnum, fmt, ap);
    va_end(ap);
    return -1;
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

