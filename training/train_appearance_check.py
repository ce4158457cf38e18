"""An independent check of the appearance words (issue 26, docs/skin-tone.md): a small CNN on pixels.

The closed loop steers "a black man", "an east asian woman", "a south asian man" by probes on F's features and
would be graded by the very probes it pushed. This network shares nothing with them: not F, not F's features,
not the probes' photos where it can help it. It learns UTKFace's labels (White, Black, Asian = East Asian,
Indian = South Asian, and "Others", a fifth output that is never steered to: it is there so that a face which
is none of the four is not forced into one) from the "check" part of UTKFace (attribute_folders.py SPLITS: a
hash of the file name; the new South_Asian probe learned from "steer"), and is scored on "test", which no model
saw. Its input is G's own output ([N,3,64,64] RGB in [-1,1]); it reads the brow-to-chin box TIGHT (38 px, as
the age head does: training/utkface.py), and learns with random exposure (0.2-2.5x in linear light) and flips,
so how brightly a photo is lit tells it little.

  /usr/bin/python3 training/train_appearance_check.py      # -> models/appearance_check.onnx + .json
"""
from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attribute_folders import split_of, utkface_labels  # noqa: E402
from common import DATASETS, MODELS  # noqa: E402
from utkface import TIGHT  # noqa: E402

CLASSES = ["White", "Black", "East_Asian", "South_Asian", "Others"]  # UTKFace's race labels 0-4
SIDE = TIGHT[2] - TIGHT[0]


def rows(split: str, ages=(15, 80)):
    root = os.path.join(DATASETS, "utkface", "UTKFace")
    out = []
    for name in sorted(os.listdir(root)):
        labels = utkface_labels(name)
        if labels is None:
            continue
        age, gender, race = labels
        if ages[0] <= age <= ages[1] and gender in (0, 1) and 0 <= race <= 4 and split_of(name) == split:
            out.append((os.path.join(root, name), race))
    return out


def load(rs) -> tuple[np.ndarray, np.ndarray]:
    imgs = np.stack([np.asarray(Image.open(p).convert("RGB").resize((SIDE, SIDE), Image.LANCZOS)) for p, _ in rs])
    return imgs, np.array([r for _, r in rs])


class Check(nn.Module):
    """[N,3,64,64] in [-1,1] (G's output) -> class probabilities [N,5], read on the TIGHT box."""

    def __init__(self):
        super().__init__()
        def conv(i, o, stride=1):
            return [nn.Conv2d(i, o, 3, stride=stride, padding=1), nn.BatchNorm2d(o), nn.ReLU()]
        # small on purpose (it must train on two busy CPU cores): 38 px -> 19 -> 9 -> 4
        self.net = nn.Sequential(*conv(3, 24, 2), *conv(24, 32), nn.MaxPool2d(2), *conv(32, 64), nn.MaxPool2d(2),
                                 *conv(64, 64), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, len(CLASSES)))

    def logits(self, tight: torch.Tensor) -> torch.Tensor:
        return self.net(tight)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x0, y0, x1, y1 = TIGHT
        return torch.softmax(self.net(image[:, :, y0:y1, x0:x1]), dim=1)


def to_tensor(imgs: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(imgs).permute(0, 3, 1, 2).float() / 127.5 - 1


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random exposure in linear light (0.2-2.5x) and horizontal flips, on [-1,1] images."""
    n = x.shape[0]
    lin = ((x + 1) / 2).clamp(0, 1) ** 2.2
    k = torch.exp(torch.empty(n, 1, 1, 1).uniform_(np.log(0.2), np.log(2.5), generator=gen))
    x = (lin * k).clamp(0, 1) ** (1 / 2.2) * 2 - 1
    flip = torch.rand(n, generator=gen) < 0.5
    x[flip] = x[flip].flip(3)
    return x


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    s = np.concatenate([pos, neg])
    r = np.argsort(np.argsort(s)) + 1
    return float((r[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def main() -> None:
    torch.manual_seed(3)
    torch.set_num_threads(2)
    t0 = time.time()
    train_x, train_y = load(rows("check"))
    test_x, test_y = load(rows("test"))
    print(f"check part: {len(train_y)} photos {np.bincount(train_y, minlength=5).tolist()}; "
          f"test part: {len(test_y)} {np.bincount(test_y, minlength=5).tolist()} ({time.time() - t0:.0f} s)", flush=True)
    model = Check()
    xt, yt = to_tensor(train_x), torch.from_numpy(train_y)
    weight = torch.tensor(len(train_y) / (5 * np.bincount(train_y, minlength=5)), dtype=torch.float32)  # balanced classes
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    epochs = 12
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * ((len(yt) + 127) // 128))
    gen = torch.Generator().manual_seed(4)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(yt), generator=gen)
        total = 0.0
        for i in range(0, len(yt), 128):
            idx = perm[i:i + 128]
            loss = nn.functional.cross_entropy(model.logits(augment(xt[idx], gen)), yt[idx], weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(yt):.3f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    with torch.no_grad():
        p = torch.softmax(model.logits(to_tensor(test_x)), 1).numpy()
    metrics = {}
    for c, name in enumerate(CLASSES[:4]):
        # as the probes were scored: that label against the other three (never "Others")
        four = test_y < 4
        a = auc(p[four & (test_y == c), c], p[four & (test_y != c), c])
        metrics[name] = {"testAuc": round(a, 4), "testPositives": int((test_y == c).sum())}
        print(f"{name}: test AUC {a:.3f} ({int((test_y == c).sum())} photos with, {int((four & (test_y != c)).sum())} without)")
    acc = float((p[test_y < 4, :4].argmax(1) == test_y[test_y < 4]).mean())
    print(f"four-way accuracy on the test part (Others left out): {acc:.3f}")
    frame = torch.zeros(1, 3, 64, 64)
    out = os.path.join(MODELS, "appearance_check.onnx")
    torch.onnx.export(model, frame, out, input_names=["image"], output_names=["probs"],
                      dynamic_axes={"image": {0: "n"}, "probs": {0: "n"}}, opset_version=13)
    info = {"classes": CLASSES, "input": "image [N,3,64,64] RGB in [-1,1] (G's output); reads TIGHT " + str(list(TIGHT)),
            "trainedOn": f"UTKFace 'check' part (attribute_folders.py SPLITS), ages 15-80, {len(train_y)} photos",
            "test": {"photos": len(test_y), "fourWayAccuracy": round(acc, 4), **metrics}, "epochs": epochs}
    with open(os.path.join(MODELS, "appearance_check.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(f"wrote {out} and appearance_check.json in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
