#!/bin/bash
# scripts/vm/guest-job.sh: the job of the systemd guest (scripts/vm/run.sh),
# run as root by the serial console's login shell (guest-login.sh), so from
# a logind session: the suites run where `sudo make test` typed in a
# terminal runs, in /user.slice/user-0.slice/session-N.scope, a cgroup that
# holds processes. The normal-user pass then logs in as `student` with su(1)
# from outside any session, so pam_systemd opens a session of the student's
# and starts their user manager (user@1000.service), the subtree systemd
# delegates to them: as on a student's machine.
#
#   guest-job.sh            the job in /run/mbvm/out/job.env
#   guest-job.sh --exit N   only stop the VM with status N (make vm-shell CMD=...)
set -u
out=/run/mbvm/out
# shellcheck source=/dev/null
. "$out/job.env"
# shellcheck source=guest-lib.sh
. "$MB_VM_REPO/scripts/vm/guest-lib.sh"
[ "${1:-}" = --exit ] && vm_exit "$2"
[ -e /run/mbvm/failed ] && setup_failed "$(cat /run/mbvm/failed)"
[ "$(id -u)" = 0 ] || setup_failed "the job must run as root, not $(id -un)"
[ "${MB_VM_TRACE:-0}" = 1 ] && { PS4='+ $(cut -d" " -f1 /proc/uptime 2>/dev/null) '; set -x; }

# The one line that names the guest: its init, its cgroup layout and the
# cgroup of the shell that runs the suites.
guest_line() {
    local init layout
    init="$(cat /proc/1/comm) $(systemctl --version 2>/dev/null | sed -n '1s/^systemd \([0-9]*\).*/\1/p') as PID 1"
    if grep -q ' - cgroup ' /proc/self/mountinfo; then layout=hybrid
    else layout="v2 only ($(cat /sys/fs/cgroup/cgroup.subtree_control))"; fi
    echo "== test-vm guest: init $init, cgroup $layout, $1 in $(sed -n 's/^0:://p' /proc/self/cgroup)"
}
guest_line "the suites' login shell" | tee "$out/results.txt"
# Wait for the boot to finish, so that no unit starts while suites count
# processes and cgroups (systemd's own jobs: user sessions, timers).
systemctl is-system-running --wait >/dev/null 2>&1
echo "== test-vm: guest ready after $(cut -d' ' -f1 /proc/uptime) s of uptime, kernel $(uname -r)" |
    tee -a "$out/results.txt"

case ${MB_VM_MODE:-test} in
test) ;;
boot) vm_exit 0 ;;
cmd) cd "$MB_VM_REPO" && export MB_VM_REPO && bash -c "$MB_VM_CMD" 2>&1 | tee -a "$out/results.txt"
    vm_exit "${PIPESTATUS[0]}" ;;
*) setup_failed "unknown MB_VM_MODE '$MB_VM_MODE' for the systemd guest" ;;
esac

cd "$MB_VM_REPO" || setup_failed "no $MB_VM_REPO"
suite_args /var/tmp/mbvm-rootfs
echo "== test-vm: suites as root: tests/run.sh ${args[*]}" | tee -a "$out/results.txt"
# shellcheck disable=SC2046
tests/run.sh "${args[@]}" $(results_arg root) 2>&1 | tee -a "$out/results.txt"
status=${PIPESTATUS[0]}

# The normal-user pass. systemd-run starts su in a service of its own, out of
# root's session, so that pam_systemd opens a new session for the student.
if wants_user_pass; then
    mkdir -p "$out/user" && chmod 1777 "$out/user"
    # shellcheck disable=SC2046
    cmd=$(printf '%q ' cd "$MB_VM_REPO") && cmd+="&& echo \"== test-vm: suites as \$(id -un) (uid \$(id -u)), from \$(sed -n 's/^0:://p' /proc/self/cgroup)\" && "
    cmd+=$(printf '%q ' tests/run.sh "${args[@]}" $(results_arg user))
    systemd-run --quiet --wait --pipe --collect --service-type=exec \
        su -l student -c "$cmd" </dev/null 2>&1 | tee -a "$out/results.txt"
    ustatus=${PIPESTATUS[0]}
    [ "$status" -eq 0 ] && status=$ustatus
else
    echo "== test-vm: no normal-user pass (it starts with the rootless chapter 06; MB_VM_USER=always forces it)" |
        tee -a "$out/results.txt"
fi
echo "== test-vm: done after $(cut -d' ' -f1 /proc/uptime) s of uptime, status $status" | tee -a "$out/results.txt"
vm_exit "$status"
