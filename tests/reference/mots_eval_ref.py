#!/usr/bin/env python3
"""Independent numpy reference for mots-eval.

A second implementation of the same published semantics, written from the
Python sources of the tools rather than from the C code:
  * mots_tools (mots_eval/MOTS_metrics.py): sMOTSA, MOTSA, MOTSP, MODSA,
    TP/FP/FN/IDS, MT/PT/ML, Frag, recall, precision;
  * TrackEval (datasets/kitti_mots.py preprocessing, metrics/hota.py,
    clear.py, identity.py): HOTA family, CLEAR, Identity, with
    scipy.optimize.linear_sum_assignment and the (G+T)^2 IDF1 cost matrix;
  * py-motmetrics (MOTAccumulator.update events, motchallenge metrics) for
    --boxes, with the expensive-edge assignment and the ID cost matrix.
Masks are decoded from the COCO strings here (own decoder) into sorted
column-major pixel indices; IoU is counted on those pixels.

  mots_eval_ref.py --gt GT RESULT [--boxes] [--json OUT] [--compare C.json]

GT and RESULT are MOTS txt (MOT txt with --boxes) files or folders of
SSSS.txt. --compare checks a mots-eval --json output against this one:
every count must be equal and every metric equal to 4 decimals (as a
percentage); it prints the values side by side and exits 1 on a mismatch.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

EPS = np.finfo('float').eps
IGNORE = 10


# ---- COCO RLE (pycocotools maskApi.c, rleFrString / rleToString) --------

def rle_from_string(s):
    cnts = []
    p = 0
    n = len(s)
    while p < n:
        x = 0
        k = 0
        more = 1
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1f) << 5 * k
            more = c & 0x20
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << 5 * k
        if len(cnts) > 2:
            x += cnts[-2]
        cnts.append(x)
    return cnts


def rle_from_string_np(s):
    """The same decoding, vectorised: groups of 5-bit digits end at a
    character without the continuation bit 0x20; bit 0x10 of the last one
    is the sign; from index 3 on a count is a delta to the one two back, so
    each parity is a running sum from index 1 and 2."""
    b = np.frombuffer(s.encode(), dtype=np.uint8).astype(np.int64) - 48
    ends = np.nonzero((b & 0x20) == 0)[0]
    starts = np.r_[0, ends[:-1] + 1]
    lens = ends - starts + 1
    grp = np.repeat(np.arange(len(ends)), lens)
    k = np.arange(len(b)) - starts[grp]
    vals = np.zeros(len(ends), dtype=np.int64)
    np.add.at(vals, grp, (b & 0x1f) << (5 * k))
    neg = (b[ends] & 0x10) != 0
    vals[neg] |= np.left_shift(np.int64(-1), 5 * lens[neg])
    c = vals.copy()
    c[1::2] = np.cumsum(vals[1::2])
    c[2::2] = np.cumsum(vals[2::2])
    return c


def rle_to_string(cnts):
    out = []
    for i, c in enumerate(cnts):
        x = c - cnts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1f
            x >>= 5
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return ''.join(out)


class Mask:
    """Set pixels as sorted column-major indices (k = x*h + y)."""
    __slots__ = ('h', 'w', 'idx', 'area', 'box')

    def __init__(self, h, w, idx):
        self.h, self.w = h, w
        self.idx = idx
        self.area = int(idx.size)
        if idx.size:
            xs, ys = idx // h, idx % h
            self.box = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))
        else:
            self.box = None

    @staticmethod
    def from_counts(h, w, cnts):
        c = np.asarray(cnts, dtype=np.int64)
        if int(c.sum()) != h * w:
            raise ValueError('counts sum to %d, not %d' % (c.sum(), h * w))
        starts = np.cumsum(c) - c
        s1, l1 = starts[1::2], c[1::2]
        total = int(l1.sum())
        before = np.cumsum(l1) - l1
        idx = np.repeat(s1 - before, l1) + np.arange(total, dtype=np.int64)
        return Mask(h, w, idx)

    def counts(self):
        n = self.h * self.w
        if not self.idx.size:
            return [n]
        brk = np.nonzero(np.diff(self.idx) != 1)[0]
        rs = np.r_[self.idx[0], self.idx[brk + 1]]
        re = np.r_[self.idx[brk], self.idx[-1]] + 1
        out = []
        prev = 0
        for s, e in zip(rs.tolist(), re.tolist()):
            out += [s - prev, e - s]
            prev = e
        if prev < n:
            out.append(n - prev)
        return out


def inter(a, b):
    if a.box is None or b.box is None:
        return 0
    if a.box[0] > b.box[2] or b.box[0] > a.box[2] or a.box[1] > b.box[3] or b.box[1] > a.box[3]:
        return 0
    if a.area > b.area:
        a, b = b, a
    pos = np.searchsorted(b.idx, a.idx)
    pos[pos == b.area] = 0
    return int(np.count_nonzero(b.idx[pos] == a.idx))


def iou(a, b):
    i = inter(a, b)
    return 0.0 if i == 0 else i / (a.area + b.area - i)


def ioa(t, region):
    if region is None:
        return 0.0
    i = inter(t, region)
    return 0.0 if i == 0 else i / t.area


def union(masks):
    if not masks:
        return None
    return Mask(masks[0].h, masks[0].w, np.unique(np.concatenate([m.idx for m in masks])))


# ---- loading -------------------------------------------------------------

def read_mots(path):
    """[(frame, id, cls, Mask)] in file order."""
    objs = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            h, w = int(p[3]), int(p[4])
            objs.append((int(p[0]), int(p[1]), int(p[2]), Mask.from_counts(h, w, rle_from_string_np(p[5]))))
    return objs


def read_mot(path, min_conf):
    """[(frame, id, box)] with py-motmetrics' loadtxt rules."""
    objs = []
    with open(path) as f:
        for line in f:
            p = [x for x in line.replace(',', ' ').split()]
            if not p:
                continue
            conf = float(p[6]) if len(p) > 6 else 1.0
            if not conf >= min_conf:
                continue
            x, y, w, h = (float(v) for v in p[2:6])
            objs.append((int(float(p[0])), int(float(p[1])), np.array([x - 1, y - 1, w, h])))
    return objs


