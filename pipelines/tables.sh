#!/bin/sh
# tables: the grids' results as Markdown tables, from the mots-eval reports
# under $OUT (pipelines/Makefile, whose `tables` target writes the synthetic
# rows' configurations to $OUT/synth/rows.txt first); cells not computed
# yet are left out.
OUT=${OUT:-results}

# col FILE HEADER-WORD NAME: the COMBINED value of column NAME in the
# mots-eval table whose header line starts with "sequence" and holds WORD.
col() {
	awk -v w="$2" -v n="$3" '
	$1 == "sequence" { on = 0; for (i = 1; i <= NF; i++) { if ($i == w) on = 1; if ($i == n) c = i } }
	on && $1 == "COMBINED" { print $c; exit }' "$1"
}

# synrow FILE: the box metrics of one synthetic cell, as table cells
synrow() {
	r=""
	for n in IDF1 MOTA MOTP MT ML FP FN IDS Frag; do
		r="$r | $(col "$1" IDF1 $n)"
	done
	echo "$r |"
}

# heading TITLE COLUMN...: a table's title, then its header row and rule
heading() {
	echo "### $1"
	echo
	shift
	h="|" r="|"
	for c; do h="$h $c |" r="$r---|"; done
	echo "$h"
	echo "$r"
}

# valtables TITLE NOTE ROWS COLUMNS: for each dataset with a validation
# sweep, the table "TITLE, dataset (NOTE)" with columns model COLUMNS (one
# string, split on purpose) whose rows `ROWS DIR MODEL` prints per model
valtables() {
	for d in mnist sprites; do
		ls "$OUT"/synth/$d/run/val/*/*.eval >/dev/null 2>&1 || continue
		heading "$1, $d ($2)" model $4
		for dir in "$OUT"/synth/$d/run/val/*/; do
			$3 "$dir" "$(basename "$dir")"
		done
		echo
	done
}

# what a configuration name (pipelines/Makefile) means, in options
describe() {
	case $1 in
	nograph) echo "plain k-means (--no-constraints)" ;;
	default) echo "the tools' defaults (no option)" ;;
	m*_g*) echo "$1" | awk -F_ '{ sub(/^m/, "", $1); sub(/^g/, "", $2); printf "--match-iou %s --max-age %s", $1, $2 }' ;;
	*) echo "$1" | awk -F_ '{
		for (i = 1; i <= NF; i++) { k = substr($i, 1, 1); v[k] = substr($i, 2) }
		x = (v["c"] != "" ? ", centres " v["c"] : "") (v["h"] != "" ? ", occlusion margin " v["h"] : "") \
		    (v["b"] != "" ? ", exit margin " v["b"] : "") (v["l"] != "" ? ", must-links IoU>" v["l"] : "") \
		    (v["r"] != "" ? ", relink " v["r"] " (IoU>=" (v["i"] != "" ? v["i"] : "0.1") ")" : "")
		if (v["e"] == "") { printf "alpha-t %s, window %s, order %s, motion gate %s%s", v["a"], v["w"], v["o"],
			v["m"] == "-" ? "off" : "IoU<=" v["m"], x; exit }
		printf "%salpha-t %s, embed-thr %s, window %s, order %s, motion gate %s%s", v["x"] == "box" ? "metric embed,box-iou, " : "",
			v["a"], v["e"], v["w"], v["o"], v["m"] == "-" ? "off" : "IoU<=" v["m"], x }' ;;
	esac
}

