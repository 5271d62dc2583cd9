"""Every mutant in the banks is caught and named with its diagnosis code; every solution passes.

Parametrised over whatever ``load_banks()`` holds when the suite runs, so a new task or a
new mutant is covered without touching this file.
"""

from __future__ import annotations

import re

import pytest

from lossdrill.bank.loader import load_banks
from lossdrill.checker.codes import CODES
from lossdrill.checker.engine import run_check
from lossdrill.checker.sandbox import Sandbox
from lossdrill.checker.tasks import TASKS

BANK = load_banks()
TASK_ITEMS = BANK.tasks()
MUTANTS = [(item, mutant) for item in TASK_ITEMS for mutant in item.mutants]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


def test_banks_hold_implement_tasks_with_mutants():
    assert TASK_ITEMS, "no implement tasks in the banks"
    assert MUTANTS, "no mutants in the banks"


@pytest.mark.parametrize("item", TASK_ITEMS, ids=[i.id for i in TASK_ITEMS])
def test_every_bank_task_has_a_checker_spec_with_the_same_function(item):
    spec = TASKS.get(item.id)
    assert spec is not None, f"no checker spec for task {item.id}"
    assert spec.function == item.function


@pytest.mark.parametrize("item", TASK_ITEMS, ids=[i.id for i in TASK_ITEMS])
def test_bank_solution_passes(sandbox, item):
    result = run_check(item.id, item.solution, bank=BANK, sandbox=sandbox, sweep=False)
    assert result.passed, (result.codes, result.first_failure)


@pytest.mark.parametrize(("item", "mutant"), MUTANTS, ids=[f"{i.id}:{m.name}" for i, m in MUTANTS])
def test_mutant_is_caught_and_named(sandbox, item, mutant):
    assert mutant.diagnosis in CODES, f"{mutant.diagnosis!r} is not in the diagnosis vocabulary"
    result = run_check(item.id, mutant.code, bank=BANK, sandbox=sandbox, sweep=False)
    assert not result.passed
    assert mutant.diagnosis in result.codes, [(d.code, d.message) for d in result.diagnoses]
    assert result.first_failure is not None
    assert all(d.message for d in result.diagnoses)


@pytest.mark.parametrize("item", TASK_ITEMS, ids=[i.id for i in TASK_ITEMS])
def test_contract_states_the_tolerances_the_checker_grades_with(item):
    spec = TASKS[item.id]
    text = " ".join(item.contract.split())
    assert "Tolerance:" in text, "the contract must state the tolerance"
    stated = {float(x) for x in re.findall(r"\d+(?:\.\d+)?e-\d+", text.split("Tolerance:", 1)[1])}
    graded = {spec.tol64.rtol, spec.tol64.atol, spec.tol32.rtol, spec.tol32.atol}
    assert graded <= stated, f"graded with {sorted(graded)}, the contract states {sorted(stated)}"
