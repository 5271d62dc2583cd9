"""The staged issue-15 material is proven before it is wired into the checker: every staged
solution equals its reference on random, edge and extreme inputs; every mutant differs from
it somewhere; every bug hunt is wrong as written and right once its line is fixed; the items
fit today's implement and bug-hunt schema (plus the agreed params/rules/plot fields)."""

from __future__ import annotations

import math
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from lossdrill.bank.parse import parse_file
from lossdrill.checker.codes import CODES
from lossdrill.references import (
    language,
    listwise,
    metric,
    preference,
    probabilistic,
    segmentation,
    sequence,
)

STAGING = Path(__file__).resolve().parents[1] / "staging"
IMPLEMENT = yaml.safe_load((STAGING / "implement-2026.yaml").read_text(encoding="utf-8"))["items"]
BUGHUNTS = yaml.safe_load((STAGING / "bughunt-2026.yaml").read_text(encoding="utf-8"))["items"]
REFERENCES = {
    name: getattr(module, name)
    for module in (language, preference, metric, segmentation, probabilistic, sequence, listwise)
    for name in module.__all__
}
TASK_IDS = {
    "masked-ce": "masked_lm_cross_entropy", "kd": "distillation_loss", "z-loss": "z_loss",
    "moe-balance": "load_balancing_loss", "dpo": "dpo_loss", "ppo-clip": "ppo_clip_loss",
    "grpo-adv": "grpo_advantages", "gaussian-nll": "gaussian_nll_loss", "vae-kl": "gaussian_kl",
    "tversky": "tversky_loss", "sgns": "sgns_loss", "arcface": "arcface_loss",
    "batch-hard-triplet": "batch_hard_triplet_loss", "ctc": "ctc_loss",
    "listnet": "listnet_loss", "listmle": "listmle_loss", "gan-d": "gan_discriminator_loss",
}  # fmt: skip

Case = tuple[tuple[Any, ...], dict[str, Any]]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _log_probs(rng: np.random.Generator, t: int, c: int, scale: float = 2.0) -> np.ndarray:
    z = scale * rng.standard_normal((t, c))
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))


