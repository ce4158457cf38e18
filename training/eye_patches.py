"""Copies of a folder's UTKFace photos with dark patches over the eyes, so that a probe does not learn dark eyes.

Why (docs/skin-tone.md, "Dark eye patches"): the South_Asian probe learned from UTKFace's "Indian" faces read dark
eye sockets as South Asian, and the closed loop followed it there: 42% of "a south asian man" and 62% of "a south
asian woman" were drawn with dark patches or dark lenses over the eyes that nobody asked for. Adding, to *both*
sides of the probe's folders, copies of half the photos with dark patches over the eyes (dark sockets, or dark
lenses with a bridge) makes dark eyes say nothing about the label, so the probe and its axis learn the rest.

The geometry is UTKFace's aligned crop (brow to chin, `.chip.jpg`): the eyes sit about 30% down, at about a third and
two thirds across. Deterministic: the same folder and seed give the same copies.

  /usr/bin/python3 training/eye_patches.py /tmp/tellaface-south_asian/pos --share 0.5
"""
from __future__ import annotations

import argparse
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

EYE_Y = (0.27, 0.33)                              # the eyes' height in the crop, as a share of its height
EYE_X = ((0.30, 0.35), (0.65, 0.70))              # the two eyes' centres across
RADIUS_X, RADIUS_Y = (0.08, 0.12), (0.04, 0.07)  # each patch's half width and half height
BRIDGE = 0.3                                      # share of patches joined by a bridge, like dark glasses
RIM_X, RIM_Y = (0.11, 0.15), (0.06, 0.09)         # the glasses rims' half width and half height


def eye_places(size: tuple[int, int], rng: random.Random, radius_x, radius_y) -> tuple[float, float, float, list[float]]:
    """Where this copy's eyes are (y, then half width and half height of what goes over them, then both centres'
    x), in pixels, drawn from the UTKFace crop's eye positions."""
    w, h = size
    y = rng.uniform(*EYE_Y) * h
    rx, ry = rng.uniform(*radius_x) * w, rng.uniform(*radius_y) * h
    return y, rx, ry, [rng.uniform(*EYE_X[0]) * w, rng.uniform(*EYE_X[1]) * w]


def eye_mask(size: tuple[int, int], rng: random.Random) -> np.ndarray:
    """A soft mask (0..1, height x width) of two dark patches where the eyes are in a UTKFace crop."""
    w, h = size
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    y, rx, ry, centres = eye_places(size, rng, RADIUS_X, RADIUS_Y)
    for cx in centres:
        draw.ellipse([cx - rx, y - ry, cx + rx, y + ry], fill=255)
    if rng.random() < BRIDGE:
        draw.line([centres[0] + rx * 0.5, y, centres[1] - rx * 0.5, y], fill=255, width=max(1, round(0.015 * w)))
    mask = mask.filter(ImageFilter.GaussianBlur(rng.uniform(0.01, 0.03) * w))
    return np.asarray(mask, np.float32) / 255


def darken_eyes(img: Image.Image, rng: random.Random) -> Image.Image:
    """The photo with its eyes darkened: light kept in the patch between 5% and 30%, blended in by 50-90%."""
    rgb = np.asarray(img.convert("RGB"), np.float32)
    m = eye_mask(img.size, rng)[..., None] * rng.uniform(0.5, 0.9)
    out = rgb * (1 - m) + rgb * rng.uniform(0.05, 0.3) * m
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


def draw_frames(img: Image.Image, rng: random.Random) -> Image.Image:
    """The photo wearing clear glasses: dark rims round both eyes, a bridge and the temples' start (only the rims
    are softened; the rest of the photo is left as it was)."""
    base = img.convert("RGB")
    w, h = base.size
    rims = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(rims)
    y, rx, ry, centres = eye_places(base.size, rng, RIM_X, RIM_Y)
    width = max(1, round(rng.uniform(0.012, 0.03) * w))
    for cx in centres:
        draw.ellipse([cx - rx, y - ry, cx + rx, y + ry], outline=255, width=width)
    draw.line([centres[0] + rx, y, centres[1] - rx, y], fill=255, width=width)
    draw.line([centres[0] - rx, y, max(0, centres[0] - rx - 0.08 * w), y - 0.01 * h], fill=255, width=width)
    draw.line([centres[1] + rx, y, min(w - 1, centres[1] + rx + 0.08 * w), y - 0.01 * h], fill=255, width=width)
    m = np.asarray(rims.filter(ImageFilter.GaussianBlur(0.004 * w)), np.float32)[..., None] / 255
    shade = np.array([rng.uniform(0, 70) for _ in range(3)], np.float32)
    out = np.asarray(base, np.float32) * (1 - m) + shade * m
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


KINDS = {"eyes": darken_eyes, "frames": draw_frames}
# how a copy's file name marks it (NAME_eyes.png, NAME_frames.png): never picked again, here or by skin_tone.py relight
COPY_MARKS = tuple(f"_{k}." for k in KINDS)


def add_copies(folder: str, share: float, seed: int = 11, kind: str = "eyes") -> list[str]:
    """Adds a copy (NAME_eyes.png: dark eyes; NAME_frames.png: clear glasses) of a random `share` of the folder's
    photos; returns the copies' names. Copies are never picked; a second run makes the same copies again."""
    if not 0 < share <= 1:
        raise ValueError(f"--share must be in (0, 1], not {share}")
    if kind not in KINDS:
        raise ValueError(f"--kind must be one of {', '.join(KINDS)}, not {kind}")
    rng = random.Random(seed if kind == "eyes" else seed + 1)
    files = sorted(f for f in os.listdir(folder)
                   if not any(c in f for c in COPY_MARKS) and f.lower().endswith((".jpg", ".jpeg", ".png")))
    made = []
    for f in rng.sample(files, int(share * len(files))):
        name = f"{f.split('.')[0]}_{kind}.png"
        with Image.open(os.path.join(folder, f)) as img:
            KINDS[kind](img, rng).save(os.path.join(folder, name))
        made.append(name)
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", help="a folder of UTKFace crops (one side of a probe's folders)")
    ap.add_argument("--share", type=float, default=0.5, help="share of the photos that get a dark-eyed copy")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--kind", choices=sorted(KINDS), default="eyes", help="eyes: dark patches; frames: clear glasses")
    a = ap.parse_args()
    made = add_copies(a.folder, a.share, a.seed, a.kind)
    print(f"{a.folder}: {len(made)} photos also with {'dark eyes' if a.kind == 'eyes' else 'glasses frames'}")


if __name__ == "__main__":
    main()
