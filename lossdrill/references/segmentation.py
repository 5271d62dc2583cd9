"""Overlap losses for segmentation beyond Dice: the Tversky loss."""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float

__all__ = ["tversky_loss"]


def tversky_loss(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    *,
    alpha: float = 0.3,
    beta: float = 0.7,
    smooth: float = 1.0,
) -> float:
    """Tversky loss over the whole array.

    TP = Σ y·p, FP = Σ (1 − y)·p, FN = Σ y·(1 − p);
    L = 1 − (TP + s) / (TP + α·FP + β·FN + s),  s = ``smooth``

    Convention: one Tversky index over all elements (not per image or per class). α weights
    false positives, β false negatives (β > α favours recall, for small structures);
    α = β = ½ gives the soft Dice loss (with Dice's smoothing constant 2s). An empty input returns 0.0, and so does a zero
    denominator (s = 0 and nothing predicted or present: perfect agreement).

    Args:
      y_true: target mask y ∈ [0, 1], any shape.
      y_prob: predicted probabilities p ∈ [0, 1], broadcastable with ``y_true``.
      alpha: α ≥ 0, the weight of false positives.
      beta: β ≥ 0, the weight of false negatives.
      smooth: s ≥ 0, added to numerator and denominator.

    Returns:
      The loss as a float.

    References:
      Salehi, Erdogmus & Gholipour, "Tversky loss function for image segmentation using 3D
      fully convolutional deep networks" (2017).
    """
    y, p = np.broadcast_arrays(as_float(y_true), as_float(y_prob))
    if y.size == 0:
        return 0.0
    tp = np.sum(y * p)
    fp = np.sum((1.0 - y) * p)
    fn = np.sum(y * (1.0 - p))
    denominator = tp + alpha * fp + beta * fn + smooth
    if denominator == 0:
        return 0.0
    return float(1.0 - (tp + smooth) / denominator)