def cases(function: str) -> list[Case]:
    """Random, edge, extreme and float32 inputs for each task, hyperparameters at both ends."""
    r = _rng(zlib.crc32(function.encode()))  # str hashes vary between runs; crc32 does not
    n = r.standard_normal
    out: list[Case] = []
    if function == "masked_lm_cross_entropy":
        for seed, share in ((1, 0.0), (2, 0.3), (3, 0.7)):
            g = _rng(seed)
            z = 3 * g.standard_normal((2, 6, 5))
            t = g.integers(0, 5, (2, 6))
            t[g.random((2, 6)) < share] = -100
            t[0, 0] = 1
            out += [((z, t), {}), ((z, np.where(t == -100, 0, t)), {"ignore_index": 0})]
        out += [((n((1, 3, 4)), np.full((1, 3), -100)), {}),  # all ignored
                ((np.array([[[1e4, -1e4, 0.0], [0.0, 1e4, 0.0]]]), np.array([[1, 2]])), {}),
                ((np.zeros((0, 3, 4)), np.zeros((0, 3), dtype=int)), {}),
                ((n((2, 3, 4)).astype(np.float32), np.array([[0, 1, -100], [3, -100, 2]])), {})]
    elif function == "distillation_loss":
        for temp in (2.0, 1.0, 4.0, 0.5, 0.05):
            out.append(((3 * n((5, 6)), 3 * n((5, 6))), {"temperature": temp}))
        out += [((np.array([[1e4, -1e4, 0.0]]), np.array([[-1e4, 1e4, 0.0]])), {"temperature": 1.0}),
                ((np.zeros((0, 4)), np.zeros((0, 4))), {}),
                ((n((3, 4)).astype(np.float32), n((3, 4)).astype(np.float32)), {})]
    elif function == "z_loss":
        for w in (1e-4, 1e-3, 1.0, 0.0):
            out.append(((5 * n((6, 8)),), {"weight": w}))
        out += [((np.array([[1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]]),), {"weight": 1.0}),
                ((np.zeros((0, 4)),), {}), ((n((3, 4)).astype(np.float32),), {"weight": 1.0})]
    elif function == "load_balancing_loss":
        out += [((2 * n((16, 4)),), {}), ((n((50, 8)),), {}), ((n((3, 2)),), {}),
                ((np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0], [0.0, 0.0, 0.0]]),), {}),  # ties
                ((np.zeros((5, 4)),), {}),
                ((np.where(np.eye(4, dtype=bool), 1e4, -1e4),), {}),
                ((np.zeros((0, 4)),), {}), ((n((8, 3)).astype(np.float32),), {})]
    elif function == "dpo_loss":
        for beta in (0.1, 0.5, 1.0, 0.01):
            args = tuple(-np.abs(5 * n(8)) for _ in range(4))
            out.append((args, {"beta": beta}))
        out += [((np.array([0.0, -2e4]), np.array([-2e4, 0.0]), np.zeros(2), np.zeros(2)), {"beta": 1.0}),
                ((np.array([-3.0]), np.array([-7.0]), np.array([-3.0]), np.array([-7.0])), {}),
                (tuple(np.zeros(0) for _ in range(4)), {}),
                (tuple(n(5).astype(np.float32) for _ in range(4)), {})]
    elif function == "ppo_clip_loss":
        for eps in (0.2, 0.0, 0.1, 0.5, 0.9):
            old = -np.abs(n(20))
            out.append(((old + 0.5 * n(20), old, n(20)), {"clip_eps": eps}))
        ratios = np.log(np.array([1.5, 0.5, 1.1, 1.5, 0.5, 0.9, 3.0]))
        out += [((ratios, np.zeros(7), np.array([1.0, 1.0, 1.0, -1.0, -1.0, -2.0, -1.0])), {}),
                ((np.array([20.0, -20.0, 20.0]), np.zeros(3), np.array([1.0, -1.0, -1.0])), {}),
                ((np.zeros(0), np.zeros(0), np.zeros(0)), {}),
                ((n(6).astype(np.float32), n(6).astype(np.float32), n(6).astype(np.float32)), {})]
    elif function == "grpo_advantages":
        for eps in (1e-4, 1e-8, 1.0):
            out.append(((r.integers(0, 2, (4, 8)) + 0.1 * n((4, 8)),), {"eps": eps}))
        out += [((np.array([[1.0, 0.0, 0.0, 0.0], [3.0, 3.0, 3.0, 3.0]]),), {}),
                ((n((3, 1)),), {}), ((n((1, 5)),), {}),
                ((np.zeros((0, 4)),), {}), ((n((2, 4)).astype(np.float32),), {})]
    elif function == "gaussian_nll_loss":
        for eps, full in ((1e-6, False), (1e-6, True), (0.5, False), (1e-12, True)):
            out.append(((n(10), n(10), np.abs(n(10))), {"eps": eps, "full": full}))
        out += [((np.array([0.5, 1.0]), np.zeros(2), np.array([0.0, 1e-9])), {}),
                ((np.array([1e4]), np.array([-1e4]), np.array([1e-3])), {}),
                ((np.zeros(0), np.zeros(0), np.zeros(0)), {}),
                ((n(5).astype(np.float32), n(5).astype(np.float32), np.abs(n(5)).astype(np.float32)), {})]
    elif function == "gaussian_kl":
        out += [((n((6, 4)), n((6, 4))), {}), ((3 * n((2, 8)), 2 * n((2, 8))), {}),
                ((np.zeros((3, 2)), np.zeros((3, 2))), {}),
                ((np.array([[1.0, 0.0]]), np.array([[50.0, -50.0]])), {}),
                ((np.zeros((0, 3)), np.zeros((0, 3))), {}),
                ((n((2, 3)).astype(np.float32), n((2, 3)).astype(np.float32)), {})]
    elif function == "tversky_loss":
        y, p = (r.random(30) < 0.4).astype(float), r.random(30)
        for a, b, s in ((0.3, 0.7, 1.0), (0.7, 0.3, 1.0), (0.5, 0.5, 0.0), (0.0, 0.0, 1.0), (1.0, 1.0, 10.0)):
            out.append(((y, p), {"alpha": a, "beta": b, "smooth": s}))
        out += [((np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.0, 1.0])), {"smooth": 0.0}),
                ((np.zeros(3), np.zeros(3)), {"smooth": 0.0}),
                ((np.zeros(0), np.zeros(0)), {}),
                ((y.astype(np.float32), p.astype(np.float32)), {})]
    elif function == "sgns_loss":
        out += [((n((8, 4)), n((8, 4)), n((8, 5, 4))), {}), ((n((1, 2)), n((1, 2)), n((1, 1, 2))), {}),
                ((n((4, 3)), n((4, 3)), np.zeros((4, 0, 3))), {}),
                ((np.array([[100.0, 0.0]]), np.array([[100.0, 0.0]]), np.array([[[100.0, 0.0], [-100.0, 0.0]]])), {}),
                ((np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 2, 3))), {}),
                ((n((3, 2)).astype(np.float32), n((3, 2)).astype(np.float32), n((3, 2, 2)).astype(np.float32)), {})]
    elif function == "arcface_loss":
        for s, m in ((64.0, 0.5), (30.0, 0.2), (1.0, 0.0), (10.0, 1.0)):
            out.append(((n((6, 5)), n((4, 5)), r.integers(0, 4, 6)), {"scale": s, "margin": m}))
        theta = 0.9 * math.pi
        out += [((np.array([[1.0, 0.0]]), np.array([[math.cos(theta), math.sin(theta)], [0.0, 1.0]]), np.array([0])),
                 {"scale": 4.0, "margin": 0.5}),
                ((np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[2.0, 0.0], [0.0, 5.0]]), np.array([0, 1])), {}),
                ((np.zeros((0, 3)), n((4, 3)), np.zeros(0, dtype=int)), {}),
                ((n((3, 4)).astype(np.float32), n((2, 4)).astype(np.float32), np.array([0, 1, 1])), {})]
    elif function == "batch_hard_triplet_loss":
        for m in (0.3, 0.0, 2.0):
            out.append(((n((12, 3)), r.integers(0, 4, 12)), {"margin": m}))
        out += [((np.array([[0.0], [1.0], [3.0]]), np.array([0, 1, 1])), {"margin": 2.0}),  # singleton
                ((n((4, 2)), np.array([0, 1, 2, 3])), {}), ((n((4, 2)), np.array([5, 5, 5, 5])), {}),
                ((np.zeros((0, 3)), np.zeros(0, dtype=int)), {}),
                ((n((6, 2)).astype(np.float32), np.array([0, 0, 1, 1, 2, 2])), {})]
    elif function == "ctc_loss":
        for seed, (t, c, target, blank) in enumerate(
            [(5, 4, [1, 2, 3], 0), (30, 6, [1, 1, 2, 2, 5], 0), (12, 5, [0, 1, 2], 4), (8, 3, [], 0),
             (4, 3, [1, 1], 0), (2, 3, [1, 1], 0), (7, 4, [2, 2, 2, 2], 0), (400, 5, [1, 2, 3, 4] * 20, 0),
             (1500, 5, [1, 2, 3, 4] * 10, 0)]
        ):
            out.append(((_log_probs(_rng(seed), t, c), np.array(target, dtype=int)), {"blank": blank}))
        flat = np.full((4, 3), -1e4)
        for i, k in enumerate([0, 1, 2, 0]):
            flat[i, k] = 0.0
        out += [((flat, np.array([1, 2])), {}), ((np.where(flat == 0.0, 0.0, -np.inf), np.array([1, 2])), {}),
                ((np.zeros((0, 3)), np.zeros(0, dtype=int)), {}),
                ((_log_probs(_rng(9), 6, 4).astype(np.float32), np.array([1, 2])), {})]
    elif function in ("listnet_loss", "listmle_loss"):
        out += [((2 * n((5, 6)), r.integers(0, 4, (5, 6)).astype(float)), {}),
                ((n(4), np.array([1.0, 1.0, 0.0, 1.0])), {}),  # ties
                ((np.array([0.0, 2.0]), np.array([1.0, 1.0])), {}),
                ((np.array([[1e4, -1e4, 0.0]]), np.array([[0.0, 2.0, 1.0]])), {}),
                ((np.zeros((0, 3)), np.zeros((0, 3))), {}),
                ((n((2, 4)).astype(np.float32), n((2, 4)).astype(np.float32)), {})]
    elif function == "gan_discriminator_loss":
        out += [((2 * n(10), 2 * n(7)), {}), ((n(1), n(1)), {}),
                ((np.array([1e4, -1e4]), np.array([-1e4, 1e4])), {}),
                ((np.array([0.0]), np.zeros(0)), {}), ((np.zeros(0), np.zeros(0)), {}),
                ((n(4).astype(np.float32), n(3).astype(np.float32)), {})]
    else:  # pragma: no cover - a staged task without cases is a test-suite bug
        raise AssertionError(f"no cases for {function}")
    return out


