#!/usr/bin/env python3
"""lab.py: the lab workspaces, cut from the one source (docs/architecture.md#labs).

    lab.py holes [NN]          the holes of chapter NN (or of every chapter):
                               chapter, file:line, function, the hint
    lab.py lint                the rules below; exit 1 when one is broken
    lab.py start NN DIR        a workspace for chapter NN (make start STEP=NN DIR=...)
    lab.py student-repo DIR    a course template repository (make student-repo DIR=...):
                               the workspace of chapter 01, the docs without solutions,
                               the tests, a GitHub Classroom workflow
    lab.py check-repo DIR      DIR holds no reference code of any hole
    lab.py chapter-block NN    the Markdown a chapter shows of its holes

A hole is code of final/src that the student writes in chapter NN:

    #if MB_SOLUTION_05
        ... the reference code ...
    #else
        /* TODO(05): what to write, and where the chapter explains it */
        return mb_todo(err, "05");
    #endif

scripts/gen-steps.sh cuts steps/ with every solution in, and a workspace
with its chapter's holes open; mb_todo() (error.h, lab builds only) makes a
hole fail cleanly: "minibox: not implemented yet: FUNCTION (TODO(05) in
src/FILE.c)", exit 125. The rules (lint):

  - a hole of chapter NN is in a file of chapter NN or earlier, in code that
    exists at step NN (not inside `#if MB_STEP >= M` with M > NN);
  - no later chapter (up to 09) changes its reference code (no
    `#if MB_STEP >= M` inside it, NN < M <= 9): a student who goes on with
    `make next` keeps their own code, so the next chapter cannot edit it.
    A later chapter may replace the whole hole (it stands in the #else of
    that chapter's `#if MB_STEP >= M`): `make next` then takes the new code;
  - holes do not nest; the stub is there and says TODO(NN).

The workspace (`start`) is self-contained: the student's src/ and Makefile,
the suites, the probe and the grader (tests/), scripts/deps.sh and
scripts/mkrootfs.sh, the chapters without their solutions (docs/), a README
for the chapter, and in .lab/ what `make next` needs: the chapters' sources
with every hole open (no reference code of any hole), the README of each
chapter, and next.py, which merges the next chapter into the student's src/
with diff3 (their code stays theirs).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
LAB_CHAPTERS = range(1, 10)  # the chapters with a step: 01..09
DIRECTIVE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$")
SOLUTION = re.compile(r"^MB_SOLUTION_(\d\d)$")
STEP_GE = re.compile(r"^MB_STEP\s*>=\s*(\d+)$")
FUNC = re.compile(r"^(?!static\s+const\b)[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\([^;]*$")


class LabError(Exception):
    pass


def make_vars():
    """STEPS and SRC_NN of final/sources.mk."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "final/sources.mk", "-f", "-", "print"],
        input="print: ; @echo STEPS=$(STEPS); "
              + " ".join(f"echo SRC_{n:02d}=$(SRC_{n:02d});" for n in range(1, 11)) + "\n",
        capture_output=True, text=True, cwd=REPO, check=True).stdout
    v = dict(line.split("=", 1) for line in out.split("\n") if "=" in line)
    steps = v["STEPS"].split()
    chapter_of = {}
    for n in range(1, 11):
        for f in v.get(f"SRC_{n:02d}", "").split():
            chapter_of[f] = n
    return steps, chapter_of


def step_name(steps, n):
    for s in steps:
        if int(s[:2]) == n:
            return s
    raise LabError(f"no step {n:02d} (steps: {' '.join(steps)})")


# ---- the holes of final/src -------------------------------------------------

class Hole:
    def __init__(self, chapter, file, line):
        self.chapter, self.file, self.line = chapter, file, line
        self.ref, self.stub = [], []
        self.function = None
        self.replaced_at = None  # the chapter whose #if MB_STEP >= M replaces it
        self.problems = []

    def hint(self):
        """The TODO comment of the stub, as one line of text."""
        text = " ".join(self.stub)
        m = re.search(r"/\*\s*TODO\(\d\d\):?\s*(.*?)\s*\*/", text, re.S)
        if not m:
            return ""
        return re.sub(r"\s*\n?\s*\*\s+", " ", re.sub(r"\s+", " ", m.group(1))).strip()

    def where(self):
        return f"final/src/{self.file}:{self.line}"


