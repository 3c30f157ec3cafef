#!/bin/sh
# pipelines/calib-demo.sh: after `make demo` (pipelines/demo.sh, same OUT),
# the latent-distance threshold chosen without labels against the demo's
# hand-chosen one and the greedy IoU tracker, on the demo's test video.
# Thresholds: the model's (ae-train's calibration on the training video,
# passed on by ae-embed: cgraph-build's default), measured on the test
# stream's first 100 frames (rules mnn99 and crossing), the model's
# crossing, the demo's EMBED_THR, and none (infinite). Tracking: the demo's
# ckmeans options and the paper's. Boxes against gt_tight.txt
# (py-motmetrics rules): IDF1 MOTA IDS FN.
#   OUT=dir (default out/demo)  BIN=dir  EMBED_THR=x (default 0.8)
set -e
BIN=${BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin}
OUT=${OUT:-out/demo}
EMBED_THR=${EMBED_THR:-0.8}
[ -s "$OUT/test.z" ] || { echo "calib-demo: $OUT/test.z missing: run pipelines/demo.sh first" >&2; exit 1; }
# re-embed with the model, so the header carries its threshold
"$BIN/ae-embed" -q -m "$OUT/model.mp" -o "$OUT/calib.z" "$OUT/test.z"
calib=$("$BIN/mots-dump" "$OUT/model.mp" | grep -o '"calib":{[^}]*}' || true)
echo "model calibration: ${calib:-none}"
mcross=$(echo "$calib" | sed -n 's/.*"crossing":\([0-9.e+-]*\).*/\1/p')
score() {   # NAME MOTFILE
	"$BIN/mots-eval" --boxes --gt "$OUT/test/gt/gt_tight.txt" "$2" |
		awk -v n="$1" '$1 == "COMBINED" { printf "%-62s %6s %6s %4s %4s\n", n, $2, $5, $16, $15 }'
}
printf "%-62s %6s %6s %4s %4s\n" "threshold / tracker" IDF1 MOTA IDS FN
for thr in auto stream stream-crossing model-crossing given none; do
	case $thr in
	auto) cg="--embed-thr auto" t=$("$BIN/cgraph-build" -v -q --metric embed --alpha-t 2 "$OUT/calib.z" 2>&1 >/dev/null | sed -n 's/.*embed-thr \([0-9.e+-]*\).*/\1/p');;
	stream) cg="--embed-thr stream" t=$("$BIN/cgraph-build" -v -q --embed-thr stream --alpha-t 2 "$OUT/calib.z" 2>&1 >/dev/null | sed -n 's/.*embed-thr \([0-9.e+-]*\).*/\1/p');;
	stream-crossing) cg="--embed-thr stream --calib-rule crossing" t=$("$BIN/cgraph-build" -v -q --embed-thr stream --calib-rule crossing --alpha-t 2 "$OUT/calib.z" 2>&1 >/dev/null | sed -n 's/.*embed-thr \([0-9.e+-]*\).*/\1/p');;
	model-crossing) [ -n "$mcross" ] && [ "$mcross" != 0 ] || continue; t=$(printf %.4g "$mcross"); cg="--embed-thr $mcross";;
	given) cg="--embed-thr $EMBED_THR" t=$EMBED_THR;;
	none) cg="--embed-thr 1e30" t=inf;;
	esac
	"$BIN/cgraph-build" -q --paper --metric embed --alpha-t 2 $cg -o "$OUT/calib.cg" "$OUT/calib.z"
	"$BIN/ckmeans" -q --paper --vote all --min-cluster-score 0 --order nearest \
		--motion-gate --motion-iou 0.1 --exit-margin 8 --centres tracks --occlusion-margin 1 "$OUT/calib.cg" |
		"$BIN/mots-write" -q --first 1 --mot "$OUT/calib_mot.txt"
	score "$thr ($t), demo ckmeans options" "$OUT/calib_mot.txt"
	"$BIN/ckmeans" -q --paper --vote all --min-cluster-score 0 "$OUT/calib.cg" |
		"$BIN/mots-write" -q --mot "$OUT/calib_mot.txt"
	score "$thr ($t), paper ckmeans settings" "$OUT/calib_mot.txt"
done
for m in "0.3 1" "0.01 1" "0.01 3"; do
	set -- $m
	"$BIN/ckmeans" -q --baseline iou --match-iou $1 --max-age $2 "$OUT/test.z" |
		"$BIN/mots-write" -q --mot "$OUT/calib_mot.txt"
	score "IoU baseline --match-iou $1 --max-age $2" "$OUT/calib_mot.txt"
done
