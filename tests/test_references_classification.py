"""Classification references against PyTorch, scipy and hand derivations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special

from lossdrill.references import (
    binary_ce_with_logits,
    categorical_ce_with_logits,
    dice_loss,
    focal_loss,
    hinge_loss,
    label_smoothing_ce,
    log_softmax,
    multiclass_hinge_loss,
    sigmoid,
    softmax,
    weighted_bce_with_logits,
)

RTOL = 1e-10
ATOL = 1e-300  # compare relatively even for tiny values
# Gradual underflow to 0 (e^(−1e4)) is expected and harmless; overflow, 0/0 and log 0 are not.
NO_OVERFLOW_OR_NAN = {"over": "raise", "invalid": "raise", "divide": "raise"}
EXTREME_LOGITS = [50.0, -50.0, 800.0, -800.0, 1e4, -1e4, 0.0, 1e-12, 36.7, -36.7, 709.0, -745.0]


def binary_data(seed: int, shape: tuple[int, ...], scale: float):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, size=shape).astype(float), scale * rng.standard_normal(shape)


def multiclass_data(seed: int, n: int, k: int, scale: float):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, size=n)
    return labels, np.eye(k)[labels], scale * rng.standard_normal((n, k))


BINARY_CASES = [
    pytest.param(seed, shape, scale, id=f"{shape}-x{scale:g}")
    for seed, (shape, scale) in enumerate(
        [((1,), 1.0), ((10,), 1.0), ((100,), 3.0), ((4, 5), 10.0), ((2, 3, 4), 0.1), ((50,), 100.0)]
    )
]
MULTICLASS_CASES = [
    pytest.param(seed, n, k, scale, id=f"{n}x{k}-x{scale:g}")
    for seed, (n, k, scale) in enumerate(
        [(1, 2, 1.0), (5, 3, 1.0), (32, 10, 3.0), (8, 100, 10.0), (16, 4, 100.0)]
    )
]


def extreme_binary():
    z = np.array(EXTREME_LOGITS * 2)
    y = np.array([1.0] * len(EXTREME_LOGITS) + [0.0] * len(EXTREME_LOGITS))
    return y, z


# ---------------------------------------------------------------------------- activations


@pytest.mark.parametrize("shape", [(), (1,), (9,), (3, 4), (2, 3, 5)])
def test_sigmoid_matches_scipy_expit(shape):
    x = 20 * np.random.default_rng(1).standard_normal(shape)
    got = sigmoid(x)
    assert isinstance(got, np.ndarray) and got.shape == np.shape(x) and got.dtype == np.float64
    np.testing.assert_allclose(got, scipy.special.expit(x), rtol=1e-14, atol=0)


def test_sigmoid_is_accurate_and_silent_at_extreme_inputs(torch):
    x = np.array(EXTREME_LOGITS)
    with np.errstate(**NO_OVERFLOW_OR_NAN):
        got = sigmoid(x)
    # atol: σ(−745) ≈ 4.9e-324 is subnormal; oracles may round it to 0 instead.
    np.testing.assert_allclose(got, scipy.special.expit(x), rtol=1e-14, atol=1e-320)
    np.testing.assert_allclose(got, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-14, atol=1e-320)
    assert got[EXTREME_LOGITS.index(-50.0)] == pytest.approx(math.exp(-50) / (1 + math.exp(-50)))


@pytest.mark.parametrize("shape", [(1,), (6,), (4, 3), (2, 3, 7)])
@pytest.mark.parametrize("scale", [1.0, 100.0, 1e4])
def test_softmax_and_log_softmax_match_scipy_and_torch(torch, shape, scale):
    x = scale * np.random.default_rng(2).standard_normal(shape)
    np.testing.assert_allclose(
        softmax(x), scipy.special.softmax(x, axis=-1), rtol=1e-13, atol=1e-300
    )
    np.testing.assert_allclose(
        softmax(x), torch.softmax(torch.tensor(x), dim=-1).numpy(), rtol=1e-13, atol=1e-300
    )
    np.testing.assert_allclose(
        log_softmax(x), scipy.special.log_softmax(x, axis=-1), rtol=1e-13, atol=1e-13
    )
    np.testing.assert_allclose(
        log_softmax(x), torch.log_softmax(torch.tensor(x), dim=-1).numpy(), rtol=1e-13, atol=1e-13
    )


def test_softmax_is_finite_for_huge_logits():
    got = softmax([1000.0, 1000.0, -1e4])
    np.testing.assert_array_equal(got, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(log_softmax([1000.0, 1000.0]), [-math.log(2)] * 2, rtol=1e-15)


def test_log_softmax_keeps_tiny_tail_mass():
    # log softmax of the dominant logit is −log(1 + e^(−40)) ≈ −e^(−40), not 0.
    got = log_softmax([40.0, 0.0])
    assert got[0] == pytest.approx(-math.log1p(math.exp(-40.0)), rel=1e-15)
    assert got[0] != 0.0


def test_softmax_rejects_a_scalar():
    with pytest.raises(ValueError, match="at least one axis"):
        softmax(3.0)


# -------------------------------------------------------------------- binary cross-entropy


def bce_by_scipy(y, z):
    return float(np.mean(-(y * scipy.special.log_expit(z) + (1 - y) * scipy.special.log_expit(-z))))


@pytest.mark.parametrize(("seed", "shape", "scale"), BINARY_CASES)
def test_bce_matches_torch_and_scipy(torch, seed, shape, scale):
    y, z = binary_data(seed, shape, scale)
    by_torch = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.tensor(y)
    ).item()
    got = binary_ce_with_logits(y, z)
    assert got == pytest.approx(by_torch, rel=RTOL)
    assert got == pytest.approx(bce_by_scipy(y, z), rel=RTOL)


def test_bce_is_stable_at_extreme_logits(torch):
    y, z = extreme_binary()
    with np.errstate(**NO_OVERFLOW_OR_NAN):
        got = binary_ce_with_logits(y, z)
    by_torch = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.tensor(y)
    ).item()
    assert got == pytest.approx(by_torch, rel=RTOL)
    assert got == pytest.approx(bce_by_scipy(y, z), rel=RTOL)


@pytest.mark.parametrize(
    ("y", "z", "expected"), [(1.0, -1000.0, 1000.0), (0.0, 1e4, 1e4), (1.0, 1e4, 0.0)]
)
def test_bce_of_one_confident_sample_is_the_margin(y, z, expected):
    # −log σ(−1000) = 1000 + log1p(e^(−1000)) = 1000 to double precision.
    assert binary_ce_with_logits([y], [z]) == pytest.approx(expected, rel=1e-15, abs=1e-300)


def test_bce_on_the_lecture_example_is_0_2005_not_1_207():
    y = [0, 1, 1, 0]
    z = [-2, 3, 1, -1]
    # Per sample: y=0 costs log(1 + e^z), y=1 costs log(1 + e^(−z)).
    expected = (
        math.log1p(math.exp(-2)) + math.log1p(math.exp(-3)) + 2 * math.log1p(math.exp(-1))
    ) / 4
    got = binary_ce_with_logits(y, z)
    assert got == pytest.approx(expected, rel=1e-14)
    assert round(got, 4) == 0.2005
    assert abs(got - 1.207) > 1.0


@pytest.mark.parametrize("pos_weight", [1.0, 0.3, 5.0, 99.0])
@pytest.mark.parametrize(("seed", "shape", "scale"), BINARY_CASES)
def test_weighted_bce_matches_torch_pos_weight(torch, seed, shape, scale, pos_weight):
    y, z = binary_data(seed, shape, scale)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.tensor(y), pos_weight=torch.tensor(pos_weight, dtype=torch.float64)
    ).item()
    assert weighted_bce_with_logits(y, z, pos_weight=pos_weight) == pytest.approx(
        expected, rel=RTOL
    )


def test_weighted_bce_is_stable_at_extreme_logits(torch):
    y, z = extreme_binary()
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.tensor(y), pos_weight=torch.tensor(3.0, dtype=torch.float64)
    ).item()
    with np.errstate(**NO_OVERFLOW_OR_NAN):
        assert weighted_bce_with_logits(y, z, pos_weight=3.0) == pytest.approx(expected, rel=RTOL)


def test_weighted_bce_with_unit_weight_is_plain_bce():
    y, z = binary_data(5, (40,), 2.0)
    assert weighted_bce_with_logits(y, z) == pytest.approx(bce_by_scipy(y, z), rel=1e-13)


# ---------------------------------------------------------------- categorical cross-entropy


@pytest.mark.parametrize(("seed", "n", "k", "scale"), MULTICLASS_CASES)
def test_cce_matches_torch_cross_entropy_and_scipy_logsumexp(torch, seed, n, k, scale):
    labels, onehot, z = multiclass_data(seed, n, k, scale)
    F = torch.nn.functional
    by_index = F.cross_entropy(torch.tensor(z), torch.tensor(labels)).item()
    by_probs = F.cross_entropy(torch.tensor(z), torch.tensor(onehot)).item()
    by_scipy = float(np.mean(scipy.special.logsumexp(z, axis=1) - z[np.arange(n), labels]))
    got = categorical_ce_with_logits(onehot, z)
    assert got == pytest.approx(by_index, rel=RTOL)
    assert got == pytest.approx(by_probs, rel=RTOL)
    assert got == pytest.approx(by_scipy, rel=RTOL)


@pytest.mark.parametrize("big", [50.0, 800.0, 1e4])
def test_cce_is_stable_at_extreme_logits(torch, big):
    z = np.array([[big, -big, 0.0], [-big, big, big], [0.0, 0.0, -big], [big, big - 1.0, -big]])
    onehot = np.eye(3)[[1, 2, 0, 1]]
    expected = torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(onehot)).item()
    with np.errstate(**NO_OVERFLOW_OR_NAN):
        got = categorical_ce_with_logits(onehot, z)
    assert got == pytest.approx(expected, rel=RTOL)


def test_cce_on_the_lecture_example():
    z = np.array([[2.0, -1.0, 0.0], [1.0, 3.0, -1.0], [-2.0, 1.0, 4.0]])
    onehot = np.eye(3, dtype=int)
    rows = [math.log(sum(math.exp(v) for v in row)) - row[i] for i, row in enumerate(z)]
    assert categorical_ce_with_logits(onehot, z) == pytest.approx(sum(rows) / 3, rel=1e-14)


def test_cce_accepts_a_single_row_as_one_sample():
    z = [0.5, -1.0, 2.0]
    expected = math.log(sum(math.exp(v) for v in z)) - 2.0
    assert categorical_ce_with_logits([0, 0, 1], z) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.25, 1.0])
@pytest.mark.parametrize(("seed", "n", "k", "scale"), MULTICLASS_CASES)
def test_label_smoothing_ce_matches_torch(torch, seed, n, k, scale, epsilon):
    labels, _, z = multiclass_data(seed, n, k, scale)
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(z), torch.tensor(labels), label_smoothing=epsilon
    ).item()
    assert label_smoothing_ce(labels, z, epsilon=epsilon) == pytest.approx(expected, rel=RTOL)


def test_label_smoothing_ce_spreads_epsilon_over_all_classes():
    # Uniform logits over k = 4: every log-probability is −log 4, whatever the targets.
    assert label_smoothing_ce([2], [[0.0, 0.0, 0.0, 0.0]], epsilon=0.3) == pytest.approx(
        math.log(4), rel=1e-15
    )
    # Logits [0, log 3]: log p = [−log 4, log 3 − log 4]; label 1, ε = 0.2, k = 2:
    # targets [0.1, 0.9] → 0.1·log 4 + 0.9·(log 4 − log 3).
    expected = 0.1 * math.log(4) + 0.9 * (math.log(4) - math.log(3))
    assert label_smoothing_ce([1], [[0.0, math.log(3)]], epsilon=0.2) == pytest.approx(
        expected, rel=1e-14
    )


def test_label_smoothing_ce_accepts_float_labels_and_extreme_logits(torch):
    z = np.array([[1e4, -1e4, 0.0], [800.0, 799.0, -800.0]])
    labels = np.array([1.0, 0.0])
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(z), torch.tensor([1, 0]), label_smoothing=0.1
    ).item()
    assert label_smoothing_ce(labels, z) == pytest.approx(expected, rel=RTOL)


# ----------------------------------------------------------------------------------- focal


def torchvision_sigmoid_focal_loss(torch, logits, targets, alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss with reduction="mean", written out."""
    p = torch.sigmoid(logits)
    ce_loss = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, targets, reduction="none"
    )
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss.mean().item()


