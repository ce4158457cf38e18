"""Check edits with the independent judge (judge.py: UTKFace age/gender CNN + OpenCV's Haar smile cascade).

For each pair of descriptions, renders the same seeds with `npm run face` and counts the seeds where
the judge sees the difference the words ask for:
  "an old person" older than "a young person"; "a woman" more female than "a man";
  "a smiling face" happier than "a face that is not smiling" (ties count as failures).

  /usr/bin/python3 training/eval_edits.py --seeds 100
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile

from common import REPO
from judge import score_images

PAIRS = [
    ("age", "an old person", "a young person", lambda a, b: a["age"] > b["age"]),
    ("gender", "a woman", "a man", lambda a, b: a["female"] > b["female"]),
    ("smile", "a smiling face", "a face that is not smiling", lambda a, b: a["smile"] > b["smile"]),
]


def render(text: str, seed: int, count: int, out: str) -> list[str]:
    subprocess.run(["npm", "run", "--silent", "face", "--", text, "--seed", str(seed), "--count", str(count),
                    "--out-dir", out], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return [os.path.join(out, f"{seed + i}.png") for i in range(count)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--first-seed", type=int, default=7_000_000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="eval-edits-")
    results = {}
    for name, a_text, b_text, better in PAIRS:
        a_dir, b_dir = os.path.join(tmp, name + "_a"), os.path.join(tmp, name + "_b")
        a = score_images(render(a_text, args.first_seed, args.seeds, a_dir))
        b = score_images(render(b_text, args.first_seed, args.seeds, b_dir))
        wins = sum(better(a[k], b[k]) for k in a)
        mean = lambda d, key: sum(v[key] for v in d.values()) / len(d)
        key = {"age": "age", "gender": "female", "smile": "smile"}[name]
        results[name] = {"a": a_text, "b": b_text, "fraction": wins / len(a),
                         "mean_a": round(mean(a, key), 3), "mean_b": round(mean(b, key), 3)}
        print(f"{name:7s} '{a_text}' vs '{b_text}': {wins}/{len(a)} seeds = {wins / len(a):.2f} "
              f"(judge mean {key}: {mean(a, key):.2f} vs {mean(b, key):.2f})", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
