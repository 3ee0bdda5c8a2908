/* resource_limits.c - see resource_limits.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource_limits.h"

#define MIN_MEMORY (4ULL << 20)

int limits_parse_memory(const char *text, uint64_t *bytes, mb_error *err)
{
    unsigned long long value, shift = 0;
    char *end;

    errno = 0;
    if (!isdigit((unsigned char)text[0]))
        goto bad;
    value = strtoull(text, &end, 10);
    if (errno != 0)
        goto bad;
    switch (tolower((unsigned char)*end)) {
    case '\0':
        break;
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    default:
        goto bad;
    }
    if (*end != '\0') {
        end++;
        if (tolower((unsigned char)*end) == 'b') /* 64MB, 64mb */
            end++;
        if (*end != '\0')
            goto bad;
    }
    if (value > (~0ULL >> shift))
        goto bad;
    value <<= shift;
    if (value < MIN_MEMORY)
        goto bad;
    *bytes = value;
    return 0;
bad:
    return mb_fail(err, 0, "bad --memory '%s': expected a size of at least 4M, like 512M or 1G",
                   text);
}

int limits_parse_cpus(const char *text, long online_cpus, long *quota_us, mb_error *err)
{
    char *end;
    double cpus;

    errno = 0;
    cpus = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(cpus >= 0.01) || cpus > (double)online_cpus)
        return mb_fail(err, 0, "bad --cpus '%s': expected a number from 0.01 to %ld (CPUs here)",
                       text, online_cpus);
    *quota_us = (long)(cpus * CPU_PERIOD_US + 0.5);
    return 0;
}

int limits_parse_pids(const char *text, long *pids, mb_error *err)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1)
        return mb_fail(err, 0, "bad --pids-limit '%s': expected a whole number of 1 or more", text);
    *pids = value;
    return 0;
}

void limits_format_bytes(uint64_t bytes, char *buf, unsigned long len)
{
    if (bytes % (1ULL << 30) == 0)
        snprintf(buf, len, "%lluG", (unsigned long long)(bytes >> 30));
    else if (bytes % (1ULL << 20) == 0)
        snprintf(buf, len, "%lluM", (unsigned long long)(bytes >> 20));
    else if (bytes % (1ULL << 10) == 0)
        snprintf(buf, len, "%lluk", (unsigned long long)(bytes >> 10));
    else
        snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
}
