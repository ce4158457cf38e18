"""Skin tone as a measured number: ITA (the individual typology angle, Chardon et al. 1991) of a face's cheeks.

ITA = atan2(L* - 50, b*) in degrees, from the CIELAB lightness L* and yellow-blue b* of skin: about 55+ very
light, 41-55 light, 28-41 intermediate, 10-28 tan, -30-10 brown, below -30 dark (the bands of yardstick.py).

The region: the two 6x6 cheek patches of yardstick.CHEEKS in the 64 px training framing (prepare.py's, which is
G's), each patch's median, then the median of the two (one cheek in shadow or under hair moves it less).

Lighting: a cheek's L* falls with dim light as with dark skin, so the ITA puts dimly lit light-skinned faces
among the darkest (the sorted contact sheet: 11 of the 16 darkest-decile crops). `validate` tries shifting the
cheeks' L* by LIGHT_WEIGHT x (how far the mean L* of the face box TIGHT lies from the data's typical value):
on UTKFace's race labels every shift separated the groups less (the face box is mostly skin, so the shift
cancels real skin tone too), so LIGHT_WEIGHT is 0 and lighting is handled in what the bot steers by instead:
the Dark_Skin probe learns from faces where the ITA and the label agree, with relit copies (`utk-folders`).
The same function is in TypeScript (src/latent/skin-tone.ts), where `npm run eval:skin` measures G's faces
on the pixels the PNG gets (tests/skin-tone.test.ts checks the two agree on fixture pixels).

  /usr/bin/python3 training/skin_tone.py validate            # UTKFace: AUC per weight, medians per group
  /usr/bin/python3 training/skin_tone.py sheet --out /tmp/skin_sheet.png   # pack64 crops sorted by the measure
  /usr/bin/python3 training/skin_tone.py utk-folders --out /tmp/tellaface-dark  # Dark_Skin's folders (UTKFace)
  /usr/bin/python3 training/skin_tone.py relight /tmp/tellaface-black/neg --low 0.1 --high 0.3   # relit copies
  /usr/bin/python3 training/skin_tone.py heldout --used /tmp/tellaface-dark /tmp/tellaface-black ...  # faces no probe saw
  /usr/bin/python3 training/skin_tone.py bands               # share of the pack in each band (oversampling)
"""
from __future__ import annotations

import argparse
import os
import random

import numpy as np
from PIL import Image

from attribute_folders import utkface_labels
from common import DATASETS, WORK
from eye_patches import COPY_MARKS

