"""E: a 64x64 face (RGB in [-1, 1], the crops of training/prepare.py) -> G's latent z (128-d).

D-like body (stride-2 4x4 convs, LeakyReLU, as the DCGAN discriminator and NVIDIA DIGITS' encoder), one 3x3 conv
after each of the first three downsamples for capacity, a z-sized linear head. No normalisation layers, so an image
encodes to the same z alone or inside a batch, and the ONNX graph is plain Conv/LeakyRelu/Gemm.
"""
from __future__ import annotations

import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, z_dim: int = 128, width: int = 32):
        super().__init__()
        w = width
        layers, c = [], 3
        for i, cout in enumerate([w, 2 * w, 4 * w, 8 * w]):  # 32, 16, 8, 4 px
            layers += [nn.Conv2d(c, cout, 4, 2, 1), nn.LeakyReLU(0.2)]
            if i < 3:
                layers += [nn.Conv2d(cout, cout, 3, 1, 1), nn.LeakyReLU(0.2)]
            c = cout
        self.body = nn.Sequential(*layers, nn.Flatten())
        self.head = nn.Linear(c * 4 * 4, z_dim)
        self.z_dim, self.width = z_dim, width

    def forward(self, x):
        return self.head(self.body(x))
