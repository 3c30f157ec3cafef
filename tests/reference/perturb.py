#!/usr/bin/env python3
"""Deterministic perturbation of a real MOTS txt file into a ground truth
and a tracking result that exercise every evaluation rule.

  perturb.py [--seed N] IN.txt GT_OUT.txt RES_OUT.txt [GT_BOX.txt RES_BOX.txt]

Ground truth: the input, with some occurrences of a few tracks turned into
ignore regions (class 10, ids 10000, 10001, ... per frame).
Result (same masks, new ids), per object and frame:
  * tracks renamed from a random frame on (ID switches), ids of two
    objects swapped in some frames (switches and back);
  * masks dropped (misses, fragments), masks shifted by up to 8 px
    (IoU around the 0.5 threshold, HOTA alphas), a few far-shifted copies
    (false positives);
  * the results of ignored ground truth kept (inside ignore regions);
  * overlaps removed in file order, so the result stays a valid MOTS file.
With the two extra paths, the same objects are also written as MOT box
files (boxes of the masks, 1-based; ignored ground truth with
confidence 0, which py-motmetrics' loader drops).
Only random.Random(seed).random() is used, so the output is the same on
every Python version.
"""
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mots_eval_ref import Mask, read_mots, rle_to_string  # noqa: E402


def shifted(m, dx, dy):
    xs, ys = m.idx // m.h + dx, m.idx % m.h + dy
    ok = (xs >= 0) & (xs < m.w) & (ys >= 0) & (ys < m.h)
    return Mask(m.h, m.w, np.sort(xs[ok] * m.h + ys[ok]))


def minus(m, taken):
    if taken is None or not m.idx.size:
        return m
    return Mask(m.h, m.w, np.setdiff1d(m.idx, taken, assume_unique=True))


def mot_line(f, i, m, conf):
    x0, y0, x1, y1 = m.box
    return '%d,%d,%d,%d,%d,%d,%g,-1,-1,-1\n' % (f, i, x0 + 1, y0 + 1, x1 - x0 + 1, y1 - y0 + 1, conf)


def main():
    args = sys.argv[1:]
    seed = 1
    if len(args) >= 2 and args[0] == '--seed':
        seed = int(args[1])
        args = args[2:]
    if len(args) not in (3, 5):
        sys.exit(__doc__)
    rng = random.Random(seed)
    u = rng.random
    objs = read_mots(args[0])
    frames = {}
    for o in objs:
        frames.setdefault(o[0], []).append(o)
    tracks = sorted({o[1] for o in objs})
    # Track-level choices, drawn in track order.
    ignored = {t for t in tracks if u() < 0.08}
    rename_at = {}
    for t in tracks:
        fr = sorted(o[0] for o in objs if o[1] == t)
        if u() < 0.2 and len(fr) > 2:
            rename_at[t] = fr[1 + int(u() * (len(fr) - 2))]
    new_id = {t: 1 + k * 3 for k, t in enumerate(tracks)}
    next_id = 3 * len(tracks) + 5

    gt_lines, res_lines, gt_box, res_box = [], [], [], []
    for f in sorted(frames):
        objs_f = frames[f]
        nign = 0
        for (fr, tid, cls, m) in objs_f:
            h, w = m.h, m.w
            if tid in ignored and u() < 0.6:
                gt_lines.append('%d %d %d %d %d %s\n' % (f, 10000 + nign, 10, h, w, rle_to_string(m.counts())))
                gt_box.append(mot_line(f, 100000 + tid, m, 0))
                nign += 1
            else:
                gt_lines.append('%d %d %d %d %d %s\n' % (f, tid, cls, h, w, rle_to_string(m.counts())))
                gt_box.append(mot_line(f, tid, m, 1))
        # Result objects of this frame before overlaps are resolved.
        out = []
        for (fr, tid, cls, m) in objs_f:
            if tid in rename_at and f >= rename_at[tid]:
                if new_id[tid] < 10 ** 6:
                    new_id[tid] = next_id + 10 ** 6
                    next_id += 1
            rid = new_id[tid]
            if u() < 0.07:
                continue
            if u() < 0.2:
                m = shifted(m, int(u() * 17) - 8, int(u() * 17) - 8)
            out.append([rid, cls, m])
        if len(out) >= 2 and u() < 0.08:
            a = int(u() * len(out))
            b = (a + 1 + int(u() * (len(out) - 1))) % len(out)
            out[a][0], out[b][0] = out[b][0], out[a][0]
        if out and u() < 0.05:
            src = out[int(u() * len(out))]
            out.append([next_id, src[1], shifted(src[2], 60, 0)])
            next_id += 1
        taken = None
        for rid, cls, m in out:
            m = minus(m, taken)
            if not m.idx.size:
                continue
            taken = m.idx if taken is None else np.union1d(taken, m.idx)
            res_lines.append('%d %d %d %d %d %s\n' % (f, rid, cls, m.h, m.w, rle_to_string(m.counts())))
            res_box.append(mot_line(f, rid, m, 1))
    with open(args[1], 'w') as fp:
        fp.writelines(gt_lines)
    with open(args[2], 'w') as fp:
        fp.writelines(res_lines)
    if len(args) == 5:
        # MOT frames count from 1.
        fix = lambda ls: [str(int(l.split(',', 1)[0]) + 1) + ',' + l.split(',', 1)[1] for l in ls]
        with open(args[3], 'w') as fp:
            fp.writelines(fix(gt_box))
        with open(args[4], 'w') as fp:
            fp.writelines(fix(res_box))


if __name__ == '__main__':
    main()
