#!/bin/sh
# bench-crowd: the cost of association in crowds. N box-only objects a
# frame (a grid of 20x20 boxes, each drifting at its own constant
# velocity) for FRAMES frames, embedded by a small box-only model, tracked
# by the bare defaults, by --paper on both tools and by the IoU baseline,
# in the same command; milliseconds a frame, medians of RUNS runs.
#   BIN=bin RUNS=3 FRAMES=40 CROWDS="100 200 500" sh pipelines/bench/crowd.sh
BIN=${BIN:-bin}
RUNS=${RUNS:-3}
FRAMES=${FRAMES:-40}
CROWDS=${CROWDS:-100 200 500}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
die() { echo "bench-crowd: $*" >&2; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
secs() {
	t0=$(date +%s.%N); sh -c "$1" >/dev/null 2>&1 || die "failed: $1"
	t1=$(date +%s.%N); echo "$t0 $t1" | awk '{ print $2 - $1 }'
}
# MOT box txt: N objects on a grid, each with its own drift
crowd() {   # N FILE
	awk -v n="$1" -v F="$FRAMES" 'BEGIN { g = int(sqrt(n)) + 1
		for (f = 1; f <= F; f++) for (i = 0; i < n; i++)
			printf "%d,%d,%.1f,%.1f,20,20,1,1,1\n", f, i + 1,
				(i % g) * 40 + 5 + f * ((i % 3) - 1), int(i / g) * 40 + 5 + f * ((i % 5) - 2) * 0.5 }' >"$2"
}
big=0
for n in $CROWDS; do [ "$n" -gt "$big" ] && big=$n; done
crowd "$big" "$tmp/big.txt"
$BIN/mots-extract -q --mot "$tmp/big.txt" --size 4000x4000 -o "$tmp/big.det" || die "mots-extract"
$BIN/ae-train -q --inputs box --latent 16 --epochs 2 --batch 256 --seed 1 -o "$tmp/box.mp" "$tmp/big.det" ||
	die "ae-train"
echo "crowd: $FRAMES frames of N box-only objects, medians of $RUNS runs (ms a frame)"
printf "%6s %12s %12s %12s\n" N defaults --paper "iou baseline"
for n in $CROWDS; do
	crowd "$n" "$tmp/c.txt"
	$BIN/mots-extract -q --mot "$tmp/c.txt" --size 4000x4000 | $BIN/ae-embed -q -m "$tmp/box.mp" -o "$tmp/z.det" ||
		die "embed"
	: >"$tmp/d"; : >"$tmp/p"; : >"$tmp/i"
	for _ in $(seq "$RUNS"); do
		secs "$BIN/cgraph-build -q '$tmp/z.det' | $BIN/ckmeans -q" >>"$tmp/d"
		secs "$BIN/cgraph-build -q --paper '$tmp/z.det' | $BIN/ckmeans -q --paper" >>"$tmp/p"
		secs "$BIN/ckmeans -q --baseline iou '$tmp/z.det'" >>"$tmp/i"
	done
	printf "%6d %12.1f %12.1f %12.1f\n" "$n" "$(median <"$tmp/d" | awk -v f="$FRAMES" '{ print $1 * 1000 / f }')" \
		"$(median <"$tmp/p" | awk -v f="$FRAMES" '{ print $1 * 1000 / f }')" \
		"$(median <"$tmp/i" | awk -v f="$FRAMES" '{ print $1 * 1000 / f }')"
done
