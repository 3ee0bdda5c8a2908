#!/usr/bin/env bash
# scripts/vm/run.sh [--step NN] [--minibox PATH] [--rootfs DIR] [--timeout SECONDS]
#
# `make test-vm`: the suites in a throwaway qemu VM running Debian's stock
# kernel on cgroup v2, as a normal user (qemu needs no privilege). The host's /
# is the guest's root, read-only over 9p, so the guest runs the very binaries,
# libraries and suites of this checkout; build/vm/out is shared writable for
# the results; the guest reports its status through qemu's isa-debug-exit.
#
# Exit status: the suites' own (0 all passed, 1 some failed), or
#   2  the VM could not be started (missing qemu, kernel, files) or set up
#   3  the guest kernel panicked
#   4  the guest hung: no answer within the timeout (qemu was killed)
#   5  the guest stopped without reporting a status
# Each failure prints one line naming it; build/vm/console.log keeps the
# guest's console.
#
# Environment: MB_VM_TIMEOUT (seconds, default 900), MB_VM_ACCEL (kvm|tcg;
# default: KVM when a probe boot shows it works, else TCG), MB_VM_MEMORY
# (default 1G), MB_VM_QUIET=1 (do not stream the console), MB_VM_KERNEL_DEB
# (see kernel.sh), and for the runner's selftests MB_VM_MODE (panic, hang,
# fail-init) and MB_VM_USER (auto, always, never: the normal-user pass).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

step="" minibox="" rootfs=build/rootfs timeout=${MB_VM_TIMEOUT:-900}
while [ $# -gt 0 ]; do
    case $1 in
    --step) step=$2; shift 2 ;;
    --minibox) minibox=$2; shift 2 ;;
    --rootfs) rootfs=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "test-vm: unknown argument $1" >&2; exit 2 ;;
    esac
done

fail() { echo "test-vm: $*" >&2; exit 2; }
vm=$repo/build/vm
mkdir -p "$vm" || fail "cannot create $vm"
# One VM at a time per checkout: they share build/vm/out and the console log.
exec 9>"$vm/.lock"
flock -w "${MB_VM_LOCK_WAIT:-1800}" 9 || fail "another test-vm holds $vm/.lock"
console=$vm/console.log
out=$vm/out

qemu=$(command -v qemu-system-x86_64) ||
    fail "qemu-system-x86_64 is missing: run 'sudo scripts/deps.sh vm' (Debian package qemu-system-x86)"
[ -r "$rootfs/bin/busybox" ] || fail "no test rootfs at $rootfs (make rootfs)"
rootfs=$(realpath "$rootfs")
busybox=$rootfs/bin/busybox
if [ -n "$minibox" ]; then
    [ -e "$minibox" ] || fail "--minibox $minibox does not exist"
    minibox=$(realpath "$minibox")
fi
# The guest sees the host's files as this user does: everything it needs must
# be readable (the checkout, the suites, the binary under test).
for f in "$repo/tests/run.sh" "$repo/build/tests" "$rootfs" ${minibox:+"$minibox"}; do
    [ -r "$f" ] || fail "$f is not readable by $(id -un); the guest could not read it either"
done

