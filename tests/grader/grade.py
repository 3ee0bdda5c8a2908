"""The runner behind `make test` and `make grade` (called by tests/run.sh).

    grade.py --rootfs DIR [--step NN [--only NN,...]] [--minibox PATH] [--grade]
             [--results DIR] [--format table|tap] [--timeout SECONDS]

test mode (default): without --step, each step's binary against suites
01..N, then final/minibox (or --minibox) against every suite, then the unit
tests; with --step NN, suites 01..NN against --minibox (default
steps/NN-*/minibox). It shows cmocka's output as it runs, then a table, and
ends with the line "N passed, N failed, N skipped" (CI reads it).

grade mode (--grade): one binary, --minibox (default steps/NN-*/minibox, or
final/minibox without --step), against suites 01..NN (all without --step).
Prints the score table; a test the host could not run counts as failed,
with its reason. --format tap puts TAP 14 on stdout and the table on stderr.

--only NN limits --step NN to that chapter's own suite: GitHub Classroom
grades one suite per step, so a chapter's points do not hang on another's.

Both modes build one result model and write it to --results (default
build/grade or build/test-results): model.json, results.tap, junit.xml,
Gradescope's results.json and classroom.json (the result a GitHub Classroom
runner hands its reporter). Exit status 0 only when every test passed (in
test mode, skipped tests do not fail the run).
"""
import argparse
import ctypes
import errno
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cmocka  # noqa: E402
import feedback  # noqa: E402
import report  # noqa: E402
import suites  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

NAMESPACES = [("pid", 0x20000000), ("mount", 0x00020000), ("uts", 0x04000000),
              ("ipc", 0x08000000), ("net", 0x40000000), ("cgroup", 0x02000000),
              ("user", 0x10000000)]


def in_container():
    if os.path.exists("/.dockerenv"):
        return "docker"
    if os.path.exists("/run/.containerenv"):
        return "podman"
    try:
        with open("/proc/1/cgroup", encoding="utf-8") as f:
            m = re.search(r"(docker|containerd|kubepods|lxc|libpod)", f.read())
            if m:
                return m.group(1)
    except OSError:
        pass
    return None


def has_vm_runner():
    try:
        with open(os.path.join(REPO, "Makefile"), encoding="utf-8") as f:
            return re.search(r"^test-vm\s*:", f.read(), re.M) is not None
    except OSError:
        return False


def privileges(vm_args=""):
    """What this host refuses, tried rather than guessed (as the harness does)."""
    missing = []
    if os.geteuid() != 0:
        missing.append(f"root (running as uid {os.geteuid()})")
    else:
        libc = ctypes.CDLL(None, use_errno=True)
        refused = []
        for name, flag in NAMESPACES:
            pid = os.fork()
            if pid == 0:
                rc = libc.unshare(flag)
                os._exit(0 if rc == 0 else (ctypes.get_errno() or 1))
            _, st = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(st)
            if code:
                refused.append(f"{name} ({errno.errorcode.get(code, code)})")
        if refused:
            missing.append("the kernel refuses to create namespaces: " + ", ".join(refused))
    hint = None
    if missing:
        where = in_container()
        hints = []
        if os.geteuid() != 0:
            hints.append("run as root (sudo make grade ...)")
        if where and os.geteuid() == 0:
            hints.append(f"this is a {where} container: start it with --privileged")
        if has_vm_runner():
            hints.append(f"or run the suites in a throwaway VM: make test-vm{vm_args}")
        hint = "fix: " + "; ".join(hints) if hints else None
    return {"missing": missing, "container": in_container(), "vm_runner": has_vm_runner(),
            "hint": hint}


