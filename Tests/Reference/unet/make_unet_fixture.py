"""Writes the U-Net interop fixture: a small U-Net (4 channels, depth 2,
3x3) with PyTorch's init, its outputs on six images, and one Adam step
computed in float64 (forward, MSE, backward, Adam) from the same weights,
with the gradients of that step.

    PYTHONPATH=... python3 make_unet_fixture.py OUT_DIR
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "../../../Plugins/Architectures/UNet/PyTorch"))
from export import save  # noqa: E402
from unet import UNet  # noqa: E402

out = sys.argv[1]
torch.manual_seed(1)
model = UNet(4, 2, 3)
save(model, f"{out}/unet-4-2-3.safetensors")
rng = np.random.default_rng(7)
inputs = rng.random((6, 1, 28, 28), dtype=np.float32)
inputs[:, :, :, :4] = 0  # some background
inputs[3] *= 2  # dropout-like values above 1
targets = rng.random((6, 1, 28, 28), dtype=np.float32)
inputs.astype("<f4").tofile(f"{out}/inputs-f32le-6x784.bin")
targets.astype("<f4").tofile(f"{out}/targets-f32le-6x784.bin")
with torch.no_grad():
    model(torch.from_numpy(inputs)).numpy().astype("<f4").tofile(f"{out}/outputs-f32le-6x784.bin")

# One step in float64: MSE over all pixels, Adam(lr=0.01) as torch.optim.Adam does it.
double = UNet(4, 2, 3).double()
double.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
optimizer = torch.optim.Adam(double.parameters(), lr=0.01)
loss = F.mse_loss(double(torch.from_numpy(inputs).double()), torch.from_numpy(targets).double())
loss.backward()
from safetensors.torch import save_file  # noqa: E402
save_file({k: p.grad.float().contiguous() for k, p in double.named_parameters()}, f"{out}/unet-4-2-3-gradients.safetensors")
optimizer.step()
with open(f"{out}/step-loss.txt", "w") as f:
    f.write(f"{loss.item():.17g}\n")
stepped = UNet(4, 2, 3)
stepped.load_state_dict({k: v.float() for k, v in double.state_dict().items()})
save(stepped, f"{out}/unet-4-2-3-after-step.safetensors")
print("ok", loss.item())
