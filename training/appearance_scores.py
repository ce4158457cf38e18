"""Which faces look Black, East Asian or South Asian: read on the training pack's crops and on G's faces.

Two readers, on the 64 px frame (prepare.py's, which is G's):
- the added attributes' probes (models/axes.json `added`, `npm run attribute`): p = sigmoid(w . features + b)
  on F's 256 features, F = models/classifier.onnx, the network they were learned on (its print is checked);
- models/appearance_check.onnx, the independent CNN of `npm run eval:skin` (UTKFace's labels, on the pixels).
Alone, neither is precise on CelebA's framing (contact sheets, docs/skin-tone.md "G learning it"): the probes read
30% of the pack as dark-skinned and take dark-haired white men for East Asian; the check takes sunglasses for
South Asian. A GROUP is a face both read as that appearance (sampling.group_masks: the check p > 0.8 and the probe p > 0.5;
for South Asian also no glasses by F, nor dark lenses by the Sunglasses probe): about 9 in 10 of the Black and East Asian
picks and 2 in 3 of the South Asian ones look so by eye (the rest mostly Mediterranean or Latin faces).

The training campaign oversamples the groups (sampling.py: `Black:3,East_Asian:3,South_Asian:3`), and the
yardstick reports the groups' shares of G's faces against the held-out data ("who G draws", yardstick.who).
The pack's readings are cached in training/work/ by the pack's and the readers' prints (72,000 crops: ~8 minutes
on 2 busy cores, once):

  /usr/bin/python3 training/appearance_scores.py                        # each group's share of the pack
  /usr/bin/python3 training/appearance_scores.py --sheet /tmp/s.png --group South_Asian   # its crops, by eye
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os

import numpy as np
import torch

from common import MODELS, WORK, load_pack
from norm import nhwc_to_unit
from sampling import GROUPS, group_masks

CLASSIFIER = os.path.join(MODELS, "classifier.onnx")
AXES = os.path.join(MODELS, "axes.json")
CHECK = os.path.join(MODELS, "appearance_check.onnx")
EYEGLASSES = 15  # F's Eyeglasses logit (celeba_attributes.ATTRIBUTES order)


def added_probes(axes_path: str = AXES) -> dict[str, dict]:
    """name -> {"weights": [256], "bias", "classifier": print} for every added attribute with a probe."""
    with open(axes_path) as fh:
        added = json.load(fh).get("added") or {}
    return {name: a["probe"] for name, a in added.items() if a.get("probe")}


def file_print(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def readers_print(probes: dict[str, dict], classifier: str, check: str) -> str:
    h = hashlib.sha256((file_print(classifier) + file_print(check)).encode())
    for name in sorted(probes):
        h.update(name.encode())
        h.update(np.asarray(probes[name]["weights"], np.float64).tobytes())
        h.update(np.float64(probes[name]["bias"]).tobytes())
    return h.hexdigest()[:12]


@torch.no_grad()
def f_readings(images: np.ndarray, probes: dict[str, dict], classifier: str = CLASSIFIER,
               batch: int = 500) -> dict[str, np.ndarray]:
    """Each probe's p and F's own Eyeglasses p, from one pass of F over [n, 64, 64, 3] uint8 crops."""
    from onnx_torch import OnnxClassifier  # F's trunk and logits head as torch ops, without onnxruntime

    f = OnnxClassifier(classifier).eval()
    feats, glasses = [], []
    for i in range(0, len(images), batch):
        e, logits = f(nhwc_to_unit(images[i:i + batch]))
        feats.append(e.numpy().astype(np.float64))
        glasses.append(torch.sigmoid(logits[:, EYEGLASSES]).numpy())
    x = np.concatenate(feats) if feats else np.zeros((0, 256))
    out = {name: 1.0 / (1.0 + np.exp(-(x @ np.asarray(p["weights"], np.float64) + float(p["bias"]))))
           for name, p in probes.items()}
    out["F_Eyeglasses"] = np.concatenate(glasses) if glasses else np.zeros(0)
    return out


@torch.no_grad()
def check_readings(images: np.ndarray, path: str = CHECK, batch: int = 1000) -> dict[str, np.ndarray]:
    """models/appearance_check.onnx through onnx_torch's reader (onnxruntime's probabilities): check_CLASS -> p."""
    from onnx_torch import OnnxAppearanceCheck

    check = OnnxAppearanceCheck(path).eval()
    with open(path[:-len(".onnx")] + ".json") as fh:
        classes = json.load(fh)["classes"]
    out = [check(nhwc_to_unit(images[i:i + batch])).numpy() for i in range(0, len(images), batch)]
    probs = np.concatenate(out) if out else np.zeros((0, len(classes)))
    return {f"check_{c}": probs[:, k] for k, c in enumerate(classes)}


def read(images: np.ndarray, models_dir: str = MODELS) -> dict[str, np.ndarray]:
    """Both readers on [n, 64, 64, 3] uint8 crops (G's faces or real ones)."""
    probes = added_probes(os.path.join(models_dir, "axes.json"))
    classifier = os.path.join(models_dir, "classifier.onnx")
    f_print = file_print(classifier)
    stale = sorted(n for n, p in probes.items() if p.get("classifier") and p["classifier"] != f_print)
    if stale:
        raise SystemExit(f"the probes {stale} were learned on another F than {classifier} ({f_print})")
    return {**f_readings(images, probes, classifier), **check_readings(images, os.path.join(models_dir, "appearance_check.onnx"))}


def readers_print_of(models_dir: str = MODELS) -> str:
    """The print of the readers a pack's groups were read by (the cache's key; the training log records it)."""
    return readers_print(added_probes(os.path.join(models_dir, "axes.json")), os.path.join(models_dir, "classifier.onnx"),
                         os.path.join(models_dir, "appearance_check.onnx"))


def pack_readings(pack_path: str, images: np.ndarray | None = None, pack_sha: str | None = None,
                  models_dir: str = MODELS) -> dict[str, np.ndarray]:
    """`read` on every crop of the pack (all splits, the pack's order), cached in WORK."""
    cache = os.path.join(WORK, f"appearance_{(pack_sha or file_print(pack_path))[:12]}_{readers_print_of(models_dir)}.npz")
    if os.path.exists(cache):
        with np.load(cache) as c:
            return {k: c[k] for k in c.files}
    if images is None:
        images = load_pack(pack_path)["images"]
    readings = {k: v.astype(np.float32) for k, v in read(images, models_dir).items()}
    os.makedirs(WORK, exist_ok=True)
    tmp = cache + ".tmp.npz"
    np.savez(tmp, **readings)
    os.replace(tmp, cache)
    return readings


def shares(images: np.ndarray, models_dir: str = MODELS) -> dict[str, float]:
    """Each group's share of these faces (yardstick.who's `appearance`)."""
    masks = group_masks(read(images, models_dir))
    return {g: round(float(m.mean()), 4) for g, m in masks.items()}


def who_row(name: str, imgs: np.ndarray, readings: dict[str, np.ndarray], weights: np.ndarray | None = None) -> str:
    """One markdown row: the faces' share in each group and in each ITA band (skin_tone.py's), optionally
    weighted (the data as the oversampled campaign draws it)."""
    from skin_tone import ITA_BANDS, ita

    p = np.full(len(imgs), 1.0 / len(imgs)) if weights is None else weights / weights.sum()
    masks = group_masks(readings)
    x, upper, cells = ita(imgs), 1e9, [f"{p[masks[g]].sum():.1%}" for g in GROUPS]
    for _, lower in ITA_BANDS:
        cells.append(f"{p[(x > lower) & (x <= upper)].sum():.1%}")
        upper = lower
    return f"| {name} | {len(imgs)} | " + " | ".join(cells) + " |"


def who_header() -> str:
    from skin_tone import ITA_BANDS

    cols = [g.replace("_", " ") for g in GROUPS] + [f"ITA {b}" for b, _ in ITA_BANDS]
    return "| | faces | " + " | ".join(cols) + " |\n|" + "---|" * (len(cols) + 2)


def render_seeds(models_dir: str, first: int, count: int) -> np.ndarray:
    import shutil
    import tempfile

    from PIL import Image

    from common import npm_face

    tmp = tempfile.mkdtemp(prefix="who-")
    try:
        return np.stack([np.asarray(Image.open(f).convert("RGB")) for f in npm_face(models_dir, first, count, tmp, 64)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sheet(images: np.ndarray, order: np.ndarray, out: str, cols: int = 16, rows: int = 6) -> None:
    from PIL import Image

    pick = order[:cols * rows]
    canvas = np.zeros((rows * 64, cols * 64, 3), np.uint8)
    for k, i in enumerate(pick):
        r, c = divmod(k, cols)
        canvas[r * 64:(r + 1) * 64, c * 64:(c + 1) * 64] = images[i]
    Image.fromarray(canvas).save(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--sheet", help="write a contact sheet of random crops of --group here")
    ap.add_argument("--group", default="Black", choices=GROUPS)
    ap.add_argument("--who", nargs="*", metavar="MODELS_DIR",
                    help="who G draws: each models folder's unedited seeds against the data, by group and ITA band")
    ap.add_argument("--seeds", type=int, default=2000, help="--who: seeds 1..N (the seed yardstick's)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    pack = load_pack(a.pack)
    masks = group_masks(pack_readings(a.pack, pack["images"]))
    celeba = pack["source"] == 0  # prepare.py: 0 CelebA, 1 LFW
    for g, m in masks.items():
        print(f"{g:12s} {m.mean():.4f} of the pack ({m.sum()} crops; CelebA {m[celeba].mean():.4f}, "
              f"LFW {m[~celeba].mean():.4f}; held out {m[pack['split'] == 1].sum()})")
    if a.who is not None:
        from sampling import APPEARANCE, sample_weights

        readings = pack_readings(a.pack, pack["images"])
        train, held = pack["split"] == 0, pack["split"] == 1
        pick = lambda m: {k: v[m] for k, v in readings.items()}  # noqa: E731
        w = sample_weights(pack["labels"][train], APPEARANCE, {g: m[train] for g, m in masks.items()})
        print(who_header())
        print(who_row("training crops", pack["images"][train], pick(train)))
        print(who_row(f"training crops as drawn ({APPEARANCE})", pack["images"][train], pick(train), w))
        print(who_row("held-out crops", pack["images"][held], pick(held)))
        for d in a.who:
            imgs = render_seeds(d, 1, a.seeds)
            print(who_row(f"G ({os.path.relpath(os.path.abspath(d))}), seeds 1-{a.seeds}", imgs, read(imgs, MODELS)), flush=True)
    if a.sheet:
        picked = np.where(masks[a.group])[0]
        sheet(pack["images"], np.random.default_rng(0).permutation(picked), a.sheet)
        print(f"{a.sheet}: random crops among the {len(picked)} in {a.group}")


if __name__ == "__main__":
    main()
