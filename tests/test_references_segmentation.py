"""The Tversky reference against loops and PyTorch written from Salehi et al.'s equation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossdrill.references import dice_loss
from lossdrill.references.segmentation import tversky_loss


def loops_tversky(y, p, alpha, beta, smooth):
    y = np.asarray(y, dtype=float).ravel().tolist()
    p = np.asarray(p, dtype=float).ravel().tolist()
    tp = math.fsum(a * b for a, b in zip(y, p, strict=True))
    fp = math.fsum((1 - a) * b for a, b in zip(y, p, strict=True))
    fn = math.fsum(a * (1 - b) for a, b in zip(y, p, strict=True))
    return 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)


@pytest.mark.parametrize(
    ("alpha", "beta", "smooth"),
    [(0.3, 0.7, 1.0), (0.5, 0.5, 1.0), (0.7, 0.3, 0.0), (1.0, 1.0, 1e-6), (0.0, 1.0, 10.0)],
)
@pytest.mark.parametrize(("seed", "shape"), [(1, (1,)), (2, (64,)), (3, (4, 16, 16))])
def test_tversky_matches_loops_and_torch(torch, seed, shape, alpha, beta, smooth):
    rng = np.random.default_rng(seed)
    y = (rng.random(shape) < 0.3).astype(float)
    p = rng.random(shape)
    expected = loops_tversky(y, p, alpha, beta, smooth)
    got = tversky_loss(y, p, alpha=alpha, beta=beta, smooth=smooth)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-14)
    ty, tp_ = torch.tensor(y), torch.tensor(p)
    tp = (ty * tp_).sum()
    fp = ((1 - ty) * tp_).sum()
    fn = (ty * (1 - tp_)).sum()
    by_torch = (1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)).item()
    assert got == pytest.approx(by_torch, rel=1e-12, abs=1e-14)


def test_tversky_with_half_weights_and_no_smoothing_is_dice():
    # (TP)/(TP + ½FP + ½FN) = 2TP/(2TP + FP + FN) = 2Σyp/(Σy + Σp); the smoothing constants
    # differ (s against 2s), so only s = 0 agrees exactly.
    rng = np.random.default_rng(4)
    y, p = (rng.random(50) < 0.4).astype(float), rng.random(50)
    assert tversky_loss(y, p, alpha=0.5, beta=0.5, smooth=0.0) == pytest.approx(
        dice_loss(y, p, smooth=0.0), rel=1e-13
    )
    assert tversky_loss(y, p, alpha=0.5, beta=0.5, smooth=1.0) == pytest.approx(
        dice_loss(y, p, smooth=2.0), rel=1e-13
    )


def test_tversky_hand_values_and_edges():
    # y = (1, 1, 0), p = (1, 0, 1): TP 1, FP 1, FN 1; s = 0:
    # α = 0.3, β = 0.7 → 1 − 1/(1 + 0.3 + 0.7) = 0.5; α = 0, β = 0 → 0.
    assert tversky_loss([1, 1, 0], [1, 0, 1], smooth=0.0) == pytest.approx(0.5, rel=1e-15)
    assert tversky_loss([1, 1, 0], [1, 0, 1], alpha=0.0, beta=0.0, smooth=0.0) == 0.0
    # β > α punishes a miss (FN) more than a false alarm (FP)
    miss = tversky_loss([1, 1], [1, 0], smooth=0.0)
    false_alarm = tversky_loss([1, 0], [1, 1], smooth=0.0)
    assert miss == pytest.approx(1 - 1 / 1.7, rel=1e-15)
    assert false_alarm == pytest.approx(1 - 1 / 1.3, rel=1e-15)
    # empty input, and nothing present nor predicted with s = 0: 0.0
    assert tversky_loss([], []) == 0.0
    assert tversky_loss([0.0, 0.0], [0.0, 0.0], smooth=0.0) == 0.0
    assert tversky_loss([0.0, 0.0], [0.0, 0.0]) == 0.0


def test_tversky_float32_inputs():
    rng = np.random.default_rng(6)
    y, p = (rng.random(20) < 0.5).astype(np.float32), rng.random(20).astype(np.float32)
    assert tversky_loss(y, p) == tversky_loss(y.astype(np.float64), p.astype(np.float64))
