"""The encoder's building blocks: the shipped G and F read from ONNX reproduce their exported outputs, E gives a photo
the same latent alone or in a batch, the latent clamp, and the gradient-free refinement never scores worse than where
it started (~10 s, torch). Run: cd training && /usr/bin/python3 -m pytest -q test_encoder.py (or python3 test_encoder.py)."""
import base64
import json
import os

import numpy as np
import torch

from common import MODELS, REPO
from eval_encoder import MAX_NORM, Scorer, keep_in_range, refine
from models_encoder import Encoder
from onnx_torch import OnnxClassifier, OnnxGenerator

torch.set_num_threads(1)


def arr(s: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(s), "<f4")


def test_onnx_generator_reproduces_the_shipped_parity_fixture():
    fx = json.load(open(os.path.join(REPO, "tests", "fixtures", "generator_parity.json")))
    g = OnnxGenerator(os.path.join(MODELS, "generator.onnx"))
    with torch.no_grad():
        img = g(torch.from_numpy(arr(fx["z"]).reshape(-1, 128).copy())).numpy()
    assert np.abs(img.ravel() - arr(fx["image"])).max() < 1e-4


def test_onnx_classifier_features_feed_its_logits_and_see_faces_differently():
    f = OnnxClassifier(os.path.join(MODELS, "classifier.onnx"))
    g = OnnxGenerator(os.path.join(MODELS, "generator.onnx"))
    with torch.no_grad():
        feats, logits = f(g(torch.randn(3, 128, generator=torch.Generator().manual_seed(5))))
    assert feats.shape == (3, 256) and logits.shape == (3, 40)
    assert (feats >= 0).all() and (feats[0] - feats[1]).abs().sum() > 0


def test_encoder_gives_the_same_latent_alone_or_in_a_batch():
    e = Encoder().eval()
    x = torch.rand(3, 3, 64, 64) * 2 - 1
    with torch.no_grad():
        assert torch.allclose(e(x[1:2]), e(x)[1:2], atol=1e-5)


def test_keep_in_range_clamps_only_long_latents():
    z = torch.stack([torch.ones(128), torch.full((128,), 3.0)])
    out = keep_in_range(z)
    assert torch.allclose(out[0], z[0])
    assert abs(float(out[1].norm()) - MAX_NORM) < 1e-4


def test_refinement_never_scores_worse_than_the_start_and_usually_better():
    g = OnnxGenerator(os.path.join(MODELS, "generator.onnx")).eval()
    f = OnnxClassifier(os.path.join(MODELS, "classifier.onnx")).eval()
    score = Scorer(f, 1.0, 0.5)
    e = Encoder().eval()
    gen = torch.Generator().manual_seed(11)
    better = 0
    for i in range(3):
        with torch.no_grad():
            x = g(torch.randn(1, 128, generator=gen))  # a face G can draw exactly
            z0 = torch.randn(1, 128, generator=gen)    # a poor start
            fx = f.features(x)
            before = float(score(g(z0), x, fx)[0])
            z = refine(e, g, score, x, z0, rounds=2, k=8, sigma=0.5, decay=0.7, residual=False, seed=i)
            after = float(score(g(z), x, fx)[0])
        assert after <= before + 1e-6
        better += after < before
    assert better >= 2


def test_refinement_keeps_a_latent_that_already_redraws_the_photo_exactly():
    g = OnnxGenerator(os.path.join(MODELS, "generator.onnx")).eval()
    f = OnnxClassifier(os.path.join(MODELS, "classifier.onnx")).eval()
    z_true = torch.randn(1, 128, generator=torch.Generator().manual_seed(12))
    with torch.no_grad():
        x = g(z_true)
        z = refine(Encoder().eval(), g, Scorer(f, 1.0, 0.5), x, z_true, rounds=2, k=8, sigma=0.3, decay=0.6,
                   residual=False, seed=0)
    assert torch.equal(z, keep_in_range(z_true))


if __name__ == "__main__":
    for name, fn in list(globals().items()):
        if name.startswith("test_"):
            fn()
            print("ok", name)
