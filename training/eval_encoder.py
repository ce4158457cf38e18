"""Measure the encoder on held-out people (issue 28, part 5) and try the gradient-free refinement the engine can run.

Held-out set: CelebA frames of the pack's held-out split (numbers >= 162771) whose identity (identity_CelebA.txt in
the dataset zip) never appears in the training split, one frame per person. For every photo x:

  * E alone: z = E(x) (|z| clamped like keepInRange), rec = G(z);
  * E + refine: rounds of K candidates around the best latent so far (Gaussian, sigma shrinking per round, plus the
    encoder's own correction z + (E(x) - E(G(z))) as one more candidate), all rendered in one batch, the best kept by
    w_pixel * L1 + w_feature * |F(rec) - F(x)|^2 / |F(x)|^2. Only G, F and E forward: what TypeScript can run.

Numbers: pixel L1 / MSE, F-feature distance (relative, as above, and 1 - cosine), identity kept = the share of photos
whose reconstruction is closer to the photo than a random seed's face is (F features here; the identity network's
embeddings when --identity is given, through onnxruntime-node: training/identity_embed.mjs); as an independent
reader, the yardstick's frozen F v1 (training/yardstick/classifier_v1.onnx: other weights than the F that training and
the refinement score with): closer than a random seed's face, the share of all the random faces farther, and top-1
re-identification (is the reconstruction nearest its own photo among all the photos), time to
invert one photo, and open-loop "older" / "smiling" edits on reconstructions vs on random seeds (read by F).

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/eval_encoder.py --n 256 --grid docs/images/encoder-grid.jpg
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import subprocess
import tempfile
import time
import zipfile
import zlib

import numpy as np
import torch

from common import ATTRIBUTES, DATASETS, MODELS, REPO, WORK, load_pack
from export_encoder import load_encoder
from onnx_torch import OnnxClassifier, OnnxGenerator

MAX_NORM = math.sqrt(128) + 3 / math.sqrt(2)  # keepInRange, src/latent/edit.ts


def keep_in_range(z: torch.Tensor) -> torch.Tensor:
    n = z.norm(dim=1, keepdim=True)
    return torch.where(n > MAX_NORM, z * MAX_NORM / n, z)


def heldout_people(pack: dict, n: int, seed: int = 0, identity_heldout: bool = False) -> np.ndarray:
    """Pack indices of n held-out CelebA frames of people absent from the training split, one per person first, then
    a second frame of some when there are fewer people than n. identity_heldout: only people the identity network
    of issue 25 also held out (crc32(str(id)) % 10 == 0, its identity_data.py), so neither E nor it saw them."""
    with zipfile.ZipFile(os.path.join(DATASETS, "celeba", "img_align_celeba_more.zip")) as z:
        lines = z.read("identity_CelebA.txt").decode().split("\n")
    who = {a: int(b) for a, b in (l.split() for l in lines if l.strip())}
    names, split, source = pack["names"], pack["split"], pack["source"]
    train_people = {who.get(str(nm)) for nm, s in zip(names, split) if s == 0} - {None}
    order = np.random.default_rng(seed).permutation(len(names))
    ok = [i for i in order if split[i] == 1 and source[i] == 0 and who.get(str(names[i])) not in train_people | {None}
          and (not identity_heldout or zlib.crc32(str(who[str(names[i])]).encode()) % 10 == 0)]
    count: dict[int, int] = {}
    pick = []
    for per_person in (1, 2):
        for i in ok:
            p = who[str(names[i])]
            if len(pick) < n and count.get(p, 0) < per_person and i not in pick:
                count[p] = count.get(p, 0) + 1
                pick.append(i)
    return np.array(sorted(pick))


class Scorer:
    """w_pixel * L1 + w_feature * relative F-feature distance of renders to one photo each."""

    def __init__(self, f: OnnxClassifier, w_pixel: float, w_feature: float):
        self.f, self.wp, self.wf = f, w_pixel, w_feature

    def __call__(self, rec: torch.Tensor, x: torch.Tensor, fx: torch.Tensor) -> torch.Tensor:
        l1 = (rec - x).abs().mean(dim=(1, 2, 3))
        fr = self.f.features(rec)
        fd = ((fr - fx) ** 2).sum(1) / (fx ** 2).sum(1)
        return self.wp * l1 + self.wf * fd


@torch.no_grad()
def refine(e, g, score: Scorer, x: torch.Tensor, z0: torch.Tensor, rounds: int, k: int, sigma: float,
           decay: float, residual: bool, seed: int) -> torch.Tensor:
    """One photo x [1,3,64,64]: the gradient-free refinement (see the module docstring). Returns the best z [1,128]."""
    gen = torch.Generator().manual_seed(seed)
    fx = score.f.features(x)
    ex = e(x)
    best = keep_in_range(z0)
    best_loss = score(g(best), x, fx)[0]
    for r in range(rounds):
        s = sigma * decay ** r
        cands = [best + s * torch.randn(k, best.shape[1], generator=gen)]
        if residual:
            cands.append(best + (ex - e(g(best))))
        c = keep_in_range(torch.cat(cands))
        losses = score(g(c), x.expand(len(c), -1, -1, -1), fx.expand(len(c), -1))
        i = int(losses.argmin())
        if losses[i] < best_loss:
            best, best_loss = c[i:i + 1], losses[i]
    return best


def parse_config(cfg: str) -> tuple[int, int, float, float, bool, float]:
    """ROUNDSxK:SIGMA:DECAY:R[:GAIN] (R: r = with the encoder's residual candidate, - = without; GAIN scales E(x))."""
    parts = cfg.split(":")
    rounds, k = (int(v) for v in parts[0].split("x"))
    gain = float(parts[4]) if len(parts) > 4 else 1.0
    return rounds, k, float(parts[1]), float(parts[2]), parts[3] == "r", gain


def metrics(x: torch.Tensor, rec: torch.Tensor, f: OnnxClassifier) -> dict[str, np.ndarray]:
    fx, fr = f.features(x), f.features(rec)
    return {"l1": (rec - x).abs().mean(dim=(1, 2, 3)).numpy(), "mse": ((rec - x) ** 2).mean(dim=(1, 2, 3)).numpy(),
            "f_rel": (((fr - fx) ** 2).sum(1) / (fx ** 2).sum(1)).numpy(),
            "f_cos": (1 - torch.nn.functional.cosine_similarity(fr, fx)).numpy()}


def f_cos(a: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    return (1 - torch.nn.functional.cosine_similarity(a, b)).numpy()


def identity_embeddings(model: str, images: np.ndarray) -> np.ndarray:
    """L2-normalised embeddings of [N,3,64,64] images by an identity ONNX, through onnxruntime-node."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
        np.ascontiguousarray(images, "<f4").tofile(src)
        subprocess.run(["node", os.path.join(REPO, "training", "identity_embed.mjs"), model, src, str(len(images)), dst],
                       check=True, cwd=REPO)
        out = np.fromfile(dst, "<f4")
    return out.reshape(len(images), -1)


def closer_share(d_rec: np.ndarray, d_seed: np.ndarray) -> float:
    return float((d_rec < d_seed).mean())


def axis(axes: dict, name: str) -> tuple[torch.Tensor, dict]:
    a = axes["attributes"][name]
    return torch.tensor(a["axis"], dtype=torch.float32), a


def edit_older(z: torch.Tensor, axes: dict, step: float = 0.6) -> torch.Tensor:
    """Open-loop "older": a Young step of weight -stepSize (prompts/degrees.json) times the axis scale."""
    v, a = axis(axes, "Young")
    return keep_in_range(z - step * a["scale"] * v)


def edit_smiling(z: torch.Tensor, axes: dict) -> torch.Tensor:
    """Open-loop "smiling": the Smiling coordinate raised to its calibrated level (center + scale), never lowered."""
    v, a = axis(axes, "Smiling")
    c = z @ v
    return keep_in_range(z + (torch.clamp(a["center"] + a["scale"] - c, min=0))[:, None] * v)


def edit_success(f: OnnxClassifier, before: torch.Tensor, after: torch.Tensor) -> dict[str, float]:
    """F's reading of the edit: older = P(Young) fell by >= 0.2 or is below 0.5 after; smiling = P(Smiling) > 0.5."""
    yi, si = ATTRIBUTES.index("Young"), ATTRIBUTES.index("Smiling")
    pb, pa = torch.sigmoid(batched(lambda t: f(t)[1], before)), torch.sigmoid(batched(lambda t: f(t)[1], after))
    return pb[:, yi], pa[:, yi], pa[:, si]


def write_grid(path: str, cols: list[torch.Tensor], rows: int) -> None:
    from PIL import Image

    side = 96
    sheet = Image.new("RGB", (side * len(cols), side * rows), "white")
    for c, imgs in enumerate(cols):
        for r in range(rows):
            a = ((imgs[r].permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).round().byte().numpy()
            sheet.paste(Image.fromarray(a).resize((side, side), Image.LANCZOS), (c * side, r * side))
    sheet.save(path, quality=90)
    print(f"wrote {path}")


def batched(fn, *tensors, bs: int = 64):
    outs = [fn(*(t[i:i + bs] for t in tensors)) for i in range(0, len(tensors[0]), bs)]
    return torch.cat(outs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ckpt", default=os.path.join(WORK, "encoder.pt"))
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--configs", default="3x16:0.3:0.6:r,4x32:0.3:0.6:r,4x32:0.3:0.6:-,0x0:0:1:-",
                    help="refinement variants: ROUNDSxK:SIGMA:DECAY:R[:GAIN] (R: r = with the encoder's residual candidate; "
                         "GAIN multiplies E(x) first)")
    ap.add_argument("--w-pixel", type=float, default=1.0)
    ap.add_argument("--w-feature", type=float, default=0.5)
    ap.add_argument("--identity", help="an identity ONNX (models/identity.onnx of issue 25) for the identity measure")
    ap.add_argument("--identity-heldout", action="store_true",
                    help="only people the identity network also held out (crc32(str(id)) %% 10 == 0)")
    ap.add_argument("--grid", help="write photo | E | E+refine | older | smiling rows here (jpg/png)")
    ap.add_argument("--grid-rows", type=int, default=10)
    ap.add_argument("--recipe", help="the config that ships as encoder.json's refine (default: the first); 'none': none")
    ap.add_argument("--out", default=os.path.join(WORK, "encoder_eval.json"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    e, ck = load_encoder(args.ckpt)
    g, f = OnnxGenerator(os.path.join(MODELS, "generator.onnx")).eval(), OnnxClassifier(os.path.join(MODELS, "classifier.onnx")).eval()
    pack = load_pack(args.pack)
    idx = heldout_people(pack, args.n, identity_heldout=args.identity_heldout)
    x = torch.from_numpy(pack["images"][idx]).permute(0, 3, 1, 2).float().div(127.5).sub(1.0).contiguous()
    names = [str(s) for s in pack["names"][idx]]
    del pack
    n = len(x)
    with zipfile.ZipFile(os.path.join(DATASETS, "celeba", "img_align_celeba_more.zip")) as zf:
        who = dict(l.split() for l in zf.read("identity_CelebA.txt").decode().split("\n") if l.strip())
    people = len({who[nm] for nm in names})
    print(f"{n} held-out frames of {people} people absent from the training split; E trained {ck['state']['step']} steps", flush=True)
    score = Scorer(f, args.w_pixel, args.w_feature)
    results, latents = {}, {}
    with torch.no_grad():
        z_e = keep_in_range(batched(e, x))
        seeds = torch.randn(n, 128, generator=torch.Generator().manual_seed(1))  # one random seed's face per photo
        faces = batched(g, seeds)
        fx = batched(f.features, x)
        d_seed_f = f_cos(batched(f.features, faces), fx)
        # an independent reader for the identity measure: the yardstick's frozen F v1 (other weights than the F the
        # refinement and the training score with)
        f1 = OnnxClassifier(os.path.join(REPO, "training", "yardstick", "classifier_v1.onnx")).eval()
        x1 = torch.nn.functional.normalize(batched(f1.features, x))
        s1 = torch.nn.functional.normalize(batched(f1.features, faces))
        d_seed_1 = (1 - (x1 * s1).sum(1)).numpy()
        d_all_seeds_1 = 1 - x1 @ s1.t()  # photo i vs every random seed's face
        for cfg in args.configs.split(","):
            rounds, k, sigma, decay, res, gain = parse_config(cfg)
            t0 = time.time()
            zs = keep_in_range(z_e * gain)
            z = zs if rounds == 0 else torch.cat([refine(e, g, score, x[i:i + 1], zs[i:i + 1], rounds, k,
                                                         sigma, decay, res, i) for i in range(n)])
            secs = (time.time() - t0) / n
            rec = batched(g, z)
            m = {k2: float(v.mean()) for k2, v in metrics(x, rec, f).items()}
            m["identity_f_closer_than_seed"] = closer_share(f_cos(batched(f.features, rec), fx), d_seed_f)
            r1 = torch.nn.functional.normalize(batched(f1.features, rec))
            d_rec_1 = 1 - (x1 * r1).sum(1)
            m["identity_fv1_distance"] = float(d_rec_1.mean())
            m["identity_fv1_closer_than_seed"] = closer_share(d_rec_1.numpy(), d_seed_1)
            m["identity_fv1_share_of_seeds_farther"] = float((d_all_seeds_1 > d_rec_1[:, None]).float().mean())
            m["identity_fv1_reidentified_top1"] = float(((1 - r1 @ x1.t()).argmin(1) == torch.arange(n)).float().mean())
            m["seconds_per_photo_refine"] = round(secs, 3)
            results[cfg] = m
            latents[cfg] = z
            print(cfg, json.dumps({k2: round(v, 4) for k2, v in m.items()}), flush=True)
        random_face = {k2: float(v.mean()) for k2, v in metrics(x, faces, f).items()}
        random_face["identity_fv1_distance"] = float(d_seed_1.mean())
        print("random seed's face:", json.dumps({k2: round(v, 4) for k2, v in random_face.items()}), flush=True)
        recipe_cfg = args.recipe or args.configs.split(",")[0]
        refined = latents.get(recipe_cfg, z_e)
        # identity network (issue 25), when given: photo vs reconstruction vs a random seed's face
        if args.identity:
            emb = identity_embeddings(args.identity, torch.cat([x, faces] + [batched(g, latents[c]) for c in latents]).numpy())
            ex_, es_ = emb[:n], emb[n:2 * n]
            d_seed = 1 - (ex_ * es_).sum(1)
            for j, c in enumerate(latents):
                er = emb[(2 + j) * n:(3 + j) * n]
                d_rec = 1 - (ex_ * er).sum(1)
                results[c]["identity_net_closer_than_seed"] = closer_share(d_rec, d_seed)
                results[c]["identity_net_distance"] = float(d_rec.mean())
                results[c]["identity_net_share_of_seeds_farther"] = float(((1 - ex_ @ es_.T) > d_rec[:, None]).mean())
                results[c]["identity_net_reidentified_top1"] = float(((1 - er @ ex_.T).argmin(1) == np.arange(n)).mean())
            results["random_seed_identity_net_distance"] = float(d_seed.mean())
            print("identity network:", json.dumps({c: {k2: results[c][k2] for k2 in results[c] if k2.startswith("identity_net")}
                                                   for c in latents}), flush=True)
        # open-loop edits: on the shipped recipe's reconstructions vs on the random seeds
        axes = json.load(open(os.path.join(MODELS, "axes.json")))
        edits = {}
        for label, z in (("reconstructions", refined), ("E_alone", z_e), ("random_seeds", seeds)):
            base = batched(g, z)
            older, smiling = batched(g, edit_older(z, axes)), batched(g, edit_smiling(z, axes))
            yb, ya, _ = edit_success(f, base, older)
            _, _, sm = edit_success(f, base, smiling)
            edits[label] = {"older_f_success": float(((yb - ya >= 0.2) | (ya < 0.5)).float().mean()),
                            "older_young_prob_drop": float((yb - ya).mean()),
                            "smiling_f_success": float((sm > 0.5).float().mean())}
            if label == "reconstructions":
                grid_cols = [x, batched(g, z_e), base, older, smiling]
        print("edits (open loop, read by F):", json.dumps(edits), flush=True)
    # time to invert one photo: E + the recipe, on 1 and 2 threads
    timing = {}
    rounds, k, sigma, decay, res, gain = parse_config(recipe_cfg)
    for th in (1, 2):
        torch.set_num_threads(th)
        ts = []
        for i in range(5):
            t0 = time.time()
            with torch.no_grad():
                z0 = keep_in_range(e(x[i:i + 1]) * gain)
                if rounds:
                    refine(e, g, score, x[i:i + 1], z0, rounds, k, sigma, decay, res, i)
            ts.append(time.time() - t0)
        timing[f"{th}_threads_s"] = round(float(np.median(ts)), 3)
    print("time to invert one photo (PyTorch, median of 5):", timing, flush=True)
    if args.grid:
        write_grid(args.grid, grid_cols, min(args.grid_rows, n))
    recipe = None if (rounds == 0 and gain == 1) or args.recipe == "none" else {
        "gain": gain, "rounds": rounds, "candidates": k, "sigma": sigma, "decay": decay, "residual": res,
        "weights": {"pixel": args.w_pixel, "feature": args.w_feature},
        "score": "pixel * mean|G(z) - x| + feature * |F(G(z)) - F(x)|^2 / |F(x)|^2 (F = classifier.onnx `features`); lower wins",
        "step": "z = keepInRange(gain * E(x)); then each round: candidates = best + sigma * decay^round * N(0, I) (K of them), plus (residual) "
                "best + (E(x) - E(G(best))); |z| clamped by keepInRange; all rendered and scored in one batch; "
                "the best replaces the current latent only if it scores lower (the E(x) latent is scored first)"}
    out = {"refine": recipe, "recipe_config": recipe_cfg,
           "measured": {"heldout": {"frames": n, "people": people, "source": "CelebA held-out split (>= 162771), people "
                                    "absent from the training split" + (" and held out by the identity network too"
                                                                        if args.identity_heldout else "")},
                        "variants": results, "random_seed_face": random_face, "edits_open_loop": edits,
                        "invert_one_photo_pytorch": timing, "encoder_steps": ck["state"]["step"],
                        "identity_model": args.identity,
                        "command": "OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/eval_encoder.py " + " ".join(
                            a for a in os.sys.argv[1:])}}
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
