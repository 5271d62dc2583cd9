"""Preference references (DPO, PPO-clip, GRPO advantages, GAN discriminator) against
implementations written here in PyTorch and with loops, from the papers' equations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossdrill.references.preference import (
    dpo_loss,
    gan_discriminator_loss,
    grpo_advantages,
    ppo_clip_loss,
)

RTOL = 1e-10


def t(torch, x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


# ------------------------------------------------------------------------------------- DPO


def torch_dpo(torch, pc, pr, rc, rr, beta):
    F = torch.nn.functional
    logits = beta * ((t(torch, pc) - t(torch, rc)) - (t(torch, pr) - t(torch, rr)))
    return (-F.logsigmoid(logits)).mean().item()


def logps(seed, n, scale):
    rng = np.random.default_rng(seed)
    return tuple(-np.abs(scale * rng.standard_normal(n)) - 1.0 for _ in range(4))


@pytest.mark.parametrize("beta", [0.1, 0.5, 1e-3, 10.0])
@pytest.mark.parametrize(("seed", "n", "scale"), [(1, 1, 1.0), (2, 16, 10.0), (3, 64, 100.0)])
def test_dpo_matches_torch_logsigmoid(torch, seed, n, scale, beta):
    pc, pr, rc, rr = logps(seed, n, scale)
    expected = torch_dpo(torch, pc, pr, rc, rr, beta)
    assert dpo_loss(pc, pr, rc, rr, beta=beta) == pytest.approx(expected, rel=RTOL)


def test_dpo_hand_values_and_direction():
    # Policy equal to the reference: margin 0, loss log 2 for any β.
    assert dpo_loss([-5.0], [-7.0], [-5.0], [-7.0], beta=0.3) == pytest.approx(
        math.log(2), rel=1e-15
    )
    # Policy raised the chosen response by 2 nats relative to the reference: margin +2.
    got = dpo_loss([-3.0], [-7.0], [-5.0], [-7.0], beta=0.5)
    assert got == pytest.approx(math.log1p(math.exp(-1.0)), rel=1e-15)
    # Subtracting the reference the wrong way round would give log1p(e^(+1)): not the same.
    assert got != pytest.approx(math.log1p(math.exp(1.0)), rel=1e-3)


def test_dpo_is_stable_for_margins_of_1e4(torch):
    pc = np.array([0.0, -2e4, -1.0])
    pr = np.array([-2e4, 0.0, -1.0])
    zeros = np.zeros(3)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = dpo_loss(pc, pr, zeros, zeros, beta=1.0)
    # margins +2e4 (costs ~0), −2e4 (costs 2e4), 0 (costs log 2)
    assert got == pytest.approx((2e4 + math.log(2)) / 3, rel=1e-14)
    assert got == pytest.approx(torch_dpo(torch, pc, pr, zeros, zeros, 1.0), rel=1e-14)


def test_dpo_empty_batch_and_float32():
    e = np.zeros(0)
    assert dpo_loss(e, e, e, e) == 0.0
    args = tuple(a.astype(np.float32) for a in logps(4, 8, 3.0))
    widened = tuple(a.astype(np.float64) for a in args)
    assert dpo_loss(*args) == dpo_loss(*widened)


# ------------------------------------------------------------------------------------- PPO


def torch_ppo(torch, new, old, adv, eps):
    ratio = torch.exp(t(torch, new) - t(torch, old))
    a = t(torch, adv)
    return -torch.min(ratio * a, torch.clamp(ratio, 1 - eps, 1 + eps) * a).mean().item()


@pytest.mark.parametrize("clip_eps", [0.2, 0.1, 0.0, 0.9])
@pytest.mark.parametrize(("seed", "n", "scale"), [(1, 1, 0.1), (2, 32, 0.3), (3, 100, 1.5)])
def test_ppo_matches_torch_clipped_surrogate(torch, seed, n, scale, clip_eps):
    rng = np.random.default_rng(seed)
    old = -np.abs(rng.standard_normal(n))
    new = old + scale * rng.standard_normal(n)
    adv = rng.standard_normal(n)
    expected = torch_ppo(torch, new, old, adv, clip_eps)
    assert ppo_clip_loss(new, old, adv, clip_eps=clip_eps) == pytest.approx(
        expected, rel=RTOL, abs=1e-15
    )


def loops_ppo_term(ratio, advantage, eps):
    clipped = min(max(ratio, 1 - eps), 1 + eps)
    return min(ratio * advantage, clipped * advantage)


@pytest.mark.parametrize(
    ("ratio", "advantage"),
    [(1.5, 1.0), (0.5, 1.0), (1.1, 1.0), (1.5, -1.0), (0.5, -1.0), (0.9, -2.0), (1.0, 3.0)],
)
def test_ppo_clips_only_in_the_direction_that_helps(ratio, advantage):
    # A > 0: gains stop at r = 1 + ε, losses (r < 1 − ε) are not clipped;
    # A < 0: gains stop at r = 1 − ε, losses (r > 1 + ε) are not clipped.
    got = ppo_clip_loss([math.log(ratio)], [0.0], [advantage], clip_eps=0.2)
    assert got == pytest.approx(-loops_ppo_term(ratio, advantage, 0.2), rel=1e-14)
    expected = {
        (1.5, 1.0): -1.2, (0.5, 1.0): -0.5, (1.1, 1.0): -1.1, (1.5, -1.0): 1.5,
        (0.5, -1.0): 0.8, (0.9, -2.0): 1.8, (1.0, 3.0): -3.0,
    }[(ratio, advantage)]  # fmt: skip
    assert got == pytest.approx(expected, rel=1e-14)


def test_ppo_extreme_log_ratios(torch):
    new = np.array([1e3, 1e3, -1e3, -1e3])
    old = np.zeros(4)
    adv = np.array([2.0, 0.0, 1.0, -1.0])
    with np.errstate(over="raise", invalid="raise"):
        got = ppo_clip_loss(new, old, adv, clip_eps=0.2)
    # r = e^1000 with A = 2 is clipped to 1.2·2; A = 0 contributes 0 (torch: inf·0 = nan);
    # r = e^−1000 ≈ 0: A = 1 gives 0, A = −1 is clipped to 0.8·(−1).
    assert got == pytest.approx(-(2.4 + 0.0 + 0.0 - 0.8) / 4, rel=1e-14)
    assert math.isnan(torch_ppo(torch, new, old, adv, 0.2))
    # A huge ratio with a negative advantage is never clipped: the loss is unbounded.
    assert ppo_clip_loss([1e3], [0.0], [-1.0]) == math.inf


def test_ppo_empty_batch_and_float32():
    assert ppo_clip_loss(np.zeros(0), np.zeros(0), np.zeros(0)) == 0.0
    rng = np.random.default_rng(5)
    args = tuple(rng.standard_normal(10).astype(np.float32) for _ in range(3))
    assert ppo_clip_loss(*args) == ppo_clip_loss(*(a.astype(np.float64) for a in args))


# ------------------------------------------------------------------------------------ GRPO


def loops_grpo(rewards, eps):
    out = []
    for row in np.asarray(rewards, dtype=float).tolist():
        mean = math.fsum(row) / len(row)
        std = math.sqrt(math.fsum((r - mean) ** 2 for r in row) / len(row))
        out.append([(r - mean) / (std + eps) for r in row])
    return np.array(out)


@pytest.mark.parametrize("eps", [1e-4, 1e-8, 1.0])
@pytest.mark.parametrize(("seed", "groups", "size"), [(1, 1, 2), (2, 4, 8), (3, 16, 64), (4, 3, 1)])
def test_grpo_matches_torch_std_ddof0_and_loops(torch, seed, groups, size, eps):
    rng = np.random.default_rng(seed)
    rewards = rng.integers(0, 2, size=(groups, size)) + 0.1 * rng.standard_normal((groups, size))
    tr = t(torch, rewards)
    by_torch = (
        (tr - tr.mean(dim=1, keepdim=True)) / (tr.std(dim=1, keepdim=True, correction=0) + eps)
    ).numpy()
    got = grpo_advantages(rewards, eps=eps)
    assert got.shape == rewards.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, by_torch, rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(got, loops_grpo(rewards, eps), rtol=RTOL, atol=1e-14)


def test_grpo_hand_values_constant_groups_and_ddof():
    # rewards (0, 1): mean ½, population std ½ → ±1/(1 + 2·eps)
    got = grpo_advantages([[0.0, 1.0], [3.0, 3.0]], eps=1e-4)
    np.testing.assert_allclose(got[0], [-0.5 / 0.5001, 0.5 / 0.5001], rtol=1e-15)
    np.testing.assert_array_equal(got[1], [0.0, 0.0])  # all equal: no signal
    # With ddof = 1 the std would be 1/√2 and the advantages ±0.707: not what we return.
    assert abs(got[0, 1] - 0.5 / (math.sqrt(0.5) + 1e-4)) > 0.2


def test_grpo_empty_and_float32():
    empty = grpo_advantages(np.zeros((0, 4)))
    assert empty.shape == (0, 4) and empty.dtype == np.float64
    r = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_array_equal(grpo_advantages(r), grpo_advantages(r.astype(np.float64)))


def test_grpo_large_rewards_stay_accurate():
    rewards = np.array([[1e6 + 1.0, 1e6, 1e6 - 1.0, 1e6]])
    np.testing.assert_allclose(
        grpo_advantages(rewards, eps=1e-12), loops_grpo(rewards, 1e-12), rtol=1e-9
    )


# ------------------------------------------------------------------------- GAN discriminator


def torch_gan_d(torch, real, fake):
    F = torch.nn.functional
    r, f = t(torch, real), t(torch, fake)
    return (
        F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
        + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
    ).item()


@pytest.mark.parametrize(
    ("seed", "n_real", "n_fake", "scale"),
    [(1, 1, 1, 1.0), (2, 16, 16, 2.0), (3, 8, 24, 10.0), (4, 100, 3, 40.0)],
)
def test_gan_discriminator_matches_torch_bce_with_logits(torch, seed, n_real, n_fake, scale):
    rng = np.random.default_rng(seed)
    real, fake = scale * rng.standard_normal(n_real), scale * rng.standard_normal(n_fake)
    expected = torch_gan_d(torch, real, fake)
    assert gan_discriminator_loss(real, fake) == pytest.approx(expected, rel=RTOL)


def test_gan_discriminator_hand_values_and_extremes():
    # D cannot tell real from fake (logits 0): 2·log 2.
    assert gan_discriminator_loss([0.0, 0.0], [0.0]) == pytest.approx(2 * math.log(2), rel=1e-15)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert gan_discriminator_loss([1e4], [-1e4]) == 0.0
        assert gan_discriminator_loss([-1e4], [1e4]) == 2e4
    assert gan_discriminator_loss([], []) == 0.0
    assert gan_discriminator_loss([0.0], []) == pytest.approx(math.log(2), rel=1e-15)