def sequences(path):
    if os.path.isdir(path):
        return {f[:-4]: os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith('.txt')}
    return {os.path.basename(path)[:-4] if path.endswith('.txt') else os.path.basename(path): path}


def by_frame(objs):
    d = {}
    for o in objs:
        d.setdefault(o[0], []).append(o)
    return d


def class_frames(gt, tr, cls):
    """Per frame with objects of class cls: (frame, g, t, IoU g x t, IoA of
    each t with the union of the frame's ignore regions). Both evaluators
    read these, so each mask pair is counted once."""
    gf, tf = by_frame(gt), by_frame(tr)
    out = []
    for f in sorted(set(gf) | set(tf)):
        g = [o for o in gf.get(f, []) if o[2] == cls]
        t = [o for o in tf.get(f, []) if o[2] == cls]
        if not g and not t:
            continue
        dc = union([o[3] for o in gf.get(f, []) if o[2] == IGNORE])
        sim = np.zeros((len(g), len(t)))
        for i, gg in enumerate(g):
            for j, tt in enumerate(t):
                sim[i, j] = iou(tt[3], gg[3])
        out.append((f, g, t, sim, [ioa(tt[3], dc) for tt in t]))
    return out


# ---- mots_tools ------------------------------------------------------------

def mots_tools_seq(frames):
    r = dict(tp=0, fp=0, fn=0, ids=0, frag=0, MT=0, PT=0, ML=0, n_gt=0, n_tr=0, n_itr=0,
             total_cost=0.0, tracks=0)
    seq_trajectories = {}
    for f, g, t, sim, ioas in frames:
        tracks_valid = [False] * len(t)
        r['n_gt'] += len(g)
        r['n_tr'] += len(t)
        for gg in g:
            seq_trajectories.setdefault(gg[1], []).append(-1)
        tmptp = 0
        for row, gg in enumerate(g):
            for col, tt in enumerate(t):
                c = sim[row, col]
                if c > 0.5:
                    tracks_valid[col] = True
                    r['total_cost'] += c
                    seq_trajectories[gg[1]][-1] = tt[1]
                    r['tp'] += 1
                    tmptp += 1
        nignored = 0
        for i, tt in enumerate(t):
            if ioas[i] > 0.5 and not tracks_valid[i]:
                nignored += 1
        r['n_itr'] += nignored
        r['fn'] += len(g) - tmptp
        r['fp'] += len(t) - tmptp - nignored
    r['tracks'] = len(seq_trajectories)
    for g in seq_trajectories.values():
        if all(this == -1 for this in g):
            r['ML'] += 1
            continue
        last_id = g[0]
        tracked = 1 if g[0] >= 0 else 0
        f = 0
        for f in range(1, len(g)):
            if last_id != g[f] and last_id != -1 and g[f] != -1:
                r['ids'] += 1
            if f < len(g) - 1 and g[f - 1] != g[f] and last_id != -1 and g[f] != -1 and g[f + 1] != -1:
                r['frag'] += 1
            if g[f] != -1:
                tracked += 1
                last_id = g[f]
        if len(g) > 1 and g[f - 1] != g[f] and last_id != -1 and g[f] != -1:
            r['frag'] += 1
        ratio = tracked / float(len(g))
        if ratio > 0.8:
            r['MT'] += 1
        elif ratio < 0.2:
            r['ML'] += 1
        else:
            r['PT'] += 1
    return r


