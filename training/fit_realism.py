"""Fit the realism guard: a Gaussian density of real face crops in F's `features` space.

The closed loop reads F on every rendered face; F's `features` output (the layer its logits head reads, 256
numbers) comes with that pass for free. Real crops of the training split (CelebA and LFW, split == 0 in the
pack) are read by the shipped F (src/cli/f-features.ts, the same onnxruntime path the engine uses), and a
probabilistic PCA (mean, the top K principal directions with their variances, one isotropic variance for the
rest) is fitted to them. The engine scores a rendered face by its Mahalanobis distance under that density,
divided by the dimension (about 1 for a real crop; src/latent/realism.ts). Held-out real crops (split == 1)
calibrate it: their distances' percentiles are stored, and the guard's thresholds are read against them.

  /usr/bin/python3 training/fit_realism.py [--pack training/work/pack64.npz] [--fit 6000] [--calib 1500] [--k 64]
  -> models/realism.json (about 0.3 MB)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import tempfile

import numpy as np

from common import REPO, WORK


def features(images: np.ndarray, models_dir: str, tmp: str, name: str) -> np.ndarray:
    raw = os.path.join(tmp, f"{name}.u8")
    out = os.path.join(tmp, f"{name}.f32")
    np.ascontiguousarray(images, dtype=np.uint8).tofile(raw)
    subprocess.run(["node_modules/.bin/tsx", "src/cli/f-features.ts", "--images", raw, "--count", str(len(images)),
                    "--out", out, "--models-dir", models_dir], cwd=REPO, check=True)
    f = np.fromfile(out, np.float32)
    return f.reshape(len(images), -1).astype(np.float64)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--fit", type=int, default=6000, help="training-split crops the density is fitted on")
    ap.add_argument("--calib", type=int, default=1500, help="held-out crops that calibrate it")
    ap.add_argument("--k", type=int, default=64, help="principal directions kept")
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    d = np.load(args.pack, allow_pickle=False)
    split = d["split"]
    rng = np.random.default_rng(args.seed)
    tr = np.sort(rng.choice(np.flatnonzero(split == 0), args.fit, replace=False))
    ho = np.sort(rng.choice(np.flatnonzero(split == 1), args.calib, replace=False))
    images = d["images"]
    with tempfile.TemporaryDirectory(prefix="realism-") as tmp:
        ftr = features(images[tr], args.models_dir, tmp, "train")
        fho = features(images[ho], args.models_dir, tmp, "heldout")
    dim = ftr.shape[1]
    mean = ftr.mean(0)
    cov = np.cov(ftr - mean, rowvar=False)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    k = min(args.k, dim - 1)
    residual = float(vals[k:].mean())  # probabilistic PCA: the rest shares one variance

    def dist(f: np.ndarray) -> np.ndarray:
        x = f - mean
        p = x @ vecs[:, :k]
        rest = (x * x).sum(1) - (p * p).sum(1)
        return ((p * p / vals[:k]).sum(1) + rest / residual) / dim

    dtr, dho = dist(ftr), dist(fho)
    pct = lambda a: {str(q): round(float(np.percentile(a, q)), 4) for q in (50, 90, 95, 99)}
    with open(os.path.join(args.models_dir, "classifier.onnx"), "rb") as fh:
        classifier = hashlib.sha256(fh.read()).hexdigest()[:12]
    out = {
        "version": 1,
        "dim": dim,
        "k": k,
        "mean": [round(float(v), 6) for v in mean],
        "components": [[round(float(v), 6) for v in vecs[:, i]] for i in range(k)],
        "variances": [float(v) for v in vals[:k]],
        "residual": residual,
        "calibration": {"train": pct(dtr), "heldOut": pct(dho), "fit": int(len(tr)), "heldOutCount": int(len(ho))},
        "classifier": classifier,
    }
    path = args.out or os.path.join(args.models_dir, "realism.json")
    with open(path, "w") as fh:
        json.dump(out, fh)
    print(f"wrote {path}: dim {dim}, k {k}, residual variance {residual:.4g}; distance/dim on train {pct(dtr)}, held out {pct(dho)}")


if __name__ == "__main__":
    main()
