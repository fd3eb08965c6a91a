"""The 25M-parameter case of `npm run bench`: torchvision's ResNet-50 (10 classes) exported to ONNX, with a
small CIFAR-shaped data set, so the bench can report the peak RSS of `saddle hessian --top-k 5` on it.
Usage: bench_rss_model.py OUT_DIR SAMPLES SIZE   (writes OUT_DIR/resnet50.onnx and OUT_DIR/data.npz)
"""
import os
import sys

import numpy as np
import torch
import torchvision


def main():
    out, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.manual_seed(0)
    net = torchvision.models.resnet50(num_classes=10).eval()
    torch.onnx.export(net, torch.randn(2, 3, size, size), os.path.join(out, "resnet50.onnx"), opset_version=17,
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    rng = np.random.default_rng(0)
    np.savez(os.path.join(out, "data.npz"), inputs=rng.standard_normal((n, 3, size, size)).astype(np.float32),
             targets=(np.arange(n) % 10).astype(np.int64))
    print(sum(p.numel() for p in net.parameters()))


if __name__ == "__main__":
    main()
