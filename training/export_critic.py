"""Export the GAN's discriminator D (training/resume/gan.pt, the checkpoint the shipped G came from) to ONNX,
as a candidate realism critic: input `image` [N, 3, 64, 64] in [-1, 1], output `realness` [N] (D's hinge
logit: higher = more like the real crops D was trained on). Spectral norm is folded into the weights.

  /usr/bin/python3 training/export_critic.py [--ckpt training/resume/gan.pt] [--out training/work/critic.onnx]
"""
from __future__ import annotations

import argparse
import os

import torch

from common import HERE, WORK
from models_gan import Discriminator


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ckpt", default=os.path.join(HERE, "resume", "gan.pt"))
    ap.add_argument("--out", default=os.path.join(WORK, "critic.onnx"))
    args = ap.parse_args()
    ck = torch.load(args.ckpt, map_location="cpu")
    d = Discriminator(ck["args"]["ndf"], 64)
    d.load_state_dict(ck["d"])
    d.eval()
    for m in d.modules():  # fold spectral norm (eval: the stored u, v) into plain weights
        if hasattr(m, "weight_orig"):
            w = m.weight.detach().clone()
            torch.nn.utils.remove_spectral_norm(m)
            m.weight = torch.nn.Parameter(w)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    torch.onnx.export(d, torch.zeros(2, 3, 64, 64), args.out, input_names=["image"], output_names=["realness"],
                      dynamic_axes={"image": {0: "batch"}, "realness": {0: "batch"}}, opset_version=13, do_constant_folding=True)
    print(f"wrote {args.out} (D at {ck['images']} images)")


if __name__ == "__main__":
    main()
