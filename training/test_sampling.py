"""The oversampling weights of sampling.py: who is drawn how often, and what the spec refuses (< 1 s, no torch)."""
import numpy as np

from celeba_attributes import ATTRIBUTES
from sampling import APPEARANCE, ASKED_FOR, ASKED_FOR_BALANCED, GROUPS, group_masks, needs_groups, parse_spec, sample_weights, share_report


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
    for bad in ("Glasses:3", "Eyeglasses", "Eyeglasses:0.5", "Young=2:2", "Black=-1:3", "Black=1:3", "Latina:3"):
        try:
            parse_spec(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def readings(rows):
    """Synthetic readings of both appearance readers, one dict per face (missing = 0)."""
    keys = [f"check_{g}" for g in GROUPS] + list(GROUPS) + ["F_Eyeglasses", "Sunglasses"]
    return {k: np.array([row.get(k, 0.0) for row in rows]) for k in keys}


def test_a_group_needs_both_readers_and_south_asian_no_lenses():
    r = readings([
        {"check_Black": 0.9, "Black": 0.7},                     # both agree: Black
        {"check_Black": 0.9, "Black": 0.3},                     # the probe disagrees
        {"check_Black": 0.6, "Black": 0.99},                    # the check is unsure
        {"check_East_Asian": 0.85, "East_Asian": 0.6},          # East Asian
        {"check_South_Asian": 0.9, "South_Asian": 0.9},         # South Asian
        {"check_South_Asian": 0.9, "South_Asian": 0.9, "F_Eyeglasses": 0.8},  # glasses: the check's mistake
        {"check_South_Asian": 0.9, "South_Asian": 0.9, "Sunglasses": 0.7},
    ])
    m = group_masks(r)
    assert m["Black"].tolist() == [True, False, False, False, False, False, False]
    assert m["East_Asian"].tolist() == [False, False, False, True, False, False, False]
    assert m["South_Asian"].tolist() == [False, False, False, False, True, False, False]


def test_groups_are_oversampled_with_lfw_frames_and_the_largest_factor_wins():
    lab = labels([{"Eyeglasses": 1}, {}, None, None, {}])
    groups = {"Black": np.array([True, False, True, False, False]), "East_Asian": np.zeros(5, bool),
              "South_Asian": np.array([False, False, False, False, True])}
    assert needs_groups(APPEARANCE) and not needs_groups(ASKED_FOR)
    w = sample_weights(lab, "Eyeglasses:2,Black:3,South_Asian:4", groups)
    assert w.tolist() == [3.0, 1.0, 3.0, 1.0, 4.0]  # an LFW frame (no labels) in a group is drawn more too
    report = share_report(lab, w, "Eyeglasses:2,Black:3,South_Asian:4", groups)
    assert "Black 40.0% -> 50.0%" in report and "South_Asian 20.0% -> 33.3%" in report
    try:
        sample_weights(lab, APPEARANCE)  # a group without the pack's readings
    except ValueError:
        return
    raise AssertionError("a group was weighted without readings")


if __name__ == "__main__":
    tests = [fn for name, fn in list(globals().items()) if name.startswith("test_")]
    for fn in tests:
        fn()
    print(f"{len(tests)} passed, 0 failed")


def test_the_balanced_spec_keeps_the_share_of_men_that_the_asked_for_one_raises():
    # men 43% of the crops; most of the asked-for attributes are men's, at about CelebA's rates among men (a beard,
    # a goatee, sideburns, a receding hairline, bald), not young and glasses more often among men too
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(6000):
        man = rng.random() < 0.43
        has = lambda p_man, p_woman: rng.random() < (p_man if man else p_woman)  # noqa: E731
        rows.append({"Male": 1 if man else -1, "No_Beard": -1 if has(0.38, 0) else 1, "Goatee": 1 if has(0.14, 0) else -1,
                     "Sideburns": 1 if has(0.12, 0) else -1, "Receding_Hairline": 1 if has(0.14, 0.04) else -1,
                     "Bald": 1 if has(0.06, 0) else -1, "Young": -1 if has(0.33, 0.17) else 1,
                     "Eyeglasses": 1 if has(0.12, 0.03) else -1})
    lab = labels(rows)
    men = lab[:, ATTRIBUTES.index("Male")] == 1

    def drawn_men(spec):
        w = sample_weights(lab, spec)
        return (w / w.sum())[men].sum()

    assert drawn_men(ASKED_FOR) > men.mean() + 0.08  # the asked-for spec alone draws many more men
    assert abs(drawn_men(ASKED_FOR_BALANCED) - men.mean()) < 0.03  # the balanced one about as many as the data
    glasses = lab[:, ATTRIBUTES.index("Eyeglasses")] == 1
    w = sample_weights(lab, ASKED_FOR_BALANCED)
    assert (w / w.sum())[glasses].sum() > 1.3 * glasses.mean()  # and still shows the glasses more often
