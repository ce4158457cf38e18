"""The campaign's keep must not drop attributes added with `npm run attribute -- add` without a word.

  /usr/bin/python3 training/test_campaign.py    # < 1 s, no torch
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import campaign  # noqa: E402


def write(folder: str, name: str, data: dict) -> str:
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        json.dump(data, fh)
    return path


def main() -> None:
    d = tempfile.mkdtemp(prefix="tellaface-campaign-")
    shipped = write(d, "shipped.json", {"attributes": {}, "added": {"Child": {}, "Bush": {}}})
    kept = write(d, "kept.json", {"attributes": {}, "added": {"Child": {}, "Bush": {}}})
    partial = write(d, "partial.json", {"attributes": {}, "added": {"Bush": {}}})
    none = write(d, "none.json", {"attributes": {}})
    assert campaign.lost_attributes(shipped, kept) == [], "nothing lost when the candidate keeps them all"
    assert campaign.lost_attributes(shipped, partial) == ["Child"], campaign.lost_attributes(shipped, partial)
    assert campaign.lost_attributes(shipped, none) == ["Bush", "Child"]
    assert campaign.lost_attributes(shipped, os.path.join(d, "missing.json")) == ["Bush", "Child"]
    assert campaign.lost_attributes(none, kept) == [], "a candidate may add attributes"
    print("ok: campaign.lost_attributes names the added attributes a new axes.json would drop")
    own_critic_never_overwrites_the_shipped_one()


def own_critic_never_overwrites_the_shipped_one() -> None:
    """fit_candidate_critic replaces the candidate folder's links to the shipped critic with its own files, and
    the shipped files stay as they were (train_critic.py is stood in for: it writes its three files to --out's folder)."""
    d = tempfile.mkdtemp(prefix="tellaface-critic-")
    shipped, candidate = os.path.join(d, "models"), os.path.join(d, "candidate")
    os.makedirs(shipped)
    os.makedirs(candidate)
    for name in campaign.CRITIC_FILES:
        with open(os.path.join(shipped, name), "w") as fh:
            fh.write("shipped")
        os.symlink(os.path.join(shipped, name), os.path.join(candidate, name))
    calls = []

    def fake_run(cmd, **kw):
        calls.append(cmd)
        out = os.path.dirname(cmd[cmd.index("--out") + 1])
        for name in campaign.CRITIC_FILES:
            with open(os.path.join(out, name), "w") as fh:
                fh.write("own")
    saved = campaign.CANDIDATE, campaign.WORK, campaign.subprocess.run
    campaign.CANDIDATE, campaign.WORK, campaign.subprocess.run = candidate, d, fake_run
    try:
        campaign.fit_candidate_critic()
    finally:
        campaign.CANDIDATE, campaign.WORK, campaign.subprocess.run = saved
    assert len(calls) == 1 and "--render" in calls[0] and calls[0][calls[0].index("--models-dir") + 1] == candidate, calls
    for name in campaign.CRITIC_FILES:
        assert open(os.path.join(shipped, name)).read() == "shipped", f"the shipped {name} was written through the link"
        assert not os.path.islink(os.path.join(candidate, name)) and open(os.path.join(candidate, name)).read() == "own"
    print("ok: the candidate's own critic replaces its links and leaves the shipped critic alone")


if __name__ == "__main__":
    main()
