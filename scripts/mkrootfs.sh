#!/usr/bin/env bash
# mkrootfs.sh OUT_DIR PROBE_BINARY [OWNER]
#
# OWNER (a user name): chown the tree to that user, for rootless runs
# (chapter 6): the user's own files are root's inside its containers.
#
# Builds the demo and test root filesystem: a static busybox with its applet
# links, a minimal /etc, and the test probe. Running it again refreshes the
# tree in place (every link is made with ln -sfn, so a second run does not
# fail with "File exists").
set -euo pipefail

out=${1:?usage: mkrootfs.sh OUT_DIR PROBE_BINARY}
probe=${2:?usage: mkrootfs.sh OUT_DIR PROBE_BINARY [OWNER]}
owner=${3:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
probe=$(cd "$(dirname "$probe")" && pwd)/$(basename "$probe")
cache=$(dirname "$out")/deb

is_static() { ! readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'; }

# The installed busybox-static, or the package fetched and unpacked (never
# installed) when this machine has only a dynamic busybox or none.
busybox=/bin/busybox
if ! [ -x "$busybox" ] || ! is_static "$busybox"; then
    mkdir -p "$cache"
    if ! ls "$cache"/busybox-static_*.deb >/dev/null 2>&1; then
        (cd "$cache" && apt-get download busybox-static)
    fi
    rm -rf "$cache/busybox-static"
    dpkg-deb -x "$cache"/busybox-static_*.deb "$cache/busybox-static"
    busybox=$cache/busybox-static/bin/busybox
fi
is_static "$busybox" || { echo "mkrootfs: $busybox is not a static binary" >&2; exit 1; }
is_static "$probe" || { echo "mkrootfs: $probe is not a static binary" >&2; exit 1; }

mkdir -p "$out"
cd "$out"
mkdir -p bin sbin usr/bin usr/sbin etc root tmp proc sys dev var/tmp home mnt run
chmod 1777 tmp var/tmp
chmod 0700 root
install -m 0755 "$busybox" bin/busybox
install -m 0755 "$probe" bin/probe

# Absolute links: they resolve inside the container, whose / is this tree.
"$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    ln -sfn /bin/busybox "$applet"
done

cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > etc/hosts
echo minibox > etc/hostname
# A file that exists only in this rootfs: the tests read it to prove that a
# command really runs with this tree as its root.
echo "minibox test rootfs" > etc/minibox-rootfs
if [ -n "$owner" ]; then
    chown -R -h "$owner:$(id -gn "$owner")" "$out"
else
    # The same tree as an importable image (chapter 8):
    #   minibox image import build/busybox-image.tar busybox
    tar -C "$out" --numeric-owner -cf "$(dirname "$out")/busybox-image.tar" .
fi
echo "mkrootfs: $out ready ($("$busybox" | head -1 | cut -d' ' -f1-2))"
