#!/bin/sh
# The Python example of mots-stream(5), taken from the page itself, reads
# a stream with z and ids as the page says.
. tests/cli/lib.sh
PY=
for p in python3 /usr/bin/python3; do
	command -v "$p" >/dev/null && "$p" -c 'import msgpack' 2>/dev/null && { PY=$p; break; }
done
if [ -z "$PY" ]; then
	skip "mots-stream(5) Python example" "no python3 with msgpack (python3-msgpack)"
	exit 0
fi
awk '/^import struct, sys/ { on = 1 } on && /^\.fi/ { exit } on' man/man5/mots-stream.5 >"$T/ex.py"
"$BIN/mots-synth" --dataset sprites --train --seed 5 --frames 30 -o "$T/v" -q &&
	"$BIN/mots-extract" --mots "$T/v/gt/gt_mots.txt" --patch 28 -q -o "$T/a.det" &&
	"$BIN/ae-train" -q --batch 32 --epochs 1 --filters 4,4,4 --latent 8 --no-calib -o "$T/m.mp" "$T/a.det" &&
	"$BIN/ae-embed" -q -m "$T/m.mp" "$T/a.det" | "$BIN/cgraph-build" -q | "$BIN/ckmeans" -q -o "$T/t.det" ||
	{ echo "not ok - make a tracked stream"; exit 1; }
n=$("$BIN/mots-dump" --fields k "$T/t.det" | wc -l)
# the example, plus a line that checks what it unpacked from the last record
printf '%s\n' '            assert len(z) == 8 and track > 0' >>"$T/ex.py"
check "mots-stream(5) Python example reads the page's keys" sh -c "[ -s '$T/ex.py' ] &&
	'$PY' '$T/ex.py' '$T/t.det' >'$T/out' && grep -q '^sequence .* 256 x 256\$' '$T/out' &&
	grep -qx '$n records' '$T/out'"
