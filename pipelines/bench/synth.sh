#!/bin/sh
# bench-synth: frames/s of mots-synth making a 10,000-frame Sprites-MOT and
# MNIST-MOT video (PNG frames, gt.txt, gt_tight.txt, gt_mots.txt), beside a
# reference run in the same command: the original generator's per-frame
# loop (gen_sprite.py, torch ops replaced by numpy, cv2.resize when cv2 is
# there) writing the same PNG frames (PIL) and gt.txt, as many frames.
# Medians of RUNS runs.
BIN=${BIN:-bin}
RUNS=${RUNS:-3}
FRAMES=${FRAMES:-10000}
REF_FRAMES=${REF_FRAMES:-$FRAMES}
py=/usr/bin/python3
[ -x $py ] || py=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
secs() {   # CMD... -> wall seconds
	t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "bench-synth: failed: $*" >&2; exit 1; }
	t1=$(date +%s.%N); echo "$t0 $t1" | awk '{ print $2 - $1 }'
}

cat >"$tmp/ref.py" <<'PY'
# The original gen_sprite.py loop for one stream (metric mode), in numpy.
import sys, math, numpy as np
from PIL import Image
try:
    import cv2
    resize = lambda a, h, w: cv2.resize(a, (w, h))
except ImportError:
    def resize(a, h, w):
        ys = np.clip(((np.arange(h) + .5) * a.shape[0] / h - .5).round().astype(int), 0, a.shape[0] - 1)
        xs = np.clip(((np.arange(w) + .5) * a.shape[1] / w - .5).round().astype(int), 0, a.shape[1] - 1)
        return a[ys][:, xs]
out, F = sys.argv[1], int(sys.argv[2])
H = W = 128; D = 3; h = w = 21; O = 3; m = h // 2; T = 20
rng = np.random.default_rng(1)
color = np.zeros((6, D), np.uint8)
for i in range(6):
    color[i] = [(i + 1) % 2 * 255, ((i + 1) % 4) // 2 * 255, (i + 1) // 4 * 255]
shape = np.zeros((4, h, w), np.uint8); c = (h - 1) / 2; r = h / 2
for i in range(h):
    for j in range(w):
        if (i - c) ** 2 + (j - c) ** 2 <= r * r: shape[0, i, j] = 255
        shape[1, i, j] = 255
        if (j <= w / 2 - 1 and (h - i) / (j + 1) <= 2) or (j > w / 2 - 1 and (h - i) / (w - j) <= 2): shape[2, i, j] = 255
        if abs(i - c) + abs(j - c) <= r: shape[3, i, j] = 255
states = [[0] for _ in range(O)]; oid = 0
gt = open(out + '/gt.txt', 'w')
big = np.zeros((2, H + 2 * h, W + 2 * w, D), np.uint8)
for b in range(F // T):
    unif = rng.random((T, O)); cid = (rng.random((T, O)) * 6).astype(int); sid = (rng.random((T, O)) * 4).astype(int)
    did = (rng.random((T, O)) * 4).astype(int); pid = (rng.random((T, O, 2)) * (H - 2 * m) + m).astype(int)
    sc = (rng.random((T, O)) * 2 - 1) * .1 + 1; ra = np.sqrt((rng.random((T, O)) * 2 - 1) * .2 + 1)
    seq = np.zeros((T, H, W, D), np.uint8)
    for t in range(T):
        for o in range(O):
            s = states[o]
            if s[0] < 5: s[0] += 1
            elif s[0] == 5:
                if unif[t, o] < .5:
                    h_, w_ = round(h * sc[t, o] * ra[t, o]), round(w * sc[t, o] / ra[t, o])
                    cp = np.ones((h_, w_, D), np.uint8) * color[cid[t, o]]
                    sp = resize(shape[sid[t, o]], h_, w_)
                    d = did[t, o]; p = pid[t, o]
                    x1, y1, x2, y2 = [(p[0], m, p[1], H - 1 - m), (p[0], H - 1 - m, p[1], m),
                                      (m, p[0], W - 1 - m, p[1]), (W - 1 - m, p[0], m, p[1])][d]
                    th = math.atan2(y2 - y1, x2 - x1)
                    states[o] = [6, cp, sp, x1, y1, 5.3 * math.cos(th), 5.3 * math.sin(th), 0, oid]; oid += 1
            else:
                cp, sp, x1, y1, vx, vy, st = s[1:8]
                x = round(x1 + st * vx); y = round(y1 + st * vy)
                if x < m or x > W - 1 - m or y < m or y > H - 1 - m: s[0] = 0
                else:
                    h_, w_ = sp.shape; top = math.floor(y + h - (h_ - 1) / 2); left = math.floor(x + w - (w_ - 1) / 2)
                    big[:] = 0
                    big[0, top:top + h_, left:left + w_] = cp
                    big[1, top:top + h_, left:left + w_, 0] = sp
                    ci = big[0, h:h + H, w:w + W].astype(np.float32); si = big[1, h:h + H, w:w + W, :1].astype(np.float32)
                    org = seq[t].astype(np.float32)
                    seq[t] = np.round(org + si / 255 * (ci - org)).astype(np.uint8)
                    s[7] += 1
                    gt.write("%d,%d,%.3f,%.3f,%.3f,%.3f,1,-1,-1,-1\n" % (b * T + t + 1, s[8] + 1, left - w + 1, top - h + 1, w_, h_))
        Image.fromarray(seq[t][:, :, ::-1].copy()).save('%s/%06d.png' % (out, b * T + t + 1), compress_level=3)
PY

run_ours() { rm -rf "$tmp/o"; "$BIN/mots-synth" --dataset "$1" -o "$tmp/o" --frames "$FRAMES" -q; }
run_ref() { rm -rf "$tmp/r"; mkdir "$tmp/r"; $py "$tmp/ref.py" "$tmp/r" "$REF_FRAMES"; }

have_ref=1
$py -c 'import numpy, PIL' 2>/dev/null || have_ref=0
[ -f data/mnist-digits.idx3-ubyte ] && sets="sprites mnist" || sets=sprites
for ds in $sets; do
	: >"$tmp/ours"
	for i in $(seq "$RUNS"); do secs run_ours $ds >>"$tmp/ours"; done
	t=$(median <"$tmp/ours")
	[ $ds = sprites ] && sp=$t
	echo "$ds $t" | awk -v F="$FRAMES" '{ printf "mots-synth %-8s %6d frames  median %6.2f s  %7.0f frames/s\n", $1, F, $2, F / $2 }'
done
if [ $have_ref = 1 ]; then
	: >"$tmp/ref"
	for i in $(seq "$RUNS"); do secs run_ref >>"$tmp/ref"; done
	r=$(median <"$tmp/ref")
	echo "$r" | awk -v F="$REF_FRAMES" '{ printf "reference sprites %6d frames  median %6.2f s  %7.0f frames/s (numpy port of the original loop)\n", F, $1, F / $1 }'
	echo "$sp $r" | awk -v F="$FRAMES" -v R="$REF_FRAMES" '{ printf "ratio, sprites frames/s, mots-synth / reference: %.1fx\n", (F / $1) / (R / $2) }'
else
	echo "reference skipped: needs python3-numpy and python3-pil"
fi