def mots_tools_final(r):
    out = dict(TP=r['tp'], FP=r['fp'], FN=r['fn'], IDS=r['ids'], MT=r['MT'], PT=r['PT'],
               ML=r['ML'], Frag=r['frag'], n_gt=r['n_gt'], n_tr=r['n_tr'], ignored=r['n_itr'],
               gt_tracks=r['tracks'])
    if r['fp'] + r['tp'] == 0 or r['tp'] + r['fn'] == 0:
        out['recall'] = out['precision'] = 0.0
    else:
        out['recall'] = r['tp'] / float(r['tp'] + r['fn'])
        out['precision'] = r['tp'] / float(r['fp'] + r['tp'])
    if r['n_gt'] == 0:
        out['MOTSA'] = out['MODSA'] = out['sMOTSA'] = -float('inf')
    else:
        out['MOTSA'] = 1 - (r['fn'] + r['fp'] + r['ids']) / float(r['n_gt'])
        out['MODSA'] = 1 - (r['fn'] + r['fp']) / float(r['n_gt'])
        out['sMOTSA'] = (r['total_cost'] - r['fp'] - r['ids']) / float(r['n_gt'])
    # mots_tools gives inf here; usc-mots follows TrackEval's 0 (max(1, TP))
    out['MOTSP'] = 0.0 if r['tp'] == 0 else r['total_cost'] / float(r['tp'])
    return out


# ---- TrackEval -------------------------------------------------------------

def trackeval_data(frames):
    """kitti_mots.py get_preprocessed_seq_data for one class."""
    data = dict(gt_ids=[], tracker_ids=[], similarity_scores=[])
    removed = 0
    ugt, utr = [], []
    for f, g, t, sim, ioas in frames:
        gt_ids = np.array([o[1] for o in g], dtype=np.int64)
        tracker_ids = np.array([o[1] for o in t], dtype=np.int64)
        sim = sim.copy()
        unmatched = np.arange(len(t))
        if len(g) > 0 and len(t) > 0:
            ms = sim.copy()
            ms[ms < 0.5 - EPS] = -10000
            rows, cols = linear_sum_assignment(-ms)
            ok = ms[rows, cols] > 0 + EPS
            unmatched = np.delete(unmatched, cols[ok], axis=0)
        inside = np.array([ioas[i] > 0.5 + EPS for i in unmatched], dtype=bool)
        to_remove = unmatched[inside] if unmatched.size else unmatched
        removed += len(to_remove)
        tracker_ids = np.delete(tracker_ids, to_remove, axis=0)
        sim = np.delete(sim, to_remove, axis=1)
        data['gt_ids'].append(gt_ids)
        data['tracker_ids'].append(tracker_ids)
        data['similarity_scores'].append(sim)
        ugt += list(np.unique(gt_ids))
        utr += list(np.unique(tracker_ids))
    for key, u in (('gt_ids', ugt), ('tracker_ids', utr)):
        u = np.unique(np.array(u, dtype=np.int64))
        m = {v: i for i, v in enumerate(u.tolist())}
        data[key] = [np.array([m[v] for v in a.tolist()], dtype=np.int64) for a in data[key]]
        data['num_' + key[:-4] + '_ids'] = len(u)
    data['num_gt_dets'] = sum(len(a) for a in data['gt_ids'])
    data['num_tracker_dets'] = sum(len(a) for a in data['tracker_ids'])
    data['removed'] = removed
    return data


ALPHAS = np.arange(0.05, 0.99, 0.05)


def hota_final(res):
    res['DetRe'] = res['HOTA_TP'] / np.maximum(1, res['HOTA_TP'] + res['HOTA_FN'])
    res['DetPr'] = res['HOTA_TP'] / np.maximum(1, res['HOTA_TP'] + res['HOTA_FP'])
    res['DetA'] = res['HOTA_TP'] / np.maximum(1, res['HOTA_TP'] + res['HOTA_FN'] + res['HOTA_FP'])
    res['HOTA'] = np.sqrt(res['DetA'] * res['AssA'])
    return res


