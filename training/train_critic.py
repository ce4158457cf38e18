"""The realism critic: a small CNN that tells real face crops from G's renders of the faces people ask for.

The realism guard needs a measure of how real a rendered face looks that is not F's attribute reading (F is
satisfied by a smear the colour of sunglasses). The discriminator of the GAN scored heavily edited faces as
*more* real than unedited seeds, and a Gaussian of real crops in F's features did not tell a smear from a
hat (docs/seed-search-and-realism.md). So this trains a critic on exactly that question:

- real: crops of the pack's training split (CelebA and LFW, `split == 0`), as many as there are fakes;
- generated: faces rendered as users get them (`npm run face "WORDS"`, the engine's closed loop), for
  everyday descriptions and unedited seeds, in folders of PNGs (`--fake DIR`, searched recursively);
- a held-out part of each (10%, by file for the fakes, by image for the reals) for the AUC.

The critic is three stride-2 convs and a linear head on a *blurred-and-subsampled* copy of the face plus
the face itself: small, so it learns the coarse failures (smears, melted halves, blobs) rather than G's
pixel-level fingerprint. Flips, small shifts and brightness/contrast jitter on both sides keep it from
reading colour or framing. Output: one logit, higher = more real. Exported to ONNX (input `image`
[n, 3, 64, 64] in [-1, 1], output `realness`).

  /usr/bin/python3 training/train_critic.py --render training/work/critic_faces --out models/critic.onnx

`--render DIR` first draws the generated side with the shipped models (DESCRIPTIONS x 120 seeds from 8,001,000
and 600 unedited seeds from 8,100,000, ~30 minutes on 2 busy cores); `--fake DIR` trains on faces drawn before.
Then models/critic.json is written: the calibration the engine maps the critic's logit with
(src/latent/realism-critic.ts): the 5th percentile of 300 unedited seeds (9,600,000+) is the guard's limit, and
the percentiles of 3,000 held-out real crops and of those seeds are kept beside it.
"""
from __future__ import annotations

import argparse
import glob
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from common import REPO, WORK, load_pack, npm_face
from norm import nhwc_to_unit

# The generated side: faces drawn as users get them for these words (the shipped critic was trained on these).
DESCRIPTIONS = [
    "a woman", "a man", "an old man", "an old woman", "a young woman with glasses", "a man with glasses",
    "a woman wearing a hat", "a man wearing a hat", "a man with a beard", "a man with a moustache", "a bald man",
    "a man with grey hair", "a smiling woman with heavy makeup", "a young woman with glasses and a hat",
    "older man, smiling, more beard, receding hairline", "an old man with grey hair and glasses",
    "a young man with a beard and a hat", "a woman with bangs and blonde hair", "a chubby man with a double chin",
    "a man with sideburns and a goatee", "a woman with wavy brown hair, smiling", "a 70 year old woman",
    "a 20 year old man with a beard", "a man with black hair and a hat, not smiling", "a bald old man with glasses and a beard",
    "a woman with red hair and earrings", "a pale woman with black hair", "a smiling man with a moustache and glasses",
]
PER_DESCRIPTION, UNEDITED = 120, 600
PER_LOGIT = 0.35  # the guard's margin (0.35) is a drop of one logit from the face before the edit


