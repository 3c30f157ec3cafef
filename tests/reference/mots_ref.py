#!/usr/bin/env python3
"""A small numpy reference for the benchmarks of mots-extract and the RLE
code: the same work done the way a numpy user would, run side by side with
the C tools in pipelines/bench-extract.sh.

  mots_ref.py extract FILE N RUNS   decode every mask of a MOTS txt file, box
                                    it (pycocotools rleToBbox), cut an N x N
                                    patch (aspect kept, zero padded, exact
                                    area average as common/patch.c)
  mots_ref.py iou FILE W RUNS       IoU of every pair of masks at most W
                                    frames apart (bbox pre-check, then the
                                    pixels of the boxes' overlap)

Each prints: median seconds over RUNS, the item count, and a checksum (sum
of all patch bytes; sum of all IoUs) to compare with the C side."""
import sys
import time

import numpy as np


def counts_from_string(s):
    """pycocotools rleFrString."""
    cnts, p, n = [], 0, len(s)
    while p < n:
        x, k, more = 0, 0, 1
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = c & 0x20
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(cnts) > 2:
            x += cnts[-2]
        cnts.append(x)
    return cnts


def bbox(cnts, h):
    """pycocotools rleToBbox: [x, y, w, h]."""
    m = len(cnts) // 2 * 2
    if m == 0:
        return 0, 0, 0, 0
    xs, ys, xe, ye, cc, xp = 1 << 62, h, 0, 0, 0, 0
    for j in range(m):
        cc += cnts[j]
        t = cc - j % 2
        y, x = t % h, t // h
        if j % 2 == 0:
            xp = x
        elif xp < x:
            ys, ye = 0, h - 1
        xs, xe, ys, ye = min(xs, x), max(xe, x), min(ys, y), max(ye, y)
    return xs, ys, xe - xs + 1, ye - ys + 1


def decode(cnts, h, w):
    vals = np.zeros(len(cnts), dtype=np.uint8)
    vals[1::2] = 1
    return np.repeat(vals, cnts).reshape(w, h).T   # column-major runs


def weights(n_in, n_out):
    """Overlap of output cell o with source cell x, in units where a source
    cell is n_out long and an output cell n_in long."""
    o = np.arange(n_out)[:, None]
    x = np.arange(n_in)[None, :]
    a, s = o * n_in, x * n_out
    return np.clip(np.minimum(a + n_in, s + n_out) - np.maximum(a, s), 0, None).astype(np.int64)


def patch(crop, n):
    ch, cw = crop.shape
    out = np.zeros((n, n), dtype=np.uint8)
    if cw == 0 or ch == 0:
        return out
    sw = sh = n
    if cw > ch:
        sh = max(1, (ch * n * 2 + cw) // (2 * cw))
    elif ch > cw:
        sw = max(1, (cw * n * 2 + ch) // (2 * ch))
    s = weights(ch, sh) @ (crop.astype(np.int64) * 255) @ weights(cw, sw).T
    d = cw * ch
    oy, ox = (n - sh) // 2, (n - sw) // 2
    out[oy:oy + sh, ox:ox + sw] = (2 * s + d) // (2 * d)
    return out


def load(path):
    objs = []
    with open(path) as f:
        for line in f:
            t = line.split()
            if t:
                objs.append((int(t[0]), int(t[3]), int(t[4]), t[5]))
    return objs


def extract(path, n):
    total = 0
    objs = load(path)
    for f, h, w, s in objs:
        c = counts_from_string(s)
        x, y, bw, bh = bbox(c, h)
        m = decode(c, h, w)
        total += int(patch(m[y:y + bh, x:x + bw], n).sum(dtype=np.int64))
    return len(objs), total


def prepare_iou(path):
    """Decoded masks cut to their boxes (not timed, as on the C side)."""
    out = []
    for f, h, w, s in load(path):
        c = counts_from_string(s)
        x, y, bw, bh = bbox(c, h)
        m = decode(c, h, w)[y:y + bh, x:x + bw].astype(bool)
        out.append((f, (x, y, bw, bh), m, int(m.sum())))
    return out


def iou_pairs(masks, win):
    frames = np.array([m[0] for m in masks])
    box = np.array([m[1] for m in masks], dtype=np.int64)
    pairs, total = 0, 0.0
    n = len(masks)
    for i in range(n):
        j0 = i + 1
        j1 = np.searchsorted(frames, frames[i] + win, side="right")
        if j1 <= j0:
            continue
        pairs += j1 - j0
        b, a = box[j0:j1], box[i]
        ix0, iy0 = np.maximum(b[:, 0], a[0]), np.maximum(b[:, 1], a[1])
        ix1 = np.minimum(b[:, 0] + b[:, 2], a[0] + a[2])
        iy1 = np.minimum(b[:, 1] + b[:, 3], a[1] + a[3])
        for k in np.nonzero((ix1 > ix0) & (iy1 > iy0))[0]:
            j = j0 + k
            (ax, ay, _, _), ma = masks[i][1], masks[i][2]
            (bx, by, _, _), mb = masks[j][1], masks[j][2]
            x0, y0, x1, y1 = ix0[k], iy0[k], ix1[k], iy1[k]
            inter = int(np.logical_and(ma[y0 - ay:y1 - ay, x0 - ax:x1 - ax],
                                       mb[y0 - by:y1 - by, x0 - bx:x1 - bx]).sum())
            if inter:
                total += inter / (masks[i][3] + masks[j][3] - inter)
    return pairs, total


def main():
    mode, path, arg, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    times = []
    masks = prepare_iou(path) if mode == "iou" else None
    for _ in range(runs):
        t = time.perf_counter()
        count, check = extract(path, arg) if mode == "extract" else iou_pairs(masks, arg)
        times.append(time.perf_counter() - t)
    print("%.6f %d %.9f" % (float(np.median(times)), count, check))


if __name__ == "__main__":
    main()
