"""Export the trained G (EMA weights, re-estimated BatchNorm statistics) and F to models/ as ONNX,
and write the parity fixture the TypeScript tests compare onnxruntime-node against.

  /usr/bin/python3 training/export.py            # both
  /usr/bin/python3 training/export.py --only gan
  /usr/bin/python3 training/export.py --only gan --out-dir training/work/candidate   # scratch: nothing shipped

With --out-dir, every generator file goes into that folder (generator.onnx, generator_info.json,
generator_parity.json, gan.pt) and nothing shipped is touched: training/campaign.py measures it there and
installs it only if it is better.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import shutil

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


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def fingerprint(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def export_gan(ckpt: str, out_dir: str, weights: str = "ema") -> dict[str, str]:
    """EMA G (or, for diagnosis, the live G: weights="g") -> out_dir/{generator.onnx, generator_info.json,
    generator_parity.json, gan.pt}."""
    os.makedirs(out_dir, exist_ok=True)
    ck = torch.load(ckpt, map_location="cpu")
    p = ck["params"]
    g = Generator(p["z_dim"], p["ngf"], p["res"], p.get("detail", 0))
    g.load_state_dict(ck[weights])
    standing_stats(g, p["z_dim"])
    files = {k: os.path.join(out_dir, k) for k in
             ("generator.onnx", "generator_info.json", "generator_parity.json", "gan.pt")}
    export_generator(g, p["z_dim"], files["generator.onnx"])
    # parity fixture: PyTorch's own output for a few latents
    z = torch.randn(4, p["z_dim"], generator=torch.Generator().manual_seed(2024))
    with torch.no_grad():
        img = g(z).numpy()
    fixture = {"model": "models/generator.onnx", "z_dim": p["z_dim"], "shape": list(img.shape),
               "z": b64(z.numpy()), "image": b64(img)}
    with open(files["generator_parity.json"], "w") as f:
        json.dump(fixture, f)
    info = {"version": 2 if p.get("detail", 0) else 1, "fingerprint": fingerprint(files["generator.onnx"]),
            "images_seen": ck["images"], "train_hours": round(ck.get("seconds", 0) / 3600, 2),
            "params": p, "device": ck.get("device", "cpu"),
            "hardware": f"{platform.machine()} {os.cpu_count()} cores" if ck.get("device", "cpu") == "cpu" else ck["device"],
            "training_images": ck.get("pack_images"),
            "history": ck.get("history", [])}
    with open(files["generator_info.json"], "w") as f:
        json.dump(info, f, indent=1)
    print(f"exported {files['generator.onnx']} ({os.path.getsize(files['generator.onnx']) / 1e6:.1f} MB) "
          f"after {ck['images']} images, fingerprint {info['fingerprint']}")
    # compact weights for continuing training elsewhere (fp16, no optimiser state): train_gan.py --init
    half = lambda sd: {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}
    # and, for the record, the run's arguments, seed and data pack hash (train_gan.py --init takes none of them)
    record = {k: ck[k] for k in ("args", "seed", "pack_sha256") if k in ck}
    save_atomic({"g": half(ck["g"]), "d": half(ck["d"]), "ema": half(ck["ema"]), "images": ck["images"],
                 "seconds": ck.get("seconds", 0.0), "params": p, "history": ck.get("history", []), **record},
                files["gan.pt"])
    return files


def install_gan(files: dict[str, str]) -> None:
    """Copies an exported generator to where it ships (models/, the parity fixture, the resume weights)."""
    places = {"generator.onnx": os.path.join(MODELS, "generator.onnx"),
              "generator_info.json": os.path.join(MODELS, "generator_info.json"),
              "generator_parity.json": os.path.join(REPO, "tests", "fixtures", "generator_parity.json"),
              "gan.pt": os.path.join(HERE, "resume", "gan.pt"),
              "axes.json": os.path.join(MODELS, "axes.json"), "surrogate.json": os.path.join(MODELS, "surrogate.json"),
              "samples.png": os.path.join(MODELS, "samples.png")}
    for key, dest in places.items():
        if key not in files:
            continue
        shutil.copyfile(files[key], dest + ".tmp")
        os.replace(dest + ".tmp", dest)
        print(f"installed {dest} ({os.path.getsize(dest) / 1e6:.1f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gan", default=os.path.join(WORK, "gan.pt"))
    ap.add_argument("--classifier", default=os.path.join(WORK, "classifier.pt"))
    ap.add_argument("--age", default=os.path.join(WORK, "age.pt"),
                    help="F's age head (train_age.py); exported as the `age` output of classifier.onnx when present")
    ap.add_argument("--classifier-out", default=os.path.join(MODELS, "classifier.onnx"))
    ap.add_argument("--only", choices=["gan", "classifier", "age"],
                    help="age: add the age head to the shipped classifier.onnx (no F weights needed)")
    ap.add_argument("--out-dir", help="export the generator here (scratch) instead of installing it")
    ap.add_argument("--weights", default="ema", choices=["ema", "g"],
                    help="the EMA of G's weights (what ships) or the live G (diagnosis, with --out-dir)")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(MODELS, exist_ok=True)

    if args.only in (None, "gan"):
        if args.weights != "ema" and not args.out_dir:
            raise SystemExit("--weights g is for diagnosis: give --out-dir")
        files = export_gan(args.gan, args.out_dir or os.path.join(WORK, "export"), args.weights)
        if not args.out_dir:
            install_gan(files)

    if args.only == "age":
        from onnx_export import add_age_head
        from train_age import load_age
        add_age_head(os.path.join(MODELS, "classifier.onnx"), load_age(args.age), 64, args.classifier_out)
        print(f"wrote {args.classifier_out}: the shipped F plus the age head")

    if args.only in (None, "classifier"):
        ck = torch.load(args.classifier, map_location="cpu")
        f = AttributeNet(ck.get("width", 32))
        f.load_state_dict(ck["model"])
        age = None
        if os.path.exists(args.age):
            from train_age import load_age
            age = load_age(args.age)
        path = args.classifier_out
        export_classifier(f, 64, path, age)
        print(f"exported {path} ({os.path.getsize(path) / 1e6:.1f} MB){' with the age head' if age else ''}")


if __name__ == "__main__":
    main()
