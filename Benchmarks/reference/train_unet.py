"""The PyTorch anchor of `ae-filter train --architecture unet`: the same
module (Plugins/Architectures/UNet/PyTorch/unet.py), loss, optimizer, batch,
schedule and blind dropout noise, in PyTorch's own idioms.

    python3 train_unet.py --data DIR --out blind-torch.safetensors \
        [--channels 32] [--depth 2] [--kernel-size 3] [--batch-size 64] [--epochs 15] \
        [--lr 1e-3] [--noise-range 0:0.7 | --noise-mix NAME=LO:HI,...] [--threads 2] [--steps N]

DIR holds the four Fashion-MNIST .gz files. Every iteration: a batch of the
shuffled training set, each image's dropout level drawn from U[LO, HI]
(nn.Dropout semantics: zeroed with probability p, the rest scaled by
1/(1-p)), MSE against the clean image, Adam, the learning rate on a cosine
from LR to 0 by iteration. Prints training images/s; writes an ae-filter
checkpoint, so `ae-filter eval --model OUT --levels 0,0.1,0.3,0.5,0.7`
measures it exactly as it measures ae-filter's own. --steps N stops after
N iterations (for timing). --noise-mix is `ae-filter train --noise-mix`: each
image draws one of dropout, mask, salt-pepper or gaussian, then its level.
"""
import argparse, gzip, math, os, sys, time

import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "Plugins", "Architectures", "UNet", "PyTorch"))
from unet import UNet  # noqa: E402
from export import save  # noqa: E402


def images(path):
    with gzip.open(path) as f:
        data = f.read()
    return np.frombuffer(data, np.uint8, offset=16).reshape(-1, 1, 28, 28)


def dropout(clean, p):
    return clean * (torch.rand_like(clean) >= p).float() / (1 - p)


def corrupt(clean, mix):
    """Each image draws one (name, LO, HI) of the mixture, then its level from U[LO, HI]."""
    n = len(clean)
    which = torch.randint(len(mix), (n,))
    out = clean.clone()
    for k, (name, low, high) in enumerate(mix):
        rows = (which == k).nonzero().flatten()
        if len(rows) == 0:
            continue
        x = clean[rows]
        level = torch.empty(len(rows), 1, 1, 1).uniform_(low, high)
        u = torch.rand_like(x)
        if name == "dropout":
            y = x * (u >= level).float() / (1 - level)
        elif name == "mask":
            y = x * (u >= level).float()
        elif name == "salt-pepper":
            y = torch.where(u < level, (u >= level / 2).float(), x)
        elif name == "gaussian":
            y = (x + level * torch.randn_like(x)).clamp(0, 1)
        else:
            raise SystemExit(f"train_unet.py: unknown noise model {name}")
        out[rows] = y
    return out


def parse_mix(text):
    entries = []
    for item in text.split(","):
        name, span = item.split("=")
        low, high = map(float, span.split(":"))
        entries.append((name, low, high))
    return entries


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--kernel-size", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--noise-range", default="0:0.7")
    p.add_argument("--noise-mix", help="NAME=LO:HI,... (dropout, mask, salt-pepper, gaussian): each image draws one")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--steps", type=int)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    low, high = map(float, a.noise_range.split(":"))
    mix = parse_mix(a.noise_mix) if a.noise_mix else None
    train = torch.from_numpy(images(os.path.join(a.data, "train-images-idx3-ubyte.gz")).copy()).float() / 255
    model = UNet(a.channels, a.depth, a.kernel_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)
    per_epoch = math.ceil(len(train) / a.batch_size)
    total = a.epochs * per_epoch
    steps = min(total, a.steps or total)
    start = time.time()
    seen = 0
    for step in range(steps):
        if step % per_epoch == 0:
            order = torch.randperm(len(train))
        index = order[(step % per_epoch) * a.batch_size:(step % per_epoch + 1) * a.batch_size]
        clean = train[index]
        noisy = corrupt(clean, mix) if mix else dropout(clean, torch.empty(len(index), 1, 1, 1).uniform_(low, high))
        for group in optimizer.param_groups:
            group["lr"] = 0.5 * a.lr * (1 + math.cos(math.pi * step / total))
        optimizer.zero_grad()
        loss = F.mse_loss(model(noisy), clean)
        loss.backward()
        optimizer.step()
        seen += len(index)
        if (step + 1) % per_epoch == 0 or step + 1 == steps:
            elapsed = time.time() - start
            print(f"iteration {step + 1}/{total}  loss {loss.item():.5f}  {elapsed:.0f} s  {seen / elapsed:.0f} img/s",
                  flush=True)
    elapsed = time.time() - start
    print(f"trained {steps} iterations in {elapsed:.1f} s: {seen / elapsed:.0f} images/s "
          f"({a.threads} threads, torch {torch.__version__})")
    metadata = {"noise_model": "dropout", "noise": str(high), "train.command": " ".join(sys.argv)}
    if mix:
        metadata["train.noise_mix"] = a.noise_mix
    save(model, a.out, metadata)


if __name__ == "__main__":
    main()
