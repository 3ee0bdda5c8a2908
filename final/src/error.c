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
