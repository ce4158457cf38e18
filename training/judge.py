"""An independent age / gender / smile judge, for grading edits without trusting F (or F's age head).

Age and gender: a small CNN trained on UTKFace's real ages and genders. It sees only the inner face, from
the eyes to the chin and between the cheeks (INNER, inside the UTKFace-like TIGHT crop), in grey, with
each crop normalised to zero mean and unit contrast. So:
- hair cannot move it: no hair is in the crop (grey hair on top of the head is outside it by construction);
- a paler, washed-out or greyer face does not read as older: brightness, contrast and colour are removed;
  what is left to read age from is the shape of the face and its lines.
That is what "F cannot grade the loop that optimises F" asks for: F's age head (train_age.py) reads the
whole brow-to-chin crop in colour; the loop steers by it, this judge grades.

Smile: a second small CNN that sees only the mouth and cheeks (MOUTH_BOX, below the nose, no eyes and no
hair), in grey, contrast-normalised, trained on CelebA's Smiling label (train split only). It shares the
label with F but not the input: F reads the whole face in colour; a loop that pushes F's Smiling logit
without moving the mouth does not move this judge. OpenCV's stock Haar smile cascade (an off-the-shelf
detector we did not train) is reported beside it as `smile_haar`; on held-out CelebA frames it is far weaker
(`check` prints both AUCs), so it no longer grades.

  /usr/bin/python3 training/judge.py train              # ~5 min on 1 core -> training/work/judge_v2.pt
  /usr/bin/python3 training/judge.py train-smile        # ~5 min on 1 core -> training/work/smile_v1.pt
  /usr/bin/python3 training/judge.py check              # held-out UTKFace and CelebA, and the invariance checks
  /usr/bin/python3 training/judge.py score DIR          # prints JSON {file: {age, female, smile}}
"""
from __future__ import annotations

import argparse
import glob
import json
import os

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from common import WORK, save_atomic
from models_classifier import conv_bn
from norm import grey_contrast
from repro import file_sha256, record
from utkface import CACHE, INNER, load, tight_crops, train_loop

CKPT = os.path.join(WORK, "judge_v2.pt")
SMILE_CKPT = os.path.join(WORK, "smile_v1.pt")
# Mouth and cheeks of a 64 px CelebA-framed face (x0, y0, x1, y1): below the nose to below the chin's top.
MOUTH_BOX = (14, 38, 50, 60)
SMILING = 31  # CelebA column of Smiling


def inner_grey(crops38: np.ndarray) -> torch.Tensor:
    """[n, 38, 38, 3] uint8 TIGHT crops -> [n, 1, 28, 24] grey, each normalised to mean 0, std 1."""
    x0, y0, x1, y1 = INNER
    return torch.from_numpy(grey_contrast(crops38[:, y0:y1, x0:x1])[:, None])


class Judge(nn.Module):
    def __init__(self, w: int = 24):
        super().__init__()
        self.f = nn.Sequential(conv_bn(1, w, 1), conv_bn(w, 2 * w, 2), conv_bn(2 * w, 2 * w, 1),
                               conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 4 * w, 1), conv_bn(4 * w, 8 * w, 2),
                               nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(8 * w, 2)  # [age / 100, female logit]

    def forward(self, x):
        return self.head(self.f(x))


class SmileJudge(nn.Module):
    """[n, 1, 22, 36] grey mouth crops -> smile logit."""

    def __init__(self, w: int = 16):
        super().__init__()
        self.f = nn.Sequential(conv_bn(1, w, 1), conv_bn(w, 2 * w, 2), conv_bn(2 * w, 2 * w, 1),
                               conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 4 * w, 1),
                               nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(4 * w, 1)

    def forward(self, x):
        return self.head(self.f(x))[:, 0]


def mouth_grey(faces64: np.ndarray) -> torch.Tensor:
    """[n, 64, 64, 3] uint8 CelebA-framed faces -> [n, 1, 22, 36] grey mouth crops, each mean 0, std 1."""
    x0, y0, x1, y1 = MOUTH_BOX
    return torch.from_numpy(grey_contrast(faces64[:, y0:y1, x0:x1])[:, None])


def celeba_split(pack_path: str):
    """CelebA frames of the pack: images, Smiling labels (bool), held-out mask (official val/test numbers)."""
    pack = np.load(pack_path)
    sel = np.where(pack["source"] == 0)[0]
    return pack["images"][sel], pack["labels"][sel, SMILING] > 0, pack["split"][sel] == 1


