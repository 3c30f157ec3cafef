#!/bin/sh
# bench-eval: mots-eval against an independent numpy reference, side by side.
#
# Every real MOTS file of ../shared/data is perturbed deterministically
# (tests/reference/perturb.py: ignore regions in the ground truth; id
# renames and swaps, dropped, shifted and spurious masks in the result),
# then scored by mots-eval --json and by tests/reference/mots_eval_ref.py
# (mots_tools + TrackEval semantics for masks, py-motmetrics for the boxes
# of the same objects). The reference checks every count and metric of
# every sequence and of the combined rows against the C output (equal to
# 4 decimals) and fails the benchmark on any difference. Throughput is
# masks (or boxes) of ground truth plus result per second, end to end
# (reading, decoding, scoring), median of RUNS runs each. First, lap_solve
# is run on random tie-heavy matrices next to scipy's
# linear_sum_assignment: the assignments must be the same ones.
#   BIN (bin folder), BUILD (its libusc.a), SHARED (../shared), RUNS (3), SEED (1)
set -e
BIN=${BIN:-$(pwd)/bin}
SHARED=${SHARED:-../shared}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
D=$SHARED/data
if [ ! -d "$D/kitti-mots-pointtrack" ]; then
	echo "bench-eval: skipped ($D not found)"
	exit 0
fi
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import numpy, scipy' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ] && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-scipy >/dev/null 2>&1 || true
	/usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null && PY=/usr/bin/python3
fi
if [ -z "$PY" ]; then
	echo "bench-eval: skipped (needs python3-numpy and python3-scipy for the reference)"
	exit 0
fi
REF=tests/reference
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the tree
status=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# The assignment solver picks the same optimum as scipy among ties.
LIB=${BUILD:-build}/libusc.a
if [ -f "$LIB" ]; then
	${CC:-cc} -O2 -Icommon -Ikernels -o "$T/lap_stdin" $REF/lap_stdin.c "$LIB" -lm &&
		"$PY" $REF/lap_vs_scipy.py "$T/lap_stdin" || status=1
else
	echo "bench-eval: $LIB not built; lap_solve not compared with scipy"
fi

now() { date +%s.%N; }
calc() { awk "BEGIN {print $*}"; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Perturbed copies: $T/{gt,res,gtb,resb}/SET/NAME.txt
n=0
for f in "$D"/kitti-mots-pointtrack/car/*.txt "$D"/kitti-mots-pointtrack/pedestrian/*.txt \
	"$D"/gmphd-maf/*.txt; do
	set_=$(basename "$(dirname "$f")")
	case $set_ in gmphd-maf) set_=gmphd;; esac
	mkdir -p "$T/gt/$set_" "$T/res/$set_" "$T/gtb/$set_" "$T/resb/$set_"
	b=$(basename "$f")
	"$PY" $REF/perturb.py --seed "$SEED" "$f" "$T/gt/$set_/$b" "$T/res/$set_/$b" \
		"$T/gtb/$set_/$b" "$T/resb/$set_/$b"
	n=$((n + 1))
done
echo "perturbed $n real files (seed $SEED): $(cat "$T"/gt/*/*.txt | wc -l) ground-truth and $(cat "$T"/res/*/*.txt | wc -l) result masks"

for mode in masks boxes; do
	if [ $mode = masks ]; then g=gt r=res opt=; else g=gtb r=resb opt=--boxes; fi
	tc=0 tp=0 nobj=0
	for set_ in car pedestrian gmphd; do
		objs=$(cat "$T/$g/$set_"/*.txt "$T/$r/$set_"/*.txt | wc -l)
		nobj=$((nobj + objs))
		echo
		echo "== $mode: $set_ ($objs $mode)"
		: >"$T/tc"
		i=0
		while [ $i -lt "$RUNS" ]; do
			t0=$(now)
			"$BIN"/mots-eval $opt --json --gt "$T/$g/$set_" "$T/$r/$set_" >"$T/c.json"
			t1=$(now)
			calc "$t1 - $t0" >>"$T/tc"
			i=$((i + 1))
		done
		: >"$T/tp"
		i=0
		while [ $i -lt "$RUNS" ]; do
			t0=$(now)
			if [ $i = 0 ]; then
				"$PY" $REF/mots_eval_ref.py $opt --gt "$T/$g/$set_" "$T/$r/$set_" \
					--compare "$T/c.json" >"$T/cmp" 2>&1 || status=1
			else
				"$PY" $REF/mots_eval_ref.py $opt --gt "$T/$g/$set_" "$T/$r/$set_" >/dev/null
			fi
			t1=$(now)
			calc "$t1 - $t0" >>"$T/tp"
			i=$((i + 1))
		done
		grep -v '^reference:' "$T/cmp"
		c=$(median <"$T/tc") p=$(median <"$T/tp")
		tc=$(calc "$tc + $c") tp=$(calc "$tp + $p")
		printf '%s %s: mots-eval %.3f s (%.0f %s/s), numpy reference %.3f s (%.0f %s/s), %.1fx\n' \
			"$mode" "$set_" "$c" "$(calc "$objs / $c")" "$mode" "$p" \
			"$(calc "$objs / $p")" "$mode" "$(calc "$p / $c")"
	done
	echo
	printf '%s, all %d: mots-eval %.3f s (%.0f %s/s), numpy reference %.3f s (%.0f %s/s), ratio %.1fx (medians of %d runs)\n' \
		"$mode" "$nobj" "$tc" "$(calc "$nobj / $tc")" "$mode" "$tp" \
		"$(calc "$nobj / $tp")" "$mode" "$(calc "$tp / $tc")" "$RUNS"
done
[ $status = 0 ] && echo "bench-eval: C and numpy agree on every count and metric" ||
	echo "bench-eval: MISMATCH between C and numpy"
exit $status
