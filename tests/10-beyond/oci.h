/*
 * oci.h - suite 10-beyond: minibox as an OCI runtime (oci.c). Hand-written
 * bundles drive create/start/state/kill/delete/exec/pause/resume/features
 * through the CLI; then Podman runs with --runtime minibox, on a private
 * store under mb_tmp that test_oci_podman_cleanup tears down (run it last,
 * before the leak check).
 */
#ifndef OCI_TESTS_H
#define OCI_TESTS_H

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
int oci_teardown(void **state);

#endif
