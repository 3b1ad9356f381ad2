"""PyTorch's outputs of the embedded `blind` model, for the interop test.

Loads Sources/CAEEmbeddedModels/blind.safetensors with load_state_dict into
the reference nn.Module (Plugins/Architectures/UNet/PyTorch), runs it on the
first 20 test images of forward-check/input-u8-100x784.bin, clean and with
the keep mask of forward-check (dropout p = 0.5, kept pixels doubled), and
writes the outputs as 8-bit grey levels, as the filter would:

    output-clean-u8-20x784.bin, output-dropout-u8-20x784.bin, checkpoint.sha256

Run from the repository root after the blind model changes:
    PYTHONPATH=<torch> python3 Tests/Reference/blind-pytorch/make_blind_check.py
"""
import hashlib
import os
import sys

import numpy as np
import torch

root = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(root, "..", "..", "..", "Plugins", "Architectures", "UNet", "PyTorch"))
from export import load  # noqa: E402

checkpoint = os.path.join(root, "..", "..", "..", "Sources", "CAEEmbeddedModels", "blind.safetensors")
count = 20
pixels = np.fromfile(os.path.join(root, "..", "forward-check", "input-u8-100x784.bin"), np.uint8)[: count * 784]
keep = np.fromfile(os.path.join(root, "..", "forward-check", "keep-mask-u8-100x784.bin"), np.uint8)[: count * 784]
x = torch.from_numpy(pixels.astype(np.float32).reshape(count, 1, 28, 28) / 255)
noisy = x * torch.from_numpy(keep.astype(np.float32).reshape(count, 1, 28, 28)) * 2
model = load(checkpoint).eval()
with torch.no_grad():
    for name, images in [("clean", x), ("dropout", noisy)]:
        y = model(images).numpy().reshape(count, 784)
        np.clip(np.rint(y * 255), 0, 255).astype(np.uint8).tofile(os.path.join(root, f"output-{name}-u8-{count}x784.bin"))
with open(os.path.join(root, "checkpoint.sha256"), "w") as f:
    f.write(hashlib.sha256(open(checkpoint, "rb").read()).hexdigest() + "\n")
print("wrote", root)
