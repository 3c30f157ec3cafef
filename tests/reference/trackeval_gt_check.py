#!/usr/bin/env python3
"""Checks a MOTChallenge sequence folder's gt/gt.txt the way TrackEval's
MotChallenge2DBox loader and preprocessing read it
(trackeval/datasets/mot_challenge_2d_box.py, _load_simple_text_file), with
the standard library only:

  - the delimiter found by csv.Sniffer on the first line, rows read by
    csv.reader with skipinitialspace, a trailing empty field dropped;
  - every time step int(float(col 0)) in 1..seqLength of seqinfo.ini;
  - every value converts to float; at least 8 columns (ground truth needs
    the class column);
  - ids int(col 1); no id twice in one time step;
  - classes int(col 7) among TrackEval's valid class numbers 1..13
    (1 pedestrian; -1 fails "invalid gt classes");
  - zero_marked int(col 6); visibility (col 8, when present) in [0, 1];
  - at least one pedestrian line that is not zero-marked (the lines the
    evaluation keeps).

usage: trackeval_gt_check.py SEQDIR   prints "ok: ..." or the first problem
                                      and exits 1."""
import configparser
import csv
import os
import sys

VALID_CLASSES = set(range(1, 14))   # pedestrian .. crowd


def fail(msg):
    print("trackeval_gt_check: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        fail("usage: trackeval_gt_check.py SEQDIR")
    seq = sys.argv[1]
    ini = configparser.ConfigParser()
    if not ini.read(os.path.join(seq, "seqinfo.ini")):
        fail("%s: no seqinfo.ini" % seq)
    length = int(ini["Sequence"]["seqLength"])
    path = os.path.join(seq, "gt", "gt.txt")
    with open(path) as fp:
        first = fp.readline()
        if not first:
            fail("%s: empty" % path)
        dialect = csv.Sniffer().sniff(first)
        dialect.skipinitialspace = True
        fp.seek(0)
        rows = list(csv.reader(fp, dialect))
    ids = {}
    kept = 0
    for n, row in enumerate(rows, 1):
        where = "%s:%d" % (path, n)
        if row and row[-1] in "":
            row = row[:-1]
        try:
            vals = [float(x) for x in row]
        except ValueError:
            fail(where + ": cannot convert to float (TrackEval: 'Is data corrupted?')")
        if len(vals) < 8:
            fail(where + ": %d columns; TrackEval's gt needs 8 (class in column 8)" % len(vals))
        t = int(vals[0])
        if t < 1 or t > length:
            fail(where + ": time step %d outside 1..%d (invalid timesteps)" % (t, length))
        tid, cls, zero_marked = int(vals[1]), int(vals[7]), int(vals[6])
        if cls not in VALID_CLASSES:
            fail(where + ": invalid gt class %d (TrackEval: 'invalid gt classes')" % cls)
        if len(vals) > 8 and not 0 <= vals[8] <= 1:
            fail(where + ": visibility %g outside [0, 1]" % vals[8])
        if vals[4] < 0 or vals[5] < 0:
            fail(where + ": negative box size")
        if tid in ids.setdefault(t, set()):
            fail(where + ": id %d twice in time step %d" % (tid, t))
        ids[t].add(tid)
        if cls == 1 and zero_marked != 0:
            kept += 1
    if kept == 0:
        fail("%s: no pedestrian line that counts (class 1, column 7 not 0)" % path)
    print("ok: %d lines, %d evaluated, %d time steps" % (len(rows), kept, length))


main()
