#!/bin/sh
# bench-gpu: DHAE training samples/s on the GPU (ae-train --device cuda,
# the CUDA backend) for both architectures, beside the same network in
# PyTorch on the same GPU in the same run (tests/reference/
# dhae_torch_bench.py: float32, TF32 off, Adadelta, same batch size and
# sample count). Each rate is the median of the per-epoch rates after the
# first epoch (warm-up: cuDNN algorithm choice, allocation).
#
# Data: a Sprites-MOT training video from mots-synth, its instance masks
# as 28x28x1 patches (--arch synth, batch 1024) and as 128x128x3 masked
# RGB patches (--arch real, batch 512); the content does not change the
# speed. Without a CUDA device it says so and exits 0.
#   EPOCHS (5), FRAMES (5000, synth), FRAMES_REAL (1200)
BIN=${BIN:-bin}
EPOCHS=${EPOCHS:-5}
FRAMES=${FRAMES:-5000}
FRAMES_REAL=${FRAMES_REAL:-1200}
py=/usr/bin/python3
[ -x $py ] || py=python3
ref=$(dirname "$0")/../../tests/reference/dhae_torch_bench.py

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
	echo "bench-gpu: skipped: no CUDA device"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print 0; else print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# the CUDA backend must open (a build without nvcc, or a GPU this build
# has no kernels for, is reported, not benchmarked)
"$BIN/mots-synth" --dataset sprites --train --seed 7 --frames 40 -o "$tmp/probe" -q &&
	"$BIN/mots-extract" --mots "$tmp/probe/gt/gt_mots.txt" --patch 28 >"$tmp/probe.det" ||
	{ echo "bench-gpu: failed to make data" >&2; exit 1; }
if ! "$BIN/ae-train" --device cuda --epochs 1 -q -o "$tmp/probe.model" "$tmp/probe.det" 2>"$tmp/err"; then
	if grep -q 'no CUDA' "$tmp/err"; then
		echo "bench-gpu: skipped: $(cat "$tmp/err")"
		exit 0
	fi
	echo "bench-gpu: the CUDA backend fails:"
	cat "$tmp/err"
	exit 1
fi
nvidia-smi -L | sed 's/^/bench-gpu: /'

"$BIN/mots-synth" --dataset sprites --train --seed 7 --frames "$FRAMES" -o "$tmp/v" -q &&
	"$BIN/mots-extract" --mots "$tmp/v/gt/gt_mots.txt" --patch 28 >"$tmp/synth.det" &&
	"$BIN/mots-synth" --dataset sprites --train --seed 8 --frames "$FRAMES_REAL" -o "$tmp/w" -q &&
	"$BIN/mots-extract" --mots "$tmp/w/gt/gt_mots.txt" --patch 128 --images "$tmp/w/img1" >"$tmp/real.det" ||
	{ echo "bench-gpu: failed to make data" >&2; exit 1; }

printf '%-6s %6s %8s %10s %8s %12s %10s %9s\n' arch batch samples "usc/s" GFLOP/s "pytorch/s" MFLOP/smp ratio
status=0
for spec in "synth 1024" "real 512"; do
	set -- $spec
	arch=$1 batch=$2
	"$BIN/ae-train" --device cuda --arch "$arch" --batch "$batch" --epochs "$EPOCHS" -q -v \
		--log "$tmp/$arch.csv" -o "$tmp/$arch.model" "$tmp/$arch.det" 2>"$tmp/$arch.err" ||
		{ echo "bench-gpu: ae-train --arch $arch failed:"; tail -3 "$tmp/$arch.err"; status=1; continue; }
	# rates of epochs 2.. (last CSV column); training samples = 90% (validation split)
	usc=$(awk -F, 'NR > 2 && $NF != "" { print $NF }' "$tmp/$arch.csv" | median)
	mflop=$(sed -n 's/.* \([0-9.]*\) MFLOP per training sample.*/\1/p' "$tmp/$arch.err" | head -1)
	n=$(sed -n 's/^ae-train: \([0-9]*\) detections.*/\1/p' "$tmp/$arch.err" | head -1)
	ntrain=$((n - n / 10))
	gflops=$(awk -v r="$usc" -v f="${mflop:-0}" 'BEGIN { printf "%.0f", r * f / 1000 }')
	"$py" "$ref" --arch "$arch" --device cuda --batch "$batch" --samples "$ntrain" --epochs "$EPOCHS" \
		>"$tmp/$arch.torch" 2>&1
	torch=$(sed -n 's/^median \([0-9.]*\)$/\1/p' "$tmp/$arch.torch")
	if [ -n "$torch" ]; then
		ratio=$(awk -v a="$usc" -v b="$torch" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	else
		ratio=-
		torch=-
		echo "bench-gpu: pytorch reference: $(tail -1 "$tmp/$arch.torch")"
	fi
	printf '%-6s %6s %8s %10.0f %8s %12s %10s %9s\n' "$arch" "$batch" "$ntrain" "$usc" "$gflops" "$torch" \
		"${mflop:--}" "$ratio"
done
exit $status
