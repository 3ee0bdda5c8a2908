"""Turning cmocka's failure text into feedback a student can act on.

cmocka says `"512\n" != "1\n"` and `02-pid-ns/test_pid_ns.c:23: error:
Failure!`. The suites pass the value they got first and the value they
expect second (assert_int_equal(r.status, 7)), so the message reads as
"expected 1, got 512"; the assertion's own source line says what was being
checked. Integers, which cmocka prints in hex, are shown in decimal.

Before cmocka's message the harness (tests/lib/mbtest.c, mb_explain) prints
what the test ran, as lines "#| key: value" ("#| + more" continues a value):
the command line, minibox's exit status, its stderr and stdout, and the
test's hint (one sentence naming the mechanism). They become the lines
"ran:", "exit:", "stderr:", "stdout:" and "why:" of the feedback, and the
test's doc annotation its "read:" line.
"""
import json
import os
import re

LOCATION = re.compile(r"^(\S+\.c):(\d+): error: (Failure!|Skipped!)\s*$")
PREFIXES = ("[  ERROR   ] --- ", "[   LINE   ] --- ")
CONTEXT = re.compile(r"^#\| (?:\+ (.*)|([a-z ]+): (.*))$")
# The harness's keys, in the order and under the labels the feedback shows.
CONTEXT_LABELS = (("ran", "ran:   "), ("exit status", "exit:  "), ("stderr", "stderr:"),
                  ("stdout", "stdout:"), ("hint", "why:   "))
NOT_EQUAL = re.compile(r'^(".*"|\S+) != (".*"|\S+)$', re.S)
EQUAL = re.compile(r'^(".*"|\S+) == (".*"|\S+)$', re.S)
EQUALITY_ASSERT = re.compile(r"\bassert_(int|string|ptr|memory)_(not_)?equal\s*\(")
MAX_CHARS = 3000


def _context(lines):
    """The harness's "#| " lines as {key: text}, and the other lines."""
    ctx, rest, key = {}, [], None
    for line in lines:
        m = CONTEXT.match(line)
        if not m:
            rest.append(line)
            continue
        if m.group(2) is not None:
            key = m.group(2)
            ctx[key] = m.group(3)
        elif key is not None:
            ctx[key] += "\n" + m.group(1)
    return ctx, rest


def _clean(lines):
    out = []
    for line in lines:
        changed = True
        while changed:
            changed = False
            for p in PREFIXES:
                if line.startswith(p):
                    line, changed = line[len(p):], True
        if line.startswith("ERROR: "):
            line = line[len("ERROR: "):]
        if line.startswith("# SKIP "):
            continue
        out.append(line)
    return out


def _value(text):
    """A cmocka-printed value, shown as a student reads it."""
    if text.startswith('"') and text.endswith('"'):
        return json.dumps(text[1:-1])
    try:
        n = int(text, 0)
    except ValueError:
        return text
    if n >= 1 << 63:
        n -= 1 << 64
    return str(n)


def _source_statement(repo, path, lineno):
    """The statement at path:lineno of the suites (tests/<path>), on one line."""
    full = os.path.join(repo, "tests", path)
    try:
        with open(full, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except OSError:
        return None
    if not 0 < lineno <= len(lines):
        return None
    def code(line):
        return re.sub(r"/\*.*?\*/|//.*$", "", line).strip()

    stmt = code(lines[lineno - 1])
    i = lineno
    while not stmt.endswith((";", "{", "}")) and i < len(lines) and i < lineno + 4:
        stmt += " " + code(lines[i])
        i += 1
    return stmt


def explain(repo, lines, doc):
    """(message, feedback): message is cmocka's text without its decoration;
    feedback adds expected/got, the check's source line and the chapter."""
    ctx, lines = _context(_clean(lines))
    text = lines
    where = None
    body = []
    for line in text:
        m = LOCATION.match(line)
        if m:
            where = (m.group(1), int(m.group(2)))
        else:
            body.append(line)
    message = "\n".join(body).strip()
    stmt = _source_statement(repo, *where) if where else None
    feedback = []
    m_ne, m_eq = NOT_EQUAL.match(message), EQUAL.match(message)
    if stmt and EQUALITY_ASSERT.search(stmt) and (m_ne or m_eq):
        if m_ne:
            feedback.append(f"expected {_value(m_ne.group(2))}, got {_value(m_ne.group(1))}")
        else:
            feedback.append(f"expected anything but {_value(m_eq.group(2))}, got exactly that")
    elif message:
        feedback.append(message)
    if where:
        loc = f"tests/{where[0]}:{where[1]}"
        feedback.append(f"check:  {stmt}  ({loc})" if stmt else f"at     {loc}")
    for key, label in CONTEXT_LABELS:
        if key in ctx:
            # Continuation lines line up under the first.
            feedback.append(label + " " + ctx[key].replace("\n", "\n" + " " * (len(label) + 1)))
    if doc:
        feedback.append(f"read:   {doc}")
    out = "\n".join(feedback)
    if len(out) > MAX_CHARS:
        out = out[:MAX_CHARS] + "\n[... cut]"
    full = "\n".join(text).strip()
    return full[:MAX_CHARS], out
