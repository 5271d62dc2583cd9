"""Sequence losses: connectionist temporal classification (CTC)."""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float

__all__ = ["ctc_loss"]


def ctc_loss(log_probs: ArrayLike, targets: ArrayLike, *, blank: int = 0) -> float:
    """CTC loss of one sequence: −log of the total probability of all alignments.

    l' = the targets with a blank before, between and after them (length 2S + 1);
    α_1 = y_1 at l'_1 and l'_2, α_t(s) = (α_{t−1}(s) + α_{t−1}(s−1) [+ α_{t−1}(s−2)])·y_t(l'_s),
    the skip term only when l'_s is not blank and l'_s ≠ l'_{s−2};
    L = −log(α_T(2S+1) + α_T(2S))

    Convention: one sequence, no batch; the recursion runs in log space (log-sum-exp), so
    log-probabilities of −1e4 or −inf are fine. Repeated labels need a blank between them,
    so a target needs T ≥ S + (number of adjacent repeats) frames; when no alignment exists
    the loss is +inf. Equals PyTorch's ``ctc_loss`` with reduction "sum" for a batch of one.
    With T = 0 frames: 0.0 for an empty target, +inf otherwise.

    Args:
      log_probs: log-softmax outputs, shape (T, C), blank included among the C classes.
      targets: label indices, shape (S,), in [0, C) and never equal to ``blank``.
      blank: index of the blank class.

    Returns:
      The loss as a float (≥ 0 for normalised rows, +inf when no alignment exists).

    References:
      Graves et al., "Connectionist Temporal Classification: Labelling Unsegmented Sequence
      Data with Recurrent Neural Networks" (2006), eqs. 5–8 and 14.
    """
    lp = as_float(log_probs)
    labels = np.asarray(targets).astype(np.intp).reshape(-1)
    if lp.size == 0:  # no frames (an empty list included)
        return 0.0 if labels.size == 0 else float("inf")
    if lp.ndim != 2:
        raise ValueError(f"ctc_loss needs log_probs of shape (T, C), got {lp.shape}")
    n_frames, n_classes = lp.shape
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"targets must lie in [0, {n_classes})")
    if np.any(labels == blank):
        raise ValueError("targets must not contain the blank")
    extended = np.full(2 * labels.size + 1, blank, dtype=np.intp)
    extended[1::2] = labels
    n_states = extended.size
    # The skip s−2 → s is allowed into a label that differs from the label two back.
    can_skip = np.zeros(n_states, dtype=bool)
    can_skip[3::2] = labels[1:] != labels[:-1]
    alpha = np.full(n_states, -np.inf)
    alpha[0] = lp[0, extended[0]]
    if n_states > 1:
        alpha[1] = lp[0, extended[1]]
    with np.errstate(invalid="ignore"):  # (−inf) − (−inf) inside logaddexp: result −inf
        emissions = lp[:, extended]  # (T, 2S + 1): y_t(l'_s) for every frame and state
        no_skip = ~can_skip[2:]
        step = np.full(n_states, -np.inf)  # α_{t−1}(s − 1), −inf where s − 1 < 0
        skip = np.full(n_states, -np.inf)  # α_{t−1}(s − 2) where the skip is allowed
        for t in range(1, n_frames):
            step[1:] = alpha[:-1]
            skip[2:] = alpha[:-2]
            skip[2:][no_skip] = -np.inf
            alpha = np.logaddexp(np.logaddexp(alpha, step), skip) + emissions[t]
        end = alpha[-1] if n_states == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(-end)
