"""Classification: sigmoid/softmax, cross-entropies from logits, focal, hinge and Dice losses.

Losses return a Python float (an empty batch gives ``0.0``); element-wise functions return
a float64 array of the input's shape. Everything that takes logits is stable for logits of
any finite size.
"""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import (
    ArrayLike,
    as_float,
    as_index,
    log_softmax_last,
    mean_or_zero,
    softplus,
)


def sigmoid(x: ArrayLike) -> np.ndarray:
    """Logistic sigmoid, element-wise.

    σ(x) = 1 / (1 + e^(−x))

    Args:
      x: any shape (a scalar gives a 0-d array).

    Returns:
      σ(x), float64, same shape as ``x``.

    References:
      scipy ``scipy.special.expit``.
    """
    x = as_float(x)
    # Only ever exponentiate −|x| ≤ 0: e^(−|x|) cannot overflow, and
    # σ(x) = 1/(1 + e^(−x)) for x ≥ 0, e^x/(1 + e^x) for x < 0.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(x: ArrayLike) -> np.ndarray:
    """Softmax along the last axis.

    softmax(x)_i = e^(x_i) / Σ_j e^(x_j)

    Args:
      x: any shape with ndim ≥ 1; each slice along the last axis is normalised.

    Returns:
      Probabilities, float64, same shape as ``x``; each last-axis slice sums to 1.

    References:
      scipy ``scipy.special.softmax(x, axis=-1)``.
    """
    x = _at_least_1d(x, "softmax")
    if x.size == 0:
        return x.copy()
    # Subtracting the row maximum leaves the result unchanged and keeps e^(·) ≤ 1.
    exps = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def log_softmax(x: ArrayLike) -> np.ndarray:
    """Log-softmax along the last axis.

    log_softmax(x)_i = x_i − log Σ_j e^(x_j)

    Args:
      x: any shape with ndim ≥ 1.

    Returns:
      Log-probabilities, float64, same shape as ``x``; all ≤ 0.

    References:
      scipy ``scipy.special.log_softmax(x, axis=-1)``.
    """
    # Stable log-sum-exp (shift by the maximum, log1p of the rest): see log_softmax_last.
    return log_softmax_last(_at_least_1d(x, "log_softmax"))


def binary_ce_with_logits(y_true: ArrayLike, logits: ArrayLike) -> float:
    """Binary cross-entropy computed from logits.

    L = mean(−[y·log σ(z) + (1 − y)·log(1 − σ(z))])

    Convention: labels y ∈ {0, 1} (soft labels in [0, 1] also work). Equals PyTorch's
    ``BCEWithLogitsLoss`` with mean reduction.

    Args:
      y_true: labels y, any shape.
      logits: logits z, broadcastable with ``y_true``.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      PyTorch ``torch.nn.BCEWithLogitsLoss``.
    """
    y = as_float(y_true)
    z = as_float(logits)
    # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z): never log(0), never e^(big).
    return mean_or_zero(y * softplus(-z) + (1.0 - y) * softplus(z))


def weighted_bce_with_logits(
    y_true: ArrayLike, logits: ArrayLike, *, pos_weight: float = 1.0
) -> float:
    """Binary cross-entropy from logits with the positive term weighted.

    L = mean(−[w·y·log σ(z) + (1 − y)·log(1 − σ(z))]),  w = ``pos_weight``

    Convention: PyTorch's ``BCEWithLogitsLoss(pos_weight=w)``. w = n_neg / n_pos is the
    usual choice for a rare positive class; w = 1 gives plain BCE.

    Args:
      y_true: labels y ∈ {0, 1}, any shape.
      logits: logits z, broadcastable with ``y_true``.
      pos_weight: weight w ≥ 0 of the positive-class term.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      PyTorch ``torch.nn.BCEWithLogitsLoss`` (``pos_weight``).
    """
    y = as_float(y_true)
    z = as_float(logits)
    # Same softplus identities as binary_ce_with_logits.
    return mean_or_zero(pos_weight * y * softplus(-z) + (1.0 - y) * softplus(z))


