"""The grade annotations of every suite are well-formed, every doc link
resolves to a chapter file and heading, and clang-format (make format) does
not change what they declare."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suites  # noqa: E402

repo = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
bad = 0
for step in suites.steps(repo):
    before = bad
    if not os.path.isdir(os.path.join(repo, "tests", step)):
        print(f"BAD  {step} is in STEPS but tests/{step}/ does not exist")
        bad += 1
        continue
    try:
        tests = suites.load(repo, step)
    except suites.DeclarationError as e:
        print(f"BAD  {e}")
        bad += 1
        continue
    if not tests:
        print(f"BAD  tests/{step}: no cmocka_unit_test entries found")
        bad += 1
    for t in tests:
        err = suites.check_doc(repo, t["doc"]) if t["doc"] else None
        if err:
            print(f"BAD  {step}/{t['name']}: doc link {t['doc']}: {err}")
            bad += 1
    if shutil.which("clang-format"):
        tmp = tempfile.mkdtemp()
        try:
            os.makedirs(os.path.join(tmp, "tests", step))
            for f in os.listdir(os.path.join(repo, "tests", step)):
                if f.endswith(".c"):
                    out = subprocess.run(["clang-format", f"--style=file:{repo}/.clang-format",
                                          os.path.join(repo, "tests", step, f)],
                                         capture_output=True, text=True, check=True).stdout
                    with open(os.path.join(tmp, "tests", step, f), "w") as fh:
                        fh.write(out)
            formatted = suites.load(tmp, step)
        finally:
            shutil.rmtree(tmp)
        key = [(t["name"], t["points"], (t["doc"] or "").partition("#")[2]) for t in tests]
        if key != [(t["name"], t["points"], (t["doc"] or "").partition("#")[2]) for t in formatted]:
            print(f"BAD  tests/{step}: clang-format changes what the grade annotations declare")
            bad += 1
    total = sum(t["points"] for t in tests)
    if bad == before:
        print(f"ok   {step}: {len(tests)} tests, {total:g} points")
sys.exit(1 if bad else 0)
