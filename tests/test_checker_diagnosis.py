"""The checker names mistakes it has no mutant for, from the numbers alone, and reports
them as a user reads them: the code, the first failure shrunk, expected against got.

Most checks here run with an empty bank (no mutants), so what is tested is the sandbox
verdicts and the fingerprints. Expected values are derived by hand in the tests.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import Bank
from lossdrill.checker.engine import UnknownTask, run_check
from lossdrill.checker.sandbox import Sandbox

NO_MUTANTS = Bank()


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


def check(sandbox, task: str, body: str, bank=NO_MUTANTS, **kw):
    source = "import numpy as np\n\n" + textwrap.dedent(body)
    return run_check(task, source, bank=bank, sandbox=sandbox, **kw)


def softplus(t: float) -> float:
    """log(1 + e^t), computed safely for any t."""
    return max(t, 0.0) + math.log1p(math.exp(-abs(t)))


def test_sum_instead_of_mean_is_wrong_reduction(sandbox):
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            return 0.5 * np.sum((np.asarray(y_pred) - np.asarray(y_true)) ** 2)
    """,
    )
    assert not r.passed
    assert r.codes[0] == "wrong-reduction"
    assert "n times too large" in r.diagnoses[0].message
    # shrunk to the smallest batch where sum and mean differ: two rows
    f = r.first_failure
    assert f.shrunk and len(f.inputs["y_true"]) == 2
    e = np.asarray(f.inputs["y_pred"], float) - np.asarray(f.inputs["y_true"], float)
    assert f.expected == pytest.approx(0.25 * float(e[0] ** 2 + e[1] ** 2))
    assert float(f.got) == pytest.approx(0.5 * float(e[0] ** 2 + e[1] ** 2))


