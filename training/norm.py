"""How images become network inputs, in one place.

Two input conventions exist, and every script uses these helpers for them:

- RGB in [-1, 1] (G's output range; F, F's age head, the yardstick's frozen F v1 and D read it):
  uint8 x -> x / 127.5 - 1, exactly `x.float().div(127.5).sub(1)`. The TypeScript side never makes this
  from bytes: it feeds G's float output straight to F (src/render/scorer.ts), and turns G's output into
  bytes with clamp((v + 1) * 127.5) rounded (src/render/png.ts), the inverse of `to_unit` (`to_uint8`).
  The shipped ONNX models hold no normalisation of their own: models/classifier.onnx takes [-1, 1].
- grey, per-crop contrast-normalised (the judge, judge.py, Python only): luma (ITU-R BT.601 weights) of the
  uint8 crop, minus its mean, divided by (its standard deviation + 4 grey levels).

Numerics are those of the code these helpers replaced, operation for operation: the exported models, the
yardstick's cached reference features and the trained judge see exactly what they saw before.
"""
from __future__ import annotations

import numpy as np
import torch

SCALE = 127.5  # uint8 [0, 255] <-> [-1, 1]
LUMA = np.array([0.299, 0.587, 0.114], np.float32)
CONTRAST_FLOOR = 4.0  # grey levels added to a crop's standard deviation (flat crops are not blown up)


def to_unit(u8: torch.Tensor) -> torch.Tensor:
    """uint8 tensor (any shape, any layout, any device) -> float32 in [-1, 1]: x / 127.5 - 1."""
    if u8.dtype != torch.uint8:
        raise TypeError(f"to_unit expects uint8 images, got {u8.dtype}")
    return u8.float().div_(SCALE).sub_(1)  # .float() made a new tensor: in place is safe


def nhwc_to_unit(imgs: np.ndarray) -> torch.Tensor:
    """[n, h, w, 3] uint8 array (the pack's layout) -> [n, 3, h, w] float32 in [-1, 1]."""
    return to_unit(torch.from_numpy(imgs).permute(0, 3, 1, 2))


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] float -> uint8, clamped and rounded: the inverse of `to_unit` (as src/render/png.ts does it;
    torch rounds exact halves to even, png.ts up: only for values exactly between two grey levels)."""
    return ((x.clamp(-1, 1) + 1) * SCALE).round().byte()


def grey_contrast(crops_u8: np.ndarray) -> np.ndarray:
    """[n, h, w, 3] uint8 crops -> [n, h, w] float32 grey, each crop normalised to mean 0 and unit contrast."""
    c = crops_u8.astype(np.float32) @ LUMA
    return (c - c.mean((1, 2), keepdims=True)) / (c.std((1, 2), keepdims=True) + CONTRAST_FLOOR)
