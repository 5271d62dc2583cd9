"""The 2026 implement tasks (language models, preference tuning, metric learning, sequences,
listwise ranking) as the checker, the shrinker, the plot and the bug hunts use them: every
contract rule has a case, every hyperparameter is tried on both sides of its default, the
shrinker keeps inputs valid, each bug hunt is wrong as written and right once fixed, and the
plot slices show the pictures interviewers ask for. (Solutions and mutants are covered by
tests/test_checker_mutants.py, the references by tests/test_references_<family>.py.)"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

import losses_2026
import numpy as np
import pytest
import yaml

from lossdrill.bank.tasks import builtin_tasks
from lossdrill.checker.shrink import _candidates
from lossdrill.checker.tasks import TASKS
from lossdrill.plotting.slices import AXES
from lossdrill.plotting.slices import TASKS as PLOT_TASKS
from lossdrill.references import (
    REFERENCES,
    language,
    listwise,
    metric,
    preference,
    probabilistic,
    segmentation,
    sequence,
)

ROOT = Path(__file__).resolve().parents[1]
ISSUE_TASKS = losses_2026.TASK_FUNCTIONS
IDS = sorted(ISSUE_TASKS)
ITEMS = builtin_tasks()
HUNTS = yaml.safe_load(
    (ROOT / "questions" / "bughunt" / "llm-2026.yaml").read_text(encoding="utf-8")
)["items"]


def test_every_task_of_the_issue_is_a_task_with_its_function_name():
    assert {tid: ITEMS[tid].function for tid in IDS} == ISSUE_TASKS
    assert set(ISSUE_TASKS.values()) <= set(REFERENCES)
    assert set(IDS) <= set(PLOT_TASKS)


@pytest.mark.parametrize("task_id", IDS)
def test_every_contract_rule_is_exercised_by_a_case(task_id):
    """Cases carry the ids of the rules they exercise (``Case.rules``); the names stay plain
    words (tests/test_trusted_verdicts.py checks the same for every task)."""
    record = ITEMS[task_id].record
    cases = TASKS[task_id].cases()
    tagged = {rid for c in cases for rid in c.rules}
    missing = [r.id for r in record.rules if r.id not in tagged]
    assert not missing, f"rules without a case: {missing}"
    assert not [c.name for c in cases if re.match(r"\[[a-z0-9-]+\]", c.name)]


@pytest.mark.parametrize("task_id", IDS)
def test_every_hyperparameter_is_tried_on_both_sides_of_its_default(task_id):
    record = ITEMS[task_id].record
    cases = TASKS[task_id].cases()
    for p in record.params:
        tried = {c.kwargs[p.name] for c in cases if p.name in c.kwargs}
        assert any(v > p.default for v in tried), (p.name, tried)
        at_the_lower_bound = p.default == p.domain.lo and not p.domain.lo_open
        assert at_the_lower_bound or any(v < p.default for v in tried), (p.name, tried)
        assert all(v in p.domain for v in tried), (p.name, tried)


@pytest.mark.parametrize("task_id", IDS)
def test_every_case_is_valid_and_the_reference_answers_it(task_id):
    spec = TASKS[task_id]
    ref = spec.reference()
    cases = spec.cases()
    assert sum(c.group == "random" for c in cases) >= 200
    assert {"edge", "dtypes", "random"} <= {c.group for c in cases}
    for c in cases:
        if spec.family.valid is not None:
            assert spec.family.valid(c.args, c.kwargs), c.name
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = np.asarray(ref(*c.args, **c.kwargs), dtype=np.float64)
        # only CTC has an infinite answer (no alignment); nothing is nan
        assert not np.any(np.isnan(value)), c.name
        assert np.all(np.isfinite(value)) or task_id == "ctc", c.name


@pytest.mark.parametrize("task_id", [t for t in IDS if TASKS[t].family.valid is not None])
def test_the_shrinker_only_proposes_valid_inputs(task_id):
    spec = TASKS[task_id]
    ref = spec.reference()
    proposed = 0
    for c in [c for c in spec.cases() if c.group in ("random", "edge") and not c.is_empty][:60]:
        for candidate in _candidates(spec, c):
            proposed += 1
            assert spec.family.valid(candidate.args, candidate.kwargs), (c.name, candidate.args)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref(*candidate.args, **candidate.kwargs)  # a valid input: the reference answers
    assert proposed > 0


@pytest.mark.parametrize(
    ("task_id", "bad"),
    [
        # a 2-D (T, V) logits array, (B, T) flattened away: not the (B, T, V) contract
        ("masked-ce", (np.zeros((3, 4)), np.array([0, 1, 2]))),
        # labels beyond the class centres
        ("arcface", (np.eye(2), np.eye(2)[:1], np.array([0, 1]))),
        # rounded log-probabilities that are no longer a log-softmax row
        ("ctc", (np.array([[-1.0, -1.0, -1.0]]), np.array([1]))),
        # a zero embedding has no direction
        ("arcface", (np.array([[0.0, 0.0]]), np.eye(2), np.array([0]))),
    ],
)
def test_the_families_refuse_invalid_inputs(task_id, bad):
    assert not TASKS[task_id].family.valid(bad)


def test_index_hyperparameters_are_part_of_validity():
    """``blank`` is a class index below C that no target uses; ``ignore_index`` is the one
    target value outside the vocabulary that is allowed."""
    ctc, masked = TASKS["ctc"].family, TASKS["masked-ce"].family
    lp = np.log(np.full((3, 4), 0.25))
    assert ctc.valid((lp, np.array([1, 2])), {"blank": 3})
    assert not ctc.valid((lp, np.array([1, 2])), {"blank": 4})  # not a class
    assert not ctc.valid((lp, np.array([1, 3])), {"blank": 3})  # a target is the blank
    assert not ctc.valid((lp, np.array([1, 2])), {"blank": -1})
    z, t = np.zeros((1, 2, 3)), np.array([[1, 7]])
    assert masked.valid((z, t), {"ignore_index": 7})
    assert not masked.valid((z, t), {"ignore_index": -100})
    assert not masked.valid((z, t), {})


# ----------------------------------------------------------------------------- bug hunts


def _agree(got: Any, want: Any) -> bool:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False
    same_inf = np.isinf(want) & (got == want)
    return bool(np.all(same_inf | np.isclose(got, want, rtol=1e-6, atol=1e-8)))


def _load(source: str, name: str):
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102
    return namespace[name]


def test_at_least_eight_bug_hunts_on_the_new_tasks():
    assert len(HUNTS) >= 8
    assert {h["task"] for h in HUNTS} <= set(IDS)


@pytest.mark.parametrize("hunt", HUNTS, ids=[h["id"] for h in HUNTS])
def test_bug_hunt_is_wrong_as_written_and_right_once_its_line_is_fixed(hunt):
    spec = TASKS[hunt["task"]]
    lines = hunt["code"].rstrip("\n").split("\n")
    assert lines[hunt["bug_line"] - 1].strip() != hunt["fix"].strip()
    fixed = (
        lines[: hunt["bug_line"] - 1]
        + hunt["fix"].rstrip("\n").split("\n")
        + lines[hunt["bug_line"] :]
    )
    buggy = _load(hunt["code"], spec.function)
    right = _load("\n".join(fixed) + "\n", spec.function)
    differs = False
    for c in spec.cases():
        copies = tuple(np.array(a, copy=True) for a in c.args)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = spec.reference()(*c.args, **c.kwargs)
            assert _agree(right(*copies, **c.kwargs), want), (hunt["id"], c.name)
            try:
                differs = differs or not _agree(buggy(*copies, **c.kwargs), want)
            except Exception:
                differs = True
    assert differs, f"{hunt['id']}: the buggy code agrees with the reference on every case"


# ----------------------------------------------------------------------------- plots


@pytest.mark.parametrize("task_id", IDS)
def test_every_slice_is_finite_over_its_whole_axis(task_id):
    task = PLOT_TASKS[task_id]
    ref = REFERENCES[task.function]
    for s in task.slices:
        for _, conditions in s.variants:
            fixed = {k: conditions[k] for k in s.fixed}
            for x in AXES[s.axis].samples(41):
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    value = np.asarray(ref(*s.inputs(x, conditions), **fixed), dtype=np.float64)
                assert np.all(np.isfinite(value)), (task_id, x, conditions)


def _slice_values(task_id: str, conditions: dict[str, Any], xs: list[float]) -> list[float]:
    task = PLOT_TASKS[task_id]
    s = task.slices[0]
    fixed = {k: conditions[k] for k in s.fixed}
    ref = REFERENCES[task.function]
    return [float(np.ravel(ref(*s.inputs(x, conditions), **fixed))[0]) for x in xs]


def test_dpo_falls_with_the_implicit_reward_margin_and_is_log_2_at_zero():
    assert PLOT_TASKS["dpo"].slices[0].axis == "reward-margin"
    xs = AXES["reward-margin"].samples(41)
    ys = _slice_values("dpo", {"beta": 0.1}, xs)
    assert all(a > b for a, b in zip(ys, ys[1:], strict=False))
    assert _slice_values("dpo", {"beta": 0.5}, [0.0])[0] == pytest.approx(math.log(2))
    # −log σ(β·h) by hand at h = 10, β = 0.1
    assert _slice_values("dpo", {"beta": 0.1}, [10.0])[0] == pytest.approx(
        math.log1p(math.exp(-1.0))
    )


def test_ppo_is_drawn_against_the_ratio_flat_where_clipped_for_both_signs_of_a():
    s = PLOT_TASKS["ppo-clip"].slices[0]
    assert s.axis == "ratio" and {c["A"] for _, c in s.variants} == {1.0, -1.0}
    # the loss is −min(r·A, clip(r, 0.8, 1.2)·A), by hand
    pos = _slice_values("ppo-clip", {"A": 1.0}, [0.5, 1.0, 1.5, 1.9])
    assert pos == pytest.approx([-0.5, -1.0, -1.2, -1.2])
    neg = _slice_values("ppo-clip", {"A": -1.0}, [0.3, 0.6, 1.0, 1.5])
    assert neg == pytest.approx([0.8, 0.8, 1.0, 1.5])


def test_ctc_slice_costs_more_for_the_repeated_label():
    once = _slice_values("ctc", {"k": 1}, [-1.0])[0]
    twice = _slice_values("ctc", {"k": 2}, [-1.0])[0]
    assert twice > once > 0


# ----------------------------------------------------------------------------- texts


def test_the_debriefs_say_what_the_issue_asks():
    assert "nan" in ITEMS["masked-ce"].debrief
    grpo = ITEMS["grpo-adv"].debrief
    assert "ddof" in grpo and "1e-4" in grpo and "1e-6" in grpo
    assert "easy_margin" in ITEMS["arcface"].debrief


# The numeric items of questions/quiz/llm*.yaml are written with primitives; each must equal
# the reference it stands for.
NUMERIC_EQUIVALENTS = {
    "llm-num-masked-ce": lambda: language.masked_lm_cross_entropy(
        [[[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [5.0, 5.0, 5.0]]], [[0, 2, -100]]
    ),
    "llm-num-kd": lambda: language.distillation_loss([[0.0, 0.0]], [[2.0, 0.0]], temperature=2.0),
    "llm-num-z-loss": lambda: language.z_loss([[0.0, 0.0, 0.0, 0.0]], weight=1.0),
    "llm-num-moe-balance": lambda: language.load_balancing_loss([[1.0, 0.0], [1.0, 0.0]]),
    "llm-num-dpo": lambda: preference.dpo_loss([-10.0], [-12.0], [-11.0], [-11.5], beta=0.1),
    "llm-num-ppo-positive": lambda: preference.ppo_clip_loss([math.log(1.5)], [0.0], [2.0]),
    "llm-num-ppo-negative": lambda: preference.ppo_clip_loss([math.log(1.5)], [0.0], [-1.0]),
    "llm-num-grpo": lambda: preference.grpo_advantages([[1.0, 0.0, 0.0, 0.0]])[0, 0],
    "lm-num-sgns": lambda: metric.sgns_loss(
        [[1.0, 0.0]], [[2.0, 0.0]], [[[1.0, 0.0], [-1.0, 0.0]]]
    ),
    "lm-num-tversky": lambda: segmentation.tversky_loss([1, 1, 0, 0], [0.9, 0.2, 0.5, 0.0]),
    "lm-num-ctc": lambda: sequence.ctc_loss(np.log(np.full((2, 2), 0.5)), [1]),
    "lm-num-listmle": lambda: listwise.listmle_loss([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]),
    "lm-num-gaussian-nll": lambda: probabilistic.gaussian_nll_loss([1.0], [0.0], [0.25]),
    "lm-num-vae-kl": lambda: probabilistic.gaussian_kl([[1.0, 0.0]], [[0.0, math.log(2.0)]]),
    "lm-num-gan-d": lambda: preference.gan_discriminator_loss([2.0], [1.0]),
}


def test_numeric_quiz_items_equal_the_references_they_stand_for():
    from lossdrill.bank.formula import evaluate

    items = {
        i["id"]: i
        for f in sorted((ROOT / "questions" / "quiz").glob("llm*.yaml"))
        for i in yaml.safe_load(f.read_text(encoding="utf-8"))["items"]
        if i["kind"] == "numeric"
    }
    assert set(items) == set(NUMERIC_EQUIVALENTS)
    for item_id, reference_value in NUMERIC_EQUIVALENTS.items():
        assert evaluate(items[item_id]["formula"]) == pytest.approx(
            float(reference_value()), rel=1e-12
        ), item_id


def test_integer_and_flag_hyperparameters_reach_the_learner_with_their_type():
    ctc, nll = TASKS["ctc"], TASKS["gaussian-nll"]
    assert ctc.signature() == "ctc_loss(log_probs, targets, blank=0)"
    assert nll.signature() == "gaussian_nll_loss(y_true, mean, var, eps=1e-06, full=False)"
    blanks = [c.kwargs["blank"] for c in ctc.cases() if "blank" in c.kwargs]
    fulls = [c.kwargs["full"] for c in nll.cases() if "full" in c.kwargs]
    assert blanks and all(type(b) is int for b in blanks)
    assert fulls and all(type(f) is bool for f in fulls) and {True, False} <= set(fulls)
    ignore = [
        c.kwargs["ignore_index"] for c in TASKS["masked-ce"].cases() if "ignore_index" in c.kwargs
    ]
    assert ignore and all(type(i) is int for i in ignore)


def test_the_shrinker_drops_an_axis_of_masked_ce_logits_no_more():
    from lossdrill.checker.shrink import _collapse

    spec = TASKS["masked-ce"]
    case = next(c for c in spec.cases() if c.group == "random" and np.shape(c.args[0])[0] > 1)
    collapsed = _collapse(spec, case)  # what the generic shrinker would try: (T, V) logits
    assert collapsed is not None and np.ndim(collapsed[0]) == 2
    assert not spec.family.valid(collapsed)
    assert all(np.ndim(c.args[0]) == 3 for c in _candidates(spec, case))


@pytest.mark.parametrize(
    ("task_id", "call"),
    [
        ("masked-ce", "torch.nn.functional.cross_entropy(logits, targets)"),
        ("masked-ce", "scipy.special.log_softmax(logits, axis=-1)"),
        ("kd", "torch.nn.functional.kl_div(a, b)"),
        ("kd", "scipy.special.rel_entr(p, q)"),
        ("gaussian-nll", "torch.nn.functional.gaussian_nll_loss(a, b, c)"),
        ("ctc", "torch.nn.functional.ctc_loss(a, b, c, d)"),
        ("ctc", "optax.ctc_loss(a, b, c, d)"),
        ("arcface", "torch.nn.functional.cross_entropy(a, b)"),
        ("batch-hard-triplet", "torch.nn.functional.triplet_margin_loss(a, p, n)"),
        ("listnet", "scipy.special.log_softmax(s)"),
        ("gan-d", "torch.nn.functional.binary_cross_entropy_with_logits(a, b)"),
        ("sgns", "optax.sigmoid_binary_cross_entropy(a, b)"),
        ("grpo-adv", "scipy.stats.zscore(r, axis=1)"),
    ],
)
def test_library_functions_that_are_the_answer_are_forbidden(task_id, call):
    from lossdrill.checker.imports import forbidden_uses

    module = call.split("(")[0].rsplit(".", 1)[0]
    source = f"import {module}\n\n\ndef f(*a):\n    return {call}\n"
    uses = forbidden_uses(source, TASKS[task_id].forbidden)
    assert [u.name for u in uses] == [call.split("(")[0]], uses


@pytest.mark.parametrize("task_id", IDS)
def test_building_blocks_stay_allowed_and_every_new_task_forbids_something(task_id):
    from lossdrill.checker.imports import forbidden_uses

    source = (
        "import numpy as np\nimport scipy.special\n\n\ndef f(z):\n"
        "    return scipy.special.logsumexp(z) + np.logaddexp(z, 0) + scipy.special.expit(z)\n"
    )
    assert TASKS[task_id].forbidden
    assert forbidden_uses(source, TASKS[task_id].forbidden) == []
