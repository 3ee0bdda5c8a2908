/* run_options.c - see run_options.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "run_options.h"
#include "util.h"

static int env_append(struct process_config *proc, const char *entry, mb_error *err)
{
    char **grown = realloc(proc->env, (proc->n_env + 2) * sizeof(*grown));
    char *copy = strdup(entry);

    if (grown != NULL)
        proc->env = grown;
    if (grown == NULL || copy == NULL) {
        free(copy);
        return mb_fail(err, ENOMEM, "environment");
    }
    proc->env[proc->n_env++] = copy;
    proc->env[proc->n_env] = NULL;
    return 0;
}

/* NAME=VALUE as Docker takes it: NAME is not empty and holds no '='. A bare
 * NAME passes on the caller's own value, so secrets need not be typed on a
 * command line that ps shows. */
static int env_add(struct process_config *proc, const char *arg, const char *where, mb_error *err)
{
    const char *eq = strchr(arg, '=');
    char entry[8192];
    const char *value;

    if (arg[0] == '\0' || arg[0] == '=' || strpbrk(arg, " \t") == arg)
        return mb_fail(err, 0, "bad %s '%s': expected NAME=VALUE", where, arg);
    if (eq != NULL)
        return env_append(proc, arg, err);
    value = getenv(arg);
    if (value == NULL)
        return 0;
    if ((size_t)snprintf(entry, sizeof(entry), "%s=%s", arg, value) >= sizeof(entry))
        return mb_fail(err, 0, "bad %s '%s': its value is too long", where, arg);
    return env_append(proc, entry, err);
}

int run_option_env(struct process_config *proc, const char *arg, mb_error *err)
{
    return env_add(proc, arg, "-e", err);
}

int run_option_env_file(const char ***files, size_t *n, const char *path, mb_error *err)
{
    const char **grown = realloc(*files, (*n + 1) * sizeof(*grown));

    if (grown == NULL)
        return mb_fail(err, ENOMEM, "--env-file %s", path);
    grown[(*n)++] = path;
    *files = grown;
    return 0;
}

static int env_file_read(struct process_config *proc, const char *path, mb_error *err)
{
    cleanup_free char *line = NULL;
    size_t cap = 0;
    FILE *f = fopen(path, "re");
    int ret = 0;

    if (f == NULL)
        return mb_fail(err, errno, "--env-file %s", path);
    while (ret == 0 && getline(&line, &cap, f) >= 0) {
        char *start = line + strspn(line, " \t");

        start[strcspn(start, "\r\n")] = '\0';
        if (start[0] == '\0' || start[0] == '#')
            continue;
        ret = env_add(proc, start, "--env-file line", err);
    }
    fclose(f);
    return ret;
}

/* Docker's order: the files' variables first, -e after them (and over
 * them: the last NAME= wins when the environment is built). */
int run_options_read_env_files(struct process_config *proc, const char *const *files, size_t n,
                               mb_error *err)
{
    struct process_config read = {0};
    int ret = 0;

    for (size_t i = 0; i < n && ret == 0; i++)
        ret = env_file_read(&read, files[i], err);
    for (size_t i = 0; i < proc->n_env && ret == 0; i++)
        ret = env_append(&read, proc->env[i], err);
    if (ret < 0) {
        for (size_t i = 0; i < read.n_env; i++)
            free(read.env[i]);
        free(read.env);
        return ret;
    }
    for (size_t i = 0; i < proc->n_env; i++)
        free(proc->env[i]);
    free(proc->env);
    proc->env = read.env;
    proc->n_env = read.n_env;
    return 0;
}

int run_option_workdir(struct process_config *proc, const char *dir, mb_error *err)
{
    if (dir[0] != '/')
        return mb_fail(err, 0, "bad -w '%s': the working directory must be absolute", dir);
    proc->workdir = dir;
    return 0;
}

