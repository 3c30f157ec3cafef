#!/bin/sh
# mots-eval: real files scored against themselves, small hand-made files
# with known answers, the JSON output and the errors.
. tests/cli/lib.sh
E=$BIN/mots-eval
D=$SHARED/data

# The COMBINED rows of a mask table are perfect: every percentage 100.00,
# FP = FN = IDS = 0, every track mostly tracked, no fragment, and TP the
# number of objects ($2).
perfect_masks() {   # TABLE NOBJ
	awk -v n="$2" '
	/mots_tools/ { m = 1; t = 0 } /TrackEval/ { t = 1; m = 0 }
	$1 == "COMBINED" && m {
		for (i = 2; i <= 7; i++) if ($i != "100.00") bad = 1
		if ($8 != n || $9 != 0 || $10 != 0 || $11 != 0 || $13 != 0 || $14 != 0 || $15 != 0) bad = 1
		rows++
	}
	$1 == "COMBINED" && t { for (i = 2; i <= 12; i++) if ($i != "100.00") bad = 1; rows++ }
	END { exit bad || rows != 2 }' "$1"
}

self_score() {   # FILE NOBJ
	"$E" --gt "$1" "$1" >"$T/self" && perfect_masks "$T/self" "$2"
}

folder_score() {   # SEQMAP FOLDER NOBJ
	"$E" --seqmap "$1" --gt "$2" "$2" >"$T/fold" 2>"$T/fold.err" && perfect_masks "$T/fold" "$3" &&
		! [ -s "$T/fold.err" ]
}

# A folder of some sequences' results scores those alone: its COMBINED
# rows equal those of the same results against a ground truth holding
# only those sequences, and stderr names them.
subset_score() {   # GTFOLDER
	mkdir -p "$T/sub" "$T/subgt" && cp "$1/0002.txt" "$1/0005.txt" "$T/subgt/" &&
		cp "$1/0002.txt" "$T/sub/" && awk 'NR % 7 != 3' "$1/0005.txt" >"$T/sub/0005.txt" &&
		"$E" --gt "$1" "$T/sub" >"$T/sub.all" 2>"$T/sub.err" &&
		"$E" --gt "$T/subgt" "$T/sub" >"$T/sub.two" 2>"$T/sub.err2" &&
		cmp -s "$T/sub.all" "$T/sub.two" && grep -q COMBINED "$T/sub.all" &&
		! awk '$1 == "COMBINED" && $2 == "100.00" { f = 1 } END { exit !f }' "$T/sub.all" &&
		grep -qx "mots-eval: scored 2 of $(ls "$1" | wc -l) ground-truth sequences: 0002 0005" "$T/sub.err" &&
		! [ -s "$T/sub.err2" ] &&
		"$E" -q --gt "$1" "$T/sub" 2>&1 >/dev/null | awk 'END { exit NR != 0 }'
}

# One result on stdin against a folder: its sequence must be named.
stdin_score() {   # GTFOLDER
	! "$E" --gt "$1" - <"$1/0002.txt" >/dev/null 2>"$T/in.err" &&
		[ "$(wc -l <"$T/in.err")" = 1 ] && grep -q "^mots-eval: -: .*--seq NAME" "$T/in.err" &&
		"$E" -q --seq 0002 --gt "$1" - <"$1/0002.txt" >"$T/in.txt" 2>"$T/in.err" &&
		perfect_masks "$T/in.txt" "$(wc -l <"$1/0002.txt")" && ! [ -s "$T/in.err" ]
}

# With a seqmap a missing result is an error naming the file, unless
# --missing-empty scores it as empty.
seqmap_missing() {   # SEQMAP GTFOLDER
	mkdir -p "$T/part" && cp "$2/0000.txt" "$T/part/" &&
		! "$E" --seqmap "$1" --gt "$2" "$T/part" >/dev/null 2>"$T/part.err" &&
		[ "$(wc -l <"$T/part.err")" = 1 ] &&
		grep -q "^mots-eval: $T/part/0001.txt: no result for sequence 0001" "$T/part.err" &&
		"$E" --json --missing-empty --seqmap "$1" --gt "$2" "$T/part" >"$T/part.json" 2>"$T/part.err" &&
		grep -q "no result for sequence 0001: scored as empty" "$T/part.err" &&
		tr -d " \n" <"$T/part.json" | grep -q '"name":"0001","mots_tools":{"sMOTSA":0,'
}

