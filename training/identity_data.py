"""Who is in each frame of the training pack, and which people are held out (identity network).

CelebA: `identity_CelebA.txt` inside shared/datasets/celeba/img_align_celeba_more.zip names the person of
each zip frame (the 15,516 folder frames have none listed there and are not used). People, not frames, are
held out: a CelebA person is a test person when crc32(str(id)) % 10 == 0 (about 10% of the people, all their
frames). LFW (person = the frame name without _NNNN.jpg) is never trained on: its people with >= 2 frames are
a second, cross-domain test set.
"""
from __future__ import annotations

import os
import zipfile
import zlib
from collections import Counter

import numpy as np

from common import DATASETS

IDENTITY_ZIP = os.path.join(DATASETS, "celeba", "img_align_celeba_more.zip")


def celeba_identities(zip_path: str = IDENTITY_ZIP) -> dict[str, int]:
    with zipfile.ZipFile(zip_path) as z:
        text = z.read("identity_CelebA.txt").decode()
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = int(parts[1])
    return out


def is_test_person(celeba_id: int) -> bool:
    return zlib.crc32(str(celeba_id).encode()) % 10 == 0


def person_of_lfw(name: str) -> str:
    return name.rsplit("_", 1)[0]


def people(pack: dict, ids: dict[str, int] | None = None) -> dict[str, np.ndarray]:
    """Per pack row, the person as an int (-1 none): `train_person` (CelebA training people, 0..K-1 dense),
    `test_person` (held-out CelebA people, their CelebA id), `lfw_person` (LFW people with >= 2 frames, an
    index). Rows of people with one frame only get -1 everywhere. `ids`: frame name -> CelebA id (default: the
    dataset's identity_CelebA.txt)."""
    names = [str(n) for n in pack["names"]]
    source = pack["source"]
    ids = celeba_identities() if ids is None else ids
    n = len(names)
    cel = np.full(n, -1, np.int64)
    for i, (name, s) in enumerate(zip(names, source)):
        if s == 0 and name in ids:
            cel[i] = ids[name]
    counts = Counter(cel[cel >= 0].tolist())
    many = np.array([c >= 2 and counts[c] >= 2 for c in cel.tolist()]) & (cel >= 0)
    test_mask = many & np.array([is_test_person(int(c)) if c >= 0 else False for c in cel])
    train_mask = many & ~test_mask
    train_ids = sorted(set(cel[train_mask].tolist()))
    dense = {c: k for k, c in enumerate(train_ids)}
    train_person = np.array([dense[c] if m else -1 for c, m in zip(cel.tolist(), train_mask)], np.int64)
    test_person = np.where(test_mask, cel, -1)
    lfw = np.array([person_of_lfw(nm) if s == 1 else "" for nm, s in zip(names, source)])
    lcount = Counter(lfw[lfw != ""].tolist())
    lnames = sorted(p for p, c in lcount.items() if c >= 2)
    lidx = {p: k for k, p in enumerate(lnames)}
    lfw_person = np.array([lidx.get(p, -1) for p in lfw.tolist()], np.int64)
    return {"train_person": train_person, "test_person": test_person, "lfw_person": lfw_person}


def verification_pairs(person: np.ndarray, n_pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Balanced pairs of row indices over rows with person >= 0: n_pairs/2 same-person pairs (a random person,
    two random distinct frames of it) and n_pairs/2 different-person pairs. Returns (pairs [n, 2], same [n])."""
    rng = np.random.default_rng(seed)
    rows = np.flatnonzero(person >= 0)
    by = {}
    for r in rows:
        by.setdefault(int(person[r]), []).append(int(r))
    ppl = [p for p, rs in by.items() if len(rs) >= 2]
    possible = sum(len(by[p]) * (len(by[p]) - 1) // 2 for p in ppl)
    half = n_pairs // 2
    if half > possible:
        raise ValueError(f"{half} same-person pairs asked for, only {possible} exist")
    same = set()
    while len(same) < half:
        rs = by[ppl[rng.integers(len(ppl))]]
        a, b = rng.choice(len(rs), 2, replace=False)
        same.add((min(rs[a], rs[b]), max(rs[a], rs[b])))
    diff = set()
    while len(diff) < half:
        a, b = rows[rng.integers(len(rows))], rows[rng.integers(len(rows))]
        if person[a] != person[b]:
            diff.add((min(a, b), max(a, b)))
    pairs = np.array(sorted(same) + sorted(diff), np.int64)
    labels = np.array([1] * half + [0] * half, np.int8)
    return pairs, labels
