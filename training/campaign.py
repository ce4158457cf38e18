"""The training campaign, in one command: G trains in the background while you work, and a new G ships
only if the fixed yardstick says it is better (a ratchet).

  /usr/bin/python3 training/campaign.py start     # first thing in every stretch of work
  /usr/bin/python3 training/campaign.py status    # images seen, img/s, last losses
  /usr/bin/python3 training/campaign.py pause     # before a benchmark or timed run (SIGSTOP) ...
  /usr/bin/python3 training/campaign.py resume    # ... and after it (SIGCONT)
  /usr/bin/python3 training/campaign.py keep      # before you submit: export, measure, install if better
  /usr/bin/python3 training/campaign.py stop      # checkpoint and stop

`start` prepares the pack if it is missing, then resumes `train_gan.py` from training/work/gan.pt, or, on a
fresh clone, from the shipped weights training/resume/gan.pt. `keep` exports the current checkpoint to
training/work/candidate/, measures it and the shipped G with training/yardstick.py (training paused
meanwhile), and only if the candidate is better installs it: models/generator.onnx, generator_info.json,
training/resume/gan.pt, the parity fixture, models/samples.png, models/axes.json (`npm run axes`) and the
generator table of the model card. Every verdict, kept or not, goes into models/generator_history.json.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import card_tables
from common import DATASETS, HERE, MODELS, REPO, WORK, npm_face
from sampling import APPEARANCE, ASKED_FOR_BALANCED

PY = sys.executable or "/usr/bin/python3"
PID = os.path.join(WORK, "train.pid")
LOG = os.path.join(WORK, "train.log")
CKPT = os.path.join(WORK, "gan.pt")
PACK = os.path.join(WORK, "pack64.npz")
CANDIDATE = os.path.join(WORK, "candidate")
HISTORY = os.path.join(MODELS, "generator_history.json")
CARD = os.path.join(MODELS, "MODEL_CARD.md")
CARD_BEGIN, CARD_END = "<!-- generator-history:begin -->", "<!-- generator-history:end -->"


def running_pid() -> int | None:
    try:
        pid = int(open(PID).read().strip())
        os.kill(pid, 0)
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return pid if b"train_gan.py" in fh.read() else None
    except (OSError, ValueError):
        return None


def training_state() -> str:
    pid = running_pid()
    if pid is None:
        return "not training"
    with open(f"/proc/{pid}/stat") as fh:
        return "paused" if fh.read().rsplit(")", 1)[1].split()[0] == "T" else "training"


def signal_training(sig: signal.Signals, what: str) -> bool:
    pid = running_pid()
    if pid is None:
        print("G is not training (start it with: /usr/bin/python3 training/campaign.py start)")
        return False
    if os.getpgid(pid) == pid:
        os.killpg(pid, sig)  # the whole session that campaign.py start made
    else:
        os.kill(pid, sig)  # started some other way: never signal our own process group
    print(f"{what} (pid {pid})")
    return True


def pack_outdated() -> str | None:
    """Why the pack must be (re)made: missing, or made before the extra-CelebA zip was there."""
    if not os.path.exists(PACK):
        return "no training pack yet"
    import numpy as np

    from yardstick import REFERENCE_COUNT

    with np.load(PACK) as pack:
        held = int((pack["split"] == 1).sum())  # reads one small array, not the images
    if held != REFERENCE_COUNT and os.path.exists(os.path.join(DATASETS, "celeba", "img_align_celeba_more.zip")):
        return f"the pack has {held} held-out images, the yardstick's reference needs {REFERENCE_COUNT} (all of them)"
    return None


def cmd_start(args) -> None:
    if running_pid():
        print(f"G is already training (pid {running_pid()}); log: {LOG}")
        return
    why = pack_outdated()
    if why:
        print(f"{why}: running prepare.py (about a minute)", flush=True)
        subprocess.run([PY, os.path.join(HERE, "prepare.py")], check=True)
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", PYTHONUNBUFFERED="1")
    cmd = ["nice", "-n", str(args.nice), PY, os.path.join(HERE, "train_gan.py"), "--ckpt", CKPT,
           "--kimg", str(args.kimg), "--threads", str(args.threads), "--device", args.device]
    if args.init:
        cmd += ["--init", args.init]
    cmd += ["--oversample", args.oversample]
    os.makedirs(WORK, exist_ok=True)
    with open(LOG, "a") as log:
        log.write(f"\n# {datetime.datetime.now().isoformat(timespec='seconds')} {' '.join(cmd)}\n")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=HERE, env=env, start_new_session=True)
    with open(PID, "w") as fh:
        fh.write(str(proc.pid))
    time.sleep(3)
    if proc.poll() is not None:
        raise SystemExit(f"training stopped at once (exit {proc.returncode}); see {LOG}")
    print(f"G is training in the background (pid {proc.pid}, {args.threads} threads, nice {args.nice}); log: {LOG}")
    print("pause it while benchmarks run: training/campaign.py pause / resume; before submitting: campaign.py keep")


def cmd_status(_args) -> None:
    pid = running_pid()
    print(f"G: {training_state()}{f' (pid {pid})' if pid else ''}")
    if os.path.exists(LOG):
        lines = [l for l in open(LOG).read().splitlines() if l.strip()]
        print("\n".join(lines[-4:]))


def shipped_numbers() -> dict | None:
    info = json.load(open(os.path.join(MODELS, "generator_info.json")))
    return info.get("yardstick")


def update_history(entry: dict) -> list[dict]:
    hist = json.load(open(HISTORY)) if os.path.exists(HISTORY) else []
    hist = [h for h in hist if h.get("fingerprint") != entry["fingerprint"]]  # the same G measured again
    hist.append(entry)
    with open(HISTORY, "w") as fh:
        json.dump(hist, fh, indent=1)
    return hist


def card_table(hist: list[dict]) -> str:
    rows = ["| date | G | images seen | training hours | FD_F | FD_HOG | BRISQUE (real: {r}) | Laplacian sharpness (real: {s}) "
            "| asked-for cFD_F / cFD_HOG | words met (F / judge) | verdict | seeds 1–16 | asked-for faces |"
            .format(r=hist[-1].get("brisque_real", "?"), s=hist[-1].get("sharpness_real", "?")),
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for h in hist:
        grid = f"![{h['images_seen']:,} images]({h['grid']})" if h.get("grid") else ""
        a = h.get("asked_for")
        asked = f"{a['cfd_f']} / {a['cfd_hog']}" if a else "–"
        met = f"{a['f_success']} / {a['judge_success'] if a.get('judge_success') is not None else '–'}" if a else "–"
        asked_grid = f"[grid]({h['asked_grid']})" if h.get("asked_grid") else ""
        rows.append(f"| {h['date']} | {h.get('version', '')} | {h['images_seen']:,} | {h['train_hours']} | {h['fd_f']} | "
                    f"{h.get('fd_hog', '–')} | {h['brisque']} | {h['sharpness']} | {asked} | {met} | {h['verdict']} | "
                    f"{grid} | {asked_grid} |")
    return "\n".join(rows)


def update_card(hist: list[dict]) -> None:
    text = open(CARD).read()
    if CARD_BEGIN not in text:
        return
    head, rest = text.split(CARD_BEGIN, 1)
    _, tail = rest.split(CARD_END, 1)
    open(CARD, "w").write(f"{head}{CARD_BEGIN}\n{card_table(hist)}\n{CARD_END}{tail}")


def history_grid(models_dir: str, images: int) -> str:
    """models/history/grid_<kimg>k.png: seeds 1-16 (8 x 2, 64 px) of a measured G, for the model card."""
    tmp = os.path.join(WORK, "history_grid")
    npm_face(models_dir, 1, 16, tmp)
    name = f"grid_{images // 1000}k.png"
    os.makedirs(os.path.join(MODELS, "history"), exist_ok=True)
    card_tables.grid(tmp, n=16, cols=8, cell=64, out=os.path.join(MODELS, "history", name))
    return f"history/{name}"


def write_samples(models_dir: str, out: str) -> None:
    """The model card's samples.png: seeds 1-64 of a G, unedited."""
    tmp = os.path.join(WORK, "grid")
    npm_face(models_dir, 1, 64, tmp)
    card_tables.grid(tmp, out=out)


