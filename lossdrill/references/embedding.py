"""Embedding losses: triplet, contrastive, cosine embedding, InfoNCE, CLIP and NT-Xent.

Embeddings are rows: arrays of shape (n, d), one embedding per row (a 1-D array is one row).
Each loss returns a Python float; an empty batch gives ``0.0``.
"""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import (
    ArrayLike,
    as_float,
    log_softmax_last,
    mean_or_zero,
    unit_rows,
)


def triplet_loss(
    anchor: ArrayLike, positive: ArrayLike, negative: ArrayLike, *, margin: float = 1.0
) -> float:
    """Triplet margin loss with squared Euclidean distances.

    d(u, v) = ‖u − v‖²;  L = mean over rows of max(0, d(a, p) − d(a, n) + margin)

    Convention: SQUARED distances, as in FaceNet. PyTorch's ``TripletMarginLoss`` uses plain
    (non-squared) p-norm distances plus a small eps, so its values differ; the margin's scale
    differs with it.

    Args:
      anchor: anchors a, shape (n, d).
      positive: positives p (same identity as the anchor), shape (n, d).
      negative: negatives n (another identity), shape (n, d).
      margin: the margin α ≥ 0.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Schroff et al., "FaceNet" (2015), eq. 1.
    """
    a, p, n = as_float(anchor), as_float(positive), as_float(negative)
    if a.size == 0 or p.size == 0 or n.size == 0:
        return 0.0
    d_pos = np.sum((a - p) ** 2, axis=-1)
    d_neg = np.sum((a - n) ** 2, axis=-1)
    return mean_or_zero(np.maximum(0.0, d_pos - d_neg + margin))


def contrastive_loss(x1: ArrayLike, x2: ArrayLike, y: ArrayLike, *, margin: float = 1.0) -> float:
    """Contrastive (pairwise) loss.

    D = ‖x1 − x2‖ (Euclidean, not squared);
    L = mean over rows of (1 − y)·½D² + y·½·max(0, margin − D)²

    Convention: y = 0 marks a SIMILAR pair (pulled together), y = 1 a DISSIMILAR pair (pushed
    beyond the margin), as in Hadsell, Chopra & LeCun. Several libraries use the opposite
    labelling (1 = similar).

    Args:
      x1: first embeddings, shape (n, d).
      x2: second embeddings, shape (n, d).
      y: pair labels in {0, 1}, shape (n,).
      margin: the margin m > 0 for dissimilar pairs.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Hadsell, Chopra & LeCun, "Dimensionality Reduction by Learning an Invariant Mapping"
      (2006), eq. 4.
    """
    a, b, labels = as_float(x1), as_float(x2), as_float(y)
    if a.size == 0 or b.size == 0 or labels.size == 0:
        return 0.0
    squared = np.sum((a - b) ** 2, axis=-1)  # D² directly: no sqrt-then-square round trip
    distance = np.sqrt(squared)
    pull = (1.0 - labels) * 0.5 * squared
    push = labels * 0.5 * np.maximum(0.0, margin - distance) ** 2
    return mean_or_zero(pull + push)


def cosine_embedding_loss(
    x1: ArrayLike, x2: ArrayLike, y: ArrayLike, *, margin: float = 0.0
) -> float:
    """Cosine embedding loss.

    cos = x1·x2 / (‖x1‖·‖x2‖);
    per row: 1 − cos where y = 1, max(0, cos − margin) where y = −1; L = mean over rows

    Convention: labels y ∈ {1, −1} (PyTorch's ``CosineEmbeddingLoss``; any other label
    contributes 0, as there). A zero vector has cosine 0 with everything (PyTorch instead adds
    eps = 1e-12 to the squared norms, which agrees to ~1e-12 for vectors of norm ~1).

    Args:
      x1: first embeddings, shape (n, d).
      x2: second embeddings, shape (n, d).
      y: labels in {1, −1}, shape (n,).
      margin: the margin in [−1, 1] for dissimilar pairs.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      PyTorch ``torch.nn.CosineEmbeddingLoss``.
    """
    a, b, labels = as_float(x1), as_float(x2), as_float(y)
    if a.size == 0 or b.size == 0 or labels.size == 0:
        return 0.0
    # Normalise first (scaled, see unit_rows) so huge or tiny vectors neither overflow nor
    # underflow in the norms.
    cos = np.sum(unit_rows(a) * unit_rows(b), axis=-1)
    similar = 1.0 - cos
    dissimilar = np.maximum(0.0, cos - margin)
    per_row = np.where(labels == 1, similar, np.where(labels == -1, dissimilar, 0.0))
    return mean_or_zero(per_row)


