"""The squared hinge reference against PyTorch (an independent implementation written here)
and a hand-worked example."""

from __future__ import annotations

import numpy as np
import pytest

from lossdrill.references.classification import squared_hinge_loss

CASES = [((1,), 1.0), ((10,), 1.0), ((100,), 3.0), ((4, 5), 10.0), ((2, 3, 4), 0.1), ((50,), 100.0)]


@pytest.mark.parametrize("margin", [1.0, 0.5, 2.5])
@pytest.mark.parametrize(("seed", "case"), list(enumerate(CASES)))
def test_squared_hinge_matches_torch(torch, seed, case, margin):
    shape, scale = case
    rng = np.random.default_rng(seed)
    y = rng.choice([-1.0, 1.0], size=shape)
    s = scale * rng.standard_normal(shape)
    ty, ts = torch.tensor(y), torch.tensor(s)
    expected = torch.clamp(margin - ty * ts, min=0.0).pow(2).mean().item()
    assert squared_hinge_loss(y, s, margin=margin) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_squared_hinge_on_a_hand_worked_example():
    # y = [−1, 1, 1, −1], s = [−2, 3, 0.5, −0.5]: hinges 0, 0, 0.5, 0.5; squares 0, 0, ¼, ¼.
    assert squared_hinge_loss([-1, 1, 1, -1], [-2, 3, 0.5, -0.5]) == pytest.approx(0.125, rel=1e-15)
    # margin 2: hinges 0, 0, 1.5, 1.5 -> squares 2.25 twice, mean 1.125
    assert squared_hinge_loss([-1, 1, 1, -1], [-2, 3, 0.5, -0.5], margin=2.0) == pytest.approx(
        1.125
    )


def test_squared_hinge_of_an_empty_batch_is_zero():
    assert squared_hinge_loss(np.zeros(0), np.zeros(0)) == 0.0
