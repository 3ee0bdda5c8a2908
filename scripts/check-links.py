#!/usr/bin/env python3
"""check-links.py [ROOT]: every relative link in the Markdown of ROOT (default:
this repository) leads somewhere.

Looks at README.md and every .md below docs/ and steps/ (when ROOT has them):
each [text](target) and ![alt](target) outside code, whose target is not a
URL, must name a file or directory that exists (relative to the document),
and its #anchor, if any, a heading of that document as GitHub renders it
(lower case, punctuation dropped, spaces to dashes, -1, -2... for repeated
headings). A bare #anchor refers to the document itself. Exits 1 and names
every broken link; used by `make check-docs`, and on a student repository by
the student-repo test.
"""
import os
import re
import sys

LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```+|~~~+)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+\1")


def prose_lines(text):
    """(line number, line) outside fenced code blocks."""
    fence = None
    for n, line in enumerate(text.split("\n"), 1):
        m = FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)[0] * len(m.group(1))
                continue
            if m.group(1).startswith(fence):
                fence = None
                continue
        if fence is None:
            yield n, line


def slug(heading):
    """GitHub's anchor for a heading's text."""
    s = re.sub(r"<[^>]+>", "", heading.strip()).lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, out = {}, set()
        with open(path, encoding="utf-8") as f:
            for _, line in prose_lines(f.read()):
                m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if not m:
                    continue
                base = slug(m.group(1))
                n = seen.get(base, 0)
                seen[base] = n + 1
                out.add(base if n == 0 else f"{base}-{n}")
        cache[path] = out
    return cache[path]


def documents(root):
    docs = [os.path.join(root, "README.md")] if os.path.exists(os.path.join(root, "README.md")) else []
    for top in ("docs", "steps"):
        for d, _, files in os.walk(os.path.join(root, top)):
            docs += [os.path.join(d, f) for f in sorted(files) if f.endswith(".md")]
    return docs


def check(root):
    bad = []
    for doc in documents(root):
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        for n, line in prose_lines(text):
            for m in LINK.finditer(INLINE_CODE.sub("", line)):
                target = m.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                    continue  # a URL (https:, mailto:)
                path, _, anchor = target.partition("#")
                where = f"{os.path.relpath(doc, root)}:{n}"
                full = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
                if not os.path.exists(full):
                    bad.append(f"{where}: {target}: {os.path.relpath(full, root)} does not exist")
                    continue
                if anchor and full.endswith(".md") and anchor not in anchors(full):
                    bad.append(f"{where}: {target}: no heading for #{anchor} in "
                               f"{os.path.relpath(full, root)}")
    return bad


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    bad = check(root)
    for b in bad:
        print(f"check-links: {b}")
    n = len(documents(root))
    if bad:
        print(f"check-links: {len(bad)} broken link(s) in {n} documents")
        return 1
    print(f"check-links: every relative link and anchor in {n} documents resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
