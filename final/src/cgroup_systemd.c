/* cgroup_systemd.c - see cgroup_systemd.h. Built only in the full engine. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_systemd.h"
#include "lazy_libs.h" /* sd-bus, loaded on first use */
#include "util.h"

#define SYSTEMD_DEST  "org.freedesktop.systemd1"
#define SYSTEMD_PATH  "/org/freedesktop/systemd1"
#define SYSTEMD_IFACE "org.freedesktop.systemd1.Manager"
/* A job of ours waits behind whatever systemd is doing; under emulation a
 * busy manager can take seconds. */
#define JOB_TIMEOUT_US (60ULL * 1000000)

int cgroup_manager_parse(const char *text, enum cgroup_manager *out, mb_error *err)
{
    if (strcmp(text, "cgroupfs") == 0)
        *out = CGROUP_MANAGER_CGROUPFS;
    else if (strcmp(text, "systemd") == 0)
        *out = CGROUP_MANAGER_SYSTEMD;
    else
        return mb_fail(err, 0, "bad --cgroup-manager '%s': expected systemd or cgroupfs", text);
    return 0;
}

const char *cgroup_manager_name(enum cgroup_manager manager)
{
    return manager == CGROUP_MANAGER_SYSTEMD    ? "systemd"
           : manager == CGROUP_MANAGER_CGROUPFS ? "cgroupfs"
                                                : "auto";
}

/* The manager's private socket, which systemctl uses too: a direct
 * connection to systemd, with no D-Bus daemon in between. */
static void private_socket(char *out, size_t len)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");

    if (geteuid() == 0)
        snprintf(out, len, "/run/systemd/private");
    else if (xdg != NULL && xdg[0] == '/')
        snprintf(out, len, "%s/systemd/private", xdg);
    else /* su and runuser keep no XDG_RUNTIME_DIR; logind's is here */
        snprintf(out, len, "/run/user/%u/systemd/private", (unsigned)geteuid());
}

/* A D-Bus address holds the path %-escaped. */
static void bus_address(const char *path, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "unix:path=");

    for (const unsigned char *p = (const unsigned char *)path; *p != '\0' && n + 4 < len; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_/.", *p) != NULL)
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, len - n, "%%%02x", *p);
    }
    out[n] = '\0';
}

static const char *reach_fix(void)
{
    return geteuid() == 0
               ? "fix: --cgroup-manager cgroupfs"
               : "fix: log in as this user (ssh, a terminal, su -l), which starts your "
                 "user@UID.service, or run 'loginctl enable-linger'; or --cgroup-manager cgroupfs "
                 "from a delegated cgroup";
}

/* One connection per process, kept for the run's few calls. */
static sd_bus *bus_get(mb_error *err)
{
    static sd_bus *bus;
    char path[PATH_MAX], address[3 * PATH_MAX + 16];
    int r;

    if (bus != NULL)
        return bus;
    if (lazy_systemd(err) == NULL)
        return NULL;
    private_socket(path, sizeof(path));
    if (access(path, W_OK) == 0) {
        bus_address(path, address, sizeof(address));
        r = sd_bus_new(&bus);
        if (r >= 0)
            r = sd_bus_set_address(bus, address);
        if (r >= 0)
            r = sd_bus_start(bus);
        if (r >= 0)
            return bus;
        bus = sd_bus_flush_close_unref(bus);
    }
    /* Else through the D-Bus daemon, the way Podman goes. */
    r = geteuid() == 0 ? sd_bus_open_system(&bus) : sd_bus_open_user(&bus);
    if (r < 0) {
        bus = NULL;
        mb_fail(err, -r, "cannot reach systemd's %s manager at %s or through D-Bus (%s)",
                geteuid() == 0 ? "system" : "user", path, reach_fix());
        return NULL;
    }
    return bus;
}

int systemd_reachable(mb_error *err)
{
    char path[PATH_MAX];

    /* systemd's own test for "booted with systemd" (sd_booted(3)). */
    if (access("/run/systemd/system", F_OK) < 0)
        return mb_fail(err, 0,
                       "systemd is not running on this host (no /run/systemd/system; fix: "
                       "--cgroup-manager cgroupfs)");
    private_socket(path, sizeof(path));
    if (geteuid() != 0 && access(path, W_OK) < 0 && getenv("DBUS_SESSION_BUS_ADDRESS") == NULL)
        return mb_fail(err, 0, "no systemd user manager answers for uid %u at %s (%s)",
                       (unsigned)geteuid(), path, reach_fix());
    return 0;
}

