"""What the suites declare: the steps, each suite's tests in order, and the
grading annotations written next to each test in the suite's C source.

A suite is the directory tests/NN-name/ (one per entry of STEPS in
final/sources.mk) and its cmocka binary build/tests/NN-name. Its tests are
the cmocka_unit_test(...) entries of its tests[] array. A comment

    /* grade: points=3 doc=#what-pid-1-must-do */

on the line of an entry applies to that test; the same comment on a line of
its own sets the suite's defaults. Keys: points (default 1), doc (an anchor
in docs/NN-name.md, or a path from the repository root, optionally with an
anchor), visibility (Gradescope: visible, hidden, after_due_date,
after_published; default visible).

A suite's defaults may also say total=N: the points of the whole chapter.
Each test's points are then its share of N, in proportion to its points=
weight (rounded to hundredths, the last share taking the remainder), so
that a chapter is worth its work wherever its tests are added or removed.
check-declarations.py keeps each chapter's total in proportion to the code
the chapter adds.
"""
import glob
import os
import re
import subprocess

GRADE_RE = re.compile(r"/\*\s*grade:(.*?)\*/", re.S)
ENTRY_RE = re.compile(r"\bcmocka_unit_test\w*\s*\(\s*(\w+)[^;{}()]*\)\s*,?[ \t]*"
                      r"(?:/\*\s*grade:(.*?)\*/)?", re.S)
KEYS = {"points", "doc", "visibility", "total"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


class DeclarationError(Exception):
    pass


def steps(repo):
    """SUITES of final/sources.mk, in order: one per step, then the full
    engine's own chapter (10-beyond), which has no steps/ directory. A
    student's repository has no final/: there, the suites it holds."""
    if not os.path.exists(os.path.join(repo, "final", "sources.mk")):
        return sorted(os.path.basename(d) for d in glob.glob(os.path.join(repo, "tests", "[0-9][0-9]-*"))
                      if os.path.isdir(d))
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "final/sources.mk", "-f", "-", "print"],
        input="print: ; @echo $(or $(SUITES),$(STEPS))\n", capture_output=True, text=True,
        cwd=repo, check=True)
    return out.stdout.split()


def has_step_dir(repo, suite):
    """Is there a steps/<suite> snapshot (false for the full engine's chapter)?"""
    return os.path.isdir(os.path.join(repo, "steps", suite))


def step_number(name):
    return int(name.split("-", 1)[0], 10)


def _parse_annotation(text, where):
    values = {}
    for item in text.split():
        key, sep, value = item.partition("=")
        if not sep or key not in KEYS:
            raise DeclarationError(f"{where}: unknown grade annotation '{item}' "
                                   f"(use points=N, doc=#anchor, visibility=...)")
        if key in ("points", "total"):
            try:
                values[key] = float(value) if "." in value else int(value)
            except ValueError:
                raise DeclarationError(f"{where}: points={value} is not a number") from None
            if values[key] < 0:
                raise DeclarationError(f"{where}: points must not be negative")
        elif key == "visibility" and value not in VISIBILITIES:
            raise DeclarationError(f"{where}: visibility={value} is not one of "
                                   f"{', '.join(sorted(VISIBILITIES))}")
        else:
            values[key] = value
    return values


def _doc_link(repo, suite, doc):
    """A repository-relative link for a doc annotation."""
    chapter = f"docs/{suite}.md"
    if doc is None:
        return chapter if os.path.exists(os.path.join(repo, chapter)) else None
    if doc.startswith("#"):
        return chapter + doc
    return doc


