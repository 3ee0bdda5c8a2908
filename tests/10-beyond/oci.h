/*
 * oci.h - suite 10-beyond: minibox as an OCI runtime (oci.c). Hand-written
 * bundles drive create/start/state/kill/delete/exec/pause/resume/features
 * through the CLI; then Podman runs with --runtime minibox, on a private
 * store under mb_tmp that test_oci_podman_cleanup tears down (run it last,
 * before the leak check).
 */
#ifndef OCI_TESTS_H
#define OCI_TESTS_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* Helpers of oci.c that oci_config.c shares. */
void oci_require_root(void);
/* A bundle whose config.json runs `script` by sh on MB_ROOTFS (read-only),
 * with a scratch dir `out` bound on /mnt; cgroupsPath is `id`. */
void oci_make_bundle(const char *script, char *bundle, size_t blen, char *out, size_t olen,
                     const char *id);
/* An id (and cgroupsPath) the leak check watches, deleted by oci_teardown. */
const char *oci_new_id(char *buf, size_t len);
json_t *oci_state_of(const char *id);
const char *oci_status_of(const char *id);
void oci_run_ok(const char *verb, const char *a1, const char *a2, const char *a3, const char *a4);
int oci_wait_file(const char *path, int ms);
int oci_wait_status(const char *id, const char *want, int ms);
void oci_read_text(const char *path, char *buf, size_t len);
/* create as conmon runs it, stdio into files of `out`; fails the test. */
void oci_create_ok(const char *bundle, const char *id, const char *out);
/* make_bundle, create and start: the container's host pid. */
pid_t oci_start_container(const char *script, const char *id, char *out, size_t olen);
void oci_state_dir_gone(const char *id);

/* oci_config.c: JSON from printf-style text, ' for " */
json_t *oci_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set (NULL: remove) the value at a dotted path ("process.user"). */
void oci_config_set(json_t *config, const char *path, json_t *value);
/* oci_make_bundle, out made writable for any user, then edit(config, out). */
void oci_bundle_edited(const char *script, const char *id, char *dir, size_t dlen, char *out,
                       size_t olen, void (*edit)(json_t *config, const char *out));
/* create, start, wait until stopped, delete; out/facts into facts. */
void oci_run_to_end(const char *dir, const char *id, const char *out, char *facts, size_t len);

void test_oci_create_start_state_delete(void **state);
void test_oci_kill_by_name_and_number(void **state);
void test_oci_delete_force_leaves_nothing(void **state);
void test_oci_exec_joins_the_pid_namespace(void **state);
void test_oci_pause_freezes_and_resume_thaws(void **state);
void test_oci_features_lists_namespaces(void **state);
void test_oci_bad_input_fails_cleanly(void **state);
void test_oci_podman_run_attached(void **state);
void test_oci_podman_detached_exec_stop(void **state);
void test_oci_podman_run_tty(void **state);
void test_oci_podman_cleanup(void **state);

/* oci_config.c: the spec's settings one by one */
void test_oci_config_process_is_set_as_given(void **state);
void test_oci_config_mounts_and_paths(void **state);
void test_oci_config_devices_and_sysctls(void **state);
void test_oci_config_cgroup_resources_update_and_ps(void **state);
void test_oci_config_hooks_run_in_order_with_the_state(void **state);
void test_oci_config_own_seccomp_profile_is_installed_last(void **state);
void test_oci_config_namespaces_by_path_are_joined(void **state);
void test_oci_config_user_namespace_has_the_given_maps(void **state);
void test_oci_config_systemd_cgroup_path_nests_slices(void **state);
void test_oci_config_cgroup_parent_that_cannot_hand_down_runs(void **state);
void test_oci_config_runcs_default_spec_runs(void **state);

/* oci_attacks.c: attacks on the OCI path that must fail */
void test_oci_pid_file_is_not_written_through_a_symlink(void **state);
void test_oci_mask_is_bound_from_the_hosts_null_device(void **state);
void test_oci_device_node_stays_inside_the_root(void **state);
void test_oci_sysctl_of_the_host_is_refused(void **state);
void test_oci_exec_window_holds_no_host_directory(void **state);

/* containerd.c: containerd's runc shim with minibox as its runc */
void test_containerd_run_attached(void **state);
void test_containerd_detached_exec_ps_pause_kill(void **state);
void test_containerd_cleanup(void **state);
int oci_teardown(void **state);

#endif