def train_smile(args) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    faces, smiling, ho = celeba_split(args.pack)
    x, y = mouth_grey(faces), torch.from_numpy(smiling.astype(np.float32))
    model = SmileJudge()

    def loss_of(idx):
        xb = x[idx]
        xb = torch.where((torch.rand(len(idx)) < 0.5)[:, None, None, None], xb.flip(3), xb)
        # small shifts: G's faces are not aligned as exactly as CelebA's frames
        dx, dy = np.random.randint(-2, 3), np.random.randint(-2, 3)
        xb = torch.roll(xb, (dy, dx), (2, 3))
        return F.binary_cross_entropy_with_logits(model(xb), y[idx])

    np.random.seed(0)
    train_loop(model, np.where(~ho)[0], args.epochs, loss_of)
    with torch.no_grad():
        s = torch.cat([model(x[ho][i:i + 1024]) for i in range(0, int(ho.sum()), 1024)]).numpy()
    a = auc(s, smiling[ho])
    acc = float(((s > 0) == smiling[ho]).mean())
    print(f"held-out CelebA ({int(ho.sum())} frames): smile AUC {a:.3f}, accuracy {acc:.3f}")
    save_model(model, args, args.pack, SMILE_CKPT, auc=a, accuracy=acc)


def save_model(model: nn.Module, args, data: str, ckpt: str, **metrics) -> None:
    """The weights, the held-out figures and, for the record (the judges train in one go; nothing resumes
    them), the arguments, the seed and the training data's hash."""
    data_sha256 = file_sha256(data) if os.path.exists(data) else None
    save_atomic({"model": model.state_dict(), **metrics, **record(args, data, data_sha256, seed=0, rng=False)}, ckpt)


def load_model(model: nn.Module, ckpt: str, command: str) -> nn.Module:
    if not os.path.exists(ckpt):
        raise SystemExit(f"no judge at {ckpt}: run `training/judge.py {command}` first")
    model.load_state_dict(torch.load(ckpt, map_location="cpu")["model"])
    return model.eval()


def load_smile() -> SmileJudge:
    return load_model(SmileJudge(), SMILE_CKPT, "train-smile")


@torch.no_grad()
def judge_smiles(model: SmileJudge, faces64: np.ndarray) -> np.ndarray:
    """P(smiling) of [n, 64, 64, 3] CelebA-framed faces."""
    return torch.sigmoid(torch.cat([model(mouth_grey(faces64[i:i + 512])) for i in range(0, len(faces64), 512)])).numpy()


def train(args) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    imgs, age, female, ho = load()
    x, y_age, y_f = inner_grey(imgs), torch.from_numpy(age / 100), torch.from_numpy(female)
    model = Judge()

    def loss_of(idx):
        xb = x[idx]
        xb = torch.where((torch.rand(len(idx)) < 0.5)[:, None, None, None], xb.flip(3), xb)
        out = model(xb)
        return F.smooth_l1_loss(out[:, 0], y_age[idx], beta=0.05) + \
            F.binary_cross_entropy_with_logits(out[:, 1], y_f[idx])

    train_loop(model, np.where(~ho)[0], args.epochs, loss_of)
    with torch.no_grad():
        out = model(x[ho])
    mae = (out[:, 0] * 100 - torch.from_numpy(age[ho])).abs().mean().item()
    acc = ((out[:, 1] > 0).float() == torch.from_numpy(female[ho])).float().mean().item()
    print(f"held-out UTKFace ({int(ho.sum())} faces): age MAE {mae:.1f} years, gender accuracy {acc:.3f}")
    save_model(model, args, CACHE, CKPT, age_mae=mae, gender_acc=acc)


def load_judge() -> Judge:
    return load_model(Judge(), CKPT, "train")


