#!/usr/bin/env bash
# gen-steps.sh OUT_DIR
#
# Cuts every chapter's snapshot out of final/: for step NN, the files of
# chapters 01..NN (final/sources.mk) go through `unifdef -DMB_STEP=NN`, which
# keeps what `#if MB_STEP >= N` guards for N <= NN and drops the rest. The
# result is plain C with no trace of the guards, readable on its own.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: gen-steps.sh OUT_DIR}
vars=$(make -s --no-print-directory -f final/sources.mk -f - print <<'MK'
print: ; @echo "STEPS='$(STEPS)'"; $(foreach n,01 02 03 04 05 06 07 08 09,echo "SRC_$(n)='$(SRC_$(n))'";)
MK
)
eval "$vars"

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
    for f in $files; do
        [ "$f" = mb_step.h ] && continue
        # unifdef exits 1 when it changed something; only 2 is an error.
        rc=0
        unifdef -DMB_STEP="$((10#$n))" "final/src/$f" > "$dir/src/$f.tmp" || rc=$?
        [ "$rc" -le 1 ] || { echo "gen-steps: unifdef failed on $f" >&2; exit 1; }
        # Drop the include of mb_step.h (it is empty once unifdef has run)
        # and squeeze the blank lines that removed blocks leave behind.
        grep -v '^#include "mb_step.h"$' "$dir/src/$f.tmp" | cat -s > "$dir/src/$f"
        rm "$dir/src/$f.tmp"
    done
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
