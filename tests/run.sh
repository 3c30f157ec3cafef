#!/bin/sh
# Runs every unit test binary and every pipeline script, then prints one
# closing line "N passed, N failed, N skipped".
#   unit tests:  $BUILD/tests/test_*   (Criterion; its synthesis line is parsed)
#   pipelines:   tests/cli/*.sh        (each prints "ok - NAME", "not ok - NAME"
#                                       or "skip - NAME" per check)
BUILD=${BUILD:-build}
BINDIR=${BINDIR:-bin}
BIN=$(cd "$BINDIR" && pwd)
export BIN
# the unit tests find the CUDA backend where the tools do
so=$BIN/../lib/usc-mots/libusc-cuda.so
[ -f "$so" ] && USC_CUDA_BACKEND=$(cd "$(dirname "$so")" && pwd)/libusc-cuda.so && export USC_CUDA_BACKEND
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d|*.o) continue;; esac
	name=$(basename "$t")
	"$t" --jobs=2 >"$log" 2>&1
	rc=$?
	line=$(grep 'Synthesis:' "$log" | tail -1)
	p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
	c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
	if [ -z "$p" ]; then p=0; f=1; c=0; fi
	f=$((f + c))
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" != 0 ]; then
		echo "FAIL unit $name"; grep -v '^\[----\]' "$log" | tail -40
	else
		echo "unit $name: $p passed"
	fi
done

for s in tests/cli/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	[ "$name" = lib ] && continue
	sh "$s" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok - ' "$log"); f=$(grep -c '^not ok - ' "$log"); k=$(grep -c '^skip - ' "$log")
	[ "$rc" != 0 ] && [ "$f" = 0 ] && { f=1; echo "cli $name exited $rc"; }
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + k))
	if [ "$f" != 0 ]; then
		echo "FAIL cli $name"; grep -v '^ok - ' "$log" | tail -40
	else
		echo "cli $name: $p passed, $k skipped"
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