class Runner:
    def __init__(self, args):
        self.args = args
        self.mode = "grade" if args.grade else "test"
        self.rootfs = os.path.abspath(args.rootfs)
        self.tests = []
        fmt_tap = args.format == "tap"
        # The human table goes to stderr when stdout carries TAP.
        self.human = sys.stderr if fmt_tap else sys.stdout

    def say(self, text):
        print(text, file=self.human, flush=True)

    def plan(self, steps):
        """[(target label, binary or None, [suite, ...])]"""
        a = self.args
        if a.step:
            try:
                n = int(a.step, 10)
            except ValueError:
                n = -1
            name = [s for s in steps if suites.step_number(s) == n]
            if not name:
                raise SystemExit(f"run.sh: no step {a.step} (steps: {' '.join(steps)})")
            name = name[0]
            # The full engine's chapter has no step: final/minibox is its binary.
            binary = a.minibox or (f"steps/{name}/minibox" if suites.has_step_dir(REPO, name)
                                   else "final/minibox")
            chosen = [s for s in steps if suites.step_number(s) <= n]
            if a.only:
                # One chapter's own suite (a Classroom step per chapter).
                chosen = [s for s in chosen if suites.step_number(s) in a.only]
                if not chosen:
                    raise SystemExit(f"run.sh: --only {','.join(map(str, a.only))}: no such "
                                     f"suite in 01..{a.step}")
            return [(name, binary, chosen)]
        if self.mode == "grade":
            return [("final", a.minibox or "final/minibox", steps)]
        out = [(s, f"steps/{s}/minibox", [x for x in steps if suites.step_number(x)
                                          <= suites.step_number(s)]) for s in steps
               if suites.has_step_dir(REPO, s)]
        out.append(("final", a.minibox or "final/minibox", steps))
        out.append(("unit", None, ["unit"]))
        return out

    def run_suite(self, target, binary, suite):
        declared = suites.load(REPO, suite)
        # A lesson test runs an attack against the step before the defence
        # (steps/NN-*/minibox). A student's repository has no steps: there it
        # can never run, and is not graded, rather than failed.
        lessons_here = os.path.isdir(os.path.join(REPO, "steps"))
        if not lessons_here:
            declared = [d for d in declared if not d["name"].startswith("test_lesson_")]
        suite_doc = f"docs/{suite}.md" if os.path.exists(os.path.join(REPO, "docs",
                                                                       f"{suite}.md")) else None
        by_name = {d["name"]: d for d in declared}
        exe = os.path.join(REPO, "build", "tests", suite)
        events, outside, note = [], [], None
        bin_abs = os.path.abspath(binary) if binary else None
        if binary and not (os.path.isfile(bin_abs) and os.access(bin_abs, os.X_OK)):
            note = (f"{binary} is not an executable file: build it first "
                    f"(make, or make -C steps/{target})")
        elif not os.access(exe, os.X_OK):
            note = f"build/tests/{suite} is not built (make test-binaries)"
        else:
            env = {k: v for k, v in os.environ.items()
                   if k not in ("CMOCKA_MESSAGE_OUTPUT", "CMOCKA_XML_FILE", "CMOCKA_TEST_ABORT")}
            env["MB_ROOTFS"] = self.rootfs
            if binary:
                env["MINIBOX"] = bin_abs
            on_line = None
            if self.mode == "test":
                def on_line(line, label=target):
                    print(f"[{label}] {line}", flush=True)
            events, outside, status, note = cmocka.run(exe, env, self.args.timeout, on_line)
            if note is None and not events and status not in (0, None):
                note = f"the suite exited with status {status} before running any test"
        if self.mode == "grade":
            self.say(report.suite_header(target, suite, suite_doc, self.mode))
        seen = set()
        results = []
        for ev in events:
            seen.add(ev.name)
            if not lessons_here and ev.name.startswith("test_lesson_"):
                continue
            results.append(self.record(target, bin_abs, suite, suite_doc,
                                       by_name.get(ev.name) or {"name": ev.name, "points": 1,
                                                                "doc": suite_doc,
                                                                "visibility": "visible"},
                                       ev.status, ev.seconds, ev.lines, ev.reason,
                                       getattr(ev, "interrupted", None)))
        # Declared tests the suite never reported: it stopped, or never started.
        why = note or "; ".join(l for l in outside if l and not l.startswith("[==")) \
            or "the suite ended before this test"
        for d in declared:
            if d["name"] not in seen:
                results.append(self.record(target, bin_abs, suite, suite_doc, d, "FAIL", 0.0,
                                           [], None, f"not run: {why}"))
        if self.mode == "grade":
            for r in results:
                self.say(report.test_line(r))
            if results:
                self.say(report.suite_footer(results))
        self.tests += results

    def record(self, target, binary, suite, suite_doc, decl, status, seconds, lines, reason,
               interrupted):
        message, fb = feedback.explain(REPO, lines, decl["doc"])
        could_not_run = False
        if status == "SKIP" and self.mode == "grade":
            status, could_not_run = "FAIL", True
            fb = f"could not run: {reason}"
            if decl["doc"]:
                fb += f"\nread:   {decl['doc']}"
        if interrupted:
            reason = interrupted
            fb = interrupted + ("\n" + fb if fb else "")
        return {
            "target": target, "minibox": binary or "", "suite": suite, "name": decl["name"],
            "status": status, "time": round(seconds, 3), "points": decl["points"],
            "score": decl["points"] if status == "OK" else 0,
            "reason": reason, "could_not_run": could_not_run,
            "message": message if status != "OK" else "",
            "feedback": fb if status == "FAIL" else "",
            "doc": decl["doc"], "suite_doc": suite_doc, "visibility": decl["visibility"],
        }

    def main(self):
        started = time.time()
        steps = suites.steps(REPO)
        plan = self.plan(steps)
        vm_args = (f" STEP={self.args.step}" if self.args.step else "") + \
            (f" MINIBOX={self.args.minibox}" if self.args.minibox else "")
        priv = privileges(vm_args)
        for target, binary, suite_list in plan:
            for suite in suite_list:
                self.run_suite(target, binary, suite)
        model = {
            "version": 1, "mode": self.mode, "step": self.args.step or "",
            "minibox": os.path.abspath(plan[0][1]) if self.mode == "grade" else "",
            "rootfs": self.rootfs, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                            time.gmtime(started)),
            "duration": round(time.time() - started, 3), "privileges": priv,
            "tests": self.tests,
        }
        results = self.args.results or os.path.join(
            REPO, "build", "grade" if self.mode == "grade" else "test-results")
        report.write_all(model, results)
        c = report.counts(model)
        if self.args.format == "tap":
            sys.stdout.write(report.tap(model))
        if self.mode == "grade":
            self.say(f"results: {os.path.relpath(results)}/"
                     f"{{results.json,junit.xml,results.tap,classroom.json,model.json}}")
            for line in report.summary_lines(model):
                self.say(line)
            ok = c["FAIL"] == 0 and c["SKIP"] == 0 and c["OK"] > 0
        else:
            self.say(report.results_table(model))
            ok = c["FAIL"] == 0
        self.say(f"{c['OK']} passed, {c['FAIL']} failed, {c['SKIP']} skipped")
        return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rootfs", required=True)
    p.add_argument("--step")
    p.add_argument("--minibox")
    p.add_argument("--grade", action="store_true")
    p.add_argument("--results")
    p.add_argument("--format", choices=["table", "tap"], default="table")
    p.add_argument("--only", type=lambda v: [int(x, 10) for x in v.split(",") if x],
                   help="with --step: grade only these suites (NN[,NN...])")
    p.add_argument("--timeout", type=int,
                   default=int(os.environ.get("MB_SUITE_TIMEOUT", "900")))
    args = p.parse_args()
    # Paths are the caller's; the runner then works from the repository.
    for key in ("rootfs", "minibox", "results"):
        if getattr(args, key):
            setattr(args, key, os.path.abspath(getattr(args, key)))
    os.chdir(REPO)
    try:
        return Runner(args).main()
    except suites.DeclarationError as e:
        print(f"run.sh: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
