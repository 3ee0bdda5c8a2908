#!/usr/bin/env bash
# gen-steps.sh OUT_DIR
# gen-steps.sh --full OUT_DIR   the full engine cut the same way (MB_STEP=10,
#                               every file of final/src) into OUT_DIR/src:
#                               chapter 10's diff (scripts/chapter-diffs.sh)
# gen-steps.sh --lab NN HOLES OUT_DIR
#                               step NN's sources into OUT_DIR/src with the
#                               lab holes of the chapters in HOLES (a comma-
#                               separated list of numbers, e.g. 05 or 01,02)
#                               open: a lab workspace (scripts/lab.py)
#
# Cuts every chapter's snapshot out of final/: for step NN, the files of
# chapters 01..NN (final/sources.mk) go through `unifdef -DMB_STEP=NN`, which
# keeps what `#if MB_STEP >= N` guards for N <= NN and drops the rest. The
# result is plain C with no trace of the guards, readable on its own.
#
# The same source marks the code a student writes in chapter N (a lab hole):
#
#     #if MB_SOLUTION_05
#         ... the reference code ...
#     #else
#         /* TODO(05): the hint */
#         return mb_todo(err, "05");
#     #endif
#
# A step keeps every solution (-DMB_SOLUTION_NN=1) and no lab helper
# (-DMB_LAB=0), so steps/ holds no trace of the holes either; a lab
# workspace cuts the holes of its chapter open (-DMB_SOLUTION_NN=0,
# -DMB_LAB=1). mb_step.h gives the full engine the solutions.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: gen-steps.sh [--full] OUT_DIR}
vars=$(make -s --no-print-directory -f final/sources.mk -f - print <<'MK'
print: ; @echo "STEPS='$(STEPS)'"; $(foreach n,01 02 03 04 05 06 07 08 09 10,echo "SRC_$(n)='$(SRC_$(n))'";)
MK
)
eval "$vars"

# The chapters that may hold lab holes (every one with a step).
LAB_CHAPTERS="01 02 03 04 05 06 07 08 09 10"

# lab_defines LAB HOLES: unifdef's -D options with the holes of HOLES (a list
# of chapter numbers, comma- or space-separated) open and every other
# solution in; LAB is 1 for a workspace (its lab helpers, mb_todo in error.h,
# stay, whichever holes are open), 0 for a step.
lab_defines() {
    local k defs="-DMB_LAB=$1" open=",${2// /,},"
    for k in $LAB_CHAPTERS; do
        case $open in
        *",$k,"* | *",$((10#$k)),"*) defs="$defs -DMB_SOLUTION_$k=0" ;;
        *) defs="$defs -DMB_SOLUTION_$k=1" ;;
        esac
    done
    echo "$defs"
}

# cut_sources N DEFINES DIR FILE...: FILEs of final/src through unifdef
# -DMB_STEP=N DEFINES into DIR, without the include of mb_step.h. One unifdef
# and one awk for all of them, not a pipeline per file: process starts
# dominate here.
cut_sources() {
    local n=$1 defs=$2 dst=$3 tmp f rc=0
    shift 3
    tmp=$(mktemp -d)
    for f in "$@"; do [ "$f" = mb_step.h ] || cp "final/src/$f" "$tmp/$f"; done
    # unifdef exits 1 when it changed something; only 2 is an error.
    # shellcheck disable=SC2086 # $defs is a word list
    unifdef -m -DMB_STEP="$n" $defs "$tmp"/* || rc=$?
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
    cut_sources 10 "$(lab_defines 0 "")" "$out/src" $SRC_01 $SRC_02 $SRC_03 $SRC_04 $SRC_05 $SRC_06 \
        $SRC_07 $SRC_08 $SRC_09 $SRC_10
    exit 0
fi

# step_files NN: the files of chapters 01..NN.
step_files() {
    local k var files=""
    for k in $(seq -w 1 "$1"); do
        var=SRC_$(printf '%02d' "$((10#$k))")
        files="$files ${!var:-}"
    done
    echo "$files"
}

if [ "$out" = --lab ]; then
    n=${2:?usage: gen-steps.sh --lab NN HOLES OUT_DIR} holes=${3?usage: gen-steps.sh --lab NN HOLES OUT_DIR}
    out=${4:?usage: gen-steps.sh --lab NN HOLES OUT_DIR}
    rm -rf "$out/src"
    mkdir -p "$out/src"
    # shellcheck disable=SC2046 # word lists
    cut_sources "$((10#$n))" "$(lab_defines 1 "$holes")" "$out/src" $(step_files "$n")
    exit 0
fi

mkdir -p "$out"
for step in $STEPS; do
    n=${step%%-*}
    dir=$out/$step
    rm -rf "$dir/src" # keep a built minibox and obj/: only sources are generated
    mkdir -p "$dir/src"
    # shellcheck disable=SC2046 # word lists
    cut_sources "$((10#$n))" "$(lab_defines 0 "")" "$dir/src" $(step_files "$n")
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
