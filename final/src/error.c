/* error.c - filling and printing mb_error. */
#include "mb_step.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#if MB_STEP >= 10
#include <jansson.h>
#include <time.h>
#endif

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

#if MB_STEP >= 10
void mb_error_log(const char *path, bool json, const mb_error *err)
{
    char when[64];
    struct timespec now;
    struct tm tm;
    FILE *f = fopen(path, "ae");

    if (f == NULL)
        return;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (json) {
        json_t *line =
            json_pack("{s:s, s:s, s:s}", "level", "error", "msg", err->msg, "time", when);

        json_dumpf(line, f, JSON_COMPACT);
        json_decref(line);
        fputc('\n', f);
    } else {
        fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", when, err->msg);
    }
    fclose(f);
}
#endif
