#!/bin/sh
# make bench: runs every benchmark in pipelines/bench/ in turn. Each benchmark runs
# its reference side by side in the same command and prints medians and
# ratios; absolute times on a shared machine mean little.
BINDIR=${BINDIR:-bin}
BIN=$(cd "$BINDIR" && pwd)
export BIN
status=0
for b in pipelines/bench/*.sh; do
	[ -f "$b" ] || continue
	[ "$(basename "$b")" = run.sh ] && continue
	[ -n "$BENCH" ] && case $b in *"$BENCH"*) ;; *) continue;; esac
	echo "== bench-$(basename "$b" .sh)"
	sh "$b" || { echo "$(basename "$b"): failed"; status=1; }
done
exit $status
