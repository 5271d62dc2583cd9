"""The first failure is shrunk to a small input that fails the same way and honours the contract."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from lossdrill.bank.schema import Bank
from lossdrill.checker.engine import run_check
from lossdrill.checker.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


def check(sandbox, task, body):
    return run_check(
        task,
        "import numpy as np\n" + textwrap.dedent(body),
        bank=Bank(),
        sandbox=sandbox,
        sweep=False,
    )


def test_one_hot_labels_stay_one_hot_and_rows_are_dropped_together(sandbox):
    r = check(
        sandbox,
        "cce",
        """
        def categorical_ce_with_logits(y_true, logits):
            z = np.asarray(logits, dtype=float); y = np.asarray(y_true, dtype=float)
            lse = np.logaddexp.reduce(z, axis=1)
            return float(np.sum(lse - (y * z).sum(axis=1)))       # sum, not mean
    """,
    )
    f = r.first_failure
    assert f.shrunk
    y, z = np.asarray(f.inputs["y_true"]), np.asarray(f.inputs["logits"])
    assert y.shape == z.shape and y.shape[0] == 2  # the fewest rows where sum != mean
    assert np.all(y.sum(axis=1) == 1) and set(np.unique(y)) <= {0.0, 1.0}
    # values simplified: logits rounded to integers or halves
    assert np.all(np.round(z * 2) == z * 2)


def test_shrunk_failure_still_fails_the_same_way(sandbox):
    r = check(
        sandbox,
        "bpr",
        """
        def bpr_loss(pos_scores, neg_scores):
            d = np.asarray(pos_scores, dtype=float) - np.asarray(neg_scores, dtype=float)
            return float(np.mean(-np.log(1 / (1 + np.exp(-d))))) if d.size else 0.0
    """,
    )
    f = r.first_failure
    assert f.group == "stability" and len(f.inputs["pos_scores"]) == 1
    d = float(f.inputs["pos_scores"][0] - f.inputs["neg_scores"][0])
    assert d <= -700  # exp(-d) overflows: -log(sigmoid(d)) = -d exactly in float64
    assert f.expected == pytest.approx(-d)
    assert np.isinf(f.got)


def test_embeddings_lose_dimensions_while_the_failure_stays(sandbox):
    r = check(
        sandbox,
        "triplet",
        """
        def triplet_loss(anchor, positive, negative, margin=1.0):
            a, p, n = (np.asarray(v, dtype=float) for v in (anchor, positive, negative))
            if len(a) == 0:
                return 0.0
            d_ap = np.sqrt(((a - p) ** 2).sum(axis=1)); d_an = np.sqrt(((a - n) ** 2).sum(axis=1))
            return float(np.maximum(0.0, d_ap - d_an + margin).mean())   # plain distances
    """,
    )
    f = r.first_failure
    a = np.asarray(f.inputs["anchor"])
    assert a.shape[0] == 1 and a.shape[1] <= 2
    assert all(np.asarray(f.inputs[k]).shape == a.shape for k in ("positive", "negative"))


def test_normalised_embeddings_shrink_to_round_nonzero_vectors(sandbox):
    # nt-xent with each view's self-similarity left in the denominator
    r = check(
        sandbox,
        "nt-xent",
        """
        def nt_xent_loss(z1, z2, temperature=0.5):
            if len(z1) == 0:
                return 0.0
            z = np.concatenate([z1, z2])
            z = z / np.linalg.norm(z, axis=1, keepdims=True)
            s = z @ z.T / temperature
            n = len(z1)
            pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
            lse = np.logaddexp.reduce(s, axis=1)
            return float(np.mean(lse - s[np.arange(2 * n), pos]))
    """,
    )
    f = r.first_failure
    z1, z2 = np.asarray(f.inputs["z1"]), np.asarray(f.inputs["z2"])
    assert z1.shape == z2.shape == (1, 1)
    assert {float(z1[0, 0]), float(z2[0, 0])} == {1.0, -1.0}  # opposite unit vectors
    # one pair: the only other view is the positive, so the loss is 0; with itself in the
    # denominator (cos 1 against cos -1, τ = 0.5): log(e^2 + e^-2) + 2 = 4 + log(1 + e^-4)
    assert f.expected == pytest.approx(0.0, abs=1e-12)
    assert f.got == pytest.approx(4 + np.log1p(np.exp(-4.0)))


def test_shrinking_never_makes_a_zero_embedding_for_a_normalised_task(sandbox):
    r = check(
        sandbox,
        "infonce",
        """
        def info_nce_loss(queries, keys, temperature=0.1):
            q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
            k = keys / np.linalg.norm(keys, axis=1, keepdims=True)
            logits = q @ k.T / temperature
            return -np.diag(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))
    """,
    )
    f = r.first_failure
    assert f.shrunk and r.codes[0] == "wrong-shape"
    for name in ("queries", "keys"):
        assert np.all(np.any(np.asarray(f.inputs[name]) != 0, axis=-1))
