#!/usr/bin/env bash
# check-labs.sh ROOTFS  (make check-labs): the lab holes and the suites line up.
#
#   - the holes keep their rules (scripts/lab.py lint);
#   - for every chapter NN with a step, the workspace of `make start STEP=NN`
#     holds no trace of the markers, builds, and, when the chapter has holes,
#     fails its own suite NN, with "not implemented yet" from its holes (it
#     fails because of them; how many are reached is printed: a hole later
#     on a run's path shows once the one before it is filled); the chapters
#     without holes are named;
#   - the workspace with its holes filled from the reference is byte for byte
#     steps/NN (which `make test` grades against suites 01..NN), so the stubs
#     are the only difference;
#   - `make next` in a workspace whose holes hold the reference code makes
#     exactly the workspace of chapter NN+1: the merge keeps the student's code
#     and brings in the next chapter and its holes, without a conflict;
#   - `make student-repo` writes a repository with no reference code of any
#     hole, whose links all resolve.
# Runs suites as root (in CI, or in a sandbox). About a minute per chapter
# with holes: one build and one suite each.
set -uo pipefail
cd "$(dirname "$0")/.."
rootfs=$(cd "${1:?usage: check-labs.sh ROOTFS}" && pwd)
steps=$(make -s --no-print-directory -f final/sources.mk -f - print <<'MK'
print: ; @echo $(STEPS)
MK
)
steps=${LAB_STEPS:-$steps}
work=build/labs
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
bad=0
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; bad=1; }

python3 scripts/lab.py lint || bad=1

for s in $steps; do
    n=${s%%-*}
    ws=$work/$n
    if ! python3 scripts/lab.py start "$n" "$ws" >"$work/$n.start" 2>&1; then
        cat "$work/$n.start"
        fail "$s: make start STEP=$n failed"
        continue
    fi
    if grep -rlE 'MB_SOLUTION|MB_LAB|MB_STEP|mb_step\.h' "$ws/src" "$ws/.lab" >"$work/$n.markers"; then
        fail "$s: the workspace still has markers in: $(tr '\n' ' ' <"$work/$n.markers")"
    fi
    # Filled from the reference: exactly the step, but for the lab's helper
    # (mb_todo in error.h, which a workspace keeps whatever holes are open).
    scripts/gen-steps.sh --lab "$n" "" "$work/$n.filled"
    python3 - "$work/$n.filled/src/error.h" <<'PY'
import re, sys
p = sys.argv[1]
text = open(p).read()
new = re.sub(r"\n/\* A hole of the lab .*?__FILE__\)\n", "", text, flags=re.S)
open(p, "w").write(new if new != text else text + "\n(no lab helper in error.h)\n")
PY
    if diff -r "$work/$n.filled/src" "steps/$s/src" >"$work/$n.filled.diff"; then
        ok "$s: the workspace, holes filled from the reference, is steps/$s"
    else
        head -20 "$work/$n.filled.diff"
        fail "$s: the filled workspace differs from steps/$s"
    fi
    if ! make -s -C "$ws" >"$work/$n.build" 2>&1; then
        tail -20 "$work/$n.build"
        fail "$s: the workspace does not build"
        continue
    fi
    todo=$(grep -rn "TODO($n)" "$ws/src" | wc -l)
    if [ "$todo" = 0 ]; then
        ok "$s: no holes yet (the workspace is the step; nothing to check against suite $n)"
    else
        tests/run.sh --grade --rootfs "$rootfs" --step "$n" --only "$n" --minibox "$ws/minibox" \
            --results "$work/$n.grade" >"$work/$n.grade.out" 2>&1
        status=$?
        if python3 - "$work/$n.grade/model.json" "$ws/src" "$n" <<'PY'; then
import json, os, re, sys
model, src, n = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
failed = [t for t in model["tests"] if t["status"] != "OK"]
text = "\n".join(t["feedback"] for t in failed)
# Each hole's message names its function and file: "rootfs_enter (TODO(01) in src/rootfs.c)".
holes, missing = [], []
for name in sorted(os.listdir(src)):
    lines = open(os.path.join(src, name)).read().split("\n")
    func = None
    for line in lines:
        m = re.match(r"^[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\([^;]*$", line)
        if m and not line.startswith((" ", "\t", "}")):
            func = m.group(1)
        if re.search(r"mb_todo\(&?err, \"" + n + r"\"\)", line):
            label = f"{func} (TODO({n}) in src/{name})"
            holes.append(label)
            if label not in text:
                missing.append(label)
reached = len(holes) - len(missing)
print(f"    {len(failed)} of {len(model['tests'])} tests fail; holes reached: {reached} of "
      f"{len(holes)}")
# A hole later on a run's path than another (the parent's exit status after
# the child's chroot) shows once the first is filled: the student meets the
# holes in that order. But the failures must come from the holes.
for m in missing:
    print(f"    not reached first: {m}")
sys.exit(0 if failed and reached else 1)
PY
            ok "$s: the workspace fails suite $n at its holes (exit $status)"
        else
            tail -30 "$work/$n.grade.out"
            fail "$s: the workspace's holes and suite $n do not line up"
        fi
    fi
    # make next, from the reference fill, gives the next workspace.
    next=$(tr ' ' '\n' <<<"$steps" | grep -A1 -x "$s" | sed -n 2p)
    if [ -n "$next" ]; then
        m=${next%%-*}
        cp -a "$ws" "$work/$n.next"
        rm -rf "$work/$n.next/src" && scripts/gen-steps.sh --lab "$n" "" "$work/$n.next"
        scripts/gen-steps.sh --lab "$m" "$m" "$work/$m.expected"
        if make -s -C "$work/$n.next" next >"$work/$n.next.out" 2>&1 &&
            diff -r "$work/$n.next/src" "$work/$m.expected/src" >"$work/$n.next.diff" &&
            [ "$(cat "$work/$n.next/.lab/step")" = "$m" ]; then
            ok "$s: make next gives the workspace of $next ($(grep -c replaces "$work/$n.next.out") replaced hole(s))"
        else
            cat "$work/$n.next.out"
            head -20 "$work/$n.next.diff"
            fail "$s: make next does not give the workspace of $next"
        fi
    fi
    rm -rf "$work/$n.filled" "$work/$n.next" "$work/${next%%-*}.expected"
done

# The course template.
repo=$work/student-repo
if python3 scripts/lab.py student-repo "$repo" >"$work/student-repo.out" 2>&1 &&
    python3 scripts/lab.py check-repo "$repo" >>"$work/student-repo.out" 2>&1; then
    ok "make student-repo: $(tail -1 "$work/student-repo.out" | sed 's/^check-repo: //')"
else
    cat "$work/student-repo.out"
    fail "make student-repo holds reference code, or failed"
fi
# The same check finds the reference code where it is: it can fail.
python3 scripts/lab.py check-repo docs/solutions >/dev/null 2>&1 &&
    fail "lab.py check-repo finds no reference code even in docs/solutions" ||
    ok "lab.py check-repo finds the reference code in docs/solutions (the check can fail)"
python3 scripts/check-links.py "$repo" && ok "make student-repo: every link resolves" ||
    fail "make student-repo: broken links (above)"
[ -f "$repo/.github/workflows/classroom.yml" ] && ok "make student-repo: the Classroom workflow is there" ||
    fail "make student-repo: no .github/workflows/classroom.yml"

echo
[ $bad = 0 ] && echo "check-labs: every workspace, its holes and its suite line up" ||
    echo "check-labs: FAILED (above)"
exit $bad
