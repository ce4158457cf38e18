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


if __name__ == "__main__":
    main()
