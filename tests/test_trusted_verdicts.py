"""Verdicts that can be trusted: every stated rule exercised, every hyperparameter tried at
both ends of its domain, per-row stability, every allowed dtype per argument, the reference
out of reach, and the mistakes that used to fall back to ``wrong-result`` named.

Expected values come from hand derivations and scipy, never from the reference.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from sample_records import IMPLEMENT_RECORD as RECORD
from scipy.special import rel_entr

from lossdrill.bank.schema import Bank
from lossdrill.bank.tasks import builtin_tasks
from lossdrill.checker.codes import CODES
from lossdrill.checker.engine import run_check
from lossdrill.checker.families import BINARY, PM1
from lossdrill.checker.imports import forbidden_uses
from lossdrill.checker.sandbox import Sandbox
from lossdrill.checker.tasks import TASKS

NO_MUTANTS = Bank()
IDS = sorted(TASKS)
WITH_PARAMS = [t for t in IDS if TASKS[t].params]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


def check(sandbox, task: str, body: str):
    source = "import numpy as np\n\n" + textwrap.dedent(body)
    return run_check(task, source, bank=NO_MUTANTS, sandbox=sandbox, sweep=False)


def cases_named(task: str) -> dict:
    return {c.name: c for c in TASKS[task].cases()}


# --------------------------------------------------------------------------- 1. domains


@pytest.mark.parametrize("task", WITH_PARAMS)
def test_params_group_tries_both_ends_the_default_and_the_interior(task):
    spec = TASKS[task]
    record = builtin_tasks()[task].record
    cases = [c for c in spec.cases() if c.group == "params"]
    for p, hp in zip(spec.params, record.params, strict=True):
        tried = {c.kwargs[p.name] for c in cases if set(c.kwargs) == {p.name}}
        lo, hi = p.ends
        if hp.type == "index":  # valid values depend on the inputs: only the named ones
            assert (lo, hi) == (min(hp.default, *hp.tries), max(hp.default, *hp.tries))
            assert {p.default, *hp.tries} <= tried and all(type(v) is int for v in tried)
            continue
        # the ends lie in the declared domain, at a closed end exactly, near an open one
        assert lo in hp.domain and hi in hp.domain
        if not hp.domain.lo_open:
            assert lo == hp.domain.lo
        if not hp.domain.hi_open and math.isfinite(hp.domain.hi):
            assert hi == hp.domain.hi
        assert {lo, hi, p.default, *hp.tries} <= tried
        # every value with both label classes where labels exist
        for c in cases:
            if p.name in c.kwargs:
                for arg, kind in zip(c.args, spec.family.kinds, strict=True):
                    if kind in (BINARY, PM1) and np.size(arg) >= 2:
                        assert len(np.unique(arg)) == 2, c.name
        # the ends with integer inputs too, where the contract allows integers
        if spec.int_ok:
            assert any(
                p.name in c.kwargs and all(np.asarray(a).dtype.kind == "i" for a in c.args)
                for c in cases
            )


def test_open_ends_are_the_nearest_allowed_values():
    # the examples: q in (0, 1) is tried at 0.01 and 0.99; a closed 0 at 0
    assert TASKS["quantile"].params[0].ends == (0.01, 0.99)
    assert TASKS["focal"].params[0].ends == (0.0, 1.0)
    assert TASKS["focal"].params[1].ends[0] == 0.0
    for task in ("weighted-bce", "multiclass-hinge", "dice", "smooth-ce"):
        assert TASKS[task].params[0].ends[0] == 0.0
    assert TASKS["cosine-embedding"].params[0].ends == (-1.0, 1.0)
    assert 0 < TASKS["infonce"].params[0].ends[0] < 0.1


@pytest.mark.parametrize("task", [t for t in WITH_PARAMS if TASKS[t].family.stability])
def test_hyperparameter_ends_are_crossed_with_the_extreme_inputs(task):
    spec = TASKS[task]
    stab = [c for c in spec.cases() if c.group == "stability"]
    for p in spec.params:
        if any(p.name in c.kwargs for c in stab if "hyperparameters" not in c.rules):
            continue  # the family's own extreme cases set it (the temperature)
        if p.type == "index":  # never crossed: its valid values depend on the inputs
            assert not any(p.name in c.kwargs for c in stab if "hyperparameters" in c.rules)
            continue
        for end in p.ends:
            assert any(c.kwargs.get(p.name) == end for c in stab), (p.name, end)


# --------------------------------------------------------------------------- 2. rules


@pytest.mark.parametrize("task", IDS)
def test_every_rule_has_a_case_that_exercises_it(task):
    spec = TASKS[task]
    exercised = {rid for c in spec.cases() for rid in c.rules}
    missing = [rid for rid, _ in spec.rules if rid not in exercised]
    assert not missing, f"rules without a case: {missing}"


def test_a_rule_without_a_case_fails_the_coverage_check():
    spec = TASKS["dice"]
    exercised = {rid for c in spec.cases() for rid in c.rules}
    assert "zero-denominator" in exercised
    assert "an-invented-rule" not in exercised


def test_stated_zero_cases_are_cases_with_the_contracts_values():
    dice = cases_named("dice")["smooth=0, both masks empty"]
    assert dice.kwargs == {"smooth": 0.0} and not np.any(dice.args[0]) and not np.any(dice.args[1])
    ref = TASKS["dice"].reference()
    assert ref(*dice.args, **dice.kwargs) == 0.0  # perfect agreement, as the rule says

    cos = cases_named("cosine-embedding")["a zero vector on each side"]
    # row 0: x1 = 0, y = 1: 1 − cos = 1; row 1: x2 = 0, y = −1: max(0, 0 − 0) = 0
    assert TASKS["cosine-embedding"].reference()(*cos.args) == pytest.approx(0.5)

    kl = cases_named("kl")["p = 0 and q = 0 in the same class"]
    p, q = kl.args
    assert np.any((p == 0) & (q == 0))
    want = float(np.mean(np.sum(rel_entr(p, q), axis=-1)))  # scipy: rel_entr(0, 0) = 0
    assert TASKS["kl"].reference()(p, q) == pytest.approx(want, rel=1e-12)

    poisson = cases_named("poisson-nll")["log-rate of 1000 (the true loss is inf)"]
    assert poisson.group == "stability"
    with np.errstate(over="ignore"):
        assert TASKS["poisson-nll"].reference()(*poisson.args) == math.inf


def test_mae_gradient_near_ties_are_cases():
    case = cases_named("mae-grad")["exact ties and differences of 1e-9 and 1e-12"]
    d = np.asarray(case.args[1]) - np.asarray(case.args[0])
    assert np.any(d == 0) and np.any(np.abs(np.abs(d) - 1e-9) < 1e-15)
    assert np.any((d != 0) & (np.abs(d) < 2e-12))
    assert "ties" in case.rules


# --------------------------------------------------------------------------- 3. stability


def test_infonce_rows_with_different_maxima_at_tiny_temperature():
    case = cases_named("infonce")["temperature 1e-4, rows' maxima 1e4 apart"]
    assert case.kwargs == {"temperature": 1e-4}
    # row 0: logits (1e4, −1e4): loss ≈ 0; row 1: logits (0, 0): loss ln 2; mean ln2 / 2
    assert TASKS["infonce"].reference()(*case.args, **case.kwargs) == pytest.approx(math.log(2) / 2)


@pytest.mark.parametrize(
    "task", ["softmax", "log-softmax", "cce", "cce-grad", "smooth-ce", "infonce", "clip", "nt-xent"]
)
def test_a_global_instead_of_per_row_shift_fails(sandbox, task):
    # the task's model solution with the row max replaced by the max of the whole matrix
    from lossdrill.checker.mistakes import mutants_of

    item = builtin_tasks()[task]
    [mutant] = [m for m in mutants_of(TASKS[task], item.solution) if m.mistake == "global-shift"]
    assert "keepdims=True" not in mutant.code.split("np.max(")[1].split(")")[0]
    r = run_check(task, mutant.code, bank=NO_MUTANTS, sandbox=sandbox, sweep=False)
    assert not r.passed and "unstable" in r.codes


# --------------------------------------------------------------------------- 4/6. dtypes, shapes


@pytest.mark.parametrize("task", [t for t in IDS if len(TASKS[t].args) > 1])
def test_each_argument_alone_in_each_allowed_dtype(task):
    spec = TASKS[task]
    cases = [c for c in spec.cases() if c.group == "dtypes"]
    for i, (name, kind) in enumerate(zip(spec.args, spec.family.kinds, strict=True)):
        if kind == "label":
            continue
        kinds_seen = {
            np.asarray(c.args[i]).dtype.name
            for c in cases
            if all(
                np.asarray(a).dtype.name in ("float64", "int64") or j == i
                for j, a in enumerate(c.args)
            )
        }
        assert "float32" in kinds_seen, name
        if spec.int_ok and kind != "dist":
            assert "int64" in kinds_seen, name


def test_integer_targets_with_fractional_predictions():
    case = cases_named("mae")["y_true as int64, the rest float64"]
    y, yhat = case.args
    assert y.dtype.kind == "i" and yhat.dtype == np.float64 and np.any(yhat != np.rint(yhat))


def test_casting_predictions_to_the_targets_dtype_fails_and_is_named(sandbox):
    r = check(
        sandbox,
        "mae",
        """
        def mae_loss(y_true, y_pred):
            y = np.asarray(y_true)
            p = np.asarray(y_pred).astype(y.dtype)
            return float(np.mean(np.abs(p - y))) if y.size else 0.0
    """,
    )
    assert not r.passed and r.codes[0] == "dtype-cast"


@pytest.mark.parametrize(
    ("task", "name"),
    [
        ("cce", "one class (k = 1)"),
        ("contrastive", "one-dimensional embeddings"),
        ("cosine-embedding", "one-dimensional embeddings"),
        ("infonce", "one-dimensional embeddings"),
        ("cosine-embedding", "huge norms (1e30)"),
        ("nt-xent", "huge norms (1e30)"),
    ],
)
def test_shapes_and_magnitudes_the_contract_allows(task, name):
    assert name in cases_named(task)


def test_isclose_for_equality_fails_and_is_named(sandbox):
    r = check(
        sandbox,
        "mae-grad",
        """
        def mae_gradient(y_true, y_pred):
            y = np.asarray(y_true, dtype=float)
            p = np.asarray(y_pred, dtype=float)
            return np.where(np.isclose(p, y), 0.0, np.sign(p - y))
    """,
    )
    assert not r.passed and "approximate-equality" in r.codes


def test_new_cases_reject_no_correct_style(sandbox):
    # float32 in, float32 out; a NumPy scalar; scipy's logsumexp (a building block, allowed)
    r = check(
        sandbox,
        "log-softmax",
        """
        from scipy.special import logsumexp

        def log_softmax(x):
            x = np.asarray(x)
            x = x if x.dtype == np.float32 else x.astype(float)
            return x - logsumexp(x, axis=-1, keepdims=True)
    """,
    )
    assert r.passed, (r.codes, r.first_failure)
    r = check(
        sandbox,
        "infonce",
        """
        def info_nce_loss(queries, keys, temperature=0.1):
            q = np.asarray(queries, dtype=np.float64)
            k = np.asarray(keys, dtype=np.float64)
            if len(q) == 0:
                return np.float64(0.0)
            q = q / np.linalg.norm(q, axis=1, keepdims=True)
            k = k / np.linalg.norm(k, axis=1, keepdims=True)
            s = (q @ k.T) / temperature
            return np.mean(np.logaddexp.reduce(s, axis=1) - np.diag(s))
    """,
    )
    assert r.passed, (r.codes, r.first_failure)


# --------------------------------------------------------------------------- 5. forbidden


def test_forbidden_uses_resolve_aliases_and_name_the_line():
    source = textwrap.dedent("""\
        import numpy as np
        from scipy import special
        import scipy.special as sp
        import importlib


        def f(x):
            a = special.log_softmax(x)
            b = sp.logsumexp(x)
            m = importlib.import_module("lossdrill.references")
            return a
    """)
    uses = forbidden_uses(source, ["scipy.special.log_softmax"])
    assert [(u.name, u.line) for u in uses] == [
        ("scipy.special.log_softmax", 8),
        ("lossdrill.references", 10),
    ]
    assert forbidden_uses("from lossdrill.references import REFERENCES\n")[0].line == 1
    assert forbidden_uses("import lossdrill\n")[0].pattern == "lossdrill"
    assert forbidden_uses("x = __import__('lossdrill.checker')\n")[0].name == "lossdrill.checker"
    assert (
        forbidden_uses(
            "import torch.nn.functional as F\ny = F.cross_entropy\n", ["torch.nn.functional.*"]
        )[0].name
        == "torch.nn.functional.cross_entropy"
    )
    assert forbidden_uses("import torch\nl = torch.nn.BCEWithLogitsLoss()\n", ["torch.nn.*Loss"])
    star = forbidden_uses(
        "from scipy.special import *\ny = log_softmax([1.0])\n", ["scipy.special.log_softmax"]
    )
    assert [(u.name, u.line) for u in star] == [("scipy.special.log_softmax", 2)]
    assert not forbidden_uses(
        "import numpy as np\nfrom scipy.special import logsumexp\n", ["scipy.special.log_softmax"]
    )


def test_importing_the_reference_fails_with_forbidden_import(sandbox):
    source = (
        "import numpy as np\nfrom lossdrill.references import REFERENCES\n"
        "mse_loss = REFERENCES['mse_loss']\n"
    )
    r = run_check("mse", source, bank=NO_MUTANTS, sandbox=sandbox, sweep=False)
    assert not r.passed and r.score == 0.0
    assert r.codes == ("forbidden-import",)
    assert "lossdrill.references.REFERENCES on line 2" in r.diagnoses[0].message
    assert "forbidden-import" in CODES


@pytest.mark.parametrize(
    ("task", "source", "name"),
    [
        ("log-softmax", "from scipy.special import log_softmax\n", "scipy.special.log_softmax"),
        (
            "softmax",
            "from scipy import special\nsoftmax = special.softmax\n",
            "scipy.special.softmax",
        ),
        (
            "kl",
            "import scipy.stats\ndef kl_divergence(p, q):\n    return scipy.stats.entropy(p, q)\n",
            "scipy.stats.entropy",
        ),
        ("bce", "from sklearn.metrics import log_loss\n", "sklearn.metrics.log_loss"),
        (
            "cce",
            "import torch.nn.functional as F\ndef categorical_ce_with_logits(y, z):\n"
            "    return F.cross_entropy(z, y)\n",
            "torch.nn.functional.cross_entropy",
        ),
    ],
)
def test_library_functions_that_are_the_answer_fail(sandbox, task, source, name):
    r = run_check(task, source, bank=NO_MUTANTS, sandbox=sandbox, sweep=False)
    assert not r.passed and r.codes == ("forbidden-import",)
    assert name in r.diagnoses[0].message and "line" in r.diagnoses[0].message


# --------------------------------------------------------------------------- 7. diagnoses


def test_softmax_over_the_middle_axis_of_a_3d_input_is_wrong_axis(sandbox):
    r = check(
        sandbox,
        "softmax",
        """
        def softmax(x):
            x = np.asarray(x, dtype=float)
            axis = 1 if x.ndim == 3 else -1
            e = np.exp(x - np.max(x, axis=axis, keepdims=True))
            return e / np.sum(e, axis=axis, keepdims=True)
    """,
    )
    assert not r.passed and r.codes[0] == "wrong-axis"


@pytest.mark.parametrize("task", ["infonce", "clip"])
def test_temperature_on_the_positive_pair_only_is_missing_temperature(sandbox, task):
    fn = {
        "infonce": "info_nce_loss(queries, keys, temperature=0.1)",
        "clip": "clip_loss(queries, keys, temperature=0.07)",
    }[task]
    both = "0.5 * (ce(s) + ce(s.T))" if task == "clip" else "ce(s)"
    r = check(
        sandbox,
        task,
        f"""
        def ce(s):
            n = len(s)
            m = np.max(s, axis=1, keepdims=True)
            lse = m[:, 0] + np.log(np.sum(np.exp(s - m), axis=1))
            return float(np.mean(lse - s[np.arange(n), np.arange(n)]))

        def {fn}:
            q = np.asarray(queries, dtype=float)
            k = np.asarray(keys, dtype=float)
            if len(q) == 0:
                return 0.0
            q = q / np.linalg.norm(q, axis=1, keepdims=True)
            k = k / np.linalg.norm(k, axis=1, keepdims=True)
            s = q @ k.T
            s[np.arange(len(s)), np.arange(len(s))] /= temperature
            return {both}
    """,
    )
    assert not r.passed and r.codes[0] == "missing-temperature", r.codes


def test_mean_over_n_minus_one_is_wrong_reduction(sandbox):
    r = check(
        sandbox,
        "mae",
        """
        def mae_loss(y_true, y_pred):
            e = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)).ravel()
            if e.size == 0:
                return 0.0
            return float(np.sum(e) / (e.size - 1)) if e.size > 1 else float(e[0])  # ddof=1
    """,
    )
    assert not r.passed and r.codes[0] == "wrong-reduction", r.codes


def test_nt_xent_mean_over_n_instead_of_2n_is_wrong_reduction(sandbox):
    r = check(
        sandbox,
        "nt-xent",
        """
        def nt_xent_loss(z1, z2, temperature=0.5):
            z = np.concatenate([np.asarray(z1, dtype=float), np.asarray(z2, dtype=float)])
            m = len(z)
            if m == 0:
                return 0.0
            z = z / np.linalg.norm(z, axis=-1, keepdims=True)
            s = z @ z.T / temperature
            np.fill_diagonal(s, -np.inf)
            s = s - np.max(s, axis=1, keepdims=True)
            log_p = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
            return float(-np.sum(log_p[np.arange(m), (np.arange(m) + m // 2) % m]) / (m // 2))
    """,
    )
    assert not r.passed and "wrong-reduction" in r.codes, r.codes


def test_falsy_default_is_named_with_the_value(sandbox):
    r = check(
        sandbox,
        "focal",
        """
        def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
            alpha = alpha or 0.25
            y = np.asarray(y_true, dtype=float)
            z = np.asarray(logits, dtype=float)
            if y.size == 0:
                return 0.0
            ce = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
            p_t = np.exp(-ce)
            alpha_t = alpha * y + (1 - alpha) * (1 - y)
            return float(np.mean(alpha_t * (1 - p_t) ** gamma * ce))
    """,
    )
    assert not r.passed and r.codes[0] == "ignores-parameter"
    assert "alpha=0" in r.diagnoses[0].message


def test_nan_at_a_stated_zero_case_quotes_the_rule(sandbox):
    r = check(
        sandbox,
        "dice",
        """
        def dice_loss(y_true, probs, smooth=1.0):
            y = np.asarray(y_true, dtype=float)
            p = np.asarray(probs, dtype=float)
            if y.size == 0:
                return 0.0
            with np.errstate(invalid="ignore"):
                return float(1.0 - (2.0 * np.sum(y * p) + smooth) / (np.sum(y) + np.sum(p) + smooth))
    """,
    )
    assert not r.passed and r.codes[0] == "ignores-rule"
    assert "zero denominator" in r.diagnoses[0].message


# --------------------------------------------------------------------------- the record's format


def test_rule_cases_and_forbidden_load_from_the_record(tmp_path):
    from lossdrill.bank.loader import load_files

    text = RECORD.replace(
        '      - {id: empty-batch, text: "An empty batch returns 0.0."}\n',
        "      - id: zero\n"
        '        text: "Zero errors give 0.0."\n'
        "        cases:\n"
        '          - {name: "all zero", args: [[0, 0], [0, 0]], dtypes: [int64, float64]}\n'
        '          - {name: "huge", args: [[0], [1000]], kwargs: {delta: 2}, group: stability}\n',
    ).replace(
        "    scale_arg:", "    forbidden: [sklearn.metrics.mean_squared_error]\n    scale_arg:"
    )
    path = tmp_path / "tasks.yaml"
    path.write_text(text)
    bank = load_files([path])
    assert bank.errors == []
    record = bank.implement("mse").record
    assert record.forbidden == ("sklearn.metrics.mean_squared_error",)
    first, second = record.rules[0].cases
    assert first.args == ([0, 0], [0, 0]) and first.dtypes == ("int64", "float64")
    assert second.kwargs == {"delta": 2.0} and second.group == "stability"


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ('{name: "x", args: [[0]]}', "rules[0].cases[0].args", "one value per argument (2)"),
        (
            '{name: "x", args: [[0], [0]], kwargs: {alpha: 1}}',
            "rules[0].cases[0].kwargs",
            "hyperparameters of the task only (delta)",
        ),
        (
            '{name: "x", args: [[0], [0]], group: params}',
            "rules[0].cases[0].group",
            "must be one of edge, stability",
        ),
    ],
)
def test_a_bad_rule_case_names_its_field(tmp_path, case, field, message):
    from lossdrill.bank.loader import load_files

    text = RECORD.replace(
        '      - {id: empty-batch, text: "An empty batch returns 0.0."}\n',
        f'      - id: zero\n        text: "t"\n        cases:\n          - {case}\n',
    )
    path = tmp_path / "tasks.yaml"
    path.write_text(text)
    bank = load_files([path])
    (error,) = bank.errors
    assert error.field == field and message in error.message and error.line > 1
