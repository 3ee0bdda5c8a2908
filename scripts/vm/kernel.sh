#!/usr/bin/env bash
# scripts/vm/kernel.sh VM_DIR
#
# Makes a stock Debian kernel ready to boot under qemu, without installing
# anything: the linux-image-*-amd64 package is fetched with `apt-get download`
# into VM_DIR/debs (kept, so later runs need no network), unpacked with
# dpkg-deb -x into VM_DIR/kernel/PACKAGE, and its compressed bzImage is turned
# into the uncompressed ELF `vmlinux`, which qemu boots directly through the
# PVH entry point (about twice as fast under emulation as the bzImage, which
# decompresses itself in the emulated CPU).
#
# Prints one line: KERNEL_DIR, holding vmlinuz, vmlinux (when extracted) and
# lib/modules/VERSION.
#
# MB_VM_KERNEL_DEB=FILE uses that .deb instead (e.g. on a host whose apt does
# not know Debian's kernel names). Delete VM_DIR/debs to take a newer kernel.
set -euo pipefail

vm=${1:?usage: kernel.sh VM_DIR}
mkdir -p "$vm/debs" "$vm/kernel"
vm=$(cd "$vm" && pwd)

# The .deb: the one given, else the cached one, else download the package
# that Debian's linux-image-amd64 meta-package points at (the current kernel of
# the release, e.g. linux-image-6.1.0-56-amd64 on Debian 12).
deb=${MB_VM_KERNEL_DEB:-}
if [ -z "$deb" ]; then
    deb=$(ls -1 "$vm"/debs/linux-image-*-amd64_*.deb 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$deb" ]; then
    pkg=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
          sed -n 's/^Depends: \(linux-image-[^ ,]*-amd64\).*/\1/p' | head -1)
    if [ -z "$pkg" ]; then
        echo "test-vm: apt knows no linux-image-amd64 package; run 'apt-get update' (as root)," \
             "or set MB_VM_KERNEL_DEB to a Debian linux-image-*-amd64 .deb" >&2
        exit 2
    fi
    echo "test-vm: downloading $pkg (once; cached in $vm/debs)" >&2
    (cd "$vm/debs" && apt-get download -q "$pkg" >&2) || {
        echo "test-vm: apt-get download $pkg failed (network? apt-get update?)" >&2
        exit 2
    }
    deb=$(ls -1 "$vm"/debs/"$pkg"_*.deb | sort -V | tail -1)
fi
[ -r "$deb" ] || { echo "test-vm: cannot read $deb" >&2; exit 2; }

name=$(basename "$deb" .deb)
kdir=$vm/kernel/$name
if ! [ -e "$kdir/.unpacked" ]; then
    echo "test-vm: unpacking $(basename "$deb") into $kdir" >&2
    rm -rf "$kdir" "$kdir.tmp"
    mkdir -p "$kdir.tmp"
    dpkg-deb -x "$deb" "$kdir.tmp/root"
    version=$(ls "$kdir.tmp/root/lib/modules")
    mv "$kdir.tmp/root/boot/vmlinuz-$version" "$kdir.tmp/vmlinuz"
    mv "$kdir.tmp/root/boot/config-$version" "$kdir.tmp/config"
    mkdir -p "$kdir.tmp/lib/modules"
    mv "$kdir.tmp/root/lib/modules/$version" "$kdir.tmp/lib/modules/"
    rm -rf "$kdir.tmp/root"
    # vmlinux: the xz stream inside the bzImage (Debian builds with
    # CONFIG_KERNEL_XZ), decompressed; kept only if it is an ELF file.
    off=$(LC_ALL=C grep -aboP -m1 '\xFD7zXZ\x00' "$kdir.tmp/vmlinuz" | cut -d: -f1 | head -1 || true)
    if [ -n "$off" ] &&
       xz -dc --single-stream <(tail -c +$((off + 1)) "$kdir.tmp/vmlinuz") >"$kdir.tmp/vmlinux" 2>/dev/null &&
       [ "$(head -c 4 "$kdir.tmp/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
        :
    else
        echo "test-vm: could not extract vmlinux; booting the compressed vmlinuz (slower)" >&2
        rm -f "$kdir.tmp/vmlinux"
    fi
    chmod -R a+rX "$kdir.tmp"
    touch "$kdir.tmp/.unpacked"
    mv "$kdir.tmp" "$kdir"
fi
echo "$kdir"
