#!/bin/sh
# Throughput of mots-extract --patch 128 (masks/s) and of RLE IoU (pairs/s)
# on the largest shared MOTS file, each side by side with a numpy reference
# (tests/reference/mots_ref.py) doing the same work in the same run, with
# medians of several runs, ratios and agreement checks (patch byte sums,
# IoU sums). Also checks that our encoder re-encodes every shared mask,
# decoded to pixels, to the very same string.
BIN=${BIN:-bin}
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-5}
PT=$SHARED/data/kitti-mots-pointtrack
[ -d "$PT" ] || { echo "skipped: no $PT"; exit 0; }

PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done

# The largest file: the most masks.
F=$(ls -S "$PT"/*/*.txt | head -1)
masks=$(grep -c . "$F")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

CC=${CC:-cc}
$CC -O2 -std=c11 -D_GNU_SOURCE -Icommon -o "$T/bench-rle" pipelines/bench/rle.c "$BUILD/libusc.a" \
	$(pkg-config --libs msgpack libpng openblas 2>/dev/null) -lm -pthread || exit 1

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "file: $F ($masks masks)"

# mots-extract --patch 128: C, then the reference.
: >"$T/times"
for i in $(seq "$RUNS"); do
	t0=$(now)
	"$BIN/mots-extract" -q --mots "$F" --patch 128 >/dev/null || exit 1
	t1=$(now)
	echo "$t0 $t1" | awk '{ print $2 - $1 }' >>"$T/times"
done
c_s=$(median <"$T/times")
c_sum=$("$BIN/mots-extract" -q --mots "$F" --patch 128 | "$BIN/mots-dump" --fields patch |
	awk -F'"mean":' '{ split($2, a, "}"); s += a[1] * 16384 } END { printf "%.0f", s }')
printf 'extract --patch 128  C      : %8.4f s  %10.0f masks/s  (median of %d)\n' "$c_s" \
	"$(echo "$masks $c_s" | awk '{ print $1 / $2 }')" "$RUNS"
if [ -n "$PY" ]; then
	set -- $("$PY" tests/reference/mots_ref.py extract "$F" 128 3)
	py_s=$1 py_sum=$(printf '%.0f' "$3")
	printf 'extract --patch 128  numpy  : %8.4f s  %10.0f masks/s  (median of 3)\n' "$py_s" \
		"$(echo "$masks $py_s" | awk '{ print $1 / $2 }')"
	printf 'extract ratio C/numpy       : %.1fx   patch byte sums %s (%s)\n' \
		"$(echo "$py_s $c_s" | awk '{ print $1 / $2 }')" \
		"$([ "$c_sum" = "$py_sum" ] && echo agree || echo DIFFER)" "$c_sum"
else
	echo "extract numpy reference skipped: no python3 with numpy"
fi

# RLE IoU of every pair of masks at most 5 frames apart.
set -- $("$T/bench-rle" iou "$F" 5 "$RUNS")
ci_s=$1 pairs=$2 ci_sum=$3
printf 'IoU pairs (window 5) C      : %8.4f s  %10.0f pairs/s  (%d pairs, median of %d)\n' "$ci_s" \
	"$(echo "$pairs $ci_s" | awk '{ print $1 / $2 }')" "$pairs" "$RUNS"
if [ -n "$PY" ]; then
	set -- $("$PY" tests/reference/mots_ref.py iou "$F" 5 3)
	pi_s=$1 pi_sum=$3
	printf 'IoU pairs (window 5) numpy  : %8.4f s  %10.0f pairs/s  (median of 3)\n' "$pi_s" \
		"$(echo "$pairs $pi_s" | awk '{ print $1 / $2 }')"
	printf 'IoU ratio C/numpy           : %.1fx   IoU sums %s (%s vs %s)\n' \
		"$(echo "$pi_s $ci_s" | awk '{ print $1 / $2 }')" \
		"$(echo "$ci_sum $pi_sum" | awk '{ d = $1 - $2; print (d < 1e-6 && d > -1e-6) ? "agree" : "DIFFER" }')" \
		"$ci_sum" "$pi_sum"
fi

# Our encoder against every string of the shared files.
set -- $("$T/bench-rle" agree "$PT"/*/*.txt)
echo "RLE re-encoding: $2 of $1 shared masks identical byte for byte"
[ "$1" = "$2" ]
