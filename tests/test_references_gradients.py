"""Gradient references against PyTorch autograd of the per-sample losses."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special

from lossdrill.references import (
    binary_ce_gradient,
    categorical_ce_gradient,
    huber_gradient,
    mae_gradient,
    mse_gradient,
)

RTOL = 1e-12
SHAPES = [(1,), (10,), (4, 5), (2, 3, 4)]


def autograd(torch, per_sample_sum, *, wrt: np.ndarray, other: np.ndarray) -> np.ndarray:
    """∂(Σ per-sample losses)/∂wrt, i.e. the per-sample gradient, by torch autograd."""
    x = torch.tensor(np.asarray(wrt, dtype=np.float64), requires_grad=True)
    per_sample_sum(x, torch.tensor(np.asarray(other, dtype=np.float64))).backward()
    return x.grad.numpy()


def check(got: np.ndarray, expected: np.ndarray) -> None:
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    assert got.shape == expected.shape
    # atol of a few ulps of 1: p − y cancels when p ≈ y = 1 (softmax, sigmoid gradients).
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=2e-15)


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_gradient_is_autograd_of_half_squared_error(torch, shape):
    rng = np.random.default_rng(1)
    y, p = rng.standard_normal(shape), rng.standard_normal(shape)
    expected = autograd(torch, lambda p_, y_: (0.5 * (p_ - y_) ** 2).sum(), wrt=p, other=y)
    check(mse_gradient(y, p), expected)


@pytest.mark.parametrize("shape", SHAPES)
def test_mae_gradient_is_autograd_of_abs_error_with_zero_at_ties(torch, shape):
    rng = np.random.default_rng(2)
    y = rng.integers(-2, 3, size=shape).astype(float)
    p = rng.integers(-2, 3, size=shape).astype(float)  # many exact ties ŷ = y
    expected = autograd(
        torch, lambda p_, y_: torch.nn.functional.l1_loss(p_, y_, reduction="sum"), wrt=p, other=y
    )
    check(mae_gradient(y, p), expected)
    assert mae_gradient([1.0, 1.0, 1.0], [0.0, 1.0, 5.0]).tolist() == [-1.0, 0.0, 1.0]


@pytest.mark.parametrize("delta", [1.0, 0.3, 2.0])
@pytest.mark.parametrize("shape", SHAPES)
def test_huber_gradient_is_autograd_of_torch_huber(torch, shape, delta):
    rng = np.random.default_rng(3)
    y, p = 2 * rng.standard_normal(shape), 2 * rng.standard_normal(shape)
    expected = autograd(
        torch,
        lambda p_, y_: torch.nn.functional.huber_loss(p_, y_, reduction="sum", delta=delta),
        wrt=p,
        other=y,
    )
    check(huber_gradient(y, p, delta=delta), expected)


def test_huber_gradient_clips_at_delta():
    got = huber_gradient([0.0, 0.0, 0.0, 0.0], [0.5, -0.5, 7.0, -1e300], delta=2.0)
    assert got.tolist() == [0.5, -0.5, 2.0, -2.0]


@pytest.mark.parametrize("scale", [1.0, 10.0, 100.0])
@pytest.mark.parametrize("shape", SHAPES)
def test_bce_gradient_is_autograd_of_torch_bce(torch, shape, scale):
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, size=shape).astype(float)
    z = scale * rng.standard_normal(shape)
    expected = autograd(
        torch,
        lambda z_, y_: torch.nn.functional.binary_cross_entropy_with_logits(
            z_, y_, reduction="sum"
        ),
        wrt=z,
        other=y,
    )
    check(binary_ce_gradient(y, z), expected)


def test_bce_gradient_is_finite_at_extreme_logits():
    z = np.array([50.0, -50.0, 800.0, -800.0, 1e4, -1e4])
    y = np.array([1.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = binary_ce_gradient(y, z)
    np.testing.assert_allclose(got, scipy.special.expit(z) - y, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("scale", [1.0, 10.0, 1e3])
@pytest.mark.parametrize(("n", "k"), [(1, 2), (6, 3), (16, 10)])
def test_cce_gradient_is_autograd_of_torch_cross_entropy(torch, n, k, scale):
    rng = np.random.default_rng(n * k)
    onehot = np.eye(k)[rng.integers(0, k, size=n)]
    z = scale * rng.standard_normal((n, k))
    expected = autograd(
        torch,
        lambda z_, y_: torch.nn.functional.cross_entropy(z_, y_, reduction="sum"),
        wrt=z,
        other=onehot,
    )
    check(categorical_ce_gradient(onehot, z), expected)


def test_cce_gradient_rows_sum_to_zero_at_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [800.0, 800.0, -800.0]])
    onehot = np.array([[0, 1, 0], [1, 0, 0]])
    got = categorical_ce_gradient(onehot, z)
    np.testing.assert_allclose(got, [[1.0, -1.0, 0.0], [-0.5, 0.5, 0.0]], rtol=1e-15, atol=0)


def test_gradients_of_integer_and_float32_inputs(torch):
    y_int = np.array([0, 1, 1], dtype=np.int64)
    z32 = np.array([-2.0, 1.5, 0.5], dtype=np.float32)
    np.testing.assert_allclose(
        binary_ce_gradient(y_int, z32),
        scipy.special.expit(z32.astype(np.float64)) - y_int,
        rtol=1e-15,
    )
    y8 = np.array([100], dtype=np.int8)
    p8 = np.array([-100], dtype=np.int8)
    assert mse_gradient(y8, p8).tolist() == [-200.0]  # no int8 wrap-around
