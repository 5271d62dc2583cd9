"""The built-in banks: valid, large enough, every formula computed, every topic covered."""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest
import task_functions
from drive import lossdrill_command

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import BugHuntItem, ImplementItem, NumericItem
from lossdrill.bank.tasks import task_ids as bank_task_ids

LECTURE_TOPICS = {
    "regression",
    "classification",
    "embeddings",
    "gradients",
    "stability",
    "information-theory",
    "production",
}
DESIGN_TASKS = {**task_functions.DESIGN_TASKS, **task_functions.ISSUE5_TASKS}
"""Every task of the design, then those beyond the lecture (issue 5)."""


@pytest.fixture(scope="module")
def bank():
    return load_banks(evaluate_formulas=True)


def test_builtin_banks_load_without_a_single_error(bank):
    assert [str(e) for e in bank.errors] == []


def test_quiz_volume_meets_the_floor(bank):
    kinds = Counter(item.kind for item in bank.quiz_items())
    assert sum(n for k, n in kinds.items() if k != "bug-hunt") >= 150
    assert kinds["scenario"] >= 10
    assert kinds["numeric"] >= 15
    assert kinds["bug-hunt"] >= 12
    assert len(bank.cards()) >= 100


def test_every_lecture_topic_has_at_least_ten_quiz_items(bank):
    topics = Counter(item.topic for item in bank.quiz_items())
    for topic in LECTURE_TOPICS:
        assert topics[topic] >= 10, topic


def test_every_task_has_an_implement_item_with_its_exact_function_name(bank):
    tasks = {item.id: item.function for item in bank.tasks()}
    # the design's tasks with their exact names; tasks added since are held to their records
    # by tests/test_task_records.py
    assert {t: tasks.get(t) for t in DESIGN_TASKS} == DESIGN_TASKS


def test_every_numeric_item_computes_a_finite_expected_value(bank):
    from lossdrill.bank.formula import evaluate

    numeric = [i for i in bank.items if isinstance(i, NumericItem)]
    for item in numeric:
        assert evaluate(item.formula) == evaluate(item.formula)  # finite and deterministic


def test_lecture_bce_example_is_taught_with_the_right_value(bank):
    # The lecture's example: y = [0, 1, 1, 0], z = [-2, 3, 1, -1]. By hand:
    # softplus(-2) + softplus(-3) + softplus(-1) + softplus(-1), over 4
    import math

    from lossdrill.bank.formula import evaluate

    by_hand = (
        math.log1p(math.exp(-2)) + math.log1p(math.exp(-3)) + 2 * math.log1p(math.exp(-1))
    ) / 4
    assert abs(by_hand - 0.2005) < 1e-4
    assert abs(evaluate("binary_ce_with_logits([0, 1, 1, 0], [-2, 3, 1, -1])") - by_hand) < 1e-12


def test_implement_items_have_three_hints_and_mutants_with_known_codes(bank):
    from lossdrill.checker.codes import CODES

    for item in bank.tasks():
        assert isinstance(item, ImplementItem)
        assert len(item.hints) >= 3, item.id
        assert item.mutants, item.id
        for m in item.mutants:
            assert m.diagnosis in CODES, (item.id, m.name, m.diagnosis)


def test_bug_hunt_fix_replaces_exactly_the_buggy_line(bank):
    for hunt in bank.bug_hunts():
        assert isinstance(hunt, BugHuntItem)
        lines = hunt.code.rstrip("\n").splitlines()
        assert lines[hunt.bug_line - 1].strip() != hunt.fix.strip(), hunt.id


def test_installed_command_ships_the_banks():
    proc = subprocess.run(
        [*lossdrill_command(), "list", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)["counts"]
    assert counts["by_kind"].get("implement", 0) == len(bank_task_ids())
    assert counts["total"] >= 150
