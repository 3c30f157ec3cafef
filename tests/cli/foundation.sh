#!/bin/sh
# mots-extract, mots-write, mots-dump: round trips, post-processing, bad
# input (one message "tool: where: what", exit 1, no output file left), and
# the byte-for-byte round trip of every real MOTS file in ../shared.
. tests/cli/lib.sh
X=$BIN/mots-extract W=$BIN/mots-write D=$BIN/mots-dump

# Fails unless no file named like $1 (nor its temporary) exists.
absent() { ! ls "$1" "$1".tmp.* >/dev/null 2>&1; }
# said LINE: the last failing command's stderr was exactly LINE.
said() { cp "$T/.err" "$T/said"; check "... says: $1" grep -qxF -- "$1" "$T/said"; }

# A 4x6 sequence (pixel k = 4x + y, column-major). Masks: "56=" runs
# 5,6,13 = pixels 5-10, box (1,0) 2x4 (a run crossing a column spans the
# full height, as pycocotools has it); ";3:" pixels 11-13, box (2,0) 2x4;
# "03e0" pixels 0-2, box (0,0) 1x3; "86:" pixels 8-13, box (2,0) 2x4.
# Ids class*1000+n as in ground truth, one ignore region.
cat >"$T/seq.txt" <<'EOF'
0 1001 1 4 6 56=
0 1002 1 4 6 ;3:
1 1001 1 4 6 03e0
1 2001 2 4 6 86:
2 1001 1 4 6 03e0
2 10000 10 4 6 ;3:
EOF

check "round trip of a small MOTS txt" sh -c "$X --mots $T/seq.txt --keep-ids | $W --mots $T/rt.txt && cmp $T/seq.txt $T/rt.txt"
check "ignore regions dropped without --keep-ids" sh -c "$X --mots $T/seq.txt | $D --fields f,cls | grep -c . | grep -qx 5"
check "--class keeps one class" sh -c "$X --mots $T/seq.txt --class 2 --keep-ids | $D --fields gt | tr -d '\n' | grep -qx '{\"gt\":2001}'"
check "--min-area drops small boxes" sh -c "$X --mots $T/seq.txt --min-area 5 | $D --fields k | tr -d '\n' | grep -qx '{\"k\":0}{\"k\":1}{\"k\":3}'"
check "header carries seq, size, patch" sh -c "$X --mots $T/seq.txt --patch 8 | $D --head 1 | grep -q '\"seq\":\"seq\",\"width\":6,\"height\":4,\"patch\":\\[8,8,1\\]'"
check "boxes are recomputed from the masks" sh -c "$X --mots $T/seq.txt | $D --head 2 --fields box | tail -1 | grep -qx '{\"box\":\\[2,0,2,4\\]}'"
check "--check verdict" sh -c "$X --mots $T/seq.txt -o $T/seq.det && $D --check $T/seq.det | grep -qx '$T/seq.det: ok: 1 segment, 5 records, frames 0..2'"
check "concatenated streams are two segments" sh -c "cat $T/seq.det $T/seq.det | $D --check | grep -q 'ok: 2 segments, 10 records'"
check "mots-dump | head -1 is quiet" sh -c "$X --mots $T/seq.txt --patch 512 >$T/big.det && $D --full $T/big.det 2>$T/dump.err | head -1 >/dev/null && test ! -s $T/dump.err"

# Post-processing. The first two masks overlap on pixels 8-10; without
# scores the earlier record keeps them.
printf '0 1 1 4 6 56=\n0 2 1 4 6 86:\n' >"$T/ov.txt"
check "--no-overlap gives the pixels to the earlier mask" sh -c "$X --mots $T/ov.txt --keep-ids | $W --no-overlap --mots $T/ov.out && printf '0 1 1 4 6 56=\n0 2 1 4 6 ;3:\n' | cmp - $T/ov.out"
check "--no-overlap: a mask left empty is dropped" sh -c "printf '0 1 1 4 6 56=\n0 2 1 4 6 63?\n' >$T/ov3.txt && $X --mots $T/ov3.txt --keep-ids | $W --no-overlap --mots $T/ov3.out && printf '0 1 1 4 6 56=\n' | cmp - $T/ov3.out"
check "--min-track drops short tracks" sh -c "$X --mots $T/seq.txt --keep-ids | $W --min-track 2 --mots $T/mt.txt && awk '{print \$2}' $T/mt.txt | tr '\n' ' ' | grep -qx '1001 1001 1001 '"
check "--mot writes 1-based boxes" sh -c "$X --mots $T/seq.txt --keep-ids | $W --mot $T/b.txt && head -1 $T/b.txt | grep -qx '0,1001,2,1,2,4,1,-1,-1,-1'"
check "instance PNGs and back" sh -c "$X --mots $T/seq.txt --keep-ids | $W --png $T/png && ls $T/png | tr '\n' ' ' | grep -qx '000000.png 000001.png 000002.png ' && $X --png $T/png --keep-ids | $W --mots $T/png.txt && cmp $T/seq.txt $T/png.txt"

