#!/usr/bin/env bash
# scripts/vm/run.sh [--guest systemd|plain] [--step NN] [--minibox PATH]
#                   [--rootfs DIR] [--timeout SECONDS]
# scripts/vm/run.sh --shell [--cmd COMMAND]
# scripts/vm/run.sh --prepare
#
# `make test-vm`: the suites in a throwaway qemu VM running Debian's stock
# kernel on cgroup v2, as a normal user (qemu needs no privilege). Two guests:
#   systemd  (default) a Debian 12 image with systemd as PID 1 (image.sh),
#            booted from its disk with snapshot=on; the checkout is shared
#            over 9p at its own path; the suites run as root from a login
#            session on the serial console, then as the user `student` from
#            a session of theirs (guest-job.sh): a systemd host's cgroup v2
#   plain    the host's / as the guest's root, read-only over 9p, and a shell
#            script as PID 1 (guest-init.sh): the root cgroup of a bare v2 host
# build/vm/out is shared writable for the results; the guest reports its
# status through qemu's isa-debug-exit.
#
# `make vm-shell` (--shell): the systemd guest as the course VM, with the
# checkout shared writable and qemu's user network; the console is this
# terminal and `student` is logged in. --cmd runs COMMAND in that login
# instead (non-interactive) and exits with its status.
#
# `make vm-image` (--prepare): only fetch the kernel and build the initramfs
# and the image (on Linux), so that a machine without mmdebstrap or apt (a
# Mac) can boot them.
#
# Exit status: the suites' own (0 all passed, 1 some failed), or
#   2  the VM could not be started (missing qemu, kernel, files) or set up
#   3  the guest kernel panicked
#   4  the guest hung: no answer within the timeout (qemu was killed)
#   5  the guest stopped without reporting a status
# Each failure prints one line naming it; build/vm/console.log keeps the
# guest's console.
#
# Environment: MB_VM_GUEST (systemd|plain), MB_VM_TIMEOUT (seconds; default
# 3600 for the systemd guest, 900 for the plain one), MB_VM_ACCEL (kvm|hvf|tcg;
# default: KVM when a probe boot shows it works, HVF on an Intel Mac, else
# TCG), MB_VM_MEMORY (default 1G; 2G for --shell), MB_VM_CPUS (default 2),
# MB_VM_QUIET=1 (do not stream the console), MB_VM_KERNEL_DEB (see kernel.sh),
# and for the runner's selftests MB_VM_MODE (panic, hang, fail-init: plain
# guest) and MB_VM_USER (auto, always, never: the normal-user pass).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

guest=${MB_VM_GUEST:-systemd} step="" minibox="" rootfs=build/rootfs timeout=${MB_VM_TIMEOUT:-}
shell=0 cmd="" prepare=0
while [ $# -gt 0 ]; do
    case $1 in
    --guest) guest=$2; shift 2 ;;
    --step) step=$2; shift 2 ;;
    --minibox) minibox=$2; shift 2 ;;
    --rootfs) rootfs=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --shell) shell=1 guest=systemd; shift ;;
    --prepare) prepare=1 guest=systemd; shift ;;
    --cmd) cmd=$2; shift 2 ;;
    *) echo "test-vm: unknown argument $1" >&2; exit 2 ;;
    esac
done
case $guest in
systemd) timeout=${timeout:-3600} ;;
plain) timeout=${timeout:-900} ;;
*) echo "test-vm: unknown guest '$guest' (systemd or plain)" >&2; exit 2 ;;
esac
mode=${MB_VM_MODE:-test}
[ $shell = 1 ] && mode=shell

fail() { echo "test-vm: $*" >&2; exit 2; }
vm=$repo/build/vm
mkdir -p "$vm" || fail "cannot create $vm"
# One VM at a time per checkout: they share build/vm/out and the console log.
# (macOS has no flock(1): there, one at a time is up to you.)
if command -v flock >/dev/null; then
    exec 9>"$vm/.lock"
    flock -w "${MB_VM_LOCK_WAIT:-1800}" 9 || fail "another test-vm holds $vm/.lock"
fi
console=$vm/console.log
out=$vm/out

qemu=$(command -v qemu-system-x86_64) ||
    fail "qemu-system-x86_64 is missing: run 'sudo scripts/deps.sh vm' (Debian package qemu-system-x86; Homebrew: brew install qemu)"
