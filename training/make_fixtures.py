"""Tiny, deterministic ONNX fixtures for the TypeScript tests (not faces; never shipped as models).

tests/fixtures/models/generator.onnx: z [N, 8] -> image [N, 3, 16, 16]. Each image channel-row pattern is
a linear function of z squashed by tanh, so the pipeline has a known structure.
tests/fixtures/models/classifier.onnx: image [N, 3, 16, 16] -> logits [N, 40]. Logit k reads the image
through a fixed random projection, so F(G(z)) is close to linear in z and each attribute has a known,
recoverable direction (written to tests/fixtures/fixture_truth.json for the discovery test). Its `features`
output (onnx_features.py: what the logits head reads) is the flattened image [N, 768], so a linear probe on
it (npm run attribute) is linear in the image too.
tests/fixtures/models/encoder.onnx (+ encoder.json): image [N, 3, 16, 16] -> z [N, 8], the exact inverse of the
fixture generator (atanh, then the pseudo-inverse of its linear map), so encode(G(z)) == z up to float error and
tests of the photo path can check that a photo's latent round-trips. Same names as models/encoder.onnx.
tests/fixtures/models-age/: the same generator, and a classifier that also has F's age output: `age` [N] =
40 + 30 x the mean of the first z direction's image pattern, a known linear age for the age-axis tests.
tests/fixtures/models/identity.onnx: image [N, 3, 16, 16] -> embedding [N, 8], L2-normalised: the image read
back to the z that drew it (G's pseudo-inverse), normalised, so the identity distance of two fixture faces is
about the cosine distance of their latents (a known identity for the identity-hold tests).

  /usr/bin/python3 training/make_fixtures.py            # both
  /usr/bin/python3 training/make_fixtures.py --age-only # only tests/fixtures/models-age
  /usr/bin/python3 training/make_fixtures.py --identity-only # only tests/fixtures/models/identity.onnx
  /usr/bin/python3 training/make_fixtures.py --encoder-only # only tests/fixtures/models/encoder.onnx + .json
"""
from __future__ import annotations

import json
import os

import torch
import torch.nn as nn

from common import ATTRIBUTES, REPO
from onnx_export import add_features, export_classifier, export_generator, export_identity

Z, RES = 8, 16
OUT = os.path.join(REPO, "tests", "fixtures", "models")


class TinyG(nn.Module):
    def __init__(self, w: torch.Tensor):
        super().__init__()
        self.lin = nn.Linear(Z, 3 * RES * RES, bias=False)
        self.lin.weight.data = w

    def forward(self, z):
        return torch.tanh(self.lin(z)).view(-1, 3, RES, RES)


class TinyF(nn.Module):
    def __init__(self, w: torch.Tensor, b: torch.Tensor):
        super().__init__()
        self.lin = nn.Linear(3 * RES * RES, 40)
        self.lin.weight.data, self.lin.bias.data = w, b

    def forward(self, x):
        return self.lin(x.flatten(1))


class TinyFAge(nn.Module):
    """TinyF plus an age output: 40 + 30 x (image . p), p chosen so that age ~ 40 + 30 z[0]."""

    def __init__(self, f: TinyF, p: torch.Tensor):
        super().__init__()
        self.f = f
        self.p = nn.Parameter(p, requires_grad=False)

    def forward(self, x):
        return self.f(x), 40 + 30 * (x.flatten(1) @ self.p)


class TinyIdentity(nn.Module):
    """image -> the z that drew it (G's pseudo-inverse, inside tanh's near-linear range); export_identity
    normalises it."""

    def __init__(self, pinv: torch.Tensor):
        super().__init__()
        self.lin = nn.Linear(3 * RES * RES, Z, bias=False)
        self.lin.weight.data = pinv

    def forward(self, x):
        return self.lin(x.flatten(1))


class TinyE(nn.Module):
    """The fixture generator's exact inverse: image -> atanh -> pseudo-inverse of its linear map -> z."""

    def __init__(self, pinv: torch.Tensor):
        super().__init__()
        self.pinv = nn.Parameter(pinv, requires_grad=False)

    def forward(self, x):
        x = x.flatten(1).clamp(-0.999, 0.999)
        return (0.5 * torch.log((1 + x) / (1 - x))) @ self.pinv.t()  # atanh (no ONNX op at opset 13)


def write_encoder(pinv: torch.Tensor) -> None:
    path = os.path.join(OUT, "encoder.onnx")
    torch.onnx.export(TinyE(pinv).eval(), torch.zeros(2, 3, RES, RES), path, input_names=["image"], output_names=["z"],
                      dynamic_axes={"image": {0: "batch"}, "z": {0: "batch"}}, opset_version=13)
    meta = {"fixture": True, "input": {"name": "image", "shape": ["N", 3, RES, RES], "range": [-1, 1]},
            "output": {"name": "z", "shape": ["N", Z]}, "generator_fingerprint": "fixture", "refine": None}
    with open(os.path.join(OUT, "encoder.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
    print(f"wrote {path}")


def main() -> None:
    import sys

    age_only = "--age-only" in sys.argv[1:]
    identity_only = "--identity-only" in sys.argv[1:]
    encoder_only = "--encoder-only" in sys.argv[1:]
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    wg = torch.randn(3 * RES * RES, Z) * 0.15
    g = TinyG(wg)
    # F reads the image so that its logits are ~ A z with A = (random 40 x 8) * gain
    a = torch.randn(40, Z)
    pinv = torch.linalg.pinv(wg)  # image -> z (inside the near-linear range of tanh)
    wf = (a @ pinv) * 1.5
    bf = torch.linspace(-1, 1, 40)
    if encoder_only:
        write_encoder(pinv)
        return
    f = TinyF(wf, bf)
    os.makedirs(OUT, exist_ok=True)
    export_identity(TinyIdentity(pinv.clone()), RES, os.path.join(OUT, "identity.onnx"))
    print(f"wrote {os.path.join(OUT, 'identity.onnx')}")
    if identity_only:
        return
    age_dir = os.path.join(REPO, "tests", "fixtures", "models-age")
    os.makedirs(age_dir, exist_ok=True)
    export_generator(g, Z, os.path.join(age_dir, "generator.onnx"))
    fa = TinyFAge(f, pinv[0].clone()).eval()
    torch.onnx.export(fa, torch.zeros(2, 3, RES, RES), os.path.join(age_dir, "classifier.onnx"), input_names=["image"],
                      output_names=["logits", "age"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}, "age": {0: "batch"}},
                      opset_version=13)
    add_features(os.path.join(age_dir, "classifier.onnx"))
    print(f"wrote fixtures to {age_dir}")
    if age_only:
        return
    export_generator(g, Z, os.path.join(OUT, "generator.onnx"))
    export_classifier(f, RES, os.path.join(OUT, "classifier.onnx"))
    write_encoder(pinv)
    with torch.no_grad():
        zs = torch.randn(4, Z, generator=torch.Generator().manual_seed(3))
        imgs = g(zs)
    truth = {"zDim": Z, "res": RES,
             "axes": {name: (a[i] / a[i].norm()).tolist() for i, name in enumerate(ATTRIBUTES)},
             "parity": {"z": zs.tolist(), "image": imgs.flatten(1).tolist()}}
    with open(os.path.join(REPO, "tests", "fixtures", "fixture_truth.json"), "w") as fh:
        json.dump(truth, fh)
    print(f"wrote fixtures to {OUT}")


if __name__ == "__main__":
    main()