def test_missing_half_is_named(sandbox):
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
            return float(np.mean(e ** 2)) if e.size else 0.0
    """,
    )
    assert r.codes == ("missing-half",)
    assert "twice" in r.diagnoses[0].message


def test_flipped_gradient_is_wrong_sign(sandbox):
    r = check(
        sandbox,
        "mse-grad",
        """
        def mse_gradient(y_true, y_pred):
            return np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    """,
    )
    assert r.codes == ("wrong-sign",)


def test_log_of_sigmoid_is_unstable_and_shrinks_to_one_extreme_logit(sandbox):
    r = check(
        sandbox,
        "bce",
        """
        def binary_ce_with_logits(y_true, logits):
            y = np.asarray(y_true, dtype=float)
            if y.size == 0:
                return 0.0
            p = 1 / (1 + np.exp(-np.asarray(logits, dtype=float)))
            return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
    """,
    )
    assert not r.passed
    assert r.codes == ("unstable",)
    assert "|logits| of 50" in r.diagnoses[0].message
    groups = {g.name: g for g in r.groups}
    assert groups["random"].failed == 0 and groups["stability"].failed > 0
    f = r.first_failure
    assert f.group == "stability"
    assert len(f.inputs["logits"]) == 1
    y, z = float(f.inputs["y_true"][0]), float(f.inputs["logits"][0])
    # -[y log s(z) + (1-y) log(1-s(z))] = y softplus(-z) + (1-y) softplus(z)
    assert f.expected == pytest.approx(y * softplus(-z) + (1 - y) * softplus(z))
    assert not math.isfinite(float(f.got))  # log(0) gives inf, 0·log(0) gives nan


def test_design_example_json_for_an_unstable_focal_loss(sandbox):
    r = check(
        sandbox,
        "focal",
        """
        def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
            y = np.asarray(y_true, dtype=float)
            if y.size == 0:
                return 0.0
            p = 1 / (1 + np.exp(-np.asarray(logits, dtype=float)))
            p_t = np.where(y == 1, p, 1 - p)
            a_t = np.where(y == 1, alpha, 1 - alpha)
            return float(np.mean(-a_t * (1 - p_t) ** gamma * np.log(p_t)))
    """,
    )
    out = r.to_json()
    assert out["task"] == "focal" and out["passed"] is False
    assert 0 < out["score"] < 1
    assert [d["code"] for d in out["diagnoses"]] == ["unstable"]
    by_name = {g["name"]: g for g in out["groups"]}
    assert by_name["random"] == {
        "name": "random",
        "passed": True,
        "total": 200,
        "failed": 0,
        "failing_cases": [],
    }
    assert by_name["stability"]["passed"] is False
    assert "logits of ±800" in by_name["stability"]["failing_cases"]
    ff = out["first_failure"]
    assert ff["group"] == "stability"
    assert ff["got"] == "inf"  # JSON has no infinity: non-finite floats are strings
    y, z = ff["inputs"]["y_true"][0], ff["inputs"]["logits"][0]
    ce = y * softplus(-z) + (1 - y) * softplus(z)
    alpha_t = 0.25 if y == 1 else 0.75
    assert ff["expected"] == pytest.approx(alpha_t * (1 - math.exp(-ce)) ** 2 * ce)


def test_ignoring_a_hyperparameter_fails_the_params_group(sandbox):
    r = check(
        sandbox,
        "huber",
        """
        def huber_loss(y_true, y_pred, delta=1.0):
            e = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
            if e.size == 0:
                return 0.0
            return float(np.mean(np.where(e <= 1.0, 0.5 * e**2, e - 0.5)))
    """,
    )
    groups = {g.name: g for g in r.groups}
    assert not r.passed
    assert groups["params"].failed > 0
    assert groups["edge"].failed == 1  # only the boundary case with delta=2


def test_swapping_q_and_one_minus_q_fails(sandbox):
    r = check(
        sandbox,
        "quantile",
        """
        def quantile_loss(y_true, y_pred, q=0.5):
            e = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
            if e.size == 0:
                return 0.0
            return float(np.mean(np.maximum((1 - q) * e, -q * e)))
    """,
    )
    assert not r.passed
    assert {g.name: g for g in r.groups}["params"].failed > 0


def test_swapped_q_is_named_by_the_bank_mutant(sandbox):
    # written differently from the bank's mutant; it behaves the same, so it is named
    r = check(
        sandbox,
        "quantile",
        """
        def quantile_loss(y_true, y_pred, q=0.5):
            e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
            # over-prediction (e > 0) weighted by q instead of 1 - q
            return float(np.mean(np.where(e > 0, q * e, (q - 1) * e))) if e.size else 0.0
    """,
        bank=load_banks(),
    )
    assert r.codes[0] == "swapped-arguments"


def test_constant_alpha_focal_is_named_by_the_bank_mutant(sandbox):
    r = check(
        sandbox,
        "focal",
        """
        def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
            y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
            if y.size == 0:
                return 0.0
            ce = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
            return float(np.mean(alpha * (1 - np.exp(-ce)) ** gamma * ce))
    """,
        bank=load_banks(),
    )
    assert r.codes[0] == "constant-alpha"
    assert "constant alpha" in r.diagnoses[0].message


@pytest.mark.parametrize(
    ("ret", "words"),
    [("[1.0]", "returned a list"), ("None", "returned None"), ("'0.5'", "returned a str")],
)
def test_wrong_type_is_named(sandbox, ret, words):
    r = check(
        sandbox,
        "mse",
        f"""
        def mse_loss(y_true, y_pred):
            return {ret}
    """,
    )
    assert r.codes[0] == "wrong-type"
    assert words in r.diagnoses[0].message


def test_vector_where_a_scalar_is_due_is_wrong_shape(sandbox):
    r = check(
        sandbox,
        "mae",
        """
        def mae_loss(y_true, y_pred):
            return np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
    """,
    )
    assert r.codes[0] == "wrong-shape"
    assert "a loss is a single number" in r.diagnoses[0].message


def test_zero_d_array_and_numpy_scalar_are_accepted_for_losses(sandbox):
    r = check(
        sandbox,
        "mae",
        """
        def mae_loss(y_true, y_pred):
            e = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
            return np.asarray(e.mean()) if e.size else np.float32(0.0)
    """,
    )
    assert r.passed


def test_modifying_an_input_is_mutates_input(sandbox):
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            if len(y_pred) == 0:
                return 0.0
            y_pred -= y_true
            return 0.5 * float(np.mean(y_pred ** 2))
    """,
    )
    assert r.codes[0] == "mutates-input"
    assert "y_pred" in r.diagnoses[0].message


def test_only_the_empty_batch_failing_is_empty_batch(sandbox):
    r = check(
        sandbox,
        "mse",
        """
        import warnings
        warnings.simplefilter("ignore")

        def mse_loss(y_true, y_pred):
            return 0.5 * float(np.mean((np.asarray(y_pred) - np.asarray(y_true)) ** 2))
    """,
    )
    assert r.codes == ("empty-batch",)
    assert "must give 0.0" in r.diagnoses[0].message and "nan" in r.diagnoses[0].message
    assert r.first_failure.case == "empty batch"
    # the empty batch and the empty 2-D batch, and nothing else
    assert [(g.failed, set(g.failing)) for g in r.groups if g.name == "edge"] == [
        (2, {"empty batch", "empty 2-D batch"})
    ]


