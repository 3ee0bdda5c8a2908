#!/usr/bin/env bash
# tests/check-discriminating.sh ROOTFS
#
# Every chapter's suite must detect the feature it is about: suite NN is run
# against the binary of step NN-1 (suite 01 against a fake that runs the
# command on the host without chroot; suite 10-beyond, the full engine's
# own chapter, against step 09) and must fail there. A suite that
# passes on the previous step proves nothing about its own.
set -uo pipefail
cd "$(dirname "$0")/.."
rootfs=${1:?usage: check-discriminating.sh ROOTFS}
steps=$(make -s --no-print-directory -f final/sources.mk -f - print <<'MK'
print: ; @echo $(or $(SUITES),$(STEPS))
MK
)
prev="" bad=0
for s in $steps; do
    bin=${prev:+steps/$prev/minibox}
    bin=${bin:-tests/fakes/no-chroot.sh}
    out=$(MINIBOX=$bin MB_ROOTFS=$rootfs build/tests/$s 2>&1)
    failed=$(grep '^\[  FAILED  \] [a-z]' <<<"$out" | sort -u | wc -l)
    total=$(grep -c '^\[ RUN      \]' <<<"$out")
    if [ "$failed" -gt 0 ]; then
        printf 'ok   %-14s fails on %-28s (%d of %d tests fail)\n' "$s" "$bin" "$failed" "$total"
    else
        printf 'BAD  %-14s passes on %s: it does not test its chapter\n' "$s" "$bin"
        bad=1
    fi
    prev=$s
done
[ $bad = 0 ] && echo "every suite fails on the step before it"
exit $bad
