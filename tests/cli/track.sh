#!/bin/sh
# cgraph-build and ckmeans in pipelines: the edges they add, the ids they
# give (scored with mots-eval), determinism, and their errors. A short
# Sprites-MOT video made by mots-synth, and KITTI MOTS masks from ../shared.
. tests/cli/lib.sh
D=$SHARED/data/kitti-mots-pointtrack

$BIN/mots-synth --dataset sprites -o "$T/sp" --frames 150 --seed 3 -q || exit 1
$BIN/mots-extract --mots "$T/sp/gt/gt_mots.txt" --keep-ids --patch 28 -q >"$T/sp.det" || exit 1
$BIN/cgraph-build -q --paper "$T/sp.det" >"$T/sp.cg" || exit 1

# Every record lists every earlier record of its frame, and nothing from
# more than alpha_t frames back.
edges_ok() {   # STREAM ALPHA
	$BIN/mots-dump --fields f,k,cl "$1" | awk -v A="$2" -F'[:,{}\\[\\]"]+' '
	/"k":/ {
		for (i = 1; i < NF; i++) { if ($i == "f") f = $(i + 1); if ($i == "k") k = $(i + 1) }
		s = $0; sub(/.*"cl":\[/, "", s); sub(/\].*/, "", s)
		n = split(s, e, ","); if (s == "") n = 0
		same = 0
		for (i = 1; i <= n; i++) {
			if (!(e[i] in F)) { print "unknown key " e[i]; bad = 1 }
			if (F[e[i]] == f) same++
			if (f - F[e[i]] > A) { print "key " k " links frame " F[e[i]]; bad = 1 }
		}
		if (same != seen[f] + 0) { print "key " k ": " same " same-frame links, " seen[f] + 0 " before it"; bad = 1 }
		F[k] = f; seen[f]++; recs++
	}
	END { exit bad || !recs }' >&2
}
check "cgraph-build --paper: same-frame links, nothing beyond alpha_t 1" edges_ok "$T/sp.cg" 1
# The default without z: mask IoU alone (embed needs z) and must-links
# above mask IoU 0.5, the same links as giving those; --paper has no
# must-links.
nozdefault() {
	$BIN/cgraph-build -q "$T/sp.det" >"$T/spd.cg" && edges_ok "$T/spd.cg" 1 &&
	$BIN/cgraph-build -q --paper --metric mask-iou --ml-iou 0.5 "$T/sp.det" >"$T/spm.cg" &&
	$BIN/mots-dump --fields k,cl,ml "$T/spd.cg" >"$T/spd.k" && $BIN/mots-dump --fields k,cl,ml "$T/spm.cg" >"$T/spm.k" &&
	cmp -s "$T/spd.k" "$T/spm.k" && grep -q '"ml":\[[0-9]' "$T/spd.k" &&
	! $BIN/mots-dump --fields k,cl,ml "$T/sp.cg" | grep -q '"ml":\[[0-9]'
}
check "cgraph-build: the default without z is --metric mask-iou --ml-iou 0.5" nozdefault
check "cgraph-build: --alpha-t 2" sh -c "$BIN/cgraph-build -q --alpha-t 2 '$T/sp.det' >'$T/sp2.cg'"
check "cgraph-build: --alpha-t 2 edges" edges_ok "$T/sp2.cg" 2

# IoU <= -1 never holds: only the same-frame links are left.
check "cgraph-build: --iou-thr -1 keeps only same-frame links" sh -c \
	"$BIN/cgraph-build -q --iou-thr -1 '$T/sp.det' >'$T/sp0.cg'"
check "cgraph-build: --iou-thr -1 edges" edges_ok "$T/sp0.cg" 0

# The IoU baseline needs no z: every record gets an id, and a loose
# threshold tracks the short video with few switches.
baseline() {
	$BIN/ckmeans -q --baseline iou --match-iou 0.2 "$T/sp.det" >"$T/base.det" &&
	$BIN/mots-write -q --mots "$T/base.txt" "$T/base.det" &&
	$BIN/mots-eval --gt "$T/sp/gt/gt_mots.txt" "$T/base.txt" >"$T/base.eval" &&
	awk '$1 == "COMBINED" && NF == 15 { found = 1; if ($9 != 0 || $10 != 0 || $11 > 10) exit 1 }
	     END { exit !found }' "$T/base.eval"
}
check "ckmeans --baseline iou tracks Sprites-MOT" baseline

