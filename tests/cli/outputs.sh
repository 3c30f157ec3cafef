#!/bin/sh
# What a stream may make a tool write: sequence names checked before they
# become file names, folders replaced only when the tool made them (or with
# --force), bounded frames and pixels, temporaries of killed runs removed
# by the next run, and messages that name the paths the user gave.
. tests/cli/lib.sh
X=$BIN/mots-extract W=$BIN/mots-write D=$BIN/mots-dump S=$BIN/mots-synth

said() { cp "$T/.err" "$T/said"; check "... says: $1" grep -qxF -- "$1" "$T/said"; }
absent() { ! ls -d "$1" "$1".tmp.* >/dev/null 2>&1; }
# A process id that no process has (above Linux's largest pid_max).
DEAD=2147483646

# stream SEQ [F]: a 6x4 segment named SEQ with one record of track 1 at
# frame F (default 0): {"stream":"usc-mots","kind":"det","version":1,
# "seq":SEQ,"width":6,"height":4}, {"f":F,"k":0,"id":1,"cls":1}, trailer.
stream() {
	n=$(printf %s "$1" | wc -c)
	printf '\206\246stream\250usc-mots\244kind\243det\247version\001\243seq'
	printf "\\$(printf %o $((160 + n)))"
	printf %s "$1"
	printf '\245width\006\246height\004\204\241f'
	case ${2:-0} in
	0) printf '\000' ;;
	2) printf '\002' ;;
	huge) printf '\317\100\000\000\000\000\000\000\000' ;;   # 2^62
	esac
	printf '\241k\000\242id\001\243cls\001\202\243end\303\245count\001'
}

# 1. Sequence names become file names only when they name one file.
mkdir -p "$T/out/a/b" "$T/out/victim" && echo keep >"$T/out/victim/keep"
stream ../../victim >"$T/trav.det"
fails "a sequence name with '/' is refused" $W --png "$T/out/a/b/%s" "$T/trav.det"
said "mots-write: $T/trav.det: segment 1 header: sequence name \"../../victim\" holds '/' (a sequence name becomes a file name)"
check "... the folder it named is untouched" sh -c "[ \"\$(ls $T/out/victim)\" = keep ] && ! ls $T/out/a/b | grep -q ."
stream .. >"$T/dots.det"
fails "a sequence name '..' is refused" $W --mots "$T/out/%s" "$T/dots.det"
said "mots-write: $T/dots.det: segment 1 header: sequence name \"..\" starts with '.' (a sequence name becomes a file name)"
stream -rf >"$T/dash.det"
fails "a sequence name starting with '-' is refused" $W --mot "$T/out/%s.txt" "$T/dash.det"
stream "$(printf 'a\033b')" >"$T/ctl.det"
fails "a sequence name with a control character is refused" $W --overlay "$T/out/%s" --images "$T/out" "$T/ctl.det"
said "mots-write: $T/ctl.det: segment 1 header: sequence name \"a\\x1bb\" holds a control character (a sequence name becomes a file name)"
stream "$(printf 'ok\001')" | sed 's/ok\x01/ok\x00/' >"$T/nul.det"
fails "a NUL inside a sequence name is refused by the reader" $W --mots "$T/out/%s.txt" "$T/nul.det"
said "mots-write: $T/nul.det: header: \"seq\" holds a NUL byte"
check "no file was made for any of them" sh -c "[ \"\$(ls -A $T/out)\" = 'a
victim' ]"
check "without %s the name is not used" sh -c "$W --mot $T/out/plain.txt $T/trav.det && [ -s $T/out/plain.txt ]"
stream s1 >"$T/s1.det"
check "a valid name goes into %s" sh -c "$W --mot '$T/out/%s.txt' $T/s1.det && [ -s $T/out/s1.txt ]"
fails "two segments of one name are refused" sh -c "cat $T/s1.det $T/s1.det | $W --mots '$T/out/%s.twice'"
check "... and write nothing" absent "$T/out/s1.twice"
fails "mots-extract --seq follows the same rule" sh -c "printf '0 1 1 4 6 56=\n' | $X --mots - --seq ../x; [ \$? = 2 ] && exit 1"
printf 'name\n../0002 empty 0 10\n' >"$T/bad.seqmap"
printf '0 1 1 4 6 56=\n' >"$T/0002.txt"
fails "mots-eval: a seqmap name with '/' is refused" $BIN/mots-eval --seqmap "$T/bad.seqmap" --gt "$T/0002.txt" "$T/0002.txt"
said "mots-eval: $T/bad.seqmap:2: sequence name \"../0002\" holds '/' (a sequence name becomes a file name)"