int systemd_manager_cgroup(char *out, size_t len, mb_error *err)
{
    sd_bus_error error = SD_BUS_ERROR_NULL;
    char *cgroup = NULL;
    sd_bus *bus = bus_get(err);
    int r;

    if (bus == NULL)
        return -1;
    r = sd_bus_get_property_string(bus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_IFACE, "ControlGroup",
                                   &error, &cgroup);
    if (r < 0) {
        mb_fail(err, -r, "systemd: read the manager's ControlGroup: %s",
                error.message ? error.message : "no answer");
        sd_bus_error_free(&error);
        return -1;
    }
    /* The system manager's is "" or "/": the hierarchy's root. */
    snprintf(out, len, "%s", strcmp(cgroup, "/") == 0 ? "" : cgroup);
    free(cgroup);
    return 0;
}

int systemd_units_plan(const char *v2_mount, const char *id, struct systemd_units *u, mb_error *err)
{
    char root[PATH_MAX];
    int ret;

    memset(u, 0, sizeof(*u));
    u->user = geteuid() != 0;
    ret = systemd_manager_cgroup(root, sizeof(root), err);
    if (ret < 0)
        return ret;
    snprintf(u->slice, sizeof(u->slice), "minibox-%s.slice", id);
    snprintf(u->scope, sizeof(u->scope), "minibox-%s.scope", id);
    /* A dash in a slice's name is a level of the tree: minibox-<id>.slice
     * lives in minibox.slice. */
    return path_format(u->slice_dir, sizeof(u->slice_dir), err, "%s%s/minibox.slice/%s", v2_mount,
                       root, u->slice);
}

/* JobRemoved(u id, o job, s unit, s result), for the unit we wait for. */
struct job_wait {
    const char *unit;
    bool done;
    char result[32];
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
    struct job_wait *w = userdata;
    const char *job, *unit, *result;
    uint32_t id;

    (void)ret_error;
    if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0 &&
        strcmp(unit, w->unit) == 0) {
        w->done = true;
        snprintf(w->result, sizeof(w->result), "%s", result);
    }
    return 0;
}

static unsigned long long now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000 + (unsigned long long)ts.tv_nsec / 1000;
}

/* Send `m` (a job-making method of the manager) and wait for its job to
 * end. The match is in place before the call, so a job that ends before
 * its reply arrives is still seen. Returns 0, or -1; stopping a unit that
 * is not there (NoSuchUnit) is 0. */
