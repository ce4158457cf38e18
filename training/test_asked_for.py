"""The asked-for yardstick's rule and reference (asked_for.py), without rendering anything (< 1 s, no torch)."""
import os
import tempfile

import numpy as np
from PIL import Image

from asked_for import DESCRIPTIONS, SEEDS, FIRST_SEED, VERSION, better_or_same, by_part, models_prints, reference_mask, write_grid
from celeba_attributes import ATTRIBUTES


def numbers(**kw):
    base = {"asked_for": VERSION, "seeds": [FIRST_SEED, SEEDS], "engine": "abc-def", "cfd_f": 60.0, "cfd_hog": 7.0,
            "f_success": 0.6, "judge_success": 0.7}
    return {**base, **kw}


def test_a_candidate_further_from_real_on_asked_for_faces_is_refused():
    assert better_or_same(numbers(), numbers())[0]
    assert better_or_same(numbers(cfd_f=61.0), numbers())[0]  # within 3%
    assert not better_or_same(numbers(cfd_f=62.5), numbers())[0]
    assert not better_or_same(numbers(cfd_hog=7.5), numbers())[0]


def test_a_candidate_that_meets_the_words_less_often_is_refused():
    assert not better_or_same(numbers(f_success=0.5), numbers())[0]
    assert not better_or_same(numbers(judge_success=0.6), numbers())[0]
    assert better_or_same(numbers(judge_success=None), numbers())[0]  # no judge weights: F and the distances decide


def test_numbers_from_another_yardstick_are_not_compared():
    ok, why = better_or_same(numbers(), numbers(seeds=[1, 10]))
    assert not ok and "re-measure" in why
    assert not better_or_same(numbers(), numbers(engine="abc-123"))[0]  # words drawn by another engine


def test_the_reference_is_the_matching_reals_or_the_union_given():
    lab = np.full((4, 40), -1, np.int8)
    m, g, h = ATTRIBUTES.index("Male"), ATTRIBUTES.index("Eyeglasses"), ATTRIBUTES.index("Wearing_Hat")
    lab[0, g] = 1            # a woman with glasses
    lab[1, h] = 1            # a woman with a hat
    lab[2, [g, h]] = 1       # both
    lab[3, [m, g]] = 1       # a man with glasses
    conds = {"Male": -1, "Eyeglasses": 1, "Wearing_Hat": 1}
    assert reference_mask(lab, conds, None).tolist() == [False, False, True, False]
    union = [{"Male": -1, "Eyeglasses": 1}, {"Male": -1, "Wearing_Hat": 1}]
    assert reference_mask(lab, conds, union).tolist() == [True, True, True, False]


def test_the_descriptions_are_many_and_name_real_attributes():
    assert len(DESCRIPTIONS) >= 20
    assert sum(len(c) >= 3 for _, c, _ in DESCRIPTIONS) >= 4  # several things at once, as people write
    for _, conds, ref in DESCRIPTIONS:
        for c in [conds] + (ref or []):
            assert all(k in ATTRIBUTES and v in (1, -1) for k, v in c.items())


def test_the_grid_has_a_row_a_description_and_the_words_beside_it():
    tiles = [np.full((8, 64, 64, 3), 40 * i, np.uint8) for i in range(3)]
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "g.png")
        write_grid(tiles, out, ["a", "b", "c"])
        im = np.asarray(Image.open(out))
    assert im.shape[0] == 3 * 64 and im.shape[1] > 8 * 64
    assert (im[64:128, -64:] == 40).all()  # the second row's faces, in place


def test_the_recorded_numbers_name_the_files_that_steer_and_guard():
    with tempfile.TemporaryDirectory() as d:
        assert set(models_prints(d).values()) == {None}
        with open(os.path.join(d, "critic.json"), "w") as fh:
            fh.write('{"version": 1, "limitLogit": -1.1, "perLogit": 0.35}')
        first = models_prints(d)["critic.json"]
        with open(os.path.join(d, "critic.json"), "w") as fh:
            fh.write('{"version": 1, "limitLogit": -0.5, "perLogit": 0.35}')
        assert first is not None and models_prints(d)["critic.json"] not in (None, first)  # a recalibration is a new record



def test_the_words_met_by_part_average_only_the_descriptions_that_ask_for_the_part():
    rows = [{"judge_parts": {"gender": 1.0, "age": 0.5}}, {"judge_parts": {"gender": 0.5}}, {"judge_parts": None},
            {"judge_parts": {"smile": 0.25}}]
    assert by_part(rows, "judge_parts") == {"gender": 0.75, "age": 0.5, "smile": 0.25}
    assert by_part([{"judge_parts": None}], "judge_parts") == {}


if __name__ == "__main__":
    tests = [fn for name, fn in list(globals().items()) if name.startswith("test_")]
    for fn in tests:
        fn()
    print(f"{len(tests)} passed, 0 failed")

