"""Helpers for models/MODEL_CARD.md: the sample grid and the per-attribute tables.

  npm run --silent face -- --seed 1 --count 64 --out-dir /tmp/grid --size 64
  /usr/bin/python3 training/card_tables.py grid /tmp/grid         # -> models/samples.png (64 seeds)
  /usr/bin/python3 training/card_tables.py table                  # markdown table on stdout
"""
from __future__ import annotations

import json
import os
import sys

from PIL import Image

from common import ATTRIBUTES, MODELS


def grid(folder: str, first: int = 1, n: int = 64, cols: int = 8, cell: int = 96, out: str | None = None) -> None:
    canvas = Image.new("RGB", (cols * cell, (n // cols) * cell))
    for k in range(n):
        im = Image.open(os.path.join(folder, f"{first + k}.png")).convert("RGB").resize((cell, cell), Image.LANCZOS)
        canvas.paste(im, ((k % cols) * cell, (k // cols) * cell))
    out = out or os.path.join(MODELS, "samples.png")
    canvas.save(out, optimize=True)
    print(f"wrote {out}")


def table() -> None:
    cls = json.load(open(os.path.join(MODELS, "classifier_metrics.json")))["attributes"]
    axes_path = os.path.join(MODELS, "axes.json")
    axes = json.load(open(axes_path))["attributes"] if os.path.exists(axes_path) else {}
    print("| attribute | F AUC | F accuracy | positives (held-out) | axis fit AUC | axis R² | +1/−1 success, closed loop (open loop) | axis |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ATTRIBUTES:
        c, a = cls[name], axes.get(name, {})
        pos = f"{c['positives']:,} ({c['positive_rate']:.1%})" if "positives" in c else f"{c['positive_rate']:.1%}"
        open_loop = f" ({a['openLoopSuccessRate']:.2f})" if "openLoopSuccessRate" in a else ""
        print(f"| {name} | {c['auc']:.3f} | {c['accuracy']:.3f} | {pos} | "
              f"{a.get('quality', float('nan')):.3f} | {a.get('r2', float('nan')):.2f} | "
              f"{a.get('successRate', float('nan')):.2f}{open_loop} | {'ok' if a.get('controllable') else 'weak'} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["grid"]:
        grid(sys.argv[2])
    else:
        table()