CHEEKS = [(slice(36, 42), slice(19, 25)), (slice(36, 42), slice(39, 45))]  # yardstick.py's, 64 px frame
TIGHT = (13, 21, 51, 59)  # utkface.py's face box (x0, y0, x1, y1) in the 64 px frame
TYPICAL_FACE_L = 50.0     # the typical mean L* of TIGHT (pack64 median, rounded): exposure is measured from it
LIGHT_WEIGHT = 0.0        # chosen by `validate`: any face-box shift lowered the separation (see the docstring)
ITA_BANDS = [("very light", 55), ("light", 41), ("intermediate", 28), ("tan", 10), ("brown", -30), ("dark", -1e9)]
RACES = {0: "White", 1: "Black", 2: "East Asian", 3: "South Asian"}  # UTKFace 0-3; 4 "Others" is not a class


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """[..., 3] uint8 sRGB -> CIELAB (D65), float64: L* 0-100, a*, b*."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def cheeks_and_face(lab64: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """[n, 64, 64, 3] Lab -> cheek L*, cheek b*, mean L* of the face box."""
    meds = [np.median(lab64[:, ys, xs].reshape(len(lab64), -1, 3), 1) for ys, xs in CHEEKS]
    cheek = np.median(np.stack(meds, 0), 0)
    x0, y0, x1, y1 = TIGHT
    return cheek[:, 0], cheek[:, 2], lab64[:, y0:y1, x0:x1, 0].mean((1, 2))


def ita_from(l_cheek, b_cheek, l_face, weight: float = LIGHT_WEIGHT) -> np.ndarray:
    l_norm = l_cheek - weight * (l_face - TYPICAL_FACE_L)
    return np.degrees(np.arctan2(l_norm - 50, np.maximum(b_cheek, 1e-6)))


def ita(imgs64: np.ndarray, weight: float = LIGHT_WEIGHT) -> np.ndarray:
    """[n, 64, 64, 3] uint8 faces in the training framing -> skin tone ITA in degrees (higher = lighter)."""
    out = []
    for i in range(0, len(imgs64), 2000):
        out.append(ita_from(*cheeks_and_face(srgb_to_lab(imgs64[i:i + 2000])), weight))
    return np.concatenate(out) if out else np.zeros(0)


def band_of(x: float) -> str:
    upper = 1e9
    for name, lower in ITA_BANDS:
        if lower < x <= upper:
            return name
        upper = lower
    return "dark"


def colourless(imgs64: np.ndarray, below: float = 6.0) -> np.ndarray:
    """Faces whose cheeks have almost no colour (chroma under `below`): black-and-white photos, unmeasurable."""
    lab = srgb_to_lab(imgs64[:, 36:42, 19:45])
    return np.median(np.hypot(lab[..., 1], lab[..., 2]).reshape(len(imgs64), -1), 1) < below


def utk_to_frame(img200: np.ndarray) -> np.ndarray:
    """A 200 px UTKFace aligned crop placed in the 64 px frame (TIGHT), the border filled by its edge pixels."""
    x0, y0, x1, y1 = TIGHT
    small = np.asarray(Image.fromarray(img200).resize((x1 - x0, y1 - y0), Image.LANCZOS))
    return np.pad(small, ((y0, 64 - y1), (x0, 64 - x1), (0, 0)), mode="edge")


def utk_files(limit_per_race: int = 0, seed: int = 1) -> list[tuple[str, int, int, int]]:
    """(path, age, gender, race) for UTKFace races 0-3."""
    root = os.path.join(DATASETS, "utkface", "UTKFace")
    rows = []
    for name in sorted(os.listdir(root)):
        labels = utkface_labels(name)
        if labels is None:
            continue
        age, gender, race = labels
        if race in RACES and gender in (0, 1):
            rows.append((os.path.join(root, name), age, gender, race))
    if limit_per_race:
        rng = random.Random(seed)
        keep = []
        for r in RACES:
            mine = [x for x in rows if x[3] == r]
            keep += rng.sample(mine, min(limit_per_race, len(mine)))
        rows = sorted(keep)
    return rows


def load_utk(rows) -> np.ndarray:
    return np.stack([utk_to_frame(np.asarray(Image.open(p).convert("RGB"))) for p, *_ in rows])


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    s = np.concatenate([pos, neg])
    r = np.argsort(np.argsort(s)) + 1
    return float((r[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def validate(limit: int) -> None:
    rows = utk_files(limit)
    imgs = load_utk(rows)
    race = np.array([r[3] for r in rows])
    lc, bc, lf = cheeks_and_face(srgb_to_lab(imgs))
    print(f"{len(rows)} UTKFace faces (adults and children), {limit} per group at most; face-box L* median {np.median(lf):.1f}")
    for w in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = ita_from(lc, bc, lf, w)
        med = {RACES[r]: round(float(np.median(x[race == r])), 1) for r in RACES}
        a = auc(x[race == 0], x[race == 1])  # White lighter than Black
        a2 = auc(x[race == 0], x[race == 3])
        # lighting confound: how much of the spread within White faces follows the face-box lightness
        cw = float(np.corrcoef(x[race == 0], lf[race == 0])[0, 1])
        print(f"weight {w:4.2f}: AUC White>Black {a:.3f}, White>South Asian {a2:.3f}; medians {med}; "
              f"corr with face-box L* within White {cw:+.2f}")


def load_pack_images(n: int, seed: int = 0) -> np.ndarray:
    d = np.load(os.path.join(WORK, "pack64.npz"))
    imgs = d["images"]
    pick = np.sort(np.random.default_rng(seed).permutation(len(imgs))[:n])
    return imgs[pick]


def sheet(out: str, n: int, cols: int = 24, rows_each: int = 2) -> None:
    """Contact sheet: the pack's crops sorted by the measure, darkest first; rows_each rows per decile."""
    imgs = load_pack_images(n)
    x = ita(imgs)
    order = np.argsort(x)
    picks = []
    for q in np.linspace(0, len(order) - 1, cols * rows_each * 10).astype(int):
        picks.append(order[q])
    grid = np.zeros((10 * rows_each * 64, cols * 64, 3), np.uint8)
    for k, i in enumerate(picks):
        r, c = divmod(k, cols)
        grid[r * 64:(r + 1) * 64, c * 64:(c + 1) * 64] = imgs[i]
    Image.fromarray(grid).save(out)
    print(f"{out}: {len(picks)} of {n} pack crops by skin tone ITA, darkest top-left; "
          f"quantiles 1/10/50/90/99%: {np.percentile(x, [1, 10, 50, 90, 99]).round(1).tolist()}")


