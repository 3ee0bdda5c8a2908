#!/usr/bin/env bash
# clean-host.sh: remove every minibox leftover from this machine, whoever
# left it: processes, cgroups, veths, leases, and the network that outlives
# containers (the bridge minibox0 and the NAT table, as `minibox network rm`).
#
# The suites' leak checks are machine-wide, so a run killed earlier (a demo
# interrupted with kill -9, a crashed suite) would fail the next test run.
# CI starts with this; so can a student whose machine is in a bad state.
#
# It kills only what minibox started, never by name alone (a student's
# rootless Podman runs slirp4netns too):
#   - minibox itself: a process whose program is a file named minibox, or
#     minibox's sealed copy of itself (memfd:minibox, chapter 10);
#   - containers: the members of minibox's cgroups (minibox-*), and the
#     recorded PID 1 of a container in a state root when it lives in another
#     pid namespace (a host that gave it no cgroup);
#   - slirp4netns: only those minibox started, which run in a container's
#     state dir (minibox starts them there, with --api-socket=slirp.sock).
set -u
[ "$(id -u)" = 0 ] || { echo "clean-host: run as root" >&2; exit 1; }

state_roots=(/var/lib/minibox /run/minibox /tmp/minibox-* /run/user/*/minibox)

is_minibox() { # PID
    local exe
    exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
    case "$exe" in
    */minibox | */minibox" (deleted)" | /memfd:minibox*) return 0 ;;
    esac
    return 1
}

is_minibox_slirp() { # PID
    local cwd
    [ "$(cat "/proc/$1/comm" 2>/dev/null)" = slirp4netns ] || return 1
    tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qx -- '--api-socket=slirp.sock' || return 1
    cwd=$(readlink "/proc/$1/cwd" 2>/dev/null) || return 1
    [[ "$cwd" =~ /containers/[0-9a-f]{64}$ ]]
}

targets() {
    local p pid f self_ns
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        [ "$pid" = $$ ] && continue
        if is_minibox "$pid" || is_minibox_slirp "$pid"; then echo "$pid"; fi
    done
    find /sys/fs/cgroup -type d -name 'minibox-*' 2>/dev/null | while read -r d; do
        cat "$d/cgroup.procs" 2>/dev/null
    done
    self_ns=$(readlink /proc/self/ns/pid)
    for f in "${state_roots[@]/%//containers/*/pid}"; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null)
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" != "$self_ns" ] && [ -e "/proc/$pid" ] && echo "$pid"
    done
}

# A frozen process cannot act on SIGKILL: thaw minibox's cgroups first.
find /sys/fs/cgroup -type d -name 'minibox-*' 2>/dev/null | while read -r d; do
    [ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
    [ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
done
for round in 1 2 3 4 5; do
    pids=$(targets | sort -un)
    [ -z "$pids" ] && break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null
    sleep 0.2
done
# deepest first, so children go before their parents
# then the parents minibox keeps for the next container (/minibox, as Docker
# keeps /docker; minibox.slice for the OCI path's systemd layout): rmdir
# removes only the empty ones
find /sys/fs/cgroup -depth -type d \( -name 'minibox-*' -o -name minibox -o -name 'minibox*.slice' \) \
    -exec rmdir {} + 2>/dev/null
ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 |
    grep -E '^(minibox0|mb[0-9a-f]{12})$' | while read -r link; do ip link del "$link"; done
nft delete table ip minibox 2>/dev/null
rm -f /run/minibox/net/leases
echo "clean-host: no minibox leftovers on this machine"
