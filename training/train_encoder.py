"""Train E (training/models_encoder.py): a 64 px face -> the latent z of the shipped G that redraws it (issue 28).

Losses, per step:
  * G's own samples (z known): x = G(z), z ~ N(0, I): latent MSE |E(x) - z|^2 (cheap: no gradient through G);
  * real training crops (split 0 of the pack, flipped half the time): pixel L1 + MSE between x and G(E(x)),
    F's feature distance (the 256-d layer the logits read, relative to |F(x)|^2), and a prior that keeps |E(x)| on
    the shell where G's z ~ N(0, I) lives (|z| / sqrt(128) near 1; the engine clamps |z| anyway).
G and F are the shipped ONNX files read as frozen PyTorch modules (onnx_torch.py, checked against the fixture on
start), so E is trained against exactly the G users get. The run is bounded by wall time (--minutes, counted across
resumes), resumes from --ckpt, checkpoints every 2 minutes, and keeps an EMA of E's weights (what is exported).

  OMP_WAIT_POLICY=PASSIVE nohup /usr/bin/python3 training/train_encoder.py --minutes 38 > training/work/encoder.log 2>&1 &
  /usr/bin/python3 training/export_encoder.py        # EMA E -> models/encoder.onnx + encoder.json + parity fixture
"""
from __future__ import annotations

import argparse
import base64
import copy
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import MODELS, WORK, load_pack
from models_encoder import Encoder
from onnx_torch import OnnxClassifier, OnnxGenerator


def check_generator(g: OnnxGenerator) -> float:
    """Max |PyTorch - fixture| on the generator parity fixture (written from the shipped G's own export)."""
    path = os.path.join(os.path.dirname(MODELS), "tests", "fixtures", "generator_parity.json")
    fx = json.load(open(path))
    arr = lambda s: np.frombuffer(base64.b64decode(s), "<f4")
    with torch.no_grad():
        img = g(torch.from_numpy(arr(fx["z"]).reshape(-1, g.z_dim).copy())).numpy()
    return float(np.abs(img.ravel() - arr(fx["image"])).max())


