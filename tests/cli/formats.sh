#!/bin/sh
# COCO JSON and MOTChallenge box inputs and outputs: mots-extract --coco /
# --mot, mots-write --coco, box-only tracking end to end, the synthetic
# gt.txt against TrackEval's MOTChallenge rules, and the byte-for-byte COCO
# round trip of a real KITTI MOTS file in ../shared.
. tests/cli/lib.sh
X=$BIN/mots-extract W=$BIN/mots-write D=$BIN/mots-dump
absent() { ! ls "$1" "$1".tmp.* >/dev/null 2>&1; }
# said TEXT: the last failing command's stderr holds TEXT.
said() { cp "$T/.err" "$T/said"; check "... says: $1" grep -qF -- "$1" "$T/said"; }

# The 4x6 sequence of foundation.sh: ids class*1000+n, one ignore region.
cat >"$T/seq.txt" <<'EOF2'
0 1001 1 4 6 56=
0 1002 1 4 6 ;3:
1 1001 1 4 6 03e0
1 2001 2 4 6 86:
2 1001 1 4 6 03e0
2 10000 10 4 6 ;3:
EOF2
F="f,k,cls,box,rle,gt"
check "MOTS txt -> --coco -> --coco: same records" sh -c "$X --mots $T/seq.txt --keep-ids >$T/a.det &&
	$W --coco $T/a.json $T/a.det && $X --coco $T/a.json --keep-ids >$T/b.det &&
	$D --fields $F $T/a.det >$T/a.dump && $D --fields $F $T/b.det >$T/b.dump && cmp $T/a.dump $T/b.dump &&
	$W --mots $T/rt.txt $T/b.det && cmp $T/seq.txt $T/rt.txt"
check "--coco writes one object per record" sh -c "head -2 $T/a.json | tail -1 | grep -qxF '{\"image_id\":0,\"category_id\":1,\"score\":1,\"bbox\":[1,0,2,4],\"segmentation\":{\"size\":[4,6],\"counts\":\"56=\"},\"track_id\":1001},' && [ \$(wc -l <$T/a.json) = 8 ] && tail -1 $T/a.json | grep -qx ']'"
check "--coco-frame-offset on both sides" sh -c "$W --coco $T/o.json --coco-frame-offset 1 $T/a.det && grep -q '\"image_id\":3,' $T/o.json &&
	$X --coco $T/o.json --coco-frame-offset 1 --keep-ids | $D --fields $F >$T/o.dump && cmp $T/a.dump $T/o.dump"
check "--coco-classes maps categories and drops the others" sh -c "$X --coco $T/a.json --coco-classes 1:7 | $D --fields cls | sort -u | tr -d '\n' | grep -qx '{\"cls\":7}'"
check "--min-score applies to COCO scores" sh -c "sed 's/\"score\":1,/\"score\":0.25,/' $T/a.json >$T/s.json && $X --coco $T/s.json --min-score 0.5 | $D --check | grep -q 'no records'"

