#!/bin/sh
# The latent-distance threshold without labels: ae-train stores it in the
# model, ae-embed passes it on in the header, cgraph-build uses it (or
# measures one on the stream), writes the distances, and falls back
# clearly when the data cannot give one. A short Sprites-MOT video.
. tests/cli/lib.sh

$BIN/mots-synth --dataset sprites -o "$T/sp" --frames 200 --seed 5 -q || exit 1
$BIN/mots-extract --mots "$T/sp/gt/gt_mots.txt" --keep-ids --patch 28 -q >"$T/sp.det" || exit 1
$BIN/ae-train -q --epochs 3 --seed 1 -o "$T/m.mp" "$T/sp.det" || exit 1
$BIN/ae-train -q --epochs 3 --seed 1 --no-calib -o "$T/old.mp" "$T/sp.det" || exit 1
$BIN/ae-embed -q -m "$T/m.mp" "$T/sp.det" >"$T/z.det" || exit 1

model_thr() { $BIN/mots-dump "$1" | grep -o '"calib":{[^}]*}' | sed -n 's/.*"embed_thr":\([0-9.e+-]*\).*/\1/p'; }
THR=$(model_thr "$T/m.mp")
check "ae-train stores a positive embed_thr (rule mnn99)" sh -c \
	"$BIN/mots-dump '$T/m.mp' | grep -q '\"calib\":{\"rule\":\"mnn99\",\"status\":\"ok\",\"embed_thr\":' &&
	 awk -v t='$THR' 'BEGIN { exit !(t > 0) }'"
check "ae-train --no-calib stores none" sh -c "! $BIN/mots-dump '$T/old.mp' | grep -q '\"calib\"'"
check "ae-embed writes the model's embed_thr into the header" sh -c \
	"$BIN/mots-dump '$T/z.det' | head -1 | grep -q '\"embed_thr\":$THR'"

# The exit line: measured on the training boxes, passed on, used by ckmeans
# unless --exit-margin gives one.
EXIT=$($BIN/mots-dump "$T/m.mp" | sed -n 's/.*"exit_inset":\([0-9.e+-]*\).*/\1/p')
check "ae-train stores the exit line (Sprites-MOT: about 10 px)" \
	awk -v x="$EXIT" 'BEGIN { exit !(x >= 6 && x <= 12) }'
check "ae-embed writes the model's exit_inset into the header" sh -c \
	"$BIN/mots-dump '$T/z.det' | head -1 | grep -q '\"exit_inset\":$EXIT'"
check "ckmeans uses the stream's exit line by default, and says so" sh -c \
	"$BIN/cgraph-build -q '$T/z.det' | $BIN/ckmeans -q -v 2>'$T/e.log' >/dev/null &&
	 grep -q 'exit line $EXIT px inside the border (the model' '$T/e.log'"
check "ckmeans --exit-margin PX overrides it" sh -c \
	"$BIN/cgraph-build -q '$T/z.det' | $BIN/ckmeans -q -v --exit-margin 3 2>'$T/e.log' >/dev/null &&
	 grep -q 'exit line 3 px inside the border (--exit-margin)' '$T/e.log'"

# pairs "key earlier-key" of a stream's cannot-links
pairs() {
	$BIN/mots-dump --fields k,cl "$1" | sed 's/[^0-9,]/ /g' |
		awk -F'[ ,]+' '{ n = 0; for (i = 1; i <= NF; i++) if ($i != "") v[++n] = $i
		                 for (i = 2; i <= n; i++) print v[1], v[i] }' | sort
}
auto_is_model() {
	$BIN/cgraph-build -q -v --metric embed --alpha-t 2 "$T/z.det" 2>"$T/a.log" >"$T/a.cg" &&
	grep -q "embed-thr .* (the model's, from the stream header)" "$T/a.log" &&
	$BIN/cgraph-build -q --metric embed --alpha-t 2 --embed-thr "$THR" "$T/z.det" >"$T/t.cg" &&
	pairs "$T/a.cg" >"$T/a.p" && pairs "$T/t.cg" >"$T/t.p" && cmp -s "$T/a.p" "$T/t.p"
}
check "cgraph-build --metric embed: the model's threshold by default, the same links as giving it" auto_is_model

