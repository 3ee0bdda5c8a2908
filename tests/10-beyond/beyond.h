/*
 * beyond.h - what the files of suite 10-beyond share: the tests of each file
 * (listed in main.c's one tests[] array) and small helpers on top of
 * mbtest.h.
 *
 * Environment, besides MINIBOX and MB_ROOTFS: MB_STEP09_MINIBOX, the binary
 * of step 09 for the "lesson" tests (default: steps/09-daemon/minibox of the
 * checkout the suite binary was built in), and MB_REPO, the checkout (for the
 * fixtures; default: three levels above build/tests/10-beyond).
 */
#ifndef BEYOND_H
#define BEYOND_H

#include <stddef.h>

#include "mbtest.h"

/* Namespaces every container of the full engine gets. */
#define BX_NS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC)

/* Docker's default capability set as /proc/PID/status prints it. */
#define BX_DEFAULT_CAPS "00000000a80425fb"
#define BX_NO_CAPS      "0000000000000000"

/* Skip unless root with the namespaces of a container. */
void bx_require(void);

/* The step 09 binary for a lesson test, or skip with the reason. */
const char *bx_require_step09(void);

/* A path in the checkout (fixtures), or NULL when the checkout is not found. */
const char *bx_repo_path(const char *rel, char *buf, size_t len);

/* mb_run with another binary than MINIBOX (the same --root and --socket). */
void bx_run_with(const char *bin, struct mb_result *r, const char *input, ...)
    __attribute__((sentinel));
void bx_run_argv_with(const char *bin, struct mb_result *r, const char *input, char *const argv[]);
/* mb_spawn with another binary. */
void bx_spawn_with(const char *bin, struct mb_proc *p, ...) __attribute__((sentinel));

/* Processes a test started and must not outlive it even when it fails:
 * bx_track registers one (until bx_untrack), bx_teardown (the teardown of
 * the tests that track) closes their stdin and kills what is left. */
void bx_track(struct mb_proc *p);
void bx_untrack(struct mb_proc *p);
int bx_teardown(void **state);

/* Run `minibox ARGS...` and assert that its key=value line `key` is `want`;
 * the failure message shows everything the run printed. */
void bx_expect_kv(const char *key, const char *want, ...) __attribute__((sentinel));
void bx_expect_kv_with(const char *bin, const char *key, const char *want, ...)
    __attribute__((sentinel));

/* Assert that `key` of the output `out` is `want` (message: the output). */
void bx_assert_kv(const struct mb_result *r, const char *key, const char *want);
/* The same, with what was tried (a path, a call) at the start of the message. */
void bx_assert_kv_about(const char *about, const struct mb_result *r, const char *key,
                        const char *want);

/* Run a shell script (sh -c) to completion with stdin from /dev/null, at most
 * 600 s (a hang guard: under emulation, building fixtures and making
 * hundreds of containers take minutes); for runs that need the caller's fds
 * arranged by the shell. */
void bx_sh(struct mb_result *r, const char *script);

/* The start of a command line for bx_sh: 'BIN' --root 'STATE' --socket 'NONE'
 * (no daemon), ready for " run ...". */
const char *bx_cli(const char *bin, char *buf, size_t len);

/* Run the rootfs's probe on the host itself (not in a container): what this
 * kernel allows a process that is not confined, e.g. "probe syscall keyctl". */
void bx_host_probe(struct mb_result *r, const char *args);

/* A field "Key:\tvalue" of /proc/self/status of the test itself. */
const char *bx_self_status(const char *field, char *buf, size_t len);

/* A capability mask from hex as /proc/PID/status prints it. */
unsigned long long bx_mask(const char *hex);

/* Does this host have the path (file or directory)? */
int bx_exists(const char *path);

/* The whole content of a file (malloc'd; NULL when it cannot be read). */
char *bx_slurp(const char *path, size_t *len);

/* cgroup_manager.c */
void test_cgroup_manager_bad_value_is_refused(void **state);
void test_info_names_the_cgroup_manager(void **state);
void test_systemd_scope_holds_the_container(void **state);
void test_cgroupfs_manager_makes_the_cgroup_by_hand(void **state);
void test_systemd_manager_without_systemd_is_refused(void **state);
void test_rootless_limit_from_a_login_shell(void **state);

