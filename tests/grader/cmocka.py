"""Running one cmocka suite binary and reading its standard output.

cmocka's standard output is read as one stream (stdout and stderr on the same
pipe) while it runs. cmocka flushes stdout after every line it prints and
writes its errors unbuffered to stderr, so the stream keeps its order: each
message sits between the "[ RUN      ]" and the result line of its test. The
runner stamps each line as it arrives, which gives every test its time (the
standard output has none). The other formats were considered and rejected:
XML mode keeps per-test times but sends fail_msg() text and the harness's
"# SKIP reason" lines elsewhere, unattached to their test; TAP and subunit
have no times. Reading the stream also survives a suite that crashes or hangs
halfway: the test in progress is known, and the tests after it are reported
as not run.

The binary under test (minibox) never writes into this stream: the harness
gives every minibox it starts pipes of its own, so the student's debug output
on stderr stays out of what is parsed and graded.
"""
import os
import re
import selectors
import signal
import subprocess
import time

RUN = re.compile(r"^\[ RUN      \] (\S+)$")
OK = re.compile(r"^\[       OK \] (\S+)$")
FAILED = re.compile(r"^\[  FAILED  \] (\S+)$")
SKIPPED = re.compile(r"^\[  SKIPPED \] (\S+)$")
ERROR_TEST = re.compile(r"^\[  ERROR   \] (\S+)$")
END = re.compile(r"^\[==========\] \d+ test\(s\) run\.$")
SKIP_REASON = re.compile(r"^# SKIP (.*)$")


class Event:
    """What the parser saw: a test that finished, with its raw lines."""

    def __init__(self, name, status, seconds, lines, reason=None):
        self.name, self.status, self.seconds = name, status, seconds
        self.lines, self.reason = lines, reason


def run(binary, env, timeout, on_line=None):
    """Run a suite binary; returns (events, suite_lines, exit_status, note).

    events: one Event per test cmocka reported, in order. suite_lines: what it
    printed outside any test (group setup errors...). note: why the suite
    ended abnormally (timeout, crash), or None.
    """
    events, outside = [], []
    current, started, buf = None, 0.0, []
    ended = False
    note = None
    try:
        proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as e:
        return [], [], None, f"cannot run {binary}: {e.strerror}"
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    pending = b""

    def handle(line):
        nonlocal current, started, buf, ended
        now = time.monotonic()
        if on_line:
            on_line(line)
        if ended:
            outside.append(line)
            return
        m = RUN.match(line)
        if m:
            current, started, buf = m.group(1), now, []
            return
        for rx, status in ((OK, "OK"), (FAILED, "FAIL"), (SKIPPED, "SKIP"), (ERROR_TEST, "FAIL")):
            m = rx.match(line)
            if m and current is not None and m.group(1) == current:
                reason = None
                for b in buf:
                    s = SKIP_REASON.match(b)
                    if s:
                        reason = s.group(1)
                events.append(Event(current, status, now - started, buf, reason))
                current, buf = None, []
                return
        if END.match(line):
            ended = True
        if current is not None:
            buf.append(line)
        else:
            outside.append(line)

    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            note = f"the suite did not finish within {timeout} s and was stopped"
            break
        if not sel.select(timeout=min(left, 1.0)):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            handle(raw.decode("utf-8", "replace"))
    if pending:
        handle(pending.decode("utf-8", "replace"))
    sel.close()
    if note is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    status = proc.wait()
    proc.stdout.close()
    if note is None and status < 0:
        note = f"the suite was killed by signal {-status} ({signal.Signals(-status).name})"
    if current is not None:
        # The stream stopped in the middle of a test.
        events.append(Event(current, "FAIL", time.monotonic() - started, buf,
                            None))
        events[-1].interrupted = note or "the suite stopped during this test"
    return events, outside, status, note
