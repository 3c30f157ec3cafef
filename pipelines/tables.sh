#!/bin/sh
# tables: the grids' results as Markdown tables, from the mots-eval reports
# under $OUT (pipelines/Makefile); cells not computed yet are left out.
OUT=${OUT:-results}

# col FILE HEADER-WORD NAME: the COMBINED value of column NAME in the
# mots-eval table whose header line starts with "sequence" and holds WORD.
col() {
	awk -v w="$2" -v n="$3" '
	$1 == "sequence" { on = 0; for (i = 1; i <= NF; i++) { if ($i == w) on = 1; if ($i == n) c = i } }
	on && $1 == "COMBINED" { print $c; exit }' "$1"
}

if ls "$OUT"/real/*.eval >/dev/null 2>&1; then
	echo "### KITTI MOTS re-tracking (PointTrack masks, ids removed, 5% dropped)"
	echo
	echo "| class | method | sMOTSA | MOTSA | IDS | Frag | IDF1 | HOTA | AssA |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for c in car pedestrian; do
		for m in usc iou; do
			f=$OUT/real/$m-$c.eval
			[ -f "$f" ] || continue
			name=$([ $m = usc ] && echo "USC (ckmeans)" || echo "IoU baseline")
			echo "| $c | $name | $(col "$f" sMOTSA sMOTSA) | $(col "$f" sMOTSA MOTSA) |" \
				"$(col "$f" sMOTSA IDS) | $(col "$f" sMOTSA Frag) | $(col "$f" HOTA IDF1) |" \
				"$(col "$f" HOTA HOTA) | $(col "$f" HOTA AssA) |"
		done
	done
	echo
fi

if ls "$OUT"/synth/*/*.eval >/dev/null 2>&1; then
	echo "### MNIST-MOT and Sprites-MOT (boxes against gt_tight.txt, IoU >= 0.5)"
	echo
	echo "| dataset | model | graph | IDF1 | MOTA | MOTP | MT | ML | FP | FN | IDS | Frag |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for d in mnist sprites; do
		for f in "$OUT"/synth/$d/*.eval; do
			[ -f "$f" ] || continue
			cell=$(basename "$f" .eval)
			case $cell in
			iou) model="IoU baseline"; g="-" ;;
			*-graph) model=${cell%-graph}; g=yes ;;
			*-nograph) model=${cell%-nograph}; g=no ;;
			*) model=$cell; g="?" ;;
			esac
			row="| $d | $model | $g"
			for n in IDF1 MOTA MOTP MT ML FP FN IDS Frag; do
				row="$row | $(col "$f" IDF1 $n)"
			done
			echo "$row |"
		done
	done
	echo
fi
