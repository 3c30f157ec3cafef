#!/usr/bin/env python3
"""The DHAE of kernels/dhae.c in PyTorch, for training-throughput
references (pipelines/bench-gpu.sh; usable on the CPU too).

Same layers, sizes, dropout and batch-norm placement, loss (uncertainty
weighted, the paper's form) and optimiser (Adadelta lr 1.0, rho 0.95,
eps 1e-7) as dhae.c; float32; TF32 off on the GPU, as the CUDA backend
uses plain float arithmetic. The data are random blob masks held in host
memory as uint8, gathered per shuffled batch and copied to the device,
as ae-train does. Prints one line per epoch and a last line
"median SAMPLES_PER_S" over the epochs after the first (warm-up).

usage: dhae_torch_bench.py --arch synth|real [--device cpu|cuda]
           [--samples N] [--batch N] [--epochs N] [--threads N]
"""
import argparse
import math
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def level_sizes(arch, size, nf):
    """Spatial size after each encoder conv (3x3, stride 2; the synthetic
    net's last conv is 'valid', the others 'same')."""
    s, out = size, []
    for i in range(nf):
        p = 0 if arch == "synth" and i == nf - 1 else 1
        s = (s + 2 * p - 3) // 2 + 1
        out.append(s)
    return out


class Block(nn.Module):
    """op -> activation -> [dropout, bn] or [bn, dropout], as dhae.c."""

    def __init__(self, op, act, bn=0, drop=0.0, drop_first=False):
        super().__init__()
        self.op, self.act, self.drop_first = op, act, drop_first
        self.bn = nn.BatchNorm2d(bn, eps=1e-3, momentum=0.01) if bn else None
        self.drop = nn.Dropout(drop) if drop > 0 else None

    def forward(self, x):
        x = self.act(self.op(x))
        if self.drop is not None and self.drop_first:
            x = self.drop(x)
        if self.bn is not None:
            x = self.bn(x)
        if self.drop is not None and not self.drop_first:
            x = self.drop(x)
        return x


class DHAE(nn.Module):
    def __init__(self, arch, chans):
        super().__init__()
        real = arch == "real"
        self.size = 128 if real else 28
        self.chans = chans
        f = [16, 16, 32, 32, 64] if real else [16, 32, 32]
        L = 128 if real else 64
        nf = len(f)
        lv = level_sizes(arch, self.size, nf)
        relu, sig = nn.ReLU(), nn.Sigmoid()
        enc, ch = [], chans
        for i in range(nf):
            p = 0 if arch == "synth" and i == nf - 1 else 1
            bn = f[i] if real and 1 <= i <= 3 else 0
            drop = 0.25 if (real and 1 <= i <= 3) or (not real and i < 2 and i < nf - 1) else 0.0
            enc.append(Block(nn.Conv2d(ch, f[i], 3, 2, p), relu, bn, drop))
            ch = f[i]
        self.enc = nn.Sequential(*enc)
        self.top, self.topc = lv[-1], ch
        flat = lv[-1] * lv[-1] * ch
        self.encd = nn.Linear(flat, L)
        self.boxe = nn.Linear(4, L)
        self.fuse = nn.Linear(2 * L, L)
        self.decd = nn.Linear(L, flat)
        dec, s, cin = [], lv[-1], ch
        for i in range(nf - 1, -1, -1):
            hi = lv[i - 1] if i > 0 else self.size
            oc = f[i] if real else f[i - 1 if i > 0 else 0]
            p = 0 if arch == "synth" and i == nf - 1 else 1
            op = hi - ((s - 1) * 2 - 2 * p + 3)   # output_padding that makes hi
            bn, drop, first = 0, 0.0, False
            if real and i in (nf - 2, nf - 3):
                bn, drop, first = oc, 0.25, True
            elif real and i == nf - 1:
                drop = 0.25
            elif not real and i >= 1 and i >= nf - 2:
                drop = 0.25
            dec.append(Block(nn.ConvTranspose2d(cin, oc, 3, 2, p, output_padding=op), relu, bn, drop, first))
            s, cin = hi, oc
        self.dec = nn.Sequential(*dec)
        self.outc = nn.Conv2d(cin, chans, 3, 1, 1)
        self.boxd1 = nn.Linear(L, L)
        self.boxd2 = nn.Linear(L, 4)
        # log-variances s_m, s_b (initial sigma_m^2 = 1/4, sigma_b^2 = 1/S^2)
        self.s = nn.Parameter(torch.tensor([math.log(0.25), math.log(1.0 / self.size ** 2)]))

    def forward(self, x, b):
        h = self.enc(x)
        zm = F.relu(self.encd(torch.flatten(h.permute(0, 2, 3, 1), 1)))   # Keras (NHWC) flatten order
        zb = F.relu(self.boxe(b))
        z = F.relu(self.fuse(torch.cat([zm, zb], 1)))
        d = F.relu(self.decd(z)).view(-1, self.top, self.top, self.topc).permute(0, 3, 1, 2)
        ym = torch.sigmoid(self.outc(self.dec(d)))
        yb = torch.sigmoid(self.boxd2(F.relu(self.boxd1(z))))
        return ym, yb

    def loss(self, x, b, ym, yb):
        n = x.shape[0]
        em = ((ym - x) ** 2).sum()
        eb = ((yb - b) ** 2).sum()
        s = self.s
        return 0.5 * torch.exp(-s[0]) * em / n + 0.5 * torch.exp(-s[1]) * eb / n + 0.5 * s[0] + 0.5 * s[1]


