"""Preference and policy losses: DPO, PPO's clipped surrogate, GRPO's group-normalised
advantages and the GAN discriminator loss.

Inputs are per-sequence (or per-token) numbers of any shape, paired element by element.
Losses return a Python float (an empty batch gives ``0.0``); ``grpo_advantages`` returns a
float64 array of the input's shape. Everything is computed in float64 and stays finite for
log-probability gaps of ±1e3 and logits of ±1e4.
"""

from __future__ import annotations

import numpy as np

from lossdrill.references._numerics import ArrayLike, as_float, mean_or_zero, softplus

__all__ = ["dpo_loss", "ppo_clip_loss", "grpo_advantages", "gan_discriminator_loss"]


def dpo_loss(
    policy_chosen_logps: ArrayLike,
    policy_rejected_logps: ArrayLike,
    ref_chosen_logps: ArrayLike,
    ref_rejected_logps: ArrayLike,
    *,
    beta: float = 0.1,
) -> float:
    """Direct Preference Optimisation loss.

    h = (log π(y_w|x) − log π_ref(y_w|x)) − (log π(y_l|x) − log π_ref(y_l|x));
    L = mean(−log σ(β·h)) = mean(softplus(−β·h))

    Convention: inputs are summed log-probabilities of whole responses (chosen y_w,
    rejected y_l) under the policy and the frozen reference; h is the implicit reward margin
    (divided by β). Sigmoid loss, no label smoothing.

    Args:
      policy_chosen_logps: log π(y_w|x), shape (n,).
      policy_rejected_logps: log π(y_l|x), shape (n,).
      ref_chosen_logps: log π_ref(y_w|x), shape (n,).
      ref_rejected_logps: log π_ref(y_l|x), shape (n,).
      beta: β > 0, the strength of the implicit KL constraint.

    Returns:
      The loss as a float; 0.0 for an empty batch. log 2 when policy equals reference.

    References:
      Rafailov et al., "Direct Preference Optimization: Your Language Model is Secretly a
      Reward Model" (2023), eq. 7.
    """
    chosen = as_float(policy_chosen_logps) - as_float(ref_chosen_logps)
    rejected = as_float(policy_rejected_logps) - as_float(ref_rejected_logps)
    # −log σ(x) = softplus(−x): finite and accurate for any margin.
    return mean_or_zero(softplus(-beta * (chosen - rejected)))


def ppo_clip_loss(
    logp_new: ArrayLike, logp_old: ArrayLike, advantages: ArrayLike, *, clip_eps: float = 0.2
) -> float:
    """PPO's clipped surrogate objective, negated to be minimised.

    r = exp(logp_new − logp_old);
    L = −mean(min(r·A, clip(r, 1 − ε, 1 + ε)·A))

    Convention: per-sample (or per-token) log-probabilities of the taken actions; the mean
    runs over all elements. The min makes the objective pessimistic: for A > 0 it is
    A·min(r, 1 + ε), for A < 0 it is A·max(r, 1 − ε), so a ratio far outside the clip range
    in the harmful direction is never clipped. No value or entropy terms.

    Args:
      logp_new: log π_θ(a|s) under the current policy, any shape.
      logp_old: log π_θ_old(a|s) under the policy that sampled, same shape.
      advantages: advantage estimates A, same shape.
      clip_eps: ε in [0, 1).

    Returns:
      The loss as a float; 0.0 for an empty batch.

    References:
      Schulman et al., "Proximal Policy Optimization Algorithms" (2017), eq. 7.
    """
    d = as_float(logp_new) - as_float(logp_old)
    a = as_float(advantages)
    d, a = np.broadcast_arrays(d, a)
    if a.size == 0:
        return 0.0
    # For A ≥ 0 the objective is A·min(r, 1 + ε) = A·e^(min(d, log(1 + ε))): never overflows.
    # For A < 0 it is A·max(r, 1 − ε); e^d may overflow there, and then the true value is
    # beyond float64 (−inf objective, +inf loss), which is what the result says.
    upper = np.exp(np.minimum(d, np.log1p(clip_eps)))
    with np.errstate(over="ignore"):
        lower = np.maximum(np.exp(np.where(a < 0, d, 0.0)), 1.0 - clip_eps)
    objective = np.where(a >= 0, a * upper, a * lower)
    return -mean_or_zero(objective)


def grpo_advantages(rewards: ArrayLike, *, eps: float = 1e-4) -> np.ndarray:
    """GRPO's group-relative advantages (outcome supervision).

    For each group (row) of G sampled responses with rewards r:
    Â = (r − mean(r)) / (std(r) + eps),  std with ddof = 0 (the population standard deviation)

    Convention: ddof = 0 and eps added to the standard deviation (not under the square root).
    A group whose rewards are all equal gets advantages 0. Other implementations differ:
    TRL's ``GRPOTrainer`` uses ``torch.std`` (ddof = 1) and eps = 1e-4; some use eps = 1e-8.

    Args:
      rewards: rewards, shape (groups, G) (any shape; groups run along the last axis).
      eps: eps > 0 added to the standard deviation.

    Returns:
      The advantages, float64, same shape as ``rewards``.

    References:
      Shao et al., "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open
      Language Models" (2024), §4.1.2.
    """
    r = as_float(rewards)
    if r.ndim == 0:
        raise ValueError("grpo_advantages needs rewards with a group axis")
    if r.size == 0:
        return r.copy()
    centred = r - np.mean(r, axis=-1, keepdims=True)
    std = np.sqrt(np.mean(centred * centred, axis=-1, keepdims=True))
    return centred / (std + eps)


def gan_discriminator_loss(real_logits: ArrayLike, fake_logits: ArrayLike) -> float:
    """The GAN discriminator's binary cross-entropy, from logits.

    L = mean(−log σ(D(x))) + mean(−log(1 − σ(D(G(z)))))
      = mean(softplus(−real_logits)) + mean(softplus(fake_logits))

    Convention: two separate means (real and fake batches may differ in size); an empty half
    contributes 0. Real samples are labelled 1, generated ones 0.

    Args:
      real_logits: discriminator logits on real samples, any shape.
      fake_logits: discriminator logits on generated samples, any shape.

    Returns:
      The loss as a float; 0.0 when both are empty. 2·log 2 at D's point of confusion.

    References:
      Goodfellow et al., "Generative Adversarial Nets" (2014), eq. 1.
    """
    real = as_float(real_logits)
    fake = as_float(fake_logits)
    return mean_or_zero(softplus(-real)) + mean_or_zero(softplus(fake))
