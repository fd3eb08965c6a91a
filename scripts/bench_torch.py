"""PyTorch side of `npm run bench`: the same model, data, batch size and thread count as Saddle.
Prints one JSON line of median seconds for forward+loss, gradient and one H·v over the data set.
Usage: bench_torch.py MODEL INPUTS.bin N THREADS BATCH REPS
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from bench_common import load


def main():
    name, path, n, threads, batch, reps = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
    net, x, y = load(name, path, n, threads)
    params = [p for p in net.parameters()]
    v = [torch.randn_like(p) for p in params]

    def batches():
        for s in range(0, n, batch):
            yield x[s : s + batch], y[s : s + batch]

    def forward():
        with torch.no_grad():
            return sum(F.cross_entropy(net(xb), yb, reduction="sum").item() for xb, yb in batches()) / n

    def gradient():
        acc = [torch.zeros_like(p) for p in params]
        for xb, yb in batches():
            gs = torch.autograd.grad(F.cross_entropy(net(xb), yb, reduction="sum"), params)
            for a, g in zip(acc, gs):
                a += g
        return acc

    def hvp():
        acc = [torch.zeros_like(p) for p in params]
        for xb, yb in batches():
            gs = torch.autograd.grad(F.cross_entropy(net(xb), yb, reduction="sum"), params, create_graph=True)
            dot = sum((g * vi).sum() for g, vi in zip(gs, v))
            for a, h in zip(acc, torch.autograd.grad(dot, params)):
                a += h
        return acc

    out = {"threads": torch.get_num_threads(), "torch": torch.__version__}
    for key, fn in (("forward", forward), ("gradient", gradient), ("hvp", hvp)):
        fn()
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        out[key] = float(np.median(times))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