def hota_seq(data):
    na = len(ALPHAS)
    res = {k: np.zeros(na) for k in ('HOTA_TP', 'HOTA_FN', 'HOTA_FP', 'AssA', 'AssRe', 'AssPr', 'LocA',
                                     'DetRe', 'DetPr', 'DetA', 'HOTA')}
    if data['num_tracker_dets'] == 0:
        res['HOTA_FN'] = data['num_gt_dets'] * np.ones(na)
        res['LocA'] = np.ones(na)
        return res
    if data['num_gt_dets'] == 0:
        res['HOTA_FP'] = data['num_tracker_dets'] * np.ones(na)
        res['LocA'] = np.ones(na)
        return res
    potential = np.zeros((data['num_gt_ids'], data['num_tracker_ids']))
    gt_count = np.zeros((data['num_gt_ids'], 1))
    tr_count = np.zeros((1, data['num_tracker_ids']))
    for g, t, sim in zip(data['gt_ids'], data['tracker_ids'], data['similarity_scores']):
        denom = sim.sum(0)[np.newaxis, :] + sim.sum(1)[:, np.newaxis] - sim
        sim_iou = np.zeros_like(sim)
        mask = denom > 0 + EPS
        sim_iou[mask] = sim[mask] / denom[mask]
        potential[g[:, np.newaxis], t[np.newaxis, :]] += sim_iou
        gt_count[g] += 1
        tr_count[0, t] += 1
    align = potential / (gt_count + tr_count - potential)
    matches = [np.zeros_like(potential) for _ in ALPHAS]
    for g, t, sim in zip(data['gt_ids'], data['tracker_ids'], data['similarity_scores']):
        if len(g) == 0:
            res['HOTA_FP'] += len(t)
            continue
        if len(t) == 0:
            res['HOTA_FN'] += len(g)
            continue
        score = align[g[:, np.newaxis], t[np.newaxis, :]] * sim
        rows, cols = linear_sum_assignment(-score)
        for a, alpha in enumerate(ALPHAS):
            ok = sim[rows, cols] >= alpha - EPS
            ar, ac = rows[ok], cols[ok]
            n = len(ar)
            res['HOTA_TP'][a] += n
            res['HOTA_FN'][a] += len(g) - n
            res['HOTA_FP'][a] += len(t) - n
            if n > 0:
                res['LocA'][a] += sum(sim[ar, ac])
                matches[a][g[ar], t[ac]] += 1
    for a in range(len(ALPHAS)):
        m = matches[a]
        res['AssA'][a] = np.sum(m * (m / np.maximum(1, gt_count + tr_count - m))) / np.maximum(1, res['HOTA_TP'][a])
        res['AssRe'][a] = np.sum(m * (m / np.maximum(1, gt_count))) / np.maximum(1, res['HOTA_TP'][a])
        res['AssPr'][a] = np.sum(m * (m / np.maximum(1, tr_count))) / np.maximum(1, res['HOTA_TP'][a])
    res['LocA'] = np.maximum(1e-10, res['LocA']) / np.maximum(1e-10, res['HOTA_TP'])
    return hota_final(res)


def hota_combine(all_res):
    res = {}
    for f in ('HOTA_TP', 'HOTA_FN', 'HOTA_FP'):
        res[f] = sum(r[f] for r in all_res)
    for f in ('AssRe', 'AssPr', 'AssA'):
        res[f] = sum(r[f] * r['HOTA_TP'] for r in all_res) / np.maximum(1.0, res['HOTA_TP'])
    loca = sum(r['LocA'] * r['HOTA_TP'] for r in all_res)
    res['LocA'] = np.maximum(1e-10, loca) / np.maximum(1e-10, res['HOTA_TP'])
    return hota_final(res)


def clear_seq(data):
    res = {k: 0 for k in ('CLR_TP', 'CLR_FN', 'CLR_FP', 'IDSW', 'MT', 'PT', 'ML', 'Frag')}
    res['MOTP_sum'] = 0.0
    n = data['num_gt_ids']
    gt_count, matched_count, frag_count = np.zeros(n), np.zeros(n), np.zeros(n)
    prev_id = np.nan * np.zeros(n)
    prev_step = np.nan * np.zeros(n)
    for g, t, sim in zip(data['gt_ids'], data['tracker_ids'], data['similarity_scores']):
        if len(g) == 0:
            res['CLR_FP'] += len(t)
            continue
        if len(t) == 0:
            res['CLR_FN'] += len(g)
            gt_count[g] += 1
            continue
        score = (t[np.newaxis, :] == prev_step[g[:, np.newaxis]])
        score = 1000 * score + sim
        score[sim < 0.5 - EPS] = 0
        rows, cols = linear_sum_assignment(-score)
        ok = score[rows, cols] > 0 + EPS
        rows, cols = rows[ok], cols[ok]
        mg, mt = g[rows], t[cols]
        pm = prev_id[mg]
        res['IDSW'] += int(np.sum(np.logical_not(np.isnan(pm)) & np.not_equal(mt, pm)))
        gt_count[g] += 1
        matched_count[mg] += 1
        not_prev = np.isnan(prev_step)
        prev_id[mg] = mt
        prev_step[:] = np.nan
        prev_step[mg] = mt
        frag_count += np.logical_and(not_prev, np.logical_not(np.isnan(prev_step)))
        res['CLR_TP'] += len(mg)
        res['CLR_FN'] += len(g) - len(mg)
        res['CLR_FP'] += len(t) - len(mg)
        if len(mg) > 0:
            res['MOTP_sum'] += sum(sim[rows, cols])
    ratio = matched_count[gt_count > 0] / gt_count[gt_count > 0]
    res['MT'] = int(np.sum(np.greater(ratio, 0.8)))
    res['PT'] = int(np.sum(np.greater_equal(ratio, 0.2))) - res['MT']
    res['ML'] = n - res['MT'] - res['PT']
    res['Frag'] = int(np.sum(np.subtract(frag_count[frag_count > 0], 1)))
    return res


