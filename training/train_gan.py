"""Train the unconditional face GAN (hinge loss, spectral-norm D, EMA of G, flips + DiffAugment).

Resumes from --ckpt when it exists. Prints img/s, losses and ETA; writes a sample grid of fixed seeds
next to the checkpoint every --sample-every images.

Each checkpoint records every argument, the seed, the data pack's SHA-256 and the random state (repro.py).
A resume takes the checkpoint's arguments except those given on its own command line (and the ones that
say where and how to run: paths, device, threads, intervals), warns when the pack's hash changed
(--require-same-pack refuses instead), and sets the random state back, so it draws what an uninterrupted
run would have drawn. Checkpoints from before these fields resume as they always did (--fresh-args
makes any checkpoint resume that way).

  /usr/bin/python3 training/train_gan.py --kimg 600           # CPU, 2 cores
  /usr/bin/python3 training/train_gan.py --device cuda --kimg 5000 --batch 128

Warm starts: weights from a generator without the full-resolution detail block (generator v1) load into
one with it (--detail > 0); the new block starts at zero, so the warm-started G draws what the old one
drew. Usually started through training/campaign.py, which picks the checkpoint and the threads.
"""
from __future__ import annotations

import copy
import json
import os
import signal
import time

import numpy as np
import torch
from PIL import Image

from common import HERE, WORK, Progress, base_args, load_pack, pick_device, save_atomic
from appearance_scores import pack_readings, readers_print_of
from sampling import group_masks, needs_groups, sample_weights, share_report
from models_gan import Discriminator, Generator, diff_augment
from norm import to_uint8, to_unit
from repro import describe_restore, file_sha256, pack_changed, record, restore_args, restore_rng


def load_weights(model: torch.nn.Module, sd: dict, what: str) -> list[str]:
    """Loads `sd` into `model`; only keys of the zero-initialised v2 detail block may be missing.
    Returns the missing keys (empty when the shapes match exactly)."""
    sd = {k: (v.float() if v.is_floating_point() else v) for k, v in sd.items()}
    res = model.load_state_dict(sd, strict=False)
    bad = [k for k in res.missing_keys if not k.startswith("detail.")] + list(res.unexpected_keys)
    if bad:
        raise SystemExit(f"{what}: checkpoint does not fit this model ({', '.join(bad[:5])})")
    return list(res.missing_keys)