# A full COCO file: frames from file names, polygons, an uncompressed RLE,
# a box-only object, a crowd region (class 10, kept only with --keep-ids).
cat >"$T/full.json" <<'EOF2'
{"images": [{"id": 21, "file_name": "img1/000002.png", "height": 5, "width": 6},
            {"id": 20, "file_name": "img1/000001.png", "height": 5, "width": 6}],
 "annotations": [
  {"id": 1, "image_id": 21, "category_id": 1, "iscrowd": 0, "segmentation": [[1, 1, 4, 1, 4, 3, 1, 3]], "bbox": [1, 1, 3, 2]},
  {"id": 2, "image_id": 20, "category_id": 1, "iscrowd": 0, "segmentation": {"size": [5, 6], "counts": [6, 2, 3, 2, 3, 2, 12]}},
  {"id": 3, "image_id": 20, "category_id": 3, "iscrowd": 0, "bbox": [0.5, 1, 2, 2.5]},
  {"id": 4, "image_id": 21, "category_id": 1, "iscrowd": 1, "segmentation": {"size": [5, 6], "counts": "0n0"}}],
 "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}]}
EOF2
check "full COCO file: frames, polygons, runs, boxes" sh -c "$X --coco $T/full.json | $D --fields f,cls,box,rle | tr -d '\n' >$T/full.out &&
	grep -qxF '{\"f\":1,\"cls\":1,\"box\":[1,1,3,2],\"rle\":\"6230009\"}{\"f\":1,\"cls\":3,\"box\":[0.5,1,2,2.5]}{\"f\":2,\"cls\":1,\"box\":[1,1,3,2],\"rle\":\"6230009\"}' $T/full.out"
fails "--keep-ids needs track_id" $X --coco "$T/full.json" --keep-ids
check "crowd regions are class 10" sh -c "printf '[{\"image_id\":0,\"category_id\":1,\"iscrowd\":1,\"bbox\":[0,0,1,1],\"track_id\":5}]' >$T/crowd.json && $X --coco $T/crowd.json --keep-ids | $D --fields cls | grep -qx '{\"cls\":10}'"

# Bad input: one message naming the file and the place, exit 1, no output.
printf '[{"image_id": 0, "category_id": 1,\n  "bbox": [0, 0, 1, NaN]}]\n' >"$T/nan.json"
fails "NaN in COCO JSON" $X --coco "$T/nan.json" -o "$T/nan.det"
said "mots-extract: $T/nan.json: line 2, column 21 (byte 55): NaN and Infinity are not JSON numbers"
check "... leaves no output" absent "$T/nan.det"
printf '[{"image_id": 0, "category_id": 1, "segmentation": {"size": [4, 6], "counts": "56"}}]' >"$T/sum.json"
fails "RLE runs that do not fill the image" $X --coco "$T/sum.json"
said "sum.json: annotation 1 (line 1): segmentation: RLE runs sum to 11, not 4x6 = 24"
printf '[{"image_id": 0, "category_id": 1, "segmentation": [[0, 0, 4, 0, 4, 4]]}]' >"$T/poly.json"
fails "polygons without an image size" $X --coco "$T/poly.json"
nest=$(printf '%0100d' 0 | tr 0 '['); printf '%s' "$nest" >"$T/deep.json"
fails "nesting too deep" $X --coco "$T/deep.json"
fails "--coco and --mots together" sh -c "$X --coco $T/a.json --mots $T/seq.txt; [ \$? = 2 ] && exit 1"
fails "--patch with --mot" sh -c "$X --mot $T/seq.txt --patch 8; [ \$? = 2 ] && exit 1"

# MOTChallenge boxes: gt.txt -> stream -> --mot gives the same boxes.
if [ -x "$BIN/mots-synth" ]; then
	"$BIN/mots-synth" --dataset sprites -o "$T/sp" --frames 200 --seed 5 -q
	boxes() { awk -F, '{ printf "%d,%d,%g,%g,%g,%g\n", $1, $2, $3, $4, $5, $6 }' "$1" | sort; }
	check "gt.txt -> --mot -> --mot: same boxes" sh -c "$X --mot $T/sp/gt/gt.txt --keep-ids | $W --mot $T/sp.txt &&
		[ \$(wc -l <$T/sp.txt) = \$(wc -l <$T/sp/gt/gt.txt) ]" &&
	boxes "$T/sp/gt/gt.txt" >"$T/gt.boxes" && boxes "$T/sp.txt" >"$T/sp.boxes"
	check "... boxes, frames and ids identical" cmp "$T/gt.boxes" "$T/sp.boxes"
	check "--mot: header size from seqinfo.ini, records box-only" sh -c "$X --mot $T/sp/gt/gt.txt | $D --head 2 | tr -d '\n' | grep -q '\"width\":128,\"height\":128.*\"cls\":1,\"score\":1,\"box\":\\[' && ! $X --mot $T/sp/gt/gt.txt | $D | grep -q rle"
	check "--size overrides" sh -c "$X --mot $T/sp/gt/gt.txt --size 320x240 | $D --head 1 | grep -q '\"width\":320,\"height\":240'"
	check "frames come out in order though gt.txt is by id" sh -c "$X --mot $T/sp/gt/gt.txt | $D --check >/dev/null"
	if [ -x "$BIN/ae-train" ] && [ -x "$BIN/ckmeans" ] && [ -x "$BIN/mots-eval" ]; then
		track() {
			$X --mot "$T/sp/gt/gt.txt" -q >"$T/box.det" &&
			"$BIN/ae-train" -q --inputs box --batch 64 --epochs 3 --latent 16 --threads 2 -o "$T/box.mp" "$T/box.det" &&
			"$BIN/ae-embed" -q -m "$T/box.mp" <"$T/box.det" | "$BIN/cgraph-build" -q | "$BIN/ckmeans" -q |
				$W --mot "$T/track.txt" &&
			"$BIN/mots-eval" --boxes --json --gt "$T/sp/gt/gt.txt" "$T/track.txt" | tr -d ' \n' >"$T/track.json" &&
			grep -q '"MOTA":\(1,\|0\.9\)' "$T/track.json"
		}
		check "box-only tracking: mots-extract --mot | ae-embed | cgraph-build | ckmeans | mots-write --mot" track
		check "box-only records through --coco: bbox, no segmentation" sh -c "$X --mot $T/sp/gt/gt.txt --keep-ids | $W --coco $T/sp.json && ! grep -q segmentation $T/sp.json && $X --coco $T/sp.json --keep-ids | $W --mot $T/sp2.txt && awk -F, '{ printf \"%d,%d,%g,%g,%g,%g\\n\", \$1, \$2, \$3, \$4, \$5, \$6 }' $T/sp2.txt | sort | cmp - $T/gt.boxes"
	fi
	if command -v python3 >/dev/null 2>&1; then
		check "synthetic gt.txt passes TrackEval's MOTChallenge gt rules" python3 tests/reference/trackeval_gt_check.py "$T/sp"
		mkdir -p "$T/old/gt" && cp "$T/sp/seqinfo.ini" "$T/old/" &&
			cut -d, -f1-6 "$T/sp/gt/gt.txt" | sed 's/$/,1,-1,-1,-1/' >"$T/old/gt/gt.txt"
		check "... and the checker refuses class -1" sh -c "! python3 tests/reference/trackeval_gt_check.py $T/old 2>&1 | grep -q ok"
	else
		skip "synthetic gt.txt passes TrackEval's MOTChallenge gt rules" "no python3"
	fi
else
	skip "MOT boxes" "no mots-synth"
fi

# Real data: a KITTI MOTS result file through COCO and back, byte for byte.
real=$SHARED/data/kitti-mots-pointtrack/car/0000.txt
if [ -f "$real" ]; then
	rt() {
		$X --mots "$real" --keep-ids -q >"$T/r.det" && $W --coco "$T/r.json" -q "$T/r.det" &&
		$X --coco "$T/r.json" --keep-ids -q >"$T/r2.det" &&
		$D --fields $F "$T/r.det" >"$T/r.dump" && $D --fields $F "$T/r2.det" >"$T/r2.dump" &&
		cmp "$T/r.dump" "$T/r2.dump" && [ "$(wc -l <"$T/r.dump")" = "$(wc -l <"$real")" ] &&
		$W --mots "$T/r.txt" "$T/r2.det" && cmp "$real" "$T/r.txt"
	}
	check "KITTI MOTS 0000.txt -> COCO -> stream: same records, same bytes" rt
else
	skip "KITTI MOTS COCO round trip" "no $real"
fi

# MOT boxes with decimals come back as written (float32 in the stream, printed as floats).
printf '1,1,10.5,20.25,30.1,40,0.9,1,1\n2,1,11.7,21,30,40,0.333,1,1\n' >"$T/dec.txt"
check "mots-write --mot: decimal boxes and scores print as written" sh -c "
	$BIN/mots-extract -q --keep-ids --mot '$T/dec.txt' --size 640x480 | $BIN/mots-write --mot '$T/dec.mot' &&
	printf '1,1,10.5,20.25,30.1,40,0.9,-1,-1,-1\n2,1,11.7,21,30,40,0.333,-1,-1,-1\n' | cmp - '$T/dec.mot'"
