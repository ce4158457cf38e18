"""Train F, the 40-attribute classifier, on the labelled CelebA part of the pack.

Held-out = the pack's split 1 (CelebA official validation + test partitions, identity-disjoint).
Writes per-attribute AUC and accuracy to models/classifier_metrics.json after the last epoch.
Checkpoints after every epoch, with every argument, the seed, the pack's SHA-256 and the random state;
a resume takes those arguments (except ones given again on its command line) and the random state back,
and warns when the pack changed (repro.py).

  /usr/bin/python3 training/train_classifier.py --epochs 12
"""
from __future__ import annotations

import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import ATTRIBUTES, MODELS, WORK, Progress, base_args, load_pack, pick_device, save_atomic
from models_classifier import AttributeNet
from norm import to_unit
from repro import describe_restore, file_sha256, pack_changed, record, restore_args, restore_rng


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by the rank-sum formula (ties averaged)."""
    pos, neg = labels == 1, labels != 1
    if pos.sum() == 0 or neg.sum() == 0:
        return float("nan")
    order = scores.argsort()
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    s = scores[order]
    i = 0
    while i < len(s):  # average ranks of ties
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        if j > i:
            ranks[order[i:j + 1]] = (i + j + 2) / 2
        i = j + 1
    return float((ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * neg.sum()))


def augment(x: torch.Tensor) -> torch.Tensor:
    b = x.size(0)
    flip = torch.rand(b, device=x.device) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    pad = F.pad(x, (4, 4, 4, 4), mode="replicate")
    dx, dy = np.random.randint(0, 9, 2)
    x = pad[:, :, dy:dy + 64, dx:dx + 64]
    scale = 1 + (torch.rand(b, 1, 1, 1, device=x.device) - 0.5) * 0.3
    shift = (torch.rand(b, 1, 1, 1, device=x.device) - 0.5) * 0.2
    return (x * scale + shift).clamp(-1, 1)


@torch.no_grad()
def predict(model, data: torch.Tensor, dev, batch: int = 256) -> np.ndarray:
    model.eval()
    out = []
    for i in range(0, len(data), batch):
        x = to_unit(data[i:i + batch].to(dev))
        out.append(model(x).cpu())
    return torch.cat(out).numpy()


def main() -> None:
    ap = base_args(__doc__.split("\n")[0])
    ap.add_argument("--ckpt", default=os.path.join(WORK, "classifier.pt"))
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--metrics", default=os.path.join(MODELS, "classifier_metrics.json"),
                    help="where the held-out per-attribute AUC goes")
    ap.add_argument("--seed", type=int, default=0, help="torch's and numpy's seed")
    ap.add_argument("--fresh-args", action="store_true",
                    help="on resume, ignore the arguments the checkpoint recorded (the command line and defaults decide)")
    args = ap.parse_args()
    dev = pick_device(args.device, args.threads)
    ck = torch.load(args.ckpt, map_location=dev) if os.path.exists(args.ckpt) else None
    if ck is not None and not args.fresh_args:
        # the run's own arguments, unless given again on this command line (see repro.py)
        if ck.get("args"):
            print(describe_restore(*restore_args(ap, args, ck["args"])), flush=True)
        else:
            print("the checkpoint records no arguments (written before they were saved): the command line and "
                  "the defaults decide them", flush=True)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    pack = load_pack(args.pack)
    pack_sha256 = file_sha256(args.pack)
    celeba = pack["source"] == 0
    tr, ho = celeba & (pack["split"] == 0), celeba & (pack["split"] == 1)
    to_t = lambda m: torch.from_numpy(pack["images"][m]).permute(0, 3, 1, 2).contiguous()
    xtr, xho = to_t(tr), to_t(ho)
    ytr = torch.from_numpy((pack["labels"][tr] > 0).astype(np.float32))
    yho = (pack["labels"][ho] > 0).astype(np.int64)
    print(f"train {len(xtr)} CelebA images, held out {len(xho)}", flush=True)

    model = AttributeNet(args.width).to(dev)
    opt = torch.optim.AdamW(model.parameters(), args.lr, weight_decay=5e-4)
    steps_per_epoch = math.ceil(len(xtr) / args.batch)
    total_steps = args.epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=total_steps, pct_start=0.15)
    epoch, elapsed = 0, 0.0
    if ck is not None:
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"]); sched.load_state_dict(ck["sched"])
        epoch, elapsed = ck["epoch"], ck.get("seconds", 0.0)
        print(f"resumed at epoch {epoch}", flush=True)
        changed = pack_changed(ck, pack_sha256)
        if changed:
            print(changed, flush=True)
        # last, after the model's initialisation drew its numbers: the next epoch shuffles as it would have
        restored = restore_rng(ck.get("rng"), dev)
        print(f"seed {ck.get('seed', args.seed)}; random state restored: {', '.join(restored)}" if restored else
              "the checkpoint records no random state: training goes on from the freshly seeded one", flush=True)
    del ck
    prog = Progress(args.epochs * len(xtr), every=30)
    t0 = time.time()
    while epoch < args.epochs:
        model.train()
        perm = torch.randperm(len(xtr))
        for k in range(steps_per_epoch):
            idx = perm[k * args.batch:(k + 1) * args.batch]
            x = augment(to_unit(xtr[idx].to(dev)))
            loss = F.binary_cross_entropy_with_logits(model(x), ytr[idx].to(dev))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            prog.tick(epoch * len(xtr) + (k + 1) * args.batch, loss=loss.item())
        epoch += 1
        logits = predict(model, xho, dev)
        aucs = [auc(logits[:, i], yho[:, i]) for i in range(40)]
        acc = ((logits > 0) == (yho == 1)).mean(0)
        print(f"epoch {epoch}: held-out mean AUC {np.nanmean(aucs):.4f}, mean acc {acc.mean():.4f}", flush=True)
        save_atomic({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                     "epoch": epoch, "seconds": elapsed + time.time() - t0, "width": args.width,
                     **record(args, args.pack, pack_sha256)}, args.ckpt)

    logits = predict(model, xho, dev)
    metrics = {
        "heldout_images": int(len(xho)),
        "heldout_split": "CelebA official validation+test partitions (image numbers >= 162771) present in the pack",
        "train_images": int(len(xtr)),
        "epochs": epoch,
        "train_seconds": round(elapsed + time.time() - t0),
        "device": str(dev),
        "attributes": {},
    }
    for i, name in enumerate(ATTRIBUTES):
        metrics["attributes"][name] = {
            "auc": round(auc(logits[:, i], yho[:, i]), 4),
            "accuracy": round(float(((logits[:, i] > 0) == (yho[:, i] == 1)).mean()), 4),
            "positive_rate": round(float(yho[:, i].mean()), 4),
            "positives": int((yho[:, i] == 1).sum()),
        }
    vals = [v["auc"] for v in metrics["attributes"].values()]
    metrics["mean_auc"] = round(float(np.nanmean(vals)), 4)
    metrics["mean_accuracy"] = round(float(np.mean([v["accuracy"] for v in metrics["attributes"].values()])), 4)
    os.makedirs(os.path.dirname(os.path.abspath(args.metrics)), exist_ok=True)
    with open(args.metrics, "w") as f:
        json.dump(metrics, f, indent=1)
    print(f"mean AUC {metrics['mean_auc']}, mean accuracy {metrics['mean_accuracy']}", flush=True)


if __name__ == "__main__":
    main()
