"""Align CelebA and LFW to one CelebA-like framing (face plus hair) and write a training pack.

Framing was measured, not guessed: OpenCV's Haar frontal-face detector was run on 300 random images of
each set; the median face box is (18, 35.7, 53.3, 53.3) in the 89x109 CelebA frames and
(33.5, 33.5, 58, 58) in the 125x125 LFW frames. The crop is a square 1.575 face-boxes wide, centred on
the face box and raised by 0.12 box so the hair stays in. Both sets are already aligned per image
(CelebA by landmarks, LFW by deep funnelling), so one fixed crop per set is steadier than a per-image
detector box. The crop is stored as fractions of the frame, so full-size originals work too.

UTKFace is left out: its crops are tight from brow to chin, so the hair (Bald, Bangs, hair colour,
Receding_Hairline) is missing and it cannot be framed like the others.

Held-out split (written into the pack as `split`, 1 = held out):
- CelebA: the official validation and test partitions (image numbers >= 162771), identity-disjoint
  from the official training partition (1,383 of the 15,516 folder frames, 8,943 of the 43,532 zip frames).
- LFW: every person whose name hashes (crc32) to 0 mod 10, so no identity is on both sides.

The CelebA frames come from two places: the `img_align_celeba/` folder (89x109 JPEG) and, when present,
`img_align_celeba_more.zip` (43,532 more official frames at 72x88, WebP, one entry per frame). Both are
the same official aligned frames at different sizes, and the crop is stored as fractions of the frame, so
both get the same framing. Without the zip the pack is what it was before.
"""
from __future__ import annotations

import argparse
import glob
import io
import os
import zipfile
import zlib

import numpy as np
from PIL import Image

from common import ATTRIBUTES, DATASETS, WORK

# (centre x, centre y, side) as fractions of frame width, height, width
CELEBA_CROP = (44.67 / 89, 56.0 / 109, 84.0 / 89)
LFW_CROP = (62.5 / 125, 55.6 / 125, 91.4 / 125)
CELEBA_HELDOUT_FROM = 162771


def crop(img: Image.Image, spec, res: int) -> Image.Image:
    w, h = img.size
    cx, cy, side = spec[0] * w, spec[1] * h, spec[2] * w
    box = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    return img.convert("RGB").resize((res, res), Image.LANCZOS, box=box)


def celeba_zip_entries(path: str) -> list[str]:
    """The frame names in the extra-CelebA zip (sorted), or [] when the zip is not there."""
    if not os.path.exists(path):
        return []
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.endswith((".webp", ".jpg", ".png")) and "/" not in n)


def read_celeba_attrs(path: str) -> dict[str, np.ndarray]:
    with open(path) as f:
        f.readline()
        names = f.readline().split()
        assert names == ATTRIBUTES, "unexpected attribute header"
        out = {}
        for line in f:
            parts = line.split()
            if len(parts) == 41:
                out[parts[0]] = np.array([int(v) for v in parts[1:]], dtype=np.int8)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", default=DATASETS)
    ap.add_argument("--res", type=int, default=64, help="output resolution (square)")
    ap.add_argument("--out", default=None, help="pack path (default training/work/pack{res}.npz)")
    ap.add_argument("--jpeg", action="store_true",
                    help="also write a compact JPEG pack (for carrying to a GPU machine)")
    ap.add_argument("--no-zip", action="store_true",
                    help="leave out celeba/img_align_celeba_more.zip (the pack of the first generator)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N images per set (smoke test)")
    args = ap.parse_args()
    out = args.out or os.path.join(WORK, f"pack{args.res}.npz")
    os.makedirs(os.path.dirname(out), exist_ok=True)

    attrs = read_celeba_attrs(os.path.join(args.datasets, "celeba", "list_attr_celeba.txt"))
    celeba = sorted(glob.glob(os.path.join(args.datasets, "celeba", "img_align_celeba", "*.jpg")))
    zpath = os.path.join(args.datasets, "celeba", "img_align_celeba_more.zip")
    extra = [] if args.no_zip else celeba_zip_entries(zpath)
    lfw = sorted(glob.glob(os.path.join(args.datasets, "lfw", "lfw-deepfunneled", "*", "*.jpg")))
    if args.limit:
        celeba, extra, lfw = celeba[: args.limit], extra[: args.limit], lfw[: args.limit]
    if not celeba and not extra:
        raise SystemExit(f"no CelebA images under {args.datasets}")
    print(f"CelebA: {len(celeba)} in the folder, {len(extra)} in {os.path.basename(zpath)}"
          f"{' (not found)' if not extra and not args.no_zip else ''}; LFW: {len(lfw)}", flush=True)
    zf = zipfile.ZipFile(zpath) if extra else None
    celeba_all = celeba + extra
    n = len(celeba_all) + len(lfw)
    images = np.zeros((n, args.res, args.res, 3), np.uint8)
    labels = np.zeros((n, 40), np.int8)  # 1 / -1, 0 = unknown (LFW)
    source = np.zeros(n, np.int8)  # 0 CelebA, 1 LFW
    split = np.zeros(n, np.int8)
    names = []
    for i, f in enumerate(celeba_all + lfw):
        base = os.path.basename(f)
        if i < len(celeba_all):
            src = Image.open(io.BytesIO(zf.read(f))) if i >= len(celeba) else Image.open(f)
            images[i] = np.asarray(crop(src, CELEBA_CROP, args.res))
            stem = base.split(".")[0]
            base = stem + ".jpg"  # the attribute file names every frame NNNNNN.jpg
            labels[i] = attrs[base]
            split[i] = int(int(stem) >= CELEBA_HELDOUT_FROM)
        else:
            images[i] = np.asarray(crop(Image.open(f), LFW_CROP, args.res))
            person = os.path.basename(os.path.dirname(f))
            source[i] = 1
            split[i] = int(zlib.crc32(person.encode()) % 10 == 0)
        names.append(base)
        if (i + 1) % 5000 == 0:
            print(f"prepared {i + 1}/{n}", flush=True)
    np.savez(out, images=images, labels=labels, source=source, split=split, names=np.array(names))
    for s, name in [(0, "CelebA"), (1, "LFW")]:
        m = source == s
        print(f"{name}: {m.sum()} images, {int((split[m] == 1).sum())} held out")
    print(f"wrote {out} ({os.path.getsize(out) / 1e6:.0f} MB)")
    Image.fromarray(np.concatenate([np.concatenate(list(images[k * 8:(k + 1) * 8]), 1) for k in range(4)]
                                   + [np.concatenate(list(images[-8:]), 1)], 0)).save(out + ".preview.png")
    if args.jpeg:
        blobs = []
        for im in images:
            b = io.BytesIO()
            Image.fromarray(im).save(b, "JPEG", quality=92)
            blobs.append(np.frombuffer(b.getvalue(), np.uint8))
        lens = np.array([len(b) for b in blobs])
        jp = out.replace(".npz", ".jpeg.npz")
        np.savez(jp, jpeg=np.concatenate(blobs), lengths=lens, labels=labels, source=source, split=split)
        print(f"wrote {jp} ({os.path.getsize(jp) / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
