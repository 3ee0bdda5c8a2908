/*
 * Suite 10-beyond: the full engine beyond the nine chapters. Containers are
 * hardened by default (Docker's capabilities, no_new_privs, masked and
 * read-only /proc paths, a seccomp filter, no leaked fds, a sealed runtime
 * binary); run gains -e, --env-file, -w, -u, --read-only and --tmpfs; exec
 * enters a running container and inspect describes one.
 *
 * Most tests re-enact an attack from inside a container, as root, with the
 * probe as the attacker. Where the attack worked on step 09, a separate
 * "lesson" test runs it against steps/09-daemon/minibox and shows that it
 * succeeds there (skipped, with the reason, when that binary is not built).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "beyond.h"
#include "oci.h"

void bx_require(void)
{
    mb_require(BX_NS);
}

const char *bx_repo_path(const char *rel, char *buf, size_t len)
{
    return mb_repo_path(rel, buf, len);
}

const char *bx_require_step09(void)
{
    bx_require();
    return mb_require_step("09-daemon");
}

void bx_run_argv_with(const char *bin, struct mb_result *r, const char *input, char *const argv[])
{
    const char *saved = mb_minibox;

    mb_minibox = bin;
    mb_run_argv(r, input, argv);
    mb_minibox = saved;
}

/* Copies: the test's own struct is on a stack that a failure leaves. */
static struct mb_proc tracked[8];

void bx_track(struct mb_proc *p)
{
    for (size_t i = 0; i < sizeof(tracked) / sizeof(tracked[0]); i++)
        if (tracked[i].pid <= 0) {
            tracked[i] = *p;
            return;
        }
    fail_msg("bx_track: too many processes");
}

void bx_untrack(struct mb_proc *p)
{
    for (size_t i = 0; i < sizeof(tracked) / sizeof(tracked[0]); i++)
        if (tracked[i].pid == p->pid)
            tracked[i].pid = 0;
}

int bx_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(tracked) / sizeof(tracked[0]); i++) {
        if (tracked[i].pid > 0 && mb_finish(&tracked[i], 5000) == -1)
            print_message("# a container of the failed test had to be killed\n");
        tracked[i].pid = 0;
    }
    return 0;
}

static void collect(va_list ap, char **args, size_t max)
{
    size_t n = 0;
    char *arg;

    while ((arg = va_arg(ap, char *)) != NULL && n < max - 1)
        args[n++] = arg;
    args[n] = NULL;
}

void bx_run_with(const char *bin, struct mb_result *r, const char *input, ...)
{
    char *args[64];
    va_list ap;

    va_start(ap, input);
    collect(ap, args, 64);
    va_end(ap);
    bx_run_argv_with(bin, r, input, args);
}

void bx_spawn_with(const char *bin, struct mb_proc *p, ...)
{
    const char *saved = mb_minibox;
    char *args[64] = {0};
    va_list ap;

    va_start(ap, p);
    collect(ap, args, 64);
    va_end(ap);
    /* mb_spawn takes varargs only: pass the collected ones through. */
    if (args[0] == NULL || args[15] != NULL)
        fail_msg("bx_spawn_with takes 1 to 15 arguments");
    mb_minibox = bin;
    mb_spawn(p, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8],
             args[9], args[10], args[11], args[12], args[13], args[14], args[15], NULL);
    mb_minibox = saved;
}

void bx_assert_kv_about(const char *about, const struct mb_result *r, const char *key,
                        const char *want)
{
    char v[1024];

    mb_kv(r->out, key, v, sizeof(v));
    if (strcmp(v, want) != 0)
        fail_msg("%s%sexpected %s=%s, got '%s' (exit %d)\nstdout: %s\nstderr: %s",
                 about ? about : "", about ? ": " : "", key, want, v, r->status, r->out, r->err);
}

void bx_assert_kv(const struct mb_result *r, const char *key, const char *want)
{
    bx_assert_kv_about(NULL, r, key, want);
}

