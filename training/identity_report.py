"""Measures the identity network on held-out people and exports it (models/identity.onnx + its metadata).

  /usr/bin/python3 training/identity_report.py                    # measure, export, write metadata + fixture
  /usr/bin/python3 training/identity_report.py --g-seeds 0        # without rendering G's faces

Writes models/identity.onnx (fp32, L2-normalised `embedding`), models/identity_metrics.json (every number),
models/identity.json (names, threshold and why, data, licence) and tests/fixtures/identity_parity.json (PyTorch's
embeddings of G's parity faces, which tests/identity-parity.test.ts compares onnxruntime-node against).

Verification: balanced pairs of held-out people (half same person, half different); ROC AUC, the best
accuracy and its distance threshold; TAR (same-person pairs accepted) at FAR 1e-2 / 1e-3, the FAR measured on
200,000 different-person pairs so that 1e-3 rests on 200 false accepts, not 3. The threshold is chosen on
held-out CelebA people and then applied, unchanged, to LFW (never trained on, another crop and domain).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import tempfile

import numpy as np
import torch
from PIL import Image

from common import ATTRIBUTES, MODELS, REPO, WORK, load_pack, npm_face
from identity_data import people, verification_pairs
from models_identity import IdentityNet
from onnx_export import export_identity
from train_identity import CKPT, embed

ATTRIBUTE_CHANGES = ["Eyeglasses", "Smiling", "Wearing_Hat", "Mouth_Slightly_Open", "Heavy_Makeup", "Bangs",
                     "No_Beard", "Wearing_Lipstick"]
HAIR = ["Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair"]


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, np.float32).tobytes()).decode()


def distances(emb: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    return 1 - (emb[pairs[:, 0]] * emb[pairs[:, 1]]).sum(1)


def auc(dist: np.ndarray, same: np.ndarray) -> float:
    score = -dist
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    pos = same == 1
    return float((ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum()))


def best_accuracy(dist: np.ndarray, same: np.ndarray) -> tuple[float, float]:
    cands = np.unique(np.round(dist, 4))
    best = (0.0, 0.0)
    for t in cands:
        acc = float(((dist <= t) == (same == 1)).mean())
        if acc > best[0]:
            best = (acc, float(t))
    return best


def random_negatives(person: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = np.flatnonzero(person >= 0)
    a, b = rows[rng.integers(len(rows), size=3 * n)], rows[rng.integers(len(rows), size=3 * n)]
    keep = person[a] != person[b]
    return np.stack([a[keep], b[keep]], 1)[:n]


def q(d: np.ndarray) -> dict:
    if len(d) == 0:
        return {"n": 0}
    return {"n": int(len(d)), "mean": round(float(d.mean()), 4), "p10": round(float(np.quantile(d, 0.1)), 4),
            "median": round(float(np.median(d)), 4), "p90": round(float(np.quantile(d, 0.9)), 4)}


def verification(emb: np.ndarray, person: np.ndarray, n_pairs: int, seed: int, threshold: float | None) -> dict:
    pairs, same = verification_pairs(person, n_pairs, seed)
    d = distances(emb, pairs)
    acc, t = best_accuracy(d, same)
    neg = distances(emb, random_negatives(person, 200_000, seed + 1))
    pos = d[same == 1]
    out = {"pairs": int(len(pairs)), "same_person_pairs": int(same.sum()), "people": int(len(set(person[person >= 0].tolist()))),
           "frames": int((person >= 0).sum()), "roc_auc": round(auc(d, same), 4),
           "best_accuracy": round(acc, 4), "best_accuracy_threshold": round(t, 4),
           "same_person_distance": q(pos), "different_person_distance": q(d[same == 0])}
    for far in (1e-2, 1e-3):
        thr = float(np.quantile(neg, far))  # distance below which `far` of different-person pairs fall
        out[f"tar_at_far_{far:g}"] = round(float((pos <= thr).mean()), 4)
        out[f"threshold_at_far_{far:g}"] = round(thr, 4)
    out["far_measured_on_negative_pairs"] = int(len(neg))
    if threshold is not None:
        out["at_chosen_threshold"] = {"threshold": threshold, "accuracy": round(float(((d <= threshold) == (same == 1)).mean()), 4),
                                      "tar": round(float((pos <= threshold).mean()), 4), "far": round(float((neg <= threshold).mean()), 5)}
    return out


def attribute_changes(emb: np.ndarray, person: np.ndarray, labels: np.ndarray, threshold: float, seed: int) -> dict:
    """Same held-out person, all pairs of their frames, split by whether an attribute differs between them."""
    by = {}
    for r in np.flatnonzero(person >= 0):
        by.setdefault(int(person[r]), []).append(int(r))
    pairs = np.array([(a, b) for rs in by.values() for i, a in enumerate(rs) for b in rs[i + 1:]], np.int64)
    d = distances(emb, pairs)
    la, lb = labels[pairs[:, 0]], labels[pairs[:, 1]]
    names = {n: ATTRIBUTES.index(n) for n in ATTRIBUTE_CHANGES + HAIR}
    out = {}
    watched = ATTRIBUTE_CHANGES + HAIR
    none_differ = np.ones(len(pairs), bool)
    for n in watched:
        none_differ &= la[:, names[n]] == lb[:, names[n]]
    def row(mask):
        sel = d[mask]
        return {**q(sel), "share_same_person_at_threshold": round(float((sel <= threshold).mean()), 4) if len(sel) else None}
    out["no_watched_attribute_differs"] = row(none_differ)
    for n in ATTRIBUTE_CHANGES:
        out[f"{n}_differs"] = row(la[:, names[n]] != lb[:, names[n]])
    hair = np.zeros(len(pairs), bool)
    for n in HAIR:
        hair |= la[:, names[n]] != lb[:, names[n]]
    out["hair_colour_differs"] = row(hair)
    diff = distances(emb, random_negatives(person, 20_000, seed))
    out["different_people"] = {**q(diff), "share_same_person_at_threshold": round(float((diff <= threshold).mean()), 4)}
    out["all_same_person_pairs"] = row(np.ones(len(pairs), bool))
    return out


def g_distances(model: IdentityNet, seeds: int, threshold: float, models_dir: str) -> dict:
    """Distance between faces G draws for different seeds (unedited, default truncation, as users get them)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = npm_face(models_dir, 1, seeds, tmp)
        imgs = np.stack([np.asarray(Image.open(f).convert("RGB")) for f in files])
    emb = embed(model, imgs)
    i, j = np.triu_indices(len(emb), 1)
    d = 1 - (emb[i] * emb[j]).sum(1)
    return {"seeds": seeds, "pairs": int(len(d)), **q(d), "p01": round(float(np.quantile(d, 0.01)), 4),
            "p05": round(float(np.quantile(d, 0.05)), 4),
            "share_below_threshold": round(float((d <= threshold).mean()), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ckpt", default=CKPT)
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--pairs", type=int, default=6000, help="balanced verification pairs per test set")
    ap.add_argument("--g-seeds", type=int, default=200, help="G faces to render for the seed-to-seed distances (0: skip)")
    ap.add_argument("--out-dir", default=MODELS, help="where identity.onnx/.json/_metrics.json go (G is read from models/)")
    ap.add_argument("--fixture", default=os.path.join(REPO, "tests", "fixtures", "identity_parity.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(args.ckpt, map_location="cpu")
    model = IdentityNet(**ck["params"])
    model.load_state_dict(ck["model"])
    model.eval()
    pack = load_pack(args.pack)
    who = people(pack)
    emb = np.zeros((len(pack["names"]), model.params["dim"]), np.float32)
    rows = np.flatnonzero((who["test_person"] >= 0) | (who["lfw_person"] >= 0))
    emb[rows] = embed(model, pack["images"][rows])
    celeba = verification(emb, who["test_person"], args.pairs, 11, None)
    threshold = celeba["best_accuracy_threshold"]
    celeba = verification(emb, who["test_person"], args.pairs, 11, threshold)
    lfw = verification(emb, who["lfw_person"], args.pairs, 21, threshold)
    attrs = attribute_changes(emb, who["test_person"], pack["labels"], threshold, 31)
    g = g_distances(model, args.g_seeds, threshold, MODELS) if args.g_seeds > 0 else None
    train = ck["history"]
    metrics = {
        "network": {**model.params, "parameters": int(sum(p.numel() for p in model.parameters())),
                    "training_people": ck["classes"], "steps": ck["step"], "train_minutes": round(ck["seconds"] / 60, 1),
                    "args": ck.get("args"), "progress": train},
        "threshold": threshold,
        "heldout_celeba": celeba, "lfw_cross_domain": lfw, "attribute_changes_heldout_celeba": attrs,
        "generator_seed_pairs": g,
    }
    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, "identity.onnx")
    export_identity(model, model.params["res"], onnx_path)
    # parity fixture: PyTorch's embeddings of G's own parity faces (generated, so no dataset image is committed)
    gp = json.load(open(os.path.join(REPO, "tests", "fixtures", "generator_parity.json")))
    img = np.frombuffer(base64.b64decode(gp["image"]), np.float32).reshape(gp["shape"])
    with torch.no_grad():
        e = torch.nn.functional.normalize(model(torch.from_numpy(img.copy()))).numpy()
    fixture = {"model": "models/identity.onnx", "shape": list(img.shape), "image": b64(img), "embedding": b64(e),
               "dim": int(e.shape[1]), "distances": [round(float(1 - e[0] @ e[k]), 6) for k in range(len(e))]}
    json.dump(fixture, open(args.fixture, "w"))
    json.dump(metrics, open(os.path.join(args.out_dir, "identity_metrics.json"), "w"), indent=1)
    info = {
        "model": "identity.onnx", "input": {"name": "image", "shape": ["N", 3, 64, 64], "range": "RGB in [-1, 1] (G's output)"},
        "output": {"name": "embedding", "shape": ["N", model.params["dim"]], "normalised": "L2, in the graph"},
        "distance": "1 - cosine of the embeddings (src/render/identity.ts identityDistance)",
        "threshold": threshold,
        "threshold_why": (f"the distance with the best same/different accuracy on balanced pairs of held-out CelebA people "
                          f"({celeba['best_accuracy']:.3f}); below it two faces count as the same person. Different "
                          f"people fall below it at FAR {celeba['at_chosen_threshold']['far']:.4f}; the strict threshold "
                          f"{celeba['threshold_at_far_0.001']} keeps FAR at 1e-3 (TAR {celeba['tar_at_far_0.001']})."),
        "threshold_far_1e-3": celeba["threshold_at_far_0.001"], "threshold_far_1e-2": celeba["threshold_at_far_0.01"],
        "training_data": (f"{ck['classes']} CelebA people (identity_CelebA.txt), their aligned frames in the 64 px "
                          "training crop (training/prepare.py); ~10% of CelebA people (crc32(id) % 10 == 0) and all "
                          "LFW people held out"),
        "licence": "trained on CelebA and evaluated on LFW: non-commercial research use only (CelebA's terms); LFW has no stated licence",
        "trained_by": "training/train_identity.py; measured and exported by training/identity_report.py",
    }
    json.dump(info, open(os.path.join(args.out_dir, "identity.json"), "w"), indent=1)
    print(json.dumps({"threshold": threshold, "celeba": {k: celeba[k] for k in ("roc_auc", "best_accuracy", "tar_at_far_0.01", "tar_at_far_0.001")},
                      "lfw": {k: lfw[k] for k in ("roc_auc", "best_accuracy", "tar_at_far_0.01", "tar_at_far_0.001")},
                      "g": g}, indent=1))
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB), identity.json, identity_metrics.json, {args.fixture}")


if __name__ == "__main__":
    main()