def clear_final(res):
    n = max(1.0, res['CLR_TP'] + res['CLR_FN'])
    return dict(MOTA=(res['CLR_TP'] - res['CLR_FP'] - res['IDSW']) / n,
                MOTP=res['MOTP_sum'] / max(1.0, res['CLR_TP']),
                sMOTA=(res['MOTP_sum'] - res['CLR_FP'] - res['IDSW']) / n)


def identity_seq(data):
    res = dict(IDTP=0, IDFN=0, IDFP=0)
    if data['num_tracker_dets'] == 0:
        res['IDFN'] = data['num_gt_dets']
        return res
    if data['num_gt_dets'] == 0:
        res['IDFP'] = data['num_tracker_dets']
        return res
    ng, nt = data['num_gt_ids'], data['num_tracker_ids']
    pot = np.zeros((ng, nt))
    gc, tc = np.zeros(ng), np.zeros(nt)
    for g, t, sim in zip(data['gt_ids'], data['tracker_ids'], data['similarity_scores']):
        mg, mt = np.nonzero(np.greater_equal(sim, 0.5))
        pot[g[mg], t[mt]] += 1
        gc[g] += 1
        tc[t] += 1
    fp = np.zeros((ng + nt, ng + nt))
    fn = np.zeros((ng + nt, ng + nt))
    fp[ng:, :nt] = 1e10
    fn[:ng, nt:] = 1e10
    for i in range(ng):
        fn[i, :nt] = gc[i]
        fn[i, nt + i] = gc[i]
    for j in range(nt):
        fp[:ng, j] = tc[j]
        fp[j + ng, j] = tc[j]
    fn[:ng, :nt] -= pot
    fp[:ng, :nt] -= pot
    rows, cols = linear_sum_assignment(fn + fp)
    res['IDFN'] = int(fn[rows, cols].sum())
    res['IDFP'] = int(fp[rows, cols].sum())
    res['IDTP'] = int(gc.sum() - res['IDFN'])
    return res


def identity_final(r):
    return dict(IDR=r['IDTP'] / max(1.0, r['IDTP'] + r['IDFN']),
                IDP=r['IDTP'] / max(1.0, r['IDTP'] + r['IDFP']),
                IDF1=r['IDTP'] / max(1.0, r['IDTP'] + 0.5 * r['IDFP'] + 0.5 * r['IDFN']))


def trackeval_out(h, c, i, removed):
    out = {k: float(np.mean(h[k])) for k in ('HOTA', 'DetA', 'AssA', 'DetRe', 'DetPr', 'AssRe', 'AssPr', 'LocA')}
    out['HOTA(0)'] = float(h['HOTA'][0])
    out['LocA(0)'] = float(h['LocA'][0])
    out.update(identity_final(i))
    out.update({k: int(i[k]) for k in ('IDTP', 'IDFP', 'IDFN')})
    out.update(clear_final(c))
    out.update({k: int(c[k]) for k in ('CLR_TP', 'CLR_FP', 'CLR_FN', 'IDSW', 'MT', 'PT', 'ML', 'Frag')})
    out['removed'] = removed
    return out


