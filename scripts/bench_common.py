"""What the PyTorch bench scripts share: the model with its saved weights, and the same data as Saddle's bench."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from gen_bench import MODELS  # noqa: E402


def load(name, inputs_path, n, threads):
    """(net in eval mode, inputs, labels) with torch limited to `threads` threads."""
    torch.set_num_threads(threads)
    ctor, shape = MODELS[name]
    net = ctor()
    net.load_state_dict(torch.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "bench", f"{name}.pt")))
    net.eval()
    x = torch.from_numpy(np.fromfile(inputs_path, dtype=np.float32).reshape(n, *shape))
    return net, x, torch.arange(n) % 10