def r1_penalty(d: torch.nn.Module, real: torch.Tensor) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): squared gradient norm of D on real images."""
    real = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(real).sum(), real, create_graph=True)
    return grad.pow(2).flatten(1).sum(1).mean()


def grid(imgs: torch.Tensor, rows: int) -> Image.Image:
    x = to_uint8(imgs).permute(0, 2, 3, 1).cpu().numpy()
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


def train_step(g, d, opt_g, opt_d, batch_u8: torch.Tensor, z_dim: int, augment, r1: float = 0.0,
               r1_every: int = 16) -> tuple[float, float]:
    """One D step and one G step on a uint8 NCHW batch (flipped at random); r1 > 0 adds the lazy R1
    penalty this step. Returns (loss_d, loss_g). The benchmark (bench_train.py) times exactly this."""
    dev, b, mf = next(g.parameters()).device, batch_u8.size(0), torch.channels_last
    real = to_unit(batch_u8.to(dev, non_blocking=True))
    flip = torch.rand(b, device=dev) < 0.5
    real = torch.where(flip[:, None, None, None], real.flip(3), real).contiguous(memory_format=mf)
    z = torch.randn(b, z_dim, device=dev)
    with torch.no_grad():
        fake = g(z)
    loss_d = torch.relu(1 - d(augment(real))).mean() + torch.relu(1 + d(augment(fake))).mean()
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    if r1 > 0:
        # lazy R1 (StyleGAN2): every r1_every steps, scaled up by r1_every, on a quarter batch
        (r1 / 2 * r1_every * r1_penalty(d, augment(real[: max(b // 4, 1)]))).backward()
    opt_d.step()
    z = torch.randn(b, z_dim, device=dev)
    loss_g = -d(augment(g(z))).mean()
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


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
    ap.add_argument("--ema-kimg", type=float, default=44.3,
                    help="EMA half-life of G's weights, in thousands of images (44.3 = 0.999 a step of 64)")
    ap.add_argument("--detail", type=int, default=24,
                    help="width of the full-resolution detail block (generator v2); 0 = generator v1")
    ap.add_argument("--r1", type=float, default=0.0, help="R1 weight on D, applied lazily (0 = off)")
    ap.add_argument("--r1-every", type=int, default=16, help="D steps between lazy R1 penalties")
    ap.add_argument("--no-cutout", action="store_true", help="DiffAugment without cutout")
    ap.add_argument("--save-every", type=float, default=300, help="seconds between checkpoints")
    ap.add_argument("--sample-every", type=int, default=50_000, help="images between sample grids")
    ap.add_argument("--include-heldout", action="store_true", help="train on held-out images too")
    ap.add_argument("--oversample", default="",
                    help="draw images with these CelebA attributes or appearance groups more often, "
                         "NAME[=SIGN]:FACTOR,... (sampling.py: ASKED_FOR, APPEARANCE); empty = uniform")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default=os.path.join(HERE, "resume", "gan.pt"),
                    help="compact weights to continue from when --ckpt does not exist yet (committed)")
    ap.add_argument("--fresh-args", action="store_true",
                    help="on resume, ignore the arguments the checkpoint recorded: the command line and the "
                         "defaults decide all of them (how checkpoints without recorded arguments resume)")
    ap.add_argument("--require-same-pack", action="store_true",
                    help="refuse to resume when the data pack's hash differs from the checkpoint's "
                         "(default: warn, note it in the history, and go on)")
    ap.add_argument("--log-losses", help="append every step's losses here as JSON lines (tests, diagnosis)")
    args = ap.parse_args()
    dev = pick_device(args.device, args.threads)
    source = args.ckpt if os.path.exists(args.ckpt) else args.init if args.init and os.path.exists(args.init) else None
    ck = torch.load(source, map_location=dev) if source else None
    resuming = ck is not None and source == args.ckpt
    if resuming and not args.fresh_args:
        # the run's own arguments, unless given again on this command line (see repro.py)
        if ck.get("args"):
            print(describe_restore(*restore_args(ap, args, ck["args"])), flush=True)
        else:
            print("the checkpoint records no arguments (written before they were saved): the command line and "
                  "the defaults decide them", flush=True)
    if args.r1_every < 1:
        raise SystemExit("--r1-every must be at least 1")
    torch.manual_seed(args.seed)

    pack = load_pack(args.pack)
    pack_sha256 = file_sha256(args.pack)  # cached next to the pack: a resume does not read it twice
    keep = slice(None) if args.include_heldout else pack["split"] == 0
    imgs = pack["images"][keep]
    weights = None
    if args.oversample:
        groups = None
        if needs_groups(args.oversample):  # the appearance groups: read once per pack, cached (appearance_scores.py)
            groups = {g: m[keep] for g, m in group_masks(pack_readings(args.pack, pack["images"], pack_sha256)).items()}
            print(f"appearance groups read by {readers_print_of()} (appearance_scores.py): "
                  + ", ".join(f"{g} {int(m.sum())}" for g, m in groups.items()), flush=True)
        w = sample_weights(pack["labels"][keep], args.oversample, groups)
        print(share_report(pack["labels"][keep], w, args.oversample, groups), flush=True)
        weights = torch.from_numpy(w)  # on the CPU, like randint's draw: the same stream on every device
    res = imgs.shape[1]
    data = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous()  # uint8 N,3,H,W
    if dev.type == "cuda":
        data = data.to(dev)
    del pack, imgs  # the labels and held-out images are not needed: free ~0.9 GB
    print(f"training on {len(data)} images at {res}px (pack sha256 {pack_sha256[:12]}…)", flush=True)

    g = Generator(args.z_dim, args.ngf, res, args.detail).to(dev)
    d = Discriminator(args.ndf, res).to(dev)
    mf = torch.channels_last
    g, d = g.to(memory_format=mf), d.to(memory_format=mf)
    ema = copy.deepcopy(g).eval()
    opt_g = torch.optim.Adam(g.parameters(), args.lr_g, betas=(0.0, 0.99))
    opt_d = torch.optim.Adam(d.parameters(), args.lr_d, betas=(0.0, 0.99))
    done, elapsed, step = 0, 0.0, 0
    fixed_z = torch.randn(64, args.z_dim, generator=torch.Generator().manual_seed(1234)).to(dev)
    history: list = []
    if ck is not None:
        missing = load_weights(g, ck["g"], "G")
        load_weights(d, ck["d"], "D")
        load_weights(ema, ck["ema"], "EMA G")
        if "opt_g" in ck and not missing:
            opt_g.load_state_dict(ck["opt_g"]); opt_d.load_state_dict(ck["opt_d"])
            for opt, lr in ((opt_g, args.lr_g), (opt_d, args.lr_d)):  # the arguments, not the optimiser state, set lr
                for group in opt.param_groups:
                    group["lr"] = lr
        # else: the compact weights (no optimiser state): Adam's moments warm up again in ~100 steps
        done, elapsed = ck["images"], ck.get("seconds", 0.0)
        history = list(ck.get("history", []))
        if missing:
            history.append({"images": done, "event": f"detail block (width {args.detail}) added, zero-initialised"})
        print(f"{'resumed' if resuming else 'started'} from {source} at {done} images "
              f"({elapsed / 3600:.2f} h){'; new layers start at zero: ' + ', '.join(missing) if missing else ''}",
              flush=True)
        changed = pack_changed(ck, pack_sha256) if resuming else None
        if changed:
            if args.require_same_pack:
                raise SystemExit(changed.replace("WARNING: ", "") + "; refused (--require-same-pack)")
            print(changed + " (--require-same-pack refuses instead)", flush=True)
            history.append({"images": done, "event": f"data pack changed: sha256 {ck['pack_sha256'][:12]} -> "
                                                     f"{pack_sha256[:12]}, {len(data)} training images"})
        before = (ck.get("args") or {}).get("oversample", "") if resuming else None
        if before is not None and before != args.oversample:
            history.append({"images": done, "event": f"oversampling {before or 'off'} -> {args.oversample or 'off'}"})
        if resuming:
            step = ck.get("step", 0)
            # last, after everything above drew its numbers: the next step draws what it would have drawn
            restored = restore_rng(ck.get("rng"), dev)
            print(f"seed {ck.get('seed', args.seed)}; random state restored: {', '.join(restored)}" if restored else
                  "the checkpoint records no random state: training goes on from the freshly seeded one", flush=True)
    del ck
    params = dict(z_dim=args.z_dim, ngf=args.ngf, ndf=args.ndf, res=res, detail=args.detail)
    ema_decay = 0.5 ** (args.batch / (args.ema_kimg * 1000))
    augment = (lambda x: diff_augment(x, cutout=False)) if args.no_cutout else diff_augment

    def checkpoint() -> None:
        save_atomic({"g": g.state_dict(), "d": d.state_dict(), "ema": ema.state_dict(),
                     "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(), "images": done,
                     "seconds": elapsed + time.time() - t_start, "params": params,
                     "device": str(dev), "history": history, "pack_images": len(data), "step": step,
                     **record(args, args.pack, pack_sha256)}, args.ckpt)

    total = int(args.kimg * 1000)
    prog = Progress(total)
    t_start, t_save = time.time(), time.time()
    next_sample = (done // args.sample_every + 1) * args.sample_every
    b = args.batch
    log = open(args.log_losses, "a") if args.log_losses else None
    stop = []  # SIGTERM (campaign.py stop, a killed session): checkpoint, then exit
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    while done < total and not stop:
        idx = (torch.multinomial(weights, b, replacement=True) if weights is not None
               else torch.randint(0, len(data), (b,)))
        loss_d, loss_g = train_step(g, d, opt_g, opt_d, data[idx], args.z_dim, augment,
                                    args.r1 if step % args.r1_every == 0 else 0.0, args.r1_every)
        step += 1
        # EMA warms up: short horizon early, the asked-for half-life later
        update_ema(ema, g, min(ema_decay, (1 + done / b) / (10 + done / b)))
        done += b
        prog.tick(done, loss_d=loss_d, loss_g=loss_g)
        if log:
            log.write(json.dumps({"images": done, "step": step, "loss_d": loss_d, "loss_g": loss_g}) + "\n")
            log.flush()
        if done >= next_sample or done >= total:
            next_sample += args.sample_every
            with torch.no_grad():
                grid(ema(fixed_z), 8).save(args.ckpt + f".samples.png")
        if time.time() - t_save > args.save_every or done >= total or stop:
            checkpoint()
            t_save = time.time()
            print(f"checkpoint at {done} images", flush=True)
    if stop:  # a SIGTERM that arrived after the last check in the loop
        checkpoint()
        print(f"stopped (SIGTERM): checkpoint at {done} images", flush=True)


if __name__ == "__main__":
    main()