def cmd_keep(args) -> None:
    ckpt = args.checkpoint or CKPT
    if not os.path.exists(ckpt):
        raise SystemExit(f"no checkpoint at {ckpt}: start the campaign first")
    was_running = training_state() == "training"
    if was_running:
        signal_training(signal.SIGSTOP, "paused training while measuring")
    try:
        ratchet(ckpt, args.asked_for_always, not args.shipped_critic)
    finally:
        if was_running:
            signal_training(signal.SIGCONT, "training resumed")


def lost_attributes(shipped: str, candidate: str) -> list:
    """The added attributes (`npm run attribute -- add`) in the shipped axes.json that the candidate's lacks."""
    def added(path: str) -> set:
        try:
            return set(json.load(open(path)).get("added", {}))
        except (OSError, ValueError):
            return set()
    return sorted(added(shipped) - added(candidate))


def shipped_asked_for(measure) -> dict:
    """The shipped G's asked-for numbers: recorded in generator_info.json when they were measured with this
    version of the asked-for yardstick, this engine (src/, prompts/ as committed) and these model files (axes,
    surrogate, the guard's), else measured now (and recorded, so the next keep reads them)."""
    import asked_for
    path = os.path.join(MODELS, "generator_info.json")
    info = json.load(open(path))
    old = info.get("asked_for")
    if (old and old.get("asked_for") == asked_for.VERSION and old.get("seeds") == [asked_for.FIRST_SEED, asked_for.SEEDS]
            and old.get("engine") == asked_for.engine_version() and "+uncommitted" not in old.get("engine", "")
            and old.get("models") == asked_for.models_prints(MODELS)):
        return old
    print("measuring the shipped G's asked-for faces (asked_for.py)", flush=True)
    old = measure(MODELS)
    info["asked_for"] = old
    with open(path, "w") as fh:
        json.dump(info, fh, indent=1)
    return old


