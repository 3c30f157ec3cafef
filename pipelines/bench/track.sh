#!/bin/sh
# bench-track: frames/s of `cgraph-build | ckmeans` on a 10,000-frame
# Sprites-MOT video with latent vectors, beside the plain-Python reference
# of the same algorithm (pipelines/bench/ref-track.py, run on REF_FRAMES frames of
# the same input) in the same command; the share of records both put in the
# same tracks; the peak memory of each stage on a quarter of the video and
# on the whole of it (it must not grow with the length); and the IoU
# baseline. Medians of RUNS runs.
#   BIN=bin RUNS=5 FRAMES=10000 REF_FRAMES=1000 EPOCHS=2 sh pipelines/bench/track.sh
# MODEL=FILE embeds with a trained Sprites-MOT autoencoder (for instance
# results/synth/sprites/uncertainty.mp from pipelines/Makefile) instead of
# training a small one here (EPOCHS epochs on the test video itself). The
# paper's settings are timed (alpha-t 2, embed-thr 1.0, window order), and
# the extended ones of RESULTS.md (--order nearest --motion-gate, then with
# --centres tracks --occlusion-margin 1 --exit-margin 8 as well, and the
# real-data ones: --ml-iou 0.5 must-links, --relink 16), and the bare
# defaults. ckmeans runs with --paper (the paper's association, the one
# ref-track.py implements) unless the line says the defaults.
BIN=${BIN:-bin}
RUNS=${RUNS:-5}
FRAMES=${FRAMES:-10000}
REF_FRAMES=${REF_FRAMES:-1000}
EPOCHS=${EPOCHS:-2}
MODEL=${MODEL:-}
CG="--paper --metric embed --alpha-t 2 --embed-thr 1.0"
CK="--paper"   # the paper's settings: the association ref-track.py implements
EXT="--order nearest --motion-gate --motion-iou 0.1"
OCC="--order nearest --motion-gate --motion-iou 0.3 --centres tracks --occlusion-margin 1 --exit-margin 8"
REL="--order nearest --motion-gate --motion-iou 0.1 --relink 16 --relink-iou 0.01"
py=/usr/bin/python3
[ -x $py ] || py=python3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

