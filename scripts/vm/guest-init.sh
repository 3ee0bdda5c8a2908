#!/bin/bash
# PID 1 of minibox's test VM, after the initramfs switched to the host's root
# filesystem (read-only over 9p, under a throwaway tmpfs overlay). It makes the guest a plain cgroup v2 host,
# runs the chosen suites with the repository's own tests/run.sh, writes the
# results into the share /run/mbvm/out, and stops the VM through qemu's
# isa-debug-exit device with the suites' status. PID 1 must never return: the
# kernel would panic, which the host would report as a panic.
#
# Reads /run/mbvm/out/job.env, written by scripts/vm/run.sh on the host:
#   MB_VM_REPO      the repository (same absolute path as on the host)
#   MB_VM_MODULES   the unpacked kernel's lib/modules/VERSION
#   MB_VM_BUSYBOX   a static busybox (for insmod: the host may have no kmod)
#   MB_VM_ROOTFS    the test rootfs, copied into the guest's tmpfs
#   MB_VM_STEP      suites 01..STEP (empty: every step, as `make test`)
#   MB_VM_MINIBOX   the binary under test (empty: run.sh's default)
#   MB_VM_GRADE     1: tests/run.sh --grade (the score table)
#   MB_VM_MODE      test (default); cmd: run MB_VM_CMD (a bash command) instead
#                   of the suites; boot, fail-init, panic, hang: the runner's
#                   own tests
#   MB_VM_USER      auto (default): the normal-user pass runs from the rootless
#                   chapter (06) on; always | never
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
out=/run/mbvm/out
# shellcheck source=/dev/null
. "$out/job.env"
[ "${MB_VM_TRACE:-0}" = 1 ] && { PS4='+ $(cut -d" " -f1 /proc/uptime 2>/dev/null) '; set -x; }

# vm_exit, setup_failed, suite_args, results_arg, wants_user_pass
# shellcheck source=guest-lib.sh
. "$MB_VM_REPO/scripts/vm/guest-lib.sh"

mount -t proc -o nosuid,nodev,noexec proc /proc || setup_failed "cannot mount /proc"
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || setup_failed "cannot mount /sys"
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
# A real tmpfs on /tmp (overlayfs, the root, cannot be the upper layer of the
# overlays of later chapters). It hides the host's /tmp, so what the run needs
# from there (a checkout in /tmp, a binary under test) is bound back into it.
mkdir -p /run/mbvm/host-tmp && mount --bind /tmp /run/mbvm/host-tmp
mount -t tmpfs -o mode=1777 tmp /tmp || setup_failed "cannot mount a tmpfs on /tmp"
for p in "$MB_VM_REPO" "$MB_VM_ROOTFS" "$MB_VM_MINIBOX" "$MB_VM_MODULES"; do
    case $p in /tmp/?*) ;; *) continue ;; esac
    top=${p#/tmp/} && top=${top%%/*}
    [ -e "/tmp/$top" ] && continue
    if [ -d "/run/mbvm/host-tmp/$top" ]; then mkdir "/tmp/$top"; else touch "/tmp/$top"; fi
    mount --bind "/run/mbvm/host-tmp/$top" "/tmp/$top" || setup_failed "cannot bind /tmp/$top"
done
hostname minibox-vm
ip link set lo up 2>/dev/null

# cgroup v2 only (the kernel runs with cgroup_no_v1=all), with the three
# controllers minibox uses enabled for the children of the root.
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || setup_failed "cannot mount cgroup2"
echo "+memory +cpu +pids" >/sys/fs/cgroup/cgroup.subtree_control ||
    setup_failed "cannot enable memory, cpu, pids in cgroup.subtree_control"

# The modules the later chapters need, from the unpacked kernel. There is no
# modules.dep, so insmod, each after the modules it depends on; modules.order
# gives each one's path (much cheaper than searching the tree over 9p).
for m in overlay llc stp bridge veth; do
    [ -d "/sys/module/$m" ] && continue # the initramfs loaded overlay
    f=$(grep -m1 "/$m\.ko\$" "$MB_VM_MODULES/modules.order")
    [ -n "$f" ] && "$MB_VM_BUSYBOX" insmod "$MB_VM_MODULES/$f" || setup_failed "insmod $m failed"
done

echo "== test-vm: guest ready after $(cut -d' ' -f1 /proc/uptime) s of uptime" | tee "$out/results.txt"
case ${MB_VM_MODE:-test} in
test) ;;
boot) vm_exit 0 ;;
cmd) bash -c "$MB_VM_CMD" 2>&1 | tee -a "$out/results.txt"; vm_exit "${PIPESTATUS[0]}" ;;
panic) echo "test-vm guest: selftest: crashing the kernel"; echo c >/proc/sysrq-trigger ;;
hang) echo "test-vm guest: selftest: hanging"; while :; do sleep 3600; done ;;
fail-init) setup_failed "selftest: pretending the setup failed" ;;
*) setup_failed "unknown MB_VM_MODE '$MB_VM_MODE'" ;;
esac

