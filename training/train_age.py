"""F's age head: a face's age in years, trained on UTKFace's real ages.

It reads the inner face of a 64 px CelebA-framed face (utkface.INNER inside utkface.TIGHT: eyes to chin,
no hair), scaled x2 with bilinear interpolation, in grey (luminance; `--colour` for the head before). Exported inside models/classifier.onnx as a
second output `age` (years), next to the 40 attribute logits, so the engine reads both from one ONNX run.

Why no hair: a head that sees the hair reads grey hair as age (measured: painting the hair and forehead
light grey moved a brow-to-chin head by +16 years on held-out CelebA frames), so a loop steering by it
would bleach hair instead of ageing the face. `--crop tight` trains that head, for comparison.
Why grey: the colour head (v1) was as accurate (held-out MAE 7.59 against 7.64) but read skin tint as years:
on 100 faces "make him younger" moved it 12.0 years, and the same head on grey copies of the same faces 6.7,
what the judge saw. Half of what the loop steered was colour. The grey head leaves the loop only the shape.

Not the judge: training/judge.py grades edits with a different network (grey, contrast-normalised, so
paleness and contrast cannot move it), so the loop that steers by this head is not graded by it.

  /usr/bin/python3 training/train_age.py            # ~10 min on 1 core -> training/work/age.pt
  /usr/bin/python3 training/train_age.py --check training/work/age.pt   # held-out MAE and colour shifts
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

    def __init__(self, w: int = 24, crop: str = "inner", grey: bool = False):
        super().__init__()
        self.crop = crop
        self.grey = grey
        self.f = nn.Sequential(conv_bn(3, w, 2), conv_bn(w, 2 * w, 2), conv_bn(2 * w, 2 * w, 1),
                               conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 4 * w, 1), conv_bn(4 * w, 8 * w, 2),
                               nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(8 * w, 1)

    def forward(self, crop):
        if self.grey:  # luminance only (Rec. 601), repeated: skin colour and tint cannot move it
            lum = 0.299 * crop[:, 0:1] + 0.587 * crop[:, 1:2] + 0.114 * crop[:, 2:3]
            crop = lum.expand(-1, 3, -1, -1)
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
    model = AgeNet(crop=ck.get("crop", "tight"), grey=ck.get("grey", False))
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


def colour_shifts(model: AgeNet, imgs: np.ndarray) -> dict:
    """Years the head moves (mean |Δ|) when only the colour of held-out faces changes: a warmer, ruddier tint
    (red up 12%, blue down 12%) and a washed-out face (paler, greyer, less contrast: what "old" once did)."""
    with torch.no_grad():
        base = model(to_tensor(imgs)).numpy()
        f = imgs.astype(np.float32)
        warm = np.clip(f * np.array([1.12, 1.0, 0.88], np.float32), 0, 255).astype(np.uint8)
        faded = np.clip((0.55 * f + 0.45 * f.mean(-1, keepdims=True) + 60) * 0.85 + 30, 0, 255).astype(np.uint8)
        return {"tint_age_shift_abs_years": round(float(np.abs(model(to_tensor(warm)).numpy() - base).mean()), 2),
                "washed_out_age_shift_abs_years": round(float(np.abs(model(to_tensor(faded)).numpy() - base).mean()), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(WORK, "age.pt"))
    ap.add_argument("--check", metavar="CKPT", help="measure a trained head (held-out MAE, colour shifts) instead of training")
    ap.add_argument("--crop", default="inner", choices=["inner", "tight"])
    ap.add_argument("--colour", action="store_true",
                    help="read the crop in colour (the head before v3): it then reads skin tint as years, and a loop "
                         "steering by it ages a face half by colour, which a grey judge (or a person, in a grey photo) does not see")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    np.random.seed(0)
    imgs, age, _, ho = load()
    if args.check:
        model = load_age(args.check)
        with torch.no_grad():
            pred = model(to_tensor(imgs[ho])).numpy()
        print(json.dumps({"heldout_faces": int(ho.sum()), "mae_years": round(float(np.abs(pred - age[ho]).mean()), 2),
                          "grey": model.grey, **colour_shifts(model, imgs[ho])}), flush=True)
        return
    x, y = to_tensor(imgs), torch.from_numpy(age)
    model = AgeNet(crop=args.crop, grey=not args.colour)

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
               "mae_by_decade": by_decade, "epochs": args.epochs, "train_faces": int((~ho).sum()),
               "grey": not args.colour, **colour_shifts(model, imgs[ho])}
    print(json.dumps(metrics), flush=True)
    # for the record (nothing resumes this head: it trains in one go): arguments, seed, the UTKFace cache's hash
    data_sha256 = file_sha256(CACHE) if os.path.exists(CACHE) else None
    save_atomic({"model": model.state_dict(), "metrics": metrics, "crop": args.crop, "grey": not args.colour,
                 **record(args, CACHE, data_sha256, seed=0, rng=False)}, args.out)


if __name__ == "__main__":
    main()