def fit_candidate_controls() -> str:
    """The candidate's axes and surrogate, in the scratch folder: what the engine would steer it with."""
    print("discovering the feature axes for the new G (npm run axes, on the candidate)", flush=True)
    candidate_axes = os.path.join(CANDIDATE, "axes.json")
    # an earlier keep's axes.json would be read for the added attributes' probes: the shipped one must be
    for stale in (candidate_axes, os.path.join(CANDIDATE, "surrogate.json")):  # an earlier keep's: another G's
        if os.path.exists(stale):
            os.remove(stale)
    axes = ["npm", "run", "--silent", "axes", "--", "--models-dir", CANDIDATE, "--out", candidate_axes]
    subprocess.run(axes, cwd=REPO, check=True)
    # the surrogate the loop steers by is fitted on faces moved along these axes; then the axes' calibration
    # (which marks them reliable or weak) is measured again with the loop the engine will run
    print("fitting the surrogate for the new G (npm run surrogate), then calibrating the axes with it", flush=True)
    subprocess.run(["npm", "run", "--silent", "surrogate", "--", "--models-dir", CANDIDATE], cwd=REPO, check=True)
    subprocess.run(axes, cwd=REPO, check=True)
    lost = lost_attributes(os.path.join(MODELS, "axes.json"), candidate_axes)
    if lost:
        print(f"WARNING: the new axes.json lacks the added attribute(s) {', '.join(lost)}; add them again "
              "(README, \"Your own attribute\") before committing", flush=True)
    return candidate_axes


CRITIC_FILES = ("critic.onnx", "critic.json", "critic_metrics.json")


