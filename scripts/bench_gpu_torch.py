"""PyTorch (CUDA) side of scripts/bench-gpu.sh: forward+loss, gradient and one H·v over the same data
and batch size as Saddle-WebGPU, each with TF32 convolutions/matmuls (PyTorch's default for
convolutions) and in strict float32. Prints one JSON line of median seconds.
Usage: bench_gpu_torch.py MODEL INPUTS.bin N BATCH REPS
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))


def model(name):
    if name == "resnet20":
        from gen_bench import MODELS

        net = MODELS["resnet20"][0]()
        net.load_state_dict(torch.load(os.path.join(HERE, "..", "fixtures", "bench", "resnet20.pt"), map_location="cpu"))
        return net, (3, 32, 32)
    import torchvision  # resnet18 at 224: PyTorch's own weights (the time does not depend on them)

    return torchvision.models.resnet18(num_classes=10), (3, 224, 224)


def main():
    name, path, n, batch, reps = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    dev = torch.device("cuda")
    net, shape = model(name)
    net = net.to(dev).eval()
    x = torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(n, *shape)).to(dev)
    y = (torch.arange(n) % 10).to(dev)
    params = list(net.parameters())
    v = [torch.randn_like(p) for p in params]
    batches = [(x[s : s + batch], y[s : s + batch]) for s in range(0, n, batch)]

    def forward():
        with torch.no_grad():
            return sum(F.cross_entropy(net(xb), yb, reduction="sum") for xb, yb in batches).item()

    def gradient():
        acc = [torch.zeros_like(p) for p in params]
        for xb, yb in batches:
            for a, g in zip(acc, torch.autograd.grad(F.cross_entropy(net(xb), yb, reduction="sum"), params)):
                a += g
        return acc[0].sum().item()

    def hvp():
        acc = [torch.zeros_like(p) for p in params]
        for xb, yb in batches:
            gs = torch.autograd.grad(F.cross_entropy(net(xb), yb, reduction="sum"), params, create_graph=True)
            dot = sum((g * vi).sum() for g, vi in zip(gs, v))
            for a, h in zip(acc, torch.autograd.grad(dot, params)):
                a += h
        return acc[0].sum().item()

    out = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0)}
    for mode, tf32 in (("tf32", True), ("fp32", False)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        for key, fn in (("forward", forward), ("gradient", gradient), ("hvp", hvp)):
            fn()
            torch.cuda.synchronize()
            times = []
            for _ in range(reps):
                t = time.perf_counter()
                fn()
                torch.cuda.synchronize()
                times.append(time.perf_counter() - t)
            out[f"{key}_{mode}"] = float(np.median(times))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
