"""Metric-learning and embedding-training losses: ArcFace, batch-hard triplet mining and
skip-gram negative sampling.

Embeddings are rows: arrays of shape (n, d). Each loss returns a Python float; an empty batch
gives ``0.0``. Computed in float64; distances are taken from differences (not from the
‖a‖² + ‖b‖² − 2a·b expansion, which cancels catastrophically for nearby points).
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
    unit_rows,
)

__all__ = ["arcface_loss", "batch_hard_triplet_loss", "sgns_loss"]


def arcface_loss(
    embeddings: ArrayLike,
    weights: ArrayLike,
    labels: ArrayLike,
    *,
    scale: float = 64.0,
    margin: float = 0.5,
) -> float:
    """ArcFace: additive angular margin softmax.

    x̂ = embeddings rows L2-normalised, Ŵ = class-weight rows L2-normalised;
    cos θ_j = x̂·Ŵ_j;  logit_y = s·cos(θ_y + m), logit_j = s·cos θ_j (j ≠ y);
    L = mean over rows of −log softmax(logits)_y

    Convention: the paper's equation for every θ_y ∈ [0, π], with cos(θ + m) =
    cos θ·cos m − sin θ·sin m and sin θ = √(1 − cos² θ) ≥ 0. No "easy margin" (use cos θ
    where cos θ < 0) and no "θ + m > π" fallback, as the official code has. A zero row has
    cosine 0 with every class.

    Args:
      embeddings: features x, shape (n, d).
      weights: class centres W, shape (C, d).
      labels: integer classes y in [0, C), shape (n,).
      scale: s > 0, the radius of the hypersphere.
      margin: m ≥ 0, the additive angular margin in radians.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face Recognition"
      (2019), eq. 3.
    """
    x = as_float(embeddings)
    w = as_float(weights)
    if x.size == 0 or w.size == 0:
        return 0.0
    x = np.atleast_2d(x)
    w = np.atleast_2d(w)
    index = as_index(labels, w.shape[0]).reshape(-1)
    cos = np.clip(unit_rows(x) @ unit_rows(w).T, -1.0, 1.0)
    rows = np.arange(index.size)
    cos_y = cos[rows, index]
    # sin θ from (1 − c)(1 + c): no cancellation in 1 − c² near c = ±1.
    sin_y = np.sqrt(np.maximum(0.0, (1.0 - cos_y) * (1.0 + cos_y)))
    logits = scale * cos
    logits[rows, index] = scale * (cos_y * np.cos(margin) - sin_y * np.sin(margin))
    return mean_or_zero(-log_softmax_last(logits)[rows, index])


def batch_hard_triplet_loss(
    embeddings: ArrayLike, labels: ArrayLike, *, margin: float = 0.3
) -> float:
    """Triplet loss with batch-hard mining.

    d(i, j) = ‖x_i − x_j‖ (Euclidean, not squared);
    for anchor a: d⁺ = max over positives p ≠ a with y_p = y_a, d⁻ = min over y_n ≠ y_a;
    L = mean over anchors with at least one positive and one negative of max(0, d⁺ − d⁻ + m)

    Convention: the anchor is never its own positive; anchors without a positive or without
    a negative are left out of the mean; when no anchor has both the loss is 0.0.

    Args:
      embeddings: embeddings x, shape (n, d).
      labels: identity labels, shape (n,) (compared for equality).
      margin: m ≥ 0.

    Returns:
      The loss as a float; 0.0 for an empty batch or when no anchor has both.

    References:
      Hermans, Beyer & Leibe, "In Defense of the Triplet Loss for Person
      Re-Identification" (2017), §2.
    """
    x = as_float(embeddings)
    y = np.asarray(labels).reshape(-1)
    if x.size == 0 or y.size == 0:
        return 0.0
    x = x.reshape(y.size, -1)
    diff = x[:, np.newaxis, :] - x[np.newaxis, :, :]
    # Scale each pair's difference by its largest entry so the squares cannot overflow.
    big = np.max(np.abs(diff), axis=-1, keepdims=True)
    safe = np.where(big > 0, big, 1.0)
    dist = big[..., 0] * np.sqrt(np.sum((diff / safe) ** 2, axis=-1))
    same = y[:, np.newaxis] == y[np.newaxis, :]
    positive = same & ~np.eye(y.size, dtype=bool)
    negative = ~same
    valid = positive.any(axis=1) & negative.any(axis=1)
    if not valid.any():
        return 0.0
    hardest_positive = np.max(np.where(positive, dist, -np.inf), axis=1)
    hardest_negative = np.min(np.where(negative, dist, np.inf), axis=1)
    per_anchor = np.maximum(0.0, hardest_positive[valid] - hardest_negative[valid] + margin)
    return mean_or_zero(per_anchor)


def sgns_loss(center: ArrayLike, context: ArrayLike, negatives: ArrayLike) -> float:
    """Skip-gram with negative sampling (word2vec).

    For center vector u, true context vector v and K sampled negatives n_1..n_K:
    ℓ = −log σ(u·v) − Σ_k log σ(−u·n_k) = softplus(−u·v) + Σ_k softplus(u·n_k);
    L = mean of ℓ over the batch

    Convention: a sum over the K negatives, a mean over the B pairs (K = 0 leaves only the
    positive term). Dot products, no normalisation, no temperature.

    Args:
      center: center-word vectors u, shape (B, D).
      context: context-word vectors v, shape (B, D).
      negatives: negative-sample vectors, shape (B, K, D).

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Mikolov et al., "Distributed Representations of Words and Phrases and their
      Compositionality" (2013), eq. 4.
    """
    u = as_float(center)
    v = as_float(context)
    n = as_float(negatives)
    if u.size == 0 or v.size == 0:
        return 0.0
    positive = softplus(-np.sum(u * v, axis=-1))
    if n.size == 0:
        return mean_or_zero(positive)
    negative = np.sum(softplus(np.einsum("...kd,...d->...k", n, u)), axis=-1)
    return mean_or_zero(positive + negative)
