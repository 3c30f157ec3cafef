#!/bin/sh
# mots-synth: the sequence folder, its ground truth and its errors. Small
# videos only; MNIST checks skip when data/ has no digits (make data).
. tests/cli/lib.sh
S=$BIN/mots-synth
DIGITS=data/mnist-digits.idx3-ubyte

# PNG header fields: width (bytes 16-19), bit depth (24), colour type (25).
png_is() {   # FILE WIDTH COLOURTYPE
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	[ "$(od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')" = "$2" ] &&
	[ "$(od -An -tu1 -j24 -N2 "$1" | tr -s ' ' | sed 's/^ //')" = "8 $3" ]
}

# The original's box (1-based full patch, unclipped) in the MOT17 gt
# layout: considered 1, class 1, visibility 0..1.
gt_format() {
	grep -Evq '^[0-9]+,[0-9]+,-?[0-9]+\.000,-?[0-9]+\.000,[0-9]+\.000,[0-9]+\.000,1,1,(0\.[0-9]{3}|1\.000)$' "$1" && return 1
	[ -s "$1" ]
}

# Every gt_mots.txt line has a gt_tight.txt line with the same frame and
# id, in the same order, and every tight box lies inside its full box and
# inside the frame.
gt_consistent() {   # DIR SIZE
	awk '{ print $1 "," $2 }' "$1/gt/gt_mots.txt" >"$T/mots.keys"
	cut -d, -f1,2 "$1/gt/gt_tight.txt" >"$T/tight.keys"
	cmp -s "$T/mots.keys" "$T/tight.keys" || return 1
	awk -F, -v S="$2" '
	FNR == NR { k = $1 "," $2; L[k] = $3; T[k] = $4; R[k] = $3 + $5; B[k] = $4 + $6; next }
	{ k = $1 "," $2
	  if (!(k in L) || $3 < L[k] || $4 < T[k] || $3 + $5 > R[k] || $4 + $6 > B[k] ||
	      $3 < 1 || $4 < 1 || $3 + $5 - 1 > S || $4 + $6 - 1 > S) { bad = 1; print "bad " $0 } }
	END { exit bad }' "$1/gt/gt.txt" "$1/gt/gt_tight.txt" >&2 || return 1
	awk -v S="$2" '$3 != 2 || $4 != S || $5 != S { exit 1 }' "$1/gt/gt_mots.txt"
}

sprites_folder() {
	d=$T/sp
	[ -f "$d/seqinfo.ini" ] && [ -f "$d/img1/000001.png" ] && [ -f "$d/img1/000060.png" ] &&
	[ ! -e "$d/img1/000061.png" ] && [ "$(ls "$d/img1" | wc -l)" = 60 ] &&
	png_is "$d/img1/000030.png" 128 2 &&
	grep -qx 'seqLength=60' "$d/seqinfo.ini" && grep -qx 'imWidth=128' "$d/seqinfo.ini" &&
	grep -qx 'imDir=img1' "$d/seqinfo.ini" && grep -qx 'name=sp' "$d/seqinfo.ini"
}

check "sprites: 60 frames" "$S" --dataset sprites -o "$T/sp" --frames 60 --seed 3 -q
check "sprites: img1/ RGB PNGs 1..60 and seqinfo.ini" sprites_folder
check "sprites: gt.txt in the original's format" gt_format "$T/sp/gt/gt.txt"
check "sprites: frames 1-6 are empty" sh -c "! awk -F, '\$1 <= 6' '$T/sp/gt/gt.txt' | grep -q ."
check "sprites: masks, tight boxes and full boxes agree" gt_consistent "$T/sp" 128
check "sprites: sizes 17..25 x 17..26" awk -F, '$5 < 17 || $5 > 26 || $6 < 17 || $6 > 25 { exit 1 }' "$T/sp/gt/gt.txt"
check "same seed, same bytes" sh -c "'$S' --dataset sprites -o '$T/sp2' --frames 60 --seed 3 -q && diff -r '$T/sp/img1' '$T/sp2/img1' && diff -r '$T/sp/gt' '$T/sp2/gt'"
check "another seed, another video" sh -c "'$S' --dataset sprites -o '$T/sp3' --frames 60 --seed 4 -q && ! cmp -s '$T/sp/gt/gt.txt' '$T/sp3/gt/gt.txt'"
check "an existing folder is replaced whole" sh -c "'$S' --dataset sprites -o '$T/sp3' --frames 10 --seed 4 -q && [ \$(ls '$T/sp3/img1' | wc -l) = 10 ] && ! ls '$T' | grep -q 'sp3\\.'"
check "--stats counts the rows of gt.txt" sh -c "'$S' --dataset sprites -o '$T/sp4' --frames 200 --stats -q >'$T/st' && [ \"\$(awk '\$1 == \"boxes\" { print \$2 }' '$T/st')\" = \$(wc -l <'$T/sp4/gt/gt.txt') ]"
check "--train: 256x256 frames" sh -c "'$S' --dataset sprites --train -o '$T/tr' --frames 12 -q && grep -qx imWidth=256 '$T/tr/seqinfo.ini'"
check "--train: PNG is 256 wide" png_is "$T/tr/img1/000012.png" 256 2

