"""Glasses by their lenses: how far faces drawn for words are from real glasses wearers, split by dark or clear lenses.

docs/seed-search-and-realism.md, "Clear glasses and sunglasses". The asked-for yardstick (asked_for.py) compares
"a man with glasses" with every held-out real crop labelled Eyeglasses, dark lenses and clear alike; this splits
that reference by the lens measure on the pixels (the eye boxes' median brightness over the cheek boxes' below
them, in the 64 px training framing: dark < 0.35, clear > 0.6) and prints, for each wording, the share of its faces
with dark and with clear lenses and the class-conditional FD (F v1 and HOG spaces, as asked_for.py) against all,
dark-lensed and clear-lensed real glasses wearers. It needs the asked-for reference cache (run asked_for.py once).

  /usr/bin/python3 training/lens_fd.py --labels '{"Male": 1, "Eyeglasses": 1}' \\
      "Male=1, Eyeglasses=1" "a man in sunglasses" "a man with clear glasses"
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np
import torch

import asked_for
import yardstick
from attribute_folders import box_ratio
from celeba_attributes import ATTRIBUTES
from common import WORK, load_pack
from norm import nhwc_to_unit


# In the 64 px training crop: the eyes' boxes and the cheeks' boxes below them (from the held-out crops' mean face).
EYE_BOXES = ((28, 35, 20, 29), (28, 35, 35, 44))
CHEEK_BOXES = ((37, 43, 20, 29), (37, 43, 35, 44))


def lens_ratio(images: np.ndarray) -> np.ndarray:
    """Per 64 px face: attribute_folders.box_ratio in the training crop's framing (dark lenses: low)."""
    lum = (0.299 * images[..., 0] + 0.587 * images[..., 1] + 0.114 * images[..., 2]).astype(np.float32)
    return box_ratio(lum, EYE_BOXES, CHEEK_BOXES)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("words", nargs="+", help="descriptions (or weight lists) to draw")
    ap.add_argument("--labels", required=True, help="the CelebA labels of the real reference, JSON")
    ap.add_argument("--models-dir", default=os.path.join(asked_for.REPO, "models"))
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--seeds", type=int, default=asked_for.SEEDS)
    a = ap.parse_args()
    real, digest = yardstick.reference(a.pack)
    pk = load_pack(a.pack)
    labels = pk["labels"][pk["split"] == 1]
    del pk
    cache = os.path.join(WORK, f"asked_for_ref_v{asked_for.VERSION}_{digest}.npz")
    if not os.path.exists(cache):
        raise SystemExit(f"no {cache}: run training/asked_for.py once first")
    c = np.load(cache)
    fmean, fbasis, hmean, hbasis, pf, ph = (c[k] for k in ("fmean", "fbasis", "hmean", "hbasis", "pf", "ph"))
    ratios = lens_ratio(real)
    m = asked_for.matches(labels, json.loads(a.labels))
    parts = {"all": m, "dark": m & (ratios < 0.35), "clear": m & (ratios > 0.6)}
    print(f"real reference: {', '.join(f'{k} {int(v.sum())}' for k, v in parts.items())}")
    f = yardstick.FrozenF().eval()
    with tempfile.TemporaryDirectory(prefix="lens-fd-") as tmp:
        for k, text in enumerate(a.words):
            faces = asked_for.render(a.models_dir, text, asked_for.FIRST_SEED, a.seeds, os.path.join(tmp, str(k)))
            ef = (yardstick.embed(f, faces) - fmean) @ fbasis.T
            eh = (yardstick.hog_features(faces) - hmean) @ hbasis.T
            r = lens_ratio(faces)
            with torch.no_grad():
                male = f(nhwc_to_unit(faces)).numpy()[:, ATTRIBUTES.index("Male")] > 0
            want = json.loads(a.labels).get("Male")
            gender = "" if want is None else f"; F v1 reads the gender asked on {(male == (want == 1)).mean():.0%}"
            fd = "; ".join(f"{name} {asked_for.frechet(pf[v], ef):.2f} / {asked_for.frechet(ph[v], eh):.3f}" for name, v in parts.items())
            print(f'"{text}": dark lenses {(r < 0.35).mean():.0%}, clear {(r > 0.6).mean():.0%}; cFD_F / cFD_HOG against {fd}; '
                  f"F v1 spread {np.trace(np.cov(ef.T)):.1f}{gender}", flush=True)


if __name__ == "__main__":
    main()
