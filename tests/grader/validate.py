"""Checks the grader's output files; exit 1 with the reasons when one is wrong.

    validate.py json SCHEMA FILE   a JSON file against a JSON Schema (the subset
                                   used here: type, required, properties,
                                   additionalProperties: false, items, enum,
                                   minimum, minLength)
    validate.py tap FILE           TAP 14: version line, plan, numbered test
                                   lines matching the plan, YAML blocks closed
    validate.py junit-counts FILE  the counts in JUnit attributes match the
                                   testcases (the XSD cannot say that)

The JUnit structure itself is checked by xmllint against tests/grader/junit.xsd.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "integer": int, "number": (int, float)}


def check(schema, value, path, errors):
    t = schema.get("type")
    if t:
        ok = isinstance(value, TYPES[t]) and not (t in ("number", "integer")
                                                  and isinstance(value, bool))
        if not ok:
            errors.append(f"{path}: expected {t}, got {type(value).__name__}")
            return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        errors.append(f"{path}: {value} < {schema['minimum']}")
    if "minLength" in schema and isinstance(value, str) and len(value) < schema["minLength"]:
        errors.append(f"{path}: shorter than {schema['minLength']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing '{key}'")
        props = schema.get("properties", {})
        for key, v in value.items():
            if key in props:
                check(props[key], v, f"{path}.{key}", errors)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected key '{key}'")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            check(schema["items"], v, f"{path}[{i}]", errors)


def check_tap(text):
    errors = []
    lines = text.split("\n")
    if not lines or lines[0] != "TAP version 14":
        errors.append("first line is not 'TAP version 14'")
    plan = [l for l in lines if re.match(r"^1\.\.\d+$", l)]
    if len(plan) != 1:
        return errors + ["there must be exactly one plan line"]
    n = int(plan[0][3:])
    numbers = [int(m.group(2)) for m in (re.match(r"^(ok|not ok) (\d+)( - |$)", l) for l in lines)
               if m]
    if numbers != list(range(1, n + 1)):
        errors.append(f"test lines are not numbered 1..{n}")
    in_yaml = False
    for i, l in enumerate(lines, 1):
        if l == "  ---":
            in_yaml = True
        elif l == "  ...":
            in_yaml = False
        elif in_yaml and not l.startswith("  "):
            errors.append(f"line {i}: YAML block not indented or not closed")
        elif not in_yaml and l and not re.match(r"^(TAP version 14|1\.\.\d+|ok |not ok |#)", l):
            errors.append(f"line {i}: not a TAP line: {l[:60]}")
        if re.match(r"^ok \d+ - .* # SKIP", l) is None and "# SKIP" in l and l.startswith("not ok"):
            errors.append(f"line {i}: a failed test cannot be a SKIP")
    return errors


def check_junit_counts(path):
    errors = []
    root = ET.parse(path).getroot()
    total = {"tests": 0, "failures": 0, "skipped": 0}
    for ts in root.findall("testsuite"):
        cases = ts.findall("testcase")
        got = {"tests": len(cases),
               "failures": sum(c.find("failure") is not None for c in cases),
               "skipped": sum(c.find("skipped") is not None for c in cases)}
        for k, v in got.items():
            total[k] += v
            if int(ts.get(k)) != v:
                errors.append(f"testsuite {ts.get('name')}: {k}={ts.get(k)}, counted {v}")
    for k, v in total.items():
        if int(root.get(k)) != v:
            errors.append(f"testsuites: {k}={root.get(k)}, counted {v}")
    return errors


def main(argv):
    if len(argv) >= 2 and argv[1] == "json" and len(argv) == 4:
        with open(argv[2]) as f:
            schema = json.load(f)
        with open(argv[3]) as f:
            value = json.load(f)  # a syntax error raises: that is a failure too
        errors = []
        check(schema, value, "$", errors)
    elif len(argv) == 3 and argv[1] == "tap":
        with open(argv[2]) as f:
            errors = check_tap(f.read())
    elif len(argv) == 3 and argv[1] == "junit-counts":
        errors = check_junit_counts(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for e in errors:
        print(f"{argv[-1]}: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
