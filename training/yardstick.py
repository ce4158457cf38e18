"""The fixed yardstick that decides whether a new generator is better (the campaign's ratchet).

Fixed once, so that a new F (issue "Control a person can see") or more data cannot silently move it:
- evaluation network: `training/yardstick/classifier_v1.onnx`, a frozen copy of the first shipped F
  (rebuilt here in PyTorch from the ONNX weights; its 256-d penultimate layer is the feature space);
- reference: every held-out crop of the training pack (CelebA numbers >= 162771 from the folder and the
  zip, LFW people with crc32(name) % 10 == 0): 11,499 images, checked by count and a hash of their names;
- generated: seeds 1..2000, the unedited faces as `npm run face` renders them from the ONNX file (64 px,
  truncation 1: the ratchet measures G itself; `--truncation` measures the quality/diversity trade);
- measures: Frechet distance in that feature space (FD_F), Frechet distance in a HOG feature space (FD_HOG:
  OpenCV's gradient-orientation histograms, projected on the reference's top 64 principal directions; trained
  on nothing, so independent of F and of G's data), BRISQUE (OpenCV's `cv2.quality`, with the
  model files Debian's opencv-data ships; an off-the-shelf no-reference image-quality model we did not
  train), and the Laplacian sharpness of generated vs real crops;
- margin: see `better()`.

  /usr/bin/python3 training/yardstick.py --models-dir models          # measure the shipped G
  /usr/bin/python3 training/yardstick.py --models-dir training/work/candidate --json out.json
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import tempfile

import cv2
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from PIL import Image

from common import ATTRIBUTES, HERE, REPO, WORK, frechet, load_pack, npm_face
from norm import nhwc_to_unit

VERSION = 1
F_ONNX = os.path.join(HERE, "yardstick", "classifier_v1.onnx")
SEEDS = (1, 2000)
REFERENCE_COUNT = 11_499
BRISQUE_N = 400
BRISQUE_DIR = "/usr/share/opencv4/quality"
# A candidate is kept only if FD_F drops by more than this fraction (seeds 1-2000 against seeds
# 2001-4000 of one G differ by ~1-2%: noise), the independent FD_HOG gets no worse than HOG_TOLERANCE
# (a fraction), and BRISQUE no worse than BRISQUE_TOLERANCE points.
FD_MARGIN = 0.03
HOG_TOLERANCE = 0.03
BRISQUE_TOLERANCE = 1.0


class FrozenF(torch.nn.Module):
    """F v1 as exported: 8 convs (BatchNorm folded in), ReLU, global average pool, linear head."""

    def __init__(self, path: str = F_ONNX):
        super().__init__()
        m = onnx.load(path)
        w = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
        convs = []
        for n in m.graph.node:  # the trunk: the convs before the first pool (models/classifier.onnx has an age head after)
            if n.op_type == "GlobalAveragePool":
                break
            if n.op_type == "Conv":
                convs.append(n)
        self.layers = []
        for k, n in enumerate(convs):
            stride = [a.ints for a in n.attribute if a.name == "strides"][0][0]
            self.register_buffer(f"w{k}", w[n.input[1]])
            self.register_buffer(f"b{k}", w[n.input[2]])
            self.layers.append(stride)
        gemm = [n for n in m.graph.node if n.op_type == "Gemm"][0]
        self.register_buffer("hw", w[gemm.input[1]])
        self.register_buffer("hb", w[gemm.input[2]])

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        for k, stride in enumerate(self.layers):
            x = F.relu(F.conv2d(x, getattr(self, f"w{k}"), getattr(self, f"b{k}"), stride, 1))
        return x.mean((2, 3))

    def forward(self, x):
        return F.linear(self.embed(x), self.hw, self.hb)


@torch.no_grad()
def embed(f: FrozenF, imgs: np.ndarray) -> np.ndarray:
    x = nhwc_to_unit(imgs)
    return torch.cat([f.embed(x[i:i + 500]) for i in range(0, len(x), 500)]).numpy().astype(np.float64)


def brisque(imgs: np.ndarray) -> float:
    """Mean BRISQUE (lower is better) on 256 px Lanczos upscales, as users see the faces."""
    model, rng = os.path.join(BRISQUE_DIR, "brisque_model_live.yml"), os.path.join(BRISQUE_DIR, "brisque_range_live.yml")
    q = cv2.quality.QualityBRISQUE_create(model, rng)
    scores = []
    for im in imgs:
        big = np.asarray(Image.fromarray(im).resize((256, 256), Image.LANCZOS))
        scores.append(q.compute(cv2.cvtColor(big, cv2.COLOR_RGB2BGR))[0])
    return float(np.mean(scores))


HOG_DIMS = 64


def hog_features(imgs: np.ndarray) -> np.ndarray:
    """OpenCV's HOG descriptor of the grey 64 px face (16 px blocks, 8 px cells, 9 orientations: 1,764
    numbers): a hand-made feature space, trained on nothing, that sees edges, eyes and mouths."""
    hog = cv2.HOGDescriptor((64, 64), (16, 16), (8, 8), (8, 8), 9)
    return np.stack([hog.compute(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY)).ravel() for im in imgs]).astype(np.float64)


def hog_basis(real_hog: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and top-64 principal directions of the reference's HOG features (fixed by the reference)."""
    mean = real_hog.mean(0)
    _, _, vt = np.linalg.svd(real_hog - mean, full_matrices=False)
    return mean, vt[:HOG_DIMS]


