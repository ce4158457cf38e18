"""The asked-for yardstick's appearance set (asked_for.py `--set appearance`, issue 26): its real references pick
what the independent readers see, the ratchet's default set is still the one the shipped G's record measured,
and the torch reader of models/appearance_check.onnx gives the network's own probabilities (a few seconds)."""
import json
import os
import tempfile

import numpy as np

from asked_for import (APPEARANCE, DESCRIPTIONS, FIRST_SEED, MIN_REFERENCE, REFERENCE_LINE, SEEDS, VERSION,
                       appearance_reference, better_or_same, check_reads, skin_against_plain)
from celeba_attributes import ATTRIBUTES
from common import MODELS

NAMES = ["White", "Black", "East_Asian", "South_Asian", "Others"]
ROW = {words: (conds, classes, below) for words, conds, classes, below in APPEARANCE}


def crops(*kinds):
    """(labels, probs, ita) for made-up held-out crops, each kind = (count, male, glasses, probs, ita)."""
    labels, probs, ita = [], [], []
    for count, male, glasses, p, x in kinds:
        lab = np.full(40, -1, np.int8)
        lab[ATTRIBUTES.index("Male")] = male
        lab[ATTRIBUTES.index("Eyeglasses")] = glasses
        labels += [lab] * count
        probs += [p] * count
        ita += [x] * count
    return np.array(labels), np.array(probs, float), np.array(ita, float)


def reference(words, labels, probs, ita):
    conds, classes, below = ROW[words]
    return appearance_reference(labels, probs, NAMES, ita, conds, classes, below)


SURE_BLACK = [0.02, 0.95, 0.01, 0.01, 0.01]
UNSURE_BLACK = [0.3, 0.6, 0.05, 0.03, 0.02]
BLACK_OR_SOUTH_ASIAN = [0.03, 0.5, 0.02, 0.44, 0.01]  # neither alone above the line, together above it
WHITE = [0.95, 0.02, 0.01, 0.01, 0.01]


def test_a_black_man_is_compared_with_men_the_check_is_sure_of_without_glasses():
    labels, probs, ita = crops((MIN_REFERENCE, 1, -1, SURE_BLACK, 5.0),   # the reference
                               (3, 1, 1, SURE_BLACK, 5.0),               # glasses: the check misreads dark glasses
                               (4, 1, -1, UNSURE_BLACK, 5.0),            # the check not sure
                               (5, -1, -1, SURE_BLACK, 5.0),             # women
                               (6, 1, -1, WHITE, 50.0))
    m, pooled = reference("a black man", labels, probs, ita)
    assert not pooled and m.tolist() == [True] * MIN_REFERENCE + [False] * 18


def test_too_few_of_the_words_gender_pools_both_genders_and_says_so():
    labels, probs, ita = crops((MIN_REFERENCE, 1, -1, SURE_BLACK, 5.0), (2, -1, -1, SURE_BLACK, 5.0), (3, -1, -1, WHITE, 50.0))
    m, pooled = reference("a black woman", labels, probs, ita)
    assert pooled and m.tolist() == [True] * (MIN_REFERENCE + 2) + [False] * 3


def test_dark_skin_needs_a_low_cheek_ita_and_a_black_or_south_asian_reading():
    labels, probs, ita = crops((MIN_REFERENCE, -1, -1, BLACK_OR_SOUTH_ASIAN, 2.0),
                               (4, -1, -1, BLACK_OR_SOUTH_ASIAN, 25.0),  # read so, but tan by the ITA
                               (5, -1, -1, WHITE, -5.0))                 # dim light on light skin: ITA alone is fooled
    m, pooled = reference("a dark-skinned woman", labels, probs, ita)
    assert not pooled and m.tolist() == [True] * MIN_REFERENCE + [False] * 9
    assert check_reads(probs, NAMES, ("Black", "South_Asian"), REFERENCE_LINE)[0]
    assert not check_reads(probs, NAMES, ("Black",), REFERENCE_LINE)[0]


