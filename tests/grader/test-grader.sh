#!/usr/bin/env bash
# tests/grader/test-grader.sh ROOTFS  (make test-grader)
#
# The grader's own tests, with fixtures, as CodeCrafters tests its testers:
#   - the grade annotations in the suites are valid and their doc links resolve;
#   - the reference binary of the last step gets full marks, exit 0;
#   - for every step NN, the binary of step NN-1 (for 01: a fake that runs the
#     command without chroot) fails, only in suite NN, each failure with
#     feedback that says what was checked and which chapter explains it;
#   - a fake that prints PID 1 without a PID namespace passes the text check
#     and is caught by the namespace check;
#   - without privileges (as user nobody), tests are failed with their
#     reason and the summary names the missing privilege;
#   - results.json and junit.xml validate against their schemas, the TAP
#     output parses, `make test`'s closing line is unchanged;
#   - a make start workspace grades itself, and the Gradescope bundle works
#     end to end (the workspaces and their holes: make check-labs).
# Everything follows STEPS in final/sources.mk.
set -uo pipefail
cd "$(dirname "$0")/../.."
rootfs=$(cd "${1:?usage: test-grader.sh ROOTFS}" && pwd)
steps=$(make -s --no-print-directory -f final/sources.mk -f - print <<'MK'
print: ; @echo $(STEPS)
MK
)
# GRADER_STEPS limits the fixtures to some steps (while a chapter is being written).
steps=${GRADER_STEPS:-$steps}
last=$(tr ' ' '\n' <<<"$steps" | tail -1)
tmp=$(mktemp -d /tmp/test-grader.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
bad=0
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; bad=1; }
run() { tests/run.sh --rootfs "$rootfs" "$@"; }
py() { python3 - "$@"; }

# validate DIR: the three files a grade writes, against their schemas.
validate() {
    local d=$1 what=$2
    python3 tests/grader/validate.py json tests/grader/gradescope.schema.json "$d/results.json" &&
        python3 tests/grader/validate.py json tests/grader/classroom.schema.json "$d/classroom.json" &&
        xmllint --noout --schema tests/grader/junit.xsd "$d/junit.xml" 2>"$tmp/xmllint.err" &&
        python3 tests/grader/validate.py junit-counts "$d/junit.xml" &&
        python3 tests/grader/validate.py tap "$d/results.tap" &&
        ok "$what: results.json, classroom.json, junit.xml, results.tap validate" ||
        { cat "$tmp/xmllint.err" >&2; fail "$what: output files do not validate"; }
}

# --- declarations ---------------------------------------------------------
python3 tests/grader/check-declarations.py && ok "grade annotations and doc links" ||
    fail "grade annotations (above)"

