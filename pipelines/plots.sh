#!/bin/sh
# plots.sh: PNG charts of a run, drawn with gnuplot.
#   sh pipelines/plots.sh OUTDIR FILE...
# Each FILE is recognised by its header line:
#   an ae-train --log CSV (epoch,loss,mask_mse,...)  -> OUTDIR/loss.png:
#       the loss (train and validation) and the mask / box MSE per epoch;
#   a mots-eval --csv CLASS_detailed.csv (seq,HOTA(0),...)  ->
#       OUTDIR/D_CLASS_hota.png: HOTA, DetA, AssA and LocA of the COMBINED
#       row over the threshold alpha = 0.05 .. 0.95, and
#       OUTDIR/D_CLASS_sequences.png: HOTA and IDF1 per sequence,
#       D being the name of the folder holding the CSV.
# Without gnuplot (Debian: gnuplot-nox) it says so and draws nothing.
set -e
if [ $# -lt 2 ]; then
	echo "usage: plots.sh OUTDIR FILE..." >&2
	exit 2
fi
out=$1
shift
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "plots: gnuplot not found (Debian package gnuplot-nox): plots skipped" >&2
	exit 0
fi
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Shared look: PNG, readable fonts, a grid.
term='set terminal pngcairo size 960,640 font "sans,12" noenhanced; set grid; set key box opaque'
command -v gnuplot >/dev/null && gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo ||
	term='set terminal png size 960,640 noenhanced; set grid; set key box opaque'

# Writes the PNG through a temporary name, so it appears whole.
draw() {   # PNG SCRIPT
	gnuplot -e "$term; set output '$tmp/p.png'; $2" && mv "$tmp/p.png" "$1"
	echo "plots: $1" >&2
}

loss_plot() {   # LOG
	# A column with no number (no validation split) is left out.
	val=$(awk -F, 'NR > 1 && $5 != "" && $5 != "nan" && $5 != "-nan" { print "y"; exit }' "$1")
	vl="" vm=""
	[ -n "$val" ] && vl=", f using 1:5 with lines lw 2 dt 2 title 'validation loss'"
	[ -n "$val" ] && vm=", f using 1:6 with lines lw 2 dt 2 title 'validation mask MSE', f using 1:7 with lines lw 2 dt 2 title 'validation box MSE'"
	draw "$out/loss.png" "f = '$1'; set datafile separator ','; set key autotitle columnhead;
		set multiplot layout 2,1 title 'ae-train: $(basename "$1")';
		set ylabel 'loss'; set xlabel 'epoch';
		plot f using 1:2 with lines lw 2 title 'training loss' $vl;
		set logscale y; set ylabel 'mean squared error';
		plot f using 1:3 with lines lw 2 title 'mask MSE', f using 1:4 with lines lw 2 title 'box MSE' $vm;
		unset multiplot"
}

# Column numbers of the named fields, then the rows, as whitespace data.
detailed_plots() {   # CSV
	cls=$(basename "$1" _detailed.csv)
	dir=$(basename "$(dirname "$1")")
	name="${dir}_$cls"
	tr -d '\r' <"$1" | awk -F, -v out="$tmp/alpha" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == "COMBINED" {
			for (a = 5; a <= 95; a += 5)
				printf "%.2f %s %s %s %s\n", a / 100, $c["HOTA___" a], $c["DetA___" a],
				       $c["AssA___" a], $c["LocA___" a] >out
			printf "%s %s %s %s\n", $c["HOTA___AUC"], $c["DetA___AUC"], $c["AssA___AUC"],
			       $c["LocA___AUC"] >(out ".auc")
		}'
	tr -d '\r' <"$1" | awk -F, -v out="$tmp/seq" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ gsub(/ /, "_", $1); printf "%s %s %s\n", $1, 100 * $c["HOTA___AUC"], 100 * $c["IDF1"] >out }'
	read -r h d a l <"$tmp/alpha.auc"
	draw "$out/${name}_hota.png" "set title '$name: HOTA over the localisation threshold (COMBINED)';
		set xlabel 'alpha (IoU threshold)'; set ylabel 'score'; set xrange [0:1]; set yrange [0:1.05];
		set key left bottom;
		plot '$tmp/alpha' using 1:2 with linespoints lw 2 pt 7 title sprintf('HOTA (%.3f)', $h),
		     '' using 1:3 with linespoints lw 2 pt 5 title sprintf('DetA (%.3f)', $d),
		     '' using 1:4 with linespoints lw 2 pt 9 title sprintf('AssA (%.3f)', $a),
		     '' using 1:5 with linespoints lw 2 pt 11 dt 2 title sprintf('LocA (%.3f)', $l)"
	draw "$out/${name}_sequences.png" "set title '$name: HOTA and IDF1 per sequence';
		set style data histogram; set style histogram clustered gap 1; set style fill solid 0.8 border -1;
		set boxwidth 0.9; set ylabel 'percent'; set xlabel 'sequence'; set yrange [0:105];
		set xtics rotate by -30; set key right top;
		plot '$tmp/seq' using 2:xtic(1) title 'HOTA', '' using 3 title 'IDF1'"
}

for f in "$@"; do
	head=$(head -c 64 "$f" | head -1)
	case $head in
	epoch,loss,*) loss_plot "$f" ;;
	seq,HOTA\(0\),*) detailed_plots "$f" ;;
	*) echo "plots: $f: neither an ae-train log nor a TrackEval detailed CSV" >&2; exit 1 ;;
	esac
done
