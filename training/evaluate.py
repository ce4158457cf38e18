"""Measure the shipped models the way the issue checks them.

1. Face-detection rate: OpenCV's stock Haar cascades (an off-the-shelf detector we did not train) on
   PNGs rendered by `npm run face` for random seeds, and, for reference, on real held-out crops
   upscaled to the same size.
2. Frechet distance between real held-out images and generated images in the feature space of our
   classifier F (its 256-d penultimate layer; the yardstick's frozen F v1 by default, so a fresh clone can run
   it), and the spread of those features (mode-collapse check). training/yardstick.py is the ratchet's
   fixed version of this measure.

  npm run --silent face -- --seed 1 --count 1000 --out-dir /tmp/faces
  /usr/bin/python3 training/evaluate.py --generated /tmp/faces
"""
from __future__ import annotations

import argparse
import glob
import json
import os

import cv2
import numpy as np
import torch
from PIL import Image

from common import WORK, frechet, load_pack
from yardstick import F_ONNX, FrozenF, embed

CASCADES = {
    "haar_default": "haarcascade_frontalface_default.xml",
    "haar_alt2": "haarcascade_frontalface_alt2.xml",
}
CASCADE_DIR = "/usr/share/opencv4/haarcascades"


def detect_rate(images: list[np.ndarray]) -> dict[str, float]:
    out = {}
    for name, file in CASCADES.items():
        cas = cv2.CascadeClassifier(os.path.join(CASCADE_DIR, file))
        hits = 0
        for im in images:
            g = cv2.cvtColor(im, cv2.COLOR_RGB2GRAY)
            faces = cas.detectMultiScale(g, scaleFactor=1.1, minNeighbors=5, minSize=(48, 48))
            hits += int(len(faces) > 0)
        out[name] = hits / max(len(images), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--generated", required=True, help="folder of PNGs from `npm run face`")
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--classifier", default=F_ONNX,
                    help="the ONNX F whose features FD uses (default: the yardstick's frozen F v1, committed)")
    ap.add_argument("--json", help="write the numbers here too")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)

    files = sorted(glob.glob(os.path.join(args.generated, "*.png")))
    if not files:
        raise SystemExit(f"no PNGs in {args.generated}")
    gen_full = [np.asarray(Image.open(f).convert("RGB")) for f in files]
    size = gen_full[0].shape[0]
    gen64 = np.stack([np.asarray(Image.fromarray(im).resize((64, 64), Image.BOX)) for im in gen_full])

    pack = load_pack(args.pack)
    real64 = pack["images"][pack["split"] == 1]
    real_full = [np.asarray(Image.fromarray(im).resize((size, size), Image.LANCZOS)) for im in real64[:len(files)]]

    res = {"generated": len(files), "real_heldout": int(len(real64)), "size": size}
    res["detect_generated"] = detect_rate(gen_full)
    res["detect_real_heldout"] = detect_rate(real_full)

    f = FrozenF(args.classifier).eval()
    er, eg = embed(f, real64), embed(f, gen64)
    res["frechet_F"] = round(frechet(er, eg), 3)
    # reference: two halves of the real held-out set (what "indistinguishable" looks like at this n)
    perm = np.random.default_rng(0).permutation(len(er))  # held-out is ordered CelebA then LFW: shuffle
    half = len(er) // 2
    res["frechet_F_real_vs_real_half"] = round(frechet(er[perm[:half]], er[perm[half:]]), 3)
    res["feature_spread_generated"] = round(float(eg.std(0).mean()), 4)
    res["feature_spread_real"] = round(float(er.std(0).mean()), 4)
    # near-duplicates among generated images (mode collapse shows up as many)
    x = gen64.reshape(len(gen64), -1).astype(np.float32) / 255
    sub = x[:500]
    d = ((sub[:, None, :] - sub[None, :, :]) ** 2).mean(-1)
    np.fill_diagonal(d, np.inf)
    res["nearest_neighbour_mse_generated_median"] = round(float(np.median(d.min(1))), 5)
    xr = real64[:500].reshape(-1, 64 * 64 * 3).astype(np.float32) / 255
    dr = ((xr[:, None, :] - xr[None, :, :]) ** 2).mean(-1)
    np.fill_diagonal(dr, np.inf)
    res["nearest_neighbour_mse_real_median"] = round(float(np.median(dr.min(1))), 5)
    print(json.dumps(res, indent=1))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
