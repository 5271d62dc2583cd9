"""Per-sample gradients of the losses with respect to their prediction or logit input.

Each returns ∂ℓ_i/∂(input_i) for the per-sample loss ℓ_i — not divided by the batch size —
as a float64 array of the broadcast input shape.
"""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float
from lossdrill.references.classification import sigmoid, softmax


def mse_gradient(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """Gradient of the per-sample squared error ½(ŷ − y)² with respect to ŷ.

    ∂/∂ŷ ½(ŷ − y)² = ŷ − y

    Convention: the ½ in the loss is what makes the gradient exactly ŷ − y (without it,
    2(ŷ − y)).

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.

    Returns:
      ŷ − y, float64, of the broadcast shape.

    References:
      Bishop, *Pattern Recognition and Machine Learning* (2006), §3.1.1.
    """
    return as_float(y_pred) - as_float(y_true)


def mae_gradient(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """(Sub)gradient of the per-sample absolute error |ŷ − y| with respect to ŷ.

    ∂/∂ŷ |ŷ − y| = sign(ŷ − y), taking 0 where ŷ = y

    Convention: 0 at the kink is the subgradient PyTorch's autograd returns for ``abs``.

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.

    Returns:
      Values in {−1, 0, 1}, float64, of the broadcast shape.

    References:
      PyTorch ``torch.sign``.
    """
    return np.sign(as_float(y_pred) - as_float(y_true))


def huber_gradient(y_true: ArrayLike, y_pred: ArrayLike, *, delta: float = 1.0) -> np.ndarray:
    """Gradient of the per-sample Huber loss with respect to ŷ.

    ∂/∂ŷ huber_δ(ŷ − y) = clip(ŷ − y, −δ, δ)

    Convention: the Huber loss is ½e² for |e| ≤ δ and δ(|e| − ½δ) beyond (PyTorch's
    ``HuberLoss``), so the gradient is e inside and ±δ outside.

    Args:
      y_true: targets y, any shape.
      y_pred: predictions ŷ, broadcastable with ``y_true``.
      delta: the threshold δ > 0.

    Returns:
      clip(ŷ − y, −δ, δ), float64, of the broadcast shape.

    References:
      Huber (1964); PyTorch ``torch.nn.HuberLoss``.
    """
    return np.clip(as_float(y_pred) - as_float(y_true), -delta, delta)


def binary_ce_gradient(y_true: ArrayLike, logits: ArrayLike) -> np.ndarray:
    """Gradient of the per-sample binary cross-entropy with respect to the logit z.

    ∂/∂z −[y·log σ(z) + (1 − y)·log(1 − σ(z))] = σ(z) − y

    Args:
      y_true: labels y ∈ {0, 1}, any shape.
      logits: logits z, broadcastable with ``y_true``.

    Returns:
      σ(z) − y, float64, of the broadcast shape; in [−1, 1].

    References:
      Bishop, *Pattern Recognition and Machine Learning* (2006), eq. 4.91.
    """
    # The stable sigmoid never overflows, even for logits of ±1e4.
    return sigmoid(logits) - as_float(y_true)


def categorical_ce_gradient(y_true: ArrayLike, logits: ArrayLike) -> np.ndarray:
    """Gradient of the per-row categorical cross-entropy with respect to the logits.

    ∂/∂z_j (logsumexp(z) − Σ_i y_i·z_i) = softmax(z)_j − y_j

    Convention: one-hot rows y (n, k), classes along the last axis; per row, not divided by n.

    Args:
      y_true: one-hot targets, shape (n, k).
      logits: logits z, shape (n, k).

    Returns:
      softmax(z) − y, float64, shape (n, k).

    References:
      Bishop, *Pattern Recognition and Machine Learning* (2006), eq. 4.109.
    """
    # The max-shifted softmax never overflows.
    return softmax(logits) - as_float(y_true)