def sharpness(imgs: np.ndarray) -> float:
    """Mean variance of the Laplacian of the grey 64 px image (blur lowers it)."""
    return float(np.mean([cv2.Laplacian(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var() for im in imgs]))


# Who G draws: F v1's judgement (indices in CelebA order) and a skin-tone proxy.
WHO_ATTRIBUTES = {k: ATTRIBUTES.index(a) for k, a in (("male", "Male"), ("young", "Young"), ("pale_skin", "Pale_Skin"))}
# Individual Typology Angle bands (Chardon et al. 1991), from the cheeks' CIELAB L* and b*.
ITA_BANDS = [("very light", 55), ("light", 41), ("intermediate", 28), ("tan", 10), ("brown", -30), ("dark", -1e9)]
# Two 6x6 cheek patches in the 64 px crop (the face box spans about x 12-52, y 17-57 in prepare.py's framing).
CHEEKS = [(slice(36, 42), slice(19, 25)), (slice(36, 42), slice(39, 45))]


@torch.no_grad()
def who(f: FrozenF, imgs: np.ndarray) -> dict:
    """The share of faces F v1 judges male / young / pale-skinned (p > 0.5), and the share in each ITA
    skin-tone band of the cheeks' colour (lighting moves it too: a coarse proxy, not a judgement of anyone)."""
    x = nhwc_to_unit(imgs)
    p = torch.cat([torch.sigmoid(f(x[i:i + 500])) for i in range(0, len(x), 500)]).numpy()
    out = {k: round(float((p[:, i] > 0.5).mean()), 3) for k, i in WHO_ATTRIBUTES.items()}
    lab = np.stack([cv2.cvtColor(im, cv2.COLOR_RGB2LAB) for im in imgs]).astype(np.float64)
    patch = np.concatenate([lab[:, ys, xs].reshape(len(imgs), -1, 3) for ys, xs in CHEEKS], 1)
    l_star, b_star = np.median(patch[..., 0], 1) * 100 / 255, np.median(patch[..., 2], 1) - 128
    ita = np.degrees(np.arctan2(l_star - 50, b_star))
    bands, upper = {}, 1e9
    for name, lower in ITA_BANDS:
        bands[name] = round(float(((ita > lower) & (ita <= upper)).mean()), 3)
        upper = lower
    out["skin_tone_ita"] = bands
    try:  # the shipped readers, whatever G is measured: the same instrument before and after
        import appearance_scores
        out["appearance"] = appearance_scores.shares(imgs)
    except (OSError, KeyError, ValueError, SystemExit) as err:  # optional files: never fails the measure
        out["appearance"] = {"unavailable": f"{type(err).__name__}: {err}"}
    return out


def reference(pack_path: str) -> tuple[np.ndarray, str]:
    pack = load_pack(pack_path)
    held = pack["split"] == 1
    names = pack["names"][held]
    order = np.argsort(names)
    h = hashlib.sha256("\n".join(map(str, names[order])).encode())
    h.update(np.ascontiguousarray(pack["images"][held][order]).tobytes())  # a new crop is a new reference
    digest = h.hexdigest()[:16]
    if len(names) != REFERENCE_COUNT:
        raise SystemExit(f"the yardstick's reference is {REFERENCE_COUNT} held-out crops, the pack has {len(names)}: "
                         "run training/prepare.py with the zip beside it (../shared/datasets/celeba/)")
    return pack["images"][held], digest


def render(models_dir: str, out_dir: str, truncation: float = 1.0) -> np.ndarray:
    first, last = SEEDS
    files = npm_face(models_dir, first, last - first + 1, out_dir, 64, truncation)
    return np.stack([np.asarray(Image.open(f).convert("RGB")) for f in files])


def measure(models_dir: str, pack_path: str, truncation: float = 1.0) -> dict:
    torch.set_num_threads(os.cpu_count() or 1)
    real, digest = reference(pack_path)
    tmp = tempfile.mkdtemp(prefix="yardstick-")
    try:
        gen = render(models_dir, tmp, truncation)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f = FrozenF().eval()
    cache = os.path.join(WORK, f"yardstick_ref_v{VERSION}_{digest}.npy")
    if os.path.exists(cache):
        er = np.load(cache)
    else:
        er = embed(f, real)
        os.makedirs(WORK, exist_ok=True)
        np.save(cache, er)
    eg = embed(f, gen)
    hog_cache = os.path.join(WORK, f"yardstick_hog_v{VERSION}_{digest}.npz")
    if os.path.exists(hog_cache):
        h = np.load(hog_cache)
        hr, hmean, hbasis = h["real"], h["mean"], h["basis"]
    else:
        real_hog = hog_features(real)
        hmean, hbasis = hog_basis(real_hog)
        hr = (real_hog - hmean) @ hbasis.T
        np.savez(hog_cache, real=hr, mean=hmean, basis=hbasis)
    hg = (hog_features(gen) - hmean) @ hbasis.T
    pick = np.random.default_rng(0).permutation(len(real))[:BRISQUE_N]
    who_real = who(f, real[np.random.default_rng(1).permutation(len(real))[:4000]])
    return {
        "yardstick": VERSION, "truncation": truncation, "reference": digest, "seeds": list(SEEDS),
        "fd_f": round(frechet(er, eg), 3), "fd_hog": round(frechet(hr, hg), 4),
        "brisque": round(brisque(gen[:BRISQUE_N]), 2), "brisque_real": round(brisque(real[pick]), 2),
        "sharpness": round(sharpness(gen), 1), "sharpness_real": round(sharpness(real), 1),
        "feature_spread": round(float(eg.std(0).mean()), 4), "feature_spread_real": round(float(er.std(0).mean()), 4),
        "who": {"generated": who(f, gen), "real_heldout": who_real},
    }


def better(new: dict, old: dict) -> tuple[bool, str]:
    """The ratchet's rule: clearly lower FD_F, and BRISQUE no worse beyond its tolerance."""
    if new.get("yardstick") != old.get("yardstick") or new.get("reference") != old.get("reference"):
        return False, "the two were measured with different yardsticks: re-measure the shipped G"
    fd_ok = new["fd_f"] < old["fd_f"] * (1 - FD_MARGIN)
    hog_ok = new["fd_hog"] <= old["fd_hog"] * (1 + HOG_TOLERANCE)
    br_ok = new["brisque"] <= old["brisque"] + BRISQUE_TOLERANCE
    why = (f"FD_F {old['fd_f']} -> {new['fd_f']} (needs < {old['fd_f'] * (1 - FD_MARGIN):.3f}); "
           f"FD_HOG {old['fd_hog']} -> {new['fd_hog']} (needs <= {old['fd_hog'] * (1 + HOG_TOLERANCE):.4f}); "
           f"BRISQUE {old['brisque']} -> {new['brisque']} (needs <= {old['brisque'] + BRISQUE_TOLERANCE:.2f})")
    return fd_ok and hog_ok and br_ok, why


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--json", help="write the numbers here too")
    ap.add_argument("--truncation", type=float, default=1.0,
                    help="psi for the generated faces (the ratchet always measures G at 1: G itself)")
    args = ap.parse_args()
    res = measure(args.models_dir, args.pack, args.truncation)
    print(json.dumps(res, indent=1))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
