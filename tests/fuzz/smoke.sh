#!/bin/sh
# Replays every input of tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME
# once through build-fuzz/fuzz_NAME (no fuzzing). Fails on the first crash.
cd "$(dirname "$0")/../.."
fail=0 total=0
for bin in build-fuzz/fuzz_*; do
	case $bin in *.d) continue ;; esac
	name=${bin#build-fuzz/fuzz_}
	files=$(find "tests/fuzz/corpus/$name" "tests/fuzz/regress/$name" -type f ! -name '.*' 2>/dev/null)
	[ -z "$files" ] && { echo "fuzz-smoke: $name: no inputs"; continue; }
	n=$(echo "$files" | wc -l)
	total=$((total + n))
	# -timeout: a hang counts as a failure; leak checks stay on.
	if echo "$files" | xargs "$bin" -timeout=10 -rss_limit_mb=2048 >"build-fuzz/smoke-$name.log" 2>&1; then
		echo "fuzz-smoke: $name: $n inputs ok"
	else
		echo "fuzz-smoke: $name: FAILED (build-fuzz/smoke-$name.log):"
		# the input that crashed and the first line of the report
		awk '/^Running:/ { r = $2 } /ERROR|runtime error/ { print "  " r ": " $0; exit }' \
			"build-fuzz/smoke-$name.log"
		fail=1
	fi
done
[ $fail = 0 ] && echo "fuzz-smoke: $total inputs, no crash"
exit $fail
