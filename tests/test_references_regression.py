"""Regression references against PyTorch, scipy and hand derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special

from lossdrill.references import (
    huber_loss,
    log_cosh_loss,
    mae_loss,
    mse_loss,
    poisson_nll_with_log_input,
    quantile_loss,
)

RTOL = 1e-10
SHAPES = [(1,), (7,), (64,), (3, 5), (2, 3, 4)]
SCALES = [1e-3, 1.0, 1e3]


def random_pair(seed: int, shape: tuple[int, ...], scale: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal(shape), scale * rng.standard_normal(shape)


def cases():
    seed = 0
    for shape in SHAPES:
        for scale in SCALES:
            seed += 1
            yield pytest.param(seed, shape, scale, id=f"{shape}-x{scale:g}")


@pytest.mark.parametrize(("seed", "shape", "scale"), list(cases()))
def test_mse_loss_is_half_of_torch_mse(torch, seed, shape, scale):
    y, p = random_pair(seed, shape, scale)
    # torch's mse_loss has no ½; the reference (Bishop's convention) does.
    expected = 0.5 * torch.nn.functional.mse_loss(torch.tensor(p), torch.tensor(y)).item()
    assert mse_loss(y, p) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize(("seed", "shape", "scale"), list(cases()))
def test_mae_loss_matches_torch_l1_loss(torch, seed, shape, scale):
    y, p = random_pair(seed, shape, scale)
    expected = torch.nn.functional.l1_loss(torch.tensor(p), torch.tensor(y)).item()
    assert mae_loss(y, p) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("delta", [1.0, 0.1, 2.5, 100.0])
@pytest.mark.parametrize(("seed", "shape", "scale"), list(cases()))
def test_huber_loss_matches_torch_and_scipy(torch, seed, shape, scale, delta):
    y, p = random_pair(seed, shape, scale)
    by_torch = torch.nn.functional.huber_loss(torch.tensor(p), torch.tensor(y), delta=delta).item()
    by_scipy = float(np.mean(scipy.special.huber(delta, p - y)))
    got = huber_loss(y, p, delta=delta)
    assert got == pytest.approx(by_torch, rel=RTOL)
    assert got == pytest.approx(by_scipy, rel=RTOL)


def test_huber_loss_is_quadratic_inside_and_linear_outside_delta():
    # errors 0.5 (inside δ = 1) and 3 (outside): ½·0.25 = 0.125 and 1·(3 − 0.5) = 2.5
    assert huber_loss([0.0, 0.0], [0.5, -3.0]) == pytest.approx((0.125 + 2.5) / 2, rel=1e-15)


def test_huber_loss_is_finite_for_huge_errors():
    # δ(|e| − ½δ) with e = 1e200: squaring e would overflow.
    assert huber_loss([0.0], [1e200]) == pytest.approx(1e200, rel=1e-15)


@pytest.mark.parametrize("q", [0.5, 0.1, 0.9, 0.99])
@pytest.mark.parametrize(("seed", "shape", "scale"), list(cases()))
def test_quantile_loss_matches_pinball_written_in_torch(torch, seed, shape, scale, q):
    y, p = random_pair(seed, shape, scale)
    e = torch.tensor(y) - torch.tensor(p)
    # Written as q·relu(e) + (1 − q)·relu(−e), a different form from max(q·e, (q − 1)·e).
    expected = (q * torch.relu(e) + (1 - q) * torch.relu(-e)).mean().item()
    assert quantile_loss(y, p, q=q) == pytest.approx(expected, rel=RTOL)


def test_quantile_loss_charges_q_for_under_and_one_minus_q_for_over_prediction():
    # y = 10: predicting 8 under-predicts by 2 (cost 0.9·2), predicting 13 over by 3 (0.1·3).
    assert quantile_loss([10.0, 10.0], [8.0, 13.0], q=0.9) == pytest.approx(
        (1.8 + 0.3) / 2, rel=1e-15
    )


def test_quantile_loss_at_median_is_half_the_mae():
    y, p = random_pair(3, (50,), 1.0)
    expected = 0.5 * float(np.mean(np.abs(y - p)))
    assert quantile_loss(y, p) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(
    ("seed", "shape", "scale"), [(1, (40,), 0.5), (2, (3, 4), 5.0), (3, (9,), 50.0)]
)
def test_log_cosh_loss_matches_direct_formula_on_moderate_errors(torch, seed, shape, scale):
    y, p = random_pair(seed, shape, scale)
    expected = torch.log(torch.cosh(torch.tensor(p) - torch.tensor(y))).mean().item()
    assert log_cosh_loss(y, p) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("error", [1e-150, 1e-8, 1e-5, 1e-3, 1e-2])
def test_log_cosh_loss_keeps_relative_accuracy_for_small_errors(error):
    # Taylor series: log cosh e = e²/2 − e⁴/12 + e⁶/45 − 17e⁸/2520 + …
    e = error
    expected = e**2 / 2 - e**4 / 12 + e**6 / 45 - 17 * e**8 / 2520 + 31 * e**10 / 14175
    # (the truncation error is below 1e-24 relative for e ≤ 0.01; log(cosh(e)) itself would
    # round to 0 below e ≈ 1e-8)
    assert log_cosh_loss([0.0], [e]) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("error", [1e4, -1e4, 800.0, 1e300])
def test_log_cosh_loss_is_finite_for_huge_errors(error):
    # log cosh e = |e| − log 2 + log1p(e^(−2|e|)), and e^(−2|e|) underflows to 0 here.
    expected = abs(error) - math.log(2)
    assert log_cosh_loss([0.0], [error]) == pytest.approx(expected, rel=1e-15)


def test_log_cosh_loss_joins_smoothly_at_the_branch_point():
    errors = np.array([1.0 - 1e-12, 1.0, 1.0 + 1e-12])
    expected = np.log(np.cosh(errors))
    for e, want in zip(errors, expected, strict=True):
        assert log_cosh_loss([0.0], [e]) == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize(
    ("seed", "shape", "scale"), [(1, (30,), 1.0), (2, (4, 6), 3.0), (3, (5,), 0.01)]
)
def test_poisson_nll_matches_torch(torch, seed, shape, scale):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(4.0, size=shape).astype(float)
    log_rate = scale * rng.standard_normal(shape)
    expected = torch.nn.functional.poisson_nll_loss(
        torch.tensor(log_rate), torch.tensor(counts), log_input=True, full=False
    ).item()
    assert poisson_nll_with_log_input(counts, log_rate) == pytest.approx(expected, rel=RTOL)


def test_poisson_nll_matches_negative_log_pmf_minus_log_factorial():
    counts = np.array([0.0, 1.0, 3.0, 7.0])
    rates = np.array([0.5, 2.0, 3.0, 1.5])
    # −log P(y | λ) = λ − y·log λ + log y!; the loss drops the constant log y!.
    nll = rates - counts * np.log(rates) + scipy.special.gammaln(counts + 1)
    expected = float(np.mean(nll - scipy.special.gammaln(counts + 1)))
    assert poisson_nll_with_log_input(counts, np.log(rates)) == pytest.approx(expected, rel=1e-14)


def test_lecture_outlier_example_values():
    # y = [1, 2, 3, 100], ŷ = [1.1, 2.1, 2.9, 10]: errors 0.1, 0.1, −0.1, −90.
    y = [1, 2, 3, 100]
    p = [1.1, 2.1, 2.9, 10]
    assert mse_loss(y, p) == pytest.approx(0.5 * (3 * 0.01 + 8100) / 4, rel=1e-12)
    assert mae_loss(y, p) == pytest.approx((0.3 + 90) / 4, rel=1e-12)
    assert huber_loss(y, p) == pytest.approx((3 * 0.005 + 89.5) / 4, rel=1e-12)


def test_integer_inputs_are_not_subtracted_in_their_own_dtype():
    # In int8, 100 − (−100) wraps to −56; the reference computes in float64.
    y = np.array([100], dtype=np.int8)
    p = np.array([-100], dtype=np.int8)
    assert mse_loss(y, p) == 0.5 * 200.0**2
    assert mae_loss(y, p) == 200.0
    assert quantile_loss(y, p, q=0.25) == 0.25 * 200.0


def test_plain_integer_lists_give_exact_values():
    assert mse_loss([1, 2], [3, 5]) == 3.25  # ½·(4 + 9)/2
    assert mae_loss([1, 2], [3, 5]) == 2.5


def test_float32_inputs_match_torch_on_the_same_values(torch):
    y32, p32 = (a.astype(np.float32) for a in random_pair(11, (100,), 3.0))
    y64, p64 = torch.tensor(y32.astype(np.float64)), torch.tensor(p32.astype(np.float64))
    F = torch.nn.functional
    assert mse_loss(y32, p32) == pytest.approx(0.5 * F.mse_loss(p64, y64).item(), rel=RTOL)
    assert mae_loss(y32, p32) == pytest.approx(F.l1_loss(p64, y64).item(), rel=RTOL)
    assert huber_loss(y32, p32, delta=0.7) == pytest.approx(
        F.huber_loss(p64, y64, delta=0.7).item(), rel=RTOL
    )
