/*
 * ids.c - random container ids.
 *
 * Ids come from getrandom(2), never from the clock or the pid: two runs
 * started in the same millisecond, or on two machines sharing a state
 * directory, must not collide, and an id must not be guessable.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "ids.h"

int container_id_new(char *id, mb_error *err)
{
    unsigned char bytes[MB_ID_LEN / 2];
    size_t got = 0;

    while (got < sizeof(bytes)) {
        ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mb_fail(err, errno, "getrandom");
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(id + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}
