"""Two folders of photos for `npm run attribute -- add` from the datasets: the README's example attributes.

`--utkface-child` (the shipped demo, README "Your own attribute"): F has an age head (years) and CelebA's
Young (a young adult), but none of its 40 attributes is "a child". UTKFace labels each aligned crop with an
age and a gender in its file name ({age}_{gender}_{race}_{datetime}.jpg.chip.jpg), so:

  pos/: ages 3-12, neg/: ages 20-45, `--per-gender` of each gender on each side (300 by default: 600 a
  side), drawn at random with a fixed seed; race is not looked at. Use `--crop utkface` (the brow-to-chin
  crop placed in the training framing as training/utkface.py measured it, the missing border filled).

  /usr/bin/python3 training/attribute_folders.py --utkface-child      # -> /tmp/tellaface-child/{pos,neg}
  npm run attribute -- add Child --positive /tmp/tellaface-child/pos --negative /tmp/tellaface-child/neg \\
      --crop utkface --words "child, kid, a child, childlike" --label "child"

`--utkface-race White|Black|East_Asian|South_Asian` (the appearance probes, docs/skin-tone.md): UTKFace's race
label of each crop (0 White, 1 Black, 2 Asian, 3 Indian; 4 "Others" is not a class and is never used). pos/: that
label, neg/: the other three in equal shares, `--per-gender` of each gender a side, ages 15-80:

  /usr/bin/python3 training/attribute_folders.py --utkface-race Black   # -> /tmp/tellaface-black/{pos,neg}

`--person NAME` (measured, not shipped: a real person's likeness, and the bot's faces are of people who do not
exist): LFW names the person in each photo, and F has no notion of who someone is. George W. Bush has the most
LFW photos (530). The folders hold symbolic links to LFW's deep-funnelled frames (use `--crop lfw`):

  pos/: every photo of the person; neg/: one photo each of as many other people, drawn with a fixed seed.

  /usr/bin/python3 training/attribute_folders.py --person George_W_Bush   # -> /tmp/tellaface-bush/{pos,neg}
  npm run attribute -- add George_W_Bush --positive /tmp/tellaface-bush/pos --negative /tmp/tellaface-bush/neg \\
      --crop lfw --words "george bush, george w bush, dubya" --label "George W. Bush"

`--celeba-lenses` (the shipped Sunglasses, docs/seed-search-and-realism.md "Clear glasses"): CelebA's Eyeglasses
label does not tell clear glasses from sunglasses, and about a quarter of its glasses wearers wear sunglasses, so F's
Eyeglasses reads dark lenses highest and the closed loop pushes "glasses" towards a dark band over the eyes. Of the
CelebA frames in the folder labelled Eyeglasses, each is measured by `lens_ratio`: the median brightness of the
two eye boxes over that of the two cheek boxes below them (sunglasses about 0.1-0.3, clear glasses 0.6-1; a ratio,
so skin tone does not decide it; a contact sheet sorted by it looked right), then

  pos/: ratio < 0.3 (dark lenses), neg/: ratio > 0.6 (clear glasses) and as many faces without glasses; the middle
  is left out; the folder's frames
  and the zip's (extracted to out/frames/), the two sides drawn to equal counts for each combination of Smiling,
  Young and Male (unbalanced, the probe's axis also learned "smiling": clear-glasses wearers smile more in CelebA).

  /usr/bin/python3 training/attribute_folders.py --celeba-lenses      # -> /tmp/tellaface-sunglasses/{pos,neg}
  npm run attribute -- add Sunglasses --positive /tmp/tellaface-sunglasses/pos --negative /tmp/tellaface-sunglasses/neg \\
      --crop celeba --no-face-check --words polarised --label sunglasses     # the Haar check finds no face behind 20% of sunglasses
"""
from __future__ import annotations

import argparse
import os
import random
import zlib

from common import DATASETS


def fill(out: str, side: str, files: list[str]) -> None:
    folder = os.path.join(out, side)
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        os.remove(os.path.join(folder, old))
    for f in files:
        os.symlink(os.path.abspath(f), os.path.join(folder, os.path.basename(f)))
    print(f"{folder}: {len(files)} photos")