# 2. A file is never replaced by a folder; a folder only when the tool made
# it, when it is empty, or with --force.
echo precious >"$T/file"
fails "mots-write --png FILE is refused" $W --png "$T/file" "$T/s1.det"
said "mots-write: $T/file: exists and is not a folder; not replaced"
fails "mots-write --overlay FILE is refused" $W --overlay "$T/file" --images "$T/out" "$T/s1.det"
fails "mots-synth -o FILE is refused" $S --dataset sprites -o "$T/file" --frames 2 -q
check "... the file is intact" sh -c "[ -f $T/file ] && [ \"\$(cat $T/file)\" = precious ]"
ln -s "$T/out" "$T/link"
fails "a link is not replaced" $W --png "$T/link" "$T/s1.det"
check "... it stays a link" test -L "$T/link"
mkdir "$T/mine" && echo data >"$T/mine/notes"
fails "a folder the tool did not make is refused" $W --png "$T/mine" "$T/s1.det"
said "mots-write: $T/mine: a folder that mots-write did not make; not replaced (--force replaces it, losing what it holds)"
check "... and kept" test -f "$T/mine/notes"
check "--force replaces it" sh -c "$W --png $T/mine --force $T/s1.det && [ -f $T/mine/000000.png ] && [ ! -e $T/mine/notes ]"
check "a folder mots-write made is replaced without --force" sh -c "$W --png $T/mine $T/s1.det && [ -f $T/mine/000000.png ]"
check "... and so is an empty folder" sh -c "mkdir $T/empty && $W --png $T/empty $T/s1.det && [ -f $T/empty/000000.png ]"
check "a trailing '/' names the same folder" sh -c "$W --png $T/mine/ $T/s1.det && [ -f $T/mine/000000.png ] && ! ls -d $T/mine.* $T/mine/.tmp.* 2>/dev/null"
fails "mots-synth does not replace a folder mots-write made" $S --dataset sprites -o "$T/mine" --frames 2 -q
check "... but does with --force" sh -c "$S --dataset sprites -o $T/mine --frames 2 -q --force && [ -f $T/mine/seqinfo.ini ]"
check "mots-synth replaces its own folder" $S --dataset sprites -o "$T/mine" --frames 3 -q

