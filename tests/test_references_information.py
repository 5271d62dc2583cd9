"""KL divergence reference against scipy, PyTorch and hand derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special

from lossdrill.references import kl_divergence

RTOL = 1e-10


def distributions(seed: int, shape: tuple[int, ...], zeros: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.random(shape) ** 3
    if zeros:
        w[rng.random(shape) < 0.3] = 0.0
        w[..., 0] += 0.1  # keep every row non-empty
    return w / w.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize(("n", "k"), [(1, 2), (5, 3), (32, 10), (4, 1000)])
def test_kl_matches_torch_batchmean_and_scipy_rel_entr(torch, n, k, zeros):
    p = distributions(n * k, (n, k), zeros=zeros)
    q = distributions(n * k + 1, (n, k))
    # torch's argument order: log q first, then the target p.
    by_torch = torch.nn.functional.kl_div(
        torch.tensor(q).log(), torch.tensor(p), reduction="batchmean"
    ).item()
    by_scipy = float(np.sum(scipy.special.rel_entr(p, q)) / n)
    got = kl_divergence(p, q)
    assert got == pytest.approx(by_torch, rel=RTOL)
    assert got == pytest.approx(by_scipy, rel=RTOL)


def test_kl_of_one_distribution_matches_torch_sum(torch):
    p = distributions(1, (7,), zeros=True)
    q = distributions(2, (7,))
    expected = torch.nn.functional.kl_div(
        torch.tensor(q).log(), torch.tensor(p), reduction="sum"
    ).item()
    assert kl_divergence(p, q) == pytest.approx(expected, rel=RTOL)


def test_kl_averages_over_all_leading_axes():
    p = distributions(3, (2, 3, 5))
    q = distributions(4, (2, 3, 5))
    expected = float(np.sum(scipy.special.rel_entr(p, q)) / 6)
    assert kl_divergence(p, q) == pytest.approx(expected, rel=RTOL)


def test_kl_hand_example_and_asymmetry():
    # KL([½, ½] ‖ [¼, ¾]) = ½ log 2 + ½ log(2/3); the reverse direction differs.
    forward = 0.5 * math.log(2) + 0.5 * math.log(2 / 3)
    backward = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(forward, rel=1e-14)
    assert kl_divergence([0.25, 0.75], [0.5, 0.5]) == pytest.approx(backward, rel=1e-14)


def test_kl_treats_zero_probability_terms_as_zero_without_warnings():
    # 0·log(0/q) = 0, also where q is 0 too: KL([1, 0] ‖ [½, ½]) = log 2.
    with np.errstate(all="raise"):
        assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)
        assert kl_divergence([[1.0, 0.0, 0.0]], [[0.5, 0.5, 0.0]]) == pytest.approx(
            math.log(2), rel=1e-15
        )


def test_kl_of_a_distribution_with_itself_is_zero():
    p = distributions(5, (4, 6), zeros=True)
    assert kl_divergence(p, p) == 0.0


def test_kl_is_infinite_where_q_misses_mass_of_p():
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf


def test_kl_with_tiny_q_does_not_overflow():
    # log p − log q with q = 1e-320 (subnormal): p/q would overflow to inf.
    expected = 0.5 * (math.log(0.5) - math.log(1e-320)) + 0.5 * math.log(0.5)
    assert kl_divergence([0.5, 0.5], [1e-320, 1.0 - 1e-320]) == pytest.approx(expected, rel=1e-12)


def test_kl_accepts_float32_inputs(torch):
    p = distributions(6, (3, 4)).astype(np.float32)
    q = distributions(7, (3, 4)).astype(np.float32)
    expected = torch.nn.functional.kl_div(
        torch.tensor(q.astype(np.float64)).log(),
        torch.tensor(p.astype(np.float64)),
        reduction="batchmean",
    ).item()
    assert kl_divergence(p, q) == pytest.approx(expected, rel=RTOL)
