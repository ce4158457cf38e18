"""Export the trained G (EMA weights, re-estimated BatchNorm statistics) and F to models/ as ONNX,
and write the parity fixture the TypeScript tests compare onnxruntime-node against.

  /usr/bin/python3 training/export.py            # both
  /usr/bin/python3 training/export.py --only gan
"""
from __future__ import annotations

import argparse
import base64
import json
import os

import numpy as np
import torch

from common import HERE, MODELS, REPO, WORK, save_atomic
from models_classifier import AttributeNet
from models_gan import Generator
from onnx_export import export_classifier, export_generator


@torch.no_grad()
def standing_stats(g: Generator, z_dim: int, batches: int = 16, batch: int = 256) -> None:
    """The EMA generator's BatchNorm running stats were copied from the live G; re-estimate them for the
    EMA weights (cumulative average over fresh batches), so eval-mode outputs match what EMA G draws."""
    bns = [m for m in g.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    g.train()
    gen = torch.Generator().manual_seed(99)
    for _ in range(batches):
        g(torch.randn(batch, z_dim, generator=gen))
    g.eval()


class Truncated(torch.nn.Module):
    """G(psi * z): the truncation trick (BigGAN). Latents stay N(0, I) everywhere outside the graph."""

    def __init__(self, g: Generator, psi: float):
        super().__init__()
        self.g, self.psi = g, psi

    def forward(self, z):
        return self.g(z * self.psi)


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gan", default=os.path.join(WORK, "gan.pt"))
    ap.add_argument("--classifier", default=os.path.join(WORK, "classifier.pt"))
    ap.add_argument("--only", choices=["gan", "classifier"])
    ap.add_argument("--truncation", type=float, default=1.0,
                    help="psi in G(psi * z), baked into the ONNX graph (1 = none)")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(MODELS, exist_ok=True)

    if args.only in (None, "gan"):
        ck = torch.load(args.gan, map_location="cpu")
        p = ck["params"]
        g = Generator(p["z_dim"], p["ngf"], p["res"])
        g.load_state_dict(ck["ema"])
        standing_stats(g, p["z_dim"])
        if args.truncation != 1.0:
            g = Truncated(g, args.truncation).eval()
        path = os.path.join(MODELS, "generator.onnx")
        export_generator(g, p["z_dim"], path)
        # parity fixture: PyTorch's own output for a few latents
        z = torch.randn(4, p["z_dim"], generator=torch.Generator().manual_seed(2024))
        with torch.no_grad():
            img = g(z).numpy()
        fixture = {"model": "models/generator.onnx", "z_dim": p["z_dim"], "shape": list(img.shape),
                   "z": b64(z.numpy()), "image": b64(img)}
        with open(os.path.join(REPO, "tests", "fixtures", "generator_parity.json"), "w") as f:
            json.dump(fixture, f)
        info = {"images_seen": ck["images"], "train_hours": round(ck.get("seconds", 0) / 3600, 2),
                "params": p, "device": ck.get("device", "cpu"), "truncation": args.truncation}
        with open(os.path.join(MODELS, "generator_info.json"), "w") as f:
            json.dump(info, f, indent=1)
        print(f"exported {path} ({os.path.getsize(path) / 1e6:.1f} MB) after {ck['images']} images")
        # compact weights for continuing training elsewhere (fp16, no optimiser state): train_gan.py --init
        resume = os.path.join(HERE, "resume", "gan.pt")
        half = lambda sd: {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}
        save_atomic({"g": half(ck["g"]), "d": half(ck["d"]), "ema": half(ck["ema"]), "images": ck["images"],
                     "seconds": ck.get("seconds", 0.0), "params": p}, resume)
        print(f"wrote {resume} ({os.path.getsize(resume) / 1e6:.1f} MB)")

    if args.only in (None, "classifier"):
        ck = torch.load(args.classifier, map_location="cpu")
        f = AttributeNet(ck.get("width", 32))
        f.load_state_dict(ck["model"])
        path = os.path.join(MODELS, "classifier.onnx")
        export_classifier(f, 64, path)
        print(f"exported {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
