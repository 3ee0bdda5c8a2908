/*
 * error.h - how minibox reports a failure.
 *
 * Every function that can fail returns an int (negative on failure) and takes
 * an mb_error out-parameter last, so the happy path reads top to bottom:
 *
 *     ret = rootfs_enter(cfg, err);
 *     if (ret < 0)
 *         return ret;
 *
 * The error carries the exit status minibox will end with (125 when minibox
 * itself failed, 126/127 when the command could not be executed) and the one
 * line printed on stderr.
 */
#ifndef MB_ERROR_H
#define MB_ERROR_H

enum {
    MB_EXIT_FAILED = 125,      /* minibox itself failed */
    MB_EXIT_CANNOT_EXEC = 126, /* the command exists but cannot be executed */
    MB_EXIT_NOT_FOUND = 127,   /* the command was not found */
};

typedef struct mb_error {
    int status;    /* exit status for this failure */
    char msg[480]; /* one line, no trailing newline */
} mb_error;

/* Fill err with "what: strerror(errnum)" (errnum 0: no suffix) and the exit
 * status; errno is left as it was. */
void mb_error_set(mb_error *err, int status, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* mb_error_set, status 125, and -1 as the value, so callers can write
 * `return mb_fail(err, errno, ...)`. A macro, not a function: the -1 stands
 * where it is used, for every reader of the caller (the clang static
 * analyzer of `make analyze` reads one file at a time, and a -1 hidden in
 * error.c would leave it guessing that a failed call succeeded). */
#define mb_fail(err, errnum, ...) mb_fail_status(err, MB_EXIT_FAILED, errnum, __VA_ARGS__)

/* The same with an explicit exit status. */
#define mb_fail_status(err, status, errnum, ...)                                                   \
    ({                                                                                             \
        mb_error_set(err, status, errnum, __VA_ARGS__);                                            \
        -1;                                                                                        \
    })

/* Print the error as "minibox: <msg>" on stderr. */
void mb_error_print(const mb_error *err);

#endif
