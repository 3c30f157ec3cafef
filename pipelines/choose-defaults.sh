#!/bin/sh
# pipelines/choose-defaults.sh: scores the candidate default settings of
# pipelines/defaults.configs and chooses one by a rule fixed in advance.
#
#   SYN=dir      a pipelines/Makefile output folder (OUT) whose synthetic
#                uncertainty models and z streams are made, e.g. results/s7
#                (make -f pipelines/Makefile SEED=7 OUT=results/s7
#                 results/s7/synth/mnist/uncertainty-val.z ...)
#   SPLIT=val    the synthetic split scored: val (the choice) or test
#   CV=dir       the OUT of pipelines/cv-real.sh run with
#                CONFIGS=pipelines/defaults.configs, MODEL=train, both
#                classes (its run/ and map/ folders are read)
#   FOLDS=3      cv-real.sh's folds
#
# Prints one line per configuration and data set, then the choice:
#   syn DATASET NAME IDF1 MOTA IDS
#   kitti CLASS FOLD NAME IDF1 HOTA IDS sMOTSA   (FOLD: the sequences not in
#                                                 fold FOLD; "all": every one)
#   rank FOLD NAME MEANRANK MEANSCORE
#   chosen FOLD NAME
# The rule: on each of four data sets (MNIST-MOT and Sprites-MOT at SPLIT,
# KITTI cars and pedestrians on the sequences outside the held-out fold)
# the candidates are ranked by a score (synthetic: IDF1 + MOTA; KITTI:
# IDF1 + HOTA; ties share the mean rank); the candidate with the lowest
# mean rank over the four is chosen, ties going to the higher mean score.
# FOLD "all" is the choice made with every KITTI sequence.
# The constrained rule (lines "crank" and "cchosen", added after the first
# rule had chosen a candidate that loses to the IoU tracker on the
# synthetic videos): only the candidates whose IDF1 is above the tuned IoU
# tracker's (iou.m0.01_g1 synthetic, iou.m0.01_g16 KITTI) on both
# synthetic videos and on the KITTI pedestrians are ranked, as above.
set -e
BIN=${BIN:-bin}
SHARED=${SHARED:-../shared}
SYN=${SYN:-results/s7}
SPLIT=${SPLIT:-val}
CV=${CV:-results/cv}
FOLDS=${FOLDS:-3}
CONFIGS=${CONFIGS:-$(dirname "$0")/defaults.configs}
BIN=$(cd "$BIN" && pwd)
PAPER=${PAPER-}
export BIN PAPER
T=$SYN/synth/defaults
mkdir -p "$T"
tab=$(mktemp)
trap 'rm -f "$tab"' EXIT

# col FILE HEADER-WORD NAME: the COMBINED value of column NAME in the
# mots-eval table whose header line holds WORD
col() {
	awk -v w="$2" -v n="$3" '
	$1 == "sequence" { on = 0; for (i = 1; i <= NF; i++) { if ($i == w) on = 1; if ($i == n) c = i } }
	on && $1 == "COMBINED" { print $c; exit }' "$1"
}

# the synthetic split of each data set, every configuration
for d in mnist sprites; do
	z=$SYN/synth/$d/uncertainty-$SPLIT.z
	det=$SYN/synth/$d/$SPLIT.det
	[ -s "$z" ] || { echo "choose-defaults: $z: not made" >&2; exit 1; }
	grep -v '^[[:space:]]*\(#\|$\)' "$CONFIGS" | while read -r fam name cmd; do
		r=$T/$d-$SPLIT-$fam.$name
		if [ ! -s "$r.eval" ]; then
			case $fam in iou) in=$det ;; *) in=$z ;; esac
			IN=$in sh -c "$cmd" | "$BIN/mots-write" -q --first 1 --mot "$r.mot"
			"$BIN/mots-eval" --boxes --gt "$SYN/synth/$d/$SPLIT/gt/gt_tight.txt" "$r.mot" >"$r.eval"
		fi
		echo "syn $d $fam.$name $(col "$r.eval" IDF1 IDF1) $(col "$r.eval" IDF1 MOTA) $(col "$r.eval" IDF1 IDS)"
	done
