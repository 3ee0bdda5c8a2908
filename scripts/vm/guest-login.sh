# scripts/vm/guest-login.sh: sourced by the login shell of the systemd
# guest's serial console (/etc/profile.d/mbvm.sh in the image), with the
# host's job.env sourced. The console logged in by itself, through login(1)
# and PAM, so this shell is in a logind session (session-N.scope), as a
# terminal login is.
#   make vm-shell               MB_VM_MODE=shell: the student's interactive shell
#                               in the checkout; logging out powers the VM off
#   make vm-shell CMD='...'     the same login runs CMD, and its status is the VM's
#   make test-vm, ...           every other mode: root runs scripts/vm/guest-job.sh
if [ -e /run/mbvm/failed ] || [ "$MB_VM_MODE" != shell ]; then
    exec bash "$MB_VM_REPO/scripts/vm/guest-job.sh"
fi
cd "$MB_VM_REPO" || return
if [ -n "${MB_VM_CMD:-}" ]; then
    bash -c "$MB_VM_CMD"
    exec sudo -n bash "$MB_VM_REPO/scripts/vm/guest-job.sh" --exit $?
fi
echo "minibox course VM: Debian 12, systemd, cgroup v2; you are $(id -un) (sudo needs no password)."
echo "The checkout is $MB_VM_REPO (the host's files). 'exit' powers the VM off."
trap 'sudo -n systemctl poweroff' EXIT
