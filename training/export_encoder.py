"""Export the trained encoder (the EMA of E's weights in training/work/encoder.pt) to models/encoder.onnx, with
models/encoder.json (contract, the generator it was trained against, the refinement recipe and the measured
numbers when training/work/encoder_eval.json exists) and the parity fixture tests/encoder-parity.test.ts reads.

  /usr/bin/python3 training/export_encoder.py
  /usr/bin/python3 training/export_encoder.py --out-dir /tmp/enc   # scratch: nothing shipped
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os

import numpy as np
import torch

from common import MODELS, REPO, WORK, load_pack
from models_encoder import Encoder


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def load_encoder(path: str) -> tuple[Encoder, dict]:
    ck = torch.load(path, map_location="cpu")
    e = Encoder(ck["params"]["z_dim"], ck["params"]["width"])
    e.load_state_dict(ck["ema"])
    return e.eval(), ck


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ckpt", default=os.path.join(WORK, "encoder.pt"))
    ap.add_argument("--eval", default=os.path.join(WORK, "encoder_eval.json"),
                    help="eval_encoder.py's output: the refinement recipe and the numbers go into encoder.json")
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--out-dir", default=MODELS)
    ap.add_argument("--fixture", default=os.path.join(REPO, "tests", "fixtures", "encoder_parity.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    e, ck = load_encoder(args.ckpt)
    gen_info = json.load(open(os.path.join(MODELS, "generator_info.json")))
    if ck["generator_fingerprint"] != gen_info["fingerprint"]:
        raise SystemExit(f"E was trained against G {ck['generator_fingerprint']}, the shipped G is "
                         f"{gen_info['fingerprint']}: retrain E (train_encoder.py) for this G")
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, "encoder.onnx")
    torch.onnx.export(e, torch.zeros(2, 3, 64, 64), path, input_names=["image"], output_names=["z"],
                      dynamic_axes={"image": {0: "batch"}, "z": {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()[:12]
    # parity fixture: four held-out crops (real photos, not G's samples) and PyTorch's latents for them
    pack = load_pack(args.pack)
    held = np.flatnonzero(pack["split"] == 1)[:4]
    x = torch.from_numpy(pack["images"][held]).permute(0, 3, 1, 2).float().div(127.5).sub(1.0).contiguous()
    with torch.no_grad():
        z = e(x).numpy()
    with open(args.fixture, "w") as fh:
        json.dump({"model": "models/encoder.onnx", "shape": list(x.shape), "z_dim": int(z.shape[1]),
                   "names": [str(n) for n in pack["names"][held]], "image": b64(x.numpy()), "z": b64(z)}, fh)
    st = ck["state"]
    meta = {
        "version": 1,
        "fingerprint": sha,
        "generator_fingerprint": gen_info["fingerprint"],
        "generator_images_seen": gen_info["images_seen"],
        "input": {"name": "image", "shape": ["N", 3, 64, 64], "layout": "NCHW RGB",
                  "range": [-1, 1], "normalise": "x / 127.5 - 1 of the uint8 crop",
                  "crop": "the CelebA-like framing of training/prepare.py (the training crops of G and F)"},
        "output": {"name": "z", "shape": ["N", int(z.shape[1])],
                   "note": "G's latent; clamp with keepInRange (src/latent/edit.ts) like any latent"},
        "training": {"steps": st["step"], "images": st["images"], "minutes": round(st["seconds"] / 60, 1),
                     "threads": ck["args"]["threads"], "hardware": "2 shared CPU cores",
                     "data": "G's own samples (z known) and the pack's training crops (split 0: CelebA < 162771, LFW)",
                     "losses": {k: ck["args"][k] for k in ck["args"] if k.startswith("w_")},
                     "command": "OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/train_encoder.py --minutes "
                                f"{ck['args']['minutes']:g} --lr {ck['args']['lr']:g}"},
        "params": int(sum(p.numel() for p in e.parameters())),
        "refine": None,
    }
    if os.path.exists(args.eval):
        ev = json.load(open(args.eval))
        meta["refine"] = ev.get("refine")
        meta["measured"] = ev.get("measured")
    with open(os.path.join(args.out_dir, "encoder.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
    print(f"exported {path} ({os.path.getsize(path) / 1e6:.2f} MB, fingerprint {sha}), {args.fixture}")


if __name__ == "__main__":
    main()
