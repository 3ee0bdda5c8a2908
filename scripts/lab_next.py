#!/usr/bin/env python3
"""make next: take a lab workspace from chapter NN to chapter NN+1, keeping
the student's own code (this file is .lab/next.py of a workspace; its source
is scripts/lab_next.py of the course).

.lab/NN/src is chapter NN's source with the holes of chapters 01..NN open
(their stubs, no reference code): what the student started from, as far as
the holes go. .lab/MM/src (MM = NN+1) is the same for the next chapter. So
the change from .lab/NN/src to .lab/MM/src is exactly what chapter MM adds,
its own holes as stubs, and every earlier hole untouched; it is merged into
src/ file by file with diff3 (base .lab/NN, ours src/, theirs .lab/MM), as a
version control merge would:

  - a file only the next chapter has is added; a file it removes goes, unless
    the student changed it (then it stays, and is named);
  - where the student filled a hole, their code stays;
  - where the next chapter replaces a hole of an earlier chapter (chapter 4's
    pivot_root replaces chapter 1's chroot), the new code is taken and the
    student's code is kept in .lab/replaced/FILE.N;
  - where the student changed lines the next chapter also changes, the file
    gets conflict markers (<<<<<<< src/FILE ... >>>>>>> chapter MM) to resolve.

src/ is saved in .lab/backup-NN/ first; the README becomes chapter MM's and
.lab/step says MM.
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TODO = re.compile(r"TODO\((\d\d)\)")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def resolve(merged, name, nxt, replaced_dir):
    """diff3 -m output with its conflicts settled where the next chapter
    replaced a hole (the base side is a stub, the next chapter's side no
    longer has that TODO): the next chapter's code wins, the student's is
    saved. Returns (text, conflicts left, replaced)."""
    out, left, replaced = [], 0, []
    lines = merged.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("<<<<<<< "):
            out.append(lines[i])
            i += 1
            continue
        ours, base, theirs, part = [], [], [], "ours"
        start = lines[i]
        i += 1
        while i < len(lines) and not lines[i].startswith(">>>>>>> "):
            line = lines[i]
            if line.startswith("||||||| "):
                part = "base"
            elif line == "=======":
                part = "theirs"
            else:
                {"ours": ours, "base": base, "theirs": theirs}[part].append(line)
            i += 1
        end = lines[i] if i < len(lines) else ">>>>>>>"
        i += 1
        stub_todos = set(TODO.findall("\n".join(base)))
        if stub_todos and not stub_todos & set(TODO.findall("\n".join(theirs))):
            n = len(replaced) + 1
            os.makedirs(replaced_dir, exist_ok=True)
            keep = os.path.join(replaced_dir, f"{name}.{n}")
            write(keep, "\n".join(ours) + "\n")
            replaced.append((sorted(stub_todos), os.path.relpath(keep, ROOT)))
            out += theirs
        else:
            left += 1
            out += [start] + ours + ["||||||| " + f"chapter {nxt - 1:02d}"] + base + ["======="] \
                + theirs + [end]
    return "\n".join(out), left, replaced


def main():
    step_file = os.path.join(HERE, "step")
    cur = int(read(step_file).strip(), 10)
    nxt = cur + 1
    base_dir = os.path.join(HERE, f"{cur:02d}", "src")
    next_dir = os.path.join(HERE, f"{nxt:02d}", "src")
    src = os.path.join(ROOT, "src")
    if not os.path.isdir(next_dir):
        print(f"next: chapter {cur:02d} is the last chapter of this lab")
        return 1
    backup = os.path.join(HERE, f"backup-{cur:02d}")
    if os.path.exists(backup):
        shutil.rmtree(backup)
    shutil.copytree(src, os.path.join(backup, "src"))
    replaced_dir = os.path.join(HERE, "replaced")
    names = sorted(set(os.listdir(base_dir)) | set(os.listdir(next_dir)) | set(os.listdir(src)))
    conflicts, replaced, notes = [], [], []
    for name in names:
        b, t, o = (os.path.join(d, name) for d in (base_dir, next_dir, src))
        hb, ht, ho = os.path.exists(b), os.path.exists(t), os.path.exists(o)
        if not hb and not ht:
            continue  # the student's own file
        if not hb and ht:
            if ho and not filecmp.cmp(o, t, shallow=False):
                shutil.copy2(o, o + ".mine")
                notes.append(f"src/{name}: chapter {nxt} adds this file; yours is now "
                             f"src/{name}.mine")
            shutil.copy2(t, o)
            continue
        if hb and not ht:
            if ho and not filecmp.cmp(o, b, shallow=False):
                notes.append(f"src/{name}: chapter {nxt} no longer has this file; yours stays")
            elif ho:
                os.remove(o)
            continue
        if not ho:
            shutil.copy2(t, o)  # the student deleted it; the next chapter needs it
            notes.append(f"src/{name}: restored (chapter {nxt} needs it)")
            continue
        if filecmp.cmp(o, b, shallow=False):
            shutil.copy2(t, o)
            continue
        if filecmp.cmp(t, b, shallow=False):
            continue
        r = subprocess.run(["diff3", "-m", "-L", f"src/{name}", "-L", f"chapter {cur:02d}",
                            "-L", f"chapter {nxt:02d}", o, b, t], capture_output=True, text=True)
        if r.returncode > 1:
            print(f"next: diff3 failed on src/{name}: {r.stderr.strip()}", file=sys.stderr)
            return 2
        text, left, rep = resolve(r.stdout, name, nxt, replaced_dir)
        write(o, text)
        if left:
            conflicts.append(f"src/{name} ({left} conflict{'s' if left > 1 else ''})")
        replaced += [(name, todos, keep) for todos, keep in rep]
    write(step_file, f"{nxt:02d}\n")
    shutil.copy2(os.path.join(HERE, f"{nxt:02d}", "README.md"), os.path.join(ROOT, "README.md"))
    print(f"next: this workspace is now chapter {nxt:02d} (your chapter-{cur:02d} src/ is saved in "
          f".lab/backup-{cur:02d}/); README.md says what to write.")
    for name, todos, keep in replaced:
        print(f"  src/{name}: chapter {nxt} replaces your code of "
              f"{', '.join('TODO(' + t + ')' for t in todos)}; yours is kept in {keep}")
    for n in notes:
        print("  " + n)
    for c in conflicts:
        print(f"  CONFLICT {c}: resolve the <<<<<<< ... >>>>>>> blocks, then make")
    return 3 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
