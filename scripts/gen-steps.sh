#!/usr/bin/env bash
# gen-steps.sh OUT_DIR
# gen-steps.sh --full OUT_DIR   the full engine cut the same way (MB_STEP=10,
#                               every file of final/src) into OUT_DIR/src:
#                               chapter 10's diff (scripts/chapter-diffs.sh)
#
# Cuts every chapter's snapshot out of final/: for step NN, the files of
# chapters 01..NN (final/sources.mk) go through `unifdef -DMB_STEP=NN`, which
# keeps what `#if MB_STEP >= N` guards for N <= NN and drops the rest. The
# result is plain C with no trace of the guards, readable on its own.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: gen-steps.sh [--full] OUT_DIR}
vars=$(make -s --no-print-directory -f final/sources.mk -f - print <<'MK'
print: ; @echo "STEPS='$(STEPS)'"; $(foreach n,01 02 03 04 05 06 07 08 09 10,echo "SRC_$(n)='$(SRC_$(n))'";)
MK
)
eval "$vars"

# cut_sources N DIR FILE...: FILEs of final/src through unifdef -DMB_STEP=N
# into DIR, without the include of mb_step.h. One unifdef and one awk for
# all of them, not a pipeline per file: process starts dominate here.
cut_sources() {
    local n=$1 dst=$2 tmp f rc=0
    shift 2
    tmp=$(mktemp -d)
    for f in "$@"; do [ "$f" = mb_step.h ] || cp "final/src/$f" "$tmp/$f"; done
    # unifdef exits 1 when it changed something; only 2 is an error.
    unifdef -m -DMB_STEP="$n" "$tmp"/* || rc=$?
    [ "$rc" -le 1 ] || { echo "gen-steps: unifdef failed (MB_STEP=$n)" >&2; rm -rf "$tmp"; exit 1; }
    # Drop the include of mb_step.h (it is empty once unifdef has run) and
    # squeeze the blank lines that removed blocks leave behind (cat -s).
    awk -v dst="$dst" '
        FNR == 1 { if (out) close(out); out = dst "/" substr(FILENAME, length(src) + 2); blank = 0 }
        /^#include "mb_step.h"$/ { next }
        /^$/ { if (blank++) next; print > out; next }
        { blank = 0; print > out }' src="$tmp" "$tmp"/*
    for f in "$tmp"/*; do [ -e "$dst/${f##*/}" ] || : >"$dst/${f##*/}"; done # empty files
    rm -rf "$tmp"
}

if [ "$out" = --full ]; then
    out=${2:?usage: gen-steps.sh --full OUT_DIR}
    mkdir -p "$out/src"
    # shellcheck disable=SC2086 # word lists
    cut_sources 10 "$out/src" $SRC_01 $SRC_02 $SRC_03 $SRC_04 $SRC_05 $SRC_06 $SRC_07 $SRC_08 \
        $SRC_09 $SRC_10
    exit 0
fi

mkdir -p "$out"
for step in $STEPS; do
    n=${step%%-*}
    dir=$out/$step
    rm -rf "$dir/src" # keep a built minibox and obj/: only sources are generated
    mkdir -p "$dir/src"
    files=""
    for k in $(seq -w 1 "$n"); do
        var=SRC_$(printf '%02d' "$((10#$k))")
        files="$files ${!var:-}"
    done
    # shellcheck disable=SC2086 # $files is a word list
    cut_sources "$((10#$n))" "$dir/src" $files
    cp final/Makefile "$dir/Makefile"
    cat > "$dir/README.md" <<README
# Step $step

Generated from \`final/\` by \`make steps\` (unifdef -DMB_STEP=$((10#$n))); do not edit it here,
edit \`final/src\` and run \`make steps\`.

    make                                   # builds ./minibox
    make -C ../.. test STEP=$n             # runs the suites 01..$n against it

The chapter: [docs/$step.md](../../docs/$step.md).
README
done
