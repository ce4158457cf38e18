"""Shared helpers for the tellaface training scripts (CPU or CUDA, unchanged)."""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")  # git-ignored: packs and checkpoints
MODELS = os.path.join(REPO, "models")
DATASETS = os.path.normpath(os.path.join(REPO, "..", "shared", "datasets"))

ATTRIBUTES = [
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs",
    "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows",
    "Chubby", "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones",
    "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin",
    "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair",
    "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace",
    "Wearing_Necktie", "Young",
]


def base_args(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where to train (auto: cuda when available)")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    p.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"), help="training pack from prepare.py")
    return p


def pick_device(name: str, threads: int = 0) -> torch.device:
    if threads > 0:
        torch.set_num_threads(threads)
    else:
        torch.set_num_threads(os.cpu_count() or 1)
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda asked for, but torch sees no CUDA device")
    dev = torch.device(name)
    print(f"device: {dev} (torch {torch.__version__}, {torch.get_num_threads()} CPU threads)", flush=True)
    return dev


def load_pack(path: str):
    if not os.path.exists(path):
        raise SystemExit(f"no training pack at {path}: run training/prepare.py first")
    d = np.load(path, allow_pickle=False)
    return {k: d[k] for k in d.files}


class Progress:
    """Prints images/s, losses and ETA at most every `every` seconds."""

    def __init__(self, total: int, every: float = 30.0):
        self.total, self.every = total, every
        self.t0 = self.last = time.time()
        self.done0 = None

    def tick(self, done: int, **losses) -> None:
        now = time.time()
        if self.done0 is None:
            self.done0 = done
        if now - self.last < self.every and done < self.total:
            return
        self.last = now
        rate = (done - self.done0) / max(now - self.t0, 1e-6)
        eta = (self.total - done) / rate if rate > 0 else float("inf")
        parts = " ".join(f"{k}={v:.4f}" for k, v in losses.items())
        print(f"[{done}/{self.total} img] {rate:.0f} img/s  eta {eta / 60:.1f} min  {parts}", flush=True)


def save_atomic(obj, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)
