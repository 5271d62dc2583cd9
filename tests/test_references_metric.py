"""Metric-learning references (ArcFace, batch-hard triplet, SGNS) against implementations
written here in PyTorch and with explicit loops, from the papers' equations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossdrill.references.metric import arcface_loss, batch_hard_triplet_loss, sgns_loss

RTOL = 1e-10


def t(torch, x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


# --------------------------------------------------------------------------------- ArcFace


def torch_arcface(torch, x, w, labels, scale, margin):
    F = torch.nn.functional
    cos = F.normalize(t(torch, x), dim=1) @ F.normalize(t(torch, w), dim=1).T
    target = torch.tensor(np.asarray(labels, dtype=np.int64))
    rows = torch.arange(len(labels))
    theta = torch.acos(cos[rows, target].clamp(-1.0, 1.0))
    logits = cos.clone()
    logits[rows, target] = torch.cos(theta + margin)
    return F.cross_entropy(scale * logits, target).item()


def arcface_case(seed, n, c, d):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((c, d)), rng.integers(0, c, n)


@pytest.mark.parametrize(("scale", "margin"), [(64.0, 0.5), (30.0, 0.2), (1.0, 0.0), (10.0, 1.0)])
@pytest.mark.parametrize(("seed", "n", "c", "d"), [(1, 1, 2, 3), (2, 8, 5, 16), (3, 32, 10, 4)])
def test_arcface_matches_torch_acos_form(torch, seed, n, c, d, scale, margin):
    x, w, labels = arcface_case(seed, n, c, d)
    expected = torch_arcface(torch, x, w, labels, scale, margin)
    got = arcface_loss(x, w, labels, scale=scale, margin=margin)
    assert got == pytest.approx(expected, rel=1e-9)


def test_arcface_without_margin_is_normalised_softmax_cross_entropy(torch):
    x, w, labels = arcface_case(4, 6, 4, 5)
    F = torch.nn.functional
    cos = F.normalize(t(torch, x), dim=1) @ F.normalize(t(torch, w), dim=1).T
    expected = F.cross_entropy(16.0 * cos, torch.tensor(labels)).item()
    assert arcface_loss(x, w, labels, scale=16.0, margin=0.0) == pytest.approx(expected, rel=RTOL)


def test_arcface_follows_the_equation_past_theta_plus_m_equal_pi():
    # θ_y = 0.9π: θ + m = 0.9π + 0.5 > π. The paper's cos(θ + m) is used as it is; the
    # official code's "easy margin" (cos θ < 0 → keep cos θ) and its fallback
    # (cos θ − m·sin m) would give other logits.
    theta = 0.9 * math.pi
    x = np.array([[1.0, 0.0]])
    w = np.array([[math.cos(theta), math.sin(theta)], [0.0, 1.0]])
    s, m = 4.0, 0.5
    target = s * math.cos(theta + m)
    other = s * math.cos(math.pi / 2)
    by_hand = -(target - math.log(math.exp(target) + math.exp(other)))
    assert arcface_loss(x, w, [0], scale=s, margin=m) == pytest.approx(by_hand, rel=1e-12)
    easy = s * math.cos(theta)
    easy_value = -(easy - math.log(math.exp(easy) + math.exp(other)))
    assert by_hand != pytest.approx(easy_value, rel=1e-3)


def test_arcface_exact_target_and_extreme_scales():
    # Embedding on its class centre: θ = 0, target logit s·cos m; other class orthogonal.
    s, m = 64.0, 0.5
    target, other = s * math.cos(m), 0.0
    by_hand = math.log1p(math.exp(other - target))
    x = np.array([[3.0, 0.0]])
    w = np.array([[2.0, 0.0], [0.0, 5.0]])
    assert arcface_loss(x, w, [0], scale=s, margin=m) == pytest.approx(by_hand, rel=1e-12)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert arcface_loss(1e200 * x, 1e-200 * w, [0], scale=s, margin=m) == pytest.approx(
            by_hand, rel=1e-12
        )
    # a zero embedding has cosine 0 with every class: θ = π/2, target s·cos(π/2 + m)
    zero_target = s * math.cos(math.pi / 2 + m)
    expected = -(zero_target - math.log(math.exp(zero_target) + 1.0))
    assert arcface_loss([[0.0, 0.0]], w, [0], scale=s, margin=m) == pytest.approx(
        expected, rel=1e-12
    )
    assert arcface_loss(np.zeros((0, 2)), w, np.zeros(0, dtype=int)) == 0.0


def test_arcface_float32_and_bad_labels():
    x, w, labels = arcface_case(5, 4, 3, 6)
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    assert arcface_loss(x32, w32, labels) == arcface_loss(
        x32.astype(np.float64), w32.astype(np.float64), labels
    )
    with pytest.raises(ValueError):
        arcface_loss(x, w, [0, 1, 2, 3])


# ----------------------------------------------------------------------- batch-hard triplet


def loops_batch_hard(x, labels, margin):
    x = np.asarray(x, dtype=float)
    losses = []
    for a in range(len(labels)):
        pos = [
            math.dist(x[a], x[p]) for p in range(len(labels)) if p != a and labels[p] == labels[a]
        ]
        neg = [math.dist(x[a], x[n]) for n in range(len(labels)) if labels[n] != labels[a]]
        if pos and neg:
            losses.append(max(0.0, max(pos) - min(neg) + margin))
    return math.fsum(losses) / len(losses) if losses else 0.0


@pytest.mark.parametrize("margin", [0.3, 0.0, 2.0])
@pytest.mark.parametrize(
    ("seed", "n", "d", "classes", "scale"),
    [
        (1, 4, 2, 2, 1.0),
        (2, 16, 8, 4, 1.0),
        (3, 32, 16, 8, 0.5),
        (4, 12, 3, 6, 5.0),
        (5, 9, 4, 9, 1.0),
    ],
)
def test_batch_hard_matches_loops_and_torch(torch, seed, n, d, classes, scale, margin):
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal((n, d))
    labels = rng.integers(0, classes, n)
    expected = loops_batch_hard(x, labels, margin)
    got = batch_hard_triplet_loss(x, labels, margin=margin)
    assert got == pytest.approx(expected, rel=RTOL, abs=1e-15)
    # torch, written as Hermans et al.'s masks over the distance matrix
    tx = t(torch, x)
    dist = (tx[:, None, :] - tx[None, :, :]).pow(2).sum(-1).sqrt()
    tl = torch.tensor(labels)
    same = tl[:, None] == tl[None, :]
    pos = same & ~torch.eye(n, dtype=torch.bool)
    neg = ~same
    valid = pos.any(1) & neg.any(1)
    if valid.any():
        hp = torch.where(pos, dist, torch.tensor(-math.inf, dtype=torch.float64)).max(1).values
        hn = torch.where(neg, dist, torch.tensor(math.inf, dtype=torch.float64)).min(1).values
        by_torch = torch.relu(hp - hn + margin)[valid].mean().item()
    else:
        by_torch = 0.0
    assert got == pytest.approx(by_torch, rel=RTOL, abs=1e-15)


def test_batch_hard_anchor_is_never_its_own_positive():
    # Label 0 appears once: that anchor has no positive and is left out. If it counted as
    # its own positive (d = 0) it would add max(0, 0 − 1 + 2) = 1 to the mean.
    x = np.array([[0.0], [1.0], [3.0]])
    labels = [0, 1, 1]
    # anchors 1 and 2: d⁺ = 2, d⁻ = 1 and 3: losses max(0, 2 − 1 + 2) = 3 and max(0, 2 − 3 + 2) = 1
    assert batch_hard_triplet_loss(x, labels, margin=2.0) == pytest.approx(2.0, rel=1e-15)


def test_batch_hard_is_zero_when_no_anchor_has_both():
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert batch_hard_triplet_loss(x, [0, 1, 2, 3, 4]) == 0.0  # no positives
    assert batch_hard_triplet_loss(x, [7, 7, 7, 7, 7]) == 0.0  # no negatives
    assert batch_hard_triplet_loss(np.zeros((0, 3)), []) == 0.0
    assert batch_hard_triplet_loss([[1.0, 2.0]], [0]) == 0.0


def test_batch_hard_uses_plain_distances_and_picks_the_hardest():
    # anchor 0 at the origin: positives at distance 1 and 4 (hardest 4), negatives at 2 and 5
    # (hardest 2): max(0, 4 − 2 + 0.5) = 2.5 (squared distances would give 16 − 4 + 0.5).
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 4.0], [2.0, 0.0], [3.0, 4.0]])
    labels = [0, 0, 0, 1, 1]
    # By hand for every anchor (√17 = d(1, 2) = d(3, 4)):
    # a0: 4 − 2 + ½ = 2.5; a1: √17 − 1 + ½; a2: √17 − 3 + ½; a3: √17 − 1 + ½; a4: √17 − 3 + ½.
    by_hand = (4 * math.sqrt(17) - 3.5) / 5
    got = batch_hard_triplet_loss(x, labels, margin=0.5)
    assert got == pytest.approx(by_hand, rel=1e-14)
    assert loops_batch_hard(x, labels, 0.5) == pytest.approx(by_hand, rel=1e-14)


def test_batch_hard_extreme_scales_and_float32():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 4))
    labels = rng.integers(0, 3, 8)
    base = batch_hard_triplet_loss(x, labels, margin=0.0)
    with np.errstate(over="raise", invalid="raise"):
        assert batch_hard_triplet_loss(1e200 * x, labels, margin=0.0) == pytest.approx(
            1e200 * base, rel=1e-12
        )
        assert batch_hard_triplet_loss(1e-200 * x, labels, margin=0.0) == pytest.approx(
            1e-200 * base, rel=1e-12
        )
    x32 = x.astype(np.float32)
    assert batch_hard_triplet_loss(x32, labels) == batch_hard_triplet_loss(
        x32.astype(np.float64), labels
    )


# ------------------------------------------------------------------------------------ SGNS


def torch_sgns(torch, u, v, neg):
    F = torch.nn.functional
    tu, tv, tn = t(torch, u), t(torch, v), t(torch, neg)
    positive = -F.logsigmoid((tu * tv).sum(-1))
    negative = -F.logsigmoid(-torch.einsum("bkd,bd->bk", tn, tu)).sum(-1)
    return (positive + negative).mean().item()


def loops_sgns(u, v, neg):
    total = []
    for b in range(len(u)):
        x = float(np.dot(u[b], v[b]))
        row = math.log1p(math.exp(-x)) if x > -30 else -x + math.log1p(math.exp(x))
        for k in range(neg.shape[1]):
            y = float(np.dot(u[b], neg[b, k]))
            row += math.log1p(math.exp(y)) if y < 30 else y + math.log1p(math.exp(-y))
        total.append(row)
    return math.fsum(total) / len(total)


@pytest.mark.parametrize(
    ("seed", "b", "k", "d", "scale"),
    [
        (1, 1, 1, 2, 1.0),
        (2, 16, 5, 8, 0.5),
        (3, 32, 20, 16, 0.3),
        (4, 4, 0, 3, 1.0),
        (5, 8, 3, 4, 5.0),
    ],
)
def test_sgns_matches_torch_and_loops(torch, seed, b, k, d, scale):
    rng = np.random.default_rng(seed)
    u, v = scale * rng.standard_normal((2, b, d))
    neg = scale * rng.standard_normal((b, k, d))
    got = sgns_loss(u, v, neg)
    assert got == pytest.approx(torch_sgns(torch, u, v, neg), rel=RTOL)
    assert got == pytest.approx(loops_sgns(u, v, neg), rel=1e-12)


def test_sgns_hand_value_and_extremes():
    # u·v = 0 and one negative with u·n = 0: log 2 + log 2.
    u = np.array([[1.0, 0.0]])
    assert sgns_loss(u, [[0.0, 1.0]], [[[0.0, 1.0]]]) == pytest.approx(2 * math.log(2), rel=1e-15)
    big = np.array([[100.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        # u·v = 1e4 (costs ~0), u·n = −1e4 (costs ~0) / u·n = +1e4 (costs 1e4)
        assert sgns_loss(big, big, -big[:, None, :]) == 0.0
        assert sgns_loss(big, big, big[:, None, :]) == pytest.approx(1e4, rel=1e-15)
    assert sgns_loss(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 4, 3))) == 0.0