done | tee -a "$tab"

# KITTI: the configurations on the sequences outside each fold, and on all
kscore() {   # RESULTDIR SEQMAP GTDIR CLS: IDF1 HOTA IDS sMOTSA
	"$BIN/mots-eval" --gt "$3" --class "$4" --seqmap "$2" "$1" 2>/dev/null | awk '
		/mots_tools/ { t = 1 } /TrackEval/ { t = 2 }
		$1 == "COMBINED" && t == 1 { smotsa = $2; ids = $11 }
		$1 == "COMBINED" && t == 2 { hota = $2; idf1 = $10 }
		END { print idf1, hota, ids, smotsa }'
}
for c in car pedestrian; do
	case $c in car) cls=1 ;; *) cls=2 ;; esac
	C=$CV/$c/model.mp
	[ -d "$C/run" ] || { echo "choose-defaults: $C/run: run pipelines/cv-real.sh first" >&2; exit 1; }
	for f in $(seq 0 $((FOLDS - 1))) all; do
		m=$C/map/out$f
		[ "$f" = all ] && m=$C/map/all
		for r in "$C"/run/*; do
			echo "kitti $c $f $(basename "$r") $(kscore "$r" "$m" "$SHARED/data/kitti-mots-pointtrack/$c" $cls)"
		done
	done
done | tee -a "$tab"

# the rule
for f in $(seq 0 $((FOLDS - 1))) all; do
	awk -v F="$f" '
	$1 == "syn" && $3 ~ /^cand\./ { set = $2; s[set, $3] = $4 + $5; names[$3] = 1; sets[set] = 1 }
	$1 == "kitti" && $3 == F && $4 ~ /^cand\./ { set = $2; s[set, $4] = $5 + $6; names[$4] = 1; sets[set] = 1 }
	END {
		ns = 0
		for (k in sets) ns++
		for (n in names) {
			tot = 0; sc = 0
			for (k in sets) {
				better = 0; same = 0
				for (m in names) { if (s[k, m] > s[k, n]) better++; else if (s[k, m] == s[k, n]) same++ }
				tot += better + (same + 1) / 2; sc += s[k, n]
			}
			printf "rank %s %s %.3f %.3f\n", F, n, tot / ns, sc / ns
		}
	}' "$tab" | sort -k4,4n -k5,5nr >"$tab.r"
	cat "$tab.r"
	echo "chosen $f $(head -1 "$tab.r" | awk '{ print $3 }')"
	rm -f "$tab.r"
done
for f in $(seq 0 $((FOLDS - 1))) all; do
	awk -v F="$f" '
	$1 == "syn" { if ($3 == "iou.m0.01_g1") base[$2] = $4
		else if ($3 ~ /^cand\./) { s[$2, $3] = $4 + $5; idf[$2, $3] = $4; names[$3] = 1 } }
	$1 == "kitti" && $3 == F { if ($4 == "iou.m0.01_g16") base[$2] = $5
		else if ($4 ~ /^cand\./) { s[$2, $4] = $5 + $6; idf[$2, $4] = $5; names[$4] = 1 } }
	END {
		split("mnist sprites car pedestrian", K, " ")
		for (n in names) {
			ok = 1
			for (i = 1; i <= 4; i++) if (K[i] != "car" && idf[K[i], n] <= base[K[i]]) ok = 0
			if (ok) e[n] = 1
		}
		for (n in e) {
			tot = 0; sc = 0
			for (i = 1; i <= 4; i++) {
				k = K[i]; better = 0; same = 0
				for (m in e) { if (s[k, m] > s[k, n]) better++; else if (s[k, m] == s[k, n]) same++ }
				tot += better + (same + 1) / 2; sc += s[k, n]
			}
			printf "crank %s %s %.3f %.3f\n", F, n, tot / 4, sc / 4
		}
	}' "$tab" | sort -k4,4n -k5,5nr >"$tab.r"
	cat "$tab.r"
	echo "cchosen $f $(head -1 "$tab.r" | awk '{ print $3 }')"
	rm -f "$tab.r"
done
