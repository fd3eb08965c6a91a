"""PyTorch side of the top-5 eigenvalue bench: PyHessian-style power iteration with deflation
(100 iterations max, relative tolerance 1e-3) and scipy's eigsh (ARPACK Lanczos) on exact H·v, with the
same model, data, batch size and threads as Saddle. Prints one JSON line.
Usage: bench_torch_eigs.py MODEL INPUTS.bin N THREADS BATCH
"""
import json
import sys
import time

import numpy as np
import scipy.sparse.linalg as sla
import torch
import torch.nn.functional as F

from bench_common import load


def main():
    name, path, n, threads, batch = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    net, x, y = load(name, path, n, threads)
    params = list(net.parameters())
    count = [0]

    def hvp(vs):
        count[0] += 1
        acc = [torch.zeros_like(p) for p in params]
        for s in range(0, n, batch):
            loss = F.cross_entropy(net(x[s : s + batch]), y[s : s + batch], reduction="sum")
            gs = torch.autograd.grad(loss, params, create_graph=True)
            dot = sum((g * v).sum() for g, v in zip(gs, vs))
            for a, h in zip(acc, torch.autograd.grad(dot, params)):
                a += h
        return [a / n for a in acc]

    def inner(a, b):
        return sum((u * v).sum() for u, v in zip(a, b)).item()

    def power_iteration(k=5, max_iter=100, tol=1e-3):
        torch.manual_seed(0)
        eigvals, eigvecs = [], []
        for _ in range(k):
            v = [torch.randn_like(p) for p in params]
            nv = inner(v, v) ** 0.5
            v = [t / nv for t in v]
            lam = None
            for _ in range(max_iter):
                for e in eigvecs:
                    c = inner(v, e)
                    v = [t - c * u for t, u in zip(v, e)]
                nv = inner(v, v) ** 0.5
                v = [t / nv for t in v]
                hv = hvp(v)
                new = inner(hv, v)
                nh = inner(hv, hv) ** 0.5
                v = [t / nh for t in hv]
                if lam is not None and abs(new - lam) / (abs(lam) + 1e-6) < tol:
                    lam = new
                    break
                lam = new
            eigvals.append(lam)
            eigvecs.append(v)
        return eigvals

    sizes = [p.numel() for p in params]

    def matvec(flat):
        vs = [torch.from_numpy(c.astype(np.float32)).view_as(p) for c, p in zip(np.split(flat, np.cumsum(sizes)[:-1]), params)]
        return torch.cat([h.flatten() for h in hvp(vs)]).double().numpy()

    out = {}
    count[0] = 0
    t = time.perf_counter()
    vals = power_iteration()
    out["power"] = {"seconds": time.perf_counter() - t, "hvps": count[0], "eigenvalues": sorted(vals, reverse=True)}
    count[0] = 0
    t = time.perf_counter()
    op = sla.LinearOperator((sum(sizes), sum(sizes)), matvec=matvec, dtype=np.float64)
    vals = sla.eigsh(op, k=5, which="LA", tol=1e-3, v0=np.ones(sum(sizes)), return_eigenvectors=False)
    out["eigsh"] = {"seconds": time.perf_counter() - t, "hvps": count[0], "eigenvalues": sorted(vals.tolist(), reverse=True)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
