/*
 * container.h - one container's life, from clone to exit status.
 */
#ifndef MB_CONTAINER_H
#define MB_CONTAINER_H

#include "mb_step.h"
#include "config.h"
#include "error.h"

/* Run the container in the foreground. *status gets the command's status
 * (exit code, or 128+signal); the return is -1 when minibox itself failed. */
int container_run(const struct container_config *cfg, int *status, mb_error *err);

#if MB_STEP >= 10
#include "cgroup.h"
#include "state.h"

/* What an OCI container is made of once created. */
struct container_created {
    pid_t pid;                    /* its first process, waiting for start */
    struct container_state state; /* its dir, open (no lock: its process is its liveness) */
    struct container_cgroup cgroup;
};

/* The OCI runtime's create: the same container as run's, from a config
 * made by oci_spec.c, left waiting on cfg->spec.fifo_fd for `start`
 * instead of waited for. On failure nothing of it is left. */
int container_create(struct container_config *cfg, struct container_created *out, mb_error *err);

/* One more process in a running container (exec, the OCI runtime's exec). */
struct exec_request {
    pid_t target;                          /* the container's first process */
    const struct container_cgroup *cgroup; /* its cgroup */
    bool detach;                           /* return once the command runs */
    bool null_stdio;                       /* exec -d: stdio from /dev/null (OCI: the caller's) */
    int console_fd;                        /* OCI --console-socket, connected; or -1 */
    const char *pid_file;                  /* OCI --pid-file, or NULL */
};

/* Run cfg's command (and its process settings) in the container: its
 * cgroups and namespaces, the same last steps as its first process. The
 * caller enters nothing; the command is its child (*status: its status,
 * unless detached). */
int container_exec(const struct container_config *cfg, const struct exec_request *req, int *status,
                   mb_error *err);
#endif

#endif
