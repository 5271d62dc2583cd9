"""Language-model references (masked CE, distillation, z-loss, MoE load balancing) against
PyTorch and against implementations written here from the papers' equations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossdrill.references.language import (
    distillation_loss,
    load_balancing_loss,
    masked_lm_cross_entropy,
    z_loss,
)

RTOL = 1e-10


def t(torch, x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


# ------------------------------------------------------------------------------- masked CE


def torch_masked_ce(torch, logits, targets, ignore_index):
    vocab = logits.shape[-1]
    return torch.nn.functional.cross_entropy(
        t(torch, logits).reshape(-1, vocab),
        torch.tensor(np.asarray(targets, dtype=np.int64)).reshape(-1),
        ignore_index=ignore_index,
    ).item()


def random_tokens(seed, b, t_len, vocab, scale, ignore_index, ignored_share):
    rng = np.random.default_rng(seed)
    logits = scale * rng.standard_normal((b, t_len, vocab))
    targets = rng.integers(0, vocab, size=(b, t_len))
    targets[rng.random((b, t_len)) < ignored_share] = ignore_index
    return logits, targets


@pytest.mark.parametrize("ignore_index", [-100, -1, 3])
@pytest.mark.parametrize(
    ("seed", "b", "t_len", "vocab", "scale", "share"),
    [(1, 1, 1, 2, 1.0, 0.0), (2, 2, 5, 7, 1.0, 0.3), (3, 4, 16, 50, 3.0, 0.5),
     (4, 3, 8, 11, 30.0, 0.8), (5, 1, 40, 5, 0.1, 0.1)],
)  # fmt: skip
def test_masked_ce_matches_torch_ignore_index(
    torch, seed, b, t_len, vocab, scale, share, ignore_index
):
    logits, targets = random_tokens(seed, b, t_len, vocab, scale, ignore_index, share)
    if np.all(targets == ignore_index):
        targets[0, 0] = (ignore_index + 1) % vocab
    expected = torch_masked_ce(torch, logits, targets, ignore_index)
    got = masked_lm_cross_entropy(logits, targets, ignore_index=ignore_index)
    assert got == pytest.approx(expected, rel=RTOL)


def test_masked_ce_divides_by_kept_tokens_not_all_positions():
    # Two tokens kept out of four, logits uniform over 4 classes: each kept token costs log 4.
    logits = np.zeros((1, 4, 4))
    targets = np.array([[2, -100, 1, -100]])
    assert masked_lm_cross_entropy(logits, targets) == pytest.approx(math.log(4), rel=1e-15)


def test_masked_ce_is_zero_when_every_token_is_ignored_where_torch_gives_nan(torch):
    logits = np.random.default_rng(0).standard_normal((2, 3, 5))
    targets = np.full((2, 3), -100)
    assert math.isnan(torch_masked_ce(torch, logits, targets, -100))
    assert masked_lm_cross_entropy(logits, targets) == 0.0
    assert masked_lm_cross_entropy(logits, np.full((2, 3), 7), ignore_index=7) == 0.0


def test_masked_ce_of_an_empty_batch_is_zero():
    assert masked_lm_cross_entropy(np.zeros((0, 4, 6)), np.zeros((0, 4), dtype=int)) == 0.0
    assert masked_lm_cross_entropy(np.zeros((2, 0, 6)), np.zeros((2, 0), dtype=int)) == 0.0


def test_masked_ce_is_stable_for_logits_of_1e4(torch):
    logits = np.array([[[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4 - 1.0], [0.0, 0.0, -1e4]]])
    targets = np.array([[1, 2, -100]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = masked_lm_cross_entropy(logits, targets)
    # By hand: token 0 costs 2e4 (logsumexp ≈ 1e4, target −1e4); token 1 costs
    # log(1 + e) (target is 1 below the max); token 2 is ignored.
    by_hand = (2e4 + math.log1p(math.e)) / 2
    assert got == pytest.approx(by_hand, rel=1e-14)
    assert got == pytest.approx(torch_masked_ce(torch, logits, targets, -100), rel=RTOL)
    # a confident right answer: the tiny loss log1p(e^−40) ≈ 4e-18 stays accurate (not 0)
    tiny = masked_lm_cross_entropy(np.array([[[40.0, 0.0]]]), np.array([[0]]))
    assert tiny == pytest.approx(math.log1p(math.exp(-40.0)), rel=1e-14)


def test_masked_ce_float32_logits_give_the_float64_value_of_the_same_numbers(torch):
    logits, targets = random_tokens(9, 2, 6, 9, 5.0, -100, 0.3)
    narrow = logits.astype(np.float32)
    expected = torch_masked_ce(torch, narrow.astype(np.float64), targets, -100)
    assert masked_lm_cross_entropy(narrow, targets) == pytest.approx(expected, rel=RTOL)


def test_masked_ce_rejects_a_kept_target_outside_the_vocabulary():
    with pytest.raises(ValueError):
        masked_lm_cross_entropy(np.zeros((1, 2, 3)), np.array([[0, 3]]))
    with pytest.raises(ValueError):
        masked_lm_cross_entropy(np.zeros((1, 2, 3)), np.array([[0, -1]]))


# ------------------------------------------------------------------------------ distillation


def torch_kd(torch, student, teacher, temperature):
    F = torch.nn.functional
    s = F.log_softmax(t(torch, student) / temperature, dim=-1)
    p = F.log_softmax(t(torch, teacher) / temperature, dim=-1)
    return (F.kl_div(s, p, log_target=True, reduction="batchmean") * temperature**2).item()


@pytest.mark.parametrize("temperature", [1.0, 2.0, 4.0, 0.05, 100.0])
@pytest.mark.parametrize(
    ("seed", "n", "k", "scale"),
    [(1, 1, 2, 1.0), (2, 8, 10, 1.0), (3, 32, 100, 5.0), (4, 5, 3, 40.0)],
)
def test_distillation_matches_torch_kl_div_batchmean(torch, seed, n, k, scale, temperature):
    rng = np.random.default_rng(seed)
    student, teacher = scale * rng.standard_normal((2, n, k))
    expected = torch_kd(torch, student, teacher, temperature)
    got = distillation_loss(student, teacher, temperature=temperature)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_distillation_has_the_t_squared_factor_and_is_zero_for_equal_logits():
    student = np.array([[1.0, 0.0]])
    teacher = np.array([[0.0, 1.0]])
    temperature = 3.0
    # By hand: p = softmax(teacher/3), q = softmax(student/3) = p reversed.
    p1 = 1 / (1 + math.exp(-1 / 3))
    kl = p1 * math.log(p1 / (1 - p1)) + (1 - p1) * math.log((1 - p1) / p1)
    got = distillation_loss(student, teacher, temperature=temperature)
    assert got == pytest.approx(9.0 * kl, rel=1e-13)
    assert distillation_loss(teacher, teacher, temperature=temperature) == 0.0


def test_distillation_is_stable_for_logits_of_1e4(torch):
    student = np.array([[1e4, -1e4, 0.0], [-1e4, 0.0, 1e4]])
    teacher = np.array([[-1e4, 1e4, 0.0], [-1e4, 0.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = distillation_loss(student, teacher, temperature=1.0)
    # Row 0: teacher puts all mass on class 1, where the student has log q = −2e4: KL = 2e4.
    # Row 1 is identical: 0.
    assert got == pytest.approx(1e4, rel=1e-12)
    assert got == pytest.approx(torch_kd(torch, student, teacher, 1.0), rel=1e-12)


def test_distillation_empty_batch_and_float32():
    assert distillation_loss(np.zeros((0, 5)), np.zeros((0, 5))) == 0.0
    rng = np.random.default_rng(3)
    s, te = rng.standard_normal((2, 4, 6)).astype(np.float32)
    assert distillation_loss(s, te) == distillation_loss(
        s.astype(np.float64), te.astype(np.float64)
    )


# ------------------------------------------------------------------------------------ z-loss


@pytest.mark.parametrize("weight", [1e-4, 1e-3, 0.0, 1.0])
@pytest.mark.parametrize(
    ("seed", "shape", "scale"), [(1, (1, 2), 1.0), (2, (16, 8), 3.0), (3, (2, 5, 64), 10.0)]
)
def test_z_loss_matches_torch_logsumexp(torch, seed, shape, scale, weight):
    z = scale * np.random.default_rng(seed).standard_normal(shape)
    expected = (weight * torch.logsumexp(t(torch, z), dim=-1).pow(2).mean()).item()
    assert z_loss(z, weight=weight) == pytest.approx(expected, rel=RTOL, abs=1e-300)


def test_z_loss_hand_values_and_extremes(torch):
    # Two zero logits: logsumexp = log 2.
    assert z_loss([[0.0, 0.0]], weight=1.0) == pytest.approx(math.log(2) ** 2, rel=1e-15)
    # logsumexp = 0 exactly when the row's probabilities already sum to one: log(½), log(½)
    assert z_loss([[math.log(0.5), math.log(0.5)]], weight=1.0) == pytest.approx(0.0, abs=1e-30)
    big = np.array([[1e4, 1e4], [-1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise"):
        got = z_loss(big, weight=1e-4)
    expected = 1e-4 * ((1e4 + math.log(2)) ** 2 + (-1e4 + math.log(2)) ** 2) / 2
    assert got == pytest.approx(expected, rel=1e-14)
    assert got == pytest.approx(
        (1e-4 * torch.logsumexp(t(torch, big), dim=-1).pow(2).mean()).item(), rel=1e-14
    )
    assert z_loss(np.zeros((0, 4))) == 0.0


# ---------------------------------------------------------------------------- load balancing


def loops_load_balancing(router_logits):
    """Switch Transformer eqs. 4–6 with explicit loops (first maximum wins a tie)."""
    rows = [
        list(map(float, r))
        for r in np.asarray(router_logits).reshape(-1, np.shape(router_logits)[-1])
    ]
    n = len(rows[0])
    counts = [0] * n
    prob_sums = [0.0] * n
    for row in rows:
        best = 0
        for j in range(1, n):
            if row[j] > row[best]:
                best = j
        counts[best] += 1
        top = max(row)
        exps = [math.exp(v - top) for v in row]
        total = math.fsum(exps)
        for j in range(n):
            prob_sums[j] += exps[j] / total
    tokens = len(rows)
    return n * math.fsum((counts[i] / tokens) * (prob_sums[i] / tokens) for i in range(n))


@pytest.mark.parametrize(
    ("seed", "tokens", "experts", "scale"),
    [(1, 1, 2, 1.0), (2, 16, 4, 1.0), (3, 128, 8, 3.0), (4, 50, 64, 0.5), (5, 10, 3, 100.0)],
)
def test_load_balancing_matches_the_switch_equations_written_with_loops(
    seed, tokens, experts, scale
):
    z = scale * np.random.default_rng(seed).standard_normal((tokens, experts))
    assert load_balancing_loss(z) == pytest.approx(loops_load_balancing(z), rel=1e-12)


def test_load_balancing_matches_torch(torch):
    z = 2.0 * np.random.default_rng(7).standard_normal((64, 8))
    tz = t(torch, z)
    probs = torch.softmax(tz, dim=-1)
    counts = torch.bincount(tz.argmax(dim=-1), minlength=8).double() / 64
    expected = (8 * (counts * probs.mean(dim=0)).sum()).item()
    assert load_balancing_loss(z) == pytest.approx(expected, rel=1e-12)


def test_load_balancing_ties_go_to_the_lowest_expert_index():
    # Token 0 ties experts 0 and 1 (→ 0); token 1 ties 1 and 2 (→ 1).
    z = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0]])
    assert load_balancing_loss(z) == pytest.approx(loops_load_balancing(z), rel=1e-14)
    e = math.e
    p0 = np.array([e, e, 1.0]) / (2 * e + 1)
    p1 = np.array([1.0, e**2, e**2]) / (1 + 2 * e**2)
    mean_p = (p0 + p1) / 2
    by_hand = 3 * (0.5 * mean_p[0] + 0.5 * mean_p[1])
    assert load_balancing_loss(z) == pytest.approx(by_hand, rel=1e-14)
    # If ties went to the highest index the value would differ:
    assert by_hand != pytest.approx(3 * (0.5 * mean_p[1] + 0.5 * mean_p[2]), rel=1e-6)


def test_load_balancing_extremes_uniform_and_collapsed():
    # All-equal logits: every token goes to expert 0 (the tie rule) and P = 1/N: N·1·(1/N) = 1.
    assert load_balancing_loss(np.zeros((10, 4))) == pytest.approx(1.0, rel=1e-15)
    # Balanced, confident routing: each expert gets 1/N of the tokens with probability 1 → 1.
    balanced = np.where(np.eye(4, dtype=bool), 1e4, -1e4)
    with np.errstate(over="raise", invalid="raise"):
        assert load_balancing_loss(balanced) == pytest.approx(1.0, rel=1e-14)
    # Collapsed routing: every token on expert 2 with probability 1 → N.
    collapsed = np.tile([-1e4, -1e4, 1e4, -1e4], (6, 1))
    assert load_balancing_loss(collapsed) == pytest.approx(4.0, rel=1e-14)
    assert load_balancing_loss(np.zeros((0, 4))) == 0.0
    # leading axes are tokens of one batch
    z = np.random.default_rng(2).standard_normal((3, 5, 4))
    assert load_balancing_loss(z) == pytest.approx(
        loops_load_balancing(z.reshape(15, 4)), rel=1e-12
    )
