#!/bin/sh
# ae-train / ae-embed: training on a short Sprites-MOT video, the model
# file, determinism, --resume, embedding in batches, the box-only and
# mask-only autoencoders (--inputs), and the errors users hit. Small
# networks and few epochs: seconds.
. tests/cli/lib.sh
TR=$BIN/ae-train
EM=$BIN/ae-embed
DUMP=$BIN/mots-dump

"$BIN/mots-synth" --dataset sprites --train --seed 3 --frames 80 -o "$T/v" -q &&
	"$BIN/mots-extract" --mots "$T/v/gt/gt_mots.txt" --patch 28 --keep-ids -q -o "$T/a.det" &&
	"$BIN/mots-extract" --mots "$T/v/gt/gt_mots.txt" --keep-ids -q -o "$T/nopatch.det" ||
	{ echo "not ok - make data"; exit 1; }
SMALL="--batch 64 --epochs 3 --filters 8,8,8 --latent 16 --threads 2 -q"
records() { "$DUMP" --fields k "$1" | wc -l; }

# trains from the same arguments in fresh folders; model bytes must match
train_in() {   # DIR ARGS...
	d=$1; shift
	mkdir -p "$T/$d" && (cd "$T/$d" && "$TR" "$@")
}
check trains_a_model train_in r1 $SMALL --log log.csv -o m.mp ../a.det
check model_is_a_model_map sh -c "'$DUMP' '$T/r1/m.mp' | grep -q '\"kind\":\"model\".*\"arch\":\"synth\".*\"latent\":16'"
# a two-input model is written as before --inputs existed (old readers read it)
check both_inputs_model_has_no_inputs_key sh -c "! '$DUMP' '$T/r1/m.mp' | grep -q '\"inputs\"' &&
	cd '$T' && mkdir -p r1b && cd r1b && '$TR' --inputs both $SMALL --log log.csv -o m.mp ../a.det &&
	'$DUMP' --full m.mp | sed 's/\"args\":\"[^\"]*\"//; s/\"checksum\":[0-9]*//' >d1 && '$DUMP' --full ../r1/m.mp | sed 's/\"args\":\"[^\"]*\"//; s/\"checksum\":[0-9]*//' >d2 &&
	cmp d1 d2"
check same_seed_same_bytes sh -c "cd '$T' && mkdir -p r2 && cd r2 && '$TR' $SMALL --log log.csv -o m.mp ../a.det && cmp m.mp ../r1/m.mp"
check other_seed_other_bytes sh -c "cd '$T' && mkdir -p r3 && cd r3 && '$TR' $SMALL --seed 2 -o m.mp ../a.det && ! cmp -s m.mp ../r1/m.mp"
check one_thread_trains train_in r4 --batch 64 --epochs 1 --filters 8,8,8 --latent 16 --threads 1 -q -o m.mp ../a.det
check log_has_a_row_per_epoch sh -c "head -1 '$T/r1/log.csv' | grep -q '^epoch,loss,mask_mse,box_mse,val_loss' &&
	[ \$(wc -l <'$T/r1/log.csv') = 4 ] && awk -F, 'NR > 1 && NF != 10 { exit 1 }' '$T/r1/log.csv'"

# --resume after 2 epochs ends where 3 epochs straight end: same z
resumed() {
	train_in r5 --batch 64 --epochs 2 --filters 8,8,8 --latent 16 --threads 2 -q -o m.mp ../a.det &&
	train_in r5 --batch 64 --epochs 3 --filters 8,8,8 --latent 16 --threads 2 -q --resume -o m.mp ../a.det &&
	"$EM" -q -m "$T/r5/m.mp" "$T/a.det" | "$DUMP" --full --fields k,z >"$T/z5" &&
	"$EM" -q -m "$T/r1/m.mp" "$T/a.det" | "$DUMP" --full --fields k,z >"$T/z1" &&
	[ -s "$T/z1" ] && cmp "$T/z1" "$T/z5"
}
check resume_continues_exactly resumed
"$EM" -q -m "$T/r3/m.mp" "$T/a.det" | "$DUMP" --full --fields k,z >"$T/z5.other"

