"""The mutation audit, per framework track: each mistake of the framework catalogue
(lossdrill/checker/mistakes.py, ``FRAMEWORK_CATALOGUE``), made on a task's PyTorch or JAX
solution, fails the check on that track and is named with a fitting code.

A check on a framework track costs a worker call per case and, for JAX, an XLA compilation
per input shape (seconds per mutant), so the suite runs a fixed sample, the same on every
run: PyTorch, every mistake on at least :data:`PER_MISTAKE` tasks and every task under at
least one mistake; JAX, every mistake on the :data:`PER_MISTAKE` tasks with the fewest
input shapes it applies to. The whole catalogue on every task is
``python benchmarks/bench_mutation_audit.py --framework torch`` (or ``jax``).
"""

from __future__ import annotations

import pytest
from conftest import framework_module

from lossdrill.bank.tasks import builtin_tasks
from lossdrill.checker.codes import CODES
from lossdrill.checker.engine import run_check
from lossdrill.checker.mistakes import FRAMEWORK_CATALOGUE, GenericMutant, mutants_of
from lossdrill.checker.sandbox import Sandbox
from lossdrill.checker.tasks import TASKS

RECORDS = builtin_tasks()
STRIDE = {"torch": 4, "jax": 8}
"""Mistake j is made on the tasks whose index i (in id order) has (i + j) % stride == 0."""
PER_MISTAKE = 3


def _all(framework: str) -> list[GenericMutant]:
    out = []
    for task in sorted(RECORDS):
        record = RECORDS[task].record
        track = record.tracks.get(framework) if record is not None else None
        assert track is not None, f"{task} has no {framework} track"
        out += mutants_of(TASKS[task], track.solution, framework)
    return out


def _shapes(task: str) -> int:
    """How many XLA compilations a JAX check of ``task`` needs (its distinct signatures)."""
    from lossdrill.checker.frameworks.check import _signature, track_cases, track_of

    spec = TASKS[task]
    cases = spec.cases(spec.default_seed())
    kept, _ = track_cases(track_of(spec, "jax"), cases, [None] * len(cases))
    return len({_signature(c) for c in kept})


def _sample(framework: str, mutants: list[GenericMutant]) -> list[GenericMutant]:
    if framework == "jax":
        cost = {task: _shapes(task) for task in RECORDS}
        chosen = []
        for mistake in FRAMEWORK_CATALOGUE[framework]:
            made = sorted(
                (m for m in mutants if m.mistake == mistake), key=lambda m: (cost[m.task], m.task)
            )
            chosen += made[:PER_MISTAKE]
        return chosen
    tasks = sorted(RECORDS)
    mistakes = list(FRAMEWORK_CATALOGUE[framework])
    stride = STRIDE[framework]
    chosen = [m for m in mutants if (tasks.index(m.task) + mistakes.index(m.mistake)) % stride == 0]
    for mistake in mistakes:  # at least PER_MISTAKE tasks each
        have = [m for m in chosen if m.mistake == mistake]
        more = [m for m in mutants if m.mistake == mistake and m not in chosen]
        chosen += more[: max(0, PER_MISTAKE - len(have))]
    for task in tasks:  # every task under at least one mistake
        if not any(m.task == task for m in chosen):
            chosen.append(next(m for m in mutants if m.task == task))
    return chosen


ALL = {framework: _all(framework) for framework in FRAMEWORK_CATALOGUE}
SAMPLE = [(fw, m) for fw in FRAMEWORK_CATALOGUE for m in _sample(fw, ALL[fw])]


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_CATALOGUE))
def test_every_framework_mistake_applies_somewhere_and_names_known_codes(framework: str) -> None:
    made = {m.mistake for m in ALL[framework]}
    assert made == set(FRAMEWORK_CATALOGUE[framework])
    for _, fitting in FRAMEWORK_CATALOGUE[framework].values():
        assert fitting <= set(CODES), fitting


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_CATALOGUE))
def test_the_sample_covers_every_task_and_every_mistake(framework: str) -> None:
    sample = [m for fw, m in SAMPLE if fw == framework]
    if framework == "torch":
        assert {m.task for m in sample} == set(RECORDS)
    for mistake in FRAMEWORK_CATALOGUE[framework]:
        made_on = {m.task for m in ALL[framework] if m.mistake == mistake}
        sampled = {m.task for m in sample if m.mistake == mistake}
        assert len(sampled) >= min(PER_MISTAKE, len(made_on)), mistake


def test_framework_mistakes_reach_the_graph_and_the_gradient() -> None:
    """The framework-only mistakes apply to every task (a loss-only one to every loss)."""
    for framework, names in (
        ("torch", ("detach", "rewrapped", "float64-result", "cpu-tensor", "in-place-input")),
        ("jax", ("numpy-round-trip", "python-branch", "float64-result", "nan-backward")),
    ):
        for name in names:
            assert {m.task for m in ALL[framework] if m.mistake == name} == set(RECORDS), name


@pytest.fixture(scope="module")
def boxes():
    from lossdrill.checker.frameworks import sandbox_options

    started: dict[str, Sandbox] = {}

    def box(framework: str) -> Sandbox:
        if framework not in started:
            framework_module(framework)
            started[framework] = Sandbox(**sandbox_options(framework))
            started[framework].start()
        return started[framework]

    yield box
    for sandbox in started.values():
        sandbox.close()


@pytest.mark.parametrize(
    ("framework", "mutant"), SAMPLE, ids=[f"{fw}:{m.task}:{m.name}" for fw, m in SAMPLE]
)
def test_framework_mistake_is_killed_and_named(boxes, framework: str, mutant) -> None:
    result = run_check(
        mutant.task, mutant.code, sandbox=boxes(framework), framework=framework, sweep=False
    )
    assert not result.passed, f"{mutant.name} passes {mutant.task} on {framework}"
    assert mutant.fitting & set(result.codes), [(d.code, d.message) for d in result.diagnoses]