def test_nan_where_the_reference_is_finite_fails(sandbox):
    r = check(
        sandbox,
        "mae",
        """
        def mae_loss(y_true, y_pred):
            return float("nan")
    """,
    )
    assert not r.passed
    assert r.to_json()["first_failure"]["got"] == "nan"


def test_exception_names_the_error_and_line(sandbox):
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            return 1 / 0
    """,
    )
    assert r.codes[0] == "exception"
    assert "ZeroDivisionError" in r.diagnoses[0].message and "(line 5)" in r.diagnoses[0].message


def test_syntax_error_and_missing_function(sandbox):
    r = check(sandbox, "mse", "def mse_loss(y_true, y_pred)\n    return 0\n")
    assert r.codes == ("syntax-error",) and r.score == 0.0
    r = check(sandbox, "mse", "def mse(y_true, y_pred):\n    return 0\n")
    assert r.codes == ("missing-function",)
    assert "mse_loss" in r.diagnoses[0].message


def test_unknown_task_raises(sandbox):
    with pytest.raises(UnknownTask):
        run_check("no-such-task", "", sandbox=sandbox)


def test_failing_check_carries_a_sweep_for_the_overlay(sandbox):
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
            return float(np.mean(e ** 2)) if e.size else 0.0
    """,
    )
    s = r.sweep
    assert s is not None and s.x_label.startswith("error")
    i = s.xs.index(2.0)
    assert s.expected[i] == pytest.approx(0.5 * 2.0**2)  # ½e²
    assert s.got[i] == pytest.approx(2.0**2)  # the missing ½ doubles the parabola


def test_same_seed_same_result_and_default_seed_is_fixed(sandbox):
    body = """
        def bpr_loss(pos_scores, neg_scores):
            d = np.asarray(pos_scores, dtype=float) - np.asarray(neg_scores, dtype=float)
            return float(np.sum(np.logaddexp(0, -d)))
    """
    a = check(sandbox, "bpr", body, seed=7).to_json()
    b = check(sandbox, "bpr", body, seed=7).to_json()
    for out in (a, b):
        out.pop("elapsed_s")
    assert a == b and a["seed"] == 7
    c = check(sandbox, "bpr", body).to_json()
    d = check(sandbox, "bpr", body).to_json()
    assert c["seed"] == d["seed"] and c["first_failure"] == d["first_failure"]


# --------------------------------------------------------------------------- re-enacted mistakes
# Without any bank mutant, the checker re-runs the reference on changed inputs (a parameter
# ignored, two arguments swapped, labels read another way) to name the mistake.


def test_ignored_hyperparameter_is_named_without_mutants(sandbox):
    r = check(
        sandbox,
        "focal",
        """
        def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
            y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
            if y.size == 0:
                return 0.0
            ce = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
            a_t = np.where(y == 1, alpha, 1 - alpha)
            return float(np.mean(a_t * (1 - np.exp(-ce)) ** 2.0 * ce))   # gamma fixed at 2
    """,
    )
    assert r.codes == ("ignores-parameter",)
    assert "gamma" in r.diagnoses[0].message


def test_kl_with_p_and_q_swapped_is_named_without_mutants(sandbox):
    r = check(
        sandbox,
        "kl",
        """
        def kl_divergence(p, q):
            p = np.asarray(p, dtype=float); q = np.asarray(q, dtype=float)
            if p.size == 0:
                return 0.0
            t = np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0) / p), 0.0)
            return float(np.mean(t.sum(axis=-1)))
    """,
    )
    assert r.codes[0] == "swapped-arguments"
    assert "p and q" in r.diagnoses[0].message


def test_hinge_on_zero_one_labels_is_a_label_convention(sandbox):
    r = check(
        sandbox,
        "hinge",
        """
        def hinge_loss(y_true, scores, margin=1.0):
            y = 2 * np.asarray(y_true, dtype=float) - 1    # labels are already ±1
            s = np.asarray(scores, dtype=float)
            return float(np.mean(np.maximum(0, margin - y * s))) if s.size else 0.0
    """,
    )
    assert r.codes == ("label-convention",)