def to_float(u8: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(u8).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def losses_real(e, g, f, x: torch.Tensor, w: dict) -> tuple[torch.Tensor, dict]:
    z = e(x)
    rec = g(z)
    with torch.no_grad():
        fx = f.features(x)
    fr = f.features(rec)
    l1 = (rec - x).abs().mean()
    l2 = ((rec - x) ** 2).mean()
    feat = ((fr - fx) ** 2).sum(1).div(fx.pow(2).sum(1) + 1e-6).mean()
    prior = ((z.norm(dim=1) / math.sqrt(z.shape[1]) - 1.0) ** 2).mean()
    total = w["l1"] * l1 + w["l2"] * l2 + w["feat"] * feat + w["prior"] * prior
    return total, {"l1": l1.item(), "l2": l2.item(), "feat": feat.item(), "prior": prior.item()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--ckpt", default=os.path.join(WORK, "encoder.pt"))
    ap.add_argument("--generator", default=os.path.join(MODELS, "generator.onnx"))
    ap.add_argument("--classifier", default=os.path.join(MODELS, "classifier.onnx"))
    ap.add_argument("--minutes", type=float, default=38.0, help="training wall time, counted across resumes")
    ap.add_argument("--batch-fake", type=int, default=32)
    ap.add_argument("--batch-real", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=28)
    ap.add_argument("--w-latent", type=float, default=1.0)
    ap.add_argument("--w-l1", type=float, default=1.0)
    ap.add_argument("--w-l2", type=float, default=1.0)
    ap.add_argument("--w-feat", type=float, default=0.5)
    ap.add_argument("--w-prior", type=float, default=0.1)
    ap.add_argument("--real-after", type=float, default=0.15,
                    help="fraction of the budget trained on G's samples only before real crops join")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    g, f = OnnxGenerator(args.generator).eval(), OnnxClassifier(args.classifier).eval()
    diff = check_generator(g)
    print(f"G from {args.generator}: max |PyTorch - parity fixture| = {diff:.2e}", flush=True)
    if diff > 1e-4:
        raise SystemExit("the PyTorch G does not reproduce the shipped generator's parity fixture")
    with open(os.path.join(MODELS, "generator_info.json")) as fh:
        fingerprint = json.load(fh)["fingerprint"]

    pack = load_pack(args.pack)
    train = pack["images"][pack["split"] == 0]
    del pack
    print(f"{len(train)} training crops (split 0)", flush=True)

    e = Encoder(g.z_dim, args.width)
    ema = copy.deepcopy(e).requires_grad_(False)
    opt = torch.optim.Adam(e.parameters(), lr=args.lr, betas=(0.9, 0.99))
    state = {"step": 0, "seconds": 0.0, "images": 0}
    if os.path.exists(args.ckpt):
        ck = torch.load(args.ckpt, map_location="cpu")
        e.load_state_dict(ck["e"]), ema.load_state_dict(ck["ema"]), opt.load_state_dict(ck["opt"])
        state = ck["state"]
        torch.set_rng_state(ck["torch_rng"])
        rng.bit_generator.state = ck["np_rng"]
        print(f"resumed {args.ckpt} at step {state['step']} ({state['seconds'] / 60:.1f} min)", flush=True)
    weights = {"l1": args.w_l1, "l2": args.w_l2, "feat": args.w_feat, "prior": args.w_prior}
    budget = args.minutes * 60

    def save() -> None:
        tmp = args.ckpt + ".tmp"
        torch.save({"e": e.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(), "state": state,
                    "torch_rng": torch.get_rng_state(), "np_rng": rng.bit_generator.state,
                    "args": vars(args), "generator_fingerprint": fingerprint,
                    "params": {"z_dim": g.z_dim, "width": args.width}}, tmp)
        os.replace(tmp, args.ckpt)

    last_save = last_log = time.time()
    t_prev = time.time()
    sums: dict[str, float] = {}
    n_sum = 0
    while state["seconds"] < budget:
        frac = state["seconds"] / budget
        lr = args.lr * (0.5 * (1 + math.cos(math.pi * frac))) if frac > 0.1 else args.lr * max(frac / 0.1, 0.05)
        for gr in opt.param_groups:
            gr["lr"] = lr
        z = torch.randn(args.batch_fake, g.z_dim)
        with torch.no_grad():
            xf = g(z)
        lat = F.mse_loss(e(xf), z)
        loss = args.w_latent * lat
        logs = {"latent": lat.item()}
        if frac >= args.real_after:
            idx = rng.integers(0, len(train), args.batch_real)
            xr = to_float(train[idx])
            flip = torch.from_numpy(rng.random(args.batch_real) < 0.5)
            xr[flip] = xr[flip].flip(3)
            lr_, lg = losses_real(e, g, f, xr, weights)
            loss = loss + lr_
            logs.update(lg)
            state["images"] += args.batch_real
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            decay = min(0.995, (1 + state["step"]) / (10 + state["step"]))
            for pe, pm in zip(e.parameters(), ema.parameters()):
                pm.lerp_(pe, 1 - decay)
        state["step"] += 1
        state["images"] += args.batch_fake
        now = time.time()
        state["seconds"] += now - t_prev
        t_prev = now
        for k, v in logs.items():
            sums[k] = sums.get(k, 0.0) + v
        n_sum += 1
        if now - last_log > 60:
            avg = " ".join(f"{k} {v / n_sum:.4f}" for k, v in sums.items())
            print(f"step {state['step']} {state['seconds'] / 60:.1f}/{args.minutes:.0f} min lr {lr:.1e} "
                  f"images {state['images']} | {avg}", flush=True)
            sums, n_sum, last_log = {}, 0, now
        if now - last_save > 120:
            save()
            last_save = now
    save()
    print(f"done: {state['step']} steps, {state['images']} images, {state['seconds'] / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
