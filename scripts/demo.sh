#!/usr/bin/env bash
# demo.sh MINIBOX ROOTFS: one container that shows its isolation, explained.
set -uo pipefail
mb=${1:?usage: demo.sh MINIBOX ROOTFS}
rootfs=${2:?usage: demo.sh MINIBOX ROOTFS}

if [ "$(id -u)" != 0 ]; then
    echo "demo: containers need root until chapter 6 (rootless): run 'sudo make demo'" >&2
    exit 1
fi
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "This host is '$(hostname)'; its shell sees $(ls /proc | grep -c '^[0-9]') processes."
# From chapter 8 on, the demo runs an image: the rootfs imported as layers.
source=(--rootfs "$rootfs")
image_tar=$(dirname "$rootfs")/busybox-image.tar
if "$mb" --help 2>/dev/null | grep -q '^  image ' && [ -f "$image_tar" ]; then
    demo_root=$(mktemp -d /tmp/minibox-demo.XXXXXX)
    trap 'rm -rf "$demo_root"' EXIT
    mb="$mb --root $demo_root --socket $demo_root/none.sock"
    say "minibox imports the busybox rootfs as an image (content-addressed layers):"
    run $mb image import "$image_tar" busybox
    source=(--rm busybox)
fi
say "minibox starts sh in a container (${source[*]}):"
run $mb run --hostname demo-box "${source[@]}" sh -c '
echo "- inside, my PID is $$: I am PID 1 of my own PID namespace"
echo "- my hostname is $(hostname): a UTS namespace of my own"
echo "- ps sees only this container (a fresh /proc):"
ps -o pid,comm
echo "- / is the rootfs (pivot_root; the host root is detached):"
ls /
echo "- mounts in here:"
cut -d" " -f5 /proc/self/mountinfo | tr "\n" " "; echo
exit 3'
status=$?
say "The container exited with status $status, and minibox passed it on."
say "Back on the host: still '$(hostname)'. Chapters in docs/README.md; 'make test' runs every suite."