@torch.no_grad()
def judge_crops(model: Judge, crops38: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(age years, P(female)) of [n, 38, 38, 3] TIGHT crops."""
    out = torch.cat([model(inner_grey(crops38[i:i + 512])) for i in range(0, len(crops38), 512)])
    return out[:, 0].numpy() * 100, torch.sigmoid(out[:, 1]).numpy()


# Mouth region of a 64 px CelebA-framed face for the Haar smile cascade. The score counts how many of 15
# neighbour thresholds still find a smile (0..15). Chosen among 6 settings on 500 held-out CelebA frames:
# AUC 0.79 for CelebA's Smiling label (0.60 with the cascade's usual use on the face's lower half).
MOUTH = (16, 40, 48, 60)


def smile_score(cas, face64: np.ndarray) -> int:
    g = cv2.cvtColor(np.asarray(Image.fromarray(face64).crop(MOUTH).resize((96, 96), Image.LANCZOS)),
                     cv2.COLOR_RGB2GRAY)
    return sum(int(len(cas.detectMultiScale(g, 1.05, n, minSize=(24, 12))) > 0) for n in range(5, 80, 5))


def score_images(paths: list[str]) -> dict:
    model, smiler = load_judge(), load_smile()
    cas = cv2.CascadeClassifier("/usr/share/opencv4/haarcascades/haarcascade_smile.xml")
    faces = np.stack([np.asarray(Image.open(p).convert("RGB").resize((64, 64), Image.BOX)) for p in paths])
    ages, fem = judge_crops(model, tight_crops(faces))
    smiles = judge_smiles(smiler, faces)
    return {os.path.basename(p): {"age": round(float(a), 1), "female": round(float(f), 3),
                                  "smile": round(float(s), 3), "smile_haar": smile_score(cas, face)}
            for p, face, a, f, s in zip(paths, faces, ages, fem, smiles)}


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels], scores[~labels]
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def check(args) -> dict:
    """Held-out accuracy, and what moves the judge's age: hair (by construction nothing) and a washed-out face."""
    model = load_judge()
    imgs, age, female, ho = load()
    a, f = judge_crops(model, imgs[ho])
    res = {"utkface_heldout": int(ho.sum()), "age_mae_years": round(float(np.abs(a - age[ho]).mean()), 2),
           "age_pearson_r": round(float(np.corrcoef(a, age[ho])[0, 1]), 3),
           "gender_accuracy": round(float(((f > 0.5) == (female[ho] == 1)).mean()), 3)}
    # washed out: what "old" did to faces before (paler, less contrast, greyer)
    faded = imgs[ho].astype(np.float32)
    grey = faded.mean(-1, keepdims=True)
    faded = np.clip(0.55 * faded + 0.45 * grey + 60, 0, 255) * 0.85 + 30
    a2, _ = judge_crops(model, np.clip(faded, 0, 255).astype(np.uint8))
    res["washed_out_age_shift_years"] = round(float((a2 - a).mean()), 2)
    res["washed_out_age_shift_abs_years"] = round(float(np.abs(a2 - a).mean()), 2)
    # grey hair on real CelebA frames: paint everything outside INNER light grey (hair, forehead, background)
    pack = np.load(args.pack)
    sel = np.where((pack["source"] == 0) & (pack["split"] == 1))[0][:2000]
    faces, young, male = pack["images"][sel], pack["labels"][sel, 39] > 0, pack["labels"][sel, 20] > 0
    crops = tight_crops(faces)
    a_real, f_real = judge_crops(model, crops)
    painted = crops.copy()
    x0, y0, x1, y1 = INNER
    mask = np.ones(crops.shape[1:3], bool)
    mask[y0:y1, x0:x1] = False
    painted[:, mask] = 200
    a_paint, _ = judge_crops(model, painted)
    res.update({"celeba_heldout": int(len(sel)),
                "celeba_young_auc": round(auc(-a_real, young), 3),
                "celeba_male_auc": round(auc(1 - f_real, male), 3),
                "celeba_mean_age_young_vs_not": [round(float(a_real[young].mean()), 1),
                                                 round(float(a_real[~young].mean()), 1)],
                "grey_hair_painted_age_shift_abs_years": round(float(np.abs(a_paint - a_real).mean()), 3)})
    # smile: the mouth judge and the Haar cascade on the same held-out CelebA frames
    smiler = load_smile()
    cfaces, smiling, cho = celeba_split(args.pack)
    cfaces, smiling = cfaces[cho][:2000], smiling[cho][:2000]
    p_smile = judge_smiles(smiler, cfaces)
    cas = cv2.CascadeClassifier("/usr/share/opencv4/haarcascades/haarcascade_smile.xml")
    haar = np.array([smile_score(cas, f) for f in cfaces[:500]], np.float32)
    washed = np.clip((0.55 * cfaces.astype(np.float32) + 0.45 * cfaces.mean(-1, keepdims=True) + 60) * 0.85 + 30, 0, 255)
    res.update({"smile_heldout": int(len(cfaces)),
                "smile_auc": round(auc(p_smile, smiling), 3),
                "smile_accuracy": round(float(((p_smile > 0.5) == smiling).mean()), 3),
                "smile_haar_auc_first_500": round(auc(haar, smiling[:500]), 3),
                "smile_washed_out_shift_abs": round(float(np.abs(judge_smiles(smiler, washed.astype(np.uint8)) - p_smile).mean()), 3)})
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=["train", "train-smile", "check", "score"])
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    args = ap.parse_args()
    if args.cmd == "train":
        train(args)
    elif args.cmd == "train-smile":
        train_smile(args)
    elif args.cmd == "check":
        print(json.dumps(check(args), indent=1))
    else:
        paths = sorted(glob.glob(os.path.join(args.dir, "*.png")))
        print(json.dumps(score_images(paths)))


if __name__ == "__main__":
    main()