def holes(chapter_of=None):
    """Every hole of final/src, with what lint found wrong with it."""
    if chapter_of is None:
        _, chapter_of = make_vars()
    out = []
    src = os.path.join(REPO, "final", "src")
    for name in sorted(os.listdir(src)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            lines = f.read().split("\n")
        stack = []  # entries: [kind ("solution", "step", "other"), number, branch, hole]
        last_func = None
        for i, line in enumerate(lines, 1):
            m = DIRECTIVE.match(line)
            own = False  # the hole's own #if, #else or #endif
            if m:
                d = m.group(1)
                cond = re.sub(r"/\*.*?\*/|//.*$", "", m.group(2)).strip()
                inner = next((e[3] for e in reversed(stack) if e[0] == "solution"), None)
                if d in ("if", "ifdef", "ifndef"):
                    sm = SOLUTION.match(cond) if d == "if" else None
                    gm = STEP_GE.match(cond) if d == "if" else None
                    if sm:
                        h = Hole(int(sm.group(1)), name, i)
                        h.function = last_func
                        if inner is not None:
                            h.problems.append(f"nested in the hole at line {inner.line}")
                        if not 1 <= h.chapter <= 9:
                            h.problems.append(f"MB_SOLUTION_{sm.group(1)}: chapters 01 to 09 "
                                              "have labs")
                        fc = chapter_of.get(name)
                        if fc is None or fc > h.chapter:
                            h.problems.append(f"{name} belongs to chapter {fc}, after "
                                              f"{h.chapter:02d}")
                        for kind, n, branch, _ in stack:
                            if kind == "step" and n > h.chapter and branch == "if":
                                h.problems.append(f"inside #if MB_STEP >= {n}: no such code at "
                                                  f"step {h.chapter:02d}")
                            if kind == "step" and n > h.chapter and branch == "else":
                                h.replaced_at = min(h.replaced_at or n, n)
                        stack.append(["solution", h.chapter, "if", h])
                        out.append(h)
                        own = True
                    elif gm:
                        n = int(gm.group(1))
                        if inner is not None and inner.chapter < n <= 9:
                            inner.problems.append(
                                f"line {i}: #if MB_STEP >= {n} inside the hole: chapter {n:02d} "
                                "would change code the student wrote (make it a hole of its own, "
                                "or move it out of the hole)")
                        stack.append(["step", n, "if", None])
                    else:
                        stack.append(["other", 0, "if", None])
                elif stack and d in ("else", "elif"):
                    top = stack[-1]
                    if top[0] == "solution":
                        own = True
                        if d == "elif":
                            top[3].problems.append(f"line {i}: #elif in a hole")
                    top[2] = "else"
                elif stack and d == "endif":
                    top = stack.pop()
                    if top[0] == "solution":
                        own = True
                        h = top[3]
                        if not any(l.strip() for l in h.ref):
                            h.problems.append("the reference code is empty")
                        if not any(l.strip() for l in h.stub):
                            h.problems.append("no #else with the stub")
                        elif f"TODO({h.chapter:02d})" not in "\n".join(h.stub):
                            h.problems.append(f"the stub does not say TODO({h.chapter:02d})")
                        # A hole of whole functions: its stub defines the function.
                        for line in h.stub:
                            fm = FUNC.match(line)
                            if fm and not line.startswith((" ", "\t", "}")):
                                h.function = fm.group(1)
            else:
                fm = FUNC.match(line)
                if fm and not line.startswith((" ", "\t", "}")):
                    last_func = fm.group(1)
            if own:
                continue
            entry = next((e for e in reversed(stack) if e[0] == "solution"), None)
            if entry is not None:
                (entry[3].ref if entry[2] == "if" else entry[3].stub).append(line)
    return out


def cmd_holes(args):
    want = int(args[0], 10) if args else None
    for h in holes():
        if want is None or h.chapter == want:
            fn = f" {h.function}()" if h.function else ""
            print(f"TODO({h.chapter:02d}) {h.where()}{fn}: {h.hint()}")
    return 0


def cmd_lint(args):
    bad = 0
    hs = holes()
    for h in hs:
        for p in h.problems:
            print(f"lab: {h.where()}: hole of chapter {h.chapter:02d}: {p}")
            bad += 1
    # Every lab chapter's helper is in error.h, and only in lab builds.
    print(f"lab: {len(hs)} holes in {len({h.file for h in hs})} files"
          + (f", {bad} problem(s)" if bad else ", every rule holds"))
    return 1 if bad else 0


# ---- cutting sources ----------------------------------------------------------

def cut(step, open_holes, dest):
    """Step `step`'s sources into dest/src, the holes of open_holes cut open."""
    subprocess.run([os.path.join(REPO, "scripts", "gen-steps.sh"), "--lab", f"{step:02d}",
                    ",".join(f"{k:02d}" for k in open_holes), dest], check=True, cwd=REPO)


# ---- the workspace ------------------------------------------------------------

KIT_TESTS = ["lib", "probe", "run.sh", "Makefile"]
KIT_GRADER = ["grade.py", "cmocka.py", "feedback.py", "report.py", "suites.py", "classroom.py",
              "classroom.schema.json"]
KIT_SCRIPTS = ["deps.sh", "mkrootfs.sh", "check-links.py"]


def strip_solution_links(text):
    """A chapter without the lines that point at its solution (docs/solutions/)."""
    return re.sub(r"<!-- BEGIN SOLUTION LINK -->.*?<!-- END SOLUTION LINK -->\n?", "", text,
                  flags=re.S)


def copy_kit(dest, steps):
    """What a workspace needs besides its src/: suites, probe, grader, scripts, docs."""
    os.makedirs(os.path.join(dest, "tests", "grader"))
    for name in KIT_TESTS:
        s = os.path.join(REPO, "tests", name)
        (shutil.copytree if os.path.isdir(s) else shutil.copy2)(s, os.path.join(dest, "tests", name))
    for step in steps:
        shutil.copytree(os.path.join(REPO, "tests", step), os.path.join(dest, "tests", step))
    for name in KIT_GRADER:
        shutil.copy2(os.path.join(REPO, "tests", "grader", name),
                     os.path.join(dest, "tests", "grader", name))
    os.makedirs(os.path.join(dest, "scripts"))
    for name in KIT_SCRIPTS:
        shutil.copy2(os.path.join(REPO, "scripts", name), os.path.join(dest, "scripts", name))
    docs = os.path.join(dest, "docs")
    shutil.copytree(os.path.join(REPO, "docs"), docs,
                    ignore=shutil.ignore_patterns("solutions"))
    for name in os.listdir(docs):
        if name.endswith(".md"):
            p = os.path.join(docs, name)
            with open(p, encoding="utf-8") as f:
                text = f.read()
            with open(p, "w", encoding="utf-8") as f:
                f.write(strip_solution_links(text))


def todos(src_dir, chapter):
    """(file:line, function, hint) of every TODO(chapter) in a workspace's src/."""
    out = []
    for name in sorted(os.listdir(src_dir)):
        with open(os.path.join(src_dir, name), encoding="utf-8") as f:
            lines = f.read().split("\n")
        func = None
        for i, line in enumerate(lines):
            fm = FUNC.match(line)
            if fm and not line.startswith((" ", "\t", "#", "}")):
                func = fm.group(1)
            if f"TODO({chapter:02d})" in line:
                text = line
                j = i
                while "*/" not in text and j + 1 < len(lines):
                    j += 1
                    text += " " + lines[j]
                m = re.search(r"TODO\(\d\d\):?\s*(.*?)\s*\*/", text, re.S)
                hint = re.sub(r"\s*\*\s+", " ", re.sub(r"\s+", " ", m.group(1))).strip() if m else ""
                out.append((f"src/{name}:{i + 1}", func, hint))
    return out


def readme(steps, n, src_dir):
    name = step_name(steps, n)
    title = chapter_title(name)
    items = todos(src_dir, n)
    nxt = [s for s in steps if int(s[:2]) == n + 1]
    before = ("the code of the chapters before it is here and works, and so is the part of "
              f"chapter {n} that is not its lesson." if n > 1 else
              "the part of chapter 1 that is not its lesson is here (the command line, the "
              "errors, the fork).")
    lines = [
        f"# minibox lab, chapter {n}: {title}",
        "",
        "You are building minibox, a container engine in C, one chapter at a time. This workspace",
        f"is chapter {n}: {before} What the chapter teaches is missing: it is marked `TODO({n:02d})`",
        "in `src/`, and minibox stops there with",
        f"`minibox: not implemented yet: FUNCTION (TODO({n:02d}) in src/FILE.c)` and exit status 125.",
        "",
        "## What to implement",
        "",
        f"Read [the chapter](docs/{name}.md) first: it explains the mechanism, the order of the",
        "steps and the pitfalls. Then write, in `src/`:",
        "",
    ]
    for where, func, hint in items:
        m = re.search(r"\s*(docs/[\w.-]+\.md(?:#[\w-]+)?)\s*$", hint)
        if m:
            hint = hint[:m.start()].replace("*", "\\*") + f" ([read]({m.group(1)}))"
        lines.append(f"- `{where}`" + (f", in `{func}()`" if func else "") + f": {hint}")
    lines += [
        "",
        "Keep to the conventions of the code around you ([docs/architecture.md](docs/architecture.md#conventions)):",
        "`int f(..., mb_error *err)` returning -1 with `err` filled (`mb_fail`), cleanup attributes,",
        "one line of error text naming what failed.",
        "",
        "## Build and test",
        "",
        "On a Debian or Ubuntu machine (or the course VM), as root for the tests:",
        "",
        "```",
        "sudo make deps        # once: the compiler, libraries and tools (scripts/deps.sh)",
        "make                  # builds ./minibox from src/ (-Wall -Wextra -Werror)",
        f"sudo make test        # suites 01..{n:02d} against ./minibox; the results also in results/",
        f"sudo make test ONLY={n:02d}  # this chapter's suite alone",
        "```",
        "",
        "Every failed test prints the command it ran, minibox's exit status and stderr, one",
        "sentence naming the mechanism, and the section of the chapter to reread. The table ends",
        "with your score; the chapter is done when every test passes.",
        "",
    ]
    if nxt:
        lines += [
            "## The next chapter",
            "",
            "```",
            f"make next             # chapter {n + 1}: its code and its TODO({n + 1:02d})s merged into your src/",
            "```",
            "",
            f"`make next` keeps your code: it brings in what chapter {n + 1} adds and its holes, with",
            "`diff3`, as a merge would. Where the next chapter replaces code you wrote, it takes the",
            "new code and keeps yours in `.lab/replaced/`; your whole `src/` is saved in",
            f"`.lab/backup-{n:02d}/` first. If you changed lines the next chapter also changes, the",
            "file gets conflict markers (`<<<<<<<`) for you to resolve, as after a git merge.",
            "",
        ]
    lines += [
        "## Submit",
        "",
        "Commit and push (`git add -A && git commit -m 'chapter " + f"{n}' && git push`): the",
        "course's GitHub Classroom workflow grades every push, test by test. For Gradescope, upload",
        "`Makefile` and `src/`.",
        "",
        "## What is where",
        "",
        "| path | what |",
        "|---|---|",
        "| `src/` | your minibox: the only directory you edit |",
        "| `Makefile` | builds `./minibox`; `make test`, `make next` |",
        "| `docs/` | the chapters (start with [docs/README.md](docs/README.md)) |",
        "| `tests/` | the suites that grade you (`tests/NN-name/`), the probe, the grader |",
        "| `scripts/` | `deps.sh` (packages), `mkrootfs.sh` (the test rootfs) |",
        "| `.lab/` | what `make next` needs: the next chapters with their holes, no solutions |",
        "",
    ]
    return "\n".join(lines)


def chapter_title(step):
    """The chapter's title, from the first heading of docs/NN-name.md."""
    try:
        with open(os.path.join(REPO, "docs", f"{step}.md"), encoding="utf-8") as f:
            first = f.readline().strip()
    except OSError:
        return step
    return re.sub(r"^#\s*Chapter \d+:\s*", "", first) or step


MAKEFILE_LAB = """
# ---- the lab: written by `make start` / `make student-repo` -----------------
# The chapter this workspace is at; `make next` moves it on.
LAB_STEP := $(shell cat .lab/step)
ROOTFS   := build/rootfs
PROBE    := build/probe

# Debian/Ubuntu packages (as root): compiler, libraries, the rootfs's busybox.
deps:
\tscripts/deps.sh build

$(PROBE): tests/probe/probe.c
\tmkdir -p build && $(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

rootfs: $(ROOTFS)/.built
$(ROOTFS)/.built: scripts/mkrootfs.sh $(PROBE)
\tscripts/mkrootfs.sh $(ROOTFS) $(PROBE) && touch $@

test-binaries:
\t$(MAKE) -s -C tests

# Suites 01..LAB_STEP against ./minibox (ONLY=NN: one suite). As root.
test grade: all rootfs test-binaries
\ttests/run.sh --grade --rootfs $(ROOTFS) --step $(LAB_STEP) --minibox $(abspath $(O)/minibox) \\
\t  --results results $(if $(ONLY),--only $(ONLY))

# The next chapter, merged into src/ (README.md says how).
next:
\tpython3 .lab/next.py

distclean: clean
\trm -rf build results

.PHONY: deps rootfs test-binaries test grade next distclean
"""

GITIGNORE = """# build outputs
/minibox
/obj/
/build/
/results/
/.grade/
"""


def start(n, dest, steps=None):
    steps = steps or make_vars()[0]
    name = step_name(steps, n)
    if os.path.exists(dest) and os.listdir(dest):
        raise LabError(f"{dest} exists and is not empty; choose a new directory")
    os.makedirs(dest, exist_ok=True)
    dest = os.path.abspath(dest)
    lab_steps = [s for s in steps if int(s[:2]) in LAB_CHAPTERS]
    # The student's sources: step n with chapter n's holes open.
    cut(n, [n], dest)
    with open(os.path.join(REPO, "final", "Makefile"), encoding="utf-8") as f:
        makefile = f.read()
    with open(os.path.join(dest, "Makefile"), "w", encoding="utf-8") as f:
        f.write(makefile + MAKEFILE_LAB)
    copy_kit(dest, lab_steps)
    # What `make next` needs: every later chapter with all its holes open,
    # and each chapter's README; this chapter's too (the merge base).
    lab = os.path.join(dest, ".lab")
    os.makedirs(lab)
    for s in lab_steps:
        k = int(s[:2])
        if k < n:
            continue
        cut(k, range(1, k + 1), os.path.join(lab, f"{k:02d}"))
        ws = tempfile.mkdtemp()
        try:
            cut(k, [k], ws)
            with open(os.path.join(lab, f"{k:02d}", "README.md"), "w", encoding="utf-8") as f:
                f.write(readme(steps, k, os.path.join(ws, "src")))
        finally:
            shutil.rmtree(ws)
    shutil.copy2(os.path.join(REPO, "scripts", "lab_next.py"), os.path.join(lab, "next.py"))
    with open(os.path.join(lab, "step"), "w") as f:
        f.write(f"{n:02d}\n")
    shutil.copy2(os.path.join(lab, f"{n:02d}", "README.md"), os.path.join(dest, "README.md"))
    with open(os.path.join(dest, ".gitignore"), "w") as f:
        f.write(GITIGNORE)
    return dest


def cmd_start(args):
    if len(args) != 2 or not args[0] or not args[1]:
        print("usage: make start STEP=NN DIR=path", file=sys.stderr)
        return 2
    n = int(args[0], 10)
    dest = start(n, args[1])
    items = todos(os.path.join(dest, "src"), n)
    print(f"start: {dest} is chapter {n:02d}'s workspace, {len(items)} TODO({n:02d}) to write:")
    for where, func, _ in items:
        print(f"  {where}" + (f"  {func}()" if func else ""))
    print(f"  read {os.path.join(dest, 'README.md')}, then: make && sudo make test")
    return 0


def cmd_student_repo(args):
    if len(args) != 1 or not args[0]:
        print("usage: make student-repo DIR=path", file=sys.stderr)
        return 2
    steps = make_vars()[0]
    dest = start(1, args[0], steps)
    wf = os.path.join(dest, ".github", "workflows")
    os.makedirs(wf)
    out = subprocess.run([sys.executable, os.path.join(dest, "tests", "grader", "classroom.py"),
                          "--self"], capture_output=True, text=True, check=True, cwd=dest).stdout
    with open(os.path.join(wf, "classroom.yml"), "w") as f:
        f.write(out)
    bad = check_repo(dest)
    for b in bad:
        print(f"student-repo: {b}", file=sys.stderr)
    if bad:
        return 1
    print(f"student-repo: {dest}: the chapter-01 workspace, docs without solutions, the suites,")
    print("  .github/workflows/classroom.yml (grades with the repository's own suites, per test);")
    print("  no reference code of any hole (checked). Push it and mark it a template repository.")
    return 0


# ---- no reference code in what students get ----------------------------------

def significant(line):
    """A line of C, without blanks, that says something (not a brace, not a
    bare return, not a comment)."""
    s = re.sub(r"\s+", " ", re.sub(r"/\*.*?\*/|//.*$", "", line)).strip()
    if len(s) < 20 or s.startswith(("*", "/*", "#")):
        return None
    return s


def leak_lines():
    """Lines that exist only in the holes' reference code: seeing one
    anywhere in a student repository means a solution leaked."""
    hs = holes()
    inside = {}
    for h in hs:
        for line in h.ref:
            s = significant(line)
            if s:
                inside.setdefault(s, h)
    # Lines also found outside every hole are no secret: a call that other
    # code makes too (the full engine cut with every hole open), or an idiom
    # of the suites and scripts that every student gets anyway.
    tmp = tempfile.mkdtemp()
    outside = set()
    try:
        cut(9, LAB_CHAPTERS, tmp)
        files = [os.path.join(tmp, "src", n) for n in os.listdir(os.path.join(tmp, "src"))]
        for top in ("tests", "scripts"):
            for d, _, names in os.walk(os.path.join(REPO, top)):
                files += [os.path.join(d, n) for n in names if n.endswith((".c", ".h", ".sh", ".py"))]
        for path in files:
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    s = significant(line)
                    if s:
                        outside.add(s)
    finally:
        shutil.rmtree(tmp)
    return {s: h for s, h in inside.items() if s not in outside}


def check_repo(root):
    """Problems: reference lines of a hole found in a file under root."""
    secrets = leak_lines()
    bad = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in (".git", "build", "obj")]
        for name in files:
            path = os.path.join(d, name)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except (UnicodeDecodeError, OSError):
                continue
            for n, line in enumerate(text.split("\n"), 1):
                s = significant(line.lstrip("+- ") if name.endswith(".md") else line)
                if s in secrets:
                    h = secrets[s]
                    bad.append(f"{os.path.relpath(path, root)}:{n} holds reference code of the "
                               f"hole TODO({h.chapter:02d}) at {h.where()}: {s}")
    return bad