/* hardening.c */
void test_default_capabilities_are_dockers_set(void **state);
void test_cap_add_and_cap_drop_change_the_sets(void **state);
void test_cap_drop_all_then_cap_add_one(void **state);
void test_privileged_keeps_every_capability_and_no_confinement(void **state);
void test_bad_capability_or_security_opt_is_refused(void **state);
void test_no_new_privs_is_set(void **state);
void test_no_new_privileges_false_lifts_it(void **state);
void test_setuid_binary_gains_nothing_under_no_new_privs(void **state);
void test_masked_paths_show_nothing(void **state);
void test_read_only_proc_paths_refuse_writes(void **state);
void test_core_pattern_cannot_be_written(void **state);
void test_lesson_step09_core_pattern_can_be_written(void **state);
void test_seccomp_blocks_what_no_capability_guards(void **state);
void test_seccomp_blocks_mount_and_namespace_calls(void **state);
void test_seccomp_unconfined_lifts_the_filter(void **state);
void test_cgroup_v1_mount_for_release_agent_is_refused(void **state);
void test_lesson_step09_cgroup_v1_mount_succeeds(void **state);

/* escape.c */
void test_no_fd_of_minibox_reaches_the_container(void **state);
void test_inherited_fd_does_not_reach_the_container(void **state);
void test_lesson_step09_inherited_fd_reads_a_host_file(void **state);
void test_workdir_through_a_leaked_fd_is_refused(void **state);
void test_runtime_binary_cannot_be_overwritten(void **state);
void test_runtime_binary_sealed_copy_with_init(void **state);
void test_lesson_step09_runtime_binary_is_overwritten(void **state);
void test_tmpfs_on_a_symlink_lands_inside_the_root(void **state);
void test_volume_below_a_symlink_lands_inside_the_root(void **state);

/* attacks.c */
void test_shipped_device_node_cannot_be_opened(void **state);
void test_device_option_and_privileged(void **state);
void test_exec_is_held_by_the_device_allowlist(void **state);
void test_root_cannot_type_into_the_callers_terminal(void **state);
void test_lesson_step09_root_types_into_the_callers_terminal(void **state);
void test_exec_cannot_type_into_the_callers_terminal(void **state);
void test_exec_window_holds_no_host_fd(void **state);
void test_exec_window_is_not_dumpable(void **state);
void test_planted_setuid_file_is_out_of_reach(void **state);
void test_lesson_step09_planted_setuid_file_runs_as_root(void **state);
void test_userns_auto_containers_get_ranges_of_their_own(void **state);
void test_lesson_step09_userns_auto_containers_share_ids(void **state);
void test_vsock_sockets_are_refused(void **state);
void test_lesson_step09_vsock_socket_opens(void **state);

/* options.c */
void test_env_sets_and_passes_variables(void **state);
void test_env_file_is_read(void **state);
void test_workdir_is_created_and_used(void **state);
void test_user_by_number_and_by_name(void **state);
void test_read_only_root_keeps_proc_dev_volumes_and_tmpfs_writable(void **state);
void test_tmpfs_default_and_given_options(void **state);
void test_bad_run_options_are_refused(void **state);
void test_env_hundreds_of_variables_all_arrive(void **state);
void test_user_in_many_groups_gets_them_all(void **state);

/* exec.c */
void test_exec_joins_every_namespace_and_the_cgroup(void **state);
void test_exec_gets_the_same_hardening(void **state);
void test_exec_status_stdin_and_options(void **state);
void test_exec_by_id_prefix(void **state);
void test_exec_into_missing_or_exited_container_is_refused(void **state);
void test_inspect_running_container_matches_reality(void **state);
void test_inspect_exited_container_and_image(void **state);
/* bx_teardown, then remove the records and the image the exec and inspect
 * tests keep, so that a failed test does not fail the leak check too. */
int bx_exec_teardown(void **state);

/* daemon.c: run's options through the daemon */
void test_daemon_detaches_after_an_option_value(void **state);
void test_daemon_detaches_with_grouped_flags(void **state);
void test_daemon_gives_a_tty_after_an_option_value(void **state);
void test_daemon_passes_every_argument(void **state);
void test_daemon_rm_of_hundreds_removes_all(void **state);
void test_daemon_keeps_a_spare_handler(void **state);
/* remove what the daemon tests made, stop their daemon */
int bx_daemon_teardown(void **state);

/* members.c: two members of the daemon's group who are not root */
void test_members_use_their_own_containers(void **state);
void test_members_cannot_lift_the_hardening(void **state);
void test_members_environment_is_their_own(void **state);
void test_member_exec_is_the_members_root(void **state);
/* make the group, the two members and their daemon; remove them all */
int bx_members_setup(void **state);
int bx_members_teardown(void **state);

#endif
