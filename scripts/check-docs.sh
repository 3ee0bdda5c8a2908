#!/usr/bin/env bash
# check-docs.sh  (make check-docs): the docs cannot drift from what they show.
#   1. every docs/img/*.svg is what `make diagrams` renders from diagrams/*.dot
#      today, and there is no SVG without its source;
#   2. every relative link and anchor of the Markdown resolves
#      (scripts/check-links.py);
#   3. the captured sessions ("$ command" and its output) of the documents in
#      SESSIONS print the same today (scripts/try-docs.py, as root; blocks
#      captured on another kind of host are skipped with the host they need);
#      every other document with sessions is named as not re-run.
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

# 3. captured sessions. The documents below are re-run (a block that cannot
# be is skipped, and named with its reason on every run); a document with
# sessions that is not listed is named as not re-run.
SESSIONS="docs/01-chroot.md docs/02-pid-ns.md docs/03-uts.md docs/04-mount-proc.md
          docs/05-cgroups.md docs/06-userns.md docs/07-net.md docs/08-layers.md docs/09-daemon.md
          docs/10-beyond.md docs/architecture.md docs/grading.md docs/testing-in-a-vm.md
          docs/troubleshooting.md"
if [ "${CHECK_DOCS_SESSIONS:-1}" = 1 ]; then
    # shellcheck disable=SC2086 # a word list
    python3 scripts/try-docs.py $SESSIONS || bad=1
    for doc in docs/*.md; do
        case " $(echo $SESSIONS) " in *" $doc "*) continue ;; esac
        n=$(python3 scripts/try-docs.py --list "$doc" | grep -c '^run ')
        [ "$n" = 0 ] ||
            echo "check-docs: NOT RE-RUN $doc: $n captured session(s) that need setup the text does not show yet"
    done
fi
exit $bad
