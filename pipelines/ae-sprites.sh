#!/bin/sh
# ae-sprites: does the DHAE learn, and does its latent space separate
# identities? Trains on a Sprites-MOT training video (mots-synth --train:
# 256x256, 5 objects), embeds a Sprites-MOT test video (128x128, at most 3
# objects), and reports, for the detections whose object is also in the
# previous frame, the share whose nearest neighbour among the previous
# frame's detections (and GAP frames back, GAPS "1 5 10") is the same
# object:
#   z       Euclidean distance between latent features (the trained model)
#   z-init  the same with the untrained network (weights at their init)
#   centre  distance between box centres (a motion-only baseline)
# and the validation loss of the first and the best epoch (curves in
# OUT/curves.csv).
#   EPOCHS (150), FRAMES (2000 training frames), TEST_FRAMES (1000),
#   OUT (a temporary folder), THREADS, DEVICE (auto)
BIN=${BIN:-bin}
EPOCHS=${EPOCHS:-150}
FRAMES=${FRAMES:-2000}
TEST_FRAMES=${TEST_FRAMES:-1000}
DEVICE=${DEVICE:-auto}
if [ -n "$OUT" ]; then
	mkdir -p "$OUT" || exit 1
else
	OUT=$(mktemp -d)
	trap 'rm -rf "$OUT"' EXIT
fi
trap 'exit 1' INT TERM
thr=${THREADS:+--threads $THREADS}

"$BIN/mots-synth" --dataset sprites --train --seed 1 --frames "$FRAMES" -o "$OUT/train" -q &&
	"$BIN/mots-extract" --mots "$OUT/train/gt/gt_mots.txt" --patch 28 -q -o "$OUT/train.det" &&
	"$BIN/mots-synth" --dataset sprites --seed 2 --frames "$TEST_FRAMES" -o "$OUT/test" -q &&
	"$BIN/mots-extract" --mots "$OUT/test/gt/gt_mots.txt" --patch 28 --keep-ids -q -o "$OUT/test.det" ||
	{ echo "ae-sprites: failed to make data" >&2; exit 1; }

"$BIN/ae-train" --device "$DEVICE" $thr --epochs "$EPOCHS" -v --log "$OUT/curves.csv" -o "$OUT/model" \
	"$OUT/train.det" 2>"$OUT/train.log" || { tail -3 "$OUT/train.log"; exit 1; }
"$BIN/ae-train" --device "$DEVICE" $thr --epochs 1 --lr 1e-12 -q -o "$OUT/init.model" "$OUT/train.det" ||
	exit 1

# nearest neighbour GAP frames back: by z, or by box centre
nn_share() {   # STREAM (with z) GAP
	"$BIN/mots-dump" --full --fields f,gt,box,z "$1" | awk -v gap="$2" '
	{ n = split($0, t, /[][,:{}"]+/); d = 0
	  for (i = 2; i <= n; i++) {
	    if (t[i] == "f") { F[NR] = t[++i]; continue }
	    if (t[i] == "gt") { G[NR] = t[++i]; continue }
	    if (t[i] == "box") { X[NR] = t[i + 1] + t[i + 3] / 2; Y[NR] = t[i + 2] + t[i + 4] / 2; i += 4; continue }
	    if (t[i] == "z") { while (i < n && t[i + 1] ~ /^-?[0-9]/) Z[NR, ++d] = t[++i]; continue } }
	  D = d; f = F[NR]
	  if (!(f in lo)) lo[f] = NR
	  hi[f] = NR }
	END {
	  for (r = 1; r <= NR; r++) {
	    p = F[r] - gap
	    if (!(p in lo)) continue
	    here = 0
	    for (j = lo[p]; j <= hi[p]; j++) if (G[j] == G[r]) here = 1
	    if (!here) continue
	    bz = -1; bc = -1
	    for (j = lo[p]; j <= hi[p]; j++) {
	      s = 0; for (k = 1; k <= D; k++) { e = Z[r, k] - Z[j, k]; s += e * e }
	      if (bz < 0 || s < bz) { bz = s; gz = G[j] }
	      c = (X[r] - X[j]) ^ 2 + (Y[r] - Y[j]) ^ 2
	      if (bc < 0 || c < bc) { bc = c; gc = G[j] }
	    }
	    tot++; okz += gz == G[r]; okc += gc == G[r] }
	  if (tot) printf "%d %.4f %.4f\n", tot, okz / tot, okc / tot; else print "0 0 0" }'
}
"$BIN/ae-embed" --device "$DEVICE" -q -m "$OUT/model" "$OUT/test.det" >"$OUT/test.z.det" &&
	"$BIN/ae-embed" --device "$DEVICE" -q -m "$OUT/init.model" "$OUT/test.det" >"$OUT/init.z.det" || exit 1
ntrain=$(sed -n 's/^ae-train: \([0-9]*\) detections.*/\1/p' "$OUT/train.log")
first=$(awk -F, 'NR == 2 { print $5 }' "$OUT/curves.csv")
best=$(awk -F, 'NR > 1 && (b == "" || $5 < b) { b = $5; e = $1 } END { print b " (epoch " e ")" }' "$OUT/curves.csv")
mfirst=$(awk -F, 'NR == 2 { print $6 }' "$OUT/curves.csv")
mbest=$(awk -F, 'NR > 1 && (b == "" || $5 < b) { b = $5; m = $6 } END { print m }' "$OUT/curves.csv")
tail -1 "$OUT/train.log"
echo "ae-sprites: trained on $ntrain detections, $EPOCHS epochs"
echo "ae-sprites: validation loss: epoch 1 $first, best $best; patch MSE $mfirst -> $mbest"
echo "ae-sprites: share of detections whose nearest neighbour GAP frames back is the same object"
printf '%5s %8s %12s %14s %11s\n' gap detections "z trained" "z untrained" "box centre"
for gap in ${GAPS:-1 5 10}; do
	set -- $(nn_share "$OUT/test.z.det" $gap)
	tot=$1 z=$2 centre=$3
	set -- $(nn_share "$OUT/init.z.det" $gap)
	awk -v g=$gap -v n=$tot -v z=$z -v i=$2 -v c=$centre \
		'BEGIN { printf "%5d %8d %11.1f%% %13.1f%% %10.1f%%\n", g, n, 100 * z, 100 * i, 100 * c }'
done
