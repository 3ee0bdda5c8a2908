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
say "minibox starts sh in a container built from $rootfs (a static busybox):"
run "$mb" run --hostname demo-box --rootfs "$rootfs" sh -c '
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
