#!/usr/bin/env bash
# scripts/vm/mkinitramfs.sh [--disk] KERNEL_DIR BUSYBOX OUT.cpio
#
# The VM's initramfs: a static busybox, scripts/vm/initramfs-init as /init, and
# the virtio, 9p and overlay modules of KERNEL_DIR/lib/modules/VERSION (the
# plain guest, which runs on the host's files); with --disk,
# scripts/vm/initramfs-disk-init and the virtio_blk and ext4 modules (the
# systemd guest, which boots its own disk image). Built as an
# uncompressed newc cpio (unpacking is faster than decompressing under
# emulation), by a normal user: no device nodes are needed, the kernel's
# built-in initramfs already holds /dev/console.
set -euo pipefail

init=initramfs-init
# The order that loads them without modules.dep: each after what it needs.
modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
         netfs fscache 9pnet 9pnet_virtio 9p overlay"
if [ "${1:-}" = --disk ]; then
    shift
    init=initramfs-disk-init
    modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
             virtio_blk crc16 mbcache jbd2 crc32c_generic ext4"
fi
kdir=${1:?usage: mkinitramfs.sh KERNEL_DIR BUSYBOX OUT.cpio}
busybox=${2:?usage: mkinitramfs.sh KERNEL_DIR BUSYBOX OUT.cpio}
out=${3:?usage: mkinitramfs.sh KERNEL_DIR BUSYBOX OUT.cpio}
here=$(cd "$(dirname "$0")" && pwd)
busybox=$(realpath "$busybox")
out=$(realpath -m "$out")

mdir=$(echo "$kdir"/lib/modules/*)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/modules"
install -m 0755 "$busybox" "$tmp/bin/busybox"
install -m 0755 "$here/$init" "$tmp/init"
for m in $modules; do
    f=$(find "$mdir/kernel" -name "$m.ko" -print -quit)
    [ -n "$f" ] || { echo "mkinitramfs: module $m not found in $mdir" >&2; exit 1; }
    cp "$f" "$tmp/modules/"
    echo "$m" >>"$tmp/modules.list"
done
(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc 2>/dev/null) >"$out.tmp"
mv "$out.tmp" "$out"