@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (0.5, 0.0), (0.75, 1.0), (0.1, 3.5)])
@pytest.mark.parametrize(("seed", "shape", "scale"), BINARY_CASES[:5])
def test_focal_loss_matches_torchvision_convention(torch, seed, shape, scale, alpha, gamma):
    y, z = binary_data(seed, shape, scale)
    expected = torchvision_sigmoid_focal_loss(torch, torch.tensor(z), torch.tensor(y), alpha, gamma)
    assert focal_loss(y, z, alpha=alpha, gamma=gamma) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("z_abs", [50.0, 800.0, 1e4])
def test_focal_loss_is_stable_for_badly_wrong_extreme_logits(torch, z_abs):
    # Confidently wrong samples: p_t = σ(−|z|) ≈ 0, so the loss is ≈ α_t·|z|. torchvision's
    # own formula stays finite here (its 1 − p_t is ≈ 1), so it is a valid oracle.
    y = np.array([1.0, 0.0])
    z = np.array([-z_abs, z_abs])
    expected = torchvision_sigmoid_focal_loss(torch, torch.tensor(z), torch.tensor(y), 0.25, 2.0)
    with np.errstate(**NO_OVERFLOW_OR_NAN):
        got = focal_loss(y, z)
    assert got == pytest.approx(expected, rel=RTOL)
    assert got == pytest.approx((0.25 * z_abs + 0.75 * z_abs) / 2, rel=1e-12)


