"""The ``Next:`` line every drill ends with: one real command, computed from the state."""

from __future__ import annotations

from lossdrill.schedule.planner import Plan


def next_command(plan: Plan, after: str | None = None, blank_file: str | None = None) -> str:
    """The command to run next: the first step of today's plan other than the drill just
    finished (``after``); ``lossdrill today`` when the plan is done; the quiz when the plan
    is empty."""
    for step in plan.steps:
        if step.drill != after:
            return step_command(plan, step.drill, blank_file)
    return "lossdrill today" if after else "lossdrill quiz"


def step_command(plan: Plan, drill: str, blank_file: str | None = None) -> str:
    """``blank_file``: a fresh path for a re-implementation (a blank starter is written there)."""
    step = plan.step(drill)
    if drill == "flashcards":
        new = sum(1 for p in step.picks if p.candidate.memory is None) if step else 0
        return "lossdrill flashcards" + (f" --new {new}" if new != 10 else "")
    if drill == "quiz":
        return f"lossdrill quiz -n {len(step.picks) if step else 10}"
    if drill == "implement" and step:
        task = step.picks[0].candidate.item_id
        return f"lossdrill implement {task}" + (f" --file {blank_file}" if blank_file else "")
    if drill == "interview":
        return "lossdrill interview"
    return "lossdrill today"
