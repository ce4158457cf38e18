"""Train the unconditional face GAN (hinge loss, spectral-norm D, EMA of G, flips + DiffAugment).

Resumes from --ckpt when it exists. Prints img/s, losses and ETA; writes a sample grid of fixed seeds
next to the checkpoint every --sample-every images.

  /usr/bin/python3 training/train_gan.py --kimg 600           # CPU, 2 cores: ~100 img/s
  /usr/bin/python3 training/train_gan.py --device cuda --kimg 5000 --batch 128 --ngf 64 --ndf 64
"""
from __future__ import annotations

import copy
import os
import time

import numpy as np
import torch
from PIL import Image

from common import HERE, WORK, Progress, base_args, load_pack, pick_device, save_atomic
from models_gan import Discriminator, Generator, diff_augment


def grid(imgs: torch.Tensor, rows: int) -> Image.Image:
    x = ((imgs.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    n, h, w, _ = x.shape
    cols = n // rows
    return Image.fromarray(x[: rows * cols].reshape(rows, cols, h, w, 3).transpose(0, 2, 1, 3, 4)
                           .reshape(rows * h, cols * w, 3))


@torch.no_grad()
def update_ema(ema: torch.nn.Module, g: torch.nn.Module, decay: float) -> None:
    for pe, p in zip(ema.parameters(), g.parameters()):
        pe.lerp_(p, 1 - decay)
    for be, b in zip(ema.buffers(), g.buffers()):
        be.copy_(b)


def main() -> None:
    ap = base_args(__doc__.split("\n")[0])
    ap.add_argument("--ckpt", default=os.path.join(WORK, "gan.pt"))
    ap.add_argument("--kimg", type=float, default=600, help="total training images, in thousands")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--z-dim", type=int, default=128)
    ap.add_argument("--ngf", type=int, default=48)
    ap.add_argument("--ndf", type=int, default=48)
    ap.add_argument("--lr-g", type=float, default=2e-4)
    ap.add_argument("--lr-d", type=float, default=2e-4)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--save-every", type=float, default=300, help="seconds between checkpoints")
    ap.add_argument("--sample-every", type=int, default=50_000, help="images between sample grids")
    ap.add_argument("--include-heldout", action="store_true", help="train on held-out images too")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default=os.path.join(HERE, "resume", "gan.pt"),
                    help="compact weights to continue from when --ckpt does not exist yet (committed)")
    args = ap.parse_args()
    dev = pick_device(args.device, args.threads)
    torch.manual_seed(args.seed)

    pack = load_pack(args.pack)
    imgs = pack["images"] if args.include_heldout else pack["images"][pack["split"] == 0]
    res = imgs.shape[1]
    data = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous()  # uint8 N,3,H,W
    if dev.type == "cuda":
        data = data.to(dev)
    print(f"training on {len(data)} images at {res}px", flush=True)

    g = Generator(args.z_dim, args.ngf, res).to(dev)
    d = Discriminator(args.ndf, res).to(dev)
    mf = torch.channels_last
    g, d = g.to(memory_format=mf), d.to(memory_format=mf)
    ema = copy.deepcopy(g).eval()
    opt_g = torch.optim.Adam(g.parameters(), args.lr_g, betas=(0.0, 0.99))
    opt_d = torch.optim.Adam(d.parameters(), args.lr_d, betas=(0.0, 0.99))
    done, elapsed = 0, 0.0
    fixed_z = torch.randn(64, args.z_dim, generator=torch.Generator().manual_seed(1234)).to(dev)
    if os.path.exists(args.ckpt):
        ck = torch.load(args.ckpt, map_location=dev)
        g.load_state_dict(ck["g"]); d.load_state_dict(ck["d"]); ema.load_state_dict(ck["ema"])
        opt_g.load_state_dict(ck["opt_g"]); opt_d.load_state_dict(ck["opt_d"])
        done, elapsed = ck["images"], ck.get("seconds", 0.0)
        print(f"resumed from {args.ckpt} at {done} images ({elapsed / 3600:.2f} h)", flush=True)
    elif args.init and os.path.exists(args.init):
        # the compact, committed weights (no optimiser state): Adam's moments warm up again in ~100 steps
        ck = torch.load(args.init, map_location=dev)
        g.load_state_dict({k: v.float() for k, v in ck["g"].items()})
        d.load_state_dict({k: v.float() for k, v in ck["d"].items()})
        ema.load_state_dict({k: v.float() for k, v in ck["ema"].items()})
        done, elapsed = ck["images"], ck.get("seconds", 0.0)
        print(f"started from {args.init} at {done} images ({elapsed / 3600:.2f} h)", flush=True)
    params = dict(z_dim=args.z_dim, ngf=args.ngf, ndf=args.ndf, res=res)

    def checkpoint() -> None:
        save_atomic({"g": g.state_dict(), "d": d.state_dict(), "ema": ema.state_dict(),
                     "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(), "images": done,
                     "seconds": elapsed + time.time() - t_start, "params": params,
                     "device": str(dev)}, args.ckpt)

    total = int(args.kimg * 1000)
    prog = Progress(total)
    t_start, t_save = time.time(), time.time()
    next_sample = (done // args.sample_every + 1) * args.sample_every
    b = args.batch
    while done < total:
        idx = torch.randint(0, len(data), (b,))
        real = data[idx].to(dev, non_blocking=True).float().div_(127.5).sub_(1)
        flip = torch.rand(b, device=dev) < 0.5
        real = torch.where(flip[:, None, None, None], real.flip(3), real).contiguous(memory_format=mf)
        # D step
        z = torch.randn(b, args.z_dim, device=dev)
        with torch.no_grad():
            fake = g(z)
        loss_d = torch.relu(1 - d(diff_augment(real))).mean() + torch.relu(1 + d(diff_augment(fake))).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        # G step
        z = torch.randn(b, args.z_dim, device=dev)
        loss_g = -d(diff_augment(g(z))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        # EMA warms up: short horizon early, args.ema later
        update_ema(ema, g, min(args.ema, (1 + done / b) / (10 + done / b)))
        done += b
        prog.tick(done, loss_d=loss_d.item(), loss_g=loss_g.item())
        if done >= next_sample or done >= total:
            next_sample += args.sample_every
            with torch.no_grad():
                grid(ema(fixed_z), 8).save(args.ckpt + f".samples.png")
        if time.time() - t_save > args.save_every or done >= total:
            checkpoint()
            t_save = time.time()
            print(f"checkpoint at {done} images", flush=True)


if __name__ == "__main__":
    main()