kdir=$("$here/kernel.sh" "$vm") || exit 2
kernel=$kdir/vmlinux
[ -r "$kernel" ] || kernel=$kdir/vmlinuz
modules=$(echo "$kdir"/lib/modules/*)

# The initramfs, rebuilt when its inputs change.
initrd=$vm/initramfs-$(basename "$kdir").cpio
if ! [ -s "$initrd" ] || [ "$here/initramfs-init" -nt "$initrd" ] || [ "$here/mkinitramfs.sh" -nt "$initrd" ]; then
    "$here/mkinitramfs.sh" "$kdir" "$busybox" "$initrd" || fail "cannot build the initramfs"
fi

# qboot (qemu's minimal firmware) boots a kernel in a few ms; SeaBIOS if absent.
bios=()
for f in /usr/share/qemu/qboot.rom /usr/share/qemu/bios-microvm.bin; do
    [ -r "$f" ] && { bios=(-bios "$f"); break; }
done

cmdline="console=ttyS0 ${MB_VM_CMDLINE:-quiet loglevel=4} panic=-1 cgroup_no_v1=all mitigations=off \
nokaslr tsc=reliable no_timer_check i8042.noaux i8042.nomux i8042.dumbkbd random.trust_cpu=on"

# qemu_cmd ACCEL EXTRA_CMDLINE: the VM, minus the shares.
qemu_cmd() {
    local cpu=${MB_VM_CPU:-max}
    [ "$1" = kvm ] && cpu=host
    echo "$qemu" -M "pc,accel=$1" -cpu $cpu -smp 2 -m "${MB_VM_MEMORY:-1G}" \
        -nodefaults -no-user-config -display none -vga none -no-reboot
}
common=(-device isa-debug-exit,iobase=0xf4,iosize=0x04
        -kernel "$kernel" -initrd "$initrd" "${bios[@]}")

# KVM only when it really boots this kernel: a probe boot whose initramfs
# answers at once (status 3), cached per kernel. Elsewhere (no /dev/kvm, or a
# /dev/kvm that cannot run a normal kernel, as in some nested VMs) TCG, qemu's
# software emulation, which always works.
accel=${MB_VM_ACCEL:-}
if [ -z "$accel" ]; then
    probe=$vm/accel-$(basename "$kdir")
    if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
        if ! [ -s "$probe" ]; then
            timeout -k 5 30 $(qemu_cmd kvm) "${common[@]}" -append "$cmdline mb.probe" \
                -serial "file:$vm/kvm-probe.log" >/dev/null 2>&1
            if [ $? = 3 ]; then echo kvm >"$probe"; else echo tcg >"$probe"; fi
        fi
        accel=$(cat "$probe")
    else
        accel=tcg
    fi
fi

# The results share, and the job for the guest.
rm -rf "$out"
mkdir -p "$out" || fail "cannot create $out"
{
    printf 'MB_VM_%s=%q\n' REPO "$repo" MODULES "$modules" BUSYBOX "$busybox" ROOTFS "$rootfs" \
        STEP "$step" MINIBOX "$minibox" MODE "${MB_VM_MODE:-test}" USER "${MB_VM_USER:-auto}" \
        GRADE "${MB_VM_GRADE:-0}" TRACE "${MB_VM_TRACE:-0}" CMD "${MB_VM_CMD:-}"
} >"$out/job.env"
: >"$console"

what="the suites of every step"
[ -n "$step" ] && what="suites 01..$step"
[ "${MB_VM_MODE:-test}" = test ] || what="selftest mode ${MB_VM_MODE}"
echo "test-vm: $(basename "$kdir" | cut -d_ -f1) under qemu ($accel): $what${minibox:+ against $minibox}; console: ${console#"$repo"/}"
start=$(date +%s%N)
# shellcheck disable=SC2046
timeout -k 10 "$timeout" $(qemu_cmd "$accel") "${common[@]}" -append "$cmdline" \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -fsdev local,id=mbout,path="$out",security_model=none \
    -device virtio-9p-pci,fsdev=mbout,mount_tag=mbout \
    -chardev file,id=con,path="$console" -serial chardev:con \
    </dev/null >"$vm/qemu.log" 2>&1 &
qpid=$!
# timeout(1) runs qemu in its own process group, which a Ctrl-C does not reach.
trap 'kill -TERM $qpid 2>/dev/null; wait $qpid; echo "test-vm: interrupted" >&2; exit 130' INT TERM HUP
if [ "${MB_VM_QUIET:-0}" != 1 ]; then
    tail -n +1 -s 0.2 -F --pid=$qpid "$console" 2>/dev/null &
    tpid=$!
fi
wait $qpid
rc=$?
[ -n "${tpid:-}" ] && wait "$tpid"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
secs=$((ms / 1000)).$((ms % 1000 / 100))

last() { grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/results.txt" 2>/dev/null | tail -1; }
if [ $rc = 124 ] || [ $rc = 137 ]; then
    echo "test-vm: HANG: the guest did not finish within ${timeout}s and was stopped; console log: $console" >&2
    exit 4
elif [ $rc -ge 5 ] && [ $((rc % 2)) = 1 ]; then
    status=$(((rc - 5) / 2))
    if [ $status = 119 ]; then
        echo "test-vm: the guest could not be set up: $(grep -h 'test-vm \(guest\|initramfs\):' "$console" | tail -1); console log: $console" >&2
        exit 2
    fi
    echo "test-vm: guest finished in ${secs}s with status $status${accel:+ ($accel)}: $(last)"
    exit "$status"
elif [ $rc = 0 ]; then
    if grep -q 'Kernel panic' "$console"; then
        echo "test-vm: PANIC: the guest kernel panicked: $(grep -m1 'Kernel panic' "$console" | sed 's/^\[[^]]*\] //'); console log: $console" >&2
        exit 3
    fi
    echo "test-vm: the guest stopped without reporting a status; console log: $console" >&2
    exit 5
else
    echo "test-vm: qemu failed (status $rc): $(tail -1 "$vm/qemu.log"); see $vm/qemu.log" >&2
    exit 2
fi
