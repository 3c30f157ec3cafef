#!/bin/sh
# One build runs anywhere: the tools start and train on the CPU where the
# CUDA libraries are missing (hidden here by a mount namespace with an
# empty folder over the CUDA tree), --device cuda says why it cannot, and
# the default thread count follows the CPUs the process may use.
. tests/cli/lib.sh
TR=$BIN/ae-train
EM=$BIN/ae-embed
SO=$BIN/../lib/usc-mots/libusc-cuda.so
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}

"$BIN/mots-synth" --dataset sprites --train --seed 3 --frames 20 -o "$T/v" -q &&
	"$BIN/mots-extract" --mots "$T/v/gt/gt_mots.txt" --patch 28 -q -o "$T/a.det" ||
	{ echo "not ok - make data"; exit 1; }
SMALL="--batch 32 --epochs 1 --filters 4,4,4 --latent 8 -q"

check no_tool_links_cuda sh -c "! ldd '$BIN'/* | grep -q 'libcud\|libcublas'"
if [ ! -f "$SO" ]; then
	skip cpu_without_cuda_libraries "this build has no CUDA backend"
	fails cuda_device_without_backend "$TR" --device cuda $SMALL -o "$T/m0.mp" "$T/a.det"
elif [ ! -d "$CUDA_HOME/lib64" ] || ! unshare -m true 2>/dev/null; then
	skip cpu_without_cuda_libraries "needs root and unshare -m to hide $CUDA_HOME"
else
	mkdir -p "$T/empty"
	# runs "$@" with the CUDA tree hidden
	hidden() { unshare -m sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' "$T/empty" "$CUDA_HOME/lib64" "$@"; }
	hidden ldd "$SO" >"$T/ldd" 2>&1
	check cuda_libraries_are_hidden grep -q 'libcudnn.*not found' "$T/ldd"
	check trains_on_cpu_without_cuda hidden "$TR" --device auto $SMALL -o "$T/m1.mp" "$T/a.det"
	check embeds_on_cpu_without_cuda hidden "$EM" -q -m "$T/m1.mp" -o "$T/z1" "$T/a.det"
	hidden "$TR" --device cuda $SMALL -o "$T/m2.mp" "$T/a.det" >/dev/null 2>"$T/cuda.err"
	rc=$?
	check cuda_device_says_why sh -c "[ $rc = 1 ] && grep -q 'cannot load the CUDA backend: .*libcud' '$T/cuda.err' && [ ! -e '$T/m2.mp' ]"
fi

# threads: taskset's CPU set, SLURM_CPUS_PER_TASK and OPENBLAS_NUM_THREADS
V="--batch 32 --epochs 1 --filters 4,4,4 --latent 8 -v --device cpu -o $T/mt.mp $T/a.det"
if command -v taskset >/dev/null && [ "$(nproc --all)" -ge 2 ]; then
	check threads_follow_taskset sh -c "[ \"\$(taskset -c 0 '$TR' $V 2>&1 | sed -n 's/.*(\([0-9]*\) threads.*/\1/p')\" = 1 ]"
else
	skip threads_follow_taskset "needs taskset and two CPUs"
fi
check threads_follow_slurm sh -c "[ \"\$(SLURM_CPUS_PER_TASK=1 '$TR' $V 2>&1 | sed -n 's/.*(\([0-9]*\) threads.*/\1/p')\" = 1 ]"
check threads_follow_openblas sh -c "[ \"\$(OPENBLAS_NUM_THREADS=1 '$TR' $V 2>&1 | sed -n 's/.*(\([0-9]*\) threads.*/\1/p')\" = 1 ]"
check threads_option_wins sh -c "[ \"\$(SLURM_CPUS_PER_TASK=1 '$TR' $V --threads 2 2>&1 | sed -n 's/.*(\([0-9]*\) threads.*/\1/p')\" = 2 ]"
