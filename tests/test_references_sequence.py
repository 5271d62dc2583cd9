"""The CTC reference against PyTorch's ctc_loss (reduction "sum", a batch of one) and
against brute force over every alignment."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from lossdrill.references.sequence import ctc_loss


def torch_ctc(torch, log_probs, targets, blank):
    lp = torch.tensor(np.asarray(log_probs, dtype=np.float64)).unsqueeze(1)  # (T, 1, C)
    tg = torch.tensor(np.asarray(targets, dtype=np.int64)).reshape(1, -1)
    return torch.nn.functional.ctc_loss(
        lp, tg, [lp.shape[0]], [tg.shape[1]], blank=blank, reduction="sum", zero_infinity=False
    ).item()


def collapse(path, blank):
    out = []
    previous = None
    for c in path:
        if c != previous and c != blank:
            out.append(c)
        previous = c
    return out


def brute_force_ctc(log_probs, targets, blank):
    """−log Σ over every path of length T that collapses to targets (Graves et al. eq. 3)."""
    n_frames, n_classes = np.shape(log_probs)
    terms = [
        math.fsum(log_probs[i][c] for i, c in enumerate(path))
        for path in itertools.product(range(n_classes), repeat=n_frames)
        if collapse(path, blank) == list(targets)
    ]
    if not terms:
        return math.inf
    top = max(terms)
    return -(top + math.log(math.fsum(math.exp(x - top) for x in terms)))


def random_log_probs(seed, n_frames, n_classes, scale=1.0):
    z = scale * np.random.default_rng(seed).standard_normal((n_frames, n_classes))
    return (
        z
        - np.log(np.sum(np.exp(z - z.max(1, keepdims=True)), 1, keepdims=True))
        - z.max(1, keepdims=True)
    )


@pytest.mark.parametrize(
    ("seed", "n_frames", "n_classes", "targets", "blank"),
    [(1, 1, 2, [1], 0), (2, 5, 4, [1, 2, 3], 0), (3, 30, 6, [1, 1, 2, 2, 5], 0),
     (4, 50, 10, [3, 3, 3, 7, 1, 9, 9], 0), (5, 12, 5, [0, 1, 2], 4), (6, 8, 3, [], 0),
     (7, 100, 30, list(range(1, 30)), 0), (8, 7, 4, [2, 2, 2, 2], 0)],
)  # fmt: skip
def test_ctc_matches_torch_ctc_loss_sum(torch, seed, n_frames, n_classes, targets, blank):
    log_probs = random_log_probs(seed, n_frames, n_classes, scale=2.0)
    expected = torch_ctc(torch, log_probs, targets, blank)
    assert ctc_loss(log_probs, targets, blank=blank) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize(
    ("seed", "n_frames", "targets", "blank"),
    [(1, 3, [1, 2], 0), (2, 4, [1, 1], 0), (3, 5, [2, 1, 2], 0), (4, 6, [1], 0), (5, 5, [1, 1], 2),
     (6, 4, [], 0), (7, 3, [1, 1], 0)],
)  # fmt: skip
def test_ctc_matches_brute_force_over_all_alignments(seed, n_frames, targets, blank):
    log_probs = random_log_probs(seed, n_frames, 3)
    expected = brute_force_ctc(log_probs, targets, blank)
    assert ctc_loss(log_probs, targets, blank=blank) == pytest.approx(expected, rel=1e-12)


def test_ctc_repeated_labels_need_a_blank_between_them(torch):
    log_probs = np.log(np.full((2, 3), 1 / 3))
    # "aa" in two frames: "a a" collapses to "a", so no alignment exists.
    assert ctc_loss(log_probs, [1, 1]) == math.inf
    assert torch_ctc(torch, log_probs, [1, 1], 0) == math.inf
    # three frames: only "a _ a" → p = (1/3)³
    three = np.log(np.full((3, 3), 1 / 3))
    assert ctc_loss(three, [1, 1]) == pytest.approx(3 * math.log(3), rel=1e-14)
    # "ab" in two frames: only "a b"
    assert ctc_loss(log_probs, [1, 2]) == pytest.approx(2 * math.log(3), rel=1e-14)


def test_ctc_is_inf_when_the_target_is_longer_than_the_input():
    assert ctc_loss(np.log(np.full((2, 4), 0.25)), [1, 2, 3]) == math.inf
    assert ctc_loss(np.zeros((0, 4)), [1]) == math.inf
    assert ctc_loss(np.zeros((0, 4)), []) == 0.0


def test_ctc_empty_target_is_all_blanks():
    log_probs = random_log_probs(9, 6, 4)
    assert ctc_loss(log_probs, []) == pytest.approx(-np.sum(log_probs[:, 0]), rel=1e-14)
    assert ctc_loss(log_probs, [], blank=2) == pytest.approx(-np.sum(log_probs[:, 2]), rel=1e-14)


def test_ctc_very_negative_and_minus_inf_log_probs(torch):
    # a one-hot path: probability 1 for "_ a b _" and e^(−1e4) for everything else.
    lp = np.full((4, 3), -1e4)
    for i, c in enumerate([0, 1, 2, 0]):
        lp[i, c] = 0.0
    with np.errstate(over="raise", divide="raise"):
        got = ctc_loss(lp, [1, 2])
    assert got == pytest.approx(torch_ctc(torch, lp, [1, 2], 0), abs=1e-12)
    assert got == pytest.approx(0.0, abs=1e-12)
    lp_inf = np.where(lp == 0.0, 0.0, -np.inf)
    assert ctc_loss(lp_inf, [1, 2]) == 0.0
    assert ctc_loss(lp_inf, [2, 1]) == math.inf
    # −1e4 everywhere a label's path goes: the loss is in the thousands, exactly
    flat = np.full((3, 3), -1e4)
    assert ctc_loss(flat, [1]) == pytest.approx(torch_ctc(torch, flat, [1], 0), rel=1e-12)


def test_ctc_rejects_blank_in_targets_and_float32_agrees():
    log_probs = random_log_probs(3, 5, 4)
    with pytest.raises(ValueError):
        ctc_loss(log_probs, [1, 0, 2])
    with pytest.raises(ValueError):
        ctc_loss(log_probs, [1, 4])
    narrow = log_probs.astype(np.float32)
    assert ctc_loss(narrow, [1, 2]) == ctc_loss(narrow.astype(np.float64), [1, 2])