# ae-embed: a z of latent size on every record, the header's zdim, and the
# result does not depend on the batch (up to float rounding: sgemm may sum
# in another order for another number of rows)
same_numbers() {   # FILE1 FILE2: same lines, numbers within 1e-5 (relative to 1 + |x|)
	awk 'NR == FNR { a[FNR] = $0; next }
	{ n = split(a[FNR], x, /[][,:{}"]+/); m = split($0, y, /[][,:{}"]+/)
	  if (n != m) exit 1
	  for (i = 1; i <= n; i++) {
	    if (x[i] ~ /^-?[0-9]/) { d = x[i] - y[i]; if (d < 0) d = -d; s = x[i] < 0 ? -x[i] : x[i]; if (d > 1e-5 * (1 + s)) exit 1 }
	    else if (x[i] != y[i]) exit 1 } }
	END { if (FNR != NR / 2) exit 1 }' "$1" "$2"
}
embedded() {
	"$EM" -q -m "$T/r1/m.mp" -o "$T/e.det" "$T/a.det" &&
	"$DUMP" --check "$T/e.det" >/dev/null &&
	"$DUMP" --head 1 "$T/e.det" | grep -q '"zdim":16' &&
	[ "$("$DUMP" --fields z "$T/e.det" | grep -c '"f32":16')" = "$(records "$T/a.det")" ]
}
check embed_adds_z embedded
batch_free() {
	"$EM" -q --batch 1 -m "$T/r1/m.mp" "$T/a.det" | "$DUMP" --full --fields k,z >"$T/zb1" &&
	"$EM" -q --batch 7 -m "$T/r1/m.mp" "$T/a.det" | "$DUMP" --full --fields k,z >"$T/zb7" &&
	same_numbers "$T/zb1" "$T/zb7" && same_numbers "$T/zb1" "$T/z1" && ! same_numbers "$T/zb1" "$T/z5.other"
}
check embed_batch_does_not_matter batch_free
check embed_keeps_other_fields sh -c "'$EM' -q -m '$T/r1/m.mp' '$T/a.det' | '$DUMP' --fields gt,box | head -3 | grep -q '\"gt\":'"
check reads_stdin_and_two_inputs sh -c "cat '$T/a.det' | '$TR' $SMALL --epochs 1 -o '$T/s.mp' && '$TR' $SMALL --epochs 1 -o '$T/t.mp' '$T/a.det' '$T/a.det'"

