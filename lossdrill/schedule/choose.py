"""The engine's answers to the drills: which quiz items to ask, and the ``Next:`` command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lossdrill.bank.schema import Item
    from lossdrill.recording import Recorder


def quiz_items_for(
    recorder: Recorder,
    items: Sequence[Item],
    topics: Sequence[str],
    kinds: Sequence[str],
    count: int,
    item_ids: Sequence[str] | None = None,
    missed: bool = False,
) -> list[Item]:
    """The items of an unseeded quiz: ``item_ids`` as given (today's plan), the last
    session's misses (``--missed``), or the adaptive choice from the schedule."""
    from lossdrill.quiz.select import adaptive_items
    from lossdrill.schedule import clock
    from lossdrill.schedule.memory import Curve
    from lossdrill.store import schedule as unified

    by_id = {i.id: i for i in items}
    conn = getattr(recorder, "conn", None)
    if item_ids:
        return [by_id[i] for i in item_ids if i in by_id][:count]
    if missed:
        ids = unified.last_session_misses(conn) if conn is not None else []
        return [by_id[i] for i in ids if i in by_id][:count]
    if conn is None:  # no store: nothing is scheduled
        return adaptive_items(items, {}, clock.now(), topics=topics, kinds=kinds, count=count)
    memory = {(s.kind, s.item_id): s.memory for s in unified.all_scheduled(conn)}
    return adaptive_items(
        items,
        memory,
        clock.now(),
        topics=topics,
        kinds=kinds,
        count=count,
        curve=Curve.of(unified.scheduler_parameters(conn)),
    )


def next_line(home: str | None, banks: Sequence[str], after: str | None = None) -> str:
    """The one command to run next, from today's plan (``lossdrill today`` if it cannot be
    worked out)."""
    try:
        from lossdrill.bank.loader import load_banks
        from lossdrill.schedule import clock, state
        from lossdrill.schedule.next_step import next_command
        from lossdrill.store import open_store

        bank = load_banks(list(banks))
        store = open_store(home)
        try:
            engine = state.gather(store, bank, clock.now())
        finally:
            store.close()
        plan = state.plan_for(engine)
        return next_command(plan, after=after, blank_file=blank_file(home, plan))
    except Exception:  # the Next line is advice: never let it break a finished drill
        return "lossdrill today"


def blank_file(home: str | None, plan: object) -> str | None:
    """A fresh path for today's re-implementation, so the starter written there is blank."""
    step = plan.step("implement")  # type: ignore[attr-defined]
    if step is None or step.picks[0].candidate.memory is None:
        return None
    from lossdrill.paths import work_dir

    task = step.picks[0].candidate.item_id
    folder = work_dir(home)
    stamp = plan.today.strftime("%Y%m%d")  # type: ignore[attr-defined]
    path = folder / f"{task}-{stamp}.py"
    n = 2
    while path.exists():
        path = folder / f"{task}-{stamp}-{n}.py"
        n += 1
    return str(path)