int run_option_user(struct process_config *proc, const char *user, mb_error *err)
{
    const char *colon = strchr(user, ':');

    if (user[0] == '\0' || user[0] == ':' ||
        (colon != NULL && (colon[1] == '\0' || strchr(colon + 1, ':') != NULL)))
        return mb_fail(err, 0, "bad -u '%s': expected USER[:GROUP] (names or numbers)", user);
    proc->user = user;
    return 0;
}

int run_option_tmpfs(struct container_config *cfg, const char *spec, mb_error *err)
{
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    struct tmpfs_mount *grown, mnt;

    if (spec[0] != '/' || len == 1 || strstr(spec, "/../") != NULL ||
        (len >= 3 && strncmp(spec + len - 3, "/..", 3) == 0))
        return mb_fail(err, 0, "bad --tmpfs '%s': expected an absolute PATH[:OPTIONS], not /",
                       spec);
    /* The array first: a realloc that moved it has freed the old one, so
     * cfg->tmpfs takes the new one at once, whatever fails after. */
    grown = realloc(cfg->tmpfs, (cfg->n_tmpfs + 1) * sizeof(*grown));
    if (grown == NULL)
        return mb_fail(err, ENOMEM, "--tmpfs");
    cfg->tmpfs = grown;
    mnt.target = strndup(spec, len);
    /* Docker's defaults: a scratch dir, not a place to run programs from. */
    mnt.options = strdup(colon && colon[1] ? colon + 1 : "rw,nosuid,nodev,noexec");
    if (mnt.target == NULL || mnt.options == NULL) {
        free(mnt.target);
        free(mnt.options);
        return mb_fail(err, ENOMEM, "--tmpfs");
    }
    cfg->tmpfs[cfg->n_tmpfs++] = mnt;
    return 0;
}

/* Docker's permissions: one to three of r, w, m, each at most once. */
static unsigned device_access(const char *perms)
{
    unsigned access = 0;

    for (const char *p = perms; *p != '\0'; p++) {
        unsigned bit = *p == 'r'   ? DEVICE_READ
                       : *p == 'w' ? DEVICE_WRITE
                       : *p == 'm' ? DEVICE_MKNOD
                                   : 0;
        if (bit == 0 || (access & bit))
            return 0;
        access |= bit;
    }
    return access;
}

static int device_parse(const char *spec, struct device_mapping *dev, mb_error *err)
{
    char copy[2 * PATH_MAX + 8], *parts[3] = {NULL, NULL, NULL}, *save = NULL;
    const char *perms = "rwm";
    struct stat st;
    int n = 0;

    if (path_format(copy, sizeof(copy), err, "%s", spec) < 0)
        return -1;
    for (char *p = strtok_r(copy, ":", &save); p != NULL; p = strtok_r(NULL, ":", &save)) {
        if (n == 3)
            return mb_fail(err, 0, "bad --device '%s': expected HOST[:CONTAINER][:rwm]", spec);
        parts[n++] = p;
    }
    /* HOST:rwm or HOST:CONTAINER, told apart as Docker does */
    if (n == 2 && device_access(parts[1]) != 0) {
        perms = parts[1];
        parts[1] = NULL;
    } else if (n == 3) {
        perms = parts[2];
    }
    if (n == 0 || parts[0][0] != '/' || (parts[1] != NULL && parts[1][0] != '/') ||
        device_access(perms) == 0)
        return mb_fail(err, 0, "bad --device '%s': expected HOST[:CONTAINER][:rwm], absolute paths",
                       spec);
    if (stat(parts[0], &st) < 0)
        return mb_fail(err, errno, "--device %s", parts[0]);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return mb_fail(err, 0, "--device %s: not a device node", parts[0]);
    dev->rule = (struct device_rule){
        .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
        .major = major(st.st_rdev),
        .minor = minor(st.st_rdev),
        .access = device_access(perms),
        .allow = true,
    };
    dev->host = realpath(parts[0], NULL);
    dev->container = strdup(parts[1] ? parts[1] : parts[0]);
    if (dev->host == NULL || dev->container == NULL) {
        free(dev->host);
        free(dev->container);
        return mb_fail(err, errno, "--device %s", parts[0]);
    }
    return 0;
}