die() { echo "bench-track: $*" >&2; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
secs() {   # CMD (a shell string) -> wall seconds
	t0=$(date +%s.%N); sh -c "$1" >/dev/null 2>&1 || die "failed: $1"
	t1=$(date +%s.%N); echo "$t0 $t1" | awk '{ print $2 - $1 }'
}
rss() {    # CMD... -> peak resident KiB (0 without GNU time)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || die "failed: $*"
		cat "$tmp/rss"
	else
		"$@" >/dev/null 2>&1; echo 0
	fi
}

for t in mots-synth mots-extract ae-train ae-embed cgraph-build ckmeans; do
	[ -x "$BIN/$t" ] || die "$BIN/$t is missing (make first)"
done

# The input: generate, extract 28x28 mask patches, a small model, z.
$BIN/mots-synth --dataset sprites -o "$tmp/sp" --frames "$FRAMES" --seed 1 -q || die "mots-synth"
$BIN/mots-extract -q --mots "$tmp/sp/gt/gt_mots.txt" --patch 28 >"$tmp/sp.det" || die "mots-extract"
if [ -n "$MODEL" ]; then
	cp "$MODEL" "$tmp/m.mp" || die "no $MODEL"
	what="z from $MODEL"
else
	$BIN/ae-train -q --epochs "$EPOCHS" -o "$tmp/m.mp" "$tmp/sp.det" || die "ae-train"
	what="z from a $EPOCHS-epoch model trained on it"
fi
$BIN/ae-embed -q -m "$tmp/m.mp" "$tmp/sp.det" >"$tmp/z.det" || die "ae-embed"
quarter=$((FRAMES / 4))
awk -v q="$quarter" '$1 <= q' "$tmp/sp/gt/gt_mots.txt" >"$tmp/q.txt"
$BIN/mots-extract -q --mots "$tmp/q.txt" --patch 28 >"$tmp/q.det" || die "mots-extract"
$BIN/ae-embed -q -m "$tmp/m.mp" "$tmp/q.det" >"$tmp/qz.det" || die "ae-embed"
$BIN/cgraph-build -q $CG "$tmp/z.det" >"$tmp/z.cg" || die "cgraph-build"
$BIN/cgraph-build -q $CG "$tmp/qz.det" >"$tmp/qz.cg" || die "cgraph-build"
recs=$($BIN/mots-dump --fields k "$tmp/z.det" | grep -c '"k"')

for _ in $(seq "$RUNS"); do
	secs "$BIN/cgraph-build -q '$tmp/z.det' | $BIN/ckmeans -q >/dev/null" >>"$tmp/def"
	secs "$BIN/cgraph-build -q $CG '$tmp/z.det' | $BIN/ckmeans -q $CK >/dev/null" >>"$tmp/pipe"
	secs "$BIN/cgraph-build -q $CG '$tmp/z.det' | $BIN/ckmeans -q $CK $EXT >/dev/null" >>"$tmp/ext"
	secs "$BIN/cgraph-build -q $CG '$tmp/z.det' | $BIN/ckmeans -q $CK $OCC >/dev/null" >>"$tmp/occ"
	secs "$BIN/cgraph-build -q $CG --ml-iou 0.5 '$tmp/z.det' | $BIN/ckmeans -q $CK $REL >/dev/null" >>"$tmp/rel"
	secs "$BIN/cgraph-build -q $CG '$tmp/z.det' >/dev/null" >>"$tmp/cg"
	secs "$BIN/ckmeans -q $CK '$tmp/z.cg' >/dev/null" >>"$tmp/ck"
	secs "$BIN/ckmeans -q --baseline iou '$tmp/z.det' >/dev/null" >>"$tmp/iou"
done
$BIN/ckmeans -q $CK "$tmp/z.cg" >"$tmp/z.ck"
for _ in $(seq "$RUNS"); do
	$py "$here/ref-track.py" --frames "$REF_FRAMES" --compare "$tmp/z.ck" "$tmp/z.cg" >>"$tmp/ref" ||
		die "ref-track.py failed"
done

def=$(median <"$tmp/def"); pipe=$(median <"$tmp/pipe"); ext=$(median <"$tmp/ext"); occ=$(median <"$tmp/occ"); rel=$(median <"$tmp/rel"); cg=$(median <"$tmp/cg"); ck=$(median <"$tmp/ck"); iou=$(median <"$tmp/iou")
ref=$(awk '{ print $10 }' "$tmp/ref" | median)
agree=$(awk 'NR == 1 { print $8 }' "$tmp/ref")
echo "input: Sprites-MOT, $FRAMES frames, $recs records, 28x28 mask patches, $what"
awk -v f="$FRAMES" -v d="$def" -v p="$pipe" -v x="$ext" -v o="$occ" -v l="$rel" -v g="$cg" -v k="$ck" -v i="$iou" -v r="$ref" -v rf="$REF_FRAMES" -v a="$agree" 'BEGIN {
	printf "cgraph-build | ckmeans (the defaults)  %7.3f s  %9.0f frames/s\n", d, f / d
	printf "cgraph-build --paper | ckmeans --paper  %7.3f s  %9.0f frames/s\n", p, f / p
	printf "  with --order nearest --motion-gate  %7.3f s  %9.0f frames/s\n", x, f / x
	printf "  + --centres tracks --occlusion-margin 1 --exit-margin 8  %7.3f s  %9.0f frames/s\n", o, f / o
	printf "  cgraph-build --ml-iou 0.5 | ckmeans ... --relink 16  %7.3f s  %9.0f frames/s\n", l, f / l
	printf "cgraph-build alone      %7.3f s  %9.0f frames/s\n", g, f / g
	printf "ckmeans alone           %7.3f s  %9.0f frames/s\n", k, f / k
	printf "ckmeans --baseline iou  %7.3f s  %9.0f frames/s\n", i, f / i
	printf "reference (Python)      %7.3f s  %9.0f frames/s on %d frames; ckmeans alone is %.0fx faster\n",
		r, rf / r, rf, (f / k) / (rf / r)
	printf "records in the same tracks as the reference: %.4f\n", a
}'
for t in "cgraph-build" "ckmeans"; do
	if [ "$t" = ckmeans ]; then a="$tmp/qz.cg"; b="$tmp/z.cg"; else a="$tmp/qz.det"; b="$tmp/z.det"; fi
	m1=$(rss $BIN/$t -q "$a"); m2=$(rss $BIN/$t -q "$b")
	echo "$t peak memory: $m1 KiB on $quarter frames, $m2 KiB on $FRAMES frames"
done
$BIN/cgraph-build -q "$tmp/qz.det" >"$tmp/qd.cg" && $BIN/cgraph-build -q "$tmp/z.det" >"$tmp/d.cg" || die "cgraph-build"
m1=$(rss $BIN/ckmeans -q "$tmp/qd.cg"); m2=$(rss $BIN/ckmeans -q "$tmp/d.cg")
echo "ckmeans (the defaults) peak memory: $m1 KiB on $quarter frames, $m2 KiB on $FRAMES frames"
m1=$(rss $BIN/ckmeans -q $REL "$tmp/qz.cg"); m2=$(rss $BIN/ckmeans -q $REL "$tmp/z.cg")
echo "ckmeans --relink 16 peak memory: $m1 KiB on $quarter frames, $m2 KiB on $FRAMES frames"
