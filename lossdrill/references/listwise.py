"""Listwise ranking losses: ListNet (top-one) and ListMLE.

Each row of ``scores`` is one query's list of items; ``relevance`` has the same shape. A 1-D
input is one list. Losses return a Python float; an empty batch gives ``0.0``.
"""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float, log_softmax_last, mean_or_zero

__all__ = ["listnet_loss", "listmle_loss"]


def listnet_loss(scores: ArrayLike, relevance: ArrayLike) -> float:
    """ListNet with top-one probabilities.

    P_y = softmax(relevance), P_s = softmax(scores) along each list;
    L = mean over lists of −Σ_j P_y(j)·log P_s(j)

    Convention: the cross-entropy (not the KL: the target's entropy is included) between the
    top-one distributions; relevance labels are used as logits, unscaled.

    Args:
      scores: model scores, shape (n, m) (or (m,) for one list).
      relevance: graded relevance labels, same shape.

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Cao et al., "Learning to Rank: From Pairwise Approach to Listwise Approach" (2007),
      §4.
    """
    s = as_float(scores)
    r = as_float(relevance)
    if s.size == 0 or r.size == 0:
        return 0.0
    s, r = np.atleast_1d(s), np.atleast_1d(r)
    target = np.exp(log_softmax_last(r))
    per_list = -np.sum(target * log_softmax_last(s), axis=-1)
    return mean_or_zero(per_list)


def listmle_loss(scores: ArrayLike, relevance: ArrayLike) -> float:
    """ListMLE: the negative Plackett–Luce log-likelihood of the ideal ranking.

    π = the permutation sorting relevance descending (ties keep index order);
    L_list = Σ_{i=1..m} (log Σ_{k ≥ i} e^(s_π(k)) − s_π(i));  L = mean over lists

    Convention: the stable sort decides ties (the lower index ranks first), so the loss is
    a function of the inputs. The last term is always 0.

    Args:
      scores: model scores, shape (n, m) (or (m,) for one list).
      relevance: relevance labels, same shape.

    Returns:
      The loss as a float (≥ 0); 0.0 for an empty batch.

    References:
      Xia et al., "Listwise Approach to Learning to Rank: Theory and Algorithm" (2008).
    """
    s = as_float(scores)
    r = as_float(relevance)
    if s.size == 0 or r.size == 0:
        return 0.0
    s, r = np.atleast_1d(s), np.atleast_1d(r)
    order = np.argsort(-r, axis=-1, kind="stable")
    ranked = np.take_along_axis(s, order, axis=-1)
    # Log-sum-exp of every suffix: a running logaddexp from the end (stable, no overflow).
    suffix = np.flip(np.logaddexp.accumulate(np.flip(ranked, axis=-1), axis=-1), axis=-1)
    per_list = np.sum(suffix - ranked, axis=-1)
    return mean_or_zero(per_list)
