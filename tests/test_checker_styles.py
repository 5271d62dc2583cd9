"""Every correct way of writing the main losses passes the checker.

The solutions here are written for these tests (logaddexp form, max form, log-softmax form,
explicit Python loops over the batch, float32-preserving forms); none is copied from the
references or the banks.
"""

from __future__ import annotations

import textwrap

import pytest

from lossdrill.bank.schema import Bank
from lossdrill.checker.engine import run_check
from lossdrill.checker.sandbox import Sandbox

NO_MUTANTS = Bank()


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


def src(code: str) -> str:
    return "import math\nimport numpy as np\n\n" + textwrap.dedent(code)


STYLES: dict[str, dict[str, str]] = {
    "bce": {
        "logaddexp": """
            def binary_ce_with_logits(y_true, logits):
                y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
                if y.size == 0:
                    return 0.0
                return float(np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)))
        """,
        "max form": """
            def binary_ce_with_logits(y_true, logits):
                y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
                if y.size == 0:
                    return 0.0
                return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
        """,
        "python loop": """
            def binary_ce_with_logits(y_true, logits):
                ys = np.ravel(y_true); zs = np.ravel(logits)
                if len(ys) == 0:
                    return 0.0
                total = 0.0
                for y, z in zip(ys, zs):
                    y, z = float(y), float(z)
                    total += max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))
                return total / len(ys)
        """,
    },
    "cce": {
        "max shift": """
            def categorical_ce_with_logits(y_true, logits):
                y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
                if y.shape[0] == 0:
                    return 0.0
                m = z.max(axis=1, keepdims=True)
                lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
                return float(np.mean(lse - (y * z).sum(axis=1)))
        """,
        "log-softmax": """
            def categorical_ce_with_logits(y_true, logits):
                y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
                if len(y) == 0:
                    return 0.0
                shifted = z - z.max(axis=-1, keepdims=True)
                log_p = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
                return -np.sum(y * log_p) / len(y)
        """,
        "python loop": """
            def categorical_ce_with_logits(y_true, logits):
                rows = list(zip(np.asarray(y_true, dtype=float), np.asarray(logits, dtype=float)))
                if not rows:
                    return 0.0
                total = 0.0
                for y, z in rows:
                    m = max(z)
                    lse = m + math.log(sum(math.exp(v - m) for v in z))
                    total += lse - sum(a * b for a, b in zip(y, z))
                return total / len(rows)
        """,
    },
    "focal": {
        "alpha_t with logaddexp": """
            def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
                y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
                if y.size == 0:
                    return 0.0
                ce = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
                p_t = np.exp(-ce)
                alpha_t = np.where(y == 1, alpha, 1 - alpha)
                return float(np.mean(alpha_t * (1 - p_t) ** gamma * ce))
        """,
        "python loop": """
            def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
                ys, zs = np.ravel(y_true), np.ravel(logits)
                if len(ys) == 0:
                    return 0.0
                out = 0.0
                for y, z in zip(ys, zs):
                    y, z = float(y), float(z)
                    t = z if y == 1 else -z          # p_t = sigmoid(t)
                    ce = max(-t, 0.0) + math.log1p(math.exp(-abs(t)))
                    a = alpha if y == 1 else 1 - alpha
                    out += a * (-math.expm1(-ce)) ** gamma * ce
                return out / len(ys)
        """,
    },
    "softmax": {
        "max shift": """
            def softmax(x):
                x = np.asarray(x, dtype=float)
                e = np.exp(x - np.max(x, axis=-1, keepdims=True))
                return e / e.sum(axis=-1, keepdims=True)
        """,
        "exp of log-softmax": """
            def softmax(x):
                x = np.asarray(x, dtype=float)
                if x.size == 0:
                    return x.copy()
                m = x.max(axis=-1, keepdims=True)
                return np.exp(x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))
        """,
    },
    "mse": {
        "vectorised": """
            def mse_loss(y_true, y_pred):
                e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
                return 0.5 * float(np.mean(e ** 2)) if e.size else 0.0
        """,
        "python loop": """
            def mse_loss(y_true, y_pred):
                pairs = list(zip(np.ravel(y_true).tolist(), np.ravel(y_pred).tolist()))
                return sum((p - t) ** 2 for t, p in pairs) / (2 * len(pairs)) if pairs else 0.0
        """,
    },
    "huber": {
        "np.where": """
            def huber_loss(y_true, y_pred, delta=1.0):
                e = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
                if e.size == 0:
                    return 0.0
                return float(np.mean(np.where(e <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))))
        """,
        "clip form": """
            def huber_loss(y_true, y_pred, delta=1.0):
                e = np.abs(np.subtract(y_pred, y_true, dtype=float))
                if e.size == 0:
                    return 0.0
                q = np.minimum(e, delta)
                return float(np.mean(0.5 * q**2 + delta * (e - q)))
        """,
    },
    "sigmoid": {
        "two branches": """
            def sigmoid(x):
                x = np.asarray(x, dtype=float)
                e = np.exp(-np.abs(x))
                return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        """,
        "tanh form": """
            def sigmoid(x):
                return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))
        """,
    },
    "triplet": {
        "vectorised": """
            def triplet_loss(anchor, positive, negative, margin=1.0):
                a, p, n = (np.asarray(v, dtype=float) for v in (anchor, positive, negative))
                if len(a) == 0:
                    return 0.0
                d_ap = ((a - p) ** 2).sum(axis=1); d_an = ((a - n) ** 2).sum(axis=1)
                return float(np.maximum(0.0, d_ap - d_an + margin).mean())
        """,
    },
    "kl": {
        "where guard": """
            def kl_divergence(p, q):
                p = np.asarray(p, dtype=float); q = np.asarray(q, dtype=float)
                if p.size == 0:
                    return 0.0
                terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)
                return float(np.mean(terms.sum(axis=-1)))
        """,
    },
}

PARAMS = [(task, style) for task, styles in STYLES.items() for style in styles]


@pytest.mark.parametrize(("task", "style"), PARAMS, ids=[f"{t}-{s}" for t, s in PARAMS])
def test_correct_style_passes_every_case(sandbox, task, style):
    result = run_check(
        task, src(STYLES[task][style]), bank=NO_MUTANTS, sandbox=sandbox, sweep=False
    )
    assert result.passed, (result.codes, result.first_failure)
    assert result.score == 1.0
    assert result.diagnoses == ()
    assert result.first_failure is None
    random = next(g for g in result.groups if g.name == "random")
    assert random.total >= 200


def test_float32_result_for_float32_inputs_passes(sandbox):
    # computing in float32 throughout is fine: float32 cases use the float32 tolerance
    code = src("""
        def mse_loss(y_true, y_pred):
            e = np.asarray(y_pred) - np.asarray(y_true)
            return 0.5 * np.mean(e * e) if e.size else 0.0
    """)
    assert run_check("mse", code, bank=NO_MUTANTS, sandbox=sandbox).passed
