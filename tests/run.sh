#!/usr/bin/env bash
# tests/run.sh --rootfs DIR [--step NN] [--minibox PATH] [--grade]
#              [--results DIR] [--format table|tap] [--timeout SECONDS]
#
# The one runner of `make test` and `make grade`: it runs the cmocka suites
# (build/tests/NN-name) against a binary, builds one result model and writes
# it as a table, TAP 14, JUnit XML and Gradescope's results.json. The work is
# done by tests/grader/grade.py (see there, or --help).
#
# Without --step: each step's binary against suites 01..N, then final/minibox
# against every suite, then the unit tests. With --step NN: suites 01..NN
# against --minibox (default: steps/NN-*/minibox).
# Ends with the line "N passed, N failed, N skipped"; exit 1 if any failed.
set -uo pipefail
command -v python3 >/dev/null ||
    { echo "run.sh: python3 is missing (make deps installs it)" >&2; exit 2; }
PYTHONDONTWRITEBYTECODE=1 exec python3 "$(dirname "$0")/grader/grade.py" "$@"
