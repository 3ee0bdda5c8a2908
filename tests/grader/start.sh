#!/usr/bin/env bash
# tests/grader/start.sh NN DIR  (make start STEP=NN DIR=PATH)
#
# A starter workspace for chapter NN: the snapshot of step NN-1 (its src/,
# Makefile and README) copied into DIR, with a block appended to the Makefile
# so that `make test` there builds ./minibox and grades it with this
# repository's suites 01..NN and rootfs. Chapter 01 has no previous step: it
# starts from a skeleton main.c that only prints the usage.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
step=${1:?usage: make start STEP=NN DIR=PATH}
dir=${2:?usage: make start STEP=NN DIR=PATH}
steps=$(make -s --no-print-directory -C "$repo" -f final/sources.mk -f - print <<'MK'
print: ; @echo $(STEPS)
MK
)
n=$((10#$step)) prev=""
name=$(tr ' ' '\n' <<<"$steps" | grep "^$(printf '%02d' "$n")-") ||
    { echo "start: no step $step (steps: $steps)" >&2; exit 2; }
for s in $steps; do [ $((10#${s%%-*})) -lt "$n" ] && prev=$s; done
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    echo "start: $dir exists and is not empty; choose a new directory" >&2
    exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ -n "$prev" ]; then
    # The previous step, as generated: sources, Makefile, README; no build output.
    (cd "$repo/steps/$prev" && tar --exclude=./obj --exclude=./minibox -cf - .) | tar -xf - -C "$dir"
    from="steps/$prev"
else
    mkdir -p "$dir/src"
    cp "$repo/steps/$name/Makefile" "$dir/Makefile"
    cat >"$dir/src/main.c" <<'C'
/* minibox, chapter 1: start here. docs/01-chroot.md says what to build. */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "usage: minibox [--root DIR] run --rootfs DIR COMMAND [ARG...]\n"
                    "       minibox [--root DIR] info [--json]\n");
    return 125; /* the CLI contract's status for "minibox itself failed" */
}
C
    from="a skeleton (chapter 1 has no previous step)"
fi

cat >>"$dir/Makefile" <<MK

# ---- Added by \`make start STEP=$step\` in $repo --------------------------
# \`make test\` builds ./minibox and grades it with suites 01..$step of the
# course (its rootfs and test binaries live there). \`make grade\` is the same.
COURSE ?= $repo
GRADE_STEP := $step

test grade: all
	\$(MAKE) -C \$(COURSE) grade STEP=\$(GRADE_STEP) MINIBOX=\$(abspath \$(O)/minibox) \\
		RESULTS=\$(abspath results)

.PHONY: test grade
MK

cat <<EOF
start: $dir holds $from, ready for chapter $name.
  read   $repo/docs/$name.md
  build  make -C $dir
  grade  make -C $dir test      (suites 01..$step; results in $dir/results/)
EOF
