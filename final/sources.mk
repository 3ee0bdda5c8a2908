# The chapter in which each source file first appears. `make steps` copies a
# file into steps/NN-name/ from its chapter on (after unifdef -DMB_STEP=NN);
# final/ builds every file. Files of chapter 10 exist only in the full engine.
SRC_01 := main.c commands.h verbs.c cmd_run.c config.h mb_step.h error.c error.h command.c \
          command.h container.c container.h rootfs.c rootfs.h
SRC_02 := init.c init.h util.c util.h signals.c signals.h
SRC_03 := ids.c ids.h
SRC_04 := mounts.c mounts.h devices.c devices.h volumes.c volumes.h
SRC_05 := resource_limits.c resource_limits.h cgroup_layout.c cgroup_layout.h cgroup.c cgroup.h \
          cgroup_devices.c cgroup_devices.h state.c state.h cmd_gc.c cmd_info.c hostinfo.c \
          hostinfo.h mountinfo.c mountinfo.h
SRC_06 := userns.c userns.h
SRC_07 := netlink.c netlink.h network.c network.h ipam.c ipam.h nat.c nat.h slirp.c slirp.h \
          cmd_network.c
SRC_08 := image_store.c image_store.h layer.c layer.h image_import.c image_import.h \
          container_store.c container_store.h cmd_image.c cmd_commit.c cmd_rm.c
SRC_09 := protocol.c protocol.h client.c client.h terminal.c terminal.h cmd_daemon.c cmd_ps.c \
          policy.c policy.h \
          cmd_stop.c cmd_logs.c

# Chapter 10 (docs/10-beyond.md) exists only in the full engine: no step
# carries these files, and no step binary runs its suite.
SRC_10 := caps.c caps.h hardening.c hardening.h seccomp.c seccomp.h selfexe.c selfexe.h \
          cmd_exec.c cmd_inspect.c cmd_oci.c cmd_oci_create.c cmd_oci_exec.c \
          cmd_oci_features.c oci_cmdline.c oci_cmdline.h oci_spec.c oci_spec.h \
          oci_state.c oci_state.h run_options.c run_options.h user.c user.h security.c security.h \
          namespaces.c namespaces.h lazy_libs.c lazy_libs.h console.c console.h hooks.c hooks.h \
          cgroup_systemd.c cgroup_systemd.h

# The chapters that exist so far, in order.
STEPS := 01-chroot 02-pid-ns 03-uts 04-mount-proc 05-cgroups 06-userns 07-net 08-layers 09-daemon

# Every suite: one per step, then the full engine's own chapter.
SUITES := $(STEPS) 10-beyond
