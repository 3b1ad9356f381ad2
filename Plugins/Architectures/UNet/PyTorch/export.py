"""Moves U-Nets between PyTorch and ae-filter.

    python3 export.py to-ae-filter MODEL.pt OUT.safetensors   # a torch.save'd state_dict
    python3 export.py from-ae-filter CKPT.safetensors OUT.pt  # for UNet(...).load_state_dict
    python3 export.py denoise CKPT.safetensors IN.png OUT.png  # the filter's model run by PyTorch

An ae-filter `unet` checkpoint is a safetensors file of the module's
state_dict with the architecture and its hyper-parameters in __metadata__.
Needs torch, safetensors, numpy (and Pillow for `denoise`).
"""
import sys

import torch
from safetensors.torch import load_file, save_file

from unet import UNet


def metadata(model):
    return {
        "format": "pt",
        "architecture": "unet",
        "architecture.channels": str(model.channels),
        "architecture.depth": str(model.depth),
        "architecture.kernel_size": str(model.kernel_size),
    }


def load(path):
    """The UNet an ae-filter checkpoint holds."""
    from safetensors import safe_open

    with safe_open(path, "pt") as f:
        meta = f.metadata() or {}
    model = UNet(int(meta.get("architecture.channels", 32)), int(meta.get("architecture.depth", 2)),
                 int(meta.get("architecture.kernel_size", 3)))
    state = {k: v.float() for k, v in load_file(path).items() if not k.startswith("optimizer.")}
    model.load_state_dict(state)
    return model


def save(model, path, extra=None):
    save_file({k: v.contiguous().float() for k, v in model.state_dict().items()}, path,
              {**metadata(model), **(extra or {})})


def main(argv):
    command = argv[1]
    if command == "to-ae-filter":
        state = torch.load(argv[2])
        channels = state["encoder.0.conv1.weight"].shape[0]
        depth = sum(1 for k in state if k.startswith("encoder.") and k.endswith(".conv1.weight"))
        kernel = state["encoder.0.conv1.weight"].shape[-1]
        model = UNet(channels, depth, kernel)
        model.load_state_dict(state)
        save(model, argv[3])
    elif command == "from-ae-filter":
        torch.save(load(argv[2]).state_dict(), argv[3])
    elif command == "denoise":
        import numpy as np
        from PIL import Image

        model = load(argv[2])
        image = np.asarray(Image.open(argv[3]).convert("L"), dtype=np.float32) / 255
        with torch.no_grad():
            out = model(torch.from_numpy(image)[None, None])[0, 0].numpy()
        Image.fromarray(np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)).save(argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