if [ $shell = 0 ] && [ $prepare = 0 ]; then
    [ -r "$rootfs/bin/busybox" ] || fail "no test rootfs at $rootfs (make rootfs)"
    rootfs=$(realpath "$rootfs")
    for f in "$repo/tests/run.sh" "$repo/build/tests" "$rootfs"; do
        [ -r "$f" ] || fail "$f is not readable by $(id -un); the guest could not read it either"
    done
fi
busybox=${rootfs:+$rootfs/bin/busybox}
[ -x "$busybox" ] || busybox=$(command -v busybox) || busybox=""
bindir=""
if [ -n "$minibox" ]; then
    [ -e "$minibox" ] || fail "--minibox $minibox does not exist"
    minibox=$(realpath "$minibox")
    [ -r "$minibox" ] || fail "$minibox is not readable by $(id -un); the guest could not read it either"
    # Outside the checkout, the systemd guest needs its directory shared too.
    case $minibox in "$repo"/*) ;; *) bindir=$(dirname "$minibox") ;; esac
fi

kdir=$("$here/kernel.sh" "$vm") || exit 2
kernel=$kdir/vmlinux
[ -r "$kernel" ] || kernel=$kdir/vmlinuz
modules=$(echo "$kdir"/lib/modules/*)

# The initramfs, rebuilt when its inputs change.
initramfs() { # NAME INIT [--disk]
    local initrd=$vm/$1-$(basename "$kdir").cpio
    if ! [ -s "$initrd" ] || [ "$here/$2" -nt "$initrd" ] || [ "$here/mkinitramfs.sh" -nt "$initrd" ]; then
        [ -n "$busybox" ] || fail "no static busybox for the initramfs (make rootfs)"
        "$here/mkinitramfs.sh" ${3:-} "$kdir" "$busybox" "$initrd" >&2 || fail "cannot build the initramfs"
    fi
    echo "$initrd"
}

# qboot (qemu's minimal firmware) boots a kernel in a few ms; SeaBIOS if absent.
bios=()
for f in /usr/share/qemu/qboot.rom /usr/share/qemu/bios-microvm.bin; do
    [ -r "$f" ] && { bios=(-bios "$f"); break; }
done

base_cmdline="console=ttyS0 ${MB_VM_CMDLINE:-quiet loglevel=4} panic=-1 mitigations=off \
nokaslr tsc=reliable no_timer_check i8042.noaux i8042.nomux i8042.dumbkbd random.trust_cpu=on"

# qemu_cmd ACCEL: the VM, minus its disk, shares and console.
qemu_cmd() {
    local cpu=${MB_VM_CPU:-max} mem=${MB_VM_MEMORY:-1G}
    [ "$1" = tcg ] || cpu=host
    [ $shell = 1 ] && mem=${MB_VM_MEMORY:-2G}
    echo "$qemu" -M "pc,accel=$1" -cpu $cpu -smp "${MB_VM_CPUS:-2}" -m "$mem" \
        -nodefaults -no-user-config -display none -vga none -no-reboot
}

# KVM only when it really boots this kernel: a probe boot whose initramfs
# answers at once (status 3), cached per kernel. Elsewhere (no /dev/kvm, or a
# /dev/kvm that cannot run a normal kernel, as in some nested VMs) TCG, qemu's
# software emulation, which always works. On an Intel Mac, HVF.
accel=${MB_VM_ACCEL:-}
if [ -z "$accel" ]; then
    probe=$vm/accel-$(basename "$kdir")
    if [ "$(uname -s)" = Darwin ] && [ "$(uname -m)" = x86_64 ]; then
        accel=hvf
    elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
        if ! [ -s "$probe" ]; then
            probe_initrd=$(initramfs initramfs initramfs-init) || exit 2
            # shellcheck disable=SC2046
            timeout -k 5 30 $(qemu_cmd kvm) -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
                -kernel "$kernel" -initrd "$probe_initrd" "${bios[@]}" -append "$base_cmdline mb.probe" \
                -serial "file:$vm/kvm-probe.log" >/dev/null 2>&1
            if [ $? = 3 ]; then echo kvm >"$probe"; else echo tcg >"$probe"; fi
        fi
        accel=$(cat "$probe")
    else
        accel=tcg
    fi
fi

share() { # TAG PATH [readonly]
    echo -fsdev "local,id=$1,path=$2,security_model=none,multidevs=remap${3:+,readonly=on}" \
        -device "virtio-9p-pci,fsdev=$1,mount_tag=$1"
}

# The guest: its boot files, disk and shares.
if [ "$guest" = plain ]; then
    initrd=$(initramfs initramfs initramfs-init) || exit 2
    cmdline="$base_cmdline cgroup_no_v1=all"
    # shellcheck disable=SC2207
    guest_args=($(share hostroot / ro) $(share mbout "$out"))
    login=root
    what_guest="plain guest (the host's /, a shell as PID 1)"
else
    image=$("$here/image.sh" "$vm" "$kdir") || exit 2
    initrd=$(initramfs initramfs-disk initramfs-disk-init --disk) || exit 2
    cmdline="$base_cmdline root=/dev/vda systemd.show_status=0 rd.udev.log_level=3"
    guest_args=(-drive "file=$image,if=virtio,format=raw,snapshot=on,cache=unsafe")
    # shellcheck disable=SC2207
    guest_args+=($(share mbout "$out"))
    if [ $shell = 1 ]; then
        # shellcheck disable=SC2207
        guest_args+=($(share mbrepo "$repo") -netdev user,id=net0 -device virtio-net-pci,netdev=net0)
        login=student
    else
        # shellcheck disable=SC2207
        guest_args+=($(share mbrepo "$repo" ro))
        login=root
    fi
    # shellcheck disable=SC2207
    [ -n "$bindir" ] && guest_args+=($(share mbbin "$bindir" ro))
    what_guest="systemd guest (Debian 12 image $(basename "$image"))"
fi
if [ $prepare = 1 ]; then
    echo "test-vm: ready to boot: ${kernel#"$repo"/}, ${initrd#"$repo"/}, ${image#"$repo"/}"
    exit 0
fi

# The results share, and the job for the guest.
rm -rf "$out"
mkdir -p "$out" || fail "cannot create $out"
{
    printf 'MB_VM_%s=%q\n' REPO "$repo" MODULES "$modules" BUSYBOX "$busybox" ROOTFS "$rootfs" \
        STEP "$step" MINIBOX "$minibox" MODE "$mode" USER "${MB_VM_USER:-auto}" \
        GRADE "${MB_VM_GRADE:-0}" TRACE "${MB_VM_TRACE:-0}" CMD "${cmd:-${MB_VM_CMD:-}}" \
        LOGIN "$login" BINDIR "$bindir"
} >"$out/job.env"
: >"$console"

what="the suites of every step"
[ -n "$step" ] && what="suites 01..$step"
[ "$mode" = test ] || what="mode $mode"
[ $shell = 1 ] && what="a shell as student (Ctrl-A X quits qemu)"
[ $shell = 1 ] && [ -n "$cmd" ] && what="as student: $cmd"
line="test-vm: $(basename "$kdir" | cut -d_ -f1) under qemu ($accel), $what_guest: $what${minibox:+ against $minibox}"
[ $shell = 1 ] && [ -z "$cmd" ] || line+="; console: ${console#"$repo"/}"
echo "$line"
common=(-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -initrd "$initrd" "${bios[@]}"
        -append "$cmdline" "${guest_args[@]}")
# Elapsed time from bash itself (macOS's date has no %N).
start=${EPOCHREALTIME:-$SECONDS}
if [ $shell = 1 ] && [ -z "$cmd" ]; then
    # The console is this terminal (Ctrl-A X quits, Ctrl-A H lists the keys).
    # shellcheck disable=SC2046
    $(qemu_cmd "$accel") "${common[@]}" -serial mon:stdio 2>"$vm/qemu.log"
    rc=$?
    [ $rc = 5 ] || [ $rc = 0 ] && exit 0 # logged out (poweroff) or qemu quit
    echo "test-vm: qemu ended with status $rc; see $vm/qemu.log" >&2
    exit 2
fi
# shellcheck disable=SC2046
timeout -k 10 "$timeout" $(qemu_cmd "$accel") "${common[@]}" \
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
if [ -n "${EPOCHREALTIME:-}" ]; then
    ms=$(( (${EPOCHREALTIME/[.,]/} - ${start/[.,]/}) / 1000 ))
else
    ms=$(( (SECONDS - start) * 1000 ))
fi
secs=$((ms / 1000)).$((ms % 1000 / 100))

# Each pass's last line (root's, then the normal user's), as "as root: N passed, ...".
last() {
    awk '/^== test-vm: suites as / { who = $5; sub(/:$/, "", who) } /^[0-9]+ passed, [0-9]+ failed/ { line[who] = $0; if (!(who in seen)) { seen[who] = 1; order[n++] = who } }
         END { for (i = 0; i < n; i++) printf "%sas %s: %s", (i ? "; " : ""), order[i], line[order[i]] }' \
        "$out/results.txt" 2>/dev/null
}
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