# --- the reference binary of the last step --------------------------------
n=$((10#${last%%-*}))
if run --grade --step "$n" --results "$tmp/ref" >"$tmp/ref.out" 2>&1; then
    py "$tmp/ref/model.json" <<'PY' && ok "steps/$last gets full marks: $(grep '^Score' "$tmp/ref.out")" ||
import json, sys
m = json.load(open(sys.argv[1]))
bad = [t for t in m["tests"] if t["status"] != "OK" or t["score"] != t["points"]]
sys.exit(1 if bad or not m["tests"] else 0)
PY
        fail "steps/$last: not every test scored"
else
    cat "$tmp/ref.out"
    fail "steps/$last does not pass its own grade (exit $?)"
fi
[ -d "$tmp/ref" ] && validate "$tmp/ref" "reference"

# --- each step's predecessor fails, with feedback -------------------------
prev=""
for s in $steps; do
    n=$((10#${s%%-*}))
    bin=${prev:+steps/$prev/minibox}
    bin=${bin:-tests/fakes/no-chroot.sh}
    if run --grade --step "$n" --minibox "$bin" --results "$tmp/prev-$s" >"$tmp/prev-$s.out" 2>&1; then
        fail "$s: $bin passes the grade of step $s"
    else
        py "$tmp/prev-$s/model.json" "$s" <<'PY' && ok "$s: $bin fails, only in $s, with feedback" ||
import json, os, sys
m, suite = json.load(open(sys.argv[1])), sys.argv[2]
failed = [t for t in m["tests"] if t["status"] != "OK"]
problems = []
if not failed:
    problems.append("nothing failed")
for t in failed:
    if t["suite"] != suite:
        problems.append(f"{t['suite']}/{t['name']} failed: earlier suites should pass")
    fb = t["feedback"]
    if "check:  " not in fb and "could not run" not in fb and "not run" not in fb:
        problems.append(f"{t['name']}: feedback does not show the check: {fb!r}")
    if "check:  " in fb and "\nwhy:    " not in fb:
        problems.append(f"{t['name']}: feedback does not name the mechanism (why:): {fb!r}")
    if os.path.exists(f"docs/{suite}.md") and f"read:   docs/{suite}.md" not in fb:
        problems.append(f"{t['name']}: feedback does not point to docs/{suite}.md")
if failed and not any(t["feedback"].startswith("expected ") for t in failed):
    problems.append("no failure says what was expected")
# What minibox was asked and answered: the command line, its exit status and stderr.
if failed and not any("\nran:    " in t["feedback"] and "\nexit:   " in t["feedback"]
                      and "\nstderr: " in t["feedback"] for t in failed):
    problems.append("no failure shows the command it ran, its exit status and stderr")
for p in problems:
    print("    " + p)
sys.exit(1 if problems else 0)
PY
            fail "$s: the failure of $bin is not reported usefully"
    fi
    validate "$tmp/prev-$s" "$s on $bin"
    prev=$s
done

# --- Classroom: one chapter's suite, each test worth its own points ----------
if [ "$(wc -w <<<"$steps")" -ge 2 ]; then
    s2=$(tr ' ' '\n' <<<"$steps" | sed -n 2p) s1=$(tr ' ' '\n' <<<"$steps" | head -1)
    run --grade --step "${s2%%-*}" --only "${s2%%-*}" --minibox "steps/$s1/minibox" \
        --results "$tmp/only" >"$tmp/only.out" 2>&1
    py "$tmp/only/classroom.json" "$s2" <<'PY' && ok "ONLY=${s2%%-*}: suite $s2 alone, partial credit per test in classroom.json" ||
import json, sys
r, suite = json.load(open(sys.argv[1])), sys.argv[2]
score = sum(t["score"] for t in r["tests"])
alone = r["tests"] and all(t["name"].startswith(suite + ": ") for t in r["tests"])
print(f"    {len(r['tests'])} tests of {suite}: {score:g}/{r['max_score']:g}")
sys.exit(0 if alone and 0 < score < r["max_score"] and r["status"] == "fail" else 1)
PY
        fail "ONLY=${s2%%-*}: not graded as one suite with per-test points"
    validate "$tmp/only" "ONLY=${s2%%-*}"
fi

# --- a fake that prints PID 1 without a PID namespace ---------------------
if grep -qw 02-pid-ns <<<"$steps"; then
    if run --grade --step 02 --minibox tests/grader/fakes/fake-pid1.sh --results "$tmp/fake" \
        >"$tmp/fake.out" 2>&1; then
        fail "fake-pid1.sh passes the grade of step 02"
    else
        py "$tmp/fake/model.json" <<'PY' && ok "fake-pid1.sh fools the text check and is caught by the namespace check" ||
import json, sys
m = json.load(open(sys.argv[1]))
st = {t["name"]: t for t in m["tests"] if t["suite"] == "02-pid-ns"}
fooled = st["test_command_is_pid_1"]["status"] == "OK"
caught = st["test_host_sees_another_pid_namespace"]["status"] == "FAIL" and \
    "pid:[" in st["test_host_sees_another_pid_namespace"]["feedback"]
print(f"    text check fooled: {fooled}; namespace check caught it: {caught}")
sys.exit(0 if fooled and caught else 1)
PY
            fail "fake-pid1.sh is not caught as it should be"
    fi
fi

# --- no privileges: as user nobody -----------------------------------------
first=$(tr ' ' '\n' <<<"$steps" | head -1)
mkdir -m 777 "$tmp/nopriv"
if command -v setpriv >/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups tests/run.sh --grade --rootfs "$rootfs" \
        --step "${first%%-*}" --minibox "steps/$first/minibox" --results "$tmp/nopriv" \
        >"$tmp/nopriv.out" 2>&1
    status=$?
    if [ $status -ne 0 ] && grep -q '^missing privilege: root' "$tmp/nopriv.out" &&
        py "$tmp/nopriv/results.json" <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
cant = [t for t in r["tests"] if t["output"].startswith("could not run: ")]
sys.exit(0 if cant and all(t["status"] == "failed" and t["score"] == 0 for t in cant) else 1)
PY
        ok "without root: failed with reasons, and: $(grep '^missing privilege' "$tmp/nopriv.out")"
    else
        cat "$tmp/nopriv.out"
        fail "without root: not reported as failed-with-reason (exit $status)"
    fi
    validate "$tmp/nopriv" "without root"
fi

# --- make test's closing line, and TAP on stdout ----------------------------
run --step "${first%%-*}" --results "$tmp/testmode" >"$tmp/test.out" 2>&1
tail -1 "$tmp/test.out" | grep -Eq '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' &&
    ok "make test ends with: $(tail -1 "$tmp/test.out")" || fail "make test's closing line changed"
run --grade --step "${first%%-*}" --format tap --results "$tmp/tap" >"$tmp/tap.out" 2>/dev/null
python3 tests/grader/validate.py tap "$tmp/tap.out" && cmp -s "$tmp/tap.out" "$tmp/tap/results.tap" &&
    ok "FORMAT=tap: TAP 14 on stdout" || fail "FORMAT=tap: stdout is not the TAP file"

# --- make start (the workspaces themselves: make check-labs) -------------------
ws1="$tmp/ws-first"
if make -s start STEP="${first%%-*}" DIR="$ws1" >/dev/null 2>&1 && make -s -C "$ws1" >/dev/null 2>&1; then
    make -s -C "$ws1" test >"$tmp/ws1.out" 2>&1
    st=$?
    if [ -f "$ws1/results/results.json" ] && grep -q '^Score: ' "$tmp/ws1.out" &&
        { [ $st -ne 0 ] || ! grep -rq "TODO(${first%%-*})" "$ws1/src"; }; then
        ok "make start STEP=${first%%-*}: a workspace that builds and grades itself ($(grep '^Score' "$tmp/ws1.out"))"
    else
        tail -20 "$tmp/ws1.out"
        fail "make start STEP=${first%%-*}: make test in the workspace does not grade it"
    fi
else
    fail "make start STEP=${first%%-*}: no workspace that builds"
fi
make -s start STEP="${first%%-*}" DIR="$ws1" >/dev/null 2>&1 &&
    fail "make start overwrote a non-empty directory" || ok "make start refuses a non-empty directory"

# --- the Gradescope bundle, end to end -------------------------------------
gs_step=$(tr ' ' '\n' <<<"$steps" | sed -n 2p)
gs_step=${gs_step:-$first}
ag="$tmp/autograder"
mkdir -p "$ag/source" "$ag/submission"
if tests/grader/gradescope/bundle.sh "$tmp/bundle" "${gs_step%%-*}" >/dev/null &&
    py "$tmp/bundle/minibox-autograder-${gs_step%%-*}.zip" "$ag/source" <<'PY' &&
import os, sys, zipfile
# As Gradescope's unzip does: with the files' modes.
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = info.external_attr >> 16
        if mode:
            os.chmod(path, mode & 0o7777)
PY
    make -s -C "$ag/source/minibox" rootfs test-binaries step-binaries >"$tmp/ag-setup.out" 2>&1; then
    (cd "steps/$gs_step" && tar --exclude=./obj --exclude=./minibox -cf - .) | tar -xf - -C "$ag/submission"
    AUTOGRADER_ROOT=$ag "$ag/source/run_autograder" >"$tmp/ag.out" 2>&1
    if py "$ag/results/results.json" <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
full = sum(t["max_score"] for t in r["tests"])
sys.exit(0 if r["tests"] and r["score"] == full else 1)
PY
        ok "gradescope: run_autograder gives steps/$gs_step full marks"
    else
        tail -20 "$tmp/ag.out"
        fail "gradescope: run_autograder did not grade steps/$gs_step"
    fi
    validate "$ag/results" "gradescope"
    # A submission that does not compile is a result, not a crash.
    rm -rf "$ag/results" && echo 'int main(void) { return }' >"$ag/submission/src/main.c"
    AUTOGRADER_ROOT=$ag "$ag/source/run_autograder" >"$tmp/ag2.out" 2>&1
    python3 tests/grader/validate.py json tests/grader/gradescope.schema.json "$ag/results/results.json" &&
        grep -q 'did not build' "$ag/results/results.json" &&
        ok "gradescope: a submission that does not build gets score 0 and its compiler errors" ||
        fail "gradescope: a broken submission is not reported"
else
    cat "$tmp/ag-setup.out"
    fail "gradescope: the bundle does not unpack and build"
fi

echo
[ $bad = 0 ] && echo "the grader passes its fixtures" || echo "the grader FAILS some fixtures"
exit $bad
