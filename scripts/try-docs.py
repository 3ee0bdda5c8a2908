#!/usr/bin/env python3
"""try-docs.py [--list | --update] [DOC...]: re-run the captured output of the docs.

Every fenced block of docs/*.md with lines starting with "$ " is a captured
session (its fence may be indented, in a list item): the commands were run
from the top of the repository, as root, and the other lines are what they
printed. This script runs them again, in
order, one shell per document (so `cd`, variables and files carry over from
block to block, as they did when the chapter was written), and fails when
what a command prints now is not what the document says, after both sides
are normalised:

  - container ids (64 hex digits, or the 12 shown) and sha256 digests become
    <ID1>, <ID2>... in order of appearance, so "the same id twice" still
    has to hold;
  - runs of blanks count as one blank, and trailing blanks as none (column
    widths of ps and ls differ between versions);
  - namespace inode numbers (pid:[4026532177]) may differ but stay alike
    where they were alike (see same= below), and dates and times (ls -l's,
    tar -tv's, ISO 8601's as in JSON records) are not compared;
  - what the block's attributes say varies (below).

A block may carry attributes in an HTML comment on the line before its fence:

    <!-- try: host=cgroup-v2-vm -->        captured on another kind of host
    <!-- try: skip="why" -->               not re-run; the reason is printed
    <!-- try: vary="REGEX" vary="..." -->  in lines matching REGEX (a Python
                                           regular expression), the text it
                                           matches may differ; lines that
                                           match it fully may be missing,
                                           repeated or new
    <!-- try: drop="REGEX" -->             what REGEX matches is left out on
                                           both sides (a path component that
                                           only some hosts have)
    <!-- try: same="REGEX" -->             what REGEX matches may differ, but
                                           alike where it was alike: each
                                           distinct match becomes <S1>,
                                           <S2>... in order (pids: a child's
                                           PPID must still be its parent's
                                           PID)
    <!-- try: timeout=120 -->              seconds per command (default 60)
    <!-- try-doc: netns=own -->             (for a whole document) its session runs in
                                           a network namespace of its own, with only
                                           lo, and tmpfs on /run/minibox and
                                           /var/lib/minibox
    <!-- try: file=/tmp/watch.sh -->        (on a block of another kind, such as
                                           ```sh) the session writes the block
                                           into that file (and makes its
                                           directory), executable, when it
                                           gets there: a script the next
                                           commands run

A line `<!-- try-doc: ATTRS -->` outside the blocks gives every block of its
document those attributes (vary, drop and same add up with a block's own),
and may say setup="COMMANDS" and teardown="COMMANDS": what the document's
prose says was done before its sessions and after them (users made for the
occasion, say). They run in the same shell, before the first block and after
the last; their output is not compared, but a setup that fails fails the
document.

A block marked host=NAME runs only where the environment variable
MB_DOCS_HOST names that host (a comma-separated list); elsewhere it is
skipped, and the report says so, with the host it needs. Nothing is skipped
silently: every skip is printed with its reason, and `--list` prints every
block with what would happen to it.

The shell is bash, reading the commands on its stdin and running each with
stdin from /dev/null, stdout and stderr together, a
clean environment (PATH, HOME=/root, TERM=xterm, LC_ALL=C) and the hostname
`vm` (the development machine's), in a UTS namespace of its own; in a mount namespace of
its own, /tmp is an empty tmpfs. build/rootfs is, for each document, a fresh
copy of what `make rootfs` makes (the suites leave mount points in the shared
one), and is put back as it was afterwards; before and after each document,
scripts/clean-host.sh removes every minibox leftover from the machine (so do
not run this next to other minibox runs: CI runs it on its own). Commands
that outlive their document are killed. Exit status 1 when any block's
output differs.

--update re-captures: when any command's output differs, what every
command of the document printed in this run replaces what the document says
(the whole document, so that the ids and times of one session agree with
each other; skipped blocks keep theirs). It is how output that drifted is
brought back in line: run, never typed. Review the diff (paths and names of
the machine it ran on, ids the prose quotes) before committing it.
"""
import os
import re
import select
import signal
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FENCE = re.compile(r"^( *)(```+|~~~+)(\S*)\s*$")
ATTRS = re.compile(r"^<!--\s*try:(.*?)-->\s*$")
DOC_ATTRS = re.compile(r"^<!--\s*try-doc:(.*?)-->\s*$")
ATTR = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))')
MARK = "<<<try-docs:{}:{}>>>"
HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
HEX12 = re.compile(r"(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])")


