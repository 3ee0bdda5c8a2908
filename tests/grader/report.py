"""The result model, written five ways: the human table, TAP 14, JUnit XML,
Gradescope's results.json and GitHub Classroom's runner result. Every one of
them carries the same feedback text per failed test. Usable on its own to
re-render a saved model:

    python3 tests/grader/report.py build/grade/model.json --tap|--junit F|--gradescope F|--table
"""
import json
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict


def fmt_points(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def groups(model):
    """(target, suite) -> tests, in run order."""
    out = OrderedDict()
    for t in model["tests"]:
        out.setdefault((t["target"], t["suite"]), []).append(t)
    return out


def totals(tests):
    return sum(t["score"] for t in tests), sum(t["points"] for t in tests)


# ---- the human table (xv6's `make grade`) ---------------------------------

def test_line(t, width=46):
    status = t["status"]
    dots = "." * max(2, width - len(t["name"]))
    line = f"  {t['name']} {dots} {status:<4} ({t['time']:.2f}s)"
    if t["points"] != 1 or t["status"] != "OK":
        line += f"  {fmt_points(t['score'])}/{fmt_points(t['points'])}"
    if t["status"] == "SKIP" and t.get("reason"):
        line += f"  # SKIP {t['reason']}"
    out = [line]
    if t["status"] == "FAIL" and t.get("feedback"):
        out += ["      " + l for l in t["feedback"].split("\n")]
    return "\n".join(out)


def suite_header(target, suite, doc, mode):
    where = f"  ({doc})" if doc else ""
    if mode == "grade":
        return f"== {suite}{where}"
    return f"== {suite} on {target}{where}"


def suite_footer(tests):
    got, total = totals(tests)
    return f"  {tests[0]['suite']}: {fmt_points(got)}/{fmt_points(total)}"


def summary_lines(model):
    """Score and what the reader must know: missing privileges, how to fix."""
    got, total = totals(model["tests"])
    out = [f"Score: {fmt_points(got)}/{fmt_points(total)}"]
    priv = model.get("privileges") or {}
    could_not = [t for t in model["tests"] if t.get("could_not_run")]
    if model["mode"] == "test":
        could_not = [t for t in model["tests"] if t["status"] == "SKIP"]
    if could_not:
        verb = "graded as failed" if model["mode"] == "grade" else "skipped"
        if priv.get("missing"):
            out.append(f"missing privilege: {'; '.join(priv['missing'])}: {len(could_not)} "
                       f"test(s) could not run and are {verb}.")
            if priv.get("hint"):
                out.append(priv["hint"])
        else:
            reasons = sorted({t["reason"] for t in could_not if t.get("reason")})
            out.append(f"{len(could_not)} test(s) could not run on this host and are {verb}: "
                       + "; ".join(reasons))
    return out


def table(model):
    lines = []
    for (target, suite), tests in groups(model).items():
        lines.append(suite_header(target, suite, tests[0].get("suite_doc"), model["mode"]))
        lines += [test_line(t) for t in tests]
        lines.append(suite_footer(tests))
    return "\n".join(lines + summary_lines(model))


def results_table(model):
    """The closing summary of `make test`: one row per binary and suite."""
    lines = ["", "== results =="]
    for (target, suite), tests in groups(model).items():
        p = sum(t["status"] == "OK" for t in tests)
        s = sum(t["status"] == "SKIP" for t in tests)
        lines.append(f"{target:<14} {suite + ':':<16} {p:3d}/{len(tests):<3d}"
                     + (f" ({s} skipped)" if s else ""))
    lines += summary_lines(model)
    return "\n".join(lines)


def counts(model):
    c = {"OK": 0, "FAIL": 0, "SKIP": 0}
    for t in model["tests"]:
        c[t["status"]] += 1
    return c


# ---- TAP 14 ----------------------------------------------------------------

def _yaml_str(s):
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML scalar


def tap(model):
    tests = model["tests"]
    out = ["TAP version 14", f"1..{len(tests)}"]
    for i, t in enumerate(tests, 1):
        name = f"{t['target']}/{t['suite']}/{t['name']}" if model["mode"] == "test" \
            else f"{t['suite']}/{t['name']}"
        name = name.replace("#", "\\#")
        if t["status"] == "OK":
            out.append(f"ok {i} - {name}")
        elif t["status"] == "SKIP":
            out.append(f"ok {i} - {name} # SKIP {t.get('reason') or ''}".rstrip())
        else:
            out.append(f"not ok {i} - {name}")
        if t["status"] == "FAIL":
            out.append("  ---")
            out.append(f"  message: {_yaml_str(t.get('feedback') or t.get('reason') or '')}")
            out.append("  severity: fail")
            out.append(f"  duration_ms: {round(t['time'] * 1000)}")
            out.append(f"  points: {fmt_points(t['points'])}")
            if t.get("doc"):
                out.append(f"  doc: {_yaml_str(t['doc'])}")
            out.append("  ...")
    for (target, suite), ts in groups(model).items():
        got, total = totals(ts)
        label = suite if model["mode"] == "grade" else f"{target} {suite}"
        out.append(f"# {label}: {fmt_points(got)}/{fmt_points(total)}")
    out += ["# " + l for l in summary_lines(model)]
    return "\n".join(out) + "\n"


# ---- JUnit XML ---------------------------------------------------------------

def _xml_text(s):
    # XML 1.0 cannot carry most control characters.
    return "".join(c if c in "\t\n\r" or ord(c) >= 0x20 else f"\\x{ord(c):02x}" for c in s or "")


def junit(model):
    root = ET.Element("testsuites", name="minibox")
    all_tests = model["tests"]
    c = counts(model)
    root.set("tests", str(len(all_tests)))
    root.set("failures", str(c["FAIL"]))
    root.set("errors", "0")
    root.set("skipped", str(c["SKIP"]))
    root.set("time", f"{sum(t['time'] for t in all_tests):.3f}")
    for (target, suite), tests in groups(model).items():
        sc = {"OK": 0, "FAIL": 0, "SKIP": 0}
        for t in tests:
            sc[t["status"]] += 1
        name = suite if model["mode"] == "grade" else f"{target}/{suite}"
        ts = ET.SubElement(root, "testsuite", name=name, tests=str(len(tests)),
                           failures=str(sc["FAIL"]), errors="0", skipped=str(sc["SKIP"]),
                           time=f"{sum(t['time'] for t in tests):.3f}")
        props = ET.SubElement(ts, "properties")
        got, total = totals(tests)
        ET.SubElement(props, "property", name="minibox", value=_xml_text(tests[0]["minibox"]))
        ET.SubElement(props, "property", name="score", value=fmt_points(got))
        ET.SubElement(props, "property", name="max_score", value=fmt_points(total))
        for t in tests:
            tc = ET.SubElement(ts, "testcase", name=t["name"], classname=name,
                               time=f"{t['time']:.3f}")
            if t["status"] == "FAIL":
                text = t.get("feedback") or t.get("reason") or ""
                f = ET.SubElement(tc, "failure", message=_xml_text(text.split("\n")[0]),
                                  type="could-not-run" if t.get("could_not_run") else "assertion")
                f.text = _xml_text(text)
                if t.get("message"):
                    out = ET.SubElement(tc, "system-out")
                    out.text = _xml_text(t["message"])
            elif t["status"] == "SKIP":
                ET.SubElement(tc, "skipped", message=_xml_text(t.get("reason") or ""))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---- Gradescope results.json -------------------------------------------------

def gradescope(model):
    tests = []
    numbers = {}
    for t in model["tests"]:
        suite_no = int(t["suite"].split("-")[0]) if t["suite"][:2].isdigit() else 0
        numbers[suite_no] = numbers.get(suite_no, 0) + 1
        output = t.get("feedback") or t.get("reason") or ""
        if t["status"] == "OK":
            output = ""
        tests.append({
            "name": f"{t['suite']}: {t['name']}",
            "number": f"{suite_no}.{numbers[suite_no]}",
            "score": t["score"],
            "max_score": t["points"],
            "status": "passed" if t["status"] == "OK" else "failed",
            "output": output,
            "output_format": "text",
            "visibility": t.get("visibility", "visible"),
            "tags": [t["suite"]],
        })
    got, total = totals(model["tests"])
    return {
        "score": got,
        "execution_time": round(model.get("duration", 0)),
        "output": "\n".join(summary_lines(model)),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


# ---- GitHub Classroom: a runner's result ------------------------------------

def classroom(model):
    """What one autograding runner hands classroom-resources/
    autograding-grading-reporter (base64 in the step's `result` output): the
    reporter adds up tests[].score, and max_score, over every runner. A test
    earns its own points: a chapter is not all or nothing."""
    tests = []
    for t in model["tests"]:
        tests.append({
            "name": f"{t['suite']}: {t['name']}",
            "status": "pass" if t["status"] == "OK" else "fail",
            "score": t["score"],
            "message": "" if t["status"] == "OK" else (t.get("feedback") or t.get("reason") or ""),
            "line_no": 0,
            "execution_time": f"{t['time']:.2f}s",
        })
    got, total = totals(model["tests"])
    return {
        "version": 1,
        "status": "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail",
        "max_score": total,
        "tests": tests,
    }


def write_all(model, results_dir):
    import os
    os.makedirs(results_dir, exist_ok=True)
    files = {
        "model.json": json.dumps(model, indent=1) + "\n",
        "results.tap": tap(model),
        "junit.xml": junit(model),
        "results.json": json.dumps(gradescope(model), indent=1) + "\n",
        "classroom.json": json.dumps(classroom(model)) + "\n",
    }
    for name, text in files.items():
        tmp = os.path.join(results_dir, "." + name)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, os.path.join(results_dir, name))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        model = json.load(f)
    if argv[2] == "--tap":
        sys.stdout.write(tap(model))
    elif argv[2] == "--table":
        print(table(model))
    elif argv[2] in ("--junit", "--gradescope") and len(argv) == 4:
        text = junit(model) if argv[2] == "--junit" else json.dumps(gradescope(model), indent=1)
        with open(argv[3], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