def test_focal_loss_keeps_tiny_losses_of_confident_right_answers():
    # y = 1, z = 40: 1 − p_t = σ(−40) ≈ e^(−40) and −log p_t ≈ e^(−40), so
    # the loss is α·e^(−40)²·e^(−40) = 0.25·e^(−120) (1 − σ(40) would round to 0).
    assert focal_loss([1.0], [40.0]) == pytest.approx(0.25 * math.exp(-120.0), rel=1e-12)


def test_focal_loss_uses_alpha_t_on_the_lecture_example():
    y = [0, 1, 1, 0]
    z = [-2, 3, 1, -1]
    total = 0.0
    for yi, zi in zip(y, z, strict=True):
        p = 1 / (1 + math.exp(-zi))
        p_t = p if yi == 1 else 1 - p
        alpha_t = 0.25 if yi == 1 else 0.75
        total += -alpha_t * (1 - p_t) ** 2 * math.log(p_t)
    got = focal_loss(y, z)
    assert got == pytest.approx(total / 4, rel=1e-13)
    constant_alpha = (
        sum(
            -0.25 * (1 - pt) ** 2 * math.log(pt)
            for pt in (
                1 - 1 / (1 + math.exp(2)),
                1 / (1 + math.exp(-3)),
                1 / (1 + math.exp(-1)),
                1 - 1 / (1 + math.exp(1)),
            )
        )
        / 4
    )
    assert abs(got - constant_alpha) > 1e-3