def info_nce_loss(queries: ArrayLike, keys: ArrayLike, *, temperature: float = 0.1) -> float:
    """InfoNCE loss with in-batch negatives.

    q̂, k̂ = rows L2-normalised; logits = q̂·k̂ᵀ / τ (n × n);
    L = mean over rows i of −log softmax(logits_i)_i

    Convention: key i is query i's positive; the other n − 1 keys of the batch are its
    negatives. Cosine similarities (normalised rows), temperature τ divides the logits. Only
    the query → key direction (CLIP averages both).

    Args:
      queries: query embeddings, shape (n, d).
      keys: key embeddings, shape (n, d); row i is the positive for query i.
      temperature: τ > 0.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      van den Oord et al., "Representation Learning with Contrastive Predictive Coding"
      (2018), eq. 4; He et al., "MoCo" (2020), eq. 1.
    """
    q, k = as_float(queries), as_float(keys)
    if q.size == 0 or k.size == 0:
        return 0.0
    logits = unit_rows(q) @ unit_rows(k).T / temperature
    return mean_or_zero(-np.diagonal(log_softmax_last(logits)))


def clip_loss(image_emb: ArrayLike, text_emb: ArrayLike, *, temperature: float = 0.07) -> float:
    """CLIP's symmetric contrastive loss.

    î, t̂ = rows L2-normalised; logits = î·t̂ᵀ / τ (n × n);
    L = ½·(CE over rows of logits + CE over rows of logitsᵀ), the target of row i being i.

    Convention: image i and text i are the matching pair; the loss averages the
    image → text and text → image cross-entropies (each a mean over the n rows).

    Args:
      image_emb: image embeddings, shape (n, d).
      text_emb: text embeddings, shape (n, d).
      temperature: τ > 0 (CLIP learns log(1/τ), initialised at τ = 0.07).

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Radford et al., "Learning Transferable Visual Models From Natural Language
      Supervision" (2021), Figure 3.
    """
    images, texts = as_float(image_emb), as_float(text_emb)
    if images.size == 0 or texts.size == 0:
        return 0.0
    logits = unit_rows(images) @ unit_rows(texts).T / temperature
    image_to_text = -np.diagonal(log_softmax_last(logits))
    text_to_image = -np.diagonal(log_softmax_last(logits.T))
    return 0.5 * (mean_or_zero(image_to_text) + mean_or_zero(text_to_image))


def nt_xent_loss(z1: ArrayLike, z2: ArrayLike, *, temperature: float = 0.5) -> float:
    """NT-Xent, SimCLR's normalised temperature-scaled cross-entropy.

    The 2N views z = [z1; z2] are L2-normalised; s_ij = ẑ_i·ẑ_j / τ. For view i with
    positive j(i) (its other view: i ± N),
    ℓ_i = −log( e^(s_i,j(i)) / Σ_{k ≠ i} e^(s_ik) );  L = mean of ℓ_i over the 2N views.

    Convention: the denominator runs over all 2N − 1 other views (the positive included,
    the view itself excluded); both directions of every pair are counted.

    Args:
      z1: first augmented views, shape (N, d).
      z2: second augmented views, shape (N, d); row i pairs with row i of ``z1``.
      temperature: τ > 0.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Chen et al., "A Simple Framework for Contrastive Learning of Visual Representations"
      (2020), eq. 1.
    """
    a, b = as_float(z1), as_float(z2)
    if a.size == 0 or b.size == 0:
        return 0.0
    views = unit_rows(np.concatenate([np.atleast_2d(a), np.atleast_2d(b)], axis=0))
    n_views = views.shape[0]
    half = n_views // 2
    similarities = views @ views.T / temperature
    # A view is not its own negative: e^(−inf) = 0 removes it from the denominator.
    np.fill_diagonal(similarities, -np.inf)
    log_probs = log_softmax_last(similarities)
    positives = (np.arange(n_views) + half) % n_views
    return mean_or_zero(-log_probs[np.arange(n_views), positives])
