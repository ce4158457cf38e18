"""Shared helpers for the tellaface training scripts (CPU or CUDA, unchanged)."""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from celeba_attributes import ATTRIBUTES  # noqa: F401  (re-exported: one list, see celeba_attributes.py)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")  # git-ignored: packs and checkpoints
MODELS = os.path.join(REPO, "models")
DATASETS = os.path.normpath(os.path.join(REPO, "..", "shared", "datasets"))


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


def npm_face(models_dir: str, first: int, count: int, out_dir: str, size: int = 64, truncation: float = 1.0) -> list[str]:
    """Renders seeds first..first+count-1, unedited, exactly as users get them (ONNX via `npm run face`)."""
    import subprocess

    cmd = ["npm", "run", "--silent", "face", "--", "--seed", str(first), "--count", str(count), "--size", str(size),
           "--out-dir", out_dir, "--models-dir", os.path.abspath(models_dir), "--provider", "cpu",
           "--truncation", str(truncation)]
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return [os.path.join(out_dir, f"{s}.png") for s in range(first, first + count)]


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (rows are samples)."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # sqrt of s1 s2 via the symmetric form s1^1/2 s2 s1^1/2 (eigendecompositions; no scipy needed)
    w, v = np.linalg.eigh(s1)
    r1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = r1 @ s2 @ r1
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt)


def save_atomic(obj, path: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)  # a bare file name: the current folder
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)
