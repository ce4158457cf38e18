"""Trains the identity network (models_identity.IdentityNet) with an ArcFace margin over CelebA people.

People, not frames, are held out (identity_data.py): ~10% of the CelebA people and every LFW person are never
trained on. Resumable: the checkpoint (training/work/identity/identity.pt) is written every --save-every
seconds and at the end; running the same command again goes on from it. CPU by default, one thread, so that it
shares the machine.

  OMP_WAIT_POLICY=PASSIVE nohup nice -n 5 /usr/bin/python3 training/train_identity.py --epochs 5.5 \
      > training/work/identity.log 2>&1 &
  /usr/bin/python3 training/train_identity.py --max-steps 20 --out /tmp/id.pt   # throughput check

Then training/identity_report.py measures it on the held-out people and exports models/identity.onnx.
"""
from __future__ import annotations

import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import WORK, base_args, load_pack, pick_device, save_atomic
from identity_data import people, verification_pairs
from models_identity import ArcFace, IdentityNet

CKPT = os.path.join(WORK, "identity", "identity.pt")


def to_unit(x_uint8: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC -> float NCHW in [-1, 1] (G's output range)."""
    return x_uint8.permute(0, 3, 1, 2).float().div(127.5).sub(1)


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Horizontal flip, small shift / scale / rotation, colour jitter (brightness, contrast, saturation, some
    grey). Input and output in [-1, 1]."""
    b = x.size(0)
    r = lambda *shape: torch.rand(*shape, generator=gen)  # noqa: E731
    flip = r(b) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    scale = 1 + (r(b) - 0.5) * 0.2                   # 0.9 .. 1.1
    angle = (r(b) - 0.5) * (2 * math.radians(8))     # +-8 degrees
    tx, ty = (r(b) - 0.5) * 0.16, (r(b) - 0.5) * 0.16  # +-4 px of 64
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    grey = x.mean(1, keepdim=True)
    sat = 0.7 + 0.6 * r(b, 1, 1, 1)
    sat = torch.where(r(b, 1, 1, 1) < 0.1, torch.zeros_like(sat), sat)
    x = grey + (x - grey) * sat
    mean = x.mean((1, 2, 3), keepdim=True)
    x = mean + (x - mean) * (0.8 + 0.4 * r(b, 1, 1, 1))
    x = x + (r(b, 1, 1, 1) - 0.5) * 0.4
    return x.clamp(-1, 1)


@torch.no_grad()
def embed(model: IdentityNet, images: np.ndarray, batch: int = 256) -> np.ndarray:
    model.eval()
    out = []
    for i in range(0, len(images), batch):
        out.append(F.normalize(model(to_unit(torch.from_numpy(images[i:i + batch])))).numpy())
    return np.concatenate(out) if out else np.zeros((0, model.params["dim"]), np.float32)


def pair_auc(emb: np.ndarray, pairs: np.ndarray, same: np.ndarray) -> float:
    """ROC AUC of cosine similarity for same (1) vs different (0) pairs."""
    sim = (emb[pairs[:, 0]] * emb[pairs[:, 1]]).sum(1)
    order = np.argsort(sim)
    ranks = np.empty(len(sim))
    ranks[order] = np.arange(1, len(sim) + 1)
    pos = same == 1
    return float((ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum()))


def main() -> None:
    ap = base_args(__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=float, default=12, help="passes over the training people's frames")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--margin", type=float, default=0.4, help="ArcFace additive angle (radians)")
    ap.add_argument("--scale", type=float, default=32.0, help="ArcFace logit scale")
    ap.add_argument("--out", default=CKPT)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (throughput check)")
    ap.add_argument("--save-every", type=float, default=120, help="seconds between checkpoints")
    ap.set_defaults(threads=1, device="cpu")
    args = ap.parse_args()
    dev = pick_device(args.device, args.threads)
    pack = load_pack(args.pack)
    who = people(pack)
    rows = np.flatnonzero(who["train_person"] >= 0)
    images = pack["images"][rows]
    labels = torch.from_numpy(who["train_person"][rows])
    classes = int(labels.max()) + 1
    test_rows = np.flatnonzero(who["test_person"] >= 0)
    test_images = pack["images"][test_rows]
    tpairs, tsame = verification_pairs(who["test_person"][test_rows], 2000, seed=5)
    del pack
    print(f"training people {classes}, frames {len(rows)}; held-out CelebA people "
          f"{len(set(who['test_person'][test_rows].tolist()))}, frames {len(test_rows)}", flush=True)

    model = IdentityNet(args.width, args.dim).to(dev)
    head = ArcFace(args.dim, classes, args.scale, args.margin).to(dev)
    params = list(model.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps_per_epoch = len(rows) // args.batch
    total = int(args.epochs * steps_per_epoch)
    step, seconds, history = 0, 0.0, []
    if os.path.exists(args.out):
        ck = torch.load(args.out, map_location="cpu")
        if ck["params"] != model.params or ck["classes"] != classes:
            raise SystemExit(f"{args.out} is another network ({ck['params']}, {ck['classes']} classes): move it away")
        model.load_state_dict(ck["model"])
        head.load_state_dict(ck["head"])
        opt.load_state_dict(ck["opt"])
        step, seconds, history = ck["step"], ck["seconds"], ck["history"]
        if ck.get("total", total) != total:  # --epochs changed: the cosine schedule is stretched or shortened
            print(f"--epochs {args.epochs}: {total} steps in all instead of {ck['total']}", flush=True)
        print(f"resumed {args.out} at step {step}/{total}", flush=True)
    warm = min(500, total // 10 + 1)

    def save() -> None:
        save_atomic({"model": model.state_dict(), "head": head.state_dict(), "opt": opt.state_dict(),
                     "params": model.params, "classes": classes, "step": step, "total": total,
                     "seconds": seconds, "history": history,
                     "args": {k: v for k, v in vars(args).items() if k not in ("pack", "out")}}, args.out)

    t_last_save = t_log = time.time()
    t_start, s_start = time.time(), step
    aug_gen = torch.Generator().manual_seed(1234 + step)
    while step < total and not (args.max_steps and step - s_start >= args.max_steps):
        epoch, within = divmod(step, steps_per_epoch)
        order = np.random.default_rng(epoch).permutation(len(rows))
        model.train()
        head.train()
        run_loss, run_acc, run_n = 0.0, 0.0, 0
        for k in range(within, steps_per_epoch):
            if step >= total or (args.max_steps and step - s_start >= args.max_steps):
                break
            t0 = time.time()
            idx = order[k * args.batch:(k + 1) * args.batch]
            x = augment(to_unit(torch.from_numpy(images[idx])), aug_gen).to(dev)
            y = labels[idx].to(dev)
            frac = step / max(total, 1)
            lr = args.lr * (step + 1) / warm if step < warm else args.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(total - warm, 1)))
            for g in opt.param_groups:
                g["lr"] = lr
            m = args.margin * min(1.0, frac / 0.2)  # margin ramps in over the first 20% of the steps
            logits = head(model(x), y, m)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            seconds += time.time() - t0
            run_loss += loss.item()
            run_acc += (logits.argmax(1) == y).float().mean().item()
            run_n += 1
            now = time.time()
            if now - t_log >= 60 or step == total:
                rate = (step - s_start) * args.batch / max(now - t_start, 1e-6)
                eta = (total - step) * args.batch / max(rate, 1e-6) / 60
                print(f"step {step}/{total} epoch {step / steps_per_epoch:.2f} loss {run_loss / run_n:.3f} "
                      f"train-acc {run_acc / run_n:.3f} lr {lr:.4f} m {m:.2f} {rate:.0f} img/s eta {eta:.1f} min",
                      flush=True)
                t_log, run_loss, run_acc, run_n = now, 0.0, 0.0, 0
            if now - t_last_save >= args.save_every:
                save()
                t_last_save = now
        if step % steps_per_epoch == 0 or step >= total:
            auc = pair_auc(embed(model, test_images), tpairs, tsame)
            history.append({"step": step, "epoch": round(step / steps_per_epoch, 2), "heldout_auc_2000": round(auc, 4)})
            print(f"epoch {step / steps_per_epoch:.2f}: held-out people pair AUC (2000 pairs, progress only, not "
                  f"used to choose) {auc:.4f}", flush=True)
    save()
    rate = (step - s_start) * args.batch / max(time.time() - t_start, 1e-6)
    print(f"saved {args.out} at step {step}/{total} ({seconds / 60:.1f} min of steps in all; {rate:.0f} img/s this run)",
          flush=True)


if __name__ == "__main__":
    main()