static void expect_kv_argv(const char *bin, const char *key, const char *want, char **args)
{
    char about[2048] = "minibox";
    struct mb_result r;

    for (char **a = args; *a != NULL; a++) {
        size_t used = strlen(about);
        snprintf(about + used, sizeof(about) - used, " %s", *a);
    }
    bx_run_argv_with(bin, &r, NULL, args);
    bx_assert_kv_about(about, &r, key, want);
    mb_result_free(&r);
}

void bx_expect_kv(const char *key, const char *want, ...)
{
    char *args[64];
    va_list ap;

    va_start(ap, want);
    collect(ap, args, 64);
    va_end(ap);
    expect_kv_argv(mb_minibox, key, want, args);
}

void bx_expect_kv_with(const char *bin, const char *key, const char *want, ...)
{
    char *args[64];
    va_list ap;

    va_start(ap, want);
    collect(ap, args, 64);
    va_end(ap);
    expect_kv_argv(bin, key, want, args);
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void append(char **buf, size_t *len, const char *chunk, size_t n)
{
    *buf = realloc(*buf, *len + n + 1);
    assert_non_null(*buf);
    memcpy(*buf + *len, chunk, n);
    *len += n;
    (*buf)[*len] = '\0';
}

void bx_sh(struct mb_result *r, const char *script)
{
    int out[2], err[2], open_fds = 2, wstatus;
    /* Fixtures are built here (a compiler, umoci), and hundreds of
     * containers made: under emulation (make test-vm without KVM) that takes
     * minutes. This only catches a hang. */
    long long deadline = now_ms() + 600000;
    size_t out_len = 0, err_len = 0;
    pid_t pid;

    r->out = strdup("");
    r->err = strdup("");
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    assert_int_equal(pipe2(err, O_CLOEXEC), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    while (open_fds > 0 && now_ms() < deadline) {
        struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        char chunk[4096];

        if (poll(fds, 2, 100) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            ssize_t n;
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
                continue;
            n = read(fds[i].fd, chunk, sizeof(chunk));
            if (n <= 0) {
                close(i == 0 ? out[0] : err[0]);
                if (i == 0)
                    out[0] = -1;
                else
                    err[0] = -1;
                open_fds--;
            } else if (i == 0) {
                append(&r->out, &out_len, chunk, (size_t)n);
            } else {
                append(&r->err, &err_len, chunk, (size_t)n);
            }
        }
    }
    if (out[0] >= 0)
        close(out[0]);
    if (err[0] >= 0)
        close(err[0]);
    while (waitpid(pid, &wstatus, WNOHANG) == 0) {
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            append(&r->err, &err_len, "(it did not finish within 600 s)",
                   strlen("(it did not finish within 600 s)"));
            r->status = -1;
            return;
        }
        usleep(2000);
    }
    r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

const char *bx_cli(const char *bin, char *buf, size_t len)
{
    snprintf(buf, len, "'%s' --root '%s' --socket '%s/bx-no-daemon.sock'", bin, mb_state, mb_tmp);
    return buf;
}

void bx_host_probe(struct mb_result *r, const char *args)
{
    char cmd[PATH_MAX + 256];

    snprintf(cmd, sizeof(cmd), "'%s/bin/probe' %s", mb_rootfs, args);
    bx_sh(r, cmd);
}

const char *bx_self_status(const char *field, char *buf, size_t len)
{
    char line[512];
    size_t flen = strlen(field);
    FILE *f = fopen("/proc/self/status", "r");

    buf[0] = '\0';
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
            char *v = line + flen + 1;
            v += strspn(v, " \t");
            v[strcspn(v, "\n")] = '\0';
            snprintf(buf, len, "%s", v);
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    return buf;
}

unsigned long long bx_mask(const char *hex)
{
    return strtoull(hex, NULL, 16);
}

int bx_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

char *bx_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t used = 0;
    char chunk[65536];
    size_t n;

    if (f == NULL)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        append(&buf, &used, chunk, n);
    fclose(f);
    if (buf == NULL)
        buf = calloc(1, 1);
    if (len != NULL)
        *len = used;
    return buf;
}

int main(void)
{
    /* grade: points=1 doc=#capabilities */
    /* One test a line, with its grade annotation beside it. */
    // clang-format off
    const struct CMUnitTest tests[] = {
        /* Capabilities and no_new_privs */
        cmocka_unit_test(test_default_capabilities_are_dockers_set), /* grade: points=2 doc=#capabilities */
        cmocka_unit_test(test_cap_add_and_cap_drop_change_the_sets), /* grade: points=2 doc=#capabilities */
        cmocka_unit_test(test_cap_drop_all_then_cap_add_one), /* grade: points=1 doc=#capabilities */
        cmocka_unit_test(test_privileged_keeps_every_capability_and_no_confinement), /* grade: points=1 doc=#capabilities */
        cmocka_unit_test(test_bad_capability_or_security_opt_is_refused), /* grade: points=1 doc=#capabilities */
        cmocka_unit_test(test_no_new_privs_is_set), /* grade: points=1 doc=#no_new_privs */
        cmocka_unit_test(test_no_new_privileges_false_lifts_it), /* grade: points=1 doc=#no_new_privs */
        cmocka_unit_test(test_setuid_binary_gains_nothing_under_no_new_privs), /* grade: points=2 doc=#no_new_privs */
        /* What the container may not see or change of the host's kernel */
        cmocka_unit_test(test_masked_paths_show_nothing), /* grade: points=2 doc=#masked-and-read-only-paths */
        cmocka_unit_test(test_read_only_proc_paths_refuse_writes), /* grade: points=2 doc=#masked-and-read-only-paths */
        cmocka_unit_test(test_core_pattern_cannot_be_written), /* grade: points=2 doc=#masked-and-read-only-paths */
        cmocka_unit_test(test_lesson_step09_core_pattern_can_be_written), /* grade: points=1 doc=#masked-and-read-only-paths */
        /* seccomp */
        cmocka_unit_test(test_seccomp_blocks_what_no_capability_guards), /* grade: points=3 doc=#seccomp */
        cmocka_unit_test(test_seccomp_blocks_mount_and_namespace_calls), /* grade: points=1 doc=#seccomp */
        cmocka_unit_test(test_seccomp_unconfined_lifts_the_filter), /* grade: points=1 doc=#seccomp */
        cmocka_unit_test(test_cgroup_v1_mount_for_release_agent_is_refused), /* grade: points=2 doc=#seccomp */
        cmocka_unit_test(test_lesson_step09_cgroup_v1_mount_succeeds), /* grade: points=1 doc=#seccomp */
        /* Escapes through fds, the working directory, the runtime's binary and mount targets */
        cmocka_unit_test(test_no_fd_of_minibox_reaches_the_container), /* grade: points=2 doc=#cve-2024-21626-leaked-fds-and-the-working-directory */
        cmocka_unit_test(test_inherited_fd_does_not_reach_the_container), /* grade: points=2 doc=#cve-2024-21626-leaked-fds-and-the-working-directory */
        cmocka_unit_test(test_lesson_step09_inherited_fd_reads_a_host_file), /* grade: points=1 doc=#cve-2024-21626-leaked-fds-and-the-working-directory */
        cmocka_unit_test(test_workdir_through_a_leaked_fd_is_refused), /* grade: points=2 doc=#cve-2024-21626-leaked-fds-and-the-working-directory */
        cmocka_unit_test_teardown(test_runtime_binary_cannot_be_overwritten, bx_teardown), /* grade: points=3 doc=#cve-2019-5736-procselfexe */
        cmocka_unit_test_teardown(test_runtime_binary_sealed_copy_with_init, bx_teardown), /* grade: points=1 doc=#cve-2019-5736-procselfexe */
        cmocka_unit_test_teardown(test_lesson_step09_runtime_binary_is_overwritten, bx_teardown), /* grade: points=1 doc=#cve-2019-5736-procselfexe */
        cmocka_unit_test(test_tmpfs_on_a_symlink_lands_inside_the_root), /* grade: points=2 doc=#mount-targets-and-symlinks */
        cmocka_unit_test(test_volume_below_a_symlink_lands_inside_the_root), /* grade: points=2 doc=#mount-targets-and-symlinks */
        /* Devices: the allowlist of chapter 5 against what a container ships or is given */
        cmocka_unit_test(test_shipped_device_node_cannot_be_opened), /* grade: points=2 doc=#devices */
        cmocka_unit_test(test_device_option_and_privileged), /* grade: points=1 doc=#devices */
        cmocka_unit_test_teardown(test_exec_is_held_by_the_device_allowlist, bx_teardown), /* grade: points=1 doc=#devices */
        /* The caller's terminal: a session of its own (chapter 2), no CAP_SYS_ADMIN, TIOCSTI filtered */
        cmocka_unit_test(test_root_cannot_type_into_the_callers_terminal), /* grade: points=2 doc=#the-callers-terminal */
        cmocka_unit_test(test_lesson_step09_root_types_into_the_callers_terminal), /* grade: points=1 doc=#the-callers-terminal */
        cmocka_unit_test_teardown(test_exec_cannot_type_into_the_callers_terminal, bx_teardown), /* grade: points=1 doc=#the-callers-terminal */
        /* exec's window: between joining the container and execve */
        cmocka_unit_test_teardown(test_exec_window_holds_no_host_fd, bx_teardown), /* grade: points=2 doc=#execs-window */
        cmocka_unit_test_teardown(test_exec_window_is_not_dumpable, bx_teardown), /* grade: points=2 doc=#execs-window */
        /* State and store closed to other local users */
        cmocka_unit_test_teardown(test_planted_setuid_file_is_out_of_reach, bx_teardown), /* grade: points=2 doc=#state-and-store-closed-to-other-users */
        cmocka_unit_test_teardown(test_lesson_step09_planted_setuid_file_runs_as_root, bx_teardown), /* grade: points=1 doc=#state-and-store-closed-to-other-users */
        /* Smaller gaps */
        cmocka_unit_test_teardown(test_userns_auto_containers_get_ranges_of_their_own, bx_teardown), /* grade: points=2 doc=#smaller-gaps */
        cmocka_unit_test_teardown(test_lesson_step09_userns_auto_containers_share_ids, bx_teardown), /* grade: points=1 doc=#smaller-gaps */
        cmocka_unit_test(test_vsock_sockets_are_refused), /* grade: points=1 doc=#smaller-gaps */
        cmocka_unit_test(test_lesson_step09_vsock_socket_opens), /* grade: points=1 doc=#smaller-gaps */
        /* run options */
        cmocka_unit_test(test_env_sets_and_passes_variables), /* grade: points=1 doc=#run-options */
        cmocka_unit_test(test_env_file_is_read), /* grade: points=1 doc=#run-options */
        cmocka_unit_test(test_workdir_is_created_and_used), /* grade: points=1 doc=#run-options */
        cmocka_unit_test(test_user_by_number_and_by_name), /* grade: points=1 doc=#run-options */
        cmocka_unit_test(test_read_only_root_keeps_proc_dev_volumes_and_tmpfs_writable), /* grade: points=2 doc=#run-options */
        cmocka_unit_test(test_tmpfs_default_and_given_options), /* grade: points=1 doc=#run-options */
        cmocka_unit_test(test_bad_run_options_are_refused), /* grade: points=2 doc=#run-options */
        cmocka_unit_test(test_env_hundreds_of_variables_all_arrive), /* grade: points=1 doc=#run-options */
        cmocka_unit_test(test_user_in_many_groups_gets_them_all), /* grade: points=1 doc=#run-options */
        cmocka_unit_test_teardown(test_daemon_detaches_after_an_option_value, bx_daemon_teardown), /* grade: points=1 doc=#run-options */
        cmocka_unit_test_teardown(test_daemon_detaches_with_grouped_flags, bx_daemon_teardown), /* grade: points=1 doc=#run-options */
        cmocka_unit_test_teardown(test_daemon_gives_a_tty_after_an_option_value, bx_daemon_teardown), /* grade: points=1 doc=#run-options */
        cmocka_unit_test_teardown(test_daemon_passes_every_argument, bx_daemon_teardown), /* grade: points=1 doc=#run-options */
        cmocka_unit_test_teardown(test_daemon_rm_of_hundreds_removes_all, bx_daemon_teardown), /* grade: points=1 doc=#run-options */
        cmocka_unit_test_teardown(test_daemon_keeps_a_spare_handler, bx_daemon_teardown), /* grade: points=1 doc=#speed */
        /* Members of the daemon's group who are not root (members.c) */
        cmocka_unit_test_setup_teardown(test_members_use_their_own_containers, bx_members_setup, bx_members_teardown), /* grade: points=3 doc=#members-of-the-daemons-group */
        cmocka_unit_test_setup_teardown(test_members_cannot_lift_the_hardening, bx_members_setup, bx_members_teardown), /* grade: points=2 doc=#members-of-the-daemons-group */
        cmocka_unit_test_setup_teardown(test_members_environment_is_their_own, bx_members_setup, bx_members_teardown), /* grade: points=2 doc=#members-of-the-daemons-group */
        cmocka_unit_test_setup_teardown(test_member_exec_is_the_members_root, bx_members_setup, bx_members_teardown), /* grade: points=1 doc=#members-of-the-daemons-group */
        /* exec and inspect */
        cmocka_unit_test_teardown(test_exec_joins_every_namespace_and_the_cgroup, bx_exec_teardown), /* grade: points=3 doc=#exec */
        cmocka_unit_test_teardown(test_exec_gets_the_same_hardening, bx_exec_teardown), /* grade: points=2 doc=#exec */
        cmocka_unit_test_teardown(test_exec_status_stdin_and_options, bx_exec_teardown), /* grade: points=2 doc=#exec */
        cmocka_unit_test_teardown(test_exec_by_id_prefix, bx_exec_teardown), /* grade: points=1 doc=#exec */
        cmocka_unit_test_teardown(test_exec_into_missing_or_exited_container_is_refused, bx_exec_teardown), /* grade: points=1 doc=#exec */
        cmocka_unit_test_teardown(test_inspect_running_container_matches_reality, bx_exec_teardown), /* grade: points=2 doc=#inspect */
        cmocka_unit_test_teardown(test_inspect_exited_container_and_image, bx_exec_teardown), /* grade: points=2 doc=#inspect */
        /* Who makes the cgroup (cgroup_manager.c): systemd or minibox itself */
        cmocka_unit_test(test_cgroup_manager_bad_value_is_refused), /* grade: doc=docs/05-cgroups.md#the-systemd-driver-full-engine */
        cmocka_unit_test(test_info_names_the_cgroup_manager), /* grade: doc=docs/05-cgroups.md#the-systemd-driver-full-engine */
        cmocka_unit_test(test_systemd_scope_holds_the_container), /* grade: points=3 doc=docs/05-cgroups.md#the-systemd-driver-full-engine */
        cmocka_unit_test(test_cgroupfs_manager_makes_the_cgroup_by_hand), /* grade: doc=docs/05-cgroups.md#the-systemd-driver-full-engine */
        cmocka_unit_test(test_systemd_manager_without_systemd_is_refused), /* grade: doc=docs/05-cgroups.md#the-systemd-driver-full-engine */
        cmocka_unit_test(test_rootless_limit_from_a_login_shell), /* grade: points=2 doc=docs/05-cgroups.md#the-systemd-driver-full-engine */
        /* The OCI runtime (oci.c): minibox driven as runc is, then by Podman. */
        cmocka_unit_test_teardown(test_oci_create_start_state_delete, oci_teardown), /* grade: points=3 doc=#a-bundle-by-hand */
        cmocka_unit_test_teardown(test_oci_kill_by_name_and_number, oci_teardown),   /* grade: doc=#a-bundle-by-hand */
        cmocka_unit_test_teardown(test_oci_delete_force_leaves_nothing, oci_teardown), /* grade: points=2 doc=#a-bundle-by-hand */
        cmocka_unit_test_teardown(test_oci_exec_joins_the_pid_namespace, oci_teardown), /* grade: points=2 doc=#an-oci-runtime */
        cmocka_unit_test_teardown(test_oci_pause_freezes_and_resume_thaws, oci_teardown), /* grade: doc=#an-oci-runtime */
        cmocka_unit_test(test_oci_features_lists_namespaces), /* grade: doc=#an-oci-runtime */
        cmocka_unit_test_teardown(test_oci_bad_input_fails_cleanly, oci_teardown),   /* grade: doc=#an-oci-runtime */
        cmocka_unit_test_teardown(test_oci_config_process_is_set_as_given, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_mounts_and_paths, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_devices_and_sysctls, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_cgroup_resources_update_and_ps, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_hooks_run_in_order_with_the_state, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_own_seccomp_profile_is_installed_last, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_namespaces_by_path_are_joined, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_user_namespace_has_the_given_maps, oci_teardown), /* grade: points=2 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_systemd_cgroup_path_nests_slices, oci_teardown), /* grade: points=1 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_cgroup_parent_that_cannot_hand_down_runs, oci_teardown), /* grade: doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_config_runcs_default_spec_runs, oci_teardown), /* grade: points=1 doc=#what-a-config-asks-for */
        cmocka_unit_test_teardown(test_oci_pid_file_is_not_written_through_a_symlink, oci_teardown), /* grade: points=1 doc=#attacks-on-the-oci-path */
        cmocka_unit_test_teardown(test_oci_mask_is_bound_from_the_hosts_null_device, oci_teardown), /* grade: points=1 doc=#attacks-on-the-oci-path */
        cmocka_unit_test_teardown(test_oci_device_node_stays_inside_the_root, oci_teardown), /* grade: points=1 doc=#attacks-on-the-oci-path */
        cmocka_unit_test_teardown(test_oci_sysctl_of_the_host_is_refused, oci_teardown), /* grade: points=1 doc=#attacks-on-the-oci-path */
        cmocka_unit_test_teardown(test_oci_exec_window_holds_no_host_directory, oci_teardown), /* grade: points=1 doc=#attacks-on-the-oci-path */
        cmocka_unit_test(test_oci_podman_run_attached), /* grade: points=3 doc=#running-minibox-under-podman */
        cmocka_unit_test(test_oci_podman_detached_exec_stop), /* grade: points=3 doc=#running-minibox-under-podman */
        cmocka_unit_test(test_oci_podman_run_tty), /* grade: points=2 doc=#running-minibox-under-podman */
        cmocka_unit_test(test_oci_podman_cleanup), /* grade: points=0 doc=#running-minibox-under-podman */
        cmocka_unit_test(test_containerd_run_attached), /* grade: points=2 doc=#running-minibox-under-containerd-and-kubernetes */
        cmocka_unit_test(test_containerd_detached_exec_ps_pause_kill), /* grade: points=3 doc=#running-minibox-under-containerd-and-kubernetes */
        cmocka_unit_test(test_containerd_cleanup), /* grade: points=0 doc=#running-minibox-under-containerd-and-kubernetes */
        cmocka_unit_test(mb_test_nothing_leaked), /* grade: points=1 doc=#capabilities */
    };
    // clang-format on

    return cmocka_run_group_tests_name("10-beyond", tests, mb_group_setup, mb_group_teardown);
}