def test_constant_alpha_is_named_without_mutants(sandbox):
    r = check(
        sandbox,
        "focal",
        """
        def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
            y = np.asarray(y_true, dtype=float); z = np.asarray(logits, dtype=float)
            if y.size == 0:
                return 0.0
            ce = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
            return float(np.mean(alpha * (1 - np.exp(-ce)) ** gamma * ce))
    """,
    )
    assert r.codes == ("constant-alpha",)


def test_softmax_over_the_first_axis_is_wrong_axis(sandbox):
    r = check(
        sandbox,
        "softmax",
        """
        def softmax(x):
            x = np.asarray(x, dtype=float)
            if x.size == 0:
                return x.copy()
            e = np.exp(x - x.max(axis=0, keepdims=True))
            return e / e.sum(axis=0, keepdims=True)
    """,
    )
    assert r.codes == ("wrong-axis",)


def test_nan_from_zero_log_zero_is_unstable(sandbox):
    r = check(
        sandbox,
        "kl",
        """
        def kl_divergence(p, q):
            p = np.asarray(p, dtype=float); q = np.asarray(q, dtype=float)
            return float(np.mean(np.sum(p * np.log(p / q), axis=-1))) if p.size else 0.0
    """,
    )
    assert r.codes == ("unstable",)
    assert "nan" in r.diagnoses[0].message
    assert r.first_failure.case == "zero probabilities in p"


def test_error_only_on_the_empty_batch_is_named_empty_batch_first(sandbox):
    # no guard: q.max over a (0, d) batch raises ValueError; every other case is right
    r = check(
        sandbox,
        "infonce",
        """
        def info_nce_loss(queries, keys, temperature=0.1):
            q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
            k = keys / np.linalg.norm(keys, axis=1, keepdims=True)
            logits = q @ k.T / temperature
            logits = logits - logits.max(axis=1, keepdims=True)
            logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            return float(-np.mean(np.diag(logp)))
    """,
    )
    assert r.codes == ("empty-batch",)
    message = r.diagnoses[0].message
    assert message.startswith("an empty batch must give 0.0, but your function raised ValueError")
    assert "it ValueError" not in message


def test_untouched_starter_is_one_exception_without_empty_batch_noise(sandbox):
    starter = load_banks().implement("focal").starter
    r = run_check("focal", starter, bank=NO_MUTANTS, sandbox=sandbox)
    assert r.codes == ("exception",)
    assert "placeholder" in r.diagnoses[0].message
    assert r.sweep is None  # no curve of the learner's to draw


def test_nan_on_the_empty_batch_reads_as_a_sentence(sandbox):
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            return float(0.5 * np.mean((np.asarray(y_pred) - np.asarray(y_true)) ** 2))
    """,
    )
    assert r.codes == ("empty-batch",)
    assert r.diagnoses[0].message == (
        "an empty batch must give 0.0, but your function returned nan (np.mean of an empty "
        "array is nan): return 0.0 when the batch is empty"
    )
    assert r.sweep is None  # only the empty batch fails: the curves would coincide


def test_zero_division_on_the_empty_batch_comes_with_the_other_mistake(sandbox):
    # a loop over rows: 2-D batches give a vector, the empty batch divides by zero
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            s = 0.0
            for a, b in zip(y_true, y_pred):
                s += (b - a) ** 2
            return 0.5 * s / len(y_true)
    """,
    )
    assert r.codes == ("wrong-shape", "empty-batch")
    assert "raised ZeroDivisionError" in r.diagnoses[1].message
    assert "dividing by the length of the empty batch" in r.diagnoses[1].message


NAIVE_FOCAL = """
    def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
        y = np.asarray(y_true, dtype=float)
        z = np.asarray(logits, dtype=float)
        if y.size == 0:
            return 0.0
        p = 1 / (1 + np.exp(-z))
        p_t = np.where(y == 1, p, 1 - p)
        a_t = np.where(y == 1, alpha, 1 - alpha)
        return float(np.mean(-a_t * (1 - p_t) ** gamma * np.log(p_t)))
"""