def categorical_ce_with_logits(y_true: ArrayLike, logits: ArrayLike) -> float:
    """Categorical cross-entropy computed from logits, one-hot targets.

    L = mean over rows of (logsumexp(z) − Σ_j y_j·z_j) = mean over rows of −Σ_j y_j·log softmax(z)_j

    Convention: rows of ``y_true`` are one-hot (or probability vectors summing to 1, for which
    both forms agree); classes lie along the last axis. Equals PyTorch's ``cross_entropy`` with
    probability targets and mean reduction.

    Args:
      y_true: one-hot targets, shape (n, k).
      logits: logits z, shape (n, k).

    Returns:
      The loss as a float; 0.0 for an empty batch (n = 0).

    References:
      PyTorch ``torch.nn.functional.cross_entropy``.
    """
    y = as_float(y_true)
    z = _at_least_1d(logits, "categorical_ce_with_logits")
    if y.size == 0 or z.size == 0:
        return 0.0
    per_row = -np.sum(y * log_softmax_last(z), axis=-1)
    return mean_or_zero(per_row)


def label_smoothing_ce(labels: ArrayLike, logits: ArrayLike, *, epsilon: float = 0.1) -> float:
    """Cross-entropy with label smoothing, integer labels.

    Targets t = (1 − ε)·onehot(label) + ε/k over all k classes;
    L = mean over rows of −Σ_j t_j·log softmax(z)_j

    Convention: PyTorch's ``cross_entropy(label_smoothing=ε)``: the ε mass is spread over all
    k classes, the true one included (so the true class gets 1 − ε + ε/k). Some texts spread
    it over the k − 1 wrong classes instead.

    Args:
      labels: integer class indices, shape (n,).
      logits: logits z, shape (n, k).
      epsilon: smoothing ε in [0, 1].

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Szegedy et al., "Rethinking the Inception Architecture" (2016), §7;
      PyTorch ``torch.nn.CrossEntropyLoss``.
    """
    z = _at_least_1d(logits, "label_smoothing_ce")
    index = as_index(labels, z.shape[-1])
    if index.size == 0 or z.size == 0:
        return 0.0
    log_probs = log_softmax_last(z)
    k = log_probs.shape[-1]
    true_class = -np.take_along_axis(log_probs, index[..., np.newaxis], axis=-1)[..., 0]
    uniform = -np.sum(log_probs, axis=-1) / k
    return mean_or_zero((1.0 - epsilon) * true_class + epsilon * uniform)


def focal_loss(
    y_true: ArrayLike, logits: ArrayLike, *, alpha: float = 0.25, gamma: float = 2.0
) -> float:
    """Binary focal loss from logits, with the class-dependent α_t.

    p_t = p where y = 1 and 1 − p where y = 0, with p = σ(z);
    α_t = α where y = 1 and 1 − α where y = 0;
    L = mean(−α_t·(1 − p_t)^γ·log p_t)

    Convention: α_t, as in RetinaNet and torchvision's ``sigmoid_focal_loss`` (mean
    reduction). A constant α (the same weight on both classes) is a common mistake: it only
    rescales the loss and does not rebalance the classes. γ = 0, α = 0.5 gives BCE / 2.

    Args:
      y_true: labels y ∈ {0, 1}, any shape.
      logits: logits z, broadcastable with ``y_true``.
      alpha: weight α ∈ [0, 1] of the positive class.
      gamma: focusing exponent γ ≥ 0.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Lin et al., "Focal Loss for Dense Object Detection" (2017), eq. 5;
      torchvision ``ops.sigmoid_focal_loss``.
    """
    y = as_float(y_true)
    z = as_float(logits)
    # −log p_t from logits (softplus identities), and 1 − p_t = y·σ(−z) + (1 − y)·σ(z)
    # directly, rather than 1 − σ(z), which rounds to 0 and loses the small factor.
    ce = y * softplus(-z) + (1.0 - y) * softplus(z)
    one_minus_p_t = y * sigmoid(-z) + (1.0 - y) * sigmoid(z)
    alpha_t = alpha * y + (1.0 - alpha) * (1.0 - y)
    return mean_or_zero(alpha_t * one_minus_p_t**gamma * ce)


