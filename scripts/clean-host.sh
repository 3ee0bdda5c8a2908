#!/usr/bin/env bash
# clean-host.sh: remove every minibox leftover from this machine, whoever
# left it: processes, cgroups, veths and the bridge, the NAT table, leases.
#
# The suites' leak checks are machine-wide, so a run killed earlier (a demo
# interrupted with kill -9, a crashed suite) would fail the next test run.
# CI starts with this; so can a student whose machine is in a bad state.
set -u
[ "$(id -u)" = 0 ] || { echo "clean-host: run as root" >&2; exit 1; }

pkill -KILL -x minibox 2>/dev/null
pkill -KILL -x minibox-init 2>/dev/null
pkill -KILL -x slirp4netns 2>/dev/null
sleep 0.2
# deepest first, so children go before their parents
find /sys/fs/cgroup -depth -type d -name 'minibox-*' -exec rmdir {} + 2>/dev/null
ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 |
    grep -E '^(minibox0|mb[0-9a-f]{12})$' | while read -r link; do ip link del "$link"; done
nft delete table ip minibox 2>/dev/null
rm -f /run/minibox/net/leases
echo "clean-host: no minibox leftovers on this machine"
