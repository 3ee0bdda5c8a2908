#!/usr/bin/env bash
# deps.sh [--check] [GROUP...]
#
# Installs minibox's Debian packages that are missing. Groups:
#   build  compile, make the rootfs, generate the steps, run and grade the tests
#          (python3 runs the grader, podman and containerd drive the OCI runtime of chapter 10, xmllint checks its JUnit
#          output, umoci makes the OCI images of the 08-layers and 10-beyond suites that no minibox code wrote, strace holds
#          an OCI exec in its window for chapter 10's attack on it) (default)
#   docs   render the diagrams; jq and file for the sessions of the chapters that make check-docs re-runs
#   bench  the runtimes and timer that `make bench` compares against
#   vm     qemu and its firmware for `make test-vm` and `make vm-shell`, mmdebstrap and
#          mke2fs to build the guest's Debian image (docs/testing-in-a-vm.md)
#   guest  what the guest image holds besides the build group: systemd as PID 1, logind
#          sessions and user managers (libpam-systemd), D-Bus, sudo, git and an editor for
#          students. Listed here so that one file names every package; never installed
#          on the host (it would replace the host's init): scripts/vm/image.sh reads it.
#   analyze  the clang static analyzer (scan-build) for `make analyze`
# --check only reports (exit 1 when something is missing); --list prints a group's packages.
set -euo pipefail

declare -A groups=(
    [build]="gcc make pkg-config binutils libc6-dev unifdef libcmocka-dev libjansson-dev busybox-static util-linux procps clang-format python3 libxml2-utils passwd uidmap iproute2 nftables slirp4netns libarchive-dev libssl-dev libseccomp-dev libsystemd-dev tar umoci podman containerd strace"
    [docs]="graphviz jq file"
    [bench]="hyperfine runc crun bubblewrap util-linux"
    [fuzz]="clang libclang-rt-14-dev"
    [analyze]="clang clang-tools"
    [vm]="qemu-system-x86 qemu-system-data xz-utils mmdebstrap e2fsprogs"
    [guest]="systemd-sysv libpam-systemd dbus dbus-user-session kmod udev sudo less nano vim-tiny git ca-certificates bash-completion"
)

check=0
[ "${1:-}" = --check ] && { check=1; shift; }
if [ "${1:-}" = --list ]; then
    [ -n "${groups[${2:-}]+x}" ] || { echo "deps: --list GROUP (${!groups[*]})" >&2; exit 2; }
    echo "${groups[$2]}"
    exit 0
fi
[ $# -gt 0 ] || set -- build

missing=()
for g in "$@"; do
    [ -n "${groups[$g]+x}" ] || { echo "deps: unknown group '$g' (${!groups[*]})" >&2; exit 2; }
    if [ "$g" = guest ] && [ $check = 0 ]; then
        echo "deps: the guest group is for the VM image only (scripts/vm/image.sh)" >&2
        exit 2
    fi
    for p in ${groups[$g]}; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing+=("$p")
    done
done

[ ${#missing[@]} -eq 0 ] && exit 0
if [ $check = 1 ]; then
    echo "deps: missing Debian packages: ${missing[*]} (run: make deps)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps: missing ${missing[*]}; run 'sudo scripts/deps.sh $*' to install them" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; }
