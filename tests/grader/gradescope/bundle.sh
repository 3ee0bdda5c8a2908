#!/usr/bin/env bash
# tests/grader/gradescope/bundle.sh OUTDIR [STEP]  (make gradescope-bundle [STEP=NN])
#
# The Gradescope autograder zip for one chapter: setup.sh and run_autograder
# at its root, this repository's files (tracked and untracked, as git lists
# them, minus build output) under minibox/. STEP defaults to the last step.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:?usage: bundle.sh OUTDIR [STEP]}
steps=$(make -s --no-print-directory -C "$repo" -f final/sources.mk -f - print <<'MK'
print: ; @echo $(STEPS)
MK
)
step=${2:-$(tr ' ' '\n' <<<"$steps" | tail -1)}
n=$(printf '%02d' $((10#${step%%-*})))
tr ' ' '\n' <<<"$steps" | grep -q "^$n-" || { echo "bundle: no step $step (steps: $steps)" >&2; exit 2; }
mkdir -p "$out"
zip="$(cd "$out" && pwd)/minibox-autograder-$n.zip"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$repo/tests/grader/gradescope/setup.sh" "$stage/setup.sh"
sed "s/@STEP@/$n/" "$repo/tests/grader/gradescope/run_autograder" >"$stage/run_autograder"
chmod 0755 "$stage/run_autograder"
mkdir "$stage/minibox"
(cd "$repo" && git ls-files -co --exclude-standard -z | grep -zv '^build/' |
    xargs -0 tar --no-recursion -cf - 2>/dev/null) | tar -xf - -C "$stage/minibox"
rm -f "$zip"
(cd "$stage" && python3 - "$zip" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk("."):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            if os.path.isfile(p):
                z.write(p, os.path.relpath(p, "."))  # keeps the mode bits
PY
)
echo "gradescope: $zip (chapter $n: suites 01..$n). Upload it as the autograder; docs/grading.md."
