"""Resume reproducibility of train_gan.py, on a tiny run in a scratch folder (nothing in training/work/ is read
or written): ~20 s on one core.

  /usr/bin/python3 training/test_repro.py          # exit status 0 when every check passes
  /usr/bin/python3 training/test_repro.py --keep   # keep the scratch folder (its path is printed)

1. trains a tiny G (32 px pack of 256 random images, batch 8, ngf 8) for 4 steps to a checkpoint, and checks
   that the checkpoint records every argument, the seed, the pack's SHA-256 and the random state;
2. resumes that checkpoint twice, giving only paths and the new --kimg (the widths, batch and seed must come
   from the checkpoint, or the weights would not even load), and checks the two resumes' next 4 steps have
   identical losses, equal to steps 5-8 of one uninterrupted 8-step run (R1 every 3rd step, so the step count
   is restored too);
3. resumes after the pack changed: a warning and a history entry, and --require-same-pack refuses;
4. resumes a checkpoint stripped of the new fields (as written before them): it runs, with the command line's
   arguments, as before.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.join(HERE, "train_gan.py")
ARCH = ["--batch", "8", "--ngf", "8", "--ndf", "8", "--z-dim", "16", "--detail", "4", "--r1", "0.5",
        "--r1-every", "3", "--seed", "7", "--lr-g", "3e-4"]
failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        failures.append(what)


def make_pack(path: str, seed: int, n: int = 256, res: int = 32) -> None:
    rng = np.random.default_rng(seed)
    split = (np.arange(n) % 10 == 0).astype(np.int8)
    np.savez(path, images=rng.integers(0, 256, (n, res, res, 3), dtype=np.uint8),
             labels=rng.choice(np.array([-1, 1], np.int8), (n, 40)), source=np.zeros(n, np.int8), split=split,
             names=np.array([f"{i:06d}.jpg" for i in range(n)]))


def train(tmp: str, ckpt: str, kimg: float, *extra: str, log: str | None = None, ok_exit: bool = True):
    cmd = [sys.executable, TRAIN, "--ckpt", ckpt, "--pack", os.path.join(tmp, "pack.npz"), "--init", "",
           "--kimg", str(kimg), "--threads", "1", "--device", "cpu", *extra]
    if log:
        cmd += ["--log-losses", log]
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if ok_exit and r.returncode != 0:
        print(r.stdout, r.stderr, sep="\n")
        raise SystemExit(f"train_gan.py failed ({r.returncode}): {' '.join(cmd)}")
    return r


def plain(x) -> bool:
    """Only what torch.load(weights_only=True) (torch >= 2.6's default) unpickles: no numpy or other objects."""
    if isinstance(x, dict):
        return all(isinstance(k, str) and plain(v) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return all(plain(v) for v in x)
    return x is None or type(x) in (str, int, float, bool) or isinstance(x, torch.Tensor)


def losses(path: str) -> list[tuple]:
    with open(path) as fh:
        return [(j["images"], j["loss_d"], j["loss_g"]) for j in map(json.loads, fh)]


def main() -> None:
    keep = "--keep" in sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="tellaface-repro-")
    try:
        run(tmp)
    finally:
        if keep:
            print(f"scratch folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        raise SystemExit(f"{len(failures)} check(s) failed: " + "; ".join(failures))
    print("all resume checks passed")


def run(tmp: str) -> None:
    p = lambda name: os.path.join(tmp, name)
    make_pack(p("pack.npz"), 0)
    sha = hashlib.sha256(open(p("pack.npz"), "rb").read()).hexdigest()

    # 1. a 4-step run, and what its checkpoint records
    train(tmp, p("a.pt"), 0.032, *ARCH, log=p("a.log"))
    ck = torch.load(p("a.pt"), map_location="cpu")
    args = ck.get("args", {})
    check(args.get("batch") == 8 and args.get("ngf") == 8 and args.get("r1_every") == 3 and args.get("lr_g") == 3e-4
          and args.get("kimg") == 0.032 and args.get("pack") == p("pack.npz"),
          "checkpoint records the parsed arguments")
    check(ck.get("seed") == 7, "checkpoint records the seed")
    check(ck.get("pack_sha256") == sha, "checkpoint records the pack's SHA-256")
    check(os.path.exists(p("pack.npz.sha256.json")), "the pack's hash is cached next to it")
    rng = ck.get("rng", {})
    check(isinstance(rng.get("torch"), torch.Tensor) and "numpy" in rng and "python" in rng,
          "checkpoint records the random state (torch, numpy, python)")
    check(ck.get("step") == 4 and ck.get("images") == 32, "checkpoint records the step count")
    check(set(ck.get("versions", {})) == {"python", "torch", "numpy"}, "checkpoint records the versions")
    check(plain({k: ck.get(k) for k in ("args", "argv", "seed", "pack", "pack_sha256", "rng", "versions", "step")}),
          "the new fields are plain tensors, lists, dicts, strings and numbers (weights_only=True can load them)")

    # 2. the same 8 steps uninterrupted, and two resumes of the 4-step checkpoint
    train(tmp, p("u.pt"), 0.064, *ARCH, log=p("u.log"))
    outs = []
    for k in (1, 2):
        shutil.copyfile(p("a.pt"), p(f"r{k}.pt"))
        r = train(tmp, p(f"r{k}.pt"), 0.064, log=p(f"r{k}.log"))  # no architecture, no seed: from the checkpoint
        outs.append(r.stdout)
    check("arguments restored from the checkpoint" in outs[0] and "batch=8" in outs[0] and "seed=7" in outs[0],
          "resume prints the restored arguments")
    check("kimg=0.064 (was 0.032)" in outs[0], "resume prints the arguments given again on its command line")
    check("random state restored: torch, numpy, python" in outs[0], "resume prints the restored random state")
    r1, r2, u = losses(p("r1.log")), losses(p("r2.log")), losses(p("u.log"))
    check(len(r1) == 4 and r1 == r2, f"two resumes give identical next-step losses ({r1[:1]})")
    check(r1 == u[4:], "the resumed steps equal steps 5-8 of an uninterrupted run")
    check(losses(p("a.log")) == u[:4], "the first 4 steps equal those of the uninterrupted run")
    ck2 = torch.load(p("r1.pt"), map_location="cpu")
    check(ck2["args"]["batch"] == 8 and ck2["args"]["kimg"] == 0.064 and ck2["seed"] == 7 and ck2["step"] == 8,
          "the resumed checkpoint records the restored arguments, the seed and the step")

    # 3. a changed pack: a warning and a history entry; --require-same-pack refuses
    shutil.copyfile(p("a.pt"), p("c.pt"))
    shutil.copyfile(p("a.pt"), p("s.pt"))
    make_pack(p("pack.npz"), 1)
    r = train(tmp, p("c.pt"), 0.048)
    check("WARNING: the data pack differs" in r.stdout, "a changed pack is warned about")
    ck3 = torch.load(p("c.pt"), map_location="cpu")
    check(any("data pack changed" in h.get("event", "") for h in ck3["history"]) and ck3["pack_sha256"] != sha,
          "a changed pack is noted in the history and the new hash recorded")
    r = train(tmp, p("s.pt"), 0.048, "--require-same-pack", ok_exit=False)
    check(r.returncode != 0 and "refused" in (r.stdout + r.stderr), "--require-same-pack refuses a changed pack")

    # 4. a checkpoint as written before these fields: the command line decides, as before
    make_pack(p("pack.npz"), 0)  # the first pack's images again
    old = {k: v for k, v in torch.load(p("a.pt"), map_location="cpu").items()
           if k not in ("args", "argv", "seed", "pack", "pack_sha256", "rng", "versions", "step")}
    torch.save(old, p("old.pt"))
    torch.save(old, p("old2.pt"))
    r = train(tmp, p("old.pt"), 0.048, *ARCH, log=p("old.log"))
    check("records no arguments" in r.stdout and "records no random state" in r.stdout and len(losses(p("old.log"))) == 2,
          "a checkpoint without the new fields resumes from the command line's arguments")
    check(losses(p("old.log")) != u[4:6], "...from a freshly seeded random state (so check 2 would see a lost one)")
    r = train(tmp, p("old2.pt"), 0.064, ok_exit=False)  # no architecture given: the defaults, which do not fit
    check(r.returncode != 0 and "size mismatch" in (r.stdout + r.stderr),
          "...and without them it uses the defaults (as before: the weights do not fit)")


if __name__ == "__main__":
    main()