# 3. What one stream can make a tool write or allocate is bounded.
stream s1 huge >"$T/far.det"
fails "a record at frame 2^62 is refused by --png" $W --png "$T/far" "$T/far.det"
said "mots-write: $T/far.det: record 1: frame 4611686018427387904 makes 4611686018427387905 frames from --first 0, one file each; the limit is 1000000 (--max-frames N)"
check "... before any folder is made" absent "$T/far"
check "... --mots still writes it (one line)" sh -c "$W --mot $T/far.txt $T/far.det && [ \$(wc -l <$T/far.txt) = 1 ]"
stream s1 2 >"$T/f2.det"
fails "--max-frames 2 refuses frames 0..2" $W --max-frames 2 --png "$T/mf" "$T/f2.det"
check "--max-frames 3 allows them" sh -c "$W --max-frames 3 --png $T/mf $T/f2.det && [ \$(ls $T/mf | wc -l) = 3 ]"
# {"stream":"usc-mots","kind":"det","version":1,"width":65535,"height":65535}, no records
printf '\205\246stream\250usc-mots\244kind\243det\247version\001\245width\315\377\377\246height\315\377\377\202\243end\303\245count\000' >"$T/big.det"
fails "a 65535x65535 header is refused" $W --png "$T/big" "$T/big.det"
said "mots-write: $T/big.det: header: image 65535x65535 is 4294836225 pixels, over the limit of 67108864 (USC_MOTS_MAX_PIXELS raises it)"
check "USC_MOTS_MAX_PIXELS raises the limit" sh -c "USC_MOTS_MAX_PIXELS=4294967296 $D --check $T/big.det"
fails "USC_MOTS_MAX_PIXELS must be a number" env USC_MOTS_MAX_PIXELS=lots $D --check "$T/s1.det"
printf '0 1 1 4 6 56=\n' >"$T/small.txt"
fails "mots-extract applies the same limit to its input" env USC_MOTS_MAX_PIXELS=20 $X --mots "$T/small.txt" -o "$T/small.det"
said "mots-extract: $T/small.txt:1: image 6x4 is 24 pixels, over the limit of 20 (USC_MOTS_MAX_PIXELS raises it)"
check "... and leaves no output" absent "$T/small.det"

# 4. Temporaries of a killed run are removed by the next run for the same
# output; those of live processes and other names are left alone.
echo partial >"$T/res.txt.tmp.$DEAD"
echo live >"$T/res.txt.tmp.$$"
echo other >"$T/res.txt.tmp.0$DEAD"
echo other >"$T/res.txt.tmp.${DEAD}x"
echo other >"$T/res2.txt.tmp.$DEAD"
check "a file output" $W --mot "$T/res.txt" "$T/s1.det"
check "... removes its temporary from a dead process" test ! -e "$T/res.txt.tmp.$DEAD"
check "... keeps one of a live process" test -f "$T/res.txt.tmp.$$"
check "... keeps names that only look alike" sh -c "[ -f $T/res.txt.tmp.0$DEAD ] && [ -f $T/res.txt.tmp.${DEAD}x ] && [ -f $T/res2.txt.tmp.$DEAD ]"
mkdir -p "$T/png.tmp.$DEAD/sub" "$T/png.tmp.$$" && touch "$T/png.tmp.$DEAD/000000.png" "$T/png.tmp.$DEAD/sub/x"
check "a folder output" $W --png "$T/png" "$T/s1.det"
check "... removes a dead process's temporary folder" test ! -e "$T/png.tmp.$DEAD"
check "... keeps a live one's" test -d "$T/png.tmp.$$"
mkdir -p "$T/syn.tmp.$DEAD/img1" && touch "$T/syn.tmp.$DEAD/img1/000001.png"
check "mots-synth removes a killed run's folder" sh -c "$S --dataset sprites -o $T/syn --frames 2 -q && [ ! -e $T/syn.tmp.$DEAD ]"
echo partial >"$T/x.det.tmp.$DEAD"
check "so does mots-extract -o" sh -c "$X --mots $T/small.txt -o $T/x.det && [ ! -e $T/x.det.tmp.$DEAD ]"
check "a relative output name works too" sh -c "cd $T && echo p >rel.txt.tmp.$DEAD && $W --mot rel.txt s1.det && [ ! -e rel.txt.tmp.$DEAD ]"

# 5. Messages name the user's folder, never its temporary.
printf '0 70000 1 4 6 56=\n' >"$T/pv.txt"
$X --mots "$T/pv.txt" --keep-ids -o "$T/pv.det"
fails "an id that does not fit a PNG" $W --png "$T/pv" "$T/pv.det"
said "mots-write: $T/pv: record 1: id 70000 of class 1 does not fit the PNG format class*1000+id"
check "... and nothing is left" absent "$T/pv"