# Measured on the stream: the CSV has a row for every pair of detections
# of consecutive frames, and the threshold forbids few true links (the
# ground-truth ids of --keep-ids say which pairs are one object).
measured() {
	$BIN/cgraph-build -q -v --embed-thr stream --dist-hist "$T/d.csv" "$T/z.det" 2>"$T/s.log" >"$T/s.cg" &&
	grep -q 'embed-thr .* (rule mnn99) measured on the first 100 frames: mutual-nearest 99%' "$T/s.log" &&
	grep -q 'log-distance mixture: same object median' "$T/s.log" &&
	S=$(sed -n 's/.*segment 1: embed-thr \([0-9.e+-]*\) .*/\1/p' "$T/s.log") &&
	head -1 "$T/d.csv" | grep -qx 'segment,frame,key,prev_frame,prev_key,dist,rank,same' &&
	$BIN/mots-dump --fields f "$T/z.det" | sed 's/[^0-9]//g' | sort -n | uniq -c |
		awk '{ if (p != "" && $2 == p + 1) want += $1 * n; p = $2; n = $1 } END { print want }' >"$T/want" &&
	awk -F, 'NR > 1' "$T/d.csv" | wc -l | awk -v w="$(cat "$T/want")" '{ exit !($1 == w && w > 0) }' &&
	awk -F, -v t="$S" 'NR > 1 && $8 == 1 { n++; if ($6 >= t) cut++ }
		END { printf "threshold %s cuts %d of %d same-object pairs\n", t, cut, n > "/dev/stderr"
		      exit !(n > 100 && cut <= 0.08 * n) }' "$T/d.csv"
}
check "cgraph-build --embed-thr stream: CSV of every pair; the threshold cuts <= 8% of one object's pairs" measured
# The mixture's crossing sits between the two modes: below the
# mutual-nearest percentile on this data, and above the bulk of one
# object's distances.
crossing() {
	$BIN/cgraph-build -q -v --embed-thr stream --calib-rule crossing "$T/z.det" 2>"$T/c.log" >/dev/null &&
	C=$(sed -n 's/.*segment 1: embed-thr \([0-9.e+-]*\) (rule crossing).*/\1/p' "$T/c.log") &&
	S=$(sed -n 's/.*segment 1: embed-thr \([0-9.e+-]*\) .*/\1/p' "$T/s.log") &&
	awk -F, -v c="$C" -v s="$S" 'NR > 1 && $8 == 1 { n++; if ($6 < c) below++ }
		END { printf "crossing %s, mnn99 %s, %d of %d same-object pairs below the crossing\n", c, s, below, n > "/dev/stderr"
		      exit !(c > 0 && c < s && below >= 0.5 * n) }' "$T/d.csv"
}
check "cgraph-build --calib-rule crossing: between the modes, below mnn99" crossing

# A model without a threshold: the header says nil (a stale value is not
# passed on) and cgraph-build measures one.
old_model() {
	$BIN/ae-embed -q -m "$T/old.mp" "$T/z.det" >"$T/o.det" &&
	$BIN/mots-dump "$T/o.det" | head -1 | grep -q '"embed_thr":null' &&
	$BIN/cgraph-build -q -v --metric embed "$T/o.det" 2>"$T/o.log" >/dev/null &&
	grep -q 'measured on the first 100 frames' "$T/o.log" &&
	$BIN/ae-embed -q -m "$T/old.mp" "$T/sp.det" >"$T/o2.det" &&
	! $BIN/mots-dump "$T/o2.det" | head -1 | grep -q 'embed_thr'
}
check "a model without a threshold: no embed_thr passed on, cgraph-build measures one" old_model

# One object: no second-nearest distances, no threshold, and a warning
# that says so; only the same-frame links are left.
one_object() {
	id=$(awk '{ print $2 }' "$T/sp/gt/gt_mots.txt" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }') &&
	awk -v id="$id" '$2 == id' "$T/sp/gt/gt_mots.txt" >"$T/one.txt" && [ -s "$T/one.txt" ] &&
	$BIN/mots-extract -q --mots "$T/one.txt" --patch 28 | $BIN/ae-embed -q -m "$T/old.mp" >"$T/one.det" &&
	$BIN/cgraph-build -q --metric embed "$T/one.det" 2>"$T/one.log" >"$T/one.cg" &&
	grep -q 'too few nearest / second-nearest pairs.*no latent-distance cannot-links' "$T/one.log" &&
	[ -z "$(pairs "$T/one.cg")" ]
}
check "one object: too few pairs, a warning, no latent cannot-links" one_object

usage() { "$@" >/dev/null 2>&1; [ $? = 2 ]; }
check "cgraph-build: an unknown --calib-rule is a usage error" usage $BIN/cgraph-build --calib-rule median "$T/z.det"
check "cgraph-build: --calib-frames 1 is a usage error" usage $BIN/cgraph-build --calib-frames 1 "$T/z.det"
check "ae-train: an unknown --calib-rule is a usage error" usage $BIN/ae-train --calib-rule x -o "$T/x.mp" "$T/sp.det"
fails "cgraph-build --dist-hist needs z" $BIN/cgraph-build -q --dist-hist "$T/x.csv" "$T/sp.det"
