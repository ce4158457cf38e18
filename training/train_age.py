"""F's age head: a face's age in years, trained on UTKFace's real ages.

It reads the inner face of a 64 px CelebA-framed face (utkface.INNER inside utkface.TIGHT: eyes to chin,
no hair), scaled x2 with bilinear interpolation, in colour. Exported inside models/classifier.onnx as a
second output `age` (years), next to the 40 attribute logits, so the engine reads both from one ONNX run.

Why no hair: a head that sees the hair reads grey hair as age (measured: painting the hair and forehead
light grey moved a brow-to-chin head by +16 years on held-out CelebA frames), so a loop steering by it
would bleach hair instead of ageing the face. `--crop tight` trains that head, for comparison.

Not the judge: training/judge.py grades edits with a different network (grey, contrast-normalised, so
paleness and contrast cannot move it), so the loop that steers by this head is not graded by it.

  /usr/bin/python3 training/train_age.py            # ~10 min on 1 core -> training/work/age.pt
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import WORK, save_atomic
from models_classifier import conv_bn
from norm import nhwc_to_unit
from repro import file_sha256, record
from utkface import CACHE, INNER, TIGHT, load, train_loop

AGE_SCALE = 100.0  # the net predicts years / 100


class AgeNet(nn.Module):
    """[N, 3, 38, 38] RGB in [-1, 1] (the TIGHT crop) -> age in years [N], read from the inner face
    (crop="inner") or the whole brow-to-chin crop (crop="tight")."""

    def __init__(self, w: int = 24, crop: str = "inner"):
        super().__init__()
        self.crop = crop
        self.f = nn.Sequential(conv_bn(3, w, 2), conv_bn(w, 2 * w, 2), conv_bn(2 * w, 2 * w, 1),
                               conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 4 * w, 1), conv_bn(4 * w, 8 * w, 2),
                               nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(8 * w, 1)

    def forward(self, crop):
        if self.crop == "inner":
            x0, y0, x1, y1 = INNER
            x = F.interpolate(crop[:, :, y0:y1, x0:x1], scale_factor=2.0, mode="bilinear", align_corners=False)
        else:
            x = F.interpolate(crop, size=(48, 48), mode="bilinear", align_corners=False)
        return self.head(self.f(x))[:, 0] * AGE_SCALE

    def from_face64(self, face):
        """Age of [N, 3, 64, 64] CelebA-framed faces."""
        x0, y0, x1, y1 = TIGHT
        return self(face[:, :, y0:y1, x0:x1])


def load_age(path: str) -> AgeNet:
    """A trained head from its checkpoint (heads saved before `crop` was recorded read the tight crop)."""
    ck = torch.load(path, map_location="cpu")
    model = AgeNet(crop=ck.get("crop", "tight"))
    model.load_state_dict(ck["model"])
    return model.eval()


def to_tensor(imgs: np.ndarray) -> torch.Tensor:
    return nhwc_to_unit(imgs)


def augment(x: torch.Tensor) -> torch.Tensor:
    b = x.size(0)
    x = torch.where((torch.rand(b) < 0.5)[:, None, None, None], x.flip(3), x)
    pad = F.pad(x, (2, 2, 2, 2), mode="replicate")
    dx, dy = np.random.randint(0, 5, 2)
    x = pad[:, :, dy:dy + x.size(2), dx:dx + x.size(3)]
    scale = 1 + (torch.rand(b, 1, 1, 1) - 0.5) * 0.3
    shift = (torch.rand(b, 1, 1, 1) - 0.5) * 0.2
    return (x * scale + shift).clamp(-1, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(WORK, "age.pt"))
    ap.add_argument("--crop", default="inner", choices=["inner", "tight"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    np.random.seed(0)
    imgs, age, _, ho = load()
    x, y = to_tensor(imgs), torch.from_numpy(age)
    model = AgeNet(crop=args.crop)

    def loss_of(idx):
        return F.smooth_l1_loss(model(augment(x[idx])) / AGE_SCALE, y[idx] / AGE_SCALE, beta=0.05)

    train_loop(model, np.where(~ho)[0], args.epochs, loss_of)
    with torch.no_grad():
        pred = model(x[ho]).numpy()
    truth = age[ho]
    mae = float(np.abs(pred - truth).mean())
    r = float(np.corrcoef(pred, truth)[0, 1])
    by_decade = {f"{d}-{d + 9}": round(float(np.abs(pred - truth)[(truth >= d) & (truth < d + 10)].mean()), 1)
                 for d in range(0, 90, 10) if ((truth >= d) & (truth < d + 10)).sum() >= 20}
    metrics = {"heldout_faces": int(ho.sum()), "mae_years": round(mae, 2), "pearson_r": round(r, 3),
               "mae_by_decade": by_decade, "epochs": args.epochs, "train_faces": int((~ho).sum())}
    print(json.dumps(metrics), flush=True)
    # for the record (nothing resumes this head: it trains in one go): arguments, seed, the UTKFace cache's hash
    data_sha256 = file_sha256(CACHE) if os.path.exists(CACHE) else None
    save_atomic({"model": model.state_dict(), "metrics": metrics, "crop": args.crop,
                 **record(args, CACHE, data_sha256, seed=0, rng=False)}, args.out)


if __name__ == "__main__":
    main()
