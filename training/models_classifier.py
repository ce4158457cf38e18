"""F: 64x64 face -> 40 CelebA attribute logits. A small all-conv net sized for CPU training."""
from __future__ import annotations

import torch.nn as nn


def conv_bn(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class AttributeNet(nn.Module):
    """Input: RGB in [-1, 1], NCHW, 64x64 (the generator's output range). Output: 40 logits."""

    def __init__(self, width: int = 32, n_out: int = 40):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            conv_bn(3, w, 2), conv_bn(w, w, 1),                 # 32x32
            conv_bn(w, 2 * w, 2), conv_bn(2 * w, 2 * w, 1),     # 16x16
            conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 4 * w, 1),  # 8x8
            conv_bn(4 * w, 8 * w, 2), conv_bn(8 * w, 8 * w, 1),  # 4x4
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(8 * w, n_out))

    def embed(self, x):
        """Penultimate features (used for the Frechet distance in F's feature space)."""
        return self.features(x)

    def forward(self, x):
        return self.head(self.features(x))
