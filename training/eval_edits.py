"""Grade edits with the independent judge (judge.py: a hair-free, grey, contrast-normalised UTKFace age and
gender CNN, and a grey mouth-only smile CNN; OpenCV's Haar smile cascade is reported beside it), on faces
rendered exactly as users get them (`npm run face`: the engine's closed loop; --open-loop for the linear
move alone).

For each pair, the same seeds are rendered both ways and the judge says whether it sees the difference:
  age      "an old person" older than "a young person"
  gender   "a woman" more female than "a man"
  smile    "a smiling face" smiles more than "a face that is not smiling" (the mouth judge's P(smile))
  smile_haar  the same pair read by OpenCV's Haar cascade (ties count as failures; weak: AUC 0.79 on real frames)
  younger  "an old man" then "make him younger" looks younger than "an old man"
  years    "a 70 year old man" vs "a 25 year old man": the mean judged age difference (years)

  /usr/bin/python3 training/judge.py train           # once: the age/gender judge (~5 min on 1 core)
  /usr/bin/python3 training/judge.py train-smile     # once: the smile judge (~5 min on 1 core)
  /usr/bin/python3 training/eval_edits.py --seeds 200 [--open-loop] [--face-args "--no-search --no-guard"] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile

from common import REPO
from judge import score_images

# name, (description, refinements), (description, refinements), judge key, a beats b
PAIRS = [
    ("age", ("an old person", []), ("a young person", []), "age", lambda a, b: a > b),
    ("gender", ("a woman", []), ("a man", []), "female", lambda a, b: a > b),
    ("smile", ("a smiling face", []), ("a face that is not smiling", []), "smile", lambda a, b: a > b),
    ("smile_haar", ("a smiling face", []), ("a face that is not smiling", []), "smile_haar", lambda a, b: a > b),
    ("younger", ("an old man", ["make him younger"]), ("an old man", []), "age", lambda a, b: a < b),
    ("years", ("a 70 year old man", []), ("a 25 year old man", []), "age", lambda a, b: a > b),
]
GOALS = {"age": 0.85, "gender": 0.95, "smile": 0.90, "younger": 0.85}


def render(text: str, then: list[str], seed: int, count: int, out: str, open_loop: bool, models_dir: str,
           face_args: list[str] | None = None) -> list[str]:
    cmd = ["npm", "run", "--silent", "face", "--", text, "--seed", str(seed), "--count", str(count),
           "--out-dir", out, "--size", "64", "--provider", "cpu", "--models-dir", os.path.abspath(models_dir)]
    for t in then:
        cmd += ["--then", t]
    if open_loop:
        cmd.append("--open-loop")
    cmd += face_args or []
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return [os.path.join(out, f"{seed + i}.png") for i in range(count)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--first-seed", type=int, default=7_000_000)
    ap.add_argument("--open-loop", action="store_true")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--face-args", default="", help='more arguments for npm run face, e.g. "--no-search --no-guard" (as before issue 24)')
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="eval-edits-")
    cache: dict[tuple, dict] = {}

    def judged(desc: str, then: list[str]) -> dict:
        key = (desc, tuple(then))
        if key not in cache:
            d = os.path.join(tmp, str(len(cache)))
            cache[key] = score_images(render(desc, then, args.first_seed, args.seeds, d, args.open_loop, args.models_dir,
                                                 args.face_args.split()))
        return cache[key]

    results = {"seeds": args.seeds, "first_seed": args.first_seed, "loop": "open" if args.open_loop else "closed"}
    for name, (a_text, a_then), (b_text, b_then), key, better in PAIRS:
        a, b = judged(a_text, a_then), judged(b_text, b_then)
        wins = sum(better(a[k][key], b[k][key]) for k in a)
        mean = lambda d: sum(v[key] for v in d.values()) / len(d)
        label = lambda t, th: " then ".join([t, *th])
        results[name] = {"a": label(a_text, a_then), "b": label(b_text, b_then), "fraction": round(wins / len(a), 3),
                         "mean_a": round(mean(a), 2), "mean_b": round(mean(b), 2)}
        goal = f" (goal {GOALS[name]:.2f})" if name in GOALS else " (goal: >= 10 years apart)" if name == "years" else ""
        print(f"{name:8s} '{label(a_text, a_then)}' vs '{label(b_text, b_then)}': {wins}/{len(a)} seeds = "
              f"{wins / len(a):.2f}{goal}; judge mean {key}: {mean(a):.2f} vs {mean(b):.2f}", flush=True)
    print(json.dumps(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