def test_focal_loss_with_gamma_zero_and_half_alpha_is_half_bce():
    y, z = binary_data(9, (30,), 4.0)
    assert focal_loss(y, z, alpha=0.5, gamma=0.0) == pytest.approx(
        0.5 * bce_by_scipy(y, z), rel=1e-13
    )


# ----------------------------------------------------------------------------------- hinge


@pytest.mark.parametrize("margin", [1.0, 0.0, 2.5])
@pytest.mark.parametrize(("seed", "shape", "scale"), BINARY_CASES)
def test_hinge_loss_matches_torch_margin_ranking_against_zero(torch, seed, shape, scale, margin):
    y01, s = binary_data(seed, shape, scale)
    y = 2 * y01 - 1
    # max(0, margin − y·s) = margin_ranking_loss(s, 0, y, margin).
    expected = torch.nn.functional.margin_ranking_loss(
        torch.tensor(s), torch.zeros(shape, dtype=torch.float64), torch.tensor(y), margin=margin
    ).item()
    assert hinge_loss(y, s, margin=margin) == pytest.approx(expected, rel=RTOL, abs=1e-300)


def test_hinge_loss_on_the_lecture_example():
    # y = [−1, 1, 1, −1], s = [−2, 3, 0.5, −0.5]: costs 0, 0, 0.5, 0.5.
    assert hinge_loss([-1, 1, 1, -1], [-2, 3, 0.5, -0.5]) == pytest.approx(0.25, rel=1e-15)


