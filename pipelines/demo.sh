#!/bin/sh
# make demo: the whole job on a small embedded default, in a few minutes on
# two cores. Generates a Sprites-MOT training video and a test video, trains
# a small autoencoder on the unlabelled detections (box and masked colour
# patch: the paper's loc+app input), tracks the test video with the bare
# default pipeline (embedding, constraint graph, constrained k-means: no
# tuning option), writes MOTS txt, MOT boxes and overlay frames, and scores
# the tracks against the ground truth beside the paper's settings
# (--paper, with the released synthetic code's constants) and the greedy
# IoU baseline, with TrackEval's summary and detailed files in
# OUT/eval/, and draws PNG charts (pipelines/plots.sh: loss curves, HOTA
# over alpha, HOTA and IDF1 per sequence) when gnuplot is there (installed
# as Debian's gnuplot-nox when running as root; else the plots are skipped).
#   OUT=dir       where everything goes (default out/demo)
#   EPOCHS=N      training epochs (default 40)
#   FRAMES=N      test video length (default 1000)
set -e
BIN=${BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin}
OUT=${OUT:-out/demo}
EPOCHS=${EPOCHS:-40}
FRAMES=${FRAMES:-1000}
mkdir -p "$OUT"
say() { printf '\n== %s\n' "$*" >&2; }

say "1/5 generate: Sprites-MOT training video (256x256, 5 objects) and a $FRAMES-frame test video"
"$BIN/mots-synth" --dataset sprites --train --frames 2000 --seed 1001 -o "$OUT/train"
"$BIN/mots-synth" --dataset sprites --frames "$FRAMES" --seed 1 -o "$OUT/test"

say "2/5 train: the autoencoder on the training detections, no labels ($EPOCHS epochs)"
"$BIN/mots-extract" -q --mots "$OUT/train/gt/gt_mots.txt" --patch 28 --images "$OUT/train/img1" \
	-o "$OUT/train.det"
"$BIN/ae-train" --arch synth --filters 16,32,32 --epochs "$EPOCHS" --batch 256 \
	--seed 1 --log "$OUT/train.csv" -o "$OUT/model.mp" "$OUT/train.det"

say "3/5 track: extract | embed | constraint graph | constrained k-means | write (the defaults)"
"$BIN/mots-extract" -q --mots "$OUT/test/gt/gt_mots.txt" --keep-ids --patch 28 \
	--images "$OUT/test/img1" | "$BIN/ae-embed" -q -m "$OUT/model.mp" -o "$OUT/test.z"
"$BIN/cgraph-build" -q -o "$OUT/test.cg" "$OUT/test.z"
"$BIN/ckmeans" -q "$OUT/test.cg" \
	| tee "$OUT/tracks.det" \
	| "$BIN/mots-write" -q --first 1 --mots "$OUT/tracks.txt" --mot "$OUT/tracks_mot.txt" \
		--overlay "$OUT/overlay" --images "$OUT/test/img1"
# the paper's settings with the released synthetic code's constants
"$BIN/cgraph-build" -q --paper --metric embed --alpha-t 2 --embed-thr 1.0 "$OUT/test.z" \
	| "$BIN/ckmeans" -q --paper --vote all --min-cluster-score 0 \
	| "$BIN/mots-write" -q --first 1 --mot "$OUT/paper_mot.txt"
"$BIN/ckmeans" -q --baseline iou --match-iou 0.01 --max-age 1 "$OUT/test.z" \
	| "$BIN/mots-write" -q --first 1 --mot "$OUT/iou_mot.txt"

say "4/5 score: boxes against the tight ground-truth boxes (py-motmetrics rules)"
echo "usc-mots, the defaults (cgraph-build | ckmeans, no option):"
mkdir -p "$OUT/eval"
"$BIN/mots-eval" --boxes --csv "$OUT/eval/boxes" --gt "$OUT/test/gt/gt_tight.txt" "$OUT/tracks_mot.txt"
echo
echo "the paper's settings (cgraph-build --paper --metric embed --alpha-t 2 --embed-thr 1.0 | ckmeans --paper --vote all --min-cluster-score 0):"
"$BIN/mots-eval" --boxes --gt "$OUT/test/gt/gt_tight.txt" "$OUT/paper_mot.txt"
echo
echo "greedy mask-IoU baseline on the same detections (--match-iou 0.01 --max-age 1):"
"$BIN/mots-eval" --boxes --gt "$OUT/test/gt/gt_tight.txt" "$OUT/iou_mot.txt"
echo
echo "masks (mots_tools and TrackEval rules):"
"$BIN/mots-eval" --csv "$OUT/eval/masks" --gt "$OUT/test/gt/gt_mots.txt" --class 2 "$OUT/tracks.txt"

say "plots: $OUT/*.png"
if ! command -v gnuplot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "demo: installing gnuplot-nox for the plots" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null ||
		echo "demo: gnuplot-nox could not be installed" >&2
fi
sh "$(dirname "$0")/plots.sh" "$OUT" "$OUT/train.csv" "$OUT/eval/boxes/pedestrian_detailed.csv" \
	"$OUT/eval/masks/pedestrian_detailed.csv"

say "5/5 look: $OUT/overlay/*.png (tracks tinted by id), $OUT/tracks.txt (MOTS txt), $OUT/train.csv (loss curves), $OUT/*.png (charts), $OUT/eval/ (TrackEval files)"
