"""Ranking references against PyTorch, scipy and hand derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special

from lossdrill.references import bpr_loss, margin_ranking_loss

RTOL = 1e-10


@pytest.mark.parametrize("margin", [0.0, 0.5, 2.0])
@pytest.mark.parametrize(
    ("seed", "shape", "scale"),
    [(1, (1,), 1.0), (2, (20,), 1.0), (3, (4, 5), 10.0), (4, (100,), 0.1)],
)
def test_margin_ranking_matches_torch(torch, seed, shape, scale, margin):
    rng = np.random.default_rng(seed)
    x1, x2 = scale * rng.standard_normal(shape), scale * rng.standard_normal(shape)
    y = rng.choice([-1.0, 1.0], size=shape)
    expected = torch.nn.functional.margin_ranking_loss(
        torch.tensor(x1), torch.tensor(x2), torch.tensor(y), margin=margin
    ).item()
    assert margin_ranking_loss(x1, x2, y, margin=margin) == pytest.approx(
        expected, rel=RTOL, abs=1e-300
    )


def test_margin_ranking_hand_example():
    # y = 1 wants x1 > x2 + margin: (3 vs 1) is fine, (1 vs 2) costs 1 + 0.5;
    # y = −1 wants x2 > x1 + margin: (0 vs 0.2) costs −0.2 + 0.5.
    got = margin_ranking_loss([3.0, 1.0, 0.0], [1.0, 2.0, 0.2], [1, 1, -1], margin=0.5)
    assert got == pytest.approx((0.0 + 1.5 + 0.3) / 3, rel=1e-14)


@pytest.mark.parametrize(
    ("seed", "shape", "scale"), [(1, (1,), 1.0), (2, (50,), 3.0), (3, (4, 6), 30.0)]
)
def test_bpr_matches_scipy_log_expit_and_torch_logsigmoid(torch, seed, shape, scale):
    rng = np.random.default_rng(seed)
    pos, neg = scale * rng.standard_normal(shape), scale * rng.standard_normal(shape)
    by_scipy = float(np.mean(-scipy.special.log_expit(pos - neg)))
    by_torch = (
        (-torch.nn.functional.logsigmoid(torch.tensor(pos) - torch.tensor(neg))).mean().item()
    )
    got = bpr_loss(pos, neg)
    assert got == pytest.approx(by_scipy, rel=RTOL)
    assert got == pytest.approx(by_torch, rel=RTOL)


def test_bpr_is_stable_for_score_gaps_of_a_thousand(torch):
    pos = np.array([1000.0, -1000.0, 0.0, 40.0, 0.0])
    neg = np.array([-1000.0, 1000.0, 0.0, 0.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = bpr_loss(pos, neg)
    by_torch = (
        (-torch.nn.functional.logsigmoid(torch.tensor(pos) - torch.tensor(neg))).mean().item()
    )
    # By hand: −log σ(2000) ≈ 0, −log σ(−2000) ≈ 2000, log 2, log1p(e^(−40)), 1e4.
    by_hand = (0.0 + 2000.0 + math.log(2) + math.log1p(math.exp(-40)) + 1e4) / 5
    assert got == pytest.approx(by_torch, rel=RTOL)
    assert got == pytest.approx(by_hand, rel=1e-14)
    assert bpr_loss([1000.0], [-1000.0]) == 0.0
    assert bpr_loss([-1000.0], [1000.0]) == 2000.0


def test_bpr_accepts_integer_scores():
    assert bpr_loss([2, 0], [0, 0]) == pytest.approx(
        (math.log1p(math.exp(-2)) + math.log(2)) / 2, rel=1e-14
    )
