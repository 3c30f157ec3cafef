#!/bin/sh
# bench-ae: DHAE training samples/s on the CPU (ae-train --device cpu,
# --arch synth, Sprites filters, batch 1024, Adadelta) beside the same
# network in PyTorch on the CPU with the same thread count, in the same run
# (tests/reference/dhae_torch_bench.py: same layers, loss, optimiser and
# batch). The two are run in turn, ROUNDS times; each rate is the median of
# the per-epoch rates after each run's first epoch (warm-up). Also prints
# the FLOPs per training sample, the GFLOP/s reached, and the sgemm rate
# the CPU backend reaches on a conv-shaped product (OpenBLAS as the tool
# loads it, OPENBLAS_CORETYPE as set or as nn_cpu_tune picks it).
#
# Data: a Sprites-MOT training video from mots-synth, its instance masks as
# 28x28x1 patches; the content does not change the speed.
#   THREADS (online CPUs), EPOCHS (5), FRAMES (1200), ROUNDS (2)
# The GPU figures are bench-gpu's.
BIN=${BIN:-bin}
THREADS=${THREADS:-$(getconf _NPROCESSORS_ONLN)}
EPOCHS=${EPOCHS:-5}
FRAMES=${FRAMES:-1200}
ROUNDS=${ROUNDS:-2}
BATCH=1024
py=/usr/bin/python3
[ -x $py ] || py=python3
ref=$(dirname "$0")/../../tests/reference/dhae_torch_bench.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print 0; else print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

"$BIN/mots-synth" --dataset sprites --train --seed 7 --frames "$FRAMES" -o "$tmp/v" -q &&
	"$BIN/mots-extract" --mots "$tmp/v/gt/gt_mots.txt" --patch 28 -q >"$tmp/synth.det" ||
	{ echo "bench-ae: failed to make data" >&2; exit 1; }
have_torch=1
"$py" -c 'import torch' 2>/dev/null || { have_torch=0; echo "bench-ae: no PyTorch ($py); install python3-torch for the reference"; }

: >"$tmp/usc.rates"
: >"$tmp/torch.rates"
r=1
while [ $r -le "$ROUNDS" ]; do
	"$BIN/ae-train" --device cpu --threads "$THREADS" --batch $BATCH --epochs "$EPOCHS" -q -v \
		--log "$tmp/usc.csv" -o "$tmp/m.model" "$tmp/synth.det" 2>"$tmp/usc.err" ||
		{ echo "bench-ae: ae-train failed:"; tail -3 "$tmp/usc.err"; exit 1; }
	awk -F, 'NR > 2 && $NF != "" { print $NF }' "$tmp/usc.csv" >>"$tmp/usc.rates"
	n=$(sed -n 's/^ae-train: \([0-9]*\) detections.*/\1/p' "$tmp/usc.err" | head -1)
	ntrain=$((n - n / 10))
	if [ $have_torch = 1 ]; then
		"$py" "$ref" --arch synth --device cpu --threads "$THREADS" --batch $BATCH --samples "$ntrain" \
			--epochs 3 >"$tmp/torch.out" 2>&1 ||
			{ echo "bench-ae: pytorch reference failed:"; tail -3 "$tmp/torch.out"; exit 1; }
		sed -n 's/^epoch \([0-9]*\) samples_per_s \([0-9.]*\).*/\1 \2/p' "$tmp/torch.out" |
			awk '$1 > 1 { print $2 }' >>"$tmp/torch.rates"
	fi
	r=$((r + 1))
done

usc=$(median <"$tmp/usc.rates")
torch=$(median <"$tmp/torch.rates")
mflop=$(sed -n 's/.* \([0-9.]*\) MFLOP per training sample.*/\1/p' "$tmp/usc.err" | head -1)
sgemm=$(sed -n 's/.*sgemm \([0-9.]*\) GFLOP\/s.*/\1/p' "$tmp/usc.err" | head -1)
core=$(sed -n 's/.*OPENBLAS_CORETYPE=\([A-Za-z0-9]*\).*/\1/p' "$tmp/usc.err" | head -1)
gflops=$(awk -v r="$usc" -v f="${mflop:-0}" 'BEGIN { printf "%.1f", r * f / 1000 }')
tgflops=$(awk -v r="${torch:-0}" -v f="${mflop:-0}" 'BEGIN { printf "%.1f", r * f / 1000 }')
ratio=$(awk -v a="$usc" -v b="${torch:-0}" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')
echo "bench-ae: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $THREADS threads, OPENBLAS_CORETYPE=${core:-?}, sgemm ${sgemm:-?} GFLOP/s (conv-shaped, all threads)"
printf '%-8s %6s %7s %10s %8s %10s %8s %9s %6s\n' arch batch samples "usc/s" GFLOP/s "pytorch/s" GFLOP/s MFLOP/smp ratio
printf '%-8s %6s %7s %10.0f %8s %10.0f %8s %9s %6s\n' synth $BATCH "$ntrain" "$usc" "$gflops" "${torch:-0}" \
	"$tgflops" "${mflop:--}" "$ratio"
