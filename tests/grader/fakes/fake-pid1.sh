#!/usr/bin/env bash
# A cheating "minibox" for the grader's own test: a plain chroot (chapter 1,
# done properly enough to pass suite 01) that *prints* what chapter 2 should
# show without creating a PID namespace: `sh -c 'echo $$'` answers 1 and the
# probe's pid/ppid lines are rewritten to 1 and 0. Text checks are fooled;
# the suites' namespace checks (the host compares /proc/PID/ns/pid) must not be.
rootfs="" cmd=()
while [ $# -gt 0 ]; do
    case $1 in
    --root|--socket) shift 2 ;;
    run) shift ;;
    --rootfs) [ $# -ge 2 ] || { echo "fake: --rootfs needs a value" >&2; exit 125; }
        rootfs=$2; shift 2 ;;
    --init) shift ;;
    info)
        if [ "${2:-}" = --json ]; then
            echo '{"kernel": "fake", "namespaces": {"pid": true}, "cgroups": {"layout": "fake"}}'
        else
            echo "kernel: fake"; echo "cgroup: fake"
        fi
        exit 0 ;;
    -*) echo "fake: unknown option $1" >&2; exit 125 ;;
    *) cmd=("$@"); break ;;
    esac
done
[ -n "$rootfs" ] && [ -d "$rootfs" ] && [ -x "$rootfs/bin/sh" ] ||
    { echo "fake: --rootfs must be a rootfs directory" >&2; exit 125; }
[ ${#cmd[@]} -gt 0 ] || { echo "fake: no command" >&2; exit 125; }

in_root=(chroot "$rootfs" env -i PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=xterm
    HOSTNAME=fake)
if [ "${cmd[*]}" = 'sh -c echo $$' ]; then
    echo 1
    exit 0
fi
if [ "${cmd[*]}" = probe ]; then
    cd "$rootfs" && "${in_root[@]}" sh -c 'cd / && exec probe' | sed 's/^pid=.*/pid=1/; s/^ppid=.*/ppid=0/'
    exit "${PIPESTATUS[0]}"
fi
# Everything else runs as a child, with TERM and INT passed on, as minibox does.
cd "$rootfs" || exit 125
"${in_root[@]}" sh -c 'cd / && exec "$@"' sh "${cmd[@]}" <&0 &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM
trap 'kill -INT $child 2>/dev/null' INT
while :; do
    wait $child
    status=$?
    kill -0 $child 2>/dev/null || break
done
exit $status
