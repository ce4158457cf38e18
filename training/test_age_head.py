"""Checks F's age head swap and the grey head, on tiny models in a scratch folder (~10 s on one core):

  /usr/bin/python3 training/test_age_head.py       # exit status 0 when every check passes

1. the grey head (train_age.AgeNet, grey=True) gives the same years for two faces of the same luminance and
   different colour, and the colour head does not;
2. `export.py --only age` on an F that already has an age head replaces it: one `age` output, none of the
   old head's nodes or weights left, the new head's weights in, and the logits' and features' part of the
   graph node for node as it was.
"""
from __future__ import annotations

import os
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_export import add_age_head, export_classifier  # noqa: E402
from train_age import AgeNet  # noqa: E402

RES = 64


class PoolF(nn.Module):
    """A tiny F: 4x4 average pool, then 40 logits."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AvgPool2d(16)
        self.lin = nn.Linear(3 * 4 * 4, 40)

    def forward(self, x):
        return self.lin(self.pool(x).flatten(1))


def same_luminance_pair() -> tuple[torch.Tensor, torch.Tensor]:
    """Two faces in [-1, 1] with equal luminance (Rec. 601) and different colour."""
    torch.manual_seed(1)
    a = torch.rand(2, 3, RES, RES) * 0.8 - 0.4
    chroma = torch.tensor([0.587, -0.299, 0.0])  # orthogonal to (0.299, 0.587, 0.114)
    b = a + 0.3 * chroma[None, :, None, None] * torch.rand(2, 1, RES, RES)
    return a, b


def check_grey() -> list[str]:
    fails = []
    a, b = same_luminance_pair()
    torch.manual_seed(2)
    grey, colour = AgeNet(grey=True).eval(), AgeNet(grey=False).eval()
    with torch.no_grad():
        dg = (grey.from_face64(a) - grey.from_face64(b)).abs().max().item()
        dc = (colour.from_face64(a) - colour.from_face64(b)).abs().max().item()
    if dg > 1e-3:
        fails.append(f"grey head moved {dg:.4f} years for a change of colour alone")
    if dc < 1e-3:
        fails.append("colour head did not move for a change of colour: the check cannot tell them apart")
    return fails


def check_swap(tmp: str) -> list[str]:
    fails = []
    torch.manual_seed(3)
    f = PoolF().eval()
    plain = os.path.join(tmp, "f.onnx")
    export_classifier(f, RES, plain)
    first = os.path.join(tmp, "f_age1.onnx")
    add_age_head(plain, AgeNet(grey=False), RES, first)
    new_head = AgeNet(grey=True)
    with torch.no_grad():
        new_head.head.weight.fill_(0.125)
    second = os.path.join(tmp, "f_age2.onnx")
    add_age_head(first, new_head, RES, second)
    m0, m2 = onnx.load(plain), onnx.load(second)
    outs = [o.name for o in m2.graph.output]
    if sorted(outs) != ["age", "features", "logits"]:
        fails.append(f"outputs after the swap: {outs}")
    heads = [n for n in m2.graph.node if n.name.startswith("age_head/")]
    others = {n.SerializeToString() for n in m2.graph.node if not n.name.startswith("age_head/")}
    if others != {n.SerializeToString() for n in m0.graph.node}:
        fails.append("the logits' and features' nodes changed")
    weights = {i.name: numpy_helper.to_array(i) for i in m2.graph.initializer if i.name.startswith("age_head/")}
    head_w = [w for w in weights.values() if w.shape == tuple(new_head.head.weight.shape)]
    if len(head_w) != 1 or not np.allclose(head_w[0], 0.125):
        fails.append(f"the new head's weights are not in the graph ({len(head_w)} candidates)")
    n_heads = sum(o.name == "age" for o in m2.graph.output)
    if n_heads != 1:
        fails.append(f"{n_heads} age outputs")
    if len(heads) == 0:
        fails.append("no age head nodes")
    onnx.checker.check_model(m2)
    return fails


def main() -> None:
    fails = check_grey()
    with tempfile.TemporaryDirectory() as tmp:
        fails += check_swap(tmp)
    for f in fails:
        print(f"FAIL {f}")
    print("ok" if not fails else f"{len(fails)} failed")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
