"""Every task's framework solutions pass the checker, with their gradients; every task has a
track in each framework; the starters, hints and forbidden lists are well formed.

LOSSDRILL_TEST_DEVICE=cuda (benchmarks/check_cuda.sh, on a CUDA machine) checks the torch
solutions with --device cuda too.
"""

from __future__ import annotations

import os

import pytest
from conftest import framework_module

from lossdrill.bank.tasks import builtin_tasks
from lossdrill.checker.engine import run_check
from lossdrill.checker.sandbox import Sandbox

TASKS = builtin_tasks()


def test_every_task_has_a_track_per_framework_with_the_same_function() -> None:
    missing = []
    for tid, item in TASKS.items():
        assert item.record is not None and item.record.differentiable, tid
        for framework in ("torch", "jax"):
            text = item.record.tracks.get(framework)
            if text is None:
                missing.append(f"{tid}:{framework}")
                continue
            assert f"def {item.function}(" in text.solution, (tid, framework)
            assert len(text.hints) >= 3 and text.debrief.strip(), (tid, framework)
            assert f"import {framework}" in text.solution, (tid, framework)
    assert missing == []


@pytest.fixture(scope="module", params=["torch", "jax"])
def box(request):
    from lossdrill.checker.frameworks import sandbox_options

    framework_module(request.param)
    sandbox = Sandbox(**sandbox_options(request.param))
    sandbox.start()
    yield request.param, sandbox
    sandbox.close()


@pytest.mark.parametrize("task", sorted(TASKS))
def test_framework_solution_passes(box, task: str) -> None:
    framework, sandbox = box
    text = TASKS[task].record.tracks.get(framework)
    assert text is not None, f"{task} has no {framework} track"
    device = os.environ.get("LOSSDRILL_TEST_DEVICE", "cpu") if framework == "torch" else "cpu"
    result = run_check(
        task, text.solution, sandbox=sandbox, framework=framework, device=device, sweep=False
    )
    assert result.passed, (task, framework, result.diagnoses, result.first_failure)
    groups = {g.name: g for g in result.groups}
    assert groups["gradients"].total >= 1, "the gradient was not checked"


def _framework_hunts() -> list:
    from lossdrill.bank.loader import load_banks

    return [h for h in load_banks().bug_hunts() if h.framework != "numpy"]


HUNTS = _framework_hunts()


def test_at_least_eight_framework_bug_hunts() -> None:
    assert len(HUNTS) >= 8
    assert {h.framework for h in HUNTS} == {"torch", "jax"}


@pytest.fixture(scope="module")
def boxes():
    """One sandbox per framework, started on first use."""
    from lossdrill.checker.frameworks import sandbox_options

    made: dict[str, Sandbox] = {}

    def get(framework: str) -> Sandbox:
        if framework not in made:
            framework_module(framework)
            made[framework] = Sandbox(**sandbox_options(framework))
            made[framework].start()
        return made[framework]

    yield get
    for sandbox in made.values():
        sandbox.close()


@pytest.mark.parametrize("hunt", HUNTS, ids=[f"{h.framework}-{h.id}" for h in HUNTS])
def test_framework_bug_hunt_fails_and_its_fix_passes(boxes, hunt) -> None:
    framework = hunt.framework
    sandbox = boxes(framework)
    buggy = run_check(
        hunt.task, hunt.code, sandbox=sandbox, framework=framework, sweep=False, forbid=False
    )
    assert not buggy.passed, hunt.id
    lines = hunt.code.rstrip("\n").splitlines()
    lines[hunt.bug_line - 1] = hunt.fix.rstrip("\n")
    fixed = run_check(
        hunt.task,
        "\n".join(lines) + "\n",
        sandbox=sandbox,
        framework=framework,
        sweep=False,
        forbid=False,
    )
    assert fixed.passed, (hunt.id, fixed.diagnoses)


def test_the_contract_on_a_track_speaks_of_tensors_not_numpy_values() -> None:
    """The NumPy contract says "Return a Python float, a NumPy scalar or a 0-d array": on a
    framework track that answer is graph-broken, so the panel must not say it."""
    from lossdrill.checker.frameworks.content import TENSOR, track_item

    for tid, item in TASKS.items():
        for framework in ("torch", "jax"):
            contract = track_item(item, framework, item.record.signature(item.function)).contract
            for numpy_only in ("Python float", "NumPy scalar", "may be int", "or lists"):
                assert numpy_only not in contract, (tid, framework, numpy_only)
            if "Return" in item.contract:
                assert TENSOR[framework] in contract, (tid, framework)
        assert track_item(item, "numpy", "") is item