def test_overlay_sweep_is_drawn_at_the_label_where_the_curves_part(sandbox):
    # 1 − σ(z) rounds to 0 for z ≳ 37, so log(p_t) is -inf only for y = 0: at y = 1 the
    # curves would coincide over the whole range
    r = check(sandbox, "focal", NAIVE_FOCAL)
    assert r.codes[0] == "unstable"
    # no number of the whole batch that would contradict the shrunk example shown below it
    assert "it gives inf where the right value is finite" in r.diagnoses[0].message
    ff = r.first_failure
    assert list(ff.inputs["y_true"]) == [0.0] and abs(float(ff.inputs["logits"][0])) >= 50
    s = r.sweep
    assert s is not None and s.x_label == "logit z (label y = 0)"
    assert max(s.xs) >= 50  # the range reaches the minimal failure
    i = min(range(len(s.xs)), key=lambda j: abs(s.xs[j] - 50))
    # the reference at y = 0: (1 − α)·σ(z)^γ·softplus(z) ≈ 0.75·z for large z
    assert s.expected[i] == pytest.approx(
        0.75 * s.xs[i] * (1 / (1 + math.exp(-s.xs[i]))) ** 2, rel=1e-9
    )
    assert not math.isfinite(s.got[i])
    j = s.xs.index(0.0)
    assert s.got[j] == pytest.approx(s.expected[j])  # they agree on moderate logits


def test_overlay_sweep_stays_at_y_1_when_only_positives_fail(sandbox):
    # log σ(z) as log(1/(1 + e^-z)), picked only for y = 1: +inf at y = 1 once e^-z
    # overflows (z < -709), right for y = 0 everywhere
    r = check(
        sandbox,
        "bce",
        """
        def binary_ce_with_logits(y_true, logits):
            y = np.asarray(y_true, dtype=float)
            z = np.asarray(logits, dtype=float)
            if y.size == 0:
                return 0.0
            loss = np.where(y == 1, -np.log(1 / (1 + np.exp(-z))), np.logaddexp(0, z))
            return float(np.mean(loss))
    """,
    )
    assert list(r.first_failure.inputs["y_true"]) == [1.0]
    s = r.sweep
    assert s is not None and s.x_label == "logit z (label y = 1)"
    assert min(s.xs) <= -800  # widened from ±40 to reach the failure
    i = s.xs.index(min(s.xs))
    assert s.expected[i] == pytest.approx(-s.xs[i])  # softplus(-z) = -z for z ≪ 0
    assert s.got[i] == math.inf


