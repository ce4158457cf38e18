"""The asked-for yardstick: the faces people ask for, through the shipped engine, against real faces like them.

Users never see an unedited seed: they see the face for their words. So next to the seed yardstick
(yardstick.py), the ratchet measures a fixed set of everyday descriptions, each on the same fixed seeds,
rendered exactly as users get them (`npm run face "WORDS"`: the engine's closed loop, with whatever search
and guard the engine runs), and compares each description's faces with the held-out real crops whose
CelebA labels match it:

- cFD_F: class-conditional Frechet distance in the yardstick's frozen F v1 feature space, projected on the
  top 32 principal directions of all held-out reals (50 faces cannot fill 256 dimensions); lower is better.
- cFD_HOG: the same in the yardstick's HOG space (its first 32 principal directions): trained on nothing.
- F success: the share of faces the frozen F v1 reads as every labelled part of the words (p > 0.5).
- judge success: the share the independent judge (judge.py: age, gender from the inner face in grey; the
  smile from the mouth alone) reads as the words' age band, gender and smile, where the words give them.
- unedited: the same seeds without words, against all held-out reals, in the same spaces (for scale: how
  much further from real the asked-for faces are than the seeds they start from).

The numbers are means over the descriptions. `better_or_same()` is the ratchet's rule for them.

  /usr/bin/python3 training/asked_for.py --models-dir models [--seeds 50] [--json out.json] [--grid out.png]

`--set appearance` measures the skin tone and appearance words instead (APPEARANCE below; issue 26), never for
the ratchet: each row against the held-out reals that independent readers see as the words.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
from PIL import Image

from celeba_attributes import ATTRIBUTES
from common import REPO, WORK, frechet, load_pack
from norm import nhwc_to_unit

VERSION = 1
FIRST_SEED = 9_000_000
SEEDS = 50
PCA_DIMS = 32
OLD_YEARS, YOUNG_YEARS = 40.0, 35.0  # the judge's age bands for "old" / "young" words

# (words, the CelebA labels the words ask for, or a list of such dicts whose union is the real reference)
# The labels decide both the reference crops and F's success check; the judge checks Male, Young, Smiling.
DESCRIPTIONS: list[tuple[str, dict, list | None]] = [
    ("a woman", {"Male": -1}, None),
    ("a man", {"Male": 1}, None),
    ("a smiling woman", {"Male": -1, "Smiling": 1}, None),
    ("a young man", {"Male": 1, "Young": 1}, None),
    ("an old man", {"Male": 1, "Young": -1}, None),
    ("an old woman", {"Male": -1, "Young": -1}, None),
    ("a man with glasses", {"Male": 1, "Eyeglasses": 1}, None),
    ("a woman with glasses", {"Male": -1, "Eyeglasses": 1}, None),
    ("a man wearing a hat", {"Male": 1, "Wearing_Hat": 1}, None),
    ("a woman wearing a hat", {"Male": -1, "Wearing_Hat": 1}, None),
    ("a man with a beard", {"Male": 1, "No_Beard": -1}, None),
    ("a man with a moustache", {"Male": 1, "Mustache": 1}, None),
    ("a bald man", {"Male": 1, "Bald": 1}, None),
    ("a man with grey hair", {"Male": 1, "Gray_Hair": 1}, None),
    ("a woman with blonde hair", {"Male": -1, "Blond_Hair": 1}, None),
    ("a woman with heavy makeup", {"Male": -1, "Heavy_Makeup": 1}, None),
    ("a woman with bangs", {"Male": -1, "Bangs": 1}, None),
    ("a man with black hair", {"Male": 1, "Black_Hair": 1}, None),
    # as people write them: three or four things at once
    ("a young woman with glasses and a hat", {"Male": -1, "Young": 1, "Eyeglasses": 1, "Wearing_Hat": 1},
     [{"Male": -1, "Eyeglasses": 1}, {"Male": -1, "Wearing_Hat": 1}]),  # 4 held-out reals have all four
    ("older man, smiling, more beard, receding hairline",
     {"Male": 1, "Young": -1, "Smiling": 1, "No_Beard": -1, "Receding_Hairline": 1},
     [{"Male": 1, "Young": -1, "Smiling": 1, "No_Beard": -1}, {"Male": 1, "Young": -1, "Smiling": 1, "Receding_Hairline": 1}]),
    ("a smiling old woman", {"Male": -1, "Young": -1, "Smiling": 1}, None),
    ("a smiling man with glasses", {"Male": 1, "Smiling": 1, "Eyeglasses": 1}, None),
    ("an old man with grey hair and glasses", {"Male": 1, "Young": -1, "Gray_Hair": 1, "Eyeglasses": 1}, None),
    ("a young man with a beard and a hat", {"Male": 1, "Young": 1, "No_Beard": -1, "Wearing_Hat": 1}, None),
    ("a young smiling woman with blonde hair", {"Male": -1, "Young": 1, "Smiling": 1, "Blond_Hair": 1}, None),
]

# The appearance set (issue 26: `--set appearance`): skin tone and appearance words, measured the same way but
# never by the ratchet (the 25 above and VERSION stay as the stored records of the shipped G were measured).
# CelebA labels neither skin tone nor ethnicity, so a row's real reference is the held-out crops that independent
# readers see as the words: the appearance check (models/appearance_check.onnx: a CNN on UTKFace's labels that
# never steers) is sure of the classes (their P summed > REFERENCE_LINE), the cheek ITA (skin_tone.py) is below
# the bound where one is given (ITA alone takes dim light for dark skin), CelebA's Male label matches the words,
# and no glasses (the check reads dark glasses as South Asian; the words ask for none). The same readers check
# the faces. (words, CelebA labels, the check's classes (none: a plain row, for scale), cheek ITA below)
APPEARANCE: list[tuple[str, dict, tuple[str, ...], float | None]] = [
    ("a woman", {"Male": -1}, (), None),
    ("a man", {"Male": 1}, (), None),
    ("a dark-skinned woman", {"Male": -1}, ("Black", "South_Asian"), 10.0),
    ("a dark-skinned man", {"Male": 1}, ("Black", "South_Asian"), 10.0),
    ("a black woman", {"Male": -1}, ("Black",), None),
    ("a black man", {"Male": 1}, ("Black",), None),
    ("an east asian woman", {"Male": -1}, ("East_Asian",), None),
    ("an east asian man", {"Male": 1}, ("East_Asian",), None),
    ("a south asian woman", {"Male": -1}, ("South_Asian",), None),
    ("a south asian man", {"Male": 1}, ("South_Asian",), None),
]
MIN_REFERENCE = 30  # fewer reals of the words' gender than this: the row's reference pools both genders (and says so)
REFERENCE_LINE = 0.9  # at 0.5 the check reads ~12% of CelebA's held-out crops as Black: by eye about half were not
REFERENCE_ALSO = {"Eyeglasses": -1}
CHECK_CLASSES = ("White", "Black", "East_Asian", "South_Asian")  # the check's fifth, "Others", is never asked for

# The ratchet's tolerances: a candidate may not be worse than the shipped G on asked-for faces by more than
# these (relative for the distances, absolute for the success rates; 50 seeds a description: ~0.02 noise).
CFD_TOLERANCE = 0.03
SUCCESS_TOLERANCE = 0.03


def matches(labels: np.ndarray, conds: dict) -> np.ndarray:
    m = np.ones(len(labels), bool)
    for name, sign in conds.items():
        m &= labels[:, ATTRIBUTES.index(name)] == sign
    return m


def reference_mask(labels: np.ndarray, conds: dict, ref: list | None) -> np.ndarray:
    if ref is None:
        return matches(labels, conds)
    return np.logical_or.reduce([matches(labels, c) for c in ref])


def render(models_dir: str, text: str | None, first: int, count: int, out: str) -> np.ndarray:
    cmd = ["npm", "run", "--silent", "face", "--"] + ([text] if text else []) + [
        "--seed", str(first), "--count", str(count), "--size", "64", "--out-dir", out,
        "--models-dir", os.path.abspath(models_dir), "--provider", "cpu"]
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return np.stack([np.asarray(Image.open(os.path.join(out, f"{s}.png")).convert("RGB"))
                     for s in range(first, first + count)])


PARTS = {"Male": "gender", "Young": "age", "Smiling": "smile"}


def judge_parts(faces: np.ndarray, conds: dict) -> dict[str, np.ndarray] | None:
    """Per face, whether the independent judge reads it as the words' gender, age band and smile, each part the
    words ask for apart (None: the words give none of them, or the judge's weights are missing)."""
    checks = {k: v for k, v in conds.items() if k in PARTS}
    if not checks:
        return None
    import judge  # torch: only here
    if not (os.path.exists(judge.CKPT) and os.path.exists(judge.SMILE_CKPT)):
        return None
    age, female = judge.judge_crops(judge.load_judge(), judge.tight_crops(faces))
    smile = judge.judge_smiles(judge.load_smile(), faces)
    parts = {}
    if "Male" in checks:
        parts["gender"] = (female < 0.5) if checks["Male"] == 1 else (female > 0.5)
    if "Young" in checks:
        parts["age"] = (age <= YOUNG_YEARS) if checks["Young"] == 1 else (age >= OLD_YEARS)
    if "Smiling" in checks:
        parts["smile"] = (smile > 0.5) if checks["Smiling"] == 1 else (smile < 0.5)
    return parts


def by_part(rows: list[dict], key: str) -> dict[str, float]:
    """The mean over the descriptions that ask for it of each part's share met (the issue's "age, gender and
    smile" apart)."""
    out = {}
    for part in PARTS.values():
        shares = [r[key][part] for r in rows if r.get(key) and part in r[key]]
        if shares:
            out[part] = round(float(np.mean(shares)), 3)
    return out


def engine_version() -> str:
    """The git tree of the code that turns words into faces (src/, prompts/): asked-for numbers measured with
    another engine are not compared (the ratchet measures the shipped G again)."""
    out = subprocess.run(["git", "rev-parse", "HEAD:src", "HEAD:prompts"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "prompts"], cwd=REPO, capture_output=True,
                           text=True).stdout.strip()
    return "-".join(line[:10] for line in out.stdout.split()) + ("+uncommitted" if dirty else "") if out.returncode == 0 else "unknown"


# The files besides G that decide how words become a face: a shipped G's recorded numbers hold while these are the same.
CONTROL_FILES = ("classifier.onnx", "axes.json", "surrogate.json")
GUARD_FILES = ("realism.json", "critic.onnx", "critic.json")


def models_prints(models_dir: str) -> dict:
    """The first 12 hex digits of the SHA-256 of each control and guard file in the folder (None: not there)."""
    import hashlib
    out = {}
    for name in CONTROL_FILES + GUARD_FILES:
        path = os.path.join(models_dir, name)
        out[name] = hashlib.sha256(open(path, "rb").read()).hexdigest()[:12] if os.path.exists(path) else None
    return out


def pca(x: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    return mean, vt[:dims]


def reference_spaces(pack_path: str, f) -> tuple[np.ndarray, np.ndarray, tuple]:
    """The held-out real crops (the seed yardstick's reference, checked by count and hash), their CelebA labels,
    and the two spaces: (F v1 mean, basis, HOG mean, basis, the reals in each), cached in training/work."""
    import yardstick
    real, digest = yardstick.reference(pack_path)
    pk = load_pack(pack_path)
    labels = pk["labels"][pk["split"] == 1]
    del pk
    cache = os.path.join(WORK, f"asked_for_ref_v{VERSION}_{digest}.npz")
    if os.path.exists(cache):
        c = np.load(cache)
        space = tuple(c[k] for k in ("fmean", "fbasis", "hmean", "hbasis", "pf", "ph"))
    else:
        er, hr_full = yardstick.embed(f, real), yardstick.hog_features(real)
        (fmean, fbasis), (hmean, hbasis) = pca(er, PCA_DIMS), pca(hr_full, PCA_DIMS)
        space = (fmean, fbasis, hmean, hbasis, (er - fmean) @ fbasis.T, (hr_full - hmean) @ hbasis.T)
        os.makedirs(WORK, exist_ok=True)
        np.savez(cache, **dict(zip(("fmean", "fbasis", "hmean", "hbasis", "pf", "ph"), space)))
    return real, labels, space


def distances(f, faces: np.ndarray, space: tuple, m: np.ndarray) -> dict:
    """cFD_F and cFD_HOG of the faces against the reals of mask m (all reals: m all True)."""
    import yardstick
    fmean, fbasis, hmean, hbasis, pf, ph = space
    return {"cfd_f": round(frechet(pf[m], (yardstick.embed(f, faces) - fmean) @ fbasis.T), 3),
            "cfd_hog": round(frechet(ph[m], (yardstick.hog_features(faces) - hmean) @ hbasis.T), 4)}


def words_row(f, text: str, conds: dict, faces: np.ndarray, space: tuple, m: np.ndarray) -> dict:
    """One description's numbers: the reals it is compared with, its distances, and F's reading of the words."""
    import torch
    with torch.no_grad():
        logits = f(nhwc_to_unit(faces)).numpy()
    f_ok = np.ones(len(faces), bool)
    f_parts = {}
    for name, sign in conds.items():
        met = (logits[:, ATTRIBUTES.index(name)] > 0) == (sign == 1)
        f_ok &= met
        if name in PARTS:
            f_parts[PARTS[name]] = round(float(met.mean()), 3)
    return {"words": text, "real_reference": int(m.sum()), **distances(f, faces, space, m),
            "f_success": round(float(f_ok.mean()), 3), "f_parts": f_parts}


def add_judge(rows: list[dict], rendered: list[np.ndarray], conds_list: list[dict]) -> None:
    """The judge's reading of each row's faces (last: the judge's weights may still be training)."""
    for row, faces, conds in zip(rows, rendered, conds_list):
        parts = judge_parts(faces, conds)
        row["judge_success"] = None if parts is None else round(float(np.logical_and.reduce(list(parts.values())).mean()), 3)
        row["judge_parts"] = None if parts is None else {k: round(float(v.mean()), 3) for k, v in parts.items()}


def measure(models_dir: str, pack_path: str, seeds: int = SEEDS, grid: str | None = None) -> dict:
    import torch

    import yardstick  # the frozen F v1 and the HOG space: the same instruments as the seed yardstick
    torch.set_num_threads(os.cpu_count() or 1)
    f = yardstick.FrozenF().eval()
    real, labels, space = reference_spaces(pack_path, f)
    del real
    tmp = tempfile.mkdtemp(prefix="asked-for-")
    rows, tiles, rendered = [], [], []
    try:
        plain = render(models_dir, None, FIRST_SEED, seeds, os.path.join(tmp, "plain"))
        unedited = distances(f, plain, space, np.ones(len(labels), bool))
        for k, (text, conds, ref) in enumerate(DESCRIPTIONS):
            faces = render(models_dir, text, FIRST_SEED, seeds, os.path.join(tmp, str(k)))
            tiles.append(faces[:8])
            rows.append(words_row(f, text, conds, faces, space, reference_mask(labels, conds, ref)))
            rendered.append(faces)
            print(json.dumps(rows[-1]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    add_judge(rows, rendered, [d[1] for d in DESCRIPTIONS])
    if grid:
        write_grid(tiles, grid)
    judged = [r["judge_success"] for r in rows if r["judge_success"] is not None]
    return {
        "asked_for": VERSION, "seeds": [FIRST_SEED, seeds], "engine": engine_version(),
        "models": models_prints(models_dir), "descriptions": len(rows),
        "cfd_f": round(float(np.mean([r["cfd_f"] for r in rows])), 3),
        "cfd_hog": round(float(np.mean([r["cfd_hog"] for r in rows])), 4),
        "f_success": round(float(np.mean([r["f_success"] for r in rows])), 3),
        "judge_success": round(float(np.mean(judged)), 3) if judged else None,
        "f_by_part": by_part(rows, "f_parts"), "judge_by_part": by_part(rows, "judge_parts"),
        "unedited": unedited, "rows": rows,
    }


def check_reads(probs: np.ndarray, names: list[str], classes: tuple[str, ...], line: float = 0.5) -> np.ndarray:
    """Whether the appearance check reads each face as one of the classes (their probabilities summed > line)."""
    return probs[:, [names.index(c) for c in classes]].sum(1) > line


def appearance_reference(labels: np.ndarray, probs: np.ndarray, names: list[str], ita: np.ndarray, conds: dict,
                         classes: tuple[str, ...], ita_below: float | None) -> tuple[np.ndarray, bool]:
    """The held-out reals like the words (see APPEARANCE), as (mask, pooled); a plain row's are CelebA's matching
    labels alone, as in DESCRIPTIONS. With fewer than MIN_REFERENCE of the words' gender: both genders, pooled."""
    if not classes:
        return matches(labels, conds), False
    seen = check_reads(probs, names, classes, REFERENCE_LINE) & matches(labels, REFERENCE_ALSO)
    if ita_below is not None:
        seen &= ita < ita_below
    m = seen & matches(labels, conds)
    return (seen, True) if m.sum() < MIN_REFERENCE else (m, False)


def check_probs(imgs: np.ndarray, names: list[str]) -> np.ndarray:
    """The shipped appearance check's [n, classes] probabilities (appearance_scores.check_readings: one reader)."""
    from appearance_scores import check_readings
    r = check_readings(imgs)
    return np.stack([r[f"check_{c}"] for c in names], 1)


def appearance_row(row: dict, probs: np.ndarray, names: list[str], ita: np.ndarray, classes: tuple[str, ...],
                   ita_below: float | None) -> dict:
    """Adds the appearance readers' view of one description's faces to its row."""
    row["check_success"] = round(float(check_reads(probs, names, classes).mean()), 3) if classes else None
    row["check_sure"] = round(float(check_reads(probs, names, classes, REFERENCE_LINE).mean()), 3) if classes else None
    row["check_reads"] = {c: round(float((probs[:, names.index(c)] > 0.5).mean()), 3) for c in CHECK_CLASSES}
    row["ita_median"] = round(float(np.median(ita)), 1)
    if ita_below is not None:
        row["ita_below_share"] = round(float((ita < ita_below).mean()), 3)
    return row


def skin_against_plain(ita: np.ndarray, plain_ita: np.ndarray, plain: str) -> dict:
    """The asked faces' cheek ITA against the plain description's on the same seeds (higher ITA = lighter)."""
    return {"plain": plain, "plain_ita_median": round(float(np.median(plain_ita)), 1),
            "darker": round(float((ita < plain_ita).mean()), 3),
            "median_drop": round(float(np.median(plain_ita - ita)), 1)}


def plain_same_size(f, plain_faces: np.ndarray, space: tuple, plain_ref: np.ndarray, n: int, draws: int = 5) -> dict:
    """For scale: the plain description's faces against random n-crop subsets of its own reference (a Frechet
    distance to 50-300 reals is higher than to thousands for the small sample alone), the mean of a few draws."""
    rng = np.random.default_rng(n)
    out = []
    for _ in range(draws):
        sub = np.zeros(len(plain_ref), bool)
        sub[rng.choice(np.flatnonzero(plain_ref), n, replace=False)] = True
        out.append(distances(f, plain_faces, space, sub))
    return {k: round(float(np.mean([o[k] for o in out])), 4) for k in ("cfd_f", "cfd_hog")}


def judge_gender_age(faces: np.ndarray, male: int) -> dict:
    """The independent judge's reading (judge.py, without its smile part, which these words never ask for): the
    share read as the gender asked and the median age (None: the judge's weights are missing)."""
    import judge
    if not os.path.exists(judge.CKPT):
        return {"judge_gender": None, "judge_age_median": None}
    age, female = judge.judge_crops(judge.load_judge(), judge.tight_crops(faces))
    met = (female < 0.5) if male == 1 else (female > 0.5)
    return {"judge_gender": round(float(met.mean()), 3), "judge_age_median": round(float(np.median(age)), 1)}


def measure_appearance(models_dir: str, pack_path: str, seeds: int = SEEDS, grid: str | None = None) -> dict:
    """The appearance set through the engine (see APPEARANCE), against its independently read real references."""
    import torch

    import yardstick
    from appearance_scores import CHECK, file_print
    from skin_tone import ita
    torch.set_num_threads(1)  # the training run shares the cores
    # the shipped check, whatever folder is measured: the instrument (and so the real reference) stays the same,
    # and a candidate folder (campaign.py keep) holds no check of its own
    names = json.load(open(CHECK[:-len(".onnx")] + ".json"))["classes"]
    f = yardstick.FrozenF().eval()
    real, labels, space = reference_spaces(pack_path, f)
    real_probs, real_ita = check_probs(real, names), ita(real)
    del real
    tmp = tempfile.mkdtemp(prefix="asked-for-appearance-")
    rows, tiles, rendered, itas = [], [], [], {}
    try:
        plain = render(models_dir, None, FIRST_SEED, seeds, os.path.join(tmp, "plain"))
        unedited = distances(f, plain, space, np.ones(len(labels), bool))
        for k, (text, conds, classes, below) in enumerate(APPEARANCE):
            faces = render(models_dir, text, FIRST_SEED, seeds, os.path.join(tmp, str(k)))
            m, pooled = appearance_reference(labels, real_probs, names, real_ita, conds, classes, below)
            row = words_row(f, text, conds, faces, space, m)
            if classes:
                row["reference_pooled"] = pooled
            itas[text] = ita(faces)
            rows.append(appearance_row(row, check_probs(faces, names), names, itas[text], classes, below))
            tiles.append(faces[:8])
            rendered.append(faces)
            print(json.dumps(rows[-1]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for row, (text, conds, classes, below) in zip(rows, APPEARANCE):
        plain_words = next(w for w, c, cl, _ in APPEARANCE if c == conds and not cl)
        j = [d[0] for d in APPEARANCE].index(plain_words)
        if classes:
            plain_ref = appearance_reference(labels, real_probs, names, real_ita, conds, (), None)[0]
            row["plain_same_size"] = plain_same_size(f, rendered[j], space, plain_ref, row["real_reference"])
        if below is not None:
            row["skin_vs_plain"] = skin_against_plain(itas[text], itas[plain_words], plain_words)
    for row, faces, (_, conds, _, _) in zip(rows, rendered, APPEARANCE):  # last: the judge's weights may be training
        row.update(judge_gender_age(faces, conds["Male"]))
    if grid:
        write_grid(tiles, grid, [d[0] for d in APPEARANCE])
    prints = models_prints(models_dir)
    prints["appearance_check.onnx"] = file_print(CHECK)
    return {"asked_for": VERSION, "set": "appearance", "seeds": [FIRST_SEED, seeds], "engine": engine_version(),
            "models": prints, "descriptions": len(rows), "min_reference": MIN_REFERENCE,
            "reference_line": REFERENCE_LINE, "reference_also": REFERENCE_ALSO, "unedited": unedited, "rows": rows}


def write_grid(tiles: list[np.ndarray], out: str, words: list[str] | None = None) -> None:
    """One row a description (in DESCRIPTIONS' order), its first 8 seeds, 64 px each, the words on the left."""
    from PIL import ImageDraw
    words = words or [d[0] for d in DESCRIPTIONS]
    body = np.concatenate([np.concatenate(list(t), 1) for t in tiles], 0)
    label_w = 260
    canvas = Image.new("RGB", (label_w + body.shape[1], body.shape[0]), "white")
    canvas.paste(Image.fromarray(body), (label_w, 0))
    draw = ImageDraw.Draw(canvas)
    for i, text in enumerate(words[:len(tiles)]):
        lines = [text[j:j + 40] for j in range(0, len(text), 40)]
        for k, line in enumerate(lines[:3]):
            draw.text((4, i * 64 + 22 + 11 * k - 5 * (len(lines[:3]) - 1)), line, fill="black")
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    if out.lower().endswith((".jpg", ".jpeg")):
        canvas.save(out, quality=88)  # faces compress badly as PNG: 1.6 MB against 0.35 MB
    else:
        canvas.save(out, optimize=True)


def better_or_same(new: dict, old: dict) -> tuple[bool, str]:
    """The ratchet's asked-for rule: the candidate's asked-for faces are no further from real (cFD_F, cFD_HOG)
    and the words no less often met (F, judge) than the shipped G's, within the tolerances."""
    if any(new.get(k) != old.get(k) for k in ("asked_for", "set", "seeds", "engine")):
        return False, "asked-for numbers from different yardsticks: re-measure the shipped G"
    parts, ok = [], True
    for key in ("cfd_f", "cfd_hog"):
        limit = old[key] * (1 + CFD_TOLERANCE)
        ok &= new[key] <= limit
        parts.append(f"asked-for {key} {old[key]} -> {new[key]} (needs <= {limit:.4g})")
    for key in ("f_success", "judge_success"):
        if new.get(key) is None or old.get(key) is None:
            continue
        limit = old[key] - SUCCESS_TOLERANCE
        ok &= new[key] >= limit
        parts.append(f"{key} {old[key]} -> {new[key]} (needs >= {limit:.3f})")
    return bool(ok), "; ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--pack", default=os.path.join(WORK, "pack64.npz"))
    ap.add_argument("--seeds", type=int, default=SEEDS)
    ap.add_argument("--json", help="write the numbers here too")
    ap.add_argument("--grid", help="write the asked-for grid (8 seeds a description) here")
    ap.add_argument("--set", choices=("default", "appearance"), default="default",
                    help="the ratchet's 25 descriptions, or the skin tone and appearance words (issue 26; never the ratchet's)")
    args = ap.parse_args()
    res = (measure_appearance if args.set == "appearance" else measure)(args.models_dir, args.pack, args.seeds, args.grid)
    print(json.dumps({k: v for k, v in res.items() if k != "rows"}, indent=1))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