# training lowers the validation loss (Adam, so a few epochs show it)
lowers() {
	train_in r6 --batch 32 --epochs 8 --optimizer adam --lr 0.002 --filters 8,16,16 --latent 16 --threads 2 -q \
		--log log.csv -o m.mp ../a.det &&
	awk -F, 'NR == 2 { first = $5 } END { last = $5; exit !(last < 0.8 * first) }' "$T/r6/log.csv"
}
check training_lowers_validation_loss lowers
fixed() {
	train_in r7 $SMALL --epochs 1 --weights fixed -o m.mp ../a.det &&
	"$DUMP" "$T/r7/m.mp" | grep -q '"weights":"fixed".*"logvar_init":\[\([-0-9.e]*\),\([-0-9.e]*\)\].*"log_var":\[\1,\2\]'
}
check fixed_weights_keep_the_log_variances fixed
# --inputs box|mask (the paper's loc / shape ablation): one autoencoder
# each, the inputs kept in the model; ae-embed gives z of the latent size
# on every record and reads only what the model needs
BOXONLY="--inputs box --batch 64 --epochs 3 --latent 16 --threads 2 -q"
zs() { "$EM" -q -m "$1" "$2" | "$DUMP" --full --fields k,z; }   # MODEL STREAM
has_z16() {   # STREAM: z of 16 floats on every record of the input
	"$DUMP" --head 1 "$1" | grep -q '"zdim":16' &&
	[ "$("$DUMP" --fields z "$1" | grep -c '"f32":16')" = "$(records "$T/a.det")" ]
}
box_only() {
	train_in rb $BOXONLY -o m.mp ../nopatch.det &&
	"$DUMP" "$T/rb/m.mp" | grep -q '"arch":"synth","inputs":"box","latent":16,' &&
	! "$DUMP" "$T/rb/m.mp" | grep -q -e '"patch"' -e '"enc0' -e '"dec\.out' &&
	"$EM" -q -m "$T/rb/m.mp" -o "$T/eb.det" "$T/nopatch.det" && has_z16 "$T/eb.det" &&
	zs "$T/rb/m.mp" "$T/nopatch.det" >"$T/zb" && zs "$T/rb/m.mp" "$T/a.det" >"$T/zbp" && cmp "$T/zb" "$T/zbp"
}
check box_only_trains_and_embeds_without_patches box_only
check box_only_ignores_patches sh -c "cd '$T' && mkdir -p rb2 && cd rb2 && '$TR' $BOXONLY -o m.mp ../a.det &&
	'$DUMP' --full m.mp | sed 's/\"args\":\"[^\"]*\"//; s/\"checksum\":[0-9]*//' >d1 && '$DUMP' --full ../rb/m.mp | sed 's/\"args\":\"[^\"]*\"//; s/\"checksum\":[0-9]*//' >d2 &&
	cmp d1 d2"
box_resumed() {   # the inputs come from the model
	train_in rb3 --inputs box --batch 64 --epochs 2 --latent 16 --threads 2 -q -o m.mp ../nopatch.det &&
	train_in rb3 --batch 64 --epochs 3 --threads 2 -q --resume -o m.mp ../nopatch.det &&
	zs "$T/rb3/m.mp" "$T/nopatch.det" | cmp - "$T/zb"
}
check box_only_resume_continues_exactly box_resumed
mask_only() {
	train_in rm $SMALL --inputs mask -o m.mp ../a.det &&
	"$DUMP" "$T/rm/m.mp" | grep -q '"inputs":"mask","patch":\[28,28,1\]' &&
	! "$DUMP" "$T/rm/m.mp" | grep -q -e '"norm"' -e '"box\.' &&
	"$EM" -q -m "$T/rm/m.mp" -o "$T/em.det" "$T/a.det" && has_z16 "$T/em.det"
}
check mask_only_trains_and_embeds mask_only
# the absent task's errors are 0, the present one's are numbers
check one_input_logs sh -c "cd '$T/rm' && '$TR' $SMALL --inputs mask --log log.csv -o m2.mp ../a.det &&
	'$TR' $BOXONLY --log blog.csv -o b.mp ../a.det &&
	[ \$(wc -l <log.csv) = 4 ] && [ \$(wc -l <blog.csv) = 4 ] &&
	awk -F, 'NR > 1 && !(\$4 == 0 && \$7 == 0 && \$3 > 0 && \$6 > 0) { exit 1 }' log.csv &&
	awk -F, 'NR > 1 && !(\$3 == 0 && \$6 == 0 && \$4 > 0 && \$7 > 0) { exit 1 }' blog.csv"

check patience_stops_early sh -c "'$TR' --batch 64 --epochs 50 --patience 1 --optimizer adam --lr 1 --filters 4,4,4 --latent 4 -o '$T/p.mp' '$T/a.det' 2>&1 | grep -q 'stopped early'"