def test_the_plain_rows_are_compared_with_celeba_s_labels_alone():
    labels, probs, ita = crops((2, -1, 1, WHITE, 50.0), (3, -1, -1, SURE_BLACK, 0.0), (4, 1, -1, WHITE, 50.0))
    m, pooled = reference("a woman", labels, probs, ita)
    assert not pooled and m.tolist() == [True] * 5 + [False] * 4


def test_the_skin_against_the_plain_faces_is_seed_by_seed():
    plain = np.array([50.0, 40.0, 30.0, 20.0])
    asked = np.array([20.0, 45.0, 0.0, 10.0])
    s = skin_against_plain(asked, plain, "a woman")
    assert s["darker"] == 0.75 and s["median_drop"] == 20.0 and s["plain_ita_median"] == 35.0


def test_every_asked_row_has_its_plain_row_and_names_the_check_s_classes():
    plain = {(tuple(sorted(c.items()))) for _, c, classes, _ in APPEARANCE if not classes}
    for words, conds, classes, below in APPEARANCE:
        assert tuple(sorted(conds.items())) in plain, words
        assert all(c in NAMES[:4] for c in classes)  # "Others" is never asked for
        assert below is None or classes


def test_the_ratchet_s_default_set_is_the_one_the_shipped_g_was_measured_with():
    rec = json.load(open(os.path.join(MODELS, "generator_info.json")))["asked_for"]
    assert rec["asked_for"] == VERSION and rec["seeds"] == [FIRST_SEED, SEEDS]
    assert [r["words"] for r in rec["rows"]] == [d[0] for d in DESCRIPTIONS]
    appearance = {**{k: rec[k] for k in ("asked_for", "seeds", "engine")}, "set": "appearance"}
    ok, why = better_or_same({**rec, **appearance}, rec)
    assert not ok and "re-measure" in why  # appearance numbers are never the ratchet's


def test_the_torch_reader_gives_the_check_network_s_own_probabilities():
    import torch

    from onnx_torch import OnnxAppearanceCheck
    from train_appearance_check import Check
    torch.manual_seed(0)
    net = Check()
    for mod in net.modules():  # BatchNorm statistics that are not the identity, so that folding them shows
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 2.0)
    net.eval()
    x = torch.rand(3, 3, 64, 64) * 2 - 1
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "check.onnx")
        torch.onnx.export(net, torch.zeros(1, 3, 64, 64), path, input_names=["image"], output_names=["probs"],
                          dynamic_axes={"image": {0: "n"}, "probs": {0: "n"}}, opset_version=13)
        reader = OnnxAppearanceCheck(path).eval()
    with torch.no_grad():
        want, got = net(x), reader(x)
    assert torch.allclose(got, want, atol=1e-5)
    x[:, :, :21] = 5.0  # outside the face box: the reader crops as the network does
    with torch.no_grad():
        assert torch.allclose(reader(x), net(x), atol=1e-5)


def test_the_reader_names_layer_settings_it_does_not_run():
    from onnx_torch import OnnxAppearanceCheck
    ok = OnnxAppearanceCheck.unsupported
    assert ok("Gemm", {"transB": 1}) == "" and ok("Conv", {"group": 1, "pads": [1, 1, 1, 1]}) == ""
    assert "transB" in ok("Gemm", {}) and "transB" in ok("Gemm", {"transB": 0})
    assert "group=2" in ok("Conv", {"group": 2}) and "pads" in ok("Conv", {"pads": [1, 1, 0, 0]})
    assert "dilations" in ok("Conv", {"dilations": [2, 2]}) and "ceil_mode=1" in ok("MaxPool", {"ceil_mode": 1})


if __name__ == "__main__":
    import torch
    torch.set_num_threads(1)
    tests = [fn for name, fn in list(globals().items()) if name.startswith("test_")]
    for fn in tests:
        fn()
    print(f"{len(tests)} passed, 0 failed")
