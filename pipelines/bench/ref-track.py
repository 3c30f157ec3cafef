#!/usr/bin/env python3
"""ref-track.py: a plain-Python reference of ckmeans, for bench/track.sh.

Reads a det stream that carries z and cl (the output of cgraph-build),
tracks it as usc-mots-method(7) describes (sliding window, label-dependent
must/cannot-links, COP-KMeans with most-recent-member centres, association)
written the obvious way, with no shortcut, and prints "key id" lines, one
per record in input order. With --compare FILE (a ckmeans output stream of
the same input), prints instead how many records the two trackers put in
the same tracks: ids are compared as partitions, since ckmeans shuffles
the first centres (--seed) and so numbers new tracks in another order.

Only the standard library: a small MessagePack decoder is included.

usage: ref-track.py [--window N] [--max-iter N] [--frames N] [--compare OUT] STREAM
"""
import argparse
import struct
import sys
import time


def unpack(b, p):
    """One MessagePack object of b at p: (object, next position)."""
    t = b[p]
    p += 1
    if t <= 0x7f:
        return t, p
    if t >= 0xe0:
        return t - 256, p
    if 0x80 <= t <= 0x8f:
        return unpack_map(b, p, t & 0x0f)
    if 0x90 <= t <= 0x9f:
        return unpack_array(b, p, t & 0x0f)
    if 0xa0 <= t <= 0xbf:
        n = t & 0x1f
        return b[p:p + n].decode(), p + n
    if t == 0xc0:
        return None, p
    if t in (0xc2, 0xc3):
        return t == 0xc3, p
    if t in (0xc4, 0xc5, 0xc6):
        w = {0xc4: 1, 0xc5: 2, 0xc6: 4}[t]
        n = int.from_bytes(b[p:p + w], "big")
        return bytes(b[p + w:p + w + n]), p + w + n
    if t == 0xca:
        return struct.unpack(">f", b[p:p + 4])[0], p + 4
    if t == 0xcb:
        return struct.unpack(">d", b[p:p + 8])[0], p + 8
    if 0xcc <= t <= 0xcf:
        w = 1 << (t - 0xcc)
        return int.from_bytes(b[p:p + w], "big"), p + w
    if 0xd0 <= t <= 0xd3:
        w = 1 << (t - 0xd0)
        return int.from_bytes(b[p:p + w], "big", signed=True), p + w
    if t in (0xd9, 0xda, 0xdb):
        w = {0xd9: 1, 0xda: 2, 0xdb: 4}[t]
        n = int.from_bytes(b[p:p + w], "big")
        return b[p + w:p + w + n].decode(), p + w + n
    if t in (0xdc, 0xdd):
        w = 2 if t == 0xdc else 4
        return unpack_array(b, p + w, int.from_bytes(b[p:p + w], "big"))
    if t in (0xde, 0xdf):
        w = 2 if t == 0xde else 4
        return unpack_map(b, p + w, int.from_bytes(b[p:p + w], "big"))
    raise ValueError("MessagePack type 0x%02x at %d not handled" % (t, p - 1))


def unpack_map(b, p, n):
    m = {}
    for _ in range(n):
        k, p = unpack(b, p)
        v, p = unpack(b, p)
        m[k] = v
    return m, p


def unpack_array(b, p, n):
    a = []
    for _ in range(n):
        v, p = unpack(b, p)
        a.append(v)
    return a, p