def cmd_check_repo(args):
    if len(args) != 1:
        print("usage: lab.py check-repo DIR", file=sys.stderr)
        return 2
    bad = check_repo(args[0])
    for b in bad:
        print(f"check-repo: {b}")
    if bad:
        return 1
    print(f"check-repo: {args[0]} holds none of the {len(leak_lines())} lines that only the "
          "holes' reference code has")
    return 0


# ---- the chapters -----------------------------------------------------------------

def chapter_block(n):
    """What a chapter says of its lab: each hole, located, with its hint."""
    steps = make_vars()[0]
    name = step_name(steps, n)
    tmp = tempfile.mkdtemp()
    try:
        cut(n, [n], tmp)
        items = todos(os.path.join(tmp, "src"), n)
    finally:
        shutil.rmtree(tmp)
    if not items:
        return (f"This chapter has no lab holes yet: `make start STEP={n:02d}` gives its code "
                "complete.\n")
    out = [f"`make start STEP={n:02d} DIR=~/lab` gives you step {n:02d} with these holes to fill "
           "(each stops minibox with `not implemented yet` until you do):", ""]
    for where, func, hint in items:
        out.append(f"- `{where.split(':')[0]}`" + (f", `{func}()`" if func else "") + ": "
                   + hint_markdown(hint, name))
    return "\n".join(out) + "\n"


def hint_markdown(hint, chapter):
    """A stub's hint in a chapter: its trailing docs/FILE#ANCHOR as a link
    (which check-links then resolves), the rest with Markdown's * escaped."""
    m = re.search(r"\s*docs/([\w.-]+\.md)(#[\w-]+)?\s*$", hint)
    link = ""
    if m:
        hint = hint[:m.start()]
        target = (m.group(2) or "") if m.group(1) == f"{chapter}.md" else m.group(1) + (m.group(2) or "")
        link = f" ([read]({target}))" if target else ""
    return hint.replace("*", "\\*") + link


def cmd_chapter_block(args):
    sys.stdout.write(chapter_block(int(args[0], 10)))
    return 0


COMMANDS = {"holes": cmd_holes, "lint": cmd_lint, "start": cmd_start,
            "student-repo": cmd_student_repo, "check-repo": cmd_check_repo,
            "chapter-block": cmd_chapter_block}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return COMMANDS[argv[1]](argv[2:])
    except LabError as e:
        print(f"lab: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
