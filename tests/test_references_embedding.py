"""Embedding references against PyTorch (written with F.normalize / F.cross_entropy) and hand
derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossdrill.references import (
    clip_loss,
    contrastive_loss,
    cosine_embedding_loss,
    info_nce_loss,
    nt_xent_loss,
    triplet_loss,
)

RTOL = 1e-10
ROW_CASES = [
    pytest.param(seed, n, d, scale, id=f"{n}x{d}-x{scale:g}")
    for seed, (n, d, scale) in enumerate(
        [(1, 1, 1.0), (1, 5, 1.0), (8, 3, 1.0), (32, 16, 0.3), (5, 64, 3.0), (16, 2, 10.0)]
    )
]


def rows(seed: int, count: int, n: int, d: int, scale: float) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal((n, d)) for _ in range(count)]


def t(torch, x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


# --------------------------------------------------------------------------------- triplet


@pytest.mark.parametrize("margin", [1.0, 0.0, 5.0])
@pytest.mark.parametrize(("seed", "n", "d", "scale"), ROW_CASES)
def test_triplet_matches_torch_with_squared_pairwise_distances(torch, seed, n, d, scale, margin):
    a, p, neg = rows(seed, 3, n, d, scale)
    F = torch.nn.functional
    # torch's triplet_margin_loss uses ‖·‖ (not squared) with an eps; square eps-free
    # pairwise distances instead.
    d_pos = F.pairwise_distance(t(torch, a), t(torch, p), p=2.0, eps=0.0) ** 2
    d_neg = F.pairwise_distance(t(torch, a), t(torch, neg), p=2.0, eps=0.0) ** 2
    expected = torch.relu(d_pos - d_neg + margin).mean().item()
    assert triplet_loss(a, p, neg, margin=margin) == pytest.approx(expected, rel=RTOL, abs=1e-300)


def test_triplet_differs_from_torch_non_squared_distances(torch):
    a = np.array([[0.0, 0.0]])
    p = np.array([[3.0, 0.0]])
    n = np.array([[0.0, 2.0]])
    # squared: max(0, 9 − 4 + 1) = 6; torch's plain distances: max(0, 3 − 2 + 1) = 2.
    assert triplet_loss(a, p, n) == pytest.approx(6.0, rel=1e-15)
    non_squared = torch.nn.functional.triplet_margin_loss(
        t(torch, a), t(torch, p), t(torch, n), margin=1.0, eps=0.0
    ).item()
    assert non_squared == pytest.approx(2.0, rel=1e-15)


def test_triplet_accepts_one_row_and_integer_inputs():
    # d(a, p) = 2, d(a, n) = 1: max(0, 2 − 1 + 2) = 3
    assert triplet_loss([0, 0], [1, 1], [1, 0], margin=2) == 3.0


# ----------------------------------------------------------------------------- contrastive


@pytest.mark.parametrize("margin", [1.0, 0.5, 4.0])
@pytest.mark.parametrize(("seed", "n", "d", "scale"), ROW_CASES)
def test_contrastive_matches_torch_written_out(torch, seed, n, d, scale, margin):
    x1, x2 = rows(seed, 2, n, d, scale)
    y = np.random.default_rng(seed + 100).integers(0, 2, size=n)
    distance = torch.nn.functional.pairwise_distance(t(torch, x1), t(torch, x2), eps=0.0)
    ty = t(torch, y)
    expected = (
        ((1 - ty) * 0.5 * distance**2 + ty * 0.5 * torch.clamp(margin - distance, min=0) ** 2)
        .mean()
        .item()
    )
    assert contrastive_loss(x1, x2, y, margin=margin) == pytest.approx(expected, rel=RTOL)


def test_contrastive_label_zero_means_similar():
    x1 = [[0.0, 0.0], [0.0, 0.0]]
    x2 = [[0.6, 0.8], [0.6, 0.8]]  # D = 1 for both pairs
    # y = 0 (similar): ½·D² = 0.5; y = 1 (dissimilar) with margin 3: ½·(3 − 1)² = 2.
    assert contrastive_loss(x1[:1], x2[:1], [0]) == pytest.approx(0.5, rel=1e-15)
    assert contrastive_loss(x1[:1], x2[:1], [1], margin=3.0) == pytest.approx(2.0, rel=1e-15)
    assert contrastive_loss(x1, x2, [0, 1], margin=3.0) == pytest.approx(1.25, rel=1e-15)
    # a dissimilar pair already beyond the margin costs nothing
    assert contrastive_loss(x1[:1], x2[:1], [1], margin=0.5) == 0.0


# ------------------------------------------------------------------------ cosine embedding


@pytest.mark.parametrize("margin", [0.0, 0.3, -0.5])
@pytest.mark.parametrize(("seed", "n", "d", "scale"), ROW_CASES)
def test_cosine_embedding_matches_torch(torch, seed, n, d, scale, margin):
    x1, x2 = rows(seed, 2, n, d, scale)
    y = np.random.default_rng(seed + 7).choice([-1, 1], size=n)
    expected = torch.nn.functional.cosine_embedding_loss(
        t(torch, x1), t(torch, x2), torch.tensor(y), margin=margin
    ).item()
    # torch adds eps = 1e-12 to the squared norms; at these scales that is < 1e-11 relative.
    assert cosine_embedding_loss(x1, x2, y, margin=margin) == pytest.approx(
        expected, rel=1e-9, abs=1e-12
    )


def test_cosine_embedding_hand_example():
    x1 = [[1.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
    x2 = [[0.0, 2.0], [3.0, 3.0], [1e-200, 1e-200]]
    # cos = 0, 1/√2, 1: y = 1 costs 1 − cos; y = −1 costs max(0, cos − 0.5).
    expected = ((1 - 0) + (1 / math.sqrt(2) - 0.5) + (1 - 1)) / 3
    assert cosine_embedding_loss(x1, x2, [1, -1, 1], margin=0.5) == pytest.approx(
        expected, rel=1e-14
    )


def test_cosine_embedding_is_scale_invariant_even_at_extreme_scales():
    x1, x2 = rows(3, 2, 6, 4, 1.0)
    y = np.array([1, -1, 1, -1, 1, -1])
    base = cosine_embedding_loss(x1, x2, y)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert cosine_embedding_loss(1e200 * x1, 1e-200 * x2, y) == pytest.approx(base, rel=1e-13)


def test_cosine_embedding_of_a_zero_vector_uses_cosine_zero():
    assert cosine_embedding_loss([[0.0, 0.0]], [[1.0, 2.0]], [1]) == 1.0
    assert cosine_embedding_loss([[0.0, 0.0]], [[1.0, 2.0]], [-1]) == 0.0


# ------------------------------------------------------------------- InfoNCE, CLIP, NT-Xent


def torch_info_nce(torch, q, k, temperature):
    F = torch.nn.functional
    logits = F.normalize(t(torch, q), dim=1) @ F.normalize(t(torch, k), dim=1).T / temperature
    return F.cross_entropy(logits, torch.arange(len(q))).item()


def torch_clip(torch, images, texts, temperature):
    F = torch.nn.functional
    logits = F.normalize(t(torch, images), dim=1) @ F.normalize(t(torch, texts), dim=1).T
    logits = logits / temperature
    target = torch.arange(len(images))
    return ((F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2).item()


def torch_nt_xent(torch, z1, z2, temperature):
    F = torch.nn.functional
    z = F.normalize(torch.cat([t(torch, z1), t(torch, z2)]), dim=1)
    sim = z @ z.T / temperature
    sim.fill_diagonal_(float("-inf"))
    n = len(z1)
    target = (torch.arange(2 * n) + n) % (2 * n)
    return F.cross_entropy(sim, target).item()


@pytest.mark.parametrize("temperature", [0.1, 0.05, 1.0])
@pytest.mark.parametrize(("seed", "n", "d", "scale"), ROW_CASES)
def test_info_nce_matches_torch(torch, seed, n, d, scale, temperature):
    q, k = rows(seed, 2, n, d, scale)
    expected = torch_info_nce(torch, q, k, temperature)
    assert info_nce_loss(q, k, temperature=temperature) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("temperature", [0.07, 0.01, 0.5])
@pytest.mark.parametrize(("seed", "n", "d", "scale"), ROW_CASES)
def test_clip_matches_torch(torch, seed, n, d, scale, temperature):
    images, texts = rows(seed, 2, n, d, scale)
    expected = torch_clip(torch, images, texts, temperature)
    assert clip_loss(images, texts, temperature=temperature) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("temperature", [0.5, 0.1, 2.0])
@pytest.mark.parametrize(("seed", "n", "d", "scale"), ROW_CASES)
def test_nt_xent_matches_torch(torch, seed, n, d, scale, temperature):
    z1, z2 = rows(seed, 2, n, d, scale)
    expected = torch_nt_xent(torch, z1, z2, temperature)
    assert nt_xent_loss(z1, z2, temperature=temperature) == pytest.approx(expected, rel=RTOL)


def test_info_nce_with_orthogonal_matching_pairs_is_hand_computable():
    # q = k = I₃: logits = I/τ, so each row is −log(e^(1/τ) / (e^(1/τ) + 2)).
    tau = 0.5
    expected = -math.log(math.exp(2.0) / (math.exp(2.0) + 2.0))
    assert info_nce_loss(np.eye(3), 4 * np.eye(3), temperature=tau) == pytest.approx(
        expected, rel=1e-14
    )


def test_clip_is_symmetric_average_of_two_directions(torch):
    images, texts = rows(42, 2, 6, 5, 1.0)
    # Image→text alone is InfoNCE(images, texts); text→image is InfoNCE(texts, images).
    both = (
        torch_info_nce(torch, images, texts, 0.07) + torch_info_nce(torch, texts, images, 0.07)
    ) / 2
    assert clip_loss(images, texts) == pytest.approx(both, rel=RTOL)


def test_nt_xent_of_one_pair_is_zero():
    # With N = 1 the only other view is the positive: −log(1) = 0.
    assert nt_xent_loss([[1.0, 2.0]], [[-3.0, 0.5]]) == pytest.approx(0.0, abs=1e-15)


def test_nt_xent_hand_example():
    # z1 = z2 = [e1, e2], τ = 1: the 4 views are e1, e2, e1, e2. Each view's positive (its
    # copy) has similarity 1 and the two other views 0, so ℓ = −log(e / (e + 2)).
    z = np.eye(2)
    expected = -math.log(math.e / (math.e + 2.0))
    assert nt_xent_loss(z, z, temperature=1.0) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("loss", [info_nce_loss, clip_loss, nt_xent_loss])
def test_contrastive_batch_losses_are_stable_at_tiny_temperature(torch, loss):
    a, b = rows(5, 2, 8, 4, 1.0)
    oracle = {info_nce_loss: torch_info_nce, clip_loss: torch_clip, nt_xent_loss: torch_nt_xent}
    expected = oracle[loss](torch, a, b, 1e-3)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = loss(a, b, temperature=1e-3)
    assert got == pytest.approx(expected, rel=1e-9)


def test_float32_embeddings_match_torch_on_the_same_values(torch):
    a32, b32, c32 = (x.astype(np.float32) for x in rows(9, 3, 7, 5, 1.0))
    a, b, c = (x.astype(np.float64) for x in (a32, b32, c32))
    F = torch.nn.functional
    d_pos = F.pairwise_distance(t(torch, a), t(torch, b), eps=0.0) ** 2
    d_neg = F.pairwise_distance(t(torch, a), t(torch, c), eps=0.0) ** 2
    assert triplet_loss(a32, b32, c32) == pytest.approx(
        torch.relu(d_pos - d_neg + 1.0).mean().item(), rel=RTOL
    )
    assert info_nce_loss(a32, b32) == pytest.approx(torch_info_nce(torch, a, b, 0.1), rel=RTOL)
    assert nt_xent_loss(a32, b32) == pytest.approx(torch_nt_xent(torch, a, b, 0.5), rel=RTOL)