# --csv: TrackEval's files, perfect for a perfect result.
csv_perfect() {   # GTFOLDER
	"$E" -q --csv "$T/csv" --gt "$1" "$1" >/dev/null &&
		awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; n = NF; sub(/\r$/, "") }
		     NR == 2 { sub(/\r$/, ""); ok = NF == n && $c["HOTA"] == 100 && $c["IDF1"] == 100 &&
			       $c["MOTA"] == 100 && $c["CLR_FP"] == 0 && $c["GT_Dets"] == $c["Dets"] }
		     END { exit !(ok && NR == 2 && n == 39) }' "$T/csv/car_summary.txt" &&
		awk -F, 'NR == 1 { n = NF; for (i = 1; i <= NF; i++) c[$i] = i; next }
			 NF != n { bad = 1 }
			 { sub(/\r$/, "") } $1 == "COMBINED" { comb = $c["HOTA___5"] == 1 && $c["HOTA___95"] == 1 &&
			 $c["HOTA___AUC"] == 1 && $c["AssA___50"] == 1 }
			 END { exit bad || !comb || NR != 16 || n != 276 }' "$T/csv/car_detailed.csv" &&
		head -1 "$T/csv/car_detailed.csv" | grep -q '^seq,HOTA(0),LocA(0),HOTALocA(0),HOTA___5,HOTA___10,' &&
		! ls "$T/csv" | grep -q tmp
}

