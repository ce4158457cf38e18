"""UTKFace, loaded once and cached: 23.7k faces with real ages (years) and gender.

UTKFace's aligned crops run from brow to chin. A 64 px CelebA-framed face (ours and G's) holds the same
region in the box TIGHT (38x38 px). Faces are cached at that 38 px size (LANCZOS from 200 px), so a
network trained here sees what it will see at run time: G's 64 px output cropped to TIGHT, then resized.
The held-out 10% is drawn at random with a fixed seed (UTKFace has no identity labels).
"""
from __future__ import annotations

import glob
import os

import numpy as np
import torch
from PIL import Image

from common import DATASETS, WORK, Progress

# The tight crop of a CelebA-framed 64 px face that matches UTKFace framing (x0, y0, x1, y1). Chosen among
# 12 candidate boxes by how well a UTKFace-trained age and gender net agreed with CelebA's Young and Male
# labels on 800 held-out CelebA frames (age AUC 0.83, gender AUC 0.99; 0.53 / 0.79 with the Haar box).
TIGHT = (13, 21, 51, 59)
SIDE = TIGHT[2] - TIGHT[0]
# The inner face inside the 38 px TIGHT crop (x0, y0, x1, y1): eyes to chin, cheek to cheek, no hair on the
# top of the head (drawn on 8 UTKFace and 8 CelebA crops and checked by eye). The age head and the judge read it.
INNER = (7, 9, 31, 37)
CACHE = os.path.join(WORK, "utkface38.npz")


def load(limit: int = 0):
    """(images uint8 [n, 38, 38, 3], age float32 years, female float32, heldout bool)."""
    if not limit and os.path.exists(CACHE):
        d = np.load(CACHE)
        return d["images"], d["age"], d["female"], d["heldout"]
    files = sorted(glob.glob(os.path.join(DATASETS, "utkface", "UTKFace", "*.jpg")))
    if not files:
        raise SystemExit(f"no UTKFace images under {DATASETS}/utkface/UTKFace")
    if limit:
        files = files[:limit]
    imgs, age, female = [], [], []
    for f in files:
        parts = os.path.basename(f).split("_")
        try:
            a, g = int(parts[0]), int(parts[1])
        except (ValueError, IndexError):
            continue
        imgs.append(np.asarray(Image.open(f).convert("RGB").resize((SIDE, SIDE), Image.LANCZOS)))
        age.append(a)
        female.append(g)
    images, age, female = np.stack(imgs), np.array(age, np.float32), np.array(female, np.float32)
    heldout = np.random.default_rng(0).random(len(images)) < 0.1
    if not limit:
        os.makedirs(WORK, exist_ok=True)
        np.savez(CACHE, images=images, age=age, female=female, heldout=heldout)
    return images, age, female, heldout


def tight_crops(faces64: np.ndarray) -> np.ndarray:
    """[n, 64, 64, 3] CelebA-framed faces -> [n, 38, 38, 3], the UTKFace-like region."""
    x0, y0, x1, y1 = TIGHT
    return faces64[:, y0:y1, x0:x1]


def train_loop(model: torch.nn.Module, train_idx: np.ndarray, epochs: int, loss_of, batch: int = 128,
               lr: float = 2e-3) -> None:
    """AdamW + one-cycle over shuffled batches of `train_idx`; loss_of(index tensor) -> loss."""
    opt = torch.optim.AdamW(model.parameters(), lr, weight_decay=5e-4)
    per_epoch = len(train_idx) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * per_epoch)
    prog = Progress(epochs * per_epoch * batch, every=30)
    rng = np.random.default_rng(0)
    for e in range(epochs):
        model.train()
        perm = rng.permutation(train_idx)
        for k in range(per_epoch):
            loss = loss_of(torch.from_numpy(perm[k * batch:(k + 1) * batch]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            prog.tick((e * per_epoch + k + 1) * batch, loss=loss.item())
    model.eval()
