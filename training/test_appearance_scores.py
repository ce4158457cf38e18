"""The appearance readers of the training campaign (appearance_scores.py): F's trunk read from an ONNX file with a
second head after it, the readings' cache, and who_row's shares with and without the campaign's weights (~5 s)."""
import os
import tempfile

import numpy as np
import torch
from torch import nn

import appearance_scores
import yardstick


class TwoHeads(nn.Module):
    """Like models/classifier.onnx: a conv trunk, a pool and the logits head, then a second conv branch (the age head)."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU(),
                                   nn.AdaptiveAvgPool2d(1), nn.Flatten())  # exported as GlobalAveragePool, as F's
        self.head = nn.Linear(16, 40)
        self.age = nn.Sequential(nn.Conv2d(3, 4, 3, 1, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 1))

    def features(self, x):
        return self.trunk(x)

    def forward(self, x):
        return self.head(self.features(x)), self.age(x)


def test_frozen_f_reads_the_trunk_and_the_logits_head_only():
    torch.manual_seed(0)
    net = TwoHeads().eval()
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.onnx")
        torch.onnx.export(net, torch.zeros(1, 3, 64, 64), path, input_names=["image"], output_names=["logits", "age"],
                          dynamic_axes={"image": {0: "n"}}, opset_version=13)
        f = yardstick.FrozenF(path).eval()
    with torch.no_grad():
        assert torch.allclose(f.embed(x), net.features(x), atol=1e-5)  # before the fix: the age branch's convs too
        assert torch.allclose(f(x), net(x)[0], atol=1e-5)


def test_pack_readings_are_read_once_then_come_from_the_cache(monkeypatch=None):
    calls = []
    real_read, real_work, real_print = appearance_scores.read, appearance_scores.WORK, appearance_scores.readers_print_of
    with tempfile.TemporaryDirectory() as d:
        appearance_scores.WORK = d
        appearance_scores.readers_print_of = lambda models_dir=None: "readers1"
        appearance_scores.read = lambda images, models_dir=None: calls.append(len(images)) or {"Black": np.full(len(images), 0.7)}
        try:
            imgs = np.zeros((3, 64, 64, 3), np.uint8)
            first = appearance_scores.pack_readings("unused.npz", imgs, pack_sha="abc")
            again = appearance_scores.pack_readings("unused.npz", imgs, pack_sha="abc")
            other = appearance_scores.pack_readings("unused.npz", imgs, pack_sha="def")  # another pack: read again
        finally:
            appearance_scores.read, appearance_scores.WORK, appearance_scores.readers_print_of = real_read, real_work, real_print
    assert calls == [3, 3]
    assert np.allclose(first["Black"], 0.7) and np.allclose(again["Black"], first["Black"]) and len(other["Black"]) == 3


def test_who_row_counts_groups_and_ita_bands_and_weights_them():
    # four flat faces: two with very light cheeks, two dark ones; the first dark one is in the Black group
    light, dark = (240, 200, 180), (60, 40, 30)
    imgs = np.stack([np.full((64, 64, 3), c, np.uint8) for c in (light, light, dark, dark)])
    readings = {"check_Black": np.array([0, 0, 0.9, 0]), "Black": np.array([0, 0, 0.9, 0]),
                "check_East_Asian": np.zeros(4), "East_Asian": np.zeros(4), "check_South_Asian": np.zeros(4),
                "South_Asian": np.zeros(4), "F_Eyeglasses": np.zeros(4), "Sunglasses": np.zeros(4)}
    cells = [c.strip() for c in appearance_scores.who_row("t", imgs, readings).split("|")[1:-1]]
    assert cells[:5] == ["t", "4", "25.0%", "0.0%", "0.0%"]
    assert cells[5] == "50.0%" and cells[-1] == "50.0%"  # very light, dark
    weighted = [c.strip() for c in appearance_scores.who_row("t", imgs, readings, np.array([1, 1, 3, 1.0])).split("|")[1:-1]]
    assert weighted[2] == "50.0%" and weighted[5] == "33.3%" and weighted[-1] == "66.7%"


if __name__ == "__main__":
    torch.set_num_threads(1)
    tests = [fn for name, fn in list(globals().items()) if name.startswith("test_")]
    for fn in tests:
        fn()
    print(f"{len(tests)} passed, 0 failed")
