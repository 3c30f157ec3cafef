#!/usr/bin/env python3
"""lap_solve (through tests/reference/lap_stdin.c) against
scipy.optimize.linear_sum_assignment on random small matrices full of ties:
the evaluators depend on the chosen assignment, not only on its cost, when
several are optimal, so the two must pick the same one.

  lap_vs_scipy.py PATH_TO_LAP_STDIN [N]
"""
import subprocess
import sys

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment


def main():
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    rng = np.random.RandomState(0)
    cases, lines = [], []
    for k in range(n):
        nr, nc = rng.randint(1, 9), rng.randint(1, 9)
        c = rng.randint(0, 3 if k % 2 else 100, size=(nr, nc)).astype(float)
        if k % 3 == 0:
            c /= 7.0
        mx = k % 4 == 0
        cases.append((c, mx))
        lines.append('%d %d %d %s' % (nr, nc, mx, ' '.join(repr(x) for x in c.ravel())))
    out = subprocess.run([exe], input='\n'.join(lines) + '\n', capture_output=True, text=True,
                         check=True).stdout.split('\n')
    same = 0
    for (c, mx), line in zip(cases, out):
        want = [-1] * c.shape[0]
        for i, j in zip(*linear_sum_assignment(c, maximize=mx)):
            want[i] = int(j)
        same += [int(x) for x in line.split()] == want
    print('lap_solve and scipy %s linear_sum_assignment: the same assignment in %d of %d '
          'random matrices (integer costs, many ties)' % (scipy.__version__, same, n))
    sys.exit(0 if same == n else 1)


if __name__ == '__main__':
    main()
