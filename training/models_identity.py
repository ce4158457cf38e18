"""The identity network: 64x64 face (RGB in [-1, 1], G's output) -> a D-dim face embedding, and the ArcFace
head it trains with. A compact ResNet sized for CPU training (training/train_identity.py)."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    """Basic residual block (two 3x3 convs, BN), 1x1 projection when the shape changes."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None if cin == cout and stride == 1 else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (x if self.short is None else self.short(x)))


class IdentityNet(nn.Module):
    """64 -> 32 (stem) -> 16 -> 8 -> 4 (one residual block each), then BN-Dropout-FC-BN to the embedding (not normalised here;
    onnx_export.export_identity normalises it in the exported graph)."""

    def __init__(self, width: int = 16, dim: int = 128, res: int = 64):
        super().__init__()
        w = width
        self.params = {"width": width, "dim": dim, "res": res}
        self.trunk = nn.Sequential(
            nn.Conv2d(3, w, 3, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
            Block(w, 2 * w, 2), Block(2 * w, 4 * w, 2), Block(4 * w, 8 * w, 2))
        side = res // 16
        self.head = nn.Sequential(nn.BatchNorm2d(8 * w), nn.Flatten(), nn.Dropout(0.2),
                                  nn.Linear(8 * w * side * side, dim), nn.BatchNorm1d(dim))

    def forward(self, x):
        return self.head(self.trunk(x))


class ArcFace(nn.Module):
    """Additive angular margin (Deng et al. 2019): logits s*cos(theta + m) for the true class, s*cos(theta)
    for the others, over L2-normalised embeddings and class centres."""

    def __init__(self, dim: int, classes: int, s: float = 32.0, m: float = 0.4):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(classes, dim) * 0.01)
        self.s, self.m = s, m

    def forward(self, emb: torch.Tensor, labels: torch.Tensor, m: float | None = None) -> torch.Tensor:
        m = self.m if m is None else m
        cos = F.linear(F.normalize(emb), F.normalize(self.weight)).clamp(-1 + 1e-7, 1 - 1e-7)
        target = cos.gather(1, labels[:, None])
        sin = (1 - target ** 2).sqrt()
        with_margin = target * math.cos(m) - sin * math.sin(m)
        # where theta + m would pass pi, fall back to the CosFace-style penalty (keeps it monotonic)
        th, mm = math.cos(math.pi - m), math.sin(math.pi - m) * m
        with_margin = torch.where(target > th, with_margin, target - mm)
        logits = cos.scatter(1, labels[:, None], with_margin)
        return logits * self.s