def exposed(rgb: np.ndarray, k: float) -> np.ndarray:
    """The photo as if lit k times as brightly (linear light scaled, then back to sRGB)."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4) * k
    out = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.clip(lin, 0, 1) ** (1 / 2.4) - 0.055)
    return np.clip(np.round(out * 255), 0, 255).astype(np.uint8)


def utk_folders(out: str, per_group: int, per_side: int, dark_below: float, light_above: float, relit: float) -> None:
    """Dark_Skin's folders from UTKFace (PNGs of the 200 px crops; use --crop utkface): pos/ = ITA below
    dark_below among faces labelled Black or Indian (the label guards against dim light on light skin, which the
    ITA alone confuses with dark skin); neg/ = ITA above light_above among all four labels. Ages 15-80,
    genders balanced. Lighting: a `relit` share of each side is added again relit (neg/ dimmed to 0.1-0.3 of
    its light, pos/ brightened 1.6-2.6 times), so that how brightly a photo is lit tells the probe nothing
    and it has to learn the skin."""
    rows = [r for r in utk_files(per_group) if 15 <= r[1] <= 80]
    imgs = load_utk(rows)
    x = ita(imgs)
    grey = colourless(imgs)
    rows, x = [r for r, g in zip(rows, grey) if not g], x[~grey]  # a black-and-white photo has no skin tone to read
    rng = random.Random(4)
    for side in ("pos", "neg"):
        keep = []
        for g in (0, 1):
            pool = [r[0] for r, v in zip(rows, x) if r[2] == g and (
                v < dark_below and r[3] in (1, 3) if side == "pos" else v > light_above)]
            keep += rng.sample(pool, min(per_side // 2, len(pool)))
        d = os.path.join(out, side)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):
            os.remove(os.path.join(d, old))
        for k, f in enumerate(keep):
            img = np.asarray(Image.open(f).convert("RGB"))
            name = os.path.basename(f).split(".")[0]
            Image.fromarray(img).save(os.path.join(d, f"{name}.png"))
            if k < relit * len(keep):
                light = rng.uniform(0.1, 0.3) if side == "neg" else rng.uniform(1.6, 2.6)
                Image.fromarray(exposed(img, light)).save(os.path.join(d, f"{name}_relit.png"))
        print(f"{d}: {len(keep)} photos, {int(relit * len(keep))} of them also relit")


def relight_folder(folder: str, share: float, low: float, high: float, seed: int = 6) -> None:
    """Adds a relit copy (light scaled by a random factor in [low, high], in linear light) of the first `share`
    of a folder's photos, as PNGs beside them: for the race folders of attribute_folders.py, so that how
    brightly a photo is lit does not tell the probe the label."""
    rng = random.Random(seed)
    # never a copy: relit, or eye_patches.py's dark-eyed or glasses copies
    files = sorted(f for f in os.listdir(folder) if not any(c in f for c in ("_relit", *COPY_MARKS)))
    for f in files[: int(share * len(files))]:
        img = np.asarray(Image.open(os.path.join(folder, f)).convert("RGB"))
        Image.fromarray(exposed(img, rng.uniform(low, high))).save(os.path.join(folder, f"{f.split('.')[0]}_relit.png"))
    print(f"{folder}: {int(share * len(files))} of {len(files)} photos also relit ({low}-{high})")


def heldout(out: str, used_dirs: list[str], per_group: int) -> None:
    """Folders of UTKFace faces that none of `used_dirs` holds (by file name), for `npm run attribute -- score`:
    {Black,East_Asian,South_Asian,White}/pos = that label, neg = the other three in equal shares; Dark_Skin/pos =
    ITA < 10 labelled Black or Indian, neg = ITA > 41 (any label). Ages 15-80, colour photos only."""
    used = set()
    for d in used_dirs:
        for side in ("pos", "neg"):
            if os.path.isdir(os.path.join(d, side)):
                used |= {f.split(".")[0] for f in os.listdir(os.path.join(d, side))}
    rows = [r for r in utk_files() if 15 <= r[1] <= 80 and os.path.basename(r[0]).split(".")[0] not in used]
    rng = random.Random(9)
    rows = sorted(rng.sample(rows, min(len(rows), 6000)))
    imgs = load_utk(rows)
    x, grey = ita(imgs), colourless(imgs)
    rows = [(r, v) for r, v, g in zip(rows, x, grey) if not g]
    sides = {}
    for label, name in ((1, "Black"), (2, "East_Asian"), (3, "South_Asian"), (0, "White")):
        pos = [r[0] for r, _ in rows if r[3] == label]
        neg = []
        for other in (o for o in RACES if o != label):
            neg += rng.sample([r[0] for r, _ in rows if r[3] == other], per_group // 3)
        sides[name] = (rng.sample(pos, min(per_group, len(pos))), neg)
    dark = [r[0] for r, v in rows if v < 10 and r[3] in (1, 3)]
    light = [r[0] for r, v in rows if v > 41]
    sides["Dark_Skin"] = (rng.sample(dark, min(per_group, len(dark))), rng.sample(light, min(per_group, len(light))))
    for name, (pos, neg) in sides.items():
        for side, files in (("pos", pos), ("neg", neg)):
            d = os.path.join(out, name, side)
            os.makedirs(d, exist_ok=True)
            for old in os.listdir(d):
                os.remove(os.path.join(d, old))
            for f in files:
                os.symlink(f, os.path.join(d, os.path.basename(f)))
        print(f"{out}/{name}: {len(pos)} with, {len(neg)} without")


def fixture(out: str) -> None:
    """tests/fixtures/skin_tone_ita.json: cheek-patch pixels of 6 made-up faces (zero elsewhere) and this file's
    ITA of each, so the TypeScript measure (src/latent/skin-tone.ts) is checked against this one."""
    rng = np.random.default_rng(5)
    faces, patches = [], []
    for base in [(235, 200, 180), (215, 170, 140), (190, 140, 105), (150, 100, 70), (100, 65, 45), (60, 40, 30)]:
        im = np.zeros((64, 64, 3), np.uint8)
        for ys, xs in CHEEKS:
            im[ys, xs] = np.clip(np.array(base) + rng.normal(0, 10, (6, 6, 3)), 0, 255).astype(np.uint8)
        faces.append(im)
        patches.append([im[ys, xs].reshape(-1).tolist() for ys, xs in CHEEKS])
    values = ita(np.stack(faces))
    import json
    with open(out, "w") as fh:
        json.dump({"_doc": "made by training/skin_tone.py fixture: cheek patches (CHEEKS, row-major RGB) and their ITA",
                   "patches": patches, "ita": [round(float(v), 4) for v in values]}, fh)
    print(f"{out}: ITA {values.round(1).tolist()}")


def bands(n: int) -> None:
    x = ita(load_pack_images(n))
    upper = 1e9
    for name, lower in ITA_BANDS:
        print(f"{name:13s} {((x > lower) & (x <= upper)).mean():.3f}")
        upper = lower


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("validate")
    v.add_argument("--per-group", type=int, default=1500)
    s = sub.add_parser("sheet")
    s.add_argument("--out", default="/tmp/skin_sheet.png")
    s.add_argument("--n", type=int, default=20000)
    u = sub.add_parser("utk-folders")
    u.add_argument("--out", default="/tmp/tellaface-dark")
    u.add_argument("--per-group", type=int, default=2500)
    u.add_argument("--per-side", type=int, default=600)
    u.add_argument("--dark-below", type=float, default=10.0)
    u.add_argument("--light-above", type=float, default=41.0)
    u.add_argument("--relit", type=float, default=0.5, help="share of each side added again relit")
    rl = sub.add_parser("relight")
    rl.add_argument("folder")
    rl.add_argument("--share", type=float, default=0.5)
    rl.add_argument("--low", type=float, default=0.1)
    rl.add_argument("--high", type=float, default=2.6)
    ho = sub.add_parser("heldout")
    ho.add_argument("--out", default="/tmp/tellaface-heldout")
    ho.add_argument("--used", nargs="+", required=True, help="the folders the probes were learned from")
    ho.add_argument("--per-group", type=int, default=300)
    fx = sub.add_parser("fixture")
    fx.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "skin_tone_ita.json"))
    b = sub.add_parser("bands")
    b.add_argument("--n", type=int, default=40000)
    a = ap.parse_args()
    if a.cmd == "validate":
        validate(a.per_group)
    elif a.cmd == "sheet":
        sheet(a.out, a.n)
    elif a.cmd == "utk-folders":
        utk_folders(a.out, a.per_group, a.per_side, a.dark_below, a.light_above, a.relit)
    elif a.cmd == "relight":
        relight_folder(a.folder, a.share, a.low, a.high)
    elif a.cmd == "heldout":
        heldout(a.out, a.used, a.per_group)
    elif a.cmd == "fixture":
        fixture(a.out)
    else:
        bands(a.n)


if __name__ == "__main__":
    main()