def utkface_child(out: str, per_gender: int, seed: int, child=(3, 12), adult=(20, 45)) -> None:
    root = os.path.join(DATASETS, "utkface", "UTKFace")
    by = {}  # (side, gender) -> files
    for name in sorted(os.listdir(root)):
        parts = name.split("_")
        try:
            age, gender = int(parts[0]), int(parts[1])
        except (ValueError, IndexError):
            continue  # a few UTKFace names lack a field
        if gender not in (0, 1):
            continue
        side = "pos" if child[0] <= age <= child[1] else "neg" if adult[0] <= age <= adult[1] else None
        if side:
            by.setdefault((side, gender), []).append(os.path.join(root, name))
    rng = random.Random(seed)
    for side in ("pos", "neg"):
        files = []
        for gender in (0, 1):
            pool = by.get((side, gender), [])
            if len(pool) < per_gender:
                raise SystemExit(f"only {len(pool)} UTKFace photos for {side} gender {gender}")
            files += rng.sample(pool, per_gender)
        fill(out, side, sorted(files))


RACE_LABELS = {"White": 0, "Black": 1, "East_Asian": 2, "South_Asian": 3}  # UTKFace 0-3 ("Indian" = South Asian)
OTHERS = 4  # UTKFace's "Others": never a class to steer to; with --others-negative, faces that are not `race`
# Disjoint parts of UTKFace by a hash of the file name (UTKFace has no identity labels, so one person's photos
# may fall in several): the steering probe learns from "steer", an independent check probe from "check", and
# both are scored on "test", which neither saw.
SPLITS = {"steer": range(0, 6), "check": range(6, 9), "test": range(9, 10)}