class Block:
    def __init__(self, doc, line, attrs, lines):
        self.doc, self.line, self.attrs, self.lines = doc, line, attrs, lines
        self.indent = ""  # of an indented fence
        # [command text, [expected output lines], index in lines of the first]
        self.commands = []
        cmd = None
        for n, text in enumerate(lines):
            if cmd is not None and cmd[0].endswith("\\") and not cmd[1]:
                cmd[0] += "\n" + text  # a continued command line
                cmd[2] = n + 1
                continue
            if text.startswith("$ "):
                cmd = [text[2:], [], n + 1]
                self.commands.append(cmd)
            elif cmd is not None:
                cmd[1].append(text)

    def where(self):
        return f"{os.path.relpath(self.doc, REPO)}:{self.line}"


def parse_attrs(text):
    out = {"vary": [], "same": [], "drop": []}
    for m in ATTR.finditer(text):
        key, value = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
        value = value.replace('\\"', '"')
        if key in ("vary", "same", "drop"):
            out[key].append(value)
        else:
            out[key] = value
    return out


def blocks_of(doc):
    with open(doc, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, i = [], 0
    common = parse_attrs("")
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            d = DOC_ATTRS.match(lines[i])
            if d:
                for k, v in parse_attrs(d.group(1)).items():
                    common[k] = common[k] + v if isinstance(v, list) else v
            i += 1
            continue
        # A fence may be indented, in a list item: its lines are read
        # without the indent, and --update writes them back with it.
        indent, fence, lang = m.group(1), m.group(2), m.group(3)
        j = i + 1
        while j < len(lines) and not lines[j].startswith(indent + fence):
            j += 1
        body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1:j]]
        prev = lines[i - 1].lstrip() if i > 0 else ""
        a = ATTRS.match(prev)
        attrs = parse_attrs(a.group(1) if a else "")
        if lang in ("", "console") and any(l.startswith("$ ") for l in body):
            out.append(Block(doc, i + 1, attrs, body))
            out[-1].indent = indent
        elif "file" in attrs:
            b = Block(doc, i + 1, attrs, [])
            b.file_text = "\n".join(body) + "\n"
            out.append(b)
        i = j + 1
    for b in out:
        for k, v in common.items():
            if isinstance(v, list):
                b.attrs[k] = v + b.attrs[k]
            else:
                b.attrs.setdefault(k, v)
    return out


class Session:
    """One bash for one document, reading the commands on its stdin, a pipe."""

    def __init__(self, netns=False):
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "HOME": "/root", "TERM": "xterm", "LC_ALL": "C", "MB_DOCS": "1"}
        rd, self.wr = os.pipe()
        # A UTS namespace named like the development machine; a mount namespace where
        # /tmp is empty (/tmp/mb of one document is not the next one's); a
        # pid namespace, so that ps, pgrep and ps -C list the session's
        # processes only (not a sleep of whatever else runs on the machine),
        # with the width of a fresh namespace's pid_max, and bash as its
        # init reaps the orphans; a process group to kill at the end.
        # bash reads the commands on its stdin (-s), so that its messages
        # say "bash: line N:" as they would to a user, not a script's name;
        # each command gets /dev/null as its stdin (run).
        # The pipe is bash's stdin and nothing else: no descriptor of
        # try-docs' own is left open in the commands (strace and ls -l
        # /proc/self/fd print what a user's shell would show).
        setup = 'hostname vm && mount --make-rprivate / && mount -t tmpfs -o mode=1777 tmpfs /tmp && '
        if netns:
            # netns=own: a network namespace with only lo, and a /run/minibox
            # and /var/lib/minibox of its own, as a document says its session
            # had (chapter 7's)
            setup += ('ip link set lo up && mkdir -p /run/minibox /var/lib/minibox && '
                      'mount -t tmpfs tmpfs /run/minibox && mount -t tmpfs tmpfs /var/lib/minibox && ')
        setup += 'exec bash --norc --noprofile -s'
        self.proc = subprocess.Popen(
            ["unshare", "--uts", "--mount", "--pid", "--fork", "--mount-proc"]
            + (["--net"] if netns else []) + ["sh", "-c", setup],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=rd,
            cwd=REPO, env=env, start_new_session=True)
        os.close(rd)
        self.buf = b""
        self.n = 0

    def run(self, command, timeout):
        """What the command printed, or None on a timeout (the session is dead then)."""
        self.n += 1
        mark = MARK.format(os.getpid(), self.n)
        os.write(self.wr, ("{\n" + command + "\n} </dev/null\nprintf '%s\\n' '" + mark + "'\n").encode())
        deadline = time.monotonic() + timeout
        while mark.encode() not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    return None
                self.buf += chunk
        out, _, self.buf = self.buf.partition(mark.encode())
        self.buf = self.buf[1:] if self.buf.startswith(b"\n") else self.buf
        text = out.decode("utf-8", "replace")
        return text[:-1] if text.endswith("\n") else text

    def close(self):
        try:
            os.close(self.wr)
        except OSError:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def canonical_ids(lines):
    """Ids and digests as <ID1>, <ID2>... in order of first appearance; a
    12-digit id that starts a 64-digit one seen before is that one."""
    names = {}

    def name(full):
        if full not in names:
            names[full] = f"<ID{len(names) + 1}>"
        return names[full]

    out = []
    for line in lines:
        line = HEX64.sub(lambda m: name(m.group(0)), line)

        def short(m):
            for full in names:
                if full.startswith(m.group(0)):
                    return names[full]
            return name(m.group(0))
        out.append(HEX12.sub(short, line))
    return out