# Every real file scored against itself (files with no object have
# nothing to score).
if [ -d "$D/kitti-mots-pointtrack" ]; then
	for f in "$D"/kitti-mots-pointtrack/*/*.txt "$D"/gmphd-maf/*.txt; do
		n=$(wc -l <"$f")
		[ "$n" = 0 ] && continue
		check "self-score is 100%: ${f#"$D"/}" self_score "$f" "$n"
	done
	# Whole folders, paired by name, with the official seqmap's frame ranges.
	head -14 "$D/seqmaps/test.seqmap" >"$T/test14.seqmap"
	n=$(cat "$D"/kitti-mots-pointtrack/car/*.txt | wc -l)
	check "self-score of the car folder with a seqmap is 100%" folder_score "$T/test14.seqmap" \
		"$D/kitti-mots-pointtrack/car" "$n"
	check "a subset folder's COMBINED is that of its sequences alone" subset_score \
		"$D/kitti-mots-pointtrack/car"
	check "one result on stdin against several sequences needs --seq" stdin_score \
		"$D/kitti-mots-pointtrack/car"
	check "a seqmap's sequence without a result is an error, or empty with --missing-empty" \
		seqmap_missing "$T/test14.seqmap" "$D/kitti-mots-pointtrack/car"
	check "--csv writes TrackEval's summary and detailed files, 100 for a perfect result" \
		csv_perfect "$D/kitti-mots-pointtrack/car"
else
	skip "self-score of the real files" "$D not found"
fi

# Hand-made 1x8 images: counts [start, length, rest] are single characters.
printf '0 2001 2 1 8 026\n0 10000 10 1 8 44\n' >"$T/ign_gt.txt"
printf '0 1 2 1 8 026\n0 2 2 1 8 521\n0 3 2 1 8 314\n' >"$T/ign_res.txt"
check "a result mask inside an ignore region is not a false positive" sh -c '
	"$1" --json --gt "$2/ign_gt.txt" "$2/ign_res.txt" >"$2/ign.json" &&
	tr -d " \n" <"$2/ign.json" >"$2/ign.flat" &&
	grep -q "\"TP\":1,\"FP\":1,\"FN\":0" "$2/ign.flat" && grep -q "\"ignored\":1" "$2/ign.flat" &&
	grep -q "\"CLR_FP\":1" "$2/ign.flat" && grep -q "\"removed\":1" "$2/ign.flat"' _ "$E" "$T"

printf '0 2001 2 1 8 044\n' >"$T/half_gt.txt"
printf '0 7 2 1 8 026\n' >"$T/half_res.txt"
check "IoU of exactly 0.5: no match for mots_tools, a match for TrackEval" sh -c '
	"$1" --json --gt "$2/half_gt.txt" "$2/half_res.txt" | tr -d " \n" >"$2/half.flat" &&
	grep -q "\"TP\":0,\"FP\":1,\"FN\":1" "$2/half.flat" && grep -q "\"CLR_TP\":1" "$2/half.flat" &&
	grep -q "\"IDF1\":1," "$2/half.flat"' _ "$E" "$T"

# The same object tracked as 5, lost, then as 6: one switch across the gap.
printf '0 2001 2 1 8 026\n1 2001 2 1 8 026\n2 2001 2 1 8 026\n3 2001 2 1 8 026\n' >"$T/sw_gt.txt"
printf '0 5 2 1 8 026\n1 5 2 1 8 026\n3 6 2 1 8 026\n' >"$T/sw_res.txt"
check "an id switch across a gap is counted" sh -c '
	"$1" --gt "$2/sw_gt.txt" "$2/sw_res.txt" >"$2/sw.txt" &&
	awk "/mots_tools/ { m = 1 } /TrackEval/ { m = 0 }
	     m && \$1 == \"COMBINED\" { ok = \$3 == \"50.00\" && \$8 == 3 && \$10 == 1 && \$11 == 1 }
	     END { exit !ok }" "$2/sw.txt"' _ "$E" "$T"

if command -v python3 >/dev/null 2>&1; then
	check "--json is valid JSON" sh -c '"$1" --json --gt "$2/sw_gt.txt" "$2/sw_res.txt" |
		python3 -c "import json, sys; d = json.load(sys.stdin); assert d[\"mode\"] == \"mots\""' _ "$E" "$T"
else
	skip "--json is valid JSON" "no python3"
fi

# Boxes: identical files are perfect; ground truth with confidence 0 is
# not loaded (py-motmetrics' min_confidence=1); IoU 0.5 matches.
mkdir -p "$T/SEQ/gt"
printf '1,1,10,10,20,10,1,-1,-1,-1\n2,1,12,10,20,10,1,-1,-1,-1\n2,3,40,10,5,5,1,-1,-1,-1\n' >"$T/SEQ/gt/gt.txt"
printf '1,1,10,10,20,10,1,-1,-1,-1\n1,2,50,50,5,5,0,-1,-1,-1\n2,1,12,10,20,10,1,-1,-1,-1\n' >"$T/conf0.txt"
printf '1,4,10,10,20,10,-1,-1,-1,-1\n2,4,12,10,10,10,-1,-1,-1,-1\n' >"$T/box_res.txt"
box_self() {
	"$E" --boxes --gt "$T/SEQ/gt/gt.txt" "$T/SEQ/gt/gt.txt" >"$T/b.txt" &&
		awk '/py-motmetrics/ { m = 1 } /TrackEval/ { m = 0; t = 1 }
		     m && $1 == "SEQ" { ok = $2 == "100.00" && $5 == "100.00" && $6 == "100.00" && $10 == 2 &&
			$14 == 0 && $15 == 0 && $16 == 0 }
		     t && $1 == "COMBINED" { for (i = 2; i <= 12; i++) if ($i != "100.00") bad = 1; te = 1 }
		     END { exit !ok || bad || !te }' "$T/b.txt"
}
# HOTA of boxes: one object tracked as 5 then as 6 (AssA 1/2), and a
# result on a distractor (class 8) removed, as MotChallenge2DBox does.
box_hota() {
	printf '1,1,0,0,10,10,1,1,1\n2,1,0,0,10,10,1,1,1\n2,2,50,0,10,10,1,8,1\n' >"$T/bh_gt.txt" &&
		printf '1,5,0,0,10,10,1,-1,-1,-1\n2,6,0,0,10,10,1,-1,-1,-1\n2,9,50,0,10,10,1,-1,-1,-1\n' >"$T/bh_res.txt" &&
		"$E" --boxes --json --gt "$T/bh_gt.txt" "$T/bh_res.txt" | tr -d " \n" >"$T/bh.flat" &&
		grep -q '"trackeval":{"HOTA":0.70710678118654[0-9]*,"DetA":1,"AssA":0.5,' "$T/bh.flat" &&
		grep -q '"removed":1,' "$T/bh.flat"
}
box_half() {
	"$E" --boxes --json --gt "$T/conf0.txt" "$T/box_res.txt" | tr -d " \n" >"$T/b.flat" &&
		grep -q '"FP":0,"FN":0,"IDS":0' "$T/b.flat" && grep -q '"MOTP":0.75,' "$T/b.flat"
}
synth_self() {
	"$BIN/mots-synth" --dataset sprites -o "$T/sp" --frames 120 --seed 5 -q &&
		"$E" --boxes --json --gt "$T/sp/gt/gt.txt" "$T/sp/gt/gt.txt" | tr -d " \n" >"$T/sp.flat" &&
		grep -q '"IDF1":1,"IDP":1,"IDR":1,"MOTA":1,"MOTP":1,' "$T/sp.flat" &&
		"$E" --gt "$T/sp/gt/gt_mots.txt" "$T/sp/gt/gt_mots.txt" >"$T/spm" &&
		perfect_masks "$T/spm" "$(wc -l <"$T/sp/gt/gt_mots.txt")"
}
check "boxes: a file against itself is perfect, HOTA included" box_self
check "boxes: HOTA with an id change and a distractor" box_hota
check "boxes: IoU 0.5 matches, confidence-0 ground truth is dropped" box_half
if [ -x "$BIN/mots-synth" ]; then
	check "boxes and masks of a synthetic sequence against themselves are perfect" synth_self
else
	skip "synthetic sequence against itself" "no mots-synth"
fi

# Errors.
printf '0 1 2 1 8 035\n0 2 2 1 8 224\n' >"$T/overlap.txt"
fails "overlapping masks are refused" "$E" --gt "$T/overlap.txt" "$T/overlap.txt"
check "the overlap message names the file and line" sh -c '
	"$1" --gt "$2" "$2" 2>&1 | grep -q "^mots-eval: $2:2: mask of id 2 overlaps id 1 in frame 0"' _ "$E" "$T/overlap.txt"
printf '0 1 2 1 8 026\n0 1 2 1 8 224\n' >"$T/dup.txt"
fails "an id twice in a frame is refused" "$E" --gt "$T/dup.txt" "$T/dup.txt"
printf '0 1 2 1 8 02\n' >"$T/badrle.txt"
fails "a broken RLE is refused" "$E" --gt "$T/badrle.txt" "$T/badrle.txt"
fails "a missing result file is an error" "$E" --gt "$T/sw_gt.txt" "$T/nonexistent.txt"
check "a bad option exits 2 with one error line" sh -c '"$1" --nope 2>"$2/nope.err"; [ $? = 2 ] &&
	[ "$(grep -c "^mots-eval: " "$2/nope.err")" = 1 ] && head -1 "$2/nope.err" |
	grep -qx "mots-eval: unrecognized option .--nope."' _ "$E" "$T"
check "-q keeps errors" sh -c '"$1" -q --gt "$2" "$3" 2>&1 >/dev/null | grep -q "^mots-eval: "' _ "$E" \
	"$T/sw_gt.txt" "$T/nonexistent.txt"
check "--missing-empty needs --seqmap" sh -c '"$1" --missing-empty --gt "$2" "$2" 2>/dev/null; [ $? = 2 ]' \
	_ "$E" "$T/sw_gt.txt"
check "--gt is required" sh -c '"$1" "$2" 2>&1 >/dev/null | grep -q "^mots-eval: --gt"' _ "$E" "$T/sw_gt.txt"

# Boxes: a frame with results and no ground truth, empty files, negative
# frames.
printf '2,1,10,10,5,5,1,-1,-1,-1\n' >"$T/g1.txt"
printf '1,1,10,10,5,5,1,-1,-1,-1\n1,2,30,30,5,5,1,-1,-1,-1\n2,1,10,10,5,5,1,-1,-1,-1\n' >"$T/r1.txt"
: >"$T/empty.txt"
printf -- '-1,1,10,10,5,5,1,-1,-1,-1\n' >"$T/neg.txt"
box_nogt() {
	"$E" --boxes --json --gt "$T/g1.txt" "$T/r1.txt" | tr -d " \n" >"$T/ng.flat" &&
		grep -q '"FP":2,"FN":0,"IDS":0' "$T/ng.flat" && grep -q '"MOTA":-1,' "$T/ng.flat"
}
check "boxes: results in a frame without ground truth are false positives" box_nogt
box_empty() {
	"$E" --boxes --json --gt "$T/g1.txt" "$T/empty.txt" | tr -d " \n" >"$T/e1.flat" &&
		grep -q '"FP":0,"FN":1,' "$T/e1.flat" &&
		"$E" --boxes --json --gt "$T/empty.txt" "$T/r1.txt" | tr -d " \n" >"$T/e2.flat" &&
		grep -q '"FP":3,"FN":0,' "$T/e2.flat"
}
check "boxes: an empty result or ground truth file is scored" box_empty
fails "boxes: a negative frame is refused" "$E" --boxes --gt "$T/g1.txt" "$T/neg.txt"
check "boxes: the negative frame message names the file and line" sh -c '
	"$1" --boxes --gt "$2" "$3" 2>&1 | grep -q "^mots-eval: $3:1: frame -1 is negative"' _ "$E" "$T/g1.txt" "$T/neg.txt"

# No true positive: MOTSP is 0 (TrackEval's convention) in the table and JSON.
printf '0 7 2 1 8 44\n' >"$T/miss_res.txt"
motsp_zero() {
	"$E" --gt "$T/half_gt.txt" "$T/miss_res.txt" >"$T/mz.txt" &&
		awk '$1 == "COMBINED" && !done { done = 1; ok = $4 == "0.00" && $8 == 0 } END { exit !ok }' "$T/mz.txt" &&
		"$E" --json --gt "$T/half_gt.txt" "$T/miss_res.txt" | tr -d " \n" | grep -q '"MOTSP":0,'
}
check "no true positive: MOTSP is 0 in the table and JSON" motsp_zero