int run_option_device(struct container_config *cfg, const char *spec, mb_error *err)
{
    struct device_mapping *grown, dev;
    int ret = device_parse(spec, &dev, err);

    if (ret < 0)
        return ret;
    grown = realloc(cfg->devices, (cfg->n_devices + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(dev.host);
        free(dev.container);
        return mb_fail(err, ENOMEM, "--device");
    }
    cfg->devices = grown;
    cfg->devices[cfg->n_devices++] = dev;
    return 0;
}

int run_option_cap(struct hardening_config *h, const char *name, bool add, mb_error *err)
{
    int cap = caps_from_name(name, err);

    if (cap == -1)
        return -1;
    if ((add ? h->n_cap_add : h->n_cap_drop) == 64)
        return mb_fail(err, 0, "too many --cap-%s", add ? "add" : "drop");
    if (add)
        h->cap_add[h->n_cap_add++] = name;
    else
        h->cap_drop[h->n_cap_drop++] = name;
    return 0;
}

int run_option_security(struct hardening_config *h, const char *opt, mb_error *err)
{
    if (strcmp(opt, "seccomp=unconfined") == 0 || strcmp(opt, "seccomp:unconfined") == 0) {
        h->seccomp_unconfined = true;
        return 0;
    }
    if (strncmp(opt, "no-new-privileges", 17) == 0) {
        const char *v = opt + 17;

        if (*v == '\0' || strcmp(v, "=true") == 0 || strcmp(v, ":true") == 0) {
            h->allow_new_privs = false;
            return 0;
        }
        if (strcmp(v, "=false") == 0 || strcmp(v, ":false") == 0) {
            h->allow_new_privs = true;
            return 0;
        }
    }
    return mb_fail(err, 0,
                   "bad --security-opt '%s': expected seccomp=unconfined or "
                   "no-new-privileges=true|false",
                   opt);
}

/* Docker's order: start from the default set, drop, then add; ALL in
 * either list means every capability minibox has. A named capability that
 * minibox itself lacks is an error: it cannot be given, and dropping it
 * silently would run the container with less than was asked for. */
int run_options_caps(struct hardening_config *h, mb_error *err)
{
    cap_mask have = caps_available();
    cap_mask caps = h->privileged ? have : caps_default() & have;

    for (int i = 0; i < h->n_cap_drop; i++) {
        int cap = caps_from_name(h->cap_drop[i], err);
        caps &= cap == -2 ? 0 : ~CAP_BIT(cap);
    }
    for (int i = 0; i < h->n_cap_add; i++) {
        int cap = caps_from_name(h->cap_add[i], err);

        if (cap >= 0 && !(have & CAP_BIT(cap)))
            return mb_fail(err, 0,
                           "--cap-add %s: minibox itself does not have it (its bounding set "
                           "lacks it: run minibox where it has that capability)",
                           caps_name(cap));
        caps |= cap == -2 ? have : CAP_BIT(cap);
    }
    h->caps = caps;
    return 0;
}

void run_options_free(struct container_config *cfg)
{
    for (size_t i = 0; i < cfg->process.n_env; i++)
        free(cfg->process.env[i]);
    free(cfg->process.env);
    for (size_t i = 0; i < cfg->n_tmpfs; i++) {
        free(cfg->tmpfs[i].target);
        free(cfg->tmpfs[i].options);
    }
    free(cfg->tmpfs);
    for (size_t i = 0; i < cfg->n_devices; i++) {
        free(cfg->devices[i].host);
        free(cfg->devices[i].container);
    }
    free(cfg->devices);
    seccomp_program_free(&cfg->hardening.seccomp);
}