# Always: namespace inodes keep their equalities; dates and times (ls -l's,
# tar -tv's and ISO 8601's, as JSON records have them) do not count.
SAME = [r"(?<=:\[)\d+(?=\])"]
VARY = [r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +(?:\d\d:\d\d|\d{4})\b",
        r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?"]


def normalise(lines, vary, same, drop):
    vary, same = VARY + vary, SAME + same
    out = []
    names = {}

    def name(m):
        names.setdefault(m.group(0), f"<S{len(names) + 1}>")
        return names[m.group(0)]

    for line in canonical_ids(lines):
        for rx in drop:
            line = re.sub(rx, "", line)
        line = re.sub(r"[ \t]+", " ", line).rstrip()
        for rx in same:
            line = re.sub(rx, name, line)
        whole = False
        for rx in vary:
            if re.fullmatch(rx, line):
                whole = True
                break
            line = re.sub(rx, "<VARIES>", line)
        if whole:
            if not out or out[-1] != "<VARIES LINES>":
                out.append("<VARIES LINES>")
            continue
        out.append(line)
    return out


def alike(expected, actual, attrs):
    args = (attrs["vary"], attrs["same"], attrs["drop"])
    e, a = normalise(expected, *args), normalise(actual, *args)
    if e == a:
        return True
    # "<VARIES LINES>" stands for zero or more varying lines, on either side.
    strip = lambda xs: [x for x in xs if x != "<VARIES LINES>"]
    return strip(e) == strip(a)


def skip_reason(block):
    a = block.attrs
    if "skip" in a:
        return a["skip"]
    if "host" in a:
        hosts = [h for h in os.environ.get("MB_DOCS_HOST", "").split(",") if h]
        if a["host"] not in hosts:
            return (f"captured on host '{a['host']}', not this one: run it there with "
                    f"MB_DOCS_HOST={a['host']} make check-docs")
    return None


FRESH = os.path.join(REPO, "build", ".try-docs-fresh")


def fresh_rootfs():
    """A rootfs as `make rootfs` makes it, built once per run: the suites
    leave mount points in build/rootfs (data, vol...), which a document's
    `ls /` must not see."""
    if not os.path.isdir(FRESH):
        subprocess.run(["rm", "-rf", FRESH + ".tmp"], check=True)
        subprocess.run([os.path.join(REPO, "scripts", "mkrootfs.sh"), FRESH + ".tmp",
                        os.path.join(REPO, "build", "probe")], check=True, cwd=REPO,
                       stdout=subprocess.DEVNULL)
        os.rename(FRESH + ".tmp", FRESH)
    # make's stamp, as `make rootfs` leaves it: a document's `make grade`
    # must not rebuild the rootfs it is given
    with open(os.path.join(FRESH, ".built"), "a"):
        os.utime(os.path.join(FRESH, ".built"))
    return FRESH


class PristineRootfs:
    """build/rootfs, for the time of one document, is a fresh copy of what
    `make rootfs` makes; afterwards the one that was there is put back."""

    def __enter__(self):
        self.rootfs = os.path.join(REPO, "build", "rootfs")
        self.saved = os.path.join(REPO, "build", ".try-docs-saved")
        subprocess.run(["rm", "-rf", self.saved], check=True)
        os.rename(self.rootfs, self.saved)
        subprocess.run(["cp", "-a", fresh_rootfs(), self.rootfs], check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(["rm", "-rf", self.rootfs], check=True)
        os.rename(self.saved, self.rootfs)


def clean_host():
    """No minibox leftovers (state, cgroups, the bridge) from whatever ran
    before: a document's `gc` or `ls /var/lib/minibox/containers` must see
    only what its own commands made."""
    subprocess.run([os.path.join(REPO, "scripts", "clean-host.sh")], cwd=REPO,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def check_doc(doc, listing):
    blocks = blocks_of(doc)
    if not blocks:
        return 0, 0, 0
    if listing:
        return run_blocks(blocks, listing)
    clean_host()
    updates = [] if UPDATE else None
    try:
        with PristineRootfs():
            return run_blocks(blocks, listing, updates)
    finally:
        clean_host()
        if updates and any(u[3] for u in updates):
            rewrite(doc, updates)


def rewrite(doc, updates):
    """--update: what every command printed in this run replaces what the
    document says (all of them, so that the ids, pids and times of one
    session agree with each other as they did when it ran)."""
    with open(doc, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for start, n, actual, _ in sorted(updates, reverse=True):
        lines[start:start + n] = actual
    with open(doc, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"UPDATED {os.path.relpath(doc, REPO)}: re-captured ({sum(u[3] for u in updates)} "
          f"of {len(updates)} command(s) differed); review the diff before committing it")


def run_blocks(blocks, listing, updates=None):
    ran = skipped = failed = 0
    session = None
    setup = blocks[0].attrs.get("setup") if blocks else None
    netns = blocks[0].attrs.get("netns") == "own" if blocks else False
    teardown = blocks[0].attrs.get("teardown") if blocks else None
    for b in blocks:
        why = skip_reason(b)
        if why:
            print(f"SKIP {b.where()}: {why}")
            skipped += 1
            continue
        if listing:
            print(f"run  {b.where()}: {len(b.commands)} command(s)")
            continue
        if session is None:
            session = Session(netns)
            if setup:
                out = session.run(f"cd {REPO}; ( {setup} ) && echo TRY-DOCS-SETUP-OK", 120)
                if out is None or not out.endswith("TRY-DOCS-SETUP-OK"):
                    print(f"FAIL {b.where()}: the document's setup failed:\n  {setup}\n  {out}")
                    session.close()
                    return ran, skipped, failed + 1
        timeout = int(b.attrs.get("timeout", 60))
        problems = []
        session.run(f"cd {REPO}", 10)
        if getattr(b, "file_text", None) is not None:
            path = b.attrs["file"]
            session.run(f"mkdir -p \"$(dirname {path})\" && cat > {path} <<'TRY_DOCS_EOF'\n"
                        f"{b.file_text}TRY_DOCS_EOF\nchmod +x {path}", 10)
            print(f"ok   {b.where()}: written to {path}")
            continue
        for cmd, expected, first in b.commands:
            got = session.run(cmd, timeout)
            if got is None:
                problems.append(f"  $ {cmd}\n  did not finish within {timeout} s")
                session.close()
                session = Session(netns)
                continue
            actual = got.split("\n") if got else []
            if updates is not None:
                updates.append((b.line + first, len(expected),
                                [b.indent + l if l else l for l in actual],
                                not alike(expected, actual, b.attrs)))
            if not alike(expected, actual, b.attrs):
                diff = "\n".join("  - " + l for l in expected) + "\n" + \
                    "\n".join("  + " + l for l in actual)
                problems.append(f"  $ {cmd}\n  the document says (-), it printed now (+):\n{diff}")
        ran += 1
        if problems:
            failed += 1
            print(f"FAIL {b.where()}:")
            print("\n".join(problems))
        else:
            print(f"ok   {b.where()}: {len(b.commands)} command(s)")
    if session is not None:
        if teardown:
            session.run(f"cd {REPO}; {teardown}", 120)
        session.close()
    return ran, skipped, failed


UPDATE = False


def main(argv):
    global UPDATE
    listing = "--list" in argv
    UPDATE = "--update" in argv
    docs = [a for a in argv[1:] if a not in ("--list", "--update")]
    if not docs:
        docs = sorted(os.path.join(REPO, "docs", f) for f in os.listdir(os.path.join(REPO, "docs"))
                      if f.endswith(".md"))
    if not listing and os.geteuid() != 0:
        print("try-docs: the captured sessions were run as root; run this as root", file=sys.stderr)
        return 2
    total = [0, 0, 0]
    for doc in docs:
        for i, n in enumerate(check_doc(os.path.abspath(doc), listing)):
            total[i] += n
    ran, skipped, failed = total
    print(f"try-docs: {ran} block(s) re-run, {failed} differ, {skipped} skipped (reasons above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