def score_mots(gt_path, res_path):
    gs, rs = sequences(gt_path), sequences(res_path)
    if len(gs) == 1 and len(rs) == 1:
        rs = {list(gs)[0]: list(rs.values())[0]}
    loaded = {}
    nmasks = 0
    for name in gs:
        g = read_mots(gs[name])
        r = read_mots(rs[name]) if name in rs else []
        nmasks += len(g) + len(r)
        loaded[name] = (g, r)
    classes = sorted({o[2] for g, _ in loaded.values() for o in g if o[2] != IGNORE})
    out = {}
    for cls in classes:
        seqs = {}
        tot = None
        hs, cs, ids = [], [], []
        removed = 0
        for name, (g, r) in loaded.items():
            frames = class_frames(g, r, cls)
            mt = mots_tools_seq(frames)
            data = trackeval_data(frames)
            h, c, i = hota_seq(data), clear_seq(data), identity_seq(data)
            hs.append(h), cs.append(c), ids.append(i)
            removed += data['removed']
            seqs[name] = dict(mots_tools=mots_tools_final(mt), trackeval=trackeval_out(h, c, i, data['removed']))
            tot = dict(mt) if tot is None else {k: tot[k] + mt[k] for k in tot}
        hc = hota_combine(hs)
        cc = {k: sum(c[k] for c in cs) for k in cs[0]}
        ic = {k: sum(i[k] for i in ids) for k in ids[0]}
        seqs['COMBINED'] = dict(mots_tools=mots_tools_final(tot), trackeval=trackeval_out(hc, cc, ic, removed))
        out[str(cls)] = seqs
    return out, nmasks


# ---- py-motmetrics ---------------------------------------------------------

def boxiou(a, b):
    a_min, a_max = a[:2], a[:2] + a[2:]
    b_min, b_max = b[:2], b[:2] + b[2:]
    i_size = np.maximum(np.minimum(a_max, b_max) - np.maximum(a_min, b_min), 0)
    i_vol = np.prod(i_size)
    a_vol = np.prod(np.maximum(a_max - a_min, 0))
    b_vol = np.prod(np.maximum(b_max - b_min, 0))
    return 0.0 if i_vol == 0 else i_vol / (a_vol + b_vol - i_vol)


def lsa_motmetrics(costs):
    """motmetrics.lap: NaN edges made expensive, then removed again."""
    valid = np.isfinite(costs)
    if valid.all():
        fc = costs.copy()
    elif not valid.any():
        fc = np.zeros_like(costs)
    else:
        r = min(costs.shape)
        c = np.abs(costs[valid]).max() + 1
        fc = np.where(valid, costs, 2 * r * c + 1)
    rows, cols = linear_sum_assignment(fc)
    keep = [k for k in range(len(rows)) if np.isfinite(costs[rows[k], cols[k]])]
    return rows[keep], cols[keep]


