"""The identity network's split, pairs, margin loss and metrics (identity_data.py, models_identity.py,
identity_report.py) on tiny synthetic data (< 1 s; numpy and torch, no dataset)."""
import numpy as np
import torch

from identity_data import is_test_person, people, verification_pairs
from identity_report import auc, best_accuracy
from models_identity import ArcFace, IdentityNet
from onnx_export import L2Normalised
from train_identity import augment


def tiny_pack():
    names = [f"{i:06d}.jpg" for i in range(1, 201)] + ["Ann_Lee_0001.jpg", "Ann_Lee_0002.jpg", "Bo_Day_0001.jpg"]
    source = np.array([0] * 200 + [1] * 3, np.int8)
    ids = {f"{i:06d}.jpg": 1 + (i - 1) // 4 for i in range(1, 197)}  # 49 people x 4 frames; frames 197..200 unlisted
    ids["000196.jpg"] = 999  # a person with one frame only
    return {"names": np.array(names), "source": source}, ids


def test_people_not_frames_are_held_out():
    pack, ids = tiny_pack()
    who = people(pack, ids)
    train, test = who["train_person"], who["test_person"]
    assert not ((train >= 0) & (test >= 0)).any()
    cel = np.array([ids.get(str(n), -1) for n in pack["names"]])
    assert set(cel[test >= 0].tolist()).isdisjoint(cel[train >= 0].tolist())  # no test person has a training frame
    assert all(is_test_person(int(c)) for c in cel[test >= 0])
    assert train[-3:].tolist() == [-1, -1, -1] and test[-3:].tolist() == [-1, -1, -1]  # LFW is never trained on
    assert who["lfw_person"][-3:].tolist() == [0, 0, -1]  # LFW people with >= 2 frames only
    assert train[195] == -1 and test[195] == -1 and train[199] == -1  # one frame, or no identity listed
    assert sorted(set(train[train >= 0].tolist())) == list(range(train.max() + 1))  # dense class ids


def test_about_a_tenth_of_people_are_test_people_and_always_the_same_ones():
    share = np.mean([is_test_person(i) for i in range(1, 10_001)])
    assert 0.08 < share < 0.12
    assert [is_test_person(i) for i in range(50)] == [is_test_person(i) for i in range(50)]


def test_verification_pairs_are_balanced_distinct_and_labelled_right():
    person = np.repeat(np.arange(40), 4)
    person[::7] = -1
    pairs, same = verification_pairs(person, 200, seed=3)
    assert len(pairs) == 200 and same.sum() == 100
    assert len({tuple(p) for p in pairs.tolist()}) == 200
    assert (pairs[:, 0] != pairs[:, 1]).all() and (person[pairs] >= 0).all()
    assert ((person[pairs[:, 0]] == person[pairs[:, 1]]) == (same == 1)).all()
    try:
        verification_pairs(person, 2000, seed=3)
        raise AssertionError("more same-person pairs than exist were asked for and no error came")
    except ValueError as e:
        assert "only" in str(e)


def test_arcface_adds_the_angle_to_the_true_class_only():
    torch.manual_seed(0)
    head = ArcFace(8, 5, s=10.0, m=0.3)
    emb, y = torch.randn(4, 8), torch.tensor([0, 1, 2, 3])
    plain = head(emb, y, m=0.0) / 10
    marg = head(emb, y) / 10
    theta = torch.acos(plain.gather(1, y[:, None]).squeeze(1))
    want = torch.where(theta + 0.3 < torch.pi, torch.cos(theta + 0.3), marg.gather(1, y[:, None]).squeeze(1))
    assert torch.allclose(marg.gather(1, y[:, None]).squeeze(1), want, atol=1e-5)
    other = torch.ones_like(plain, dtype=torch.bool).scatter(1, y[:, None], False)
    assert torch.allclose(marg[other], plain[other])


def test_exported_embeddings_are_unit_length_and_augment_stays_in_range():
    net = L2Normalised(IdentityNet(width=4, dim=16)).eval()
    x = torch.rand(3, 3, 64, 64) * 2 - 1
    with torch.no_grad():
        e = net(x)
    assert e.shape == (3, 16) and torch.allclose(e.norm(dim=1), torch.ones(3), atol=1e-5)
    a = augment(x, torch.Generator().manual_seed(1))
    assert a.shape == x.shape and a.min() >= -1 and a.max() <= 1 and not torch.equal(a, x)
    assert torch.equal(a, augment(x, torch.Generator().manual_seed(1)))


def test_metrics_read_distances_as_lower_is_the_same_person():
    same = np.array([1, 1, 1, 0, 0, 0])
    dist = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.8])
    assert auc(dist, same) == 1.0 and auc(-dist, same) == 0.0
    acc, t = best_accuracy(dist, same)
    assert acc == 1.0 and 0.3 <= t < 0.6


if __name__ == "__main__":
    tests = [fn for name, fn in list(globals().items()) if name.startswith("test_")]
    for fn in tests:
        fn()
    print(f"{len(tests)} passed, 0 failed")