def segments(path):
    """Yields the list of records (dicts) of each segment."""
    b = open(path, "rb").read()
    p, seg = 0, None
    while p < len(b):
        o, p = unpack(b, p)
        if "stream" in o:
            seg = []
        elif "end" in o:
            yield seg
        else:
            if "z" in o:
                o["z"] = struct.unpack("<%df" % (len(o["z"]) // 4), o["z"])
            seg.append(o)


def sq(a, b):
    return sum((x - y) * (x - y) for x, y in zip(a, b))


def cop_kmeans(Z, frames, ml, cl, init, max_iter, tol):
    """COP-KMeans as usc-mots-method(7), COP-KMEANS: ml/cl are sets per point (closed)."""
    n = len(Z)
    centres = [Z[i] for i in init]
    lab = [-1] * n
    for _ in range(max_iter):
        lab = [-1] * n
        for i in range(n):
            if lab[i] != -1:
                continue
            order = sorted(range(len(centres)), key=lambda c: sq(Z[i], centres[c]))
            chosen = None
            for c in order:
                if any(lab[j] == c for j in cl[i]):
                    continue
                if any(lab[j] != -1 and lab[j] != c for j in ml[i]):
                    continue
                chosen = c
                break
            if chosen is None:
                chosen = len(centres)
                centres.append(Z[i])
            lab[i] = chosen
            for j in ml[i]:
                lab[j] = chosen
        used = sorted(set(lab))
        remap = {c: r for r, c in enumerate(used)}
        heads = {}
        for i in range(n):
            c = remap[lab[i]]
            if c not in heads or frames[i] > frames[heads[c]]:
                heads[c] = i
        shift = sum(sq(centres[c], Z[heads[remap[c]]]) for c in used)
        lab = [remap[c] for c in lab]
        centres = [Z[heads[c]] for c in range(len(used))]
        if shift <= tol:
            break
    return lab


def tolerance(Z, tol):
    n, d = len(Z), len(Z[0])
    var = 0.0
    for j in range(d):
        m = sum(z[j] for z in Z) / n
        var += sum((z[j] - m) ** 2 for z in Z) / n
    return tol * var / d


def associate(ids, scores, window, min_size=2, min_score=0.1):
    """One cluster (members in window order): usc-mots-method(7), ASSOCIATION, first-member vote."""
    m = len(ids)
    zeros = ids.count(0)
    if zeros == 0 or m < min_size or sum(scores) / window < min_score:
        return ids, False
    if zeros == m:
        return None, True    # birth
    counts = {}
    for x in ids:
        if x:
            counts[x] = counts.get(x, 0) + 1
    top = max(counts.values())
    voted = max(x for x, c in counts.items() if c == top)
    if zeros >= min_size and zeros > top:
        return [x if x else max(ids) for x in ids], False
    if ids[0] == 0:
        ids = [voted] + ids[1:]
    return ids, False


def track(recs, window, max_iter, tol_rel):
    ids = [0] * len(recs)
    frames = []
    for r in recs:
        if not frames or frames[-1] != r["f"]:
            frames.append(r["f"])
    pos = {r["k"]: i for i, r in enumerate(recs)}
    by_frame = {}
    for i, r in enumerate(recs):
        by_frame.setdefault(r["f"], []).append(i)
    next_id = 1
    start = frames[0] if frames else 0
    for fr in frames:
        if fr < start + window - 1:
            continue
        win = []
        for f in range(fr, fr - window, -1):
            win += by_frame.get(f, [])
        n = len(win)
        at = {w: a for a, w in enumerate(win)}
        Z = [recs[i]["z"] for i in win]
        fw = [recs[i]["f"] for i in win]
        counts = {}
        for f in fw:
            counts[f] = counts.get(f, 0) + 1
        k = max(counts.values())
        key = fr if counts.get(fr) == k else min(f for f, c in counts.items() if c == k)
        init = [a for a in range(n) if fw[a] == key]
        lab0 = [ids[i] for i in win]
        ml = [set() for _ in range(n)]
        cl = [set() for _ in range(n)]
        for a in range(n):
            for b in range(a):
                if lab0[a] and lab0[a] == lab0[b]:
                    ml[a].add(b), ml[b].add(a)
                elif lab0[a] and lab0[b] and lab0[a] != lab0[b]:
                    cl[a].add(b), cl[b].add(a)
            for key_ in recs[win[a]].get("cl", []):
                j = pos.get(key_)
                if j is None or j not in at:
                    continue
                b = at[j]
                later = a if fw[a] >= fw[b] else b
                if fw[a] == fw[b] or lab0[later] == 0:
                    cl[a].add(b), cl[b].add(a)
        # closure: must-link components, cannot-links spread over them
        comp = list(range(n))
        for a in range(n):
            for b in ml[a]:
                ca, cb = comp[a], comp[b]
                if ca != cb:
                    comp = [ca if c == cb else c for c in comp]
        members = {}
        for a in range(n):
            members.setdefault(comp[a], set()).add(a)
        mlc = [members[comp[a]] - {a} for a in range(n)]
        clc = [set() for _ in range(n)]
        for a in range(n):
            for b in cl[a]:
                for x in members[comp[a]]:
                    for y in members[comp[b]]:
                        if comp[x] != comp[y]:
                            clc[x].add(y), clc[y].add(x)
        lab = cop_kmeans(Z, fw, mlc, clc, init, max_iter, tolerance(Z, tol_rel))
        for c in range(max(lab) + 1):
            mem = [a for a in range(n) if lab[a] == c]
            sc = [recs[win[a]].get("score", 1.0) for a in mem]
            new, birth = associate([ids[win[a]] for a in mem], sc, window)
            if birth:
                new = [next_id] * len(mem)
                next_id += 1
            for a, x in zip(mem, new):
                ids[win[a]] = x
    return ids


def partition_agreement(a, b):
    """Records whose track is the same in both labellings (0 must match 0)."""
    fwd, bwd, same = {}, {}, 0
    for x, y in zip(a, b):
        if (x == 0) != (y == 0):
            continue
        if x == 0 or (fwd.setdefault(x, y) == y and bwd.setdefault(y, x) == x):
            same += 1
    return same


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--window", type=int, default=3)
    ap.add_argument("--max-iter", type=int, default=50)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--frames", type=int, default=0, help="only the first N frames")
    ap.add_argument("--compare")
    ap.add_argument("stream")
    a = ap.parse_args()
    out = []
    t0 = time.time()
    nframes = 0
    for recs in segments(a.stream):
        if a.frames:
            fs = sorted({r["f"] for r in recs})[:a.frames]
            recs = [r for r in recs if r["f"] <= fs[-1]] if fs else []
        nframes += len({r["f"] for r in recs})
        out.append((recs, track(recs, a.window, a.max_iter, a.tol)))
    dt = time.time() - t0
    if not a.compare:
        for recs, ids in out:
            for r, i in zip(recs, ids):
                print(r["k"], i)
        return
    total = same = 0
    for (recs, ids), theirs in zip(out, segments(a.compare)):
        by_key = {r["k"]: r.get("id", 0) for r in theirs}
        # with --frames, the last window-1 frames are not final yet
        last = recs[-1]["f"] - (a.window - 1) if a.frames and recs else None
        keep = [i for i, r in enumerate(recs) if last is None or r["f"] <= last]
        mine = [ids[i] for i in keep]
        other = [by_key[recs[i]["k"]] for i in keep]
        total += len(mine)
        same += partition_agreement(mine, other)
    print("frames %d records %d same_track %d agreement %.6f seconds %.3f" %
          (nframes, total, same, same / total if total else 1.0, dt))


if __name__ == "__main__":
    main()
