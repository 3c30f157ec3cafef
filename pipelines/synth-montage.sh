#!/bin/sh
# synth-montage.sh [OUT.png]: a picture to check the generators by eye.
# Makes a short MNIST-MOT and Sprites-MOT video, picks frames where boxes
# overlap and where objects cross the frame border, and draws, per dataset,
# two rows: the frames (img1/*.png) with the gt.txt full-patch boxes (green)
# and the gt_tight.txt boxes (red); below, the gt_mots.txt instance masks,
# one colour per id, over a dimmed frame. Everything is read back from the
# written files. Needs python3 with numpy and PIL (python3-numpy,
# python3-pil). MNIST is left out when the digits are missing (make data).
set -eu
BIN=${BIN:-bin}
out=${1:-synth-montage.png}
py=/usr/bin/python3
[ -x $py ] || py=python3
$py -c 'import numpy, PIL' 2>/dev/null || {
	echo "synth-montage: needs python3-numpy and python3-pil" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
dirs=""
for ds in mnist sprites; do
	if "$BIN/mots-synth" --dataset $ds -o "$tmp/$ds" --frames 400 --seed 5 -q 2>"$tmp/err"; then
		dirs="$dirs $tmp/$ds"
	else
		echo "synth-montage: $ds skipped: $(cat "$tmp/err")" >&2
	fi
done
[ -n "$dirs" ] || exit 1
$py - "$out" $dirs <<'PY'
import sys, os, numpy as np
from PIL import Image, ImageDraw

def rle_decode(s, h, w):
    # COCO compressed string -> counts -> column-major mask
    cnts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1f) << (5 * k)
            more = c & 0x20
            p += 1; k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(cnts) > 2:
            x += cnts[-2]
        cnts.append(x)
    flat = np.zeros(h * w, np.uint8)
    pos, v = 0, 0
    for c in cnts:
        if v:
            flat[pos:pos + c] = 1
        pos += c; v ^= 1
    return flat.reshape(w, h).T

def boxes(path):
    d = {}
    for line in open(path):
        f = line.split(',')
        d.setdefault(int(f[0]), []).append((int(f[1]), *[float(x) for x in f[2:6]]))
    return d

Z = 3   # upscale
rows = []
for d in sys.argv[2:]:
    full, tight = boxes(d + '/gt/gt.txt'), boxes(d + '/gt/gt_tight.txt')
    masks = {}
    for line in open(d + '/gt/gt_mots.txt'):
        f, i, c, h, w, r = line.split()
        masks.setdefault(int(f), []).append((int(i), rle_decode(r, int(h), int(w))))
    def overlap(f):
        b = full.get(f, [])
        return any(max(0, min(p[1] + p[3], q[1] + q[3]) - max(p[1], q[1])) *
                   max(0, min(p[2] + p[4], q[2] + q[4]) - max(p[2], q[2])) > 0
                   for a, p in enumerate(b) for q in b[a + 1:])
    def border(f):
        return any(b[1] < 1 or b[2] < 1 or b[1] + b[3] > 129 or b[2] + b[4] > 129 for b in full.get(f, []))
    ov = [f for f in sorted(full) if overlap(f)][:4]
    bo = [f for f in sorted(full) if border(f) and f not in ov][:2]
    frames = sorted(ov + bo)
    top, bottom = [], []
    for f in frames:
        im = Image.open('%s/img1/%06d.png' % (d, f)).convert('RGB')
        a = np.asarray(im)
        big = im.resize((a.shape[1] * Z, a.shape[0] * Z), Image.NEAREST)
        dr = ImageDraw.Draw(big)
        for (i, x, y, w, h) in full[f]:
            dr.rectangle([(x - 1) * Z, (y - 1) * Z, (x - 1 + w) * Z - 1, (y - 1 + h) * Z - 1], outline=(0, 255, 0))
            dr.text(((x - 1) * Z + 2, (y - 1) * Z + 1), str(i), fill=(0, 255, 0))
        for (i, x, y, w, h) in tight.get(f, []):
            dr.rectangle([(x - 1) * Z, (y - 1) * Z, (x - 1 + w) * Z - 1, (y - 1 + h) * Z - 1], outline=(255, 40, 40))
        dr.text((4, 4), 'frame %d' % f, fill=(255, 255, 255))
        top.append(big)
        m = (a * 0.3).astype(np.float64)
        pal = [(255, 80, 80), (80, 255, 80), (80, 120, 255), (255, 255, 80), (255, 80, 255), (80, 255, 255)]
        seen = np.zeros(a.shape[:2], np.int32)
        for (i, mk) in masks.get(f, []):
            seen += mk
            m[mk > 0] = pal[i % len(pal)]
        if seen.max() > 1:
            print('synth-montage: overlapping masks in frame', f, file=sys.stderr)
        mi = Image.fromarray(m.astype(np.uint8)).resize((a.shape[1] * Z, a.shape[0] * Z), Image.NEAREST)
        ImageDraw.Draw(mi).text((4, 4), 'masks %s' % os.path.basename(d), fill=(255, 255, 255))
        bottom.append(mi)
    rows += [top, bottom]
W = max(sum(i.width + 4 for i in r) for r in rows)
H = sum(max(i.height for i in r) + 4 for r in rows)
canvas = Image.new('RGB', (W, H), (60, 60, 60))
y = 0
for r in rows:
    x = 0
    for i in r:
        canvas.paste(i, (x, y)); x += i.width + 4
    y += max(i.height for i in r) + 4
canvas.save(sys.argv[1])
print('synth-montage: wrote', sys.argv[1], '(%dx%d)' % canvas.size)
PY
