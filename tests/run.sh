#!/usr/bin/env bash
# tests/run.sh --rootfs DIR [--step NN] [--minibox PATH] [--grade]
#
# Without --step: each step's binary against suites 01..N, then final/minibox
# against every suite, then the unit tests. With --step NN: suites 01..NN
# against --minibox (default: steps/NN-*/minibox).
# Ends with the line "N passed, N failed, N skipped"; exit 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

rootfs="" step="" minibox="" grade=0
while [ $# -gt 0 ]; do
    case $1 in
    --rootfs) rootfs=$2; shift 2 ;;
    --step) step=$2; shift 2 ;;
    --minibox) minibox=$2; shift 2 ;;
    --grade) grade=1; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
steps=$(make -s --no-print-directory -f final/sources.mk -f - print <<'MK'
print: ; @echo $(STEPS)
MK
)
passed=0 failed=0 skipped=0
declare -a table=()

# run_suite LABEL BINARY SUITE: one cmocka suite; adds to the counters.
run_suite() {
    local label=$1 bin=$2 suite=$3 out p f s
    out=$(MINIBOX=$bin MB_ROOTFS=$rootfs build/tests/$suite 2>&1)
    local rc=$?
    [ $grade = 1 ] || printf '%s\n' "$out" | sed "s|^|[$label] |"
    p=$(grep -c '^\[       OK \]' <<<"$out")
    f=$(grep '^\[  FAILED  \] [a-z]' <<<"$out" | sort -u | wc -l)
    s=$(grep -c '^\[  SKIPPED \]' <<<"$out")
    # A suite that crashed or whose setup failed counts as one failure.
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    table+=("$(printf '%-14s %-16s %3d/%-3d%s' "$label" "$suite:" "$p" "$((p + f + s))" \
        "$([ "$s" -gt 0 ] && echo " ($s skipped)")")")
    [ $grade = 1 ] && printf '%-14s %-16s %3d/%d\n' "$label" "$suite:" "$p" "$((p + f + s))"
    [ $grade = 1 ] && [ "$f" -gt 0 ] && printf '%s\n' "$out" | grep -E 'FAILED|Failure|error:|SKIP' | sed 's/^/      /'
    return 0
}

# run_step NN BINARY LABEL: suites 01..NN against BINARY.
run_step() {
    local n=$((10#$1)) bin=$2 label=$3 s
    [ -x "$bin" ] || { echo "run.sh: $bin is not built (make all)" >&2; failed=$((failed + 1)); return; }
    for s in $steps; do
        [ $((10#${s%%-*})) -le $n ] && run_suite "$label" "$bin" "$s"
    done
}

last=$(echo $steps | tr ' ' '\n' | tail -1)
if [ -n "$step" ]; then
    name=$(echo $steps | tr ' ' '\n' | grep "^$(printf '%02d' $((10#$step)))-") ||
        { echo "run.sh: no step $step (steps: $steps)" >&2; exit 2; }
    run_step "$step" "${minibox:-steps/$name/minibox}" "$name"
else
    for s in $steps; do run_step "${s%%-*}" "steps/$s/minibox" "$s"; done
    run_step "${last%%-*}" "${minibox:-final/minibox}" final
    out=$(build/tests/unit 2>&1); rc=$?
    [ $grade = 1 ] || printf '%s\n' "$out" | sed 's|^|[unit] |'
    p=$(grep -c '^\[       OK \]' <<<"$out"); f=$(grep '^\[  FAILED  \] [a-z]' <<<"$out" | sort -u | wc -l)
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    passed=$((passed + p)) failed=$((failed + f))
    table+=("$(printf '%-14s %-16s %3d/%d' unit "unit:" "$p" "$((p + f))")")
fi

echo
echo "== results =="
printf '%s\n' "${table[@]}"
total=$((passed + failed + skipped))
echo "Score: $passed/$total"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
