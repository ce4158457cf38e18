"""Reproducibility: what a checkpoint records besides the weights, and how resume restores it.

Every resumable checkpoint (train_gan.py, train_classifier.py) records
- `args`: every parsed argument, `argv`: the command line as given, `seed`: the seed;
- `pack` / `pack_sha256`: the data pack's path and the SHA-256 of its bytes (`file_sha256`, cached);
- `rng`: the random state (`rng_state`): torch's CPU generator, the CUDA generators when CUDA is in use,
  numpy's global generator and Python's `random`, taken at the moment of the checkpoint;
- `versions`: python, torch and numpy.

On resume (`restore_args`, `restore_rng`, `pack_changed`):
- arguments: the checkpoint's values, except those given on this command line (which win) and the
  `NOT_RESTORED` ones (where and how the run goes: paths, device, threads, checkpoint/sample intervals);
- random state: set back just before the first step, so a resumed run draws the same numbers an
  uninterrupted one would have drawn (on the same device, torch version and thread count);
- data pack: its hash is compared with the checkpoint's; a different pack is reported (the caller warns,
  or refuses when asked to).

Checkpoints written before these fields existed resume exactly as they did: the command line and the
defaults decide every argument, and the random state is the one seeded at start.
All of it is stored as plain tensors, lists, dicts and numbers (no numpy objects), so `torch.load` with
`weights_only=True` (the default from torch 2.6 on, e.g. on a GPU machine) still reads the checkpoints.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sys

import numpy as np
import torch

# Arguments that say where and how a run goes rather than what it trains: never taken from a checkpoint.
NOT_RESTORED = frozenset({"ckpt", "init", "device", "threads", "pack", "save_every", "sample_every", "metrics",
                          "log_losses", "fresh_args", "require_same_pack"})


def file_sha256(path: str, chunk: int = 1 << 22) -> str:
    """SHA-256 of a file's bytes, read in 4 MB chunks. Cached next to the file (`<path>.sha256.json`, keyed by
    size and mtime), so a resume does not read the ~0.9 GB pack twice; a cache that cannot be written is skipped."""
    st = os.stat(path)
    key = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    cache = path + ".sha256.json"
    try:
        with open(cache) as fh:
            c = json.load(fh)
        if c.get("size") == key["size"] and c.get("mtime_ns") == key["mtime_ns"] and len(c.get("sha256", "")) == 64:
            return c["sha256"]
    except (OSError, ValueError, AttributeError):
        pass
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    digest = h.hexdigest()
    st2 = os.stat(path)
    if (st2.st_size, st2.st_mtime_ns) == (key["size"], key["mtime_ns"]):  # not rewritten while we read it
        try:
            with open(cache + ".tmp", "w") as fh:
                json.dump({"path": os.path.abspath(path), **key, "sha256": digest}, fh)
            os.replace(cache + ".tmp", cache)
        except OSError:
            pass
    return digest


def given_on_command_line(ap: argparse.ArgumentParser, argv: list[str] | None = None) -> set[str]:
    """The `dest` names of the options actually present on the command line (not left at their defaults)."""
    actions = [a for a in ap._actions if a.dest != "help"]
    saved = [a.default for a in actions]
    try:
        for a in actions:
            a.default = argparse.SUPPRESS
        ns, _ = ap.parse_known_args(argv)
    finally:
        for a, d in zip(actions, saved):
            a.default = d
    return set(vars(ns))


def restore_args(ap: argparse.ArgumentParser, args: argparse.Namespace, saved: dict | None,
                 argv: list[str] | None = None) -> tuple[dict, dict]:
    """Sets the checkpoint's arguments on `args`, except those given on the command line and NOT_RESTORED.
    Returns (restored {name: value}, kept from the command line {name: (value now, value in the checkpoint)})."""
    if not saved:
        return {}, {}
    given = given_on_command_line(ap, argv)
    restored, kept = {}, {}
    for name, value in saved.items():
        if name in NOT_RESTORED or not hasattr(args, name):
            continue
        if name in given:
            if getattr(args, name) != value:
                kept[name] = (getattr(args, name), value)
            continue
        setattr(args, name, value)
        restored[name] = value
    return restored, kept


def describe_restore(restored: dict, kept: dict) -> str:
    parts = ["arguments restored from the checkpoint: " + " ".join(f"{k}={v}" for k, v in sorted(restored.items()))]
    if kept:
        parts.append("given on the command line (used instead of the checkpoint's): " +
                     " ".join(f"{k}={now} (was {was})" for k, (now, was) in sorted(kept.items())))
    return "; ".join(parts)


def rng_state() -> dict:
    """The random state of every generator the training scripts draw from (global ones: the scripts use no
    private generators except fixed-seed ones, which are re-made the same way on every start)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state = {"torch": torch.get_rng_state(),
             "numpy": {"name": name, "keys": [int(k) for k in keys], "pos": int(pos), "has_gauss": int(has_gauss),
                       "cached_gaussian": float(cached)},
             "python": {"version": version, "state": list(internal), "gauss_next": gauss_next}}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict | None, dev: torch.device) -> list[str]:
    """Sets the generators back to a checkpoint's `rng`; returns which ones were restored."""
    if not state:
        return []
    done = []
    if "torch" in state:
        torch.set_rng_state(state["torch"].cpu())  # map_location may have put it on the GPU
        done.append("torch")
    if "cuda" in state and dev.type == "cuda":
        cuda = state["cuda"]
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all([s.cpu() for s in cuda])
            done.append("cuda")
    if "numpy" in state:
        n = state["numpy"]
        np.random.set_state((n["name"], np.array(n["keys"], np.uint32), n["pos"], n["has_gauss"], n["cached_gaussian"]))
        done.append("numpy")
    if "python" in state:
        p = state["python"]
        random.setstate((p["version"], tuple(p["state"]), p["gauss_next"]))
        done.append("python")
    return done


def record(args: argparse.Namespace, pack_path: str | None, pack_sha256: str | None, seed: int | None = None,
           rng: bool = True) -> dict:
    """The reproducibility fields of a checkpoint: the random state is taken now (rng=False: a final model
    that nothing resumes, e.g. train_age.py's and judge.py's); `seed` defaults to args.seed."""
    out = {"args": dict(vars(args)), "argv": list(sys.argv[1:]), "seed": getattr(args, "seed", None) if seed is None else seed,
           "pack": os.path.abspath(pack_path) if pack_path else None, "pack_sha256": pack_sha256}
    if rng:
        out["rng"] = rng_state()
    return {**out,
            "versions": {"python": platform.python_version(), "torch": str(torch.__version__), "numpy": str(np.__version__)}}


def pack_changed(ck: dict, pack_sha256: str) -> str | None:
    """A warning when the checkpoint trained on a different pack; None when the same, or not recorded."""
    old = ck.get("pack_sha256")
    if not old or old == pack_sha256:
        return None
    return (f"WARNING: the data pack differs from the one this checkpoint trained on "
            f"(sha256 {old[:12]}… in the checkpoint, {pack_sha256[:12]}… now, {ck.get('pack', '?')} then): "
            f"training goes on with the pack as it is now")
