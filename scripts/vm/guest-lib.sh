# scripts/vm/guest-lib.sh: what both guests do with a job (sourced, as root,
# by guest-init.sh in the plain guest and guest-job.sh in the systemd guest).
# Needs job.env sourced and $out (the results share) set.

# vm_exit STATUS: status 0..119 -> isa-debug-exit code STATUS+2, which qemu
# turns into its exit status (code << 1) | 1 = 2*STATUS+5: never 0 (a guest
# that powered off or panicked), 1 (qemu's own errors) or 3 (the KVM probe).
vm_exit() {
    local status=$1 code
    [ "$status" -le 119 ] 2>/dev/null || status=119
    code=$((status + 2))
    echo "$status" >"$out/status"
    sync
    printf "\\$(printf %03o "$code")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
    # Not reached while qemu has the device; otherwise power off.
    echo o >/proc/sysrq-trigger
    sleep 10
    exit "$status"
}

# The guest itself could not be set up: status 119, code 121, which the host
# reports as "the guest could not be set up" with this line.
setup_failed() {
    echo "test-vm guest: $*" | tee -a "$out/guest.log"
    vm_exit 119
}

# The suites' arguments, in the array `args`; the rootfs is copied to a local
# file system first, as on a student's disk (the chapters create mount points
# in it; a 9p or overlay mount is not what students run on).
suite_args() {
    local rootfs=$1
    rm -rf "$rootfs"
    cp -a "$MB_VM_ROOTFS" "$rootfs" || setup_failed "cannot copy $MB_VM_ROOTFS"
    chmod 0755 "$rootfs"
    # The busybox image (make rootfs) lives next to the rootfs, where the
    # suites look for it.
    if [ -e "$(dirname "$MB_VM_ROOTFS")/busybox-image.tar" ]; then
        cp "$(dirname "$MB_VM_ROOTFS")/busybox-image.tar" "$(dirname "$rootfs")/" ||
            setup_failed "cannot copy busybox-image.tar"
    fi
    args=(--rootfs "$rootfs")
    [ -n "$MB_VM_STEP" ] && args+=(--step "$MB_VM_STEP")
    [ -n "$MB_VM_MINIBOX" ] && args+=(--minibox "$MB_VM_MINIBOX")
    [ "${MB_VM_GRADE:-0}" = 1 ] && args+=(--grade)
    return 0
}

# Writes to the checkout vanish with the VM: reports (TAP, JUnit,
# results.json) go to the share, where the host finds them in build/vm/out/.
results_arg() { grep -q -- '--results' "$MB_VM_REPO/tests/run.sh" && echo --results "$out/$1"; }

# Does the job want the normal-user pass? By default from the rootless
# chapter (06) on: before it, every suite only skips ("needs root").
wants_user_pass() {
    case ${MB_VM_USER:-auto} in
    always) return 0 ;;
    never) return 1 ;;
    esac
    ls -d "$MB_VM_REPO"/tests/06-* >/dev/null 2>&1 &&
        { [ -z "$MB_VM_STEP" ] || [ $((10#$MB_VM_STEP)) -ge 6 ]; }
}
