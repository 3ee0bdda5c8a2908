"""The grade annotations of every suite are well-formed, every doc link
resolves to a chapter file and heading, every test names its mechanism
(mb_hint), and clang-format (make format) does not change what they
declare."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suites  # noqa: E402

repo = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LINES_PER_POINT = 25
MIN_POINTS = 3
bad = 0
prev = None
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
    for name in suites.without_hint(repo, step):
        print(f"BAD  {step}/{name}: the test never calls mb_hint(\"...\"), so its failure cannot "
              "name the mechanism it checks")
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
    # A chapter is worth its work: its total follows the lines of code it
    # adds (LINES_PER_POINT each, at least MIN_POINTS), within a margin.
    # The full engine's bonus chapter is graded on its own scale.
    work = suites.chapter_work(repo, step, prev) if suites.has_step_dir(repo, step) else None
    if work is not None:
        want = max(MIN_POINTS, round(work / LINES_PER_POINT))
        if abs(total - want) > max(2, 0.2 * want):
            print(f"BAD  {step}: {total:g} points for {work} lines of code; a chapter's total "
                  f"should be about one point per {LINES_PER_POINT} lines: total={want} on the "
                  "suite's grade line")
            bad += 1
    prev = step
    if bad == before:
        print(f"ok   {step}: {len(tests)} tests, {total:g} points"
              + (f" ({work} lines of code)" if work is not None else ""))
sys.exit(1 if bad else 0)
