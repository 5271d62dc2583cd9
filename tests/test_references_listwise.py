"""ListNet and ListMLE against PyTorch and loops written from Cao et al. 2007 and Xia et al.
2008."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossdrill.references.listwise import listmle_loss, listnet_loss


def t(torch, x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


def loops_listmle(scores, relevance):
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    relevance = np.atleast_2d(np.asarray(relevance, dtype=float))
    total = []
    for s, r in zip(scores.tolist(), relevance.tolist(), strict=True):
        order = sorted(range(len(r)), key=lambda i: (-r[i], i))  # ties: lower index first
        ranked = [s[i] for i in order]
        nll = 0.0
        for i in range(len(ranked)):
            rest = ranked[i:]
            top = max(rest)
            nll += top + math.log(math.fsum(math.exp(x - top) for x in rest)) - ranked[i]
        total.append(nll)
    return math.fsum(total) / len(total)


def loops_listnet(scores, relevance):
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    relevance = np.atleast_2d(np.asarray(relevance, dtype=float))
    total = []
    for s, r in zip(scores.tolist(), relevance.tolist(), strict=True):
        rt, st = max(r), max(s)
        zr = math.fsum(math.exp(x - rt) for x in r)
        log_zs = st + math.log(math.fsum(math.exp(x - st) for x in s))
        total.append(
            -math.fsum(math.exp(a - rt) / zr * (b - log_zs) for a, b in zip(r, s, strict=True))
        )
    return math.fsum(total) / len(total)


CASES = [(1, (1, 1)), (2, (1, 5)), (3, (8, 10)), (4, (32, 4)), (5, (3, 50))]


@pytest.mark.parametrize(("seed", "shape"), CASES)
def test_listnet_matches_torch_and_loops(torch, seed, shape):
    rng = np.random.default_rng(seed)
    scores = 2.0 * rng.standard_normal(shape)
    relevance = rng.integers(0, 4, size=shape).astype(float)
    F = torch.nn.functional
    by_torch = (
        -(F.softmax(t(torch, relevance), dim=-1) * F.log_softmax(t(torch, scores), dim=-1))
        .sum(-1)
        .mean()
        .item()
    )
    got = listnet_loss(scores, relevance)
    assert got == pytest.approx(by_torch, rel=1e-10)
    assert got == pytest.approx(loops_listnet(scores, relevance), rel=1e-12)


@pytest.mark.parametrize(("seed", "shape"), CASES)
def test_listmle_matches_torch_and_loops(torch, seed, shape):
    rng = np.random.default_rng(seed)
    scores = 2.0 * rng.standard_normal(shape)
    relevance = rng.integers(0, 4, size=shape).astype(float)  # many ties
    got = listmle_loss(scores, relevance)
    assert got == pytest.approx(loops_listmle(scores, relevance), rel=1e-12)
    order = torch.sort(t(torch, relevance), dim=-1, descending=True, stable=True).indices
    ranked = torch.gather(t(torch, scores), -1, order)
    suffix = torch.flip(torch.logcumsumexp(torch.flip(ranked, [-1]), -1), [-1])
    assert got == pytest.approx((suffix - ranked).sum(-1).mean().item(), rel=1e-10)


def test_listmle_ties_keep_index_order():
    # relevance (1, 1): the ideal permutation is (0, 1); loss = log(e^s0 + e^s1) − s0.
    s = [0.0, 2.0]
    assert listmle_loss(s, [1.0, 1.0]) == pytest.approx(math.log(1 + math.e**2), rel=1e-15)
    # the other tie order would give log(1 + e²) − 2: a different number
    assert listmle_loss(s, [0.0, 1.0]) == pytest.approx(math.log(1 + math.e**2) - 2, rel=1e-14)


def test_listmle_hand_value_three_items():
    # relevance (3, 2, 1), scores (1, 2, 3): −log[e¹/(e¹+e²+e³)·e²/(e²+e³)·1]
    e = math.e
    expected = -(math.log(e / (e + e**2 + e**3)) + math.log(e**2 / (e**2 + e**3)))
    assert listmle_loss([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) == pytest.approx(expected, rel=1e-14)


def test_listnet_hand_value_and_is_cross_entropy_not_kl():
    # equal scores and relevance: CE = entropy of the target = log m, not 0
    assert listnet_loss([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]) == pytest.approx(math.log(3), rel=1e-15)


def test_listwise_extremes_empty_and_float32():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert listmle_loss([1e4, -1e4], [1.0, 0.0]) == 0.0
        assert listmle_loss([-1e4, 1e4], [1.0, 0.0]) == pytest.approx(2e4, rel=1e-15)
        assert listnet_loss([-1e4, 1e4], [1e4, -1e4]) == pytest.approx(2e4, rel=1e-15)
    assert listmle_loss(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    assert listnet_loss(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    rng = np.random.default_rng(3)
    s, r = rng.standard_normal((2, 4, 6)).astype(np.float32)
    for fn in (listnet_loss, listmle_loss):
        assert fn(s, r) == fn(s.astype(np.float64), r.astype(np.float64))
