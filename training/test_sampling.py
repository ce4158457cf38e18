"""The oversampling weights of sampling.py: who is drawn how often, and what the spec refuses (< 1 s, no torch)."""
import numpy as np

from celeba_attributes import ATTRIBUTES
from sampling import ASKED_FOR, parse_spec, sample_weights, share_report


def labels(rows):
    out = np.full((len(rows), 40), -1, np.int8)
    for i, row in enumerate(rows):
        if row is None:
            out[i] = 0  # LFW: no labels
            continue
        for name, v in row.items():
            out[i, ATTRIBUTES.index(name)] = v
    return out


def test_weights_take_the_largest_factor_and_leave_unlabelled_images_at_one():
    lab = labels([{"Eyeglasses": 1}, {"Eyeglasses": 1, "Young": -1}, {"Young": 1}, None, {"Young": -1}])
    w = sample_weights(lab, "Eyeglasses:3,Young=-1:2")
    assert w.tolist() == [3.0, 3.0, 1.0, 1.0, 2.0]


def test_drawn_shares_follow_the_weights():
    rng = np.random.default_rng(0)
    lab = labels([{"Wearing_Hat": 1} if rng.random() < 0.05 else {} for _ in range(4000)])
    w = sample_weights(lab, "Wearing_Hat:3")
    p = w / w.sum()
    hat = lab[:, ATTRIBUTES.index("Wearing_Hat")] == 1
    share = p[hat].sum()
    assert 2.5 * hat.mean() < share < 3.0 * hat.mean()  # 3x, less the renormalisation
    assert "Wearing_Hat" in share_report(lab, w, "Wearing_Hat:3")


def test_the_campaigns_spec_reads_and_refuses_junk():
    assert len(parse_spec(ASKED_FOR)) >= 8
    for bad in ("Glasses:3", "Eyeglasses", "Eyeglasses:0.5", "Young=2:2"):
        try:
            parse_spec(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


if __name__ == "__main__":
    for name, fn in list(globals().items()):
        if name.startswith("test_"):
            fn()
    print("3 passed, 0 failed")