if [ -x "$BIN/mots-extract" ] && [ -x "$BIN/mots-dump" ]; then
	check "gt_mots.txt reads back through mots-extract" sh -c "'$BIN/mots-extract' --mots '$T/sp/gt/gt_mots.txt' | '$BIN/mots-dump' --check"
else
	skip "gt_mots.txt reads back through mots-extract" "no mots-extract"
fi

if [ -x "$BIN/mots-eval" ]; then
	# mots-eval refuses masks that overlap within a frame, as mots_tools does.
	check "sprites: gt_mots.txt masks never overlap (mots-eval accepts it)" "$BIN/mots-eval" --gt "$T/sp/gt/gt_mots.txt" "$T/sp/gt/gt_mots.txt"
else
	skip "sprites: gt_mots.txt masks never overlap" "no mots-eval"
fi

if [ -f "$DIGITS" ]; then
	check "mnist: 40 frames" "$S" --dataset mnist --digits "$DIGITS" -o "$T/mn" --frames 40 --seed 2 -q
	check "mnist: 8-bit gray PNGs" png_is "$T/mn/img1/000040.png" 128 0
	check "mnist: gt.txt in the original's format, 28x28 boxes" sh -c "awk -F, '\$5 != 28 || \$6 != 28 { exit 1 }' '$T/mn/gt/gt.txt'"
	check "mnist: gt.txt format" gt_format "$T/mn/gt/gt.txt"
	check "mnist: masks, tight boxes and full boxes agree" gt_consistent "$T/mn" 128
	if [ -x "$BIN/mots-eval" ]; then
		check "mnist: gt_mots.txt masks never overlap (mots-eval accepts it)" "$BIN/mots-eval" --gt "$T/mn/gt/gt_mots.txt" "$T/mn/gt/gt_mots.txt"
	fi
	check "mnist: digits found through USC_MOTS_DATA" sh -c "cd '$T' && USC_MOTS_DATA='$(pwd)/data' '$S' --dataset mnist -o mn2 --frames 5 -q"
else
	skip "mnist checks" "no $DIGITS (make data)"
fi

fails "a digit file that is not there" "$S" --dataset mnist --digits "$T/none.idx" -o "$T/bad" --frames 5 -q
check "a failed run leaves no folder" sh -c "[ ! -e '$T/bad' ] && ! ls '$T' | grep -q '^bad'"
fails "a digit file that is not IDX" "$S" --dataset mnist --digits "$T/sp/seqinfo.ini" -o "$T/bad" -q
fails "an output folder that cannot be made" "$S" --dataset sprites -o "$T/no/such/dir" --frames 2 -q
# Without any digit pool the message says how to get one.
if (cd "$T" && USC_MOTS_DATA="$T/empty" "$S" --dataset mnist -o nodig --frames 2 -q 2>"$T/nodig.err"); then
	skip "no digits: says to run make data" "digits found beside the executable"
else
	check "no digits: says to run make data" grep -q "make data" "$T/nodig.err"
fi
usage() { "$S" "$@" >/dev/null 2>"$T/usage.err"; [ $? = 2 ] && grep -q '^mots-synth: ' "$T/usage.err"; }
check "usage: no --dataset" usage -o "$T/u"
check "usage: unknown dataset" usage --dataset cifar -o "$T/u"
check "usage: no -o" usage --dataset sprites
check "usage: bad --frames" usage --dataset sprites -o "$T/u" --frames 0
check "usage: bad --objects" usage --dataset sprites -o "$T/u" --objects 65
