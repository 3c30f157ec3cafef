#!/bin/sh
# pipelines/cv-real.sh: tracker settings chosen by leave-sequences-out
# cross-validation on KITTI MOTS re-tracking (PointTrack masks, ids
# removed, DROP of them left out, as in pipelines/Makefile), so that every
# figure it reports is on sequences the choice never saw.
#
# The whole sequences of one class are dealt into FOLDS folds (the i-th
# sequence, in name order, into fold i mod FOLDS). For each fold and each
# family of configurations, the configuration with the highest METRIC
# (COMBINED row of mots-eval) over the other folds' sequences is chosen and
# run on the fold's own sequences. Each sequence's held-out result is thus
# made with settings chosen without it; the held-out results of all folds
# are scored together (the "pooled" row), next to each fixed configuration
# of a "fixed" family (a default, chosen by nobody), which needs no choice.
#
#   CLASS=car|pedestrian   the class (default car)
#   FOLDS=N                folds (default 3)
#   METRIC=IDF1|HOTA|sMOTSA|AssA   what the choice maximises (default IDF1)
#   CONFIGS=file           the configurations (default pipelines/cv-real.configs):
#                          "family name command" lines; the command reads
#                          the det stream $IN and writes a tracked det stream
#   MODEL=file             ae-embed -m MODEL first, so $IN carries z
#                          (families usc*, which need z, are skipped without it);
#   MODEL=train            train one first on the class's unlabelled masks
#                          (all sequences, as the method trains on what it
#                          tracks), with AE_ARGS (default: a small model,
#                          --arch real --filters 8,16,16,32 --latent 64
#                          --epochs 4 --batch 128 --threads 1 --seed 1)
#   PATCH=N                mots-extract --patch (default 32; with MODEL it
#                          must be the model's)
#   SEQS="0000 0002 ..."   the sequences (default: the class's non-empty ones)
#   OUT=dir BIN=dir SHARED=dir DROP=x
set -e
BIN=${BIN:-bin}
SHARED=${SHARED:-../shared}
OUT=${OUT:-results/cv-real}
CLASS=${CLASS:-car}
FOLDS=${FOLDS:-3}
METRIC=${METRIC:-IDF1}
DROP=${DROP:-0.05}
PATCH=${PATCH:-32}
CONFIGS=${CONFIGS:-$(dirname "$0")/cv-real.configs}
DIR=$SHARED/data/kitti-mots-pointtrack/$CLASS
case $CLASS in car) CLS=1;; pedestrian) CLS=2;; *) echo "cv-real: CLASS car or pedestrian" >&2; exit 2;; esac
case $METRIC in IDF1|HOTA|sMOTSA|AssA) ;; *) echo "cv-real: METRIC IDF1, HOTA, sMOTSA or AssA" >&2; exit 2;; esac
[ -d "$DIR" ] || { echo "cv-real: $DIR: no such folder" >&2; exit 1; }
if [ -z "$SEQS" ]; then
	SEQS=$(for f in "$DIR"/*.txt; do [ -s "$f" ] && basename "$f" .txt; done)
fi
AE_ARGS=${AE_ARGS:---arch real --filters 8,16,16,32 --latent 64 --epochs 4 --batch 128 --threads 1 --seed 1}
if [ "$MODEL" = train ]; then
	T=$OUT/$CLASS/train
	mkdir -p "$T"
	for s in $SEQS; do
		[ -s "$T/$s.txt" ] || awk -v d="$DROP" '{ u = NR * 0.6180339887498949; u -= int(u); if (u >= d) print }' \
			"$DIR/$s.txt" >"$T/$s.txt"
		[ -s "$T/$s.det" ] || "$BIN/mots-extract" -q --mots "$T/$s.txt" --class $CLS --patch "$PATCH" --seq "$s" -o "$T/$s.det"
	done
	[ -s "$T/model.mp" ] || "$BIN/ae-train" -q $AE_ARGS -o "$T/model.mp" $(for s in $SEQS; do echo "$T/$s.det"; done)
	MODEL=$T/model.mp
fi
# what depends on the model lives in a folder named after it
TAG=nomodel
[ -z "$MODEL" ] || TAG=$(basename "$MODEL" | tr -c 'A-Za-z0-9._\n-' _)
C=$OUT/$CLASS/$TAG
mkdir -p "$C/in" "$C/det" "$C/run" "$C/map"
BIN=$(cd "$BIN" && pwd)
export BIN

# the inputs: masks with DROP left out (a fixed, evenly spread choice),
# then the det stream (with z when MODEL is set)
for s in $SEQS; do
	[ -s "$C/in/$s.txt" ] || awk -v d="$DROP" '{ u = NR * 0.6180339887498949; u -= int(u); if (u >= d) print }' \
		"$DIR/$s.txt" >"$C/in/$s.txt"
	if [ ! -s "$C/det/$s.det" ]; then
		if [ -n "$MODEL" ]; then
			"$BIN/mots-extract" -q --mots "$C/in/$s.txt" --class $CLS --patch "$PATCH" --seq "$s" |
				"$BIN/ae-embed" -q -m "$MODEL" -o "$C/det/$s.det"
		else
			"$BIN/mots-extract" -q --mots "$C/in/$s.txt" --class $CLS --seq "$s" -o "$C/det/$s.det"
		fi
	fi
done

# every configuration on every sequence (cached: a file is made once)
grep -v '^[[:space:]]*\(#\|$\)' "$CONFIGS" >"$C/configs"
while read -r fam name cmd; do
	case $fam in usc*) [ -n "$MODEL" ] || { echo "cv-real: $fam/$name needs z (MODEL): skipped" >&2; continue; };; esac
	echo "$fam $name" >>"$C/configs.run.$$"
	mkdir -p "$C/run/$fam.$name"
	for s in $SEQS; do
		r=$C/run/$fam.$name/$s.txt
		[ -f "$r" ] && continue
		IN=$C/det/$s.det sh -c "$cmd" 2>>"$C/run/$fam.$name/log" |
			"$BIN/mots-write" -q --min-track 1 --mots "$r.tmp" && mv "$r.tmp" "$r"
	done
done <"$C/configs"
mv "$C/configs.run.$$" "$C/configs.run"

# a seqmap of the sequences in fold F (in) or not in it (out)
seqmap() {   # F in|out
	i=0
	for s in $SEQS; do
		if [ "$1" = all ] || { [ $((i % FOLDS)) = "$1" ] && [ "$2" = in ]; } ||
		   { [ $((i % FOLDS)) != "$1" ] && [ "$2" = out ]; }; then echo "$s"; fi
		i=$((i + 1))
	done
}
# sMOTSA IDS IDF1 HOTA AssA of the COMBINED rows of a result folder over a seqmap
score() {   # RESULTDIR SEQMAP
	"$BIN/mots-eval" --gt "$DIR" --class $CLS --seqmap "$2" "$1" 2>/dev/null | awk '
		/mots_tools/ { t = 1 } /TrackEval/ { t = 2 }
		$1 == "COMBINED" && t == 1 { smotsa = $2; ids = $11 }
		$1 == "COMBINED" && t == 2 { hota = $2; assa = $4; idf1 = $10 }
		END { print smotsa, ids, idf1, hota, assa }'
}
col() { case $METRIC in sMOTSA) echo 1;; IDF1) echo 3;; HOTA) echo 4;; AssA) echo 5;; esac; }

echo "# cv-real: $CLASS, $(echo $SEQS | wc -w) sequences, $FOLDS folds, choice by $METRIC"
echo "# fold | family | chosen | $METRIC on the other folds | held out: sMOTSA IDS IDF1 HOTA AssA"
for fam in $(awk '{ print $1 }' "$C/configs.run" | sort -u); do
	rm -rf "$C/pooled.$fam"
	mkdir -p "$C/pooled.$fam"
done
f=0
while [ $f -lt "$FOLDS" ]; do
	seqmap $f out >"$C/map/out$f"
	seqmap $f in >"$C/map/in$f"
	if [ -s "$C/map/in$f" ]; then
		for fam in $(awk '{ print $1 }' "$C/configs.run" | sort -u); do
			best= bestv=-1
			for name in $(awk -v F="$fam" '$1 == F { print $2 }' "$C/configs.run"); do
				v=$(score "$C/run/$fam.$name" "$C/map/out$f" | awk -v c="$(col)" '{ print $c }')
				if awk -v a="$v" -v b="$bestv" 'BEGIN { exit !(a > b) }'; then best=$name bestv=$v; fi
			done
			held=$(score "$C/run/$fam.$best" "$C/map/in$f")
			echo "$f | $fam | $best | $bestv | $held"
			for s in $(cat "$C/map/in$f"); do cp "$C/run/$fam.$best/$s.txt" "$C/pooled.$fam/"; done
		done
	fi
	f=$((f + 1))
done
seqmap all all >"$C/map/all"
echo "# pooled held-out (every sequence scored with settings chosen without it): sMOTSA IDS IDF1 HOTA AssA"
for fam in $(awk '{ print $1 }' "$C/configs.run" | sort -u); do
	echo "pooled | $fam | $(score "$C/pooled.$fam" "$C/map/all")"
done
echo "# each configuration on all sequences (for reference; not a held-out figure)"
while read -r fam name; do
	echo "all | $fam | $name | $(score "$C/run/$fam.$name" "$C/map/all")"
done <"$C/configs.run"