static int call_and_wait(sd_bus *bus, sd_bus_message *m, const char *unit, const char *what,
                         mb_error *err)
{
    sd_bus_error error = SD_BUS_ERROR_NULL;
    struct job_wait w = {.unit = unit};
    sd_bus_message *reply = NULL;
    sd_bus_slot *slot = NULL;
    unsigned long long deadline;
    int r;

    r = sd_bus_match_signal(bus, &slot, NULL, SYSTEMD_PATH, SYSTEMD_IFACE, "JobRemoved",
                            on_job_removed, &w);
    if (r < 0)
        return mb_fail(err, -r, "systemd: watch for JobRemoved");
    /* Signals go to the clients that subscribed (on a direct connection,
     * to every one; a second Subscribe is harmless). */
    sd_bus_call_method(bus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_IFACE, "Subscribe", NULL, NULL, "");
    r = sd_bus_call(bus, m, JOB_TIMEOUT_US, &error, &reply);
    if (r < 0) {
        int gone = strcmp(what, "stop") == 0 &&
                   sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit");

        if (!gone)
            mb_fail(err, -r, "systemd: %s %s: %s", what, unit,
                    error.message ? error.message : "no answer");
        sd_bus_error_free(&error);
        sd_bus_slot_unref(slot);
        return gone ? 0 : -1;
    }
    sd_bus_message_unref(reply);
    deadline = now_us() + JOB_TIMEOUT_US;
    while (!w.done && (r = sd_bus_process(bus, NULL)) >= 0) {
        unsigned long long now = now_us();

        if (r > 0)
            continue;
        if (now >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        r = sd_bus_wait(bus, deadline - now);
        if (r < 0)
            break;
    }
    sd_bus_slot_unref(slot);
    if (!w.done)
        return mb_fail(err, r < 0 ? -r : ETIMEDOUT, "systemd: %s %s: no end of its job", what,
                       unit);
    if (strcmp(w.result, "done") != 0)
        return mb_fail(err, 0, "systemd: %s %s: the job ended '%s' (see journalctl -u %s)", what,
                       unit, w.result, unit);
    return 0;
}

/* A StartTransientUnit call whose properties the caller appends. */
static int start_message(sd_bus *bus, const char *unit, const char *description, sd_bus_message **m,
                         mb_error *err)
{
    int r = sd_bus_message_new_method_call(bus, m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_IFACE,
                                           "StartTransientUnit");

    if (r >= 0)
        r = sd_bus_message_append(*m, "ss", unit, "fail");
    if (r >= 0)
        r = sd_bus_message_open_container(*m, 'a', "(sv)");
    if (r >= 0)
        r = sd_bus_message_append(*m, "(sv)(sv)", "Description", "s", description, "CollectMode",
                                  "s", "inactive-or-failed");
    if (r < 0)
        return mb_fail(err, -r, "systemd: build the request for %s", unit);
    return 0;
}

static int start_send(sd_bus *bus, sd_bus_message *m, const char *unit, mb_error *err)
{
    int r = sd_bus_message_close_container(m);

    if (r >= 0)
        r = sd_bus_message_append(m, "a(sa(sv))", 0); /* no auxiliary units */
    if (r < 0) {
        sd_bus_message_unref(m);
        return mb_fail(err, -r, "systemd: build the request for %s", unit);
    }
    r = call_and_wait(bus, m, unit, "start", err);
    sd_bus_message_unref(m);
    return r;
}

int systemd_start_slice(const struct systemd_units *u, mb_error *err)
{
    sd_bus_message *m = NULL;
    sd_bus *bus = bus_get(err);
    int ret;

    if (bus == NULL)
        return -1;
    ret = start_message(bus, u->slice, "minibox container (its scope and OOM count)", &m, err);
    if (ret < 0)
        return ret;
    return start_send(bus, m, u->slice, err);
}

int systemd_start_scope(const struct systemd_units *u, pid_t pid, const struct limits *limits,
                        mb_error *err)
{
    sd_bus_message *m = NULL;
    sd_bus *bus = bus_get(err);
    int r, ret;

    if (bus == NULL)
        return -1;
    ret = start_message(bus, u->scope, "minibox container", &m, err);
    if (ret < 0)
        return ret;
    /* Delegate: the inside is the container's; systemd manages only the
     * scope's own files, from these properties. */
    r = sd_bus_message_append(m, "(sv)(sv)(sv)", "Slice", "s", u->slice, "Delegate", "b", 1, "PIDs",
                              "au", 1, (uint32_t)pid);
    if (r >= 0 && limits->memory_bytes)
        r = sd_bus_message_append(m, "(sv)(sv)", "MemoryMax", "t", (uint64_t)limits->memory_bytes,
                                  "MemorySwapMax", "t", (uint64_t)0);
    if (r >= 0 && limits->cpu_quota_us)
        r = sd_bus_message_append(m, "(sv)(sv)", "CPUQuotaPerSecUSec", "t",
                                  (uint64_t)limits->cpu_quota_us * 1000000 / CPU_PERIOD_US,
                                  "CPUQuotaPeriodUSec", "t", (uint64_t)CPU_PERIOD_US);
    if (r >= 0 && limits->pids_max)
        r = sd_bus_message_append(m, "(sv)", "TasksMax", "t", (uint64_t)limits->pids_max);
    if (r < 0) {
        sd_bus_message_unref(m);
        return mb_fail(err, -r, "systemd: build the request for %s", u->scope);
    }
    return start_send(bus, m, u->scope, err);
}

int systemd_stop_unit(bool user, const char *unit, mb_error *err)
{
    sd_bus_message *m = NULL;
    sd_bus *bus;
    int r;

    if (user != (geteuid() != 0))
        return mb_fail(err, 0, "systemd: %s belongs to %s manager, not this user's", unit,
                       user ? "a user's" : "the system");
    bus = bus_get(err);
    if (bus == NULL)
        return -1;
    r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_IFACE,
                                       "StopUnit");
    if (r >= 0)
        r = sd_bus_message_append(m, "ss", unit, "replace");
    if (r < 0) {
        sd_bus_message_unref(m);
        return mb_fail(err, -r, "systemd: build the request to stop %s", unit);
    }
    r = call_and_wait(bus, m, unit, "stop", err);
    sd_bus_message_unref(m);
    return r;
}