cd "$MB_VM_REPO" || setup_failed "no $MB_VM_REPO"
suite_args /tmp/mbvm-rootfs

echo "== test-vm: $(uname -r), cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)" |
    tee -a "$out/results.txt"
echo "== test-vm: suites as root: tests/run.sh ${args[*]}" | tee -a "$out/results.txt"
# shellcheck disable=SC2046
tests/run.sh "${args[@]}" $(results_arg root) 2>&1 | tee -a "$out/results.txt"
status=${PIPESTATUS[0]}

# The normal-user pass: the same suites run by an unprivileged user, which is
# what the rootless chapter (06-userns) tests. Before that chapter every suite
# would only skip ("needs root"), so by default the pass starts with step 06.
# The user exists in the guest only: the root is a throwaway overlay.
user_pass() {
    local uid=60000 name=mbtest home=/tmp/mbtest-home
    mkdir -p "$home"
    chown $uid:$uid "$home"
    echo "$name:x:$uid:$uid:minibox test user:$home:/bin/bash" >>/etc/passwd
    echo "$name:x:$uid:" >>/etc/group
    echo "$name:100000:65536" >>/etc/subuid
    echo "$name:100000:65536" >>/etc/subgid
    # A cgroup subtree delegated to the user, as systemd gives a login session
    # (user@UID.service): the user owns mbtest/ and the pass runs in its leaf
    # mbtest/session, so a rootless minibox may create siblings of it.
    mkdir -p /sys/fs/cgroup/mbtest/session
    echo "+memory +cpu +pids" >/sys/fs/cgroup/mbtest/cgroup.subtree_control
    chown -R $uid:$uid /sys/fs/cgroup/mbtest
    mkdir -p "$out/user" && chown $uid:$uid "$out/user"
    echo "== test-vm: suites as $name (uid $uid): tests/run.sh ${args[*]}" | tee -a "$out/results.txt"
    # shellcheck disable=SC2016,SC2046
    bash -c 'echo $$ >/sys/fs/cgroup/mbtest/session/cgroup.procs && exec "$@"' setpriv \
        setpriv --reuid=$uid --regid=$uid --init-groups --reset-env \
        env HOME="$home" USER=$name LOGNAME=$name PATH="$PATH" LANG=C.UTF-8 \
        tests/run.sh "${args[@]}" $(results_arg user) 2>&1 | tee -a "$out/results.txt"
    return "${PIPESTATUS[0]}"
}
if wants_user_pass; then
    user_pass
    ustatus=$?
    [ "$status" -eq 0 ] && status=$ustatus
else
    echo "== test-vm: no normal-user pass (it starts with the rootless chapter 06; MB_VM_USER=always forces it)" |
        tee -a "$out/results.txt"
fi
echo "== test-vm: done after $(cut -d' ' -f1 /proc/uptime) s of uptime, status $status" | tee -a "$out/results.txt"
vm_exit "$status"
