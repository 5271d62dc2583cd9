"""Probabilistic losses: the Gaussian negative log-likelihood with a predicted variance and
the VAE's KL term to a standard normal prior."""

from __future__ import annotations

import math

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float, mean_or_zero

__all__ = ["gaussian_nll_loss", "gaussian_kl"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def gaussian_nll_loss(
    y_true: ArrayLike,
    mean: ArrayLike,
    var: ArrayLike,
    *,
    eps: float = 1e-6,
    full: bool = False,
) -> float:
    """Gaussian negative log-likelihood with a predicted (heteroscedastic) variance.

    σ² = max(var, eps);
    ℓ = ½·(log σ² + (y − μ)² / σ²)  (+ ½·log 2π when ``full``);  L = mean ℓ

    Convention: PyTorch's ``gaussian_nll_loss`` (mean reduction): the variance is clamped
    from below at eps (so a zero variance is allowed), and the constant ½·log 2π is left out
    unless ``full``. A negative variance is an error, as in PyTorch.

    Args:
      y_true: targets y, any shape.
      mean: predicted means μ, broadcastable with ``y_true``.
      var: predicted variances ≥ 0, broadcastable with ``y_true`` (one per element, or one
        shared value).
      eps: the clamp eps > 0.
      full: add the constant ½·log 2π.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Nix & Weigend, "Estimating the Mean and Variance of the Target Probability
      Distribution" (1994); PyTorch ``torch.nn.GaussianNLLLoss``.
    """
    y, mu, v = np.broadcast_arrays(as_float(y_true), as_float(mean), as_float(var))
    if y.size == 0:
        return 0.0
    if np.any(v < 0):
        raise ValueError("gaussian_nll_loss: var has a negative entry")
    v = np.maximum(v, eps)
    per_element = 0.5 * (np.log(v) + (y - mu) ** 2 / v)
    if full:
        per_element = per_element + _HALF_LOG_2PI
    return mean_or_zero(per_element)


def gaussian_kl(mu: ArrayLike, logvar: ArrayLike) -> float:
    """KL divergence of a diagonal Gaussian from the standard normal (the VAE's KL term).

    KL(N(μ, diag e^(logvar)) ‖ N(0, I)) = −½·Σ_j (1 + logvar_j − μ_j² − e^(logvar_j)),
    summed over the latent dimensions (last axis), averaged over the batch.

    Convention: sum over latent dimensions, mean over samples (Kingma & Welling's
    per-sample KL, averaged). Each term is computed as ½·(μ² + (e^lv − 1 − lv)) with
    e^lv − 1 from ``expm1``, which keeps small divergences (lv near 0) accurate.

    Args:
      mu: posterior means μ, shape (n, d) (a 1-D input is one sample).
      logvar: posterior log-variances, same shape.

    Returns:
      The divergence as a float (≥ 0); 0.0 for an empty batch.

    References:
      Kingma & Welling, "Auto-Encoding Variational Bayes" (2014), Appendix B.
    """
    m, lv = np.broadcast_arrays(as_float(mu), as_float(logvar))
    if m.size == 0:
        return 0.0
    if m.ndim == 0:
        m, lv = m.reshape(1), lv.reshape(1)
    with np.errstate(over="ignore"):  # e^lv beyond float64: the divergence is genuinely inf
        terms = 0.5 * (m * m + (np.expm1(lv) - lv))
    return mean_or_zero(np.sum(terms, axis=-1))