def fit_candidate_critic() -> None:
    """The realism critic for the candidate, in the scratch folder (train_critic.py --render, ~10 minutes): the
    shipped critic learned the shipped G's failures, and a candidate judged by it is judged by another G's faults.
    Measured (docs/seed-search-and-realism.md, "The ratchet's critic"): the 1,878k candidate's asked-for faces with
    the shipped critic cFD_F 27.98 / cFD_HOG 2.191 / judge 0.798, with its own 27.36 / 2.151 / 0.808. The faces it
    learns from are drawn by the candidate with the shipped critic guarding, as the shipped critic's were."""
    print("training the realism critic on the new G's faces (train_critic.py --render)", flush=True)
    own = os.path.join(CANDIDATE, "own_critic")
    shutil.rmtree(own, ignore_errors=True)
    os.makedirs(own)
    faces = os.path.join(WORK, "candidate_critic_faces")
    shutil.rmtree(faces, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(HERE, "train_critic.py"), "--render", faces, "--models-dir", CANDIDATE,
                    "--out", os.path.join(own, "critic.onnx")], cwd=REPO, check=True)
    for name in CRITIC_FILES:
        link = os.path.join(CANDIDATE, name)
        if os.path.lexists(link):
            os.remove(link)  # a link to the shipped critic: never written through
        os.replace(os.path.join(own, name), link)
    shutil.rmtree(faces, ignore_errors=True)