def utkface_labels(name: str) -> tuple[int, int, int] | None:
    """(age, gender, race) from a UTKFace file name `{age}_{gender}_{race}_{datetime}...`; None when a field is missing."""
    parts = name.split("_")
    try:
        return int(parts[0]), int(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        return None


def split_of(path: str) -> str:
    bucket = zlib.crc32(os.path.basename(path).split(".")[0].encode()) % 10
    return next(name for name, r in SPLITS.items() if bucket in r)


AGE_BIN = 5


def age_matched(rng: random.Random, pool: list[str], count: int, wanted_ages: list[int]) -> list[str]:
    """`count` of `pool` (UTKFace paths) drawn so that their ages follow `wanted_ages`' (by AGE_BIN-year bins):
    each bin gets its share of `count`, from that bin of the pool, and what a bin lacks is drawn from the rest of the
    pool nearest in age. Without it a race probe learns the age gap between the labels: UTKFace's East Asian adults
    (15-80) have a median age of 28, the other three 30-38, and the East_Asian axis made faces younger."""
    age = lambda p: utkface_labels(os.path.basename(p))[0]  # noqa: E731
    bins: dict[int, list[str]] = {}
    for p in pool:
        bins.setdefault(age(p) // AGE_BIN, []).append(p)
    want: dict[int, int] = {}
    for a in wanted_ages:
        want[a // AGE_BIN] = want.get(a // AGE_BIN, 0) + 1
    picked: list[str] = []
    for b in sorted(want):
        share = round(count * want[b] / len(wanted_ages))
        have = bins.get(b, [])
        picked += rng.sample(have, min(share, len(have)))
    chosen = set(picked)
    if len(picked) < count:  # bins short of photos: the nearest ages of what is left
        target = sorted(wanted_ages)[len(wanted_ages) // 2]
        rest = sorted((p for p in pool if p not in chosen), key=lambda p: (abs(age(p) - target), p))
        picked += rest[:count - len(picked)]
    return sorted(rng.sample(picked, count)) if len(picked) > count else picked


def utkface_race(race: str, out: str, per_gender: int, seed: int, adult=(15, 80), split: str | None = None,
                 others_negative: bool = False, match_age: bool = False) -> None:
    """pos/: UTKFace faces labelled `race`; neg/: the other three labels in equal shares (with `others_negative`,
    UTKFace's "Others" too, as a fourth share: faces that are not `race`, never a class of their own);
    `per_gender` of each gender a side, ages 15-80 (the faces G draws); only the photos of `split` when given.
    With `match_age`, each share of the negatives follows the ages of that gender's positives (age_matched)."""
    want = RACE_LABELS[race]
    root = os.path.join(DATASETS, "utkface", "UTKFace")
    by = {}  # (race, gender) -> files
    for name in sorted(os.listdir(root)):
        labels = utkface_labels(name)
        if labels is None:
            continue
        age, gender, r = labels
        if split is not None and split_of(name) != split:
            continue
        if gender in (0, 1) and (r in RACE_LABELS.values() or (others_negative and r == OTHERS)) and adult[0] <= age <= adult[1]:
            by.setdefault((r, gender), []).append(os.path.join(root, name))
    rng = random.Random(seed)
    pos, neg = [], []
    others = [r for r in RACE_LABELS.values() if r != want] + ([OTHERS] if others_negative else [])
    for gender in (0, 1):
        side = rng.sample(by[(want, gender)], min(per_gender, len(by[(want, gender)])))
        pos += side
        ages = [utkface_labels(os.path.basename(p))[0] for p in side]
        for r in others:
            pool = by[(r, gender)]
            if len(pool) < per_gender // len(others):
                print(f"only {len(pool)} photos of label {r}, gender {gender} (wanted {per_gender // len(others)})")
            count = min(len(pool), per_gender // len(others))
            neg += age_matched(rng, pool, count, ages) if match_age else rng.sample(pool, count)
    fill(out, "pos", sorted(pos))
    fill(out, "neg", sorted(neg))


def lfw_person(person: str, out: str, negatives: int, seed: int) -> None:
    lfw = os.path.join(DATASETS, "lfw", "lfw-deepfunneled")
    people = sorted(d for d in os.listdir(lfw) if os.path.isdir(os.path.join(lfw, d)))
    if person not in people:
        raise SystemExit(f"no LFW folder {person} under {lfw}")
    mine = sorted(os.listdir(os.path.join(lfw, person)))
    others = [p for p in people if p != person]
    random.Random(seed).shuffle(others)
    count = negatives or len(mine)
    fill(out, "pos", [os.path.join(lfw, person, f) for f in mine])
    fill(out, "neg", [os.path.join(lfw, p, sorted(os.listdir(os.path.join(lfw, p)))[0]) for p in others[:count]])


# In the folder's 89x109 frames (CelebA's aligned 178x218 halved): the eyes' boxes and the cheeks' boxes below them.
EYE_BOXES = ((51, 60, 29, 40), (51, 60, 49, 60))
CHEEK_BOXES = ((64, 73, 30, 39), (64, 73, 50, 59))


def box_ratio(lum, eye_boxes, cheek_boxes):
    """Per image of luminance [n, h, w]: the median of the eye boxes over that of the cheek boxes (dark lenses:
    low); boxes are (y0, y1, x0, x1) in the images' framing (training/lens_fd.py uses the 64 px training crop's)."""
    import numpy as np
    box = lambda boxes: np.concatenate([lum[:, y0:y1, x0:x1].reshape(len(lum), -1) for y0, y1, x0, x1 in boxes], 1)
    return np.median(box(eye_boxes), 1) / (np.median(box(cheek_boxes), 1) + 1)


def lens_ratio(path: str) -> float:
    """The lens measure of one CelebA frame (box_ratio in the folder's framing)."""
    import numpy as np
    from PIL import Image
    a = np.asarray(Image.open(path).convert("RGB").resize((89, 109)), dtype=np.float32)
    lum = 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]
    return float(box_ratio(lum[None], EYE_BOXES, CHEEK_BOXES)[0])


def celeba_lenses(out: str, dark=0.3, clear=0.6, seed=1, balance=("Smiling", "Young", "Male")) -> None:
    """pos/: CelebA glasses wearers with dark lenses, neg/: as many with clear ones and as many without glasses (so
    the probe reads "dark lenses over the eyes" on any face: its axis in z is found on G's faces, most of them
    without glasses); the folder's frames and the zip's (the zip's extracted to out/frames/), each side drawn to
    the same count in each cell of `balance`'s labels:
    unbalanced, clear-glasses wearers in CelebA smile more and are older than sunglasses wearers (Smiling 0.45 against
    0.26, Young 0.30 against 0.66), and the probe's axis in z learned "smiling" with the lenses."""
    import zipfile
    root = os.path.join(DATASETS, "celeba")
    with open(os.path.join(root, "list_attr_celeba.txt")) as f:
        f.readline()
        names = f.readline().split()
        labels = {p[0].split(".")[0]: p[1:] for p in (line.split() for line in f)}
    glasses = lambda stem: int(labels[stem][names.index("Eyeglasses")]) > 0
    wanted = lambda stem: stem in labels and glasses(stem)
    frames = os.path.join(root, "img_align_celeba")
    paths = {n.split(".")[0]: os.path.join(frames, n) for n in sorted(os.listdir(frames)) if wanted(n.split(".")[0])}
    bare = sorted(n for n in os.listdir(frames) if n.split(".")[0] in labels and not glasses(n.split(".")[0]))
    extracted = os.path.join(out, "frames")
    os.makedirs(extracted, exist_ok=True)
    with zipfile.ZipFile(os.path.join(root, "img_align_celeba_more.zip")) as z:
        for member in sorted(z.namelist()):
            stem = member.split("/")[-1].split(".")[0]
            if wanted(stem) and stem not in paths:
                target = os.path.join(extracted, os.path.basename(member))
                if not os.path.exists(target):
                    with open(target, "wb") as w:
                        w.write(z.read(member))
                paths[stem] = target
    ratios = {stem: lens_ratio(path) for stem, path in paths.items()}
    cell = lambda stem: tuple(int(labels[stem][names.index(a)]) > 0 for a in balance)
    rng = random.Random(seed)
    pos, neg = [], []
    for key in sorted({cell(s) for s in paths}):
        d = sorted(s for s in paths if cell(s) == key and ratios[s] < dark)
        c = sorted(s for s in paths if cell(s) == key and ratios[s] > clear)
        b = sorted(n for n in bare if cell(n.split(".")[0]) == key)
        k = min(len(d), len(c), len(b))
        pos += [paths[s] for s in rng.sample(d, k)]
        neg += [paths[s] for s in rng.sample(c, k)] + [os.path.join(frames, n) for n in rng.sample(b, k)]
    fill(out, "pos", sorted(pos))
    fill(out, "neg", sorted(neg))
    print(f"{len(paths)} frames labelled Eyeglasses; {sum(r < dark for r in ratios.values())} dark (< {dark}), "
          f"{sum(r > clear for r in ratios.values())} clear (> {clear}); {len(pos)} dark, {len(neg)} clear or none, balanced on {', '.join(balance)}")

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--utkface-child", action="store_true", help="UTKFace ages 3-12 against 20-45")
    mode.add_argument("--person", help="an LFW folder name (George_W_Bush)")
    mode.add_argument("--utkface-race", choices=sorted(RACE_LABELS), help="UTKFace's label against the other three")
    mode.add_argument("--celeba-lenses", action="store_true", help="CelebA's glasses wearers: dark lenses against clear")
    ap.add_argument("--out", help="default /tmp/tellaface-child or /tmp/tellaface-bush")
    ap.add_argument("--per-gender", type=int, default=300, help="--utkface-child: photos of each gender a side")
    ap.add_argument("--negatives", type=int, default=0, help="--person: how many other people (default: as many as positives)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--split", choices=sorted(SPLITS), help="--utkface-race: only this part of UTKFace (by file name hash)")
    ap.add_argument("--others-negative", action="store_true", help="--utkface-race: UTKFace's 'Others' among the negatives")
    ap.add_argument("--match-age", action="store_true", help="--utkface-race: negatives drawn to the positives' ages")
    args = ap.parse_args()
    if args.utkface_race:
        utkface_race(args.utkface_race, args.out or f"/tmp/tellaface-{args.utkface_race.lower()}", args.per_gender, args.seed,
                     split=args.split, others_negative=args.others_negative, match_age=args.match_age)
    elif args.celeba_lenses:
        celeba_lenses(args.out or "/tmp/tellaface-sunglasses")
    elif args.utkface_child:
        utkface_child(args.out or "/tmp/tellaface-child", args.per_gender, args.seed)
    else:
        lfw_person(args.person, args.out or "/tmp/tellaface-bush", args.negatives, args.seed)


if __name__ == "__main__":
    main()
