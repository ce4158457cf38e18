"""Training throughput: images/s for one GAN training step (D step + G step) at the shipped size.

  /usr/bin/python3 training/bench_train.py                       # all cores, generator v2
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/bench_train.py --threads 1
  /usr/bin/python3 training/bench_train.py --detail 0            # generator v1, for comparison

Random images stand in for data (the step does not depend on their content). Pause background training
first (`training/campaign.py pause`): the benchmark and training share the cores.
"""
from __future__ import annotations

import argparse
import json
import time

import torch

from common import pick_device
from models_gan import Discriminator, Generator, diff_augment
from train_gan import train_step


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--ngf", type=int, default=48)
    ap.add_argument("--ndf", type=int, default=48)
    ap.add_argument("--detail", type=int, default=24)
    ap.add_argument("--r1", type=float, default=0.0)
    ap.add_argument("--steps", type=int, default=16, help="timed steps (after 3 warm-up steps)")
    args = ap.parse_args()
    dev = pick_device(args.device, args.threads)
    g = Generator(128, args.ngf, 64, args.detail).to(dev).to(memory_format=torch.channels_last)
    d = Discriminator(args.ndf, 64).to(dev).to(memory_format=torch.channels_last)
    opt_g = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.0, 0.99))
    opt_d = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.0, 0.99))
    batch = torch.randint(0, 256, (args.batch, 3, 64, 64), dtype=torch.uint8)
    for i in range(3 + args.steps):
        if i == 3:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
        # lazy R1 on every 16th timed step, as in training (time at least 16 steps to include one)
        train_step(g, d, opt_g, opt_d, batch, 128, diff_augment, args.r1 if i >= 3 and (i - 3) % 16 == 0 else 0.0)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    out = {"img_per_s": round(args.steps * args.batch / dt, 1), "ms_per_step": round(1000 * dt / args.steps, 1),
           "threads": torch.get_num_threads(), "batch": args.batch, "detail": args.detail, "r1": args.r1,
           "g_params": sum(p.numel() for p in g.parameters()), "d_params": sum(p.numel() for p in d.parameters())}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