# errors
usage2() { "$@" >/dev/null 2>"$T/.e2"; [ $? = 2 ] && grep -q '^ae-[a-z]*: ' "$T/.e2"; }
check bad_option_exits_2 usage2 "$TR" --arch foo -o "$T/x.mp" "$T/a.det"
check bad_inputs_exit_2 usage2 "$TR" --inputs loc -o "$T/x.mp" "$T/a.det"
check bad_filters_exit_2 usage2 "$TR" --filters 8,,x -o "$T/x.mp" "$T/a.det"
check missing_model_option_exits_2 usage2 "$EM" "$T/a.det"
fails embed_missing_model "$EM" -m "$T/nope.mp" "$T/a.det"
fails embed_not_a_model "$EM" -m "$T/a.det" "$T/a.det"
head -c 2000 "$T/r1/m.mp" >"$T/cut.mp"
fails embed_truncated_model "$EM" -m "$T/cut.mp" "$T/a.det"
"$BIN/mots-extract" --mots "$T/v/gt/gt_mots.txt" --patch 20 -q -o "$T/p20.det"
fails embed_other_patch_size "$EM" -m "$T/r1/m.mp" "$T/p20.det"
fails resume_without_checkpoint "$TR" $SMALL --resume -o "$T/none.mp" "$T/a.det"
fails resume_other_data "$TR" $SMALL --resume -o "$T/r1/m.mp" "$T/p20.det"
fails train_needs_patches "$TR" $SMALL -o "$T/np.mp" "$T/nopatch.det"
fails mask_only_train_needs_patches "$TR" $SMALL --inputs mask -o "$T/np.mp" "$T/nopatch.det"
fails embed_mask_only_needs_patches "$EM" -m "$T/rm/m.mp" "$T/nopatch.det"
check failed_train_leaves_no_model test ! -e "$T/np.mp"
# a --log that cannot be written fails before the first epoch: no model
fails train_bad_log_path "$TR" $SMALL --log "$T/no/such/dir/log.csv" -o "$T/bl.mp" "$T/a.det"
check bad_log_path_fails_before_training test ! -e "$T/bl.mp"
# one flipped bit in a model, or a NaN weight, is refused by ae-embed
flip_at() {   # IN OUT OFFSET: OUT is IN with the low bit of byte OFFSET flipped
	head -c "$3" "$1" >"$2" &&
	printf "\\$(printf %03o $(( $(od -An -j "$3" -N1 -tu1 "$1") ^ 1 )))" >>"$2" &&
	tail -c +"$(( $3 + 2 ))" "$1" >>"$2"
}
size=$(wc -c <"$T/r1/m.mp")
for off in 20 300 $((size / 2)) $((size - 40)) $((size - 3)); do
	flip_at "$T/r1/m.mp" "$T/flip.mp" "$off"
	fails "embed_refuses_a_model_with_byte_${off}_flipped" "$EM" -m "$T/flip.mp" "$T/a.det"
done
if "$TR" $SMALL --epochs 1 --device cuda -o "$T/cuda.mp" "$T/a.det" 2>/dev/null; then
	skip cuda_without_device "a CUDA device answers"
else
	fails cuda_without_device "$TR" $SMALL --device cuda -o "$T/cuda.mp" "$T/a.det"
fi

# real detections (mask patches of KITTI MOTS pedestrians), a small --arch real
real=$SHARED/data/gmphd-maf/kitti-train-0000.txt
if [ -f "$real" ]; then
	realrun() {
		"$BIN/mots-extract" --mots "$real" --patch 32 -q -o "$T/k.det" &&
		"$TR" --arch real --filters 4,4,8,8,8 --latent 16 --batch 64 --epochs 1 -q -o "$T/k.mp" "$T/k.det" &&
		"$DUMP" "$T/k.mp" | grep -q '"arch":"real".*"patch":\[32,32,1\].*enc1.bn.gamma' &&
		[ "$("$EM" -q -m "$T/k.mp" "$T/k.det" | "$DUMP" --fields z | grep -c '"f32":16')" = "$(records "$T/k.det")" ]
	}
	check real_arch_on_kitti_masks realrun
else
	skip real_arch_on_kitti_masks "no ../shared/data"
fi
