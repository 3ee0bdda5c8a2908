# The VM runner's job, started by the login shell that the serial console
# opened by itself (so in a logind session, as from a terminal), and by no
# other login. The job itself is the checkout's scripts/vm/guest-login.sh:
# changing it needs no new image.
if [ -r /run/mbvm/out/job.env ] && [ -r /run/mbvm/login.env ] && [ -z "${MBVM_IN_JOB:-}" ] &&
    [ "$(tty 2>/dev/null)" = /dev/ttyS0 ] && [ "$(id -un)" = "$(sed -n 's/^MBVM_LOGIN=//p' /run/mbvm/login.env)" ]; then
    MBVM_IN_JOB=1
    export MBVM_IN_JOB
    . /run/mbvm/out/job.env
    . "$MB_VM_REPO/scripts/vm/guest-login.sh"
fi
