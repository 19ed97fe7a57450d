#!/usr/bin/env bash
# bench/results/ keeps only the runs a document cites (issue 10; STYLE.md: bulky artefacts stay out
# of git except the runs a document cites). New runs are ignored by .gitignore; a run a document
# starts citing is added with `git add -f bench/results/<run>`, and one no document cites any more
# is removed with `git rm -r bench/results/<run>`. This checks both directions:
#
#   bench/check-results.sh      # lists cited-but-missing and kept-but-uncited runs; exit 1 if any
#
# "Cited" means the run's folder name appears in README.md or docs/*.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Run folders are named by their start time in UTC, after the script's prefix if it has one
# (side-by-side.sh: 20261128T072820Z; http-side-by-side.sh: http-20261201T220216Z;
# sessions-side-by-side.sh: sessions-...; hosted-side-by-side.sh: hosted-...; duplex compare runs kept by hand: compare-...).
RUN_NAME='((http|sessions|hosted|compare)-)?[0-9]{8}T[0-9]{6}Z'
cited="$(grep -ohE "$RUN_NAME" README.md docs/*.md | sort -u)"
kept="$(git ls-files bench/results | cut -d/ -f3 | sort -u)"
status=0

for run in $cited; do
    if ! grep -qx "$run" <<<"$kept"; then
        echo "cited but not in git: bench/results/$run (git add -f it, or stop citing it)"
        status=1
    fi
done
for run in $kept; do
    if ! grep -qx "$run" <<<"$cited"; then
        echo "in git but cited by no document: bench/results/$run (git rm -r it)"
        status=1
    fi
done
[ "$status" -ne 0 ] || echo "bench/results: every run kept is cited, every run cited is kept"
exit "$status"
