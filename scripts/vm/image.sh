#!/usr/bin/env bash
# scripts/vm/image.sh VM_DIR KERNEL_DIR
#
# The systemd guest's disk: a Debian 12 system with systemd as PID 1, built
# from Debian's packages by mmdebstrap, holding what the course needs to build
# and test minibox (scripts/deps.sh's build group) and what a systemd host has
# (its guest group: logind sessions, user managers, D-Bus), the modules of
# KERNEL_DIR (the stock kernel kernel.sh unpacked: nf_tables, tun, veth,
# bridge, overlay, 9p...) and the few files of scripts/vm/guest/. It is one
# ext4 file, VM_DIR/image-HASH.img; qemu opens it with snapshot=on, so every
# boot starts from the same system and nothing a run writes is kept.
#
# HASH covers the recipe: this script, the package lists, the guest files and
# the kernel. The image is built only when no image of that recipe exists
# (about a minute and a half with a fast mirror; 1.3 GB of files in a sparse
# 8 GB file); an older one is then removed. Prints one line: the image's path.
#
# As root, mmdebstrap builds into a directory and mke2fs -d copies it into the
# file system. As a normal user, mmdebstrap's unshare mode builds in a user
# namespace (ranges in /etc/subuid and /etc/subgid are needed) and mke2fs runs
# in one too, so that every file is owned by the ids it has in the guest.
#
# Environment: MB_VM_MIRROR (default http://deb.debian.org/debian), and
# MB_VM_SECURITY_MIRROR (default http://deb.debian.org/debian-security).
set -euo pipefail

vm=${1:?usage: image.sh VM_DIR KERNEL_DIR}
kdir=${2:?usage: image.sh VM_DIR KERNEL_DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mkdir -p "$vm"
vm=$(cd "$vm" && pwd)

packages="$("$repo/scripts/deps.sh" --list build) $("$repo/scripts/deps.sh" --list guest)"
mirror=${MB_VM_MIRROR:-http://deb.debian.org/debian}
security=${MB_VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
version=$(ls "$kdir/lib/modules")

# The recipe's hash: what went into the image, and nothing else (a mirror
# serves newer package versions over time; delete the image to take them).
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
hash=$({
    cat "$0"
    echo "$packages"
    basename "$kdir"
    (cd "$here/guest" && find . -type f | LC_ALL=C sort | while read -r f; do sha256 "$f"; done)
} | sha256 | cut -c1-16)
image=$vm/image-$hash.img
if [ -s "$image" ]; then
    echo "$image"
    exit 0
fi

command -v mmdebstrap >/dev/null && command -v mke2fs >/dev/null || {
    echo "test-vm: building the guest image needs mmdebstrap and mke2fs: run 'sudo scripts/deps.sh vm'" >&2
    exit 2
}
echo "test-vm: building the guest image $(basename "$image") (Debian 12, systemd; once per recipe)" >&2
tmp=$(mktemp -d "$vm/image-build.XXXXXX")
trap 'rm -rf "$tmp" 2>/dev/null || unshare -r --map-auto rm -rf "$tmp"' EXIT

# What runs inside the new system (mmdebstrap's customize hook, $1 = its root).
cat >"$tmp/customize.sh" <<EOF
#!/bin/sh
set -eu
root=\$1
# The guest's own files: units, the login hook, the shares' mounter.
cp -R --preserve=mode,timestamps "$here/guest/." "\$root/"
chmod 0755 "\$root/usr/local/lib/mbvm/"*
# The stock kernel's modules, with their dependency index, so that the
# kernel's requests (nf_tables for nft, tun for slirp4netns, veth and bridge
# for rtnetlink, overlay for mount) load them as on any Debian host.
mkdir -p "\$root/lib/modules"
cp -a "$kdir/lib/modules/$version" "\$root/lib/modules/"
chroot "\$root" depmod "$version"
echo minibox-vm >"\$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tminibox-vm\n::1\tlocalhost\n' >"\$root/etc/hosts"
printf '/dev/vda\t/\text4\trw,relatime\t0\t0\n' >"\$root/etc/fstab"
# qemu's user network (make vm-shell) answers DNS on 10.0.2.3.
echo 'nameserver 10.0.2.3' >"\$root/etc/resolv.conf"
# The student: uid 1000, sudo without a password, a range for rootless runs.
chroot "\$root" useradd -m -u 1000 -s /bin/bash -G sudo student
chroot "\$root" passwd -d student >/dev/null
chroot "\$root" passwd -d root >/dev/null
echo '%sudo ALL=(ALL:ALL) NOPASSWD: ALL' >"\$root/etc/sudoers.d/mbvm"
chmod 0440 "\$root/etc/sudoers.d/mbvm"
touch "\$root/root/.hushlogin" "\$root/home/student/.hushlogin"
# What a VM started for one job does not need, and which costs seconds of
# emulated CPU at every boot.
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
         fstrim.timer dpkg-db-backup.timer getty@tty1.service systemd-timesyncd.service \
         podman-auto-update.timer podman-restart.service systemd-networkd-wait-online.service; do
    ln -sf /dev/null "\$root/etc/systemd/system/\$u"
done
chroot "\$root" systemctl enable mbvm-shares.service systemd-networkd.service >/dev/null 2>&1
chroot "\$root" systemctl set-default multi-user.target >/dev/null 2>&1
# udev loads cfg80211 for a platform device of every PC, and it complains on
# the console that it has no wireless regulatory database.
echo 'blacklist cfg80211' >"\$root/etc/modprobe.d/mbvm.conf"
rm -f "\$root/etc/machine-id" "\$root/var/lib/dbus/machine-id"
: >"\$root/etc/machine-id"
rm -rf "\$root"/var/cache/apt/archives/*.deb "\$root"/var/lib/apt/lists/*_Packages
EOF
chmod 0755 "$tmp/customize.sh"

mm=(mmdebstrap --variant=apt --include="$(echo $packages | tr ' ' ',')"
    --customize-hook="$tmp/customize.sh \"\$1\""
    bookworm)
sources=("deb $mirror bookworm main" "deb $mirror bookworm-updates main"
         "deb $security bookworm-security main")
# mke2fs says "Creating regular file" on stdout even with -q: its output goes
# to stderr, since this script's stdout is the image's path, for run.sh.
mkfs=(mke2fs -q -t ext4 -L mbvm -E root_owner=0:0 -d "$tmp/root" -F "$tmp/image.img" 8G)
if [ "$(id -u)" = 0 ]; then
    "${mm[@]}" "$tmp/root" "${sources[@]}" >"$tmp/mmdebstrap.log" 2>&1 ||
        { tail -20 "$tmp/mmdebstrap.log" >&2; echo "test-vm: mmdebstrap failed" >&2; exit 2; }
    "${mkfs[@]}" >&2
else
    # The files carry the namespace's ids on disk: both steps see them as
    # the guest will, root as root.
    "${mm[@]}" --mode=unshare "$tmp/root.tar" "${sources[@]}" >"$tmp/mmdebstrap.log" 2>&1 ||
        { tail -20 "$tmp/mmdebstrap.log" >&2; echo "test-vm: mmdebstrap --mode=unshare failed (ranges in /etc/subuid?)" >&2; exit 2; }
    unshare -r --map-auto sh -c 'mkdir "$1/root" && tar -C "$1/root" -xpf "$1/root.tar" && shift && "$@"' \
        sh "$tmp" "${mkfs[@]}" >&2
fi
rm -f "$vm"/image-*.img
mv "$tmp/image.img" "$image"
echo "$image"