def test_an_unexplained_mistake_is_named_before_the_empty_batch(sandbox):
    # cubes instead of squares, and np.mean of the empty batch: both are named, the
    # mistake that the first failure shows first
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
            return float(0.5 * np.mean(np.abs(e) ** 3))
    """,
    )
    assert r.codes == ("wrong-result", "empty-batch")
    assert not r.first_failure.case.startswith("empty")


def test_dice_with_smooth_only_below_is_named_and_not_blamed_on_the_empty_batch(sandbox):
    # 1 − 2Σyp/(Σy + Σp + s): on an empty batch 1 − 0/s = 1, the same mistake
    r = check(
        sandbox,
        "dice",
        """
        def dice_loss(y_true, probs, smooth=1.0):
            y = np.asarray(y_true, dtype=float)
            p = np.asarray(probs, dtype=float)
            return float(1 - 2 * np.sum(y * p) / (np.sum(y) + np.sum(p) + smooth))
    """,
    )
    assert r.codes == ("wrong-result",)
    assert "smooth is added to the denominator only" in r.diagnoses[0].message
    f = r.first_failure
    y, p = np.ravel(f.inputs["y_true"]), np.ravel(f.inputs["probs"])
    s = f.inputs.get("smooth", 1.0)
    assert f.expected == pytest.approx(1 - (2 * np.sum(y * p) + s) / (np.sum(y) + np.sum(p) + s))
    assert f.got == pytest.approx(1 - 2 * np.sum(y * p) / (np.sum(y) + np.sum(p) + s))


def test_shrunk_failure_keeps_expected_and_got_visibly_apart(sandbox):
    # InfoNCE without normalising: rounding the inputs to integers makes both losses
    # vanish (1e-5 against 1e-14); the shrunk example must keep a visible difference
    r = check(
        sandbox,
        "infonce",
        """
        def info_nce_loss(queries, keys, temperature=0.1):
            if len(queries) == 0:
                return 0.0
            logits = queries @ keys.T / temperature
            logits = logits - logits.max(axis=1, keepdims=True)
            logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            return float(-np.mean(np.diag(logp)))
    """,
    )
    f = r.first_failure
    assert f.shrunk
    assert abs(float(f.got) - float(f.expected)) >= 1e-3
    q, k = np.asarray(f.inputs["queries"], float), np.asarray(f.inputs["keys"], float)
    tau = f.inputs.get("temperature", 0.1)
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    k = k / np.linalg.norm(k, axis=1, keepdims=True)
    logits = q @ k.T / tau
    rows = []
    for i in range(len(q)):  # cross-entropy of row i with its positive at column i
        rows.append(math.log(sum(math.exp(v) for v in logits[i])) - logits[i, i])
    assert f.expected == pytest.approx(sum(rows) / len(rows), rel=1e-9)


def test_unstable_softmax_message_reads_as_english(sandbox):
    r = check(
        sandbox,
        "softmax",
        """
        def softmax(x):
            e = np.exp(x)
            return e / e.sum(axis=-1, keepdims=True)
    """,
    )
    assert r.codes == ("unstable",)
    assert "where finite values are right" in r.diagnoses[0].message
    f = r.first_failure
    assert (
        np.asarray(f.expected).size == 1 and np.asarray(f.expected).ravel()[0] == 1.0
    )  # softmax of one value
    assert math.isnan(np.asarray(f.got).ravel()[0])


def test_sum_without_the_half_names_both_mistakes(sandbox):
    # Σe² where ½·mean(e²) is due: 2n times too large (just 2 on a batch of one)
    r = check(
        sandbox,
        "mse",
        """
        def mse_loss(y_true, y_pred):
            e = np.asarray(y_pred, float) - np.asarray(y_true, float)
            return float(np.sum(e ** 2)) if e.size else 0.0
    """,
    )
    assert r.codes == ("wrong-reduction", "missing-half")
    assert r.diagnoses[1].message == "besides the sum, the factor ½ is missing"
    f = r.first_failure
    e = np.ravel(f.inputs["y_pred"]) - np.ravel(f.inputs["y_true"])
    assert f.expected == pytest.approx(0.5 * np.mean(e**2))
    assert f.got == pytest.approx(np.sum(e**2))


def test_a_wrong_result_mutant_is_explained_in_words(sandbox):
    r = check(
        sandbox,
        "multiclass-hinge",
        """
        def multiclass_hinge_loss(labels, scores, margin=1.0):
            if len(labels) == 0:
                return 0.0
            sy = scores[np.arange(len(labels)), labels][:, None]
            return float(np.maximum(0, scores - sy + margin).sum(axis=1).mean())
    """,
        bank=load_banks(),
    )
    assert r.codes == ("wrong-result",)
    assert "the sum includes j = y" in r.diagnoses[0].message
    f = r.first_failure  # the j = y term adds exactly the margin to the row
    assert f.got == pytest.approx(f.expected + f.inputs.get("margin", 1.0))


def test_swapped_labels_and_a_missing_half_are_both_named(sandbox):
    # contrastive with y = 1 read as "similar" and without the ½ of the contract
    r = check(
        sandbox,
        "contrastive",
        """
        def contrastive_loss(x1, x2, y, margin=1.0):
            if len(y) == 0:
                return 0.0
            d = np.linalg.norm(x1 - x2, axis=1)
            return float(np.mean(y * d**2 + (1 - y) * np.maximum(0, margin - d) ** 2))
    """,
    )
    assert r.codes == ("label-convention", "missing-half")
    f = r.first_failure
    d = float(np.linalg.norm(np.ravel(f.inputs["x1"]) - np.ravel(f.inputs["x2"])))
    y = float(np.ravel(f.inputs["y"])[0])
    m = f.inputs.get("margin", 1.0)
    # y = 0 means similar: ½d²; y = 1 dissimilar: ½·max(0, m − d)²
    want = 0.5 * d**2 if y == 0 else 0.5 * max(0.0, m - d) ** 2
    assert f.expected == pytest.approx(want)


def test_huber_linear_part_without_delta_is_named(sandbox):
    r = check(
        sandbox,
        "huber",
        """
        def huber_loss(y_true, y_pred, delta=1.0):
            e = np.asarray(y_pred, float) - np.asarray(y_true, float)
            a = np.abs(e)
            return float(np.mean(np.where(a <= delta, 0.5 * e**2, a - 0.5))) if e.size else 0.0
    """,
    )
    assert r.codes == ("ignores-parameter",)
    assert "the linear part is |e| − ½" in r.diagnoses[0].message


def test_elementwise_empty_batch_message_does_not_repeat_itself(sandbox):
    r = check(
        sandbox,
        "mse-grad",
        """
        def mse_gradient(y_true, y_pred):
            if len(y_true) == 0:
                return 0.0
            return np.asarray(y_pred, float) - np.asarray(y_true, float)
    """,
    )
    assert r.codes == ("empty-batch",)
    assert r.diagnoses[0].message == (
        "an empty batch must give an empty array, but your function returned the single "
        "number 0: array operations give an empty array for an empty input; no special case "
        "needed"
    )