def ratchet(ckpt: str, asked_always: bool = False, own_critic: bool = True) -> None:
    import asked_for
    import export  # torch import is slow: only here
    import yardstick

    files = export.export_gan(ckpt, CANDIDATE)
    # `npm run axes` on the candidate needs F; the realism guard's files come along so that its asked-for faces are
    # drawn as the engine would draw them if it were installed (a new G keeps the shipped F, density and critic)
    for name in CRITIC_FILES:  # an earlier keep's own critic: another G's
        if os.path.lexists(os.path.join(CANDIDATE, name)):
            os.remove(os.path.join(CANDIDATE, name))
    for name in ("classifier.onnx",) + asked_for.GUARD_FILES:
        link = os.path.join(CANDIDATE, name)
        if os.path.exists(os.path.join(MODELS, name)) and not os.path.lexists(link):
            os.symlink(os.path.join(MODELS, name), link)
    new = yardstick.measure(CANDIDATE, PACK)
    old = shipped_numbers()
    if not old or any(old.get(k) != new[k] for k in ("yardstick", "reference", "truncation")) or "fd_hog" not in old:
        print("measuring the shipped G with the same yardstick", flush=True)
        old = yardstick.measure(MODELS, PACK)
    ok, why = yardstick.better(new, old)
    info = json.load(open(files["generator_info.json"]))
    kimg = info["images_seen"] // 1000
    entry = {"date": datetime.date.today().isoformat(), "version": f"v{info['version']}", "images_seen": info["images_seen"],
             "train_hours": info["train_hours"], "fingerprint": info["fingerprint"],
             **{k: new[k] for k in ("fd_f", "fd_hog", "brisque", "brisque_real", "sharpness", "sharpness_real")},
             "verdict": "kept" if ok else "not better: shipped G kept",
             "grid": history_grid(CANDIDATE, info["images_seen"])}
    print(json.dumps({"shipped": old, "candidate": new}, indent=1))
    print(("better on unedited seeds. " if ok else "NOT BETTER on unedited seeds. ") + why, flush=True)
    asked_new = None
    if ok or asked_always:
        # the faces people ask for: measured with the candidate's own axes and surrogate, as the engine would run it
        candidate_axes = fit_candidate_controls()
        if own_critic:
            fit_candidate_critic()
        os.makedirs(os.path.join(MODELS, "history"), exist_ok=True)
        asked_old = shipped_asked_for(lambda d: asked_for.measure(d, PACK))
        asked_new = asked_for.measure(CANDIDATE, PACK, grid=os.path.join(MODELS, "history", f"asked_{kimg}k.jpg"))
        asked_ok, asked_why = asked_for.better_or_same(asked_new, asked_old)
        print(json.dumps({"shipped": {k: v for k, v in asked_old.items() if k != "rows"},
                          "candidate": {k: v for k, v in asked_new.items() if k != "rows"}}, indent=1))
        print(("asked-for faces no worse. " if asked_ok else "WORSE on asked-for faces. ") + asked_why, flush=True)
        entry.update({"asked_for": {k: asked_new[k] for k in ("cfd_f", "cfd_hog", "f_success", "judge_success")},
                      "asked_grid": f"history/asked_{kimg}k.jpg"})
        if not asked_ok:
            entry["verdict"] = ("better on seeds, worse on asked-for faces: shipped G kept" if ok else
                                "not better on seeds, worse on asked-for faces: shipped G kept")
        ok = ok and asked_ok
    print("BETTER: installing." if ok else "NOT INSTALLED: the shipped G stays.", flush=True)
    if ok:
        # everything was made in the scratch folder first, so a failure leaves the shipped models whole
        write_samples(CANDIDATE, os.path.join(CANDIDATE, "samples.png"))
        info["yardstick"] = new
        info["asked_for"] = asked_new
        with open(files["generator_info.json"], "w") as fh:
            json.dump(info, fh, indent=1)
        export.install_gan({**files, "axes.json": candidate_axes,
                            "surrogate.json": os.path.join(CANDIDATE, "surrogate.json"),
                            "samples.png": os.path.join(CANDIDATE, "samples.png")})
        for name in CRITIC_FILES if own_critic else ():  # the critic the candidate was judged with ships with it
            shutil.copyfile(os.path.join(CANDIDATE, name), os.path.join(MODELS, name) + ".tmp")
            os.replace(os.path.join(MODELS, name) + ".tmp", os.path.join(MODELS, name))
            print(f"installed {os.path.join(MODELS, name)}")
    update_card(update_history(entry))
    print("installed: commit models/, training/resume/gan.pt and tests/fixtures/generator_parity.json" if ok else
          "commit models/generator_history.json, models/MODEL_CARD.md and the new grid in models/history/: "
          "a verdict is part of the record")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="resume G's training in the background")
    s.add_argument("--threads", type=int, default=2, help="torch threads (measured: see training/README.md)")
    s.add_argument("--nice", type=int, default=10, help="CPU priority: interactive work stays responsive")
    s.add_argument("--kimg", type=float, default=100_000, help="stop after this many thousand images in all")
    s.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    s.add_argument("--init", help="weights to start from when training/work/gan.pt does not exist "
                                  "(default: the shipped training/resume/gan.pt)")
    # measured 2026-12-06: with sampling.ASKED_FOR, unedited seeds drifted from the reference (FD_F 8.924 -> 9.222 at
    # +86k images, 10.119 at +184k) and asked-for faces stayed about the same, so the campaign trains uniformly again;
    # one measured cause is who G draws (ASKED_FOR raises the drawn share of men 43% -> 54%): ASKED_FOR_BALANCED keeps it
    s.add_argument("--oversample", default="",
                   help=f"attributes G sees more often than their share (sampling.py), e.g. '{ASKED_FOR_BALANCED}' or the "
                        f"appearance groups '{APPEARANCE}'; '' = uniform")
    sub.add_parser("status", help="is G training, and how far")
    sub.add_parser("pause", help="SIGSTOP the training (benchmarks)")
    sub.add_parser("resume", help="SIGCONT the training")
    sub.add_parser("stop", help="checkpoint and stop")
    k = sub.add_parser("keep", help="export, measure, and install the new G only if it is better")
    k.add_argument("--checkpoint", help="a full checkpoint (default training/work/gan.pt)")
    k.add_argument("--shipped-critic", action="store_true",
                   help="judge the candidate's asked-for faces with the shipped realism critic instead of training its own (~10 minutes less)")
    k.add_argument("--asked-for-always", action="store_true",
                   help="fit the candidate's axes and surrogate and measure its asked-for faces even when it is not "
                        "better on unedited seeds (a report of what the training did; ~15 more minutes)")
    args = ap.parse_args()
    if args.cmd == "start":
        cmd_start(args)
    elif args.cmd == "status":
        cmd_status(args)
    elif args.cmd == "pause":
        signal_training(signal.SIGSTOP, "paused")
    elif args.cmd == "resume":
        signal_training(signal.SIGCONT, "resumed")
    elif args.cmd == "stop":
        signal_training(signal.SIGCONT, "resumed for a clean stop") and signal_training(signal.SIGTERM, "stopping")
    else:
        cmd_keep(args)


if __name__ == "__main__":
    main()