fails "ckmeans: no z is an error" $BIN/ckmeans -q "$T/sp.cg"
fails "cgraph-build: --metric embed needs z" $BIN/cgraph-build -q --metric embed "$T/sp.det"
fails "ckmeans: not a stream" sh -c "echo hello | $BIN/ckmeans -q"
head -c 20000 "$T/sp.cg" >"$T/cut.cg"
fails "cgraph-build: truncated stream" $BIN/cgraph-build -q "$T/cut.cg"
usage() { "$@" >/dev/null 2>&1; [ $? = 2 ]; }
check "ckmeans: bad option value is a usage error" usage $BIN/ckmeans --window 0 "$T/sp.cg"
check "cgraph-build: bad metric is a usage error" usage $BIN/cgraph-build --metric cosine "$T/sp.det"
check "ckmeans: unknown baseline is a usage error" usage $BIN/ckmeans --baseline sort "$T/sp.det"
check "ckmeans: unknown order is a usage error" usage $BIN/ckmeans --order random "$T/sp.cg"
check "ckmeans: unknown centres are a usage error" usage $BIN/ckmeans --centres all "$T/sp.cg"
check "ckmeans: a negative occlusion margin is a usage error" usage $BIN/ckmeans --occlusion-margin -1 "$T/sp.cg"
# the motion gate and re-linking are on by default; with --paper (or
# --relink 0) their settings need them
for o in "--motion-iou 0.2|--motion-gate|--motion-gate" "--exit-margin 8|--motion-gate|--motion-gate" \
	"--occlusion-overlap 0.5|--motion-gate|--motion-gate" "--whole-boxes off|--motion-gate|--motion-gate" \
	"--claim-margin 0.1|--motion-gate|--motion-gate" "--relink-iou 0.2|--relink 3|--relink"; do
	opt=${o%%|*} rest=${o#*|}; given=${rest%%|*} named=${rest#*|}
	check "ckmeans --paper: ${opt% *} without $given is a usage error naming it" sh -c \
		"$BIN/ckmeans --paper $opt '$T/sp.cg' 2>'$T/needs.err'; [ \$? = 2 ] && grep -q -- '${opt% *} needs $named\$' '$T/needs.err'"
	check "ckmeans: ${opt% *} alone passes the check (on by default)" sh -c \
		"$BIN/ckmeans $opt a b 2>&1 | grep -q 'one input at most'"
	check "ckmeans --paper: ${opt% *} with $given passes the check" sh -c \
		"$BIN/ckmeans --paper $given $opt a b 2>&1 | grep -q 'one input at most'"
done
check "ckmeans: --relink-iou with --relink 0 is a usage error" sh -c \
	"$BIN/ckmeans --relink 0 --relink-iou 0.2 '$T/sp.cg' 2>'$T/needs.err'; [ \$? = 2 ] && grep -q -- '--relink-iou needs --relink\$' '$T/needs.err'"
check "ckmeans: a negative jump limit is a usage error" usage $BIN/ckmeans --max-jump -1 "$T/sp.cg"
# options that only matter with another: a usage error naming it without it
for o in "--n-init 3|--no-constraints|--no-constraints" \
	"--kmeans-iter 9|--no-constraints|--no-constraints" "--match-iou 0.2|--baseline iou|--baseline iou" \
	"--max-age 2|--baseline iou|--baseline iou"; do
	opt=${o%%|*} rest=${o#*|}; given=${rest%%|*} named=${rest#*|}
	check "ckmeans: ${opt% *} without $given is a usage error naming it" sh -c \
		"$BIN/ckmeans $opt '$T/sp.cg' 2>'$T/needs.err'; [ \$? = 2 ] && grep -q -- '${opt%% *} needs $named\$' '$T/needs.err'"
	check "ckmeans: ${opt% *} with $given passes the check" sh -c \
		"$BIN/ckmeans $opt $given a b 2>&1 | grep -q 'one input at most'"
done
check "ckmeans: a relink IoU above 1 is a usage error" usage $BIN/ckmeans --relink 3 --relink-iou 2 "$T/sp.cg"
check "cgraph-build: --ml-iou below 0.5 is a usage error" usage $BIN/cgraph-build --ml-iou 0.3 "$T/sp.det"
check "cgraph-build: a bad metric in a list is a usage error" usage $BIN/cgraph-build --metric embed,,box-iou "$T/sp.det"

# With latent vectors (a small model trained on the video itself).
if [ -x "$BIN/ae-train" ] && [ -x "$BIN/ae-embed" ]; then
	embed() {
		$BIN/ae-train -q --epochs 3 -o "$T/m.mp" "$T/sp.det" &&
		$BIN/ae-embed -q -m "$T/m.mp" "$T/sp.det" >"$T/spz.det" &&
		$BIN/cgraph-build -q "$T/spz.det" >"$T/spz.cg"
	}
	check "ae-train, ae-embed and cgraph-build give z and edges" embed
fi
if [ -s "$T/spz.cg" ]; then
	fails "ckmeans: no cl without --no-constraints" $BIN/ckmeans -q "$T/spz.det"
	tracked() {
		$BIN/ckmeans -q "$T/spz.cg" >"$T/ck.det" &&
		$BIN/mots-write -q --mots "$T/ck.txt" "$T/ck.det" &&
		$BIN/mots-eval --gt "$T/sp/gt/gt_mots.txt" "$T/ck.txt" >"$T/ck.eval" &&
		awk '$1 == "COMBINED" && NF == 15 { found = 1; if ($2 < 80) exit 1 } END { exit !found }' "$T/ck.eval"
	}
	check "cgraph-build | ckmeans, the defaults, track Sprites-MOT (sMOTSA >= 80)" tracked
	paper() {
		$BIN/cgraph-build -q --paper "$T/spz.det" | $BIN/ckmeans -q --paper >"$T/pp.det" &&
		$BIN/mots-write -q --mots "$T/pp.txt" "$T/pp.det" &&
		$BIN/mots-eval --gt "$T/sp/gt/gt_mots.txt" "$T/pp.txt" >"$T/pp.eval" &&
		awk '$1 == "COMBINED" && NF == 15 { found = 1; if ($2 < 80) exit 1 } END { exit !found }' "$T/pp.eval"
	}
	check "cgraph-build --paper | ckmeans --paper tracks Sprites-MOT (sMOTSA >= 80)" paper
	# ids of a tracked stream, without its header
	ids() { $BIN/mots-dump --fields k,id "$1"; }
	# The defaults are the options they name, given on top of --paper
	# (wherever --paper stands); --paper alone is something else.
	spelled() {
		$BIN/cgraph-build -q --paper --metric embed,mask-iou --ml-iou 0.5 "$T/spz.det" >"$T/sx.cg" &&
		$BIN/mots-dump --fields k,cl,ml "$T/sx.cg" >"$T/sx.k" && $BIN/mots-dump --fields k,cl,ml "$T/spz.cg" >"$T/sd.k" &&
		cmp -s "$T/sx.k" "$T/sd.k" &&
		$BIN/ckmeans -q --paper --order nearest --motion-gate --motion-iou 0.1 --exit-margin 8 \
			--centres tracks --occlusion-margin 1 "$T/spz.cg" >"$T/sx.det" &&
		$BIN/ckmeans -q --order nearest --motion-gate --motion-iou 0.1 --exit-margin 8 \
			--centres tracks --occlusion-margin 1 --paper "$T/spz.cg" >"$T/sy.det" &&
		ids "$T/sx.det" >"$T/sx.i" && ids "$T/sy.det" >"$T/sy.i" && ids "$T/ck.det" >"$T/sd.i" &&
		cmp -s "$T/sx.i" "$T/sd.i" && cmp -s "$T/sy.i" "$T/sd.i" &&
		$BIN/ckmeans -q --paper "$T/spz.cg" | ids - >"$T/sp.i" && ! cmp -s "$T/sp.i" "$T/sd.i"
	}
	check "cgraph-build, ckmeans: the defaults are the options they name on top of --paper" spelled
	# pairs "key earlier-key" of a stream's cannot-links
	pairs() {
		$BIN/mots-dump --fields k,cl "$1" | sed 's/[^0-9,]/ /g' |
			awk -F'[ ,]+' '{ n = 0; for (i = 1; i <= NF; i++) if ($i != "") v[++n] = $i
			                 for (i = 2; i <= n; i++) print v[1], v[i] }' | sort
	}
	# With two criteria a link needs both: the edges are those of each alone, intersected.
	both() {
		$BIN/cgraph-build -q --alpha-t 2 --metric embed --embed-thr 0.5 "$T/spz.det" >"$T/e.cg" &&
		$BIN/cgraph-build -q --alpha-t 2 --metric box-iou "$T/spz.det" >"$T/b.cg" &&
		$BIN/cgraph-build -q --alpha-t 2 --metric embed,box-iou --embed-thr 0.5 "$T/spz.det" >"$T/eb.cg" &&
		pairs "$T/e.cg" >"$T/e.p" && pairs "$T/b.cg" >"$T/b.p" && pairs "$T/eb.cg" >"$T/eb.p" &&
		[ -s "$T/eb.p" ] && comm -12 "$T/e.p" "$T/b.p" | cmp -s - "$T/eb.p"
	}
	check "cgraph-build --metric embed,box-iou: the edges both criteria give" both
	# A latent distance can forbid a pair whose masks overlap clearly: the
	# pair keeps its cannot-link and gets no must-link.
	one_edge() {
		$BIN/cgraph-build -q --metric embed --embed-thr 0.001 --ml-iou 0.5 "$T/spz.det" >"$T/em.cg" &&
		$BIN/ckmeans -q "$T/em.cg" >/dev/null &&
		$BIN/cgraph-build -q --paper --ml-iou 0.5 "$T/spz.det" | $BIN/mots-dump --fields ml | grep -q '"ml":\[[0-9]'
	}
	check "cgraph-build: a cannot-linked pair gets no must-link (ckmeans accepts the graph)" one_edge
	variants() {
		$BIN/ckmeans -q --order nearest --motion-gate --motion-iou 0.1 "$T/spz.cg" >"$T/v.det" &&
		$BIN/mots-write -q --mots "$T/v.txt" "$T/v.det" &&
		$BIN/mots-eval --gt "$T/sp/gt/gt_mots.txt" "$T/v.txt" >"$T/v.eval" &&
		awk '$1 == "COMBINED" && NF == 15 { found = 1; if ($2 < 80) exit 1 } END { exit !found }' "$T/v.eval"
	}
	check "ckmeans --order nearest --motion-gate tracks Sprites-MOT (sMOTSA >= 80)" variants
	guarded() {
		$BIN/ckmeans -v -q --order nearest --motion-gate --motion-iou 0.3 --centres tracks \
			--occlusion-margin 0 "$T/spz.cg" 2>"$T/g.log" >"$T/g.det" &&
		grep -q ' [1-9][0-9]* occluded' "$T/g.log" &&
		$BIN/mots-write -q --mots "$T/g.txt" "$T/g.det" &&
		$BIN/mots-eval --gt "$T/sp/gt/gt_mots.txt" "$T/g.txt" >"$T/g.eval" &&
		awk '$1 == "COMBINED" && NF == 15 { found = 1; if ($2 < 80) exit 1 } END { exit !found }' "$T/g.eval"
	}
	check "ckmeans --centres tracks --occlusion-margin tracks Sprites-MOT (sMOTSA >= 80)" guarded
	# Frames 60-63 missing: the window cannot span the gap, --relink can.
	# relinks NAME "OPTIONS WITHOUT" "OPTIONS WITH": the second re-links
	# and has fewer id switches on the gapped video than the first
	relinks() {
		$BIN/ckmeans -q $2 "$T/gap.cg" | $BIN/mots-write -q --mots "$T/$1.0.txt" &&
		$BIN/ckmeans -q -v $3 "$T/gap.cg" 2>"$T/$1.log" | $BIN/mots-write -q --mots "$T/$1.1.txt" &&
		grep -q ' [1-9][0-9]* relinked' "$T/$1.log" &&
		$BIN/mots-eval --gt "$T/gap.txt" "$T/$1.0.txt" >"$T/$1.0.eval" &&
		$BIN/mots-eval --gt "$T/gap.txt" "$T/$1.1.txt" >"$T/$1.1.eval" &&
		awk -v a="$2" -v b="$3" '$1 == "COMBINED" && NF == 15 { ids[++n] = $11 }
		     END { print "IDS with \"" a "\" " ids[1] ", with \"" b "\" " ids[2]; exit !(n == 2 && ids[2] < ids[1]) }' \
			"$T/$1.0.eval" "$T/$1.1.eval" >&2
	}
	gap() {
		awk '$1 < 60 || $1 > 63' "$T/sp/gt/gt_mots.txt" >"$T/gap.txt" &&
		$BIN/mots-extract -q --mots "$T/gap.txt" --patch 28 | $BIN/ae-embed -q -m "$T/m.mp" |
			$BIN/cgraph-build -q >"$T/gap.cg" &&
		relinks gap "--paper --order nearest" "--paper --order nearest --relink 4"
	}
	check "ckmeans --relink: fewer id switches across a 4-frame gap" gap
	# the defaults re-link (and the exit rule keeps newcomers off tracks
	# that left): fewer switches than the defaults with --relink 0
	check "ckmeans: the defaults re-link across a 4-frame gap" relinks gapdef "--relink 0" ""
	same_bytes() {
		$BIN/ckmeans -q --seed 7 "$T/spz.cg" >"$T/a.det" && $BIN/ckmeans -q --seed 7 "$T/spz.cg" >"$T/b.det" &&
		cmp -s "$T/a.det" "$T/b.det" &&
		$BIN/ckmeans -q --no-constraints --seed 7 "$T/spz.det" >"$T/c.det" &&
		$BIN/ckmeans -q --no-constraints --seed 7 "$T/spz.det" >"$T/d.det" && cmp -s "$T/c.det" "$T/d.det"
	}
	check "ckmeans: same seed, same bytes" same_bytes
	# A stream of two segments is two sequences: ids restart at 1.
	two() {
		cat "$T/spz.cg" "$T/spz.cg" | $BIN/ckmeans -q >"$T/two.det" &&
		[ "$($BIN/mots-dump --fields id "$T/two.det" | grep -c '"id":1}')" = \
		  "$((2 * $($BIN/mots-dump --fields id "$T/ck.det" | grep -c '"id":1}')))" ]
	}
	check "ckmeans: each segment is tracked alone" two
else
	skip "ckmeans on latent vectors" "no z"
fi

# Real masks: PointTrack's KITTI MOTS cars, ids kept only as gt. The
# baseline on unchanged masks finds every mask (no FP, no FN).
if [ -f "$D/car/0002.txt" ]; then
	real() {
		$BIN/mots-extract -q --mots "$D/car/0002.txt" --keep-ids >"$T/k.det" &&
		$BIN/cgraph-build -q --paper "$T/k.det" >"$T/k.cg" && edges_ok "$T/k.cg" 1 &&
		$BIN/ckmeans -q --baseline iou "$T/k.det" | $BIN/mots-write -q --mots "$T/k.txt" &&
		$BIN/mots-eval --gt "$D/car/0002.txt" --class 1 "$T/k.txt" >"$T/k.eval" &&
		awk '$1 == "COMBINED" && NF == 15 { found = 1; if ($9 != 0 || $10 != 0) exit 1 } END { exit !found }' "$T/k.eval"
	}
	check "KITTI MOTS cars: mask-IoU graph and baseline" real
	# Must-links above IoU 0.5 are one-to-one between frames: no key is
	# must-linked from two records, and some records have one.
	mustlinks() {
		$BIN/cgraph-build -q --paper --ml-iou 0.5 "$T/k.det" >"$T/kml.cg" &&
		$BIN/mots-dump --fields k,ml "$T/kml.cg" | sed -n 's/.*"ml":\[\([0-9,]*\)\].*/\1/p' |
			tr ',' '\n' | sed '/^$/d' | sort | uniq -d >"$T/dup.ml" &&
		[ ! -s "$T/dup.ml" ] &&
		[ "$($BIN/mots-dump --fields ml "$T/kml.cg" | grep -c '"ml":\[[0-9]')" -gt 100 ]
	}
	check "cgraph-build --ml-iou 0.5: one-to-one must-links on KITTI masks" mustlinks
else
	skip "KITTI MOTS cars" "no $D"
fi

# pipelines/track from masks to MOTS txt, MOT txt and overlay PNGs.
pipeline() {
	BIN=$BIN pipelines/track -b -k '--match-iou 0.2' -w '--first 1' -i "$T/sp/img1" -o "$T/out" \
		"$T/sp/gt/gt_mots.txt" 2>&1 &&
	[ -s "$T/out/tracks.txt" ] && [ -s "$T/out/tracks_mot.txt" ] && [ -s "$T/out/tracks.det" ] &&
	[ "$(ls "$T/out/overlay" | wc -l)" = 150 ]
}
check "pipelines/track: baseline to MOTS txt and overlays" pipeline
fails "pipelines/track: a stage failing fails the run" sh -c "BIN=$BIN pipelines/track -b -o '$T/o2' '$T/none.txt'"
check "pipelines/track -h: usage on stdout, status 0" sh -c "pipelines/track -h | grep -q '^usage: pipelines/track'"
check "pipelines/track: a bad option is a usage error (2)" sh -c "pipelines/track -Z 2>/dev/null; [ \$? = 2 ]"

# Hand-made streams of one-value z: bad numbers and bad links are refused
# with the record named.
byte() { printf "\\$(printf %03o "$1")"; }
arr() { byte $((144 + $#)); for x; do byte "$x"; done; }
rec() {   # F K Z [CL] [ML]: Z as octal escapes of a float32
	n=3; [ -n "$4" ] && n=$((n + 1)); [ -n "$5" ] && n=$((n + 1))
	byte $((128 + n)); printf '\241f'; byte "$1"; printf '\241k'; byte "$2"
	printf "\\241z\\304\\004$3"
	if [ -n "$4" ]; then printf '\242cl'; if [ "$4" = . ]; then arr; else arr $4; fi; fi
	if [ -n "$5" ]; then printf '\242ml'; arr $5; fi
}
hdr() { printf '\204\246stream\250usc-mots\244kind\243det\247version\001\244zdim\001'; }
trl() { printf '\202\243end\303\245count'; byte "$1"; }
ONE='\000\000\200\077' TWO='\000\000\000\100' NAN='\000\000\300\177' INF='\000\000\200\177'
names_rec() {   # WANT CMD...: fails with WANT in its message
	want=$1; shift
	"$@" >/dev/null 2>"$T/nr.err"; rc=$?
	[ "$rc" = 1 ] && grep -q "$want" "$T/nr.err" || { cat "$T/nr.err" >&2; return 1; }
}
{ hdr; rec 1 1 "$ONE"; rec 1 2 "$NAN"; rec 2 3 "$TWO"; trl 3; } >"$T/nan.det"
{ hdr; rec 1 1 "$ONE"; rec 1 2 "$TWO"; rec 2 3 "$INF"; trl 3; } >"$T/inf.det"
check "ckmeans --no-constraints: NaN in z is refused" names_rec "nan.det: record 2: .*NaN" \
	$BIN/ckmeans -q --no-constraints "$T/nan.det"
check "ckmeans --no-constraints: Inf in z is refused" names_rec "inf.det: record 3: .*infinite" \
	$BIN/ckmeans -q --no-constraints "$T/inf.det"
check "cgraph-build: NaN in z is refused" names_rec "nan.det: record 2" $BIN/cgraph-build -q --metric embed "$T/nan.det"
{ hdr; rec 1 1 "$ONE" .; rec 1 2 "$TWO" "1"; rec 2 3 "$ONE" . "1"; trl 3; } >"$T/ok.det"
check "ckmeans: hand-made cl and ml are read" sh -c "$BIN/ckmeans -q '$T/ok.det' >/dev/null"
# no boxes and no image size: the default motion gate, occlusion guard and
# exit rule leave such records alone; asked for, they are errors
check "ckmeans --motion-gate: a record without a box is refused" names_rec "ok.det: record 1: no box" \
	$BIN/ckmeans -q --motion-gate "$T/ok.det"
check "ckmeans --occlusion-margin: a record without a box is refused" names_rec "ok.det: record 1: no box" \
	$BIN/ckmeans -q --occlusion-margin 1 "$T/ok.det"
check "ckmeans --exit-margin: a stream without an image size is refused" names_rec "no image size" \
	$BIN/ckmeans -q --exit-margin 8 "$T/ok.det"
{ hdr; rec 1 1 "$ONE" .; rec 1 2 "$TWO" "2"; trl 2; } >"$T/self.det"
check "ckmeans: a cannot-link to the record itself is refused" names_rec "self.det: record 2: .*itself" \
	$BIN/ckmeans -q "$T/self.det"
{ hdr; rec 1 1 "$ONE" "2"; rec 1 2 "$TWO" .; trl 2; } >"$T/later.det"
check "ckmeans: a cannot-link to a later key is refused" names_rec "later.det: record 1: .*later" \
	$BIN/ckmeans -q "$T/later.det"
{ hdr; rec 1 2 "$ONE" .; rec 1 4 "$TWO" "3"; trl 2; } >"$T/unknown.det"
check "ckmeans: a cannot-link to an unknown key is refused" names_rec "unknown.det: record 2: .*unknown key 3" \
	$BIN/ckmeans -q "$T/unknown.det"
{ hdr; rec 1 1 "$ONE" .; rec 2 2 "$TWO" "1" "1"; trl 2; } >"$T/both.det"
check "ckmeans: must-link and cannot-link on one pair is refused" names_rec "both.det: record 2: .*key 1" \
	$BIN/ckmeans -q "$T/both.det"
{ hdr; rec 1 1 "$ONE" .; rec 2 3 "$TWO" . "2"; trl 2; } >"$T/mlu.det"
check "ckmeans: a must-link to an unknown key is refused" names_rec "mlu.det: record 2: .*unknown key 2" \
	$BIN/ckmeans -q "$T/mlu.det"
