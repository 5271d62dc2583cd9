"""The mutation audit: each generic mistake of lossdrill/checker/mistakes.py, made on every
task's model solution where it applies, fails the check and is named with a fitting code.

Parametrised over the catalogue and the banks, so a new task or a new mistake is covered
without touching this file; ``benchmarks/bench_mutation_audit.py`` prints the tallies.
"""

from __future__ import annotations

import pytest

from lossdrill.bank.loader import load_banks
from lossdrill.checker.codes import CODES
from lossdrill.checker.engine import run_check
from lossdrill.checker.mistakes import CATALOGUE, mutants_of
from lossdrill.checker.sandbox import Sandbox
from lossdrill.checker.tasks import TASKS

BANK = load_banks()
MUTANTS = [m for item in BANK.tasks() for m in mutants_of(TASKS[item.id], item.solution)]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


def test_every_mistake_applies_somewhere_and_names_known_codes():
    made = {m.mistake for m in MUTANTS}
    assert made == set(CATALOGUE)
    for _, fitting in CATALOGUE.values():
        assert fitting <= set(CODES)


def test_the_catalogue_reaches_every_task_with_hyperparameters():
    for task, spec in TASKS.items():
        if spec.params:
            clamps = ("clamped-hyperparameter", "clamped-index")  # an index has its own clamp
            assert any(m.task == task and m.mistake in clamps for m in MUTANTS), task


@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m.task}:{m.name}" for m in MUTANTS])
def test_generic_mistake_is_killed_and_named(sandbox, mutant):
    result = run_check(mutant.task, mutant.code, bank=BANK, sandbox=sandbox, sweep=False)
    assert not result.passed, f"{mutant.name} passes {mutant.task}"
    assert mutant.fitting & set(result.codes), [(d.code, d.message) for d in result.diagnoses]
