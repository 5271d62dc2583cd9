"""Information-theoretic losses: the Kullback–Leibler divergence."""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float, mean_or_zero


def kl_divergence(p: ArrayLike, q: ArrayLike) -> float:
    """Kullback–Leibler divergence KL(p ‖ q), averaged over rows.

    KL(p ‖ q) = Σ_j p_j·log(p_j / q_j), with 0·log(0/q) = 0; L = mean over rows.

    Convention: distributions lie along the last axis; a 1-D input is one distribution, an
    (n, k) input is n of them. It is not symmetric: p is the target ("true") distribution,
    q the model's. Equals PyTorch's ``kl_div(q.log(), p, reduction="batchmean")`` for (n, k)
    input (note PyTorch's argument order: log q first). Where p_j > 0 and q_j = 0 the
    divergence is +inf.

    Args:
      p: target distributions, shape (k,) or (n, k); rows sum to 1, entries ≥ 0.
      q: model distributions, same shape; q > 0 where p > 0.

    Returns:
      The mean divergence as a float (≥ 0); 0.0 for an empty batch.

    References:
      Cover & Thomas, *Elements of Information Theory*, §2.3; scipy ``special.rel_entr``.
    """
    p, q = np.broadcast_arrays(as_float(p), as_float(q))
    if p.size == 0:
        return 0.0
    present = p > 0
    # 0·log 0 = 0: evaluate the logs only where p > 0 (1.0 elsewhere, whose log is 0), so
    # absent terms give neither warnings nor nan. log p − log q, not log(p/q): p/q can
    # overflow when q is tiny.
    with np.errstate(divide="ignore"):  # q = 0 under p > 0 is a genuine +inf
        terms = p * (np.log(np.where(present, p, 1.0)) - np.log(np.where(present, q, 1.0)))
    per_row = np.sum(np.where(present, terms, 0.0), axis=-1)
    return mean_or_zero(np.asarray(per_row))