def load(repo, suite):
    """The tests of one suite: [{name, points, doc, visibility}] in run order."""
    files = sorted(glob.glob(os.path.join(repo, "tests", suite, "*.c")))
    defaults, tests = {}, []
    for path in files:
        rel = os.path.relpath(path, repo)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        used = set()
        # An entry, and the grade comment that trails it on the same line
        # (clang-format may have wrapped the entry itself over two lines).
        for m in ENTRY_RE.finditer(text):
            where = f"{rel}:{text.count(chr(10), 0, m.start()) + 1}"
            ann = _parse_annotation(m.group(2), where) if m.group(2) is not None else {}
            if m.group(2) is not None:
                used.add(m.start(2))
            tests.append({"name": m.group(1), "ann": ann})
        for g in GRADE_RE.finditer(text):
            if g.start(1) not in used:
                where = f"{rel}:{text.count(chr(10), 0, g.start()) + 1}"
                defaults.update(_parse_annotation(g.group(1), where))
    out = []
    for t in tests:
        if "total" in t["ann"]:
            raise DeclarationError(f"tests/{suite}: total= belongs on the suite's own grade line, "
                                   f"not on {t['name']}")
        ann = dict(defaults, **t["ann"])
        out.append({
            "name": t["name"],
            "points": ann.get("points", 1),
            "doc": _doc_link(repo, suite, ann.get("doc")),
            "visibility": ann.get("visibility", "visible"),
        })
    if "total" in defaults and out:
        _scale(out, defaults["total"], suite)
    return out


def _scale(tests, total, suite):
    """Each test's points become its share of the chapter's total."""
    weights = sum(t["points"] for t in tests)
    if weights <= 0:
        raise DeclarationError(f"tests/{suite}: total={total} but every test has points=0")
    given = 0
    for t in tests:
        t["points"] = round(total * t["points"] / weights, 2)
        given += t["points"]
    # Rounding error goes to the test worth the most, so the sum is exact.
    top = max(tests, key=lambda t: t["points"])
    top["points"] = round(top["points"] + total - given, 2)
    for t in tests:
        if float(t["points"]).is_integer():
            t["points"] = int(t["points"])


def chapter_work(repo, step, prev):
    """The lines of C a chapter adds: non-blank lines of steps/<step>/src
    not in steps/<prev>/src (all of them for the first chapter). None when
    the snapshots are not there (a student repository has none)."""
    this = os.path.join(repo, "steps", step, "src")
    if not os.path.isdir(this):
        return None
    if prev is None:
        n = 0
        for f in glob.glob(os.path.join(this, "*")):
            with open(f, encoding="utf-8", errors="replace") as fh:
                n += sum(1 for line in fh if line.strip())
        return n
    out = subprocess.run(["diff", "-ruN", os.path.join(repo, "steps", prev, "src"), this],
                         capture_output=True, text=True)
    return sum(1 for line in out.stdout.split("\n")
               if line.startswith("+") and not line.startswith("+++") and line[1:].strip())


FUNC_RE = re.compile(r"^(?:static )?void (\w+)\(void \*\*state\)\n\{\n(.*?)^\}", re.S | re.M)


def without_hint(repo, suite):
    """The tests of a suite whose function never calls mb_hint(): their
    failures could not say which mechanism they check (tests/lib/mbtest.h).
    The harness's own mb_test_nothing_leaked has its hint built in."""
    bodies = {}
    for path in sorted(glob.glob(os.path.join(repo, "tests", suite, "*.c"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for m in FUNC_RE.finditer(f.read()):
                bodies[m.group(1)] = m.group(2)
    return [t["name"] for t in load(repo, suite)
            if t["name"] != "mb_test_nothing_leaked" and "mb_hint(" not in bodies.get(t["name"], "")]


def slug(heading):
    """GitHub's anchor for a Markdown heading."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def check_doc(repo, link):
    """None if the doc link resolves (file exists, anchor is a heading)."""
    path, _, anchor = link.partition("#")
    full = os.path.join(repo, path)
    if not os.path.exists(full):
        return f"{path} does not exist"
    if not anchor:
        return None
    with open(full, encoding="utf-8") as f:
        anchors = {slug(line.lstrip("#")) for line in f if line.startswith("#")}
    return None if anchor in anchors else f"{path} has no heading for #{anchor}"
