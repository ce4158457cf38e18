"""eye_patches.py: dark patches go over the eyes of a UTKFace crop and nowhere else, on copies only (< 1 s, no torch)."""
import os
import random
import tempfile

import numpy as np
from PIL import Image

from eye_patches import add_copies, darken_eyes, draw_frames


def grey_face(size=100, level=180):
    return Image.fromarray(np.full((size, size, 3), level, np.uint8))


def box_mean(img, x0, y0, x1, y1):
    a = np.asarray(img, np.float32)
    h, w = a.shape[:2]
    return a[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)].mean()


def test_the_eyes_go_dark_and_the_cheeks_mouth_and_forehead_do_not():
    for seed in range(20):
        out = darken_eyes(grey_face(), random.Random(seed))
        for x0, x1 in ((0.28, 0.37), (0.63, 0.72)):  # each eye's centre
            assert box_mean(out, x0, 0.28, x1, 0.32) < 180 * 0.75, seed
        assert box_mean(out, 0.2, 0.5, 0.4, 0.6) == 180    # a cheek
        assert box_mean(out, 0.35, 0.75, 0.65, 0.85) == 180  # the mouth
        assert box_mean(out, 0.2, 0.0, 0.8, 0.12) == 180     # the forehead


def test_frames_draw_rims_round_the_eyes_and_leave_the_cheeks_mouth_and_forehead():
    for seed in range(20):
        out = np.asarray(draw_frames(grey_face(), random.Random(seed)), np.float32)
        eye_band = out[20:42, 15:85].mean(axis=2)
        assert (eye_band < 120).mean() > 0.08, seed  # rims: dark pixels in the band of the eyes
        assert box_mean(out, 0.2, 0.55, 0.4, 0.65) == 180    # a cheek
        assert box_mean(out, 0.35, 0.75, 0.65, 0.85) == 180  # the mouth
        assert box_mean(out, 0.2, 0.0, 0.8, 0.12) == 180     # the forehead


def test_copies_are_added_beside_the_photos_deterministically():
    with tempfile.TemporaryDirectory() as d:
        for i in range(10):
            grey_face(level=100 + i).save(os.path.join(d, f"{20 + i}_0_3_x.jpg.chip.jpg"))
        grey_face(level=120).save(os.path.join(d, "30_0_3_x_relit.png"))  # a relit copy may be picked too
        originals = {f: np.asarray(Image.open(os.path.join(d, f))).copy() for f in os.listdir(d)}
        made = add_copies(d, 0.5)
        assert len(made) == 5 and all(m.endswith("_eyes.png") for m in made)
        assert len(os.listdir(d)) == 16
        for f, pixels in originals.items():  # the photos themselves are left as they were
            assert np.array_equal(pixels, np.asarray(Image.open(os.path.join(d, f)))), f
        first = {m: np.asarray(Image.open(os.path.join(d, m))).copy() for m in made}
        again = add_copies(d, 0.5)  # copies are never picked, and the same seed makes the same copies
        assert sorted(again) == sorted(made) and len(os.listdir(d)) == 16
        for m in made:
            assert np.array_equal(first[m], np.asarray(Image.open(os.path.join(d, m))))
        # each copy is its own photo's, darkened: its level outside the eyes is the original's
        for m in made:
            level = 100 + int(m.split("_")[0]) - 20 if "_relit" not in m else 120
            assert box_mean(Image.open(os.path.join(d, m)), 0.35, 0.75, 0.65, 0.85) == level
        frames = add_copies(d, 0.5, kind="frames")  # frames go on originals only, never on a dark-eyed copy
        assert len(frames) == 5 and all(m.endswith("_frames.png") and "_eyes" not in m for m in frames)
        assert len(os.listdir(d)) == 21


def test_the_seed_picks_the_photos():
    picks = []
    for seed in (11, 12):
        with tempfile.TemporaryDirectory() as d:
            for i in range(20):
                grey_face().save(os.path.join(d, f"{20 + i}_0_3_x.jpg.chip.jpg"))
            picks.append(sorted(add_copies(d, 0.5, seed=seed)))
    assert picks[0] != picks[1]


def test_a_share_outside_zero_to_one_is_refused():
    with tempfile.TemporaryDirectory() as d:
        for bad in (0, -0.5, 1.5):
            try:
                add_copies(d, bad)
            except ValueError as e:
                assert "--share" in str(e)
            else:
                raise AssertionError(f"share {bad} was taken")
        try:
            add_copies(d, 0.5, kind="tattoos")
        except ValueError as e:
            assert "--kind" in str(e)
        else:
            raise AssertionError("an unknown kind was taken")


if __name__ == "__main__":
    failed = 0
    tests = [v for k, v in list(globals().items()) if k.startswith("test_")]
    for t in tests:
        try:
            t()
            print(f"ok {t.__name__}")
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print(f"FAIL {t.__name__}: {e!r}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    raise SystemExit(1 if failed else 0)
