#!/bin/sh
# make bench: runs every pipelines/bench-*.sh in turn. Each benchmark runs
# its reference side by side in the same command and prints medians and
# ratios; absolute times on a shared machine mean little.
BINDIR=${BINDIR:-bin}
BIN=$(cd "$BINDIR" && pwd)
export BIN
status=0
for b in pipelines/bench-*.sh; do
	[ -f "$b" ] || continue
	[ -n "$BENCH" ] && case $b in *"$BENCH"*) ;; *) continue;; esac
	echo "== $(basename "$b" .sh)"
	sh "$b" || { echo "$(basename "$b"): failed"; status=1; }
done
exit $status
