"""The checker's cases: every group a task needs, valid inputs, reproducible from the seed."""

from __future__ import annotations

import numpy as np
import pytest
from task_functions import DESIGN_TASKS, ISSUE5_TASKS

from lossdrill.checker.tasks import TASKS

IDS = sorted(TASKS)


def test_every_task_of_the_design_and_issue_5_with_its_function_name():
    # every task of the design and of issue 5 is there with its function name; tasks added
    # since are covered by the cross-registry test (tests/test_task_records.py)
    named = {t: s.function for t, s in TASKS.items()}
    assert {t: named.get(t) for t in {**DESIGN_TASKS, **ISSUE5_TASKS}} == {
        **DESIGN_TASKS,
        **ISSUE5_TASKS,
    }


def test_hyperparameter_defaults_are_the_contracts():
    assert TASKS["huber"].defaults == {"delta": 1.0}
    assert TASKS["quantile"].defaults == {"q": 0.5}
    assert TASKS["focal"].defaults == {"alpha": 0.25, "gamma": 2.0}
    assert TASKS["hinge"].defaults == {"margin": 1.0}
    assert TASKS["cosine-embedding"].defaults == {"margin": 0.0}
    assert TASKS["infonce"].defaults == {"temperature": 0.1}
    assert TASKS["clip"].defaults == {"temperature": 0.07}
    assert TASKS["nt-xent"].defaults == {"temperature": 0.5}
    assert TASKS["smooth-ce"].defaults == {"epsilon": 0.1}
    assert TASKS["weighted-bce"].defaults == {"pos_weight": 1.0}
    assert TASKS["focal"].signature() == "focal_loss(y_true, logits, alpha=0.25, gamma=2.0)"


@pytest.mark.parametrize("task", IDS)
def test_groups_sizes_and_named_edge_cases(task):
    spec = TASKS[task]
    cases = spec.cases()
    groups = {c.group for c in cases}
    assert {"edge", "dtypes", "random"} <= groups
    assert sum(c.group == "random" for c in cases) >= 200
    names = {c.name for c in cases}
    assert {"batch of one", "empty batch"} <= names
    assert any(c.float32() for c in cases)
    empty = next(c for c in cases if c.name == "empty batch")
    assert empty.is_empty
    # every hyperparameter's every alternative value is tried on its own
    for p in spec.params:
        for value in p.alternatives:
            assert any(c.group == "params" and c.kwargs == {p.name: value} for c in cases)
    # the random cases vary in size
    sizes = {np.shape(c.args[0])[0] for c in cases if c.group == "random" and np.ndim(c.args[0])}
    assert len(sizes) >= 5


@pytest.mark.parametrize("task", ["bce", "focal", "weighted-bce", "bce-grad"])
def test_binary_tasks_have_the_extreme_logits(task):
    cases = [c for c in TASKS[task].cases() if c.group == "stability"]
    magnitudes = {float(np.max(np.abs(c.args[1]))) for c in cases}
    assert {50.0, 800.0, 1e4} <= magnitudes
    f32 = [c for c in cases if c.float32()]
    assert f32 and np.any(np.abs(f32[0].args[1]) >= 88.7)


@pytest.mark.parametrize("task", IDS)
def test_inputs_honour_the_contract(task):
    spec = TASKS[task]
    for c in spec.cases():
        for value, kind in zip(c.args, spec.family.kinds, strict=True):
            a = np.asarray(value)
            if kind == "binary":
                assert set(np.unique(a)) <= {0, 1}, c.name
            elif kind == "pm1":
                assert set(np.unique(a)) <= {-1, 1}, c.name
            elif kind == "onehot" and a.size:
                assert np.all(a.sum(axis=-1) == 1) and set(np.unique(a)) <= {0, 1}, c.name
            elif kind == "label":
                assert a.dtype.kind == "i", c.name
                if spec.family.valid is None:  # labels index the classes of the scores
                    assert np.all(a >= 0) and np.all(a < np.asarray(c.args[1]).shape[-1]), c.name
            elif kind == "dist" and a.size:
                assert np.allclose(a.sum(axis=-1), 1.0), c.name
                assert np.all(a >= 0), c.name
            elif kind == "count":
                assert np.all(a >= 0) and np.all(a == np.round(a)), c.name
        if spec.id == "kl":  # the contract: q > 0 wherever p > 0 (both may be 0 together)
            p, q = (np.asarray(a) for a in c.args)
            assert np.all(q[p > 0] > 0), c.name
        if spec.family.valid is not None:  # the family states where its labels point
            assert spec.family.valid(c.args, c.kwargs), c.name


def test_huber_boundary_and_kl_zero_probabilities_are_cases():
    huber = {c.name: c for c in TASKS["huber"].cases()}
    y, yhat = huber["errors exactly at ±delta"].args
    assert 1.0 in np.abs(yhat - y)
    kl = {c.name: c for c in TASKS["kl"].cases()}
    assert np.any(kl["zero probabilities in p"].args[0] == 0)


def test_integer_inputs_are_integer_arrays():
    case = next(c for c in TASKS["mse"].cases() if c.name == "integer inputs")
    assert all(np.asarray(a).dtype.kind == "i" for a in case.args)


def test_seed_reproduces_cases_and_another_seed_changes_them():
    spec = TASKS["focal"]

    def arrays(seed):
        return [np.concatenate([np.ravel(a) for a in c.args]) for c in spec.cases(seed)]

    a, b, c = arrays(11), arrays(11), arrays(12)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c, strict=False) if x.shape == y.shape)
    assert spec.default_seed() == TASKS["focal"].default_seed()
    assert spec.default_seed() != TASKS["bce"].default_seed()
