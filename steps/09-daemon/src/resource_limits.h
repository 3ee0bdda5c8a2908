/*
 * resource_limits.h - resource limits as the user types them (chapter 5):
 * --memory 64M, --cpus 0.5, --pids-limit 32. Parsing is pure, so the unit
 * tests cover every accepted and refused spelling.
 */
#ifndef MB_RESOURCE_LIMITS_H
#define MB_RESOURCE_LIMITS_H

#include <stdint.h>

#include "error.h"

#define CPU_PERIOD_US 100000 /* the CFS period minibox uses: 100 ms, as Docker */

struct limits {
    uint64_t memory_bytes; /* 0: no limit */
    long cpu_quota_us;     /* per CPU_PERIOD_US; 0: no limit */
    long pids_max;         /* 0: no limit */
};

/* "512k", "64M", "1G", "1048576" (bytes; k/m/g are powers of 1024). At
 * least 4M: below that a shell cannot start, and the error would be
 * an OOM kill that looks like a bug. */
int limits_parse_memory(const char *text, uint64_t *bytes, mb_error *err);

/* "0.5", "2", "1.25": CPUs' worth of time, 0.01 to online_cpus. */
int limits_parse_cpus(const char *text, long online_cpus, long *quota_us, mb_error *err);

/* A whole number from 1 up. */
int limits_parse_pids(const char *text, long *pids, mb_error *err);

/* Format bytes the way the user would type them: "32M". */
void limits_format_bytes(uint64_t bytes, char *buf, unsigned long len);

#endif