def hinge_loss(y_true: ArrayLike, scores: ArrayLike, *, margin: float = 1.0) -> float:
    """Binary hinge loss (SVM).

    L = mean(max(0, margin − y·s))

    Convention: labels y ∈ {−1, +1}, not {0, 1}: with y = 0 every sample costs ``margin``.

    Args:
      y_true: labels y ∈ {−1, +1}, any shape.
      scores: raw scores s, broadcastable with ``y_true``.
      margin: the margin (1 for the standard SVM).

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Cortes & Vapnik, "Support-Vector Networks" (1995).
    """
    return mean_or_zero(np.maximum(0.0, margin - as_float(y_true) * as_float(scores)))


def squared_hinge_loss(y_true: ArrayLike, scores: ArrayLike, *, margin: float = 1.0) -> float:
    """Squared hinge loss (L2-SVM).

    L = mean(max(0, margin − y·s)²)

    Convention: labels y ∈ {−1, +1}, as for :func:`hinge_loss`; unlike the hinge it is
    differentiable everywhere, with gradient −2y·max(0, margin − y·s) w.r.t. s.

    Args:
      y_true: labels y ∈ {−1, +1}, any shape.
      scores: raw scores s, broadcastable with ``y_true``.
      margin: the margin (1 for the standard L2-SVM).

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Cortes & Vapnik, "Support-Vector Networks" (1995), the L2 soft margin; scikit-learn's
      ``LinearSVC(loss="squared_hinge")``.
    """
    return mean_or_zero(np.maximum(0.0, margin - as_float(y_true) * as_float(scores)) ** 2)


def multiclass_hinge_loss(labels: ArrayLike, scores: ArrayLike, *, margin: float = 1.0) -> float:
    """Multi-class hinge loss (Weston–Watkins).

    L = mean over rows of Σ_{j ≠ y} max(0, s_j − s_y + margin)

    Convention: Weston–Watkins sums over the wrong classes. PyTorch's ``MultiMarginLoss``
    divides that sum by the number of classes k; Crammer–Singer takes the maximum instead.

    Args:
      labels: integer class indices y, shape (n,).
      scores: class scores s, shape (n, k).
      margin: the margin.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Weston & Watkins, "Support Vector Machines for Multi-Class Pattern Recognition" (1999).
    """
    s = _at_least_1d(scores, "multiclass_hinge_loss")
    index = as_index(labels, s.shape[-1])
    if index.size == 0 or s.size == 0:
        return 0.0
    true_scores = np.take_along_axis(s, index[..., np.newaxis], axis=-1)
    violations = np.maximum(0.0, s - true_scores + margin)
    # The j = y term is max(0, margin); leave it out of the sum.
    np.put_along_axis(violations, index[..., np.newaxis], 0.0, axis=-1)
    return mean_or_zero(np.sum(violations, axis=-1))


def dice_loss(y_true: ArrayLike, probs: ArrayLike, *, smooth: float = 1.0) -> float:
    """Soft Dice loss over the whole array.

    L = 1 − (2·Σ y·p + s) / (Σ y + Σ p + s),  s = ``smooth``

    Convention: one Dice score over all elements (not per image or per class). With the
    default s = 1, empty or all-zero masks give 1 − 1/1 = 0 naturally; an empty input returns
    0.0 for any s, and so does a zero denominator (s = 0, both all-zero: perfect agreement).

    Args:
      y_true: target mask y ∈ [0, 1], any shape.
      probs: predicted probabilities p ∈ [0, 1], broadcastable with ``y_true``.
      smooth: the smoothing constant s ≥ 0 added to numerator and denominator.

    Returns:
      The loss as a float.

    References:
      Milletari et al., "V-Net" (2016), eq. 1 (without the squares).
    """
    y, p = np.broadcast_arrays(as_float(y_true), as_float(probs))
    if y.size == 0:
        return 0.0
    denominator = np.sum(y) + np.sum(p) + smooth
    if denominator == 0:
        return 0.0
    return float(1.0 - (2.0 * np.sum(y * p) + smooth) / denominator)


def _at_least_1d(x: ArrayLike, name: str) -> np.ndarray:
    """``x`` as float64, rejecting 0-d input where a last (class) axis is needed."""
    x = as_float(x)
    if x.ndim == 0:
        raise ValueError(f"{name} needs an array with at least one axis, got a scalar")
    return x
