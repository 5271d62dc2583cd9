"""Regression losses: squared, absolute, Huber, quantile (pinball), log-cosh, Poisson.

Every loss takes arrays of any (broadcast-compatible) shape, averages over all elements and
returns a Python float; an empty batch gives ``0.0``.
"""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float, mean_or_zero


def mse_loss(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean squared error with the ½ factor.

    L = ½ · mean((ŷ − y)²)

    Convention: the ½ (Bishop's convention) makes the per-sample gradient exactly ŷ − y.
    PyTorch's ``F.mse_loss`` and scikit-learn's ``mean_squared_error`` have no ½, so they
    are twice this value.

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Bishop, *Pattern Recognition and Machine Learning* (2006), eq. 1.2.
    """
    errors = as_float(y_pred) - as_float(y_true)
    return 0.5 * mean_or_zero(errors * errors)


def mae_loss(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error.

    L = mean|ŷ − y|

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      PyTorch ``torch.nn.L1Loss`` (mean reduction).
    """
    return mean_or_zero(np.abs(as_float(y_pred) - as_float(y_true)))


def huber_loss(y_true: ArrayLike, y_pred: ArrayLike, *, delta: float = 1.0) -> float:
    """Huber loss: quadratic for small errors, linear beyond ``delta``.

    With e = ŷ − y, the per-element loss is ½e² where |e| ≤ δ and δ(|e| − ½δ) otherwise;
    L is its mean.

    Convention: this is PyTorch's ``HuberLoss(delta)``. ``SmoothL1Loss(beta)`` equals this
    divided by beta.

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.
      delta: the threshold δ > 0 where the loss turns linear.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Huber, "Robust Estimation of a Location Parameter", Ann. Math. Statist. (1964).
    """
    abs_errors = np.abs(as_float(y_pred) - as_float(y_true))
    # Branch-free form: with q = min(|e|, δ), ½q² + δ(|e| − q) is ½e² inside and
    # δ(|e| − ½δ) outside, and never squares a huge error.
    quadratic = np.minimum(abs_errors, delta)
    return mean_or_zero(0.5 * quadratic * quadratic + delta * (abs_errors - quadratic))


def quantile_loss(y_true: ArrayLike, y_pred: ArrayLike, *, q: float = 0.5) -> float:
    """Quantile (pinball) loss.

    With e = y − ŷ (target minus prediction), the per-element loss is max(q·e, (q − 1)·e);
    L is its mean. Minimising it makes ŷ the q-th quantile of y.

    Convention: e is y − ŷ, so under-prediction (e > 0) costs q per unit and
    over-prediction costs 1 − q. q = 0.5 gives half the MAE.

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.
      q: the quantile, in (0, 1).

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Koenker & Bassett, "Regression Quantiles", Econometrica (1978).
    """
    errors = as_float(y_true) - as_float(y_pred)
    return mean_or_zero(np.maximum(q * errors, (q - 1.0) * errors))


def log_cosh_loss(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Log-cosh loss.

    L = mean(log(cosh(ŷ − y)))

    It behaves like ½e² for small errors and like |e| − log 2 for large ones.

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.

    Returns:
      The loss as a float; 0.0 for an empty batch. Finite for errors of 1e4 and beyond.

    References:
      optax ``log_cosh``; Chen et al., "Log Hyperbolic Cosine Loss..." (2019).
    """
    abs_errors = np.abs(as_float(y_pred) - as_float(y_true))
    # cosh overflows past |e| ≈ 710, so use log cosh e = logaddexp(e, −e) − log 2. For small
    # |e| that form cancels (log 2 + e²/2 − log 2), so there use
    # log cosh e = log1p(cosh e − 1) = log1p(2 sinh²(e/2)), which is accurate near 0.
    # sinh only sees min(|e|, 1), so it cannot overflow.
    half_sinh = np.sinh(0.5 * np.minimum(abs_errors, 1.0))
    near_zero = np.log1p(2.0 * half_sinh * half_sinh)
    far = np.logaddexp(abs_errors, -abs_errors) - np.log(2.0)
    return mean_or_zero(np.where(abs_errors < 1.0, near_zero, far))


def poisson_nll_with_log_input(y_true: ArrayLike, log_rate: ArrayLike) -> float:
    """Poisson negative log-likelihood with the rate given as its logarithm.

    With z = log λ, L = mean(e^z − y·z).

    Convention: the constant log(y!) is dropped, as in PyTorch's
    ``PoissonNLLLoss(log_input=True, full=False)``. Taking log λ as input keeps λ > 0
    without a clamp.

    Args:
      y_true: observed counts y ≥ 0, any shape.
      log_rate: predicted log-rates z, broadcastable with ``y_true``.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      PyTorch ``torch.nn.PoissonNLLLoss``.
    """
    z = as_float(log_rate)
    return mean_or_zero(np.exp(z) - as_float(y_true) * z)