def load_function(source: str, name: str):
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<staged {name}>", "exec"), namespace)  # noqa: S102
    return namespace[name]


def run(fn, case: Case):
    args, kwargs = case
    copies = tuple(np.array(a, copy=True) for a in args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = fn(*copies, **kwargs)
    for a, c in zip(args, copies, strict=True):
        np.testing.assert_array_equal(a, c)  # the staged code must not write into its inputs
    return np.asarray(value, dtype=float)


def agree(got: np.ndarray, want: np.ndarray) -> bool:
    if got.shape != want.shape:
        return False
    same_inf = np.isinf(want) & (got == want)
    close = np.isclose(got, want, rtol=1e-7, atol=1e-9)
    return bool(np.all(same_inf | close))


def item(task_id: str) -> dict:
    return next(i for i in IMPLEMENT if i["id"] == task_id)


def test_every_task_of_the_issue_is_staged_once_with_its_function_name():
    assert {i["id"]: i["function"] for i in IMPLEMENT} == TASK_IDS
    assert set(TASK_IDS.values()) == set(REFERENCES)


def test_staged_items_fit_todays_implement_schema(tmp_path):
    # The loader does not know params/rules/plot yet; everything else must parse as is.
    stripped = [{k: v for k, v in i.items() if k not in ("params", "rules", "plot")} for i in IMPLEMENT]
    path = tmp_path / "implement.yaml"
    path.write_text(yaml.safe_dump({"items": stripped}, allow_unicode=True), encoding="utf-8")
    errors: list = []
    parsed = parse_file(path, errors)
    assert [str(e) for e in errors] == []
    assert len(parsed) == len(IMPLEMENT)


@pytest.mark.parametrize("task_id", sorted(TASK_IDS))
def test_staged_item_has_hints_params_rules_plot_and_known_codes(task_id):
    it = item(task_id)
    assert len(it["hints"]) >= 3
    assert len(it["mutants"]) >= 3
    for m in it["mutants"]:
        assert m["diagnosis"] in CODES, (task_id, m["name"])
        assert f"def {it['function']}(" in m["code"]
    assert len({m["name"] for m in it["mutants"]}) == len(it["mutants"])
    assert it["rules"] and all(set(r) == {"id", "text"} for r in it["rules"])
    assert len({r["id"] for r in it["rules"]}) == len(it["rules"])
    for p in it["params"]:
        assert set(p) == {"name", "default", "domain"}
        assert p["name"] in it["starter"] and p["name"] in it["solution"]
    assert set(it["plot"]) == {"axis", "call", "variants", "note"}
    # the staged hyperparameter defaults are the reference's
    import inspect

    sig = inspect.signature(REFERENCES[it["function"]]).parameters
    assert {p["name"]: p["default"] for p in it["params"]} == {
        k: v.default for k, v in sig.items() if v.default is not inspect.Parameter.empty
    }


@pytest.mark.parametrize("task_id", sorted(TASK_IDS))
def test_staged_solution_equals_the_reference(task_id):
    it = item(task_id)
    name = it["function"]
    solution = load_function(it["solution"], name)
    reference = REFERENCES[name]
    for case in cases(name):
        got, want = run(solution, case), run(reference, case)
        assert agree(got, want), (task_id, case[1], got, want)


@pytest.mark.parametrize(
    ("task_id", "mutant"),
    [(i["id"], m["name"]) for i in IMPLEMENT for m in i["mutants"]],
)
def test_each_staged_mutant_differs_from_the_reference(task_id, mutant):
    it = item(task_id)
    name = it["function"]
    code = next(m["code"] for m in it["mutants"] if m["name"] == mutant)
    fn = load_function(code, name)
    reference = REFERENCES[name]
    for case in cases(name):
        want = run(reference, case)
        try:
            got = run(fn, case)
        except Exception:
            return  # raising where the reference returns is a difference
        if not agree(got, want):
            return
    pytest.fail(f"mutant {mutant!r} of {task_id} agrees with the reference on every case")


@pytest.mark.parametrize("task_id", sorted(TASK_IDS))
def test_plot_slice_gives_finite_values_over_its_axis(task_id):
    it = item(task_id)
    plot = it["plot"]
    axis = plot["axis"]
    namespace = {**REFERENCES, "log": math.log, "exp": math.exp, "array": np.array}
    for variant in plot["variants"]:
        values = []
        for x in np.linspace(axis["lo"], axis["hi"], 41):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                v = eval(plot["call"], {"__builtins__": {}}, {**namespace, **variant["values"], "x": float(x)})  # noqa: S307
            values.append(float(v))
        assert all(math.isfinite(v) for v in values), (task_id, variant["label"])
        assert max(values) - min(values) >= 0.0


def test_dpo_slice_falls_with_the_margin_and_ppo_slice_is_flat_where_clipped():
    dpo = item("dpo")["plot"]
    xs = np.linspace(dpo["axis"]["lo"], dpo["axis"]["hi"], 41)
    ys = [REFERENCES["dpo_loss"]([x], [0.0], [0.0], [0.0], beta=0.1) for x in xs]
    assert all(a > b for a, b in zip(ys, ys[1:], strict=False))
    assert REFERENCES["dpo_loss"]([0.0], [0.0], [0.0], [0.0]) == pytest.approx(math.log(2))
    objective = lambda r, a: -REFERENCES["ppo_clip_loss"]([math.log(r)], [0.0], [a])  # noqa: E731
    assert objective(1.5, 1.0) == pytest.approx(objective(1.9, 1.0)) == pytest.approx(1.2)
    assert objective(0.3, -1.0) == pytest.approx(objective(0.6, -1.0)) == pytest.approx(-0.8)
    assert objective(1.9, -1.0) < objective(1.5, -1.0) < -1.2


def test_the_debriefs_say_what_the_issue_asks():
    assert "nan" in item("masked-ce")["debrief"]
    grpo = item("grpo-adv")["debrief"]
    assert "ddof" in grpo and "1e-4" in grpo and "1e-6" in grpo
    assert "easy_margin" in item("arcface")["debrief"]


# ----------------------------------------------------------------------------- bug hunts


def test_at_least_eight_bug_hunts_on_staged_tasks():
    assert len(BUGHUNTS) >= 8
    assert {h["task"] for h in BUGHUNTS} <= set(TASK_IDS)
    assert len({h["id"] for h in BUGHUNTS}) == len(BUGHUNTS)


def test_bug_hunts_fit_todays_bug_hunt_schema(tmp_path):
    path = tmp_path / "bughunt.yaml"
    path.write_text(yaml.safe_dump({"items": BUGHUNTS}, allow_unicode=True), encoding="utf-8")
    errors: list = []
    parse_file(path, errors)
    assert [str(e) for e in errors] == []


@pytest.mark.parametrize("hunt_id", [h["id"] for h in BUGHUNTS])
def test_bug_hunt_is_wrong_as_written_and_right_once_its_line_is_fixed(hunt_id):
    hunt = next(h for h in BUGHUNTS if h["id"] == hunt_id)
    name = TASK_IDS[hunt["task"]]
    lines = hunt["code"].rstrip("\n").split("\n")
    assert lines[hunt["bug_line"] - 1].strip() != hunt["fix"].strip()
    fixed = lines[: hunt["bug_line"] - 1] + hunt["fix"].rstrip("\n").split("\n") + lines[hunt["bug_line"]:]
    reference = REFERENCES[name]
    buggy_fn = load_function(hunt["code"], name)
    fixed_fn = load_function("\n".join(fixed) + "\n", name)
    differs = False
    for case in cases(name):
        want = run(reference, case)
        assert agree(run(fixed_fn, case), want), (hunt_id, case[1])
        try:
            differs = differs or not agree(run(buggy_fn, case), want)
        except Exception:
            differs = True
    assert differs, f"{hunt_id}: the buggy code agrees with the reference everywhere"


# ----------------------------------------------------------- numeric quiz items (issue 15)

# The numeric items of questions/quiz/llm*.yaml are written with primitives (the new
# references are not in the formula namespace until they are registered). Each must equal
# the reference it stands for.
NUMERIC_EQUIVALENTS = {
    "llm-num-masked-ce": lambda: language.masked_lm_cross_entropy(
        [[[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [5.0, 5.0, 5.0]]], [[0, 2, -100]]),
    "llm-num-kd": lambda: language.distillation_loss([[0.0, 0.0]], [[2.0, 0.0]], temperature=2.0),
    "llm-num-z-loss": lambda: language.z_loss([[0.0, 0.0, 0.0, 0.0]], weight=1.0),
    "llm-num-moe-balance": lambda: language.load_balancing_loss([[1.0, 0.0], [1.0, 0.0]]),
    "llm-num-dpo": lambda: preference.dpo_loss([-10.0], [-12.0], [-11.0], [-11.5], beta=0.1),
    "llm-num-ppo-positive": lambda: preference.ppo_clip_loss([math.log(1.5)], [0.0], [2.0]),
    "llm-num-ppo-negative": lambda: preference.ppo_clip_loss([math.log(1.5)], [0.0], [-1.0]),
    "llm-num-grpo": lambda: preference.grpo_advantages([[1.0, 0.0, 0.0, 0.0]])[0, 0],
    "lm-num-sgns": lambda: metric.sgns_loss([[1.0, 0.0]], [[2.0, 0.0]], [[[1.0, 0.0], [-1.0, 0.0]]]),
    "lm-num-tversky": lambda: segmentation.tversky_loss([1, 1, 0, 0], [0.9, 0.2, 0.5, 0.0]),
    "lm-num-ctc": lambda: sequence.ctc_loss(np.log(np.full((2, 2), 0.5)), [1]),
    "lm-num-listmle": lambda: listwise.listmle_loss([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]),
    "lm-num-gaussian-nll": lambda: probabilistic.gaussian_nll_loss([1.0], [0.0], [0.25]),
    "lm-num-vae-kl": lambda: probabilistic.gaussian_kl([[1.0, 0.0]], [[0.0, math.log(2.0)]]),
    "lm-num-gan-d": lambda: preference.gan_discriminator_loss([2.0], [1.0]),
}


def test_numeric_quiz_items_equal_the_references_they_stand_for():
    from lossdrill.bank.formula import evaluate

    root = Path(__file__).resolve().parents[1] / "questions" / "quiz"
    items = {
        i["id"]: i
        for f in sorted(root.glob("llm*.yaml"))
        for i in yaml.safe_load(f.read_text(encoding="utf-8"))["items"]
        if i["kind"] == "numeric"
    }
    assert set(items) == set(NUMERIC_EQUIVALENTS)
    for item_id, reference_value in NUMERIC_EQUIVALENTS.items():
        assert evaluate(items[item_id]["formula"]) == pytest.approx(float(reference_value()), rel=1e-12), item_id


# ------------------------------------------------------------------ staged recall items


RECALL = yaml.safe_load((STAGING / "quiz-recall-llm.yaml").read_text(encoding="utf-8"))["items"]


def test_staged_recall_items_fit_todays_schema_without_the_new_keys(tmp_path):
    stripped = []
    for i in RECALL:
        s = {k: v for k, v in i.items() if k != "examples"}
        s["key_points"] = [{k: v for k, v in p.items() if k != "contradicts"} for p in i["key_points"]]
        stripped.append(s)
    path = tmp_path / "recall.yaml"
    path.write_text(yaml.safe_dump({"items": stripped}, allow_unicode=True), encoding="utf-8")
    errors: list = []
    assert len(parse_file(path, errors)) == len(RECALL)
    assert [str(e) for e in errors] == []


@pytest.mark.parametrize("item_id", [i["id"] for i in RECALL])
def test_recall_examples_agree_with_todays_key_point_grading(item_id):
    import re

    from lossdrill.bank.schema import KeyPoint
    from lossdrill.quiz.grading import grade_recall

    it = next(i for i in RECALL if i["id"] == item_id)
    points = tuple(KeyPoint(p["point"], tuple(p["patterns"])) for p in it["key_points"])
    contradictions = [c for p in it["key_points"] for c in p.get("contradicts", ())]
    assert len(it["examples"]["accept"]) >= 3 and len(it["examples"]["reject"]) >= 3
    for answer in it["examples"]["accept"]:
        assert grade_recall(answer, points, it["min_points"]).correct, (item_id, answer)
        assert not any(re.search(c, answer, re.IGNORECASE) for c in contradictions), answer
    for answer in it["examples"]["reject"]:
        passes = grade_recall(answer, points, it["min_points"]).correct
        contradicted = any(re.search(c, answer, re.IGNORECASE) for c in contradictions)
        assert not passes or contradicted, (item_id, answer)
