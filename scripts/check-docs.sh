#!/usr/bin/env bash
# check-docs.sh  (make check-docs): the docs cannot drift from what they show.
#   1. every docs/img/*.svg is what `make diagrams` renders from diagrams/*.dot
#      today, and there is no SVG without its source;
#   2. every relative link and anchor of the Markdown resolves
#      (scripts/check-links.py);
#   3. every captured session of docs/*.md ("$ command" and its output) prints
#      the same today (scripts/try-docs.py, as root; blocks captured on another
#      kind of host are skipped with the host they need).
# Exit status 1 when any of them fails; each says what to run to fix it.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. diagrams
for f in diagrams/*.dot; do
    name=$(basename "$f" .dot)
    dot -Tsvg "$f" -o "$tmp/$name.svg" || { echo "check-docs: dot failed on $f"; bad=1; continue; }
    if ! cmp -s "$tmp/$name.svg" "docs/img/$name.svg"; then
        echo "check-docs: docs/img/$name.svg is not what $f renders to: run make diagrams and commit it"
        bad=1
    fi
done
for f in docs/img/*.svg; do
    [ -e "diagrams/$(basename "$f" .svg).dot" ] ||
        { echo "check-docs: $f has no diagrams/$(basename "$f" .svg).dot"; bad=1; }
done
[ $bad = 0 ] && echo "check-docs: docs/img matches diagrams/"

# 2. links
python3 scripts/check-links.py || bad=1

# 3. captured sessions
if [ "${CHECK_DOCS_SESSIONS:-1}" = 1 ]; then
    python3 scripts/try-docs.py || bad=1
fi
exit $bad