def blobs(rng, n, S, C):
    """n random disc masks (S x S x C uint8, NHWC) and boxes in [0.1, 0.9]."""
    yy, xx = np.mgrid[0:S, 0:S]
    p = np.zeros((n, S, S, C), np.uint8)
    for i in range(n):
        cx, cy = 2 + rng.random(2) * (S - 4)
        r = 1.5 + rng.random() * S / 4
        p[i][(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = 255
    return p, (0.1 + 0.8 * rng.random((n, 4))).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["synth", "real"], required=True)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cuda")
    ap.add_argument("--chans", type=int, default=0)
    ap.add_argument("--samples", type=int, default=0)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("skipped: this PyTorch (%s) has no CUDA device" % torch.__version__)
        return 0
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    chans = a.chans or (3 if a.arch == "real" else 1)
    batch = a.batch or (512 if a.arch == "real" else 1024)
    samples = a.samples or 8 * batch
    dev = torch.device(a.device)
    torch.manual_seed(1)
    m = DHAE(a.arch, chans).to(dev)
    opt = torch.optim.Adadelta(m.parameters(), lr=1.0, rho=0.95, eps=1e-7)
    rng = np.random.default_rng(7)
    P, B = blobs(rng, samples, m.size, chans)
    print("pytorch %s on %s: %s arch, %d samples, batch %d, %d parameters" % (
        torch.__version__, torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu",
        a.arch, samples, batch, sum(p.numel() for p in m.parameters())))
    m.train()
    rates = []
    for ep in range(a.epochs):
        order = rng.permutation(samples)
        if a.device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(0, samples, batch):
            idx = order[i:i + batch]
            x = torch.from_numpy(P[idx]).to(dev).permute(0, 3, 1, 2).float().div_(255.0)
            b = torch.from_numpy(B[idx]).to(dev)
            ym, yb = m(x, b)
            loss = m.loss(x, b, ym, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss.item()   # ae-train reads the loss of every step too
        if a.device == "cuda":
            torch.cuda.synchronize()
        r = samples / (time.perf_counter() - t0)
        rates.append(r)
        print("epoch %d samples_per_s %.1f loss %.4f" % (ep + 1, r, loss.item()))
    timed = rates[1:] if len(rates) > 1 else rates
    print("median %.1f" % statistics.median(timed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
