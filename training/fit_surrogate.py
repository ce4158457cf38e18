"""Fits the surrogate s(z) ~ F(G(z)) that the closed loop steers by (src/latent/surrogate.ts).

Called by `npm run surrogate`, which samples the faces and reads them with F; this only fits:
  /usr/bin/python3 training/fit_surrogate.py --samples S.f32 --meta M.json --out models/surrogate.json
S.f32 holds float32 rows [z (zDim), the outputs named in M.json (the 40 logits, the age in years, then the added
attributes' probe logits; M.json's `probes` holds each probe's print, written into the file)].
A tenth of the rows (the first) is held out; the held-out R^2 of the network and of a ridge fit (the axes'
kind of model) are written with the weights. CPU, one thread, seeded: the same samples give the same file.
"""
import argparse
import json
import time

import numpy as np
import torch

LOGIT_CLIP = 8.0  # F's logits beyond +-8 say "certainly": the fit need not follow them further


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    meta = json.load(open(a.meta))
    d, names = meta["zDim"], meta["outputs"]
    rows = np.fromfile(a.samples, dtype=np.float32).reshape(-1, d + len(names))
    z, y = rows[:, :d], rows[:, d:].copy()
    logits = [i for i, n in enumerate(names) if n != "Age"]
    y[:, logits] = np.clip(y[:, logits], -LOGIT_CLIP, LOGIT_CLIP)
    nv = len(z) // 10
    zt, yt = torch.tensor(z[nv:]), torch.tensor(y[nv:])
    zv, yv = torch.tensor(z[:nv]), torch.tensor(y[:nv])
    mu, sd = yt.mean(0), yt.std(0).clamp_min(1e-6)
    h = a.hidden
    net = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.SiLU(), torch.nn.Linear(h, h), torch.nn.SiLU(),
                              torch.nn.Linear(h, len(names)))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    steps = (len(zt) + 255) // 256
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=a.epochs * steps)
    t0 = time.time()
    for ep in range(a.epochs):
        perm = torch.randperm(len(zt))
        for i in range(0, len(zt), 256):
            b = perm[i:i + 256]
            loss = ((net(zt[b]) - (yt[b] - mu) / sd) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        if (ep + 1) % 10 == 0 or ep + 1 == a.epochs:
            print(f"  epoch {ep + 1}/{a.epochs}  train loss {loss.item():.3f}  ({time.time() - t0:.0f} s)", flush=True)
    with torch.no_grad():
        pred = net(zv) * sd + mu
    r2 = (1 - ((pred - yv) ** 2).mean(0) / yv.var(0)).numpy()
    x = np.c_[z[nv:], np.ones(len(z) - nv)]
    w = np.linalg.solve(x.T @ x + np.eye(d + 1), x.T @ y[nv:])
    lin = np.c_[z[:nv], np.ones(nv)] @ w
    r2_linear = 1 - ((lin - y[:nv]) ** 2).mean(0) / y[:nv].var(0)
    for k, n in enumerate(names):
        print(f"  {n:22s} held-out R2  linear {r2_linear[k]:.2f}  surrogate {r2[k]:.2f}")
    print(f"  mean over {len(names)} outputs: linear {r2_linear.mean():.3f}, surrogate {r2.mean():.3f} "
          f"({len(zt)} faces fitted, {nv} held out)")
    layers = [m for m in net if isinstance(m, torch.nn.Linear)]
    r5 = lambda v: round(float(v), 5)  # noqa: E731
    out = {
        "version": 1, "zDim": d, "outputs": names, "generator": meta.get("generator"),
        **({"probes": meta["probes"]} if meta.get("probes") else {}),
        "mu": [r5(v) for v in mu], "sd": [r5(v) for v in sd],
        "layers": [{"weight": [[r5(v) for v in row] for row in m.weight.detach()],
                    "bias": [r5(v) for v in m.bias.detach()]} for m in layers],
        "r2": [round(float(v), 4) for v in r2], "r2Linear": [round(float(v), 4) for v in r2_linear],
        "samples": len(z), "epochs": a.epochs, "hidden": h,
    }
    with open(a.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