@pytest.mark.parametrize("margin", [1.0, 0.5, 3.0])
@pytest.mark.parametrize(("seed", "n", "k", "scale"), MULTICLASS_CASES)
def test_multiclass_hinge_is_torch_multi_margin_times_k(torch, seed, n, k, scale, margin):
    labels, _, s = multiclass_data(seed, n, k, scale)
    # torch divides the Weston–Watkins sum by the number of classes k.
    expected = (
        k
        * torch.nn.functional.multi_margin_loss(
            torch.tensor(s), torch.tensor(labels), p=1, margin=margin
        ).item()
    )
    assert multiclass_hinge_loss(labels, s, margin=margin) == pytest.approx(expected, rel=RTOL)


def test_multiclass_hinge_sums_over_wrong_classes_only():
    # label 0, scores [2, 1.5, −1, 2.2]: wrong classes cost 0.5, 0, 1.2 (the true class
    # itself would add max(0, margin) = 1 if it were not excluded).
    assert multiclass_hinge_loss([0], [[2.0, 1.5, -1.0, 2.2]]) == pytest.approx(1.7, rel=1e-14)


# ------------------------------------------------------------------------------------ dice


def test_dice_loss_hand_example():
    y = [1, 1, 0, 0]
    p = [0.9, 0.4, 0.2, 0.0]
    # Σyp = 1.3, Σy = 2, Σp = 1.5: 1 − (2.6 + 1)/(3.5 + 1) = 0.2
    assert dice_loss(y, p) == pytest.approx(0.2, rel=1e-14)
    # without smoothing: 1 − 2.6/3.5
    assert dice_loss(y, p, smooth=0.0) == pytest.approx(1 - 2.6 / 3.5, rel=1e-14)


@pytest.mark.parametrize("smooth", [1.0, 0.0, 1e-5])
def test_dice_loss_matches_torch_written_out(torch, smooth):
    rng = np.random.default_rng(4)
    y = (rng.random((2, 8, 8)) > 0.6).astype(float)
    p = rng.random((2, 8, 8))
    ty, tp = torch.tensor(y), torch.tensor(p)
    expected = (1 - (2 * (ty * tp).sum() + smooth) / (ty.sum() + tp.sum() + smooth)).item()
    assert dice_loss(y, p, smooth=smooth) == pytest.approx(expected, rel=RTOL)


def test_dice_loss_of_empty_masks_is_zero():
    # (0 + 1)/(0 + 0 + 1) = 1, so the loss is 0 — perfect agreement on "nothing there".
    assert dice_loss(np.zeros(5), np.zeros(5)) == 0.0
    assert dice_loss(np.zeros(5), np.zeros(5), smooth=0.0) == 0.0


def test_dice_loss_of_a_perfect_mask_is_zero_and_of_a_disjoint_one_near_one():
    y = np.array([1.0, 1.0, 0.0, 0.0])
    assert dice_loss(y, y) == pytest.approx(0.0, abs=1e-15)
    assert dice_loss(y, 1 - y, smooth=0.0) == 1.0


# ------------------------------------------------------------------------- input dtypes


def test_float32_and_integer_inputs_match_torch_on_the_same_values(torch):
    rng = np.random.default_rng(8)
    y_int = rng.integers(0, 2, size=50)
    z32 = (5 * rng.standard_normal(50)).astype(np.float32)
    ty = torch.tensor(y_int.astype(np.float64))
    tz = torch.tensor(z32.astype(np.float64))
    F = torch.nn.functional
    assert binary_ce_with_logits(y_int, z32) == pytest.approx(
        F.binary_cross_entropy_with_logits(tz, ty).item(), rel=RTOL
    )
    assert focal_loss(y_int, z32) == pytest.approx(
        torchvision_sigmoid_focal_loss(torch, tz, ty, 0.25, 2.0), rel=RTOL
    )
    labels, onehot, z = multiclass_data(3, 6, 4, 2.0)
    z32 = z.astype(np.float32)
    assert categorical_ce_with_logits(onehot.astype(np.int64), z32) == pytest.approx(
        F.cross_entropy(torch.tensor(z32.astype(np.float64)), torch.tensor(labels)).item(), rel=RTOL
    )
    assert sigmoid(np.array([3], dtype=np.int64))[0] == pytest.approx(1 / (1 + math.exp(-3)))
    assert softmax(np.array([[1, 2]], dtype=np.int32)).dtype == np.float64


@pytest.mark.parametrize("bad_label", [-1, 3])
def test_integer_label_losses_reject_labels_outside_the_classes(bad_label):
    logits = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 3\)"):
        label_smoothing_ce([0, bad_label], logits)
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 3\)"):
        multiclass_hinge_loss([bad_label, 0], logits)
