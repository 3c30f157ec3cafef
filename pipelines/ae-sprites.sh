#!/bin/sh
# ae-sprites: does the DHAE learn, and does its latent space separate
# identities? Trains on a Sprites-MOT training video (mots-synth --train:
# 256x256, 5 objects), embeds a Sprites-MOT test video (128x128, at most 3
# objects), and reports, for the detections whose object is also in the
# previous frame, the share whose nearest neighbour among the previous
# frame's detections is the same object:
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

# nearest neighbour in the previous frame: by z, or by box centre
nn_share() {   # STREAM (with z)
	"$BIN/mots-dump" --full --fields f,gt,box,z "$1" | awk '
	{ n = split($0, t, /[][,:{}"]+/); f = ""; gt = ""; d = 0; nb = 0
	  for (i = 2; i <= n; i++) {
	    if (t[i] == "f") { f = t[++i]; continue }
	    if (t[i] == "gt") { gt = t[++i]; continue }
	    if (t[i] == "box") { bx = t[i + 1] + t[i + 3] / 2; by = t[i + 2] + t[i + 4] / 2; i += 4; continue }
	    if (t[i] == "z") { while (i < n && t[i + 1] ~ /^-?[0-9]/) z[NR, ++d] = t[++i]; continue } }
	  F[NR] = f; G[NR] = gt; X[NR] = bx; Y[NR] = by; D = d
	  if (f != cur) { pf = cur; p0 = c0; p1 = c1; cur = f; c0 = NR }
	  c1 = NR
	  if (pf != f - 1 || p0 == "") next
	  here = 0
	  for (j = p0; j <= p1; j++) if (G[j] == gt) here = 1
	  if (!here) next
	  bz = -1; bc = -1
	  for (j = p0; j <= p1; j++) {
	    s = 0; for (k = 1; k <= D; k++) { e = z[NR, k] - z[j, k]; s += e * e }
	    if (bz < 0 || s < bz) { bz = s; gz = G[j] }
	    c = (X[NR] - X[j]) ^ 2 + (Y[NR] - Y[j]) ^ 2
	    if (bc < 0 || c < bc) { bc = c; gc = G[j] }
	  }
	  tot++; okz += gz == gt; okc += gc == gt }
	END { if (tot) printf "%d %.4f %.4f\n", tot, okz / tot, okc / tot; else print "0 0 0" }'
}
"$BIN/ae-embed" --device "$DEVICE" -q -m "$OUT/model" "$OUT/test.det" >"$OUT/test.z.det" &&
	"$BIN/ae-embed" --device "$DEVICE" -q -m "$OUT/init.model" "$OUT/test.det" >"$OUT/init.z.det" || exit 1
set -- $(nn_share "$OUT/test.z.det")
tot=$1 z=$2 centre=$3
set -- $(nn_share "$OUT/init.z.det")
zinit=$2

ntrain=$(sed -n 's/^ae-train: \([0-9]*\) detections.*/\1/p' "$OUT/train.log")
first=$(awk -F, 'NR == 2 { print $5 }' "$OUT/curves.csv")
best=$(awk -F, 'NR > 1 && (b == "" || $5 < b) { b = $5; e = $1 } END { print b " (epoch " e ")" }' "$OUT/curves.csv")
mfirst=$(awk -F, 'NR == 2 { print $6 }' "$OUT/curves.csv")
mbest=$(awk -F, 'NR > 1 && (b == "" || $5 < b) { b = $5; m = $6 } END { print m }' "$OUT/curves.csv")
tail -1 "$OUT/train.log"
echo "ae-sprites: trained on $ntrain detections, $EPOCHS epochs"
echo "ae-sprites: validation loss: epoch 1 $first, best $best; patch MSE $mfirst -> $mbest"
printf 'ae-sprites: same object as the nearest in the previous frame, over %d detections:\n' "$tot"
printf '  z (trained) %.1f%%   z (untrained) %.1f%%   box centre %.1f%%\n' \
	"$(awk -v v="$z" 'BEGIN { print 100 * v }')" "$(awk -v v="$zinit" 'BEGIN { print 100 * v }')" \
	"$(awk -v v="$centre" 'BEGIN { print 100 * v }')"
