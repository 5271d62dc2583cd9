"""Gaussian NLL against PyTorch's gaussian_nll_loss; the VAE KL against
torch.distributions' closed form and hand derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossdrill.references.probabilistic import gaussian_kl, gaussian_nll_loss


def t(torch, x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


# ---------------------------------------------------------------------------- Gaussian NLL


def torch_gnll(torch, y, mu, var, eps, full):
    return torch.nn.functional.gaussian_nll_loss(
        t(torch, mu), t(torch, y), t(torch, var), full=full, eps=eps, reduction="mean"
    ).item()


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("eps", [1e-6, 1e-12, 0.5])
@pytest.mark.parametrize(
    ("seed", "shape", "var_scale"),
    [(1, (1,), 1.0), (2, (32,), 0.1), (3, (8, 4), 10.0), (4, (50,), 1e-3)],
)
def test_gaussian_nll_matches_torch(torch, seed, shape, var_scale, eps, full):
    rng = np.random.default_rng(seed)
    y, mu = rng.standard_normal((2, *shape))
    var = var_scale * rng.random(shape)
    expected = torch_gnll(torch, y, mu, var, eps, full)
    got = gaussian_nll_loss(y, mu, var, eps=eps, full=full)
    assert got == pytest.approx(expected, rel=1e-10, abs=1e-14)


def test_gaussian_nll_clamps_the_variance_at_eps(torch):
    # var = 0 and var = 1e-9 are both read as eps = 1e-6: ½(log 1e-6 + 0.5²/1e-6)
    expected = 0.5 * (math.log(1e-6) + 0.25 / 1e-6)
    for var in (0.0, 1e-9):
        assert gaussian_nll_loss([0.5], [0.0], [var]) == pytest.approx(expected, rel=1e-14)
        assert torch_gnll(torch, [0.5], [0.0], [var], 1e-6, False) == pytest.approx(
            expected, rel=1e-14
        )
    # a variance above eps is left alone
    assert gaussian_nll_loss([1.0], [0.0], [4.0]) == pytest.approx(
        0.5 * (math.log(4.0) + 0.25), rel=1e-15
    )


def test_gaussian_nll_full_adds_half_log_two_pi():
    y, mu, var = [1.0, -2.0], [0.0, 0.5], [2.0, 0.3]
    gap = gaussian_nll_loss(y, mu, var, full=True) - gaussian_nll_loss(y, mu, var)
    assert gap == pytest.approx(0.5 * math.log(2 * math.pi), rel=1e-13)


def test_gaussian_nll_shared_variance_broadcasts_and_matches_torch(torch):
    rng = np.random.default_rng(5)
    y, mu = rng.standard_normal((2, 6, 3))
    var = np.full((6, 1), 0.7)
    expected = torch_gnll(torch, y, mu, var, 1e-6, False)
    assert gaussian_nll_loss(y, mu, var) == pytest.approx(expected, rel=1e-12)
    assert gaussian_nll_loss(y, mu, 0.7) == pytest.approx(expected, rel=1e-12)


def test_gaussian_nll_negative_variance_is_an_error_as_in_torch(torch):
    with pytest.raises(ValueError):
        gaussian_nll_loss([0.0], [0.0], [-1.0])
    with pytest.raises(ValueError):
        torch_gnll(torch, [0.0], [0.0], [-1.0], 1e-6, False)


def test_gaussian_nll_empty_extremes_and_float32():
    assert gaussian_nll_loss([], [], []) == 0.0
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = gaussian_nll_loss([1e4], [-1e4], [1e-300])
    assert got == pytest.approx(0.5 * (math.log(1e-6) + 4e8 / 1e-6), rel=1e-14)
    rng = np.random.default_rng(2)
    y, mu, v = (rng.random(7).astype(np.float32) for _ in range(3))
    assert gaussian_nll_loss(y, mu, v) == gaussian_nll_loss(
        y.astype(np.float64), mu.astype(np.float64), v.astype(np.float64)
    )


# ---------------------------------------------------------------------------------- VAE KL


def torch_vae_kl(torch, mu, logvar):
    D = torch.distributions
    q = D.Normal(t(torch, mu), torch.exp(0.5 * t(torch, logvar)))
    p = D.Normal(torch.zeros_like(t(torch, mu)), torch.ones_like(t(torch, mu)))
    return D.kl_divergence(q, p).sum(-1).mean().item()


@pytest.mark.parametrize(
    ("seed", "n", "d", "scale"), [(1, 1, 1, 1.0), (2, 16, 8, 1.0), (3, 64, 32, 3.0), (4, 4, 2, 0.1)]
)
def test_vae_kl_matches_torch_distributions(torch, seed, n, d, scale):
    rng = np.random.default_rng(seed)
    mu, logvar = scale * rng.standard_normal((2, n, d))
    assert gaussian_kl(mu, logvar) == pytest.approx(torch_vae_kl(torch, mu, logvar), rel=1e-9)


def test_vae_kl_hand_values():
    # μ = 1, logvar = 0: ½·1; μ = 0, logvar = log 2: ½(2 − 1 − log 2); summed over dims.
    got = gaussian_kl([[1.0, 0.0]], [[0.0, math.log(2)]])
    assert got == pytest.approx(0.5 + 0.5 * (1 - math.log(2)), rel=1e-14)
    # the prior itself: exactly 0
    assert gaussian_kl(np.zeros((3, 4)), np.zeros((3, 4))) == 0.0
    # mean over the batch, not the sum: two samples of KL 0.5 and 0
    assert gaussian_kl([[1.0], [0.0]], [[0.0], [0.0]]) == pytest.approx(0.25, rel=1e-15)


def test_vae_kl_small_log_variance_stays_accurate():
    # e^lv − 1 − lv = lv²/2 + lv³/6 + … : for lv = 1e-6, KL = ½(5e-13 + 1.67e-19).
    lv = 1e-6
    series = 0.5 * (lv**2 / 2 + lv**3 / 6 + lv**4 / 24)
    assert gaussian_kl([0.0], [lv]) == pytest.approx(series, rel=1e-6)


def test_vae_kl_extremes_empty_and_float32():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        # logvar −1e4: e^lv = 0, term ½(0 + 0 − 1 + 1e4)
        assert gaussian_kl([0.0], [-1e4]) == pytest.approx(0.5 * (1e4 - 1), rel=1e-15)
    assert gaussian_kl(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    rng = np.random.default_rng(1)
    m, lv = rng.standard_normal((2, 3, 4)).astype(np.float32)
    assert gaussian_kl(m, lv) == gaussian_kl(m.astype(np.float64), lv.astype(np.float64))
