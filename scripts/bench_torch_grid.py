"""PyTorch side of the landscape bench: an S×S grid of losses over the data set along two random
directions, with the same model, data, batch size and threads as Saddle. Prints one JSON line.
Usage: bench_torch_grid.py MODEL INPUTS.bin N THREADS BATCH STEPS
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from bench_common import load


def main():
    name, path, n, threads, batch, steps = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])
    net, x, y = load(name, path, n, threads)
    params = list(net.parameters())
    theta = [p.detach().clone() for p in params]
    torch.manual_seed(0)
    d1 = [torch.randn_like(p) for p in params]
    d2 = [torch.randn_like(p) for p in params]
    coords = np.linspace(-1, 1, steps)
    t = time.perf_counter()
    with torch.no_grad():
        for a in coords:
            for b in coords:
                for p, t0, u, v in zip(params, theta, d1, d2):
                    p.copy_(t0 + float(a) * u + float(b) * v)
                sum(F.cross_entropy(net(x[s : s + batch]), y[s : s + batch], reduction="sum").item() for s in range(0, n, batch))
    print(json.dumps({"seconds": time.perf_counter() - t, "points": steps * steps}))


if __name__ == "__main__":
    main()