def render_fakes(out: str, models_dir: str) -> None:
    import subprocess
    for k, words in enumerate(DESCRIPTIONS, 1):
        subprocess.run(["npm", "run", "--silent", "face", "--", words, "--seed", str(8_000_000 + k * 1000), "--count",
                        str(PER_DESCRIPTION), "--size", "64", "--out-dir", os.path.join(out, f"e{k}"), "--models-dir",
                        os.path.abspath(models_dir), "--provider", "cpu"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    npm_face(models_dir, 8_100_000, UNEDITED, os.path.join(out, "plain"))


def calibrate(model: "Critic", real_heldout: np.ndarray, models_dir: str, metrics: dict) -> dict:
    """models/critic.json: where the engine's realism guard puts its limit on the critic's logit."""
    import shutil
    import tempfile

    def score(imgs):
        with torch.no_grad():
            return torch.cat([model(nhwc_to_unit(imgs[i:i + 500]))[:, 0] for i in range(0, len(imgs), 500)]).numpy()
    tmp = tempfile.mkdtemp(prefix="critic-cal-")
    try:
        files = npm_face(models_dir, 9_600_000, 300, tmp)
        plain = np.stack([np.asarray(Image.open(f).convert("RGB")) for f in files])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    real = real_heldout[np.random.default_rng(0).permutation(len(real_heldout))[:3000]]
    q = lambda s: {str(p): round(float(np.percentile(s, p)), 3) for p in (5, 10, 25, 50, 75, 90)}
    sr, sp = score(real), score(plain)
    return {"version": 1, "limitLogit": q(sp)["5"], "perLogit": PER_LOGIT, "heldoutAuc": metrics["heldout_auc"],
            "real": q(sr), "unedited": q(sp)}


class Critic(nn.Module):
    def __init__(self, width: int = 24):
        super().__init__()
        w = width
        self.body = nn.Sequential(
            nn.Conv2d(3, w, 3, 2, 1), nn.LeakyReLU(0.2),          # 32
            nn.Conv2d(w, 2 * w, 3, 2, 1), nn.LeakyReLU(0.2),      # 16
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1), nn.LeakyReLU(0.2),  # 8
            nn.Conv2d(4 * w, 4 * w, 3, 2, 1), nn.LeakyReLU(0.2),  # 4
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(4 * w, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # the coarse face: a 2x2 box blur keeps the critic off single-pixel texture
        x = F.avg_pool2d(F.pad(x, (0, 1, 0, 1), mode="replicate"), 2, 1)
        return self.head(self.body(x))


def load_fakes(root: str) -> tuple[np.ndarray, list[str]]:
    files = sorted(glob.glob(os.path.join(root, "**", "*.png"), recursive=True))
    if not files:
        raise SystemExit(f"no PNGs under {root}: render faces first (npm run face -- WORDS --out-dir ...)")
    imgs = np.stack([np.asarray(Image.open(f).convert("RGB").resize((64, 64), Image.BOX)) for f in files])
    return imgs, files


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    n = len(x)
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    dx, dy = (torch.randint(-3, 4, (2,), generator=gen)).tolist()
    x = torch.roll(x, (dy, dx), (2, 3))
    b = (torch.rand(n, 1, 1, 1, generator=gen) - 0.5) * 0.3
    c = 1 + (torch.rand(n, 1, 1, 1, generator=gen) - 0.5) * 0.4
    mean = x.mean((1, 2, 3), keepdim=True)
    return ((x - mean) * c + mean + b).clamp(-1, 1)


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    allv = np.concatenate([pos, neg])
    ranks = allv.argsort().argsort() + 1
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fake", help="folder of rendered faces (PNG), searched recursively")
    ap.add_argument("--render", help="draw the generated side into this folder first (DESCRIPTIONS), then train on it")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"), help="the models that draw and calibrate")
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--out", default=os.path.join(WORK, "critic.onnx"))
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    if args.render:
        render_fakes(args.render, args.models_dir)
    if not (args.fake or args.render):
        raise SystemExit("give --render DIR (draw the generated side) or --fake DIR (faces drawn before)")

    fake, files = load_fakes(args.fake or args.render)
    pack = load_pack(args.pack)
    train_real = pack["images"][pack["split"] == 0]
    held_real = pack["images"][pack["split"] == 1]
    del pack
    real = train_real[rng.permutation(len(train_real))[:len(fake)]]
    nf, nr = len(fake), len(real)
    f_ho, r_ho = rng.permutation(nf) < nf // 10, rng.permutation(nr) < nr // 10
    x = nhwc_to_unit(np.concatenate([real[~r_ho], fake[~f_ho]]))
    y = torch.cat([torch.ones(int((~r_ho).sum())), torch.zeros(int((~f_ho).sum()))])
    xh_r, xh_f = nhwc_to_unit(real[r_ho]), nhwc_to_unit(fake[f_ho])
    print(f"critic: {len(x)} training images ({int(y.sum())} real), held out {len(xh_r)} real / {len(xh_f)} rendered", flush=True)

    model = Critic()
    opt = torch.optim.AdamW(model.parameters(), 2e-3, weight_decay=1e-3)
    gen = torch.Generator().manual_seed(args.seed)
    steps = args.epochs * (len(x) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=steps)
    model.train()
    for step in range(steps):
        idx = torch.randint(0, len(x), (128,), generator=gen)
        loss = F.binary_cross_entropy_with_logits(model(augment(x[idx], gen))[:, 0], y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 200 == 0:
            print(f"step {step}/{steps} loss {loss.item():.4f}", flush=True)
    model.eval()
    with torch.no_grad():
        sr, sf = model(xh_r)[:, 0].numpy(), model(xh_f)[:, 0].numpy()
    metrics = {"heldout_auc": round(auc(sr, sf), 4), "real_median": round(float(np.median(sr)), 3),
               "rendered_median": round(float(np.median(sf)), 3), "real_p10": round(float(np.percentile(sr, 10)), 3),
               "train_images": len(x), "fakes": len(fake)}
    print(json.dumps(metrics), flush=True)
    torch.onnx.export(model, torch.zeros(1, 3, 64, 64), args.out, input_names=["image"], output_names=["realness"],
                      dynamic_axes={"image": {0: "n"}, "realness": {0: "n"}}, opset_version=13)
    with open(os.path.splitext(args.out)[0] + "_metrics.json", "w") as fh:
        json.dump(metrics, fh, indent=1)
    torch.save({"model": model.state_dict()}, os.path.join(WORK, "critic.pt"))
    cal = calibrate(model, held_real, args.models_dir, metrics)
    with open(os.path.join(os.path.dirname(os.path.abspath(args.out)), "critic.json"), "w") as fh:
        json.dump(cal, fh, indent=1)
    print(f"wrote {args.out} and critic.json: {json.dumps(cal)}", flush=True)


if __name__ == "__main__":
    main()