# 6. Without --min-track, mots-write holds one frame at a time: a long
# segment fits an address space that holding it would not (--min-track,
# which needs whole tracks, runs out there), with the same bytes, and a
# failure late in the stream still leaves no output, not even on stdout.
awk 'BEGIN { for (f = 0; f < 100000; f++) { print f, 1001, 1, 4, 6, "56="; print f, 1002, 1, 4, 6, "86:"; print f, 2001, 2, 4, 6, "03e0" } }' >"$T/long.txt"
$X --mots "$T/long.txt" --keep-ids -q -o "$T/long.det"
printf '0 1 1 4 6 56=\n5 1 1 4 6 56=\n' >"$T/gap.txt"
$X --mots "$T/gap.txt" --keep-ids -o "$T/gap.det"
LIM=24000   # KiB: the tool needs about 6 MB; the segment held whole, over 35 MB
if sh -c "ulimit -v $LIM && $W -q $T/gap.det" >/dev/null 2>&1; then
	check "300000 records, one segment, in $LIM KiB of address space" sh -c "ulimit -v $LIM && $W -q --no-overlap --mots $T/l.txt --mot $T/l.mot --coco $T/l.json $T/long.det"
	fails "... where --min-track 2, holding the segment, runs out" sh -c "ulimit -v $LIM && $W -q --no-overlap --min-track 2 --mots $T/lm.txt $T/long.det"
	check "... and no output is left" absent "$T/lm.txt"
else
	skip "300000 records, one segment, in $LIM KiB of address space" "ulimit -v does not bound this build (sanitizers?)"
	$W -q --no-overlap --mots "$T/l.txt" --mot "$T/l.mot" --coco "$T/l.json" "$T/long.det"
fi
check "frame by frame gives the bytes of the whole segment" sh -c "$W -q --no-overlap --min-track 2 --mots $T/lm.txt --mot $T/lm.mot --coco $T/lm.json $T/long.det &&
	cmp $T/l.txt $T/lm.txt && cmp $T/l.mot $T/lm.mot && cmp $T/l.json $T/lm.json && [ \$(wc -l <$T/l.txt) = 300000 ]"
head -c $(($(wc -c <"$T/long.det") * 9 / 10)) "$T/long.det" >"$T/long9.det"
fails "a stream cut late" sh -c "$W -q --mots $T/l9.txt --png $T/l9 --coco - $T/long9.det >$T/l9.out"
check "... leaves no file, no folder and nothing on stdout" sh -c "absent() { ! ls -d \"\$1\" \"\$1\".tmp.* >/dev/null 2>&1; }; absent $T/l9.txt && absent $T/l9 && [ ! -s $T/l9.out ]"
check "--png --first 2 writes frames 2..5, the empty ones between" sh -c "$W --png $T/gap --first 2 $T/gap.det && ls $T/gap | tr '\n' ' ' | grep -qx '000002.png 000003.png 000004.png 000005.png '"
fails "--max-frames 3 refuses frames 2..5" $W --png "$T/gap3" --first 2 --max-frames 3 "$T/gap.det"
said "mots-write: $T/gap.det: record 2: frame 5 makes 4 frames from --first 2, one file each; the limit is 3 (--max-frames N)"
check "... and nothing is left" absent "$T/gap3"
# a device or a FIFO named as the output is written in place, not replaced
# by a file (renaming over /dev/null would break the machine)
fifo() {
	mkfifo "$T/fifo" && { timeout 30 cat "$T/fifo" >"$T/fifo.got" & } &&
	$W --mots "$T/fifo" "$T/gap.det" && wait &&
	[ -p "$T/fifo" ] && $W --mots "$T/fifo.ref" "$T/gap.det" && cmp -s "$T/fifo.got" "$T/fifo.ref"
}
check "--mots FIFO: written in place, still a FIFO" fifo
