#!/bin/sh
# A fake "minibox" for check-discriminating: it accepts the CLI of chapter 1
# but runs the command on the host, with no chroot. Suite 01 must fail on it.
while [ $# -gt 0 ]; do
    case $1 in
    --root|--socket) shift 2 ;;
    run) shift ;;
    --rootfs) shift 2 ;;
    info) echo "kernel: fake"; exit 0 ;;
    -*) echo "fake: unknown option $1" >&2; exit 125 ;;
    *) exec "$@" ;;
    esac
done
echo "fake: no command" >&2
exit 125