def motmetrics_seq(gt, tr, frames_total):
    gf, tf = by_frame(gt), by_frame(tr)
    events = []          # (frame, type, oid, hid, dist)
    raw = {}             # (oid, hid) -> frames with a finite distance
    m, last_match, res_m = {}, {}, {}
    last_update = None
    for fid in sorted(set(gf) | set(tf)):
        oids = np.array([o[1] for o in gf.get(fid, [])])
        hids = np.array([o[1] for o in tf.get(fid, [])])
        om = np.zeros(len(oids), dtype=bool)
        hm = np.zeros(len(hids), dtype=bool)
        dists = np.full((len(oids), len(hids)), np.nan)
        for i, o in enumerate(gf.get(fid, [])):
            for j, h in enumerate(tf.get(fid, [])):
                d = 1 - boxiou(o[2], h[2])
                dists[i, j] = np.nan if d > 0.5 else d
                if np.isfinite(dists[i, j]):
                    raw[(o[1], h[1])] = raw.get((o[1], h[1]), 0) + 1
        if oids.size * hids.size > 0:
            for i in range(len(oids)):
                if not (oids[i] in m and last_match[oids[i]] == last_update):
                    continue
                j, = np.where(~hm & (hids == m[oids[i]]))
                if j.shape[0] == 0:
                    continue
                j = j[0]
                if np.isfinite(dists[i, j]):
                    om[i] = hm[j] = True
                    events.append((fid, 'MATCH', oids[i], hids[j], dists[i, j]))
                    last_match[oids[i]] = fid
            dists[om, :] = np.nan
            dists[:, hm] = np.nan
            rids, cids = lsa_motmetrics(dists)
            for i, j in zip(rids, cids):
                if not np.isfinite(dists[i, j]):
                    continue
                o, h = oids[i], hids[j]
                sw = o in m and m[o] != h
                events.append((fid, 'SWITCH' if sw else 'MATCH', o, h, dists[i, j]))
                om[i] = hm[j] = True
                m[o] = h
                res_m[h] = o
                last_match[o] = fid
        for o in oids[~om]:
            events.append((fid, 'MISS', o, None, np.nan))
        for h in hids[~hm]:
            events.append((fid, 'FP', None, h, np.nan))
        last_update = fid
    typ = [e[1] for e in events]
    n_match, n_sw = typ.count('MATCH'), typ.count('SWITCH')
    n_fp, n_miss = typ.count('FP'), typ.count('MISS')
    n_obj = n_match + n_sw + n_miss
    n_pred = n_match + n_sw + n_fp
    dsum = sum(e[4] for e in events if e[1] in ('MATCH', 'SWITCH'))
    # per object: event types in frame order
    per = {}
    for e in events:
        if e[2] is not None:
            per.setdefault(e[2], []).append(e[1] != 'MISS')
    mt = pt = ml = frag = 0
    for seq in per.values():
        ratio = sum(seq) / len(seq)
        if ratio >= 0.8:
            mt += 1
        elif ratio >= 0.2:
            pt += 1
        else:
            ml += 1
        on = [k for k, v in enumerate(seq) if v]
        if on:
            span = seq[on[0]:on[-1] + 1]
            frag += sum(1 for k in range(1, len(span)) if span[k - 1] and not span[k])
    # ID measures: (O+H)^2 cost matrix as motmetrics.metrics.id_global_assignment
    oids = sorted(per)
    hids = sorted({e[3] for e in events if e[3] is not None})
    no, nh = len(oids), len(hids)
    oc = {o: len(per[o]) for o in oids}
    hc = {}
    for e in events:
        if e[3] is not None:
            hc[e[3]] = hc.get(e[3], 0) + 1
    fpm = np.zeros((no + nh, no + nh))
    fnm = np.zeros((no + nh, no + nh))
    fpm[no:, :nh] = np.nan
    fnm[:no, nh:] = np.nan
    for r, o in enumerate(oids):
        fnm[r, :nh] = oc[o]
        fnm[r, nh + r] = oc[o]
    for c, h in enumerate(hids):
        fpm[:no, c] = hc[h]
        fpm[c + no, c] = hc[h]
    ri = {o: k for k, o in enumerate(oids)}
    ci = {h: k for k, h in enumerate(hids)}
    for (o, h), ex in raw.items():
        fpm[ri[o], ci[h]] -= ex
        fnm[ri[o], ci[h]] -= ex
    if no + nh:
        rows, cols = lsa_motmetrics(fpm + fnm)
        idfp = int(fpm[rows, cols].sum())
        idfn = int(fnm[rows, cols].sum())
    else:
        idfp = idfn = 0
    idtp = n_obj - idfn
    q = lambda a, b: a / b if b else float('nan')
    det = n_match + n_sw
    return dict(IDF1=q(2 * idtp, n_obj + n_pred), IDP=q(idtp, idtp + idfp), IDR=q(idtp, idtp + idfn),
                MOTA=1 - q(n_miss + n_sw + n_fp, n_obj), MOTP=1 - q(dsum, det),
                FAF=q(n_fp, frames_total), recall=q(det, n_obj), precision=q(det, det + n_fp),
                GT=len(oids), MT=mt, PT=pt, ML=ml, FP=n_fp, FN=n_miss, IDS=n_sw, Frag=frag,
                matches=n_match, objects=n_obj, predictions=n_pred, IDTP=idtp, IDFP=idfp, IDFN=idfn,
                frames=frames_total, _dsum=dsum)


def score_boxes(gt_path, res_path):
    gs, rs = sequences(gt_path), sequences(res_path)
    if len(gs) == 1 and len(rs) == 1:
        rs = {list(gs)[0]: list(rs.values())[0]}
    out, nboxes, tot = {}, 0, None
    for name in gs:
        g = read_mot(gs[name], 1)
        r = read_mot(rs[name], -1) if name in rs else []
        nboxes += len(g) + len(r)
        fr = [o[0] for o in g + r]
        frames = (max(fr) - (0 if min(fr) == 0 else 1) + 1) if fr else 0
        s = motmetrics_seq(g, r, frames)
        out[name] = s
        keys = ('FP', 'FN', 'IDS', 'MT', 'PT', 'ML', 'Frag', 'GT', 'matches', 'objects', 'predictions',
                'IDTP', 'IDFP', 'IDFN', 'frames', '_dsum')
        tot = {k: s[k] for k in keys} if tot is None else {k: tot[k] + s[k] for k in keys}
    q = lambda a, b: a / b if b else float('nan')
    det = tot['matches'] + tot['IDS']
    tot.update(IDF1=q(2 * tot['IDTP'], tot['objects'] + tot['predictions']),
               IDP=q(tot['IDTP'], tot['IDTP'] + tot['IDFP']), IDR=q(tot['IDTP'], tot['IDTP'] + tot['IDFN']),
               MOTA=1 - q(tot['FN'] + tot['IDS'] + tot['FP'], tot['objects']), MOTP=1 - q(tot['_dsum'], det),
               FAF=q(tot['FP'], tot['frames']), recall=q(det, tot['objects']),
               precision=q(det, det + tot['FP']))
    out['COMBINED'] = tot
    return out, nboxes


# ---- comparison with mots-eval --json -------------------------------------

