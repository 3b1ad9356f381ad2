"""The reference nn.Module of ae-filter's `unet` architecture.

Its state_dict names and shapes are exactly the tensors of an ae-filter
`unet` checkpoint, so `model.load_state_dict(safetensors.torch.load_file(path))`
loads one, and `safetensors.torch.save_file(model.state_dict(), path, metadata)`
writes one ae-filter loads (see export.py).

Input: a batch of 28x28 greyscale images, [N, 1, 28, 28], floats in [0, 1]
(dropout noise may push pixels above 1). Output: the denoised images, same
shape, in (0, 1).

Each level l = 0 .. depth-1 (28, 14, 7 ... pixels) has c * 2^l channels; a
block is two k x k convolutions ("same" padding), each followed by ReLU. The
encoder halves the size with 2x2 max pooling, the bottleneck keeps the
deepest level's channels, the decoder doubles the size (nearest neighbour),
concatenates the encoder's output of that level (upsampled first, then the
skip) and runs a block; a 1x1 convolution and a sigmoid give the image.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, inputs, outputs, kernel_size):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, kernel_size, padding=kernel_size // 2)
        self.conv2 = nn.Conv2d(outputs, outputs, kernel_size, padding=kernel_size // 2)

    def forward(self, x):
        return F.relu(self.conv2(F.relu(self.conv1(x))))


class UNet(nn.Module):
    def __init__(self, channels=32, depth=2, kernel_size=3):
        super().__init__()
        self.channels, self.depth, self.kernel_size = channels, depth, kernel_size
        widths = [channels * 2**level for level in range(depth)]
        self.encoder = nn.ModuleList()
        inputs = 1
        for width in widths:
            self.encoder.append(Block(inputs, width, kernel_size))
            inputs = width
        self.bottleneck = Block(widths[-1], widths[-1], kernel_size)
        self.decoder = nn.ModuleList()
        for level, width in enumerate(widths):
            below = widths[level + 1] if level + 1 < depth else widths[-1]
            self.decoder.append(Block(below + width, width, kernel_size))
        self.head = nn.Conv2d(widths[0], 1, 1)

    def forward(self, x):
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for level in reversed(range(self.depth)):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = self.decoder[level](torch.cat([x, skips[level]], dim=1))
        return torch.sigmoid(self.head(x))
