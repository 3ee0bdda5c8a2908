/*
 * resource_limits.h - resource limits as the user types them (chapter 5):
 * --memory 64M, --cpus 0.5, --pids-limit 32. Parsing is pure, so the unit
 * tests cover every accepted and refused spelling.
 */
#ifndef MB_RESOURCE_LIMITS_H
#define MB_RESOURCE_LIMITS_H

#include "mb_step.h"
#include <stdint.h>
#if MB_STEP >= 10
#include <stdbool.h>
#include <stddef.h>
#endif

#include "error.h"

#define CPU_PERIOD_US 100000 /* the CFS period minibox uses: 100 ms, as Docker */

#if MB_STEP >= 10
/* One blkio throttle (linux.resources.blockIO.throttle*Device). */
struct blkio_throttle {
    const char *file; /* blkio.throttle.read_bps_device ... (v1) */
    const char *key;  /* rbps, wbps, riops, wiops (v2's io.max) */
    unsigned long major, minor;
    uint64_t rate;
};

/* One hugetlb limit (linux.resources.hugepageLimits). */
struct hugetlb_limit {
    char page_size[16]; /* "2MB", "1GB" */
    uint64_t bytes;
};

/* What an OCI config's linux.resources asks for beyond run's options
 * (chapter 10); 0 or NULL where it asks nothing. */
struct limits_spec {
    bool given;                 /* an OCI config: a dir in every hierarchy, as runc makes */
    int64_t memory_swap;        /* memory + swap; 0: unset, -1: unlimited */
    int64_t memory_reservation; /* soft limit */
    int64_t memory_swappiness;  /* -1: unset (v1 only) */
    bool disable_oom_killer;    /* v1 only */
    uint64_t cpu_shares;        /* v1 cpu.shares; v2 cpu.weight by runc's mapping */
    uint64_t cpu_period;        /* with limits.cpu_quota_us; 0: CPU_PERIOD_US */
    char *cpus, *mems;          /* cpuset */
    unsigned blkio_weight;      /* 10..1000 */
    struct blkio_throttle *throttles;
    size_t n_throttles;
    struct hugetlb_limit *hugetlb;
    size_t n_hugetlb;
};
#endif

struct limits {
    uint64_t memory_bytes; /* 0: no limit */
    long cpu_quota_us;     /* per CPU_PERIOD_US; 0: no limit */
    long pids_max;         /* 0: no limit */
#if MB_STEP >= 10
    struct limits_spec spec;
#endif
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
