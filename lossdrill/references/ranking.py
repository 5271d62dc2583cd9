"""Ranking losses: pairwise margin ranking and Bayesian personalised ranking (BPR)."""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float, mean_or_zero, softplus


def margin_ranking_loss(
    x1: ArrayLike, x2: ArrayLike, y: ArrayLike, *, margin: float = 0.0
) -> float:
    """Pairwise margin ranking loss.

    L = mean(max(0, −y·(x1 − x2) + margin))

    Convention: y = 1 means x1 should rank higher than x2, y = −1 the reverse (PyTorch's
    ``MarginRankingLoss``).

    Args:
      x1: first scores, any shape.
      x2: second scores, broadcastable with ``x1``.
      y: labels in {1, −1}, broadcastable with ``x1``.
      margin: the required score gap.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      PyTorch ``torch.nn.MarginRankingLoss``.
    """
    gap = as_float(x1) - as_float(x2)
    return mean_or_zero(np.maximum(0.0, -as_float(y) * gap + margin))


def bpr_loss(pos_scores: ArrayLike, neg_scores: ArrayLike) -> float:
    """Bayesian personalised ranking loss.

    L = mean(−log σ(s⁺ − s⁻))

    Convention: s⁺ is the score of an item the user interacted with, s⁻ of a sampled item
    they did not; pairs are aligned element by element. No regularisation term.

    Args:
      pos_scores: scores s⁺ of positive items, any shape.
      neg_scores: scores s⁻ of negative items, broadcastable with ``pos_scores``.

    Returns:
      The loss as a float; 0.0 for an empty batch. Stable for score gaps of ±1e3 and beyond.

    References:
      Rendle et al., "BPR: Bayesian Personalized Ranking from Implicit Feedback" (2009).
    """
    # −log σ(x) = softplus(−x): no e^(big), no log(0).
    return mean_or_zero(softplus(as_float(neg_scores) - as_float(pos_scores)))