def flatten_c(cj):
    """mots-eval JSON -> {(class, seq, group, key): value} like ours."""
    flat = {}
    if cj['mode'] == 'mots':
        for c in cj['classes']:
            for s in c['sequences'] + [c['combined']]:
                for grp in ('mots_tools', 'trackeval'):
                    for k, v in s[grp].items():
                        flat[(str(c['class']), s['name'], grp, k)] = v
    else:
        for s in cj['sequences'] + [cj['combined']]:
            for k, v in s.items():
                if k != 'name':
                    flat[('boxes', s['name'], 'motmetrics', k)] = v
    return flat


def flatten_ref(ref, boxes):
    flat = {}
    if boxes:
        for name, s in ref.items():
            for k, v in s.items():
                flat[('boxes', name, 'motmetrics', k)] = v
    else:
        for cls, seqs in ref.items():
            for name, s in seqs.items():
                for grp, d in s.items():
                    for k, v in d.items():
                        flat[(cls, name, grp, k)] = v
    return flat


def fmt(v, key=''):
    """Counts as integers, fractions as percentages with 4 decimals (FAF,
    false positives per frame, as it is)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return 'n/a'
    if key == 'FAF':
        return '%.4f' % v
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) > 1.5):
        return '%d' % v
    return '%.4f' % (100 * v)


def compare(cflat, rflat, show):
    bad, n, maxdiff = [], 0, 0.0
    for key, rv in sorted(rflat.items()):
        if key[3].startswith('_') or key not in cflat:
            continue
        cv = cflat[key]
        n += 1
        rv_f = None if (isinstance(rv, float) and not math.isfinite(rv)) else rv
        if rv_f is None or cv is None:
            same = rv_f is None and cv is None
        elif isinstance(rv, int) and not isinstance(rv, bool):
            same = int(cv) == rv
        else:
            same = fmt(float(cv), key[3]) == fmt(float(rv), key[3])
            maxdiff = max(maxdiff, abs(float(cv) - float(rv)))
        if not same:
            bad.append((key, cv, rv))
    for key in show:
        if key in rflat and key in cflat:
            print('  %-44s C %12s   numpy %12s' % ('/'.join(key), fmt(cflat[key], key[3]), fmt(rflat[key], key[3])))
    missing = [k for k in rflat if k not in cflat and not k[3].startswith('_')]
    return n, bad, maxdiff, missing


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--gt', required=True)
    ap.add_argument('result')
    ap.add_argument('--boxes', action='store_true')
    ap.add_argument('--json', help='write the reference results here')
    ap.add_argument('--compare', help='mots-eval --json output to check')
    a = ap.parse_args()
    t0 = time.perf_counter()
    if a.boxes:
        ref, nobj = score_boxes(a.gt, a.result)
    else:
        ref, nobj = score_mots(a.gt, a.result)
    dt = time.perf_counter() - t0
    print('reference: %d %s scored in %.3f s (%.0f/s)' % (nobj, 'boxes' if a.boxes else 'masks', dt, nobj / dt))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(ref, f, indent=1, default=float)
    if a.compare:
        with open(a.compare) as f:
            cj = json.load(f)
        cflat, rflat = flatten_c(cj), flatten_ref(ref, a.boxes)
        if a.boxes:
            show = [('boxes', 'COMBINED', 'motmetrics', k) for k in
                    ('IDF1', 'IDP', 'IDR', 'MOTA', 'MOTP', 'FAF', 'MT', 'ML', 'FP', 'FN', 'IDS', 'Frag')]
        else:
            show = [(c, 'COMBINED', g, k) for c in sorted(ref) for g, ks in
                    (('mots_tools', ('sMOTSA', 'MOTSA', 'MOTSP', 'MODSA', 'recall', 'precision', 'TP', 'FP',
                                     'FN', 'IDS', 'MT', 'PT', 'ML', 'Frag', 'ignored')),
                     ('trackeval', ('HOTA', 'DetA', 'AssA', 'DetRe', 'DetPr', 'AssRe', 'AssPr', 'LocA',
                                    'IDF1', 'IDP', 'IDR', 'MOTA', 'sMOTA', 'IDSW', 'removed'))) for k in ks]
        n, bad, maxdiff, missing = compare(cflat, rflat, show)
        for key, cv, rv in bad[:20]:
            print('MISMATCH %s: C %r, numpy %r' % ('/'.join(key), cv, rv))
        for key in missing[:10]:
            print('MISSING in C output: %s' % '/'.join(key))
        print('compared %d values (every sequence and the combined rows): %d differ, '
              'largest difference %.2e' % (n, len(bad), maxdiff))
        if bad or missing or n == 0:
            sys.exit(1)


if __name__ == '__main__':
    main()
