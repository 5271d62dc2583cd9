"""Which implement task comes next, when the learner does not name one.

``lossdrill implement`` without a task, and ``n`` after a pass in watch mode, take the
plan's re-implementation when today's plan has one (the learning engine's choice), else
the first task in the banks' order that has not passed yet, as rustlings does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NextTask:
    task: str
    why: str
    """``"today's plan"`` or ``"not passed yet"``."""


def first_not_passed(
    tasks: Sequence[str], passed: Collection[str], exclude: Collection[str] = ()
) -> str | None:
    """The first of ``tasks`` (in order) neither passed nor excluded."""
    return next((t for t in tasks if t not in passed and t not in exclude), None)


def next_task(
    home: str | None, banks: Sequence[str], exclude: Collection[str] = ()
) -> NextTask | None:
    """The task to start next (None when every task passed and the plan has none)."""
    from lossdrill.bank.loader import load_banks
    from lossdrill.checker.tasks import TASKS
    from lossdrill.schedule import clock, state
    from lossdrill.store import open_store, queries

    bank = load_banks(list(banks))
    tasks = [item.id for item in bank.tasks() if item.id in TASKS]
    store = open_store(home)
    try:
        passed = {task for task, ok in queries.task_passed(store).items() if ok}
        try:
            step = state.plan_for(state.gather(store, bank, clock.now())).step("implement")
        except Exception:  # noqa: BLE001 - the plan is a preference; the list still works
            step = None
    finally:
        store.close()
    if step is not None:
        planned = step.picks[0].candidate.item_id
        if planned in TASKS and planned not in exclude:
            return NextTask(planned, "today's plan")
    task = first_not_passed(tasks, passed, exclude)
    return NextTask(task, "not passed yet") if task else None