if ls "$OUT"/real/*.eval >/dev/null 2>&1; then
	heading "KITTI MOTS re-tracking (PointTrack masks, ids removed, 5% dropped)" \
		class method sMOTSA MOTSA IDS Frag IDF1 HOTA AssA
	methods=$(cat "$OUT/real/methods.txt" 2>/dev/null)
	for c in car pedestrian; do
		if [ -n "$methods" ]; then
			files=$(for m in $methods; do echo "$OUT/real/$m-$c.eval"; done)
		else
			files=$(ls "$OUT"/real/*-$c.eval)
		fi
		for f in $files; do
			[ -f "$f" ] || continue
			m=$(basename "$f" "-$c.eval")
			t=$(echo "$m" | sed -n 's/.*_t\([0-9]*\)$/\1/p')
			m=${m%_t[0-9]*}
			case $m in
			iou_*) m="IoU baseline, $(describe "${m#iou_}")" ;;
			usc_*) m="USC, $(describe "${m#usc_}")" ;;
			esac
			m="$m, min-track ${t:-1}"
			echo "| $c | $m | $(col "$f" sMOTSA sMOTSA) | $(col "$f" sMOTSA MOTSA) |" \
				"$(col "$f" sMOTSA IDS) | $(col "$f" sMOTSA Frag) | $(col "$f" HOTA IDF1) |" \
				"$(col "$f" HOTA HOTA) | $(col "$f" HOTA AssA) |"
		done
	done
	echo
fi

rows=$OUT/synth/rows.txt
if [ -f "$rows" ]; then
	heading "MNIST-MOT and Sprites-MOT, 10,000-frame test videos (boxes against gt_tight.txt, IoU >= 0.5)" \
		dataset model row IDF1 MOTA MOTP MT ML FP FN IDS Frag settings
	seen=" "
	while read -r d w label cfg; do
		case $seen in *" $d/$w/$cfg "*) continue ;; esac   # a row another family chose too
		seen="$seen$d/$w/$cfg "
		if [ "$w" = - ]; then f=$OUT/synth/$d/run/test/iou/$cfg.eval; else f=$OUT/synth/$d/run/test/$w/$cfg.eval; fi
		[ -f "$f" ] || continue
		echo "| $d | $w | $(echo "$label" | tr - ' ') $(synrow "$f") $(describe "$cfg") |"
	done <"$rows"
	echo
fi

# valrows DIR MODEL: one row per configuration of a model's sweep
valrows() {
	for f in "$1"*.eval; do
		[ -f "$f" ] || continue
		cfg=$(basename "$f" .eval)
		echo "| $2 | $cfg | $(col "$f" IDF1 IDF1) | $(col "$f" IDF1 MOTA) | $(col "$f" IDF1 FN) |" \
			"$(col "$f" IDF1 IDS) | $(col "$f" IDF1 Frag) | $(describe "$cfg") |"
	done
}
valtables "Validation sweep" "a separate 10,000-frame video, seed + 2000" valrows \
	"configuration IDF1 MOTA FN IDS Frag settings"

# The settings each row of the synthetic table uses, chosen on the
# validation video: the highest IDF1 + MOTA within each family.
best() {   # DIR GLOB-OF-CONFIGURATIONS
	for f in $1/$2.eval; do
		[ -f "$f" ] || continue
		case $f in *xbox*) [ "$3" = box ] || [ "$3" = any ] || continue ;; esac
		case $f in *_b[0-9]*) [ "$3" = exit ] || [ "$3" = any ] || continue ;; esac
		case $f in *_ctracks*) [ "$3" = occ ] || [ "$3" = exit ] || [ "$3" = any ] || continue ;; esac
		echo "$(col "$f" IDF1 IDF1) $(col "$f" IDF1 MOTA) $(basename "$f" .eval)"
	done | awk '{ s = $1 + $2; if (!n++ || s > b) { b = s; c = $3; i = $1; m = $2 } }
	            END { if (n) printf "%s | %s | %s | %d", c, i, m, n }'
}
# chosenrows DIR MODEL: the best configuration of each family
chosenrows() {
	dir=$1 w=$2
	if [ "$w" = iou ]; then
		echo "| - | IoU baseline | $(best "$dir" 'm*_g*') |"
		return
	fi
	echo "| $w | tuned (window order) | $(best "$dir" '*_owindow_w3_m-') |"
	echo "| $w | nearest | $(best "$dir" '*_onearest_w3_m-') |"
	echo "| $w | nearest + motion gate | $(best "$dir" '*_onearest_w3_m[0-9]*') |"
	echo "| $w | embed,box-iou graph | $(best "$dir" '*_xbox_*_m-' box) |"
	echo "| $w | + track centres, occlusion guard | $(best "$dir" '*_ctracks_*' occ) |"
	echo "| $w | + exit rule | $(best "$dir" '*_b[0-9]*' exit) |"
	echo "| $w | any (all of the sweep) | $(best "$dir" '*' any) |"
}
valtables "Chosen on the validation video" "highest IDF1 + MOTA in each family" chosenrows \
	"family configuration IDF1 MOTA candidates"
