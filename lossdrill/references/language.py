"""Language-model training losses: masked token cross-entropy, distillation, z-loss and the
mixture-of-experts load-balancing loss.

Logits carry classes (the vocabulary, or the experts) along the last axis; every leading axis
is a batch axis (a "row" is one token). Losses return a Python float; an empty batch gives
``0.0``. All are computed in float64 through a stable log-softmax / log-sum-exp, so logits of
±1e4 and beyond neither overflow nor lose the small losses.
"""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float, log_softmax_last, mean_or_zero

__all__ = ["masked_lm_cross_entropy", "distillation_loss", "z_loss", "load_balancing_loss"]


def masked_lm_cross_entropy(
    logits: ArrayLike, targets: ArrayLike, *, ignore_index: int = -100
) -> float:
    """Token-level cross-entropy that skips ignored (padding, prompt) positions.

    K = {tokens t : target_t ≠ ignore_index};
    L = (1/|K|)·Σ_{t ∈ K} −log softmax(z_t)[target_t],  and L = 0 when K is empty.

    Convention: the mean runs over the kept tokens only, not over all B·T positions
    (PyTorch's ``cross_entropy(..., ignore_index=...)`` with mean reduction). When every
    token is ignored PyTorch returns nan (0/0); this reference returns 0.0.

    Args:
      logits: logits z, shape (B, T, V) (any leading shape works; V is the last axis).
      targets: integer token ids, shape (B, T) (the leading shape of ``logits``); each is
        ``ignore_index`` or lies in [0, V).
      ignore_index: the target value that marks a position to skip.

    Returns:
      The loss as a float; 0.0 for an empty batch or when every token is ignored.

    References:
      PyTorch ``torch.nn.functional.cross_entropy`` (``ignore_index``); Devlin et al.,
      "BERT" (2019), §3.1 (the loss only on masked positions).
    """
    z = as_float(logits)
    t = np.asarray(targets)
    if z.ndim == 0:
        raise ValueError("masked_lm_cross_entropy needs logits with a vocabulary axis")
    if z.size == 0 or t.size == 0:
        return 0.0
    if t.shape != z.shape[:-1]:
        raise ValueError(f"targets of shape {t.shape} do not match logits of shape {z.shape}")
    keep = t != ignore_index
    if not np.any(keep):
        return 0.0
    kept_targets = t[keep].astype(np.intp)
    vocab = z.shape[-1]
    if kept_targets.min() < 0 or kept_targets.max() >= vocab:
        raise ValueError(f"targets must be {ignore_index} or lie in [0, {vocab})")
    # Only the kept rows are normalised: padding costs no work.
    log_probs = log_softmax_last(z[keep])
    picked = log_probs[np.arange(kept_targets.size), kept_targets]
    return mean_or_zero(-picked)


def distillation_loss(
    student_logits: ArrayLike, teacher_logits: ArrayLike, *, temperature: float = 2.0
) -> float:
    """Knowledge-distillation loss: temperature-softened KL from teacher to student.

    p = softmax(teacher / T), q = softmax(student / T);
    L = T²·mean over rows of KL(p ‖ q) = T²·mean over rows of Σ_j p_j·(log p_j − log q_j)

    Convention: the soft-target term only (no hard-label cross-entropy mixed in); the T²
    factor keeps its gradients on the scale of a T = 1 loss, as Hinton et al. advise. Equals
    ``T**2 * kl_div(log_softmax(s/T), log_softmax(t/T), log_target=True,
    reduction="batchmean")`` in PyTorch for (n, k) logits.

    Args:
      student_logits: student logits, shape (n, k) (any leading shape; classes last).
      teacher_logits: teacher logits, same shape.
      temperature: T > 0.

    Returns:
      The loss as a float (≥ 0); 0.0 for an empty batch.

    References:
      Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network" (2015), §2.
    """
    s = as_float(student_logits)
    t = as_float(teacher_logits)
    if s.ndim == 0 or t.ndim == 0:
        raise ValueError("distillation_loss needs logits with a class axis")
    if s.size == 0 or t.size == 0:
        return 0.0
    log_q = log_softmax_last(s / temperature)
    log_p = log_softmax_last(t / temperature)
    # p_j = e^(log p_j) may underflow to 0; its term is then 0·(finite) = 0, as it should be.
    per_row = np.sum(np.exp(log_p) * (log_p - log_q), axis=-1)
    return temperature**2 * mean_or_zero(per_row)


def z_loss(logits: ArrayLike, *, weight: float = 1e-4) -> float:
    """Router / output z-loss: pushes the log-partition function towards 0.

    L = weight·mean over rows of (log Σ_j e^(z_j))²

    Convention: one log-sum-exp per row (token), squared, averaged over all rows, times
    ``weight`` (PaLM uses 1e-4 on the output softmax; ST-MoE 1e-3 on the router logits).

    Args:
      logits: logits z, shape (n, k) (any leading shape; the log-sum-exp runs over the last
        axis).
      weight: the coefficient ≥ 0.

    Returns:
      The loss as a float (≥ 0); 0.0 for an empty batch.

    References:
      Chowdhery et al., "PaLM" (2022), §5; Zoph et al., "ST-MoE: Designing Stable and
      Transferable Sparse Expert Models" (2022), eq. 5.
    """
    z = as_float(logits)
    if z.ndim == 0:
        raise ValueError("z_loss needs logits with a class axis")
    if z.size == 0:
        return 0.0
    m = np.max(z, axis=-1)
    # logsumexp = m + log Σ e^(z − m), every exponent ≤ 0.
    lse = m + np.log(np.sum(np.exp(z - m[..., np.newaxis]), axis=-1))
    return weight * mean_or_zero(lse * lse)


def load_balancing_loss(router_logits: ArrayLike) -> float:
    """Switch Transformer auxiliary load-balancing loss.

    p = softmax(router_logits) per token; f_i = share of tokens whose arg-max expert is i;
    P_i = mean over tokens of p_i;  L = N·Σ_i f_i·P_i  over the N experts.

    Convention: top-1 routing; an arg-max tie goes to the lowest expert index (NumPy's and
    PyTorch's ``argmax``). No coefficient α (the caller multiplies, Switch uses 1e-2). A
    perfectly uniform router gives 1.0, the minimum; all tokens on one expert with
    probability 1 gives N.

    Args:
      router_logits: logits of shape (tokens, N) (any leading shape: all leading axes are
        tokens of one batch).

    Returns:
      The loss as a float; 0.0 when there are no tokens.

    References:
      Fedus, Zoph & Shazeer, "Switch Transformers" (2022), §2.2, eqs. 4–6.
    """
    z = as_float(router_logits)
    if z.ndim == 0:
        raise ValueError("load_balancing_loss needs logits with an expert axis")
    if z.size == 0:
        return 0.0
    n_experts = z.shape[-1]
    z = z.reshape(-1, n_experts)
    probs = np.exp(log_softmax_last(z))
    chosen = np.argmax(z, axis=-1)  # first maximum: ties go to the lowest index
    fraction = np.bincount(chosen, minlength=n_experts) / z.shape[0]
    mean_prob = np.mean(probs, axis=0)
    return float(n_experts * np.sum(fraction * mean_prob))