# Frames for --images and --overlay (RGB PNGs written with Python's stdlib).
if command -v python3 >/dev/null 2>&1; then
	mkdir -p "$T/img"
	python3 - "$T/img" <<'EOF'
import struct, sys, zlib
def png(path, w, h, rows):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\0" + bytes(r) for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
for f in range(3):
    png("%s/%06d.png" % (sys.argv[1], f), 6, 4,
        [[(10 * y + x + f) % 256 for x in range(6) for _ in range(3)] for y in range(4)])
EOF
	# Mask 1001 in frame 0 covers pixels (x=1,y=1..3), (x=2,y=0..2): box 1,0 2x4.
	check "--images gives masked RGB patches" sh -c "$X --mots $T/seq.txt --patch 4 --images $T/img | $D --head 1 --full --fields patch | grep -qx '{\"patch\":\\[0,0,0,0,0,0,2,2,2,0,0,0,0,0,0,11,11,11,12,12,12,0,0,0,0,0,0,21,21,21,22,22,22,0,0,0,0,0,0,31,31,31,0,0,0,0,0,0\\]}'"
	check "overlay frames" sh -c "$X --mots $T/seq.txt --keep-ids | $W --overlay $T/ov --images $T/img && ls $T/ov | grep -c png | grep -qx 3"
else
	skip "--images gives masked RGB patches" "no python3 to write test frames"
	skip "overlay frames" "no python3 to write test frames"
fi

# Bad input: each one message, exit 1, no output.
printf '0 1 1 4 6 56=\n0 2 1 4 6 569\n' >"$T/badrle.txt"
fails "RLE runs not summing to h*w" $X --mots "$T/badrle.txt" -o "$T/o1.det"
said "mots-extract: $T/badrle.txt:2: RLE runs sum to 20, not 4x6 = 24"
check "... no output" absent "$T/o1.det"
fails "missing file" $X --mots "$T/nonexistent.txt" -o "$T/o2.det"
check "... no output" absent "$T/o2.det"
printf '1 1 1 4 6 56=\n0 2 1 4 6 86:\n' >"$T/order.txt"
fails "txt frames out of order" $X --mots "$T/order.txt" -o "$T/o3.det"
check "... no output" absent "$T/o3.det"
printf '0 1 2 3 4 nan 1 4 6 56=\n' >"$T/nan.txt"
fails "NaN score" $X --mots20 "$T/nan.txt" -o "$T/o4.det"
said "mots-extract: $T/nan.txt:1: score is NaN"
mkdir -p "$T/notpng" && echo "not a png" >"$T/notpng/000000.png"
fails "a PNG that is not a PNG" $X --png "$T/notpng" -o "$T/o5.det"
said "mots-extract: $T/notpng/000000.png: not a PNG file"

head -c 200 "$T/big.det" >"$T/trunc.det"
fails "truncated stream" $W --mots "$T/o6.txt" "$T/trunc.det"
check "... no output" absent "$T/o6.txt"
$X --mots "$T/seq.txt" --keep-ids >"$T/full.det"
head -c $(($(wc -c <"$T/full.det") - 13)) "$T/full.det" >"$T/notrailer.det"
fails "stream without its trailer" $W --mots "$T/o7.txt" "$T/notrailer.det"
said "mots-write: $T/notrailer.det: trailer: truncated stream: no trailer after 6 records (did the previous stage fail?)"
check "... no output" absent "$T/o7.txt"
# {"stream":"other","kind":"det","version":1}
printf '\203\246stream\245other\244kind\243det\247version\001' >"$T/schema.det"
fails "wrong schema" $D --check "$T/schema.det"
said "mots-dump: $T/schema.det: header: not a usc-mots stream (\"stream\" is not \"usc-mots\")"
printf '\203\246stream\250usc-mots\244kind\243det\247version\002' >"$T/v2.det"
fails "newer version" $W --mots "$T/o8.txt" "$T/v2.det"
said "mots-write: $T/v2.det: header: stream version 2 is newer than this tool's (1); update usc-mots"
LC_ALL=C awk 'BEGIN { srand(42); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 255) + 1 }' >"$T/random.bin"
fails "random bytes" $W --mots "$T/o9.txt" "$T/random.bin"
check "... no output" absent "$T/o9.txt"
printf '\335\377\377\377\377' >"$T/huge.det"
fails "a 4 GiB declared array" $D "$T/huge.det"
said "mots-dump: $T/huge.det: object 1: array of 4294967295 items exceeds the cap of 16777216"
# header, {"f":1,"k":0,"id":1,"cls":1}, {"f":0,"k":1,"id":2,"cls":1}, {"end":true,"count":2}
printf '\203\246stream\250usc-mots\244kind\243det\247version\001\204\241f\001\241k\000\242id\001\243cls\001\204\241f\000\241k\001\242id\002\243cls\001\202\243end\303\245count\002' >"$T/order.det"
fails "stream frames out of order" $W --mots "$T/o10.txt" "$T/order.det"
said "mots-write: $T/order.det: record 2: frame 0 after frame 1 (records must come in frame order)"
check "... no output" absent "$T/o10.txt"
fails "a model-like file is not a stream" $W --mots "$T/o11.txt" "$T/schema.det"
fails "mots-dump --check on random bytes" $D --check "$T/random.bin"

# Real data: every PointTrack file comes back byte for byte; one of them
# also through 16-bit PNGs (decoded to pixels and encoded again).
PT=$SHARED/data/kitti-mots-pointtrack
if [ -d "$PT" ]; then
	bad=0 n=0
	for f in "$PT"/*/*.txt; do
		n=$((n + 1))
		$X --mots "$f" --keep-ids | $W --mots "$T/real.txt" && cmp -s "$f" "$T/real.txt" || { bad=$((bad + 1)); echo "    differs: $f"; }
	done
	check "all $n PointTrack files round-trip byte for byte" test "$bad" = 0
	f=$PT/pedestrian/0008.txt
	awk '{ print $1, $6 }' "$f" | sort >"$T/want.rle"
	check "our encoder re-encodes PNG pixels to the same strings" sh -c "$X --mots $f --keep-ids | $W --png $T/realpng && $X --png $T/realpng --keep-ids | $W --mots $T/realpng.txt && awk '{ print \$1, \$6 }' $T/realpng.txt | sort | cmp - $T/want.rle"
	check "mots-dump FILE | head -1 on a real stream is quiet" sh -c "$X --mots $PT/car/0000.txt --patch 28 -o $T/real.det && $D $T/real.det 2>$T/dump2.err | head -1 | grep -q '^{\"stream\":\"usc-mots\"' && test ! -s $T/dump2.err"
	check "paper filters on real data" sh -c "$X --mots $PT/car/0002.txt --class 1 --min-score 0.6 --min-area 150 --patch 128 | $D --check | grep -q 'ok: 1 segment'"
else
	skip "PointTrack round trips" "no $PT"
fi

# Small comforts of a filter: no binary on a terminal, MOTS txt by default.
CAR=$SHARED/data/kitti-mots-pointtrack/car/0002.txt
if [ ! -f "$CAR" ]; then
	skip "filter comforts" "no $CAR"
elif command -v script >/dev/null; then
	check "mots-extract refuses to write a stream to a terminal" sh -c "
		script -qec '$BIN/mots-extract --mots $CAR' /dev/null >'$T/tty.out' 2>&1
		[ \$? = 1 ] && grep -q 'refusing to write a binary stream to a terminal' '$T/tty.out'"
else
	skip "mots-extract refuses to write a stream to a terminal" "no script(1)"
fi
if [ -f "$CAR" ]; then
	check "mots-write with no output option writes MOTS txt to stdout" sh -c "
		$BIN/mots-extract -q --keep-ids --mots $CAR -o '$T/k.det' &&
		$BIN/mots-write '$T/k.det' >'$T/k.txt' && cmp '$T/k.txt' $CAR"
fi
