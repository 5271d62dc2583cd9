"""``lossdrill today`` (and bare ``lossdrill``): today's plan in one screen; ``--go`` runs it.

With ``--go`` each step runs the drill's own command, one after the other, in this
terminal: flashcards, the planned quiz items, one re-implementation from a blank starter,
a mock interview. Each drill runs as a child process of the same terminal, so Ctrl-C
reaches it exactly as when it is run alone (its answers are saved, its summary shown);
this process notes the Ctrl-C, stops, says what was done, and exits 130.
"""

from __future__ import annotations

import signal
from typing import Any

from rich.console import Console
from rich.markup import escape

from lossdrill.commands.preamble import banks_with_warnings
from lossdrill.schedule import clock, state
from lossdrill.schedule.choose import blank_file
from lossdrill.schedule.next_step import next_command, step_command
from lossdrill.schedule.planner import Plan, new_stop_day
from lossdrill.ui.console import make_console

PHASES = {
    "open": "no interview date set",
    "build": "building: new material and reviews",
    "review": "review only: no new material before the interview",
    "final": "final days: reviews and a mock interview",
}
LABELS = {
    "due": "due",
    "misconception": "repairs a misconception",
    "deadline": "for the day",
    "new": "new",
}


def run(go: bool, banks: list[str], home: str | None) -> int:
    console = make_console()
    err = make_console(stderr=True)
    bank = banks_with_warnings(banks, err)
    from lossdrill.store import open_store

    store = open_store(home)
    if store.notice:
        err.print(f"[yellow]{escape(store.notice)}[/]", soft_wrap=True)
    try:
        engine = state.gather(store, bank, clock.now())
    finally:
        store.close()
    plan = state.plan_for(engine)
    blank = blank_file(home, plan)
    render(console, plan, blank, bank)
    if not go:
        return 0
    return _go(console, plan, blank, banks, home)


def render(console: Console, plan: Plan, blank: str | None, bank: Any = None) -> None:
    s = plan.settings
    head = f"[bold]Today[/] · {plan.today:%a %d %b %Y}"
    if plan.days_left is not None and s.interview is not None:
        head += f" · interview in {plan.days_left} day{'s' if plan.days_left != 1 else ''}"
        head += f" ({s.interview:%a %d %b})"
    console.print(head, highlight=False)
    console.print(
        f"{PHASES[plan.phase]} · {plan.minutes:.0f} of {s.minutes} minutes planned"
        f" · {plan.due_total} item{'s' if plan.due_total != 1 else ''} due",
        highlight=False,
    )
    if plan.phase == "build" and s.interview is not None:
        console.print(
            f"new material stops on {new_stop_day(s.interview):%a %d %b}", highlight=False
        )
    console.print()
    if not plan.steps:
        console.print("Nothing is due and nothing new fits today.")
    for n, step in enumerate(plan.steps, 1):
        console.print(
            f"{n}. [bold]{step.drill:<10}[/] ~{step.minutes:.0f} min  "
            f"{escape(_describe(step, blank, bank))}",
            highlight=False,
        )
        console.print(
            f"   {escape(step_command(plan, step.drill, blank))}",
            style="dim",
            highlight=False,
            soft_wrap=True,
        )
    if plan.misconceptions:
        names = ", ".join(_misconception_name(m) for m, _ in plan.misconceptions[:4])
        console.print(f"\nMisconceptions to repair: {escape(names)}", highlight=False)
    if s.interview is None:
        console.print(
            "\nSet your interview date: lossdrill plan --interview YYYY-MM-DD [--minutes N]",
            highlight=False,
        )
    console.print()
    console.print(
        f"Next: {escape(next_command(plan, blank_file=blank))}", highlight=False, soft_wrap=True
    )
    if len(plan.steps) > 1:
        console.print("(or run the whole plan: lossdrill today --go)", style="dim")


def _describe(step: Any, blank: str | None, bank: Any) -> str:
    if step.drill == "interview":
        return "a timed mock interview on your weakest loss"
    if step.drill == "implement":
        pick = step.picks[0]
        task = pick.candidate.item_id
        if pick.candidate.memory is None:
            return f"{task}: implement it for the first time"
        return f"{task}: re-implement from a blank starter, timed (target 10 min)"
    counts: dict[str, int] = {}
    for p in step.picks:
        counts[p.reason] = counts.get(p.reason, 0) + 1
    what = "card" if step.drill == "flashcards" else "question"
    total = len(step.picks)
    parts = ", ".join(f"{n} {LABELS[r]}" for r, n in sorted(counts.items()))
    return f"{total} {what}{'s' if total != 1 else ''} ({parts})"


def _misconception_name(mid: str) -> str:
    from lossdrill.schedule.misconceptions import load

    m = load().get(mid)
    return m.name if m else mid


class _Interrupted:
    """SIGINT in the parent while a drill runs in a child: remembered, not raised (the drill,
    in the same process group, gets the same Ctrl-C and ends, saving and summarising)."""

    def __init__(self) -> None:
        self.hit = False

    def __call__(self, signum: int, frame: object) -> None:
        self.hit = True


def _go(console: Console, plan: Plan, blank: str | None, banks: list[str], home: str | None) -> int:
    interrupted = _Interrupted()
    previous = signal.signal(signal.SIGINT, interrupted)
    done: list[str] = []
    try:
        for step in plan.steps:
            console.rule(f"{step.drill} · ~{step.minutes:.0f} min")
            code = _run_step(step, blank, banks, home)
            if interrupted.hit or code == 130:
                interrupted.hit = True
                break
            done.append(step.drill)
    finally:
        signal.signal(signal.SIGINT, previous)
    console.rule("today")
    left = [s.drill for s in plan.steps if s.drill not in done]
    console.print(
        f"Done: {', '.join(done) or 'nothing yet'}"
        + (f" · left: {', '.join(left)}" if left else ""),
        highlight=False,
    )
    console.print("Your answers are saved." if interrupted.hit else "Today's plan is done.")
    from lossdrill.schedule.choose import next_line

    console.print(
        f"Next: {escape(next_line(home, banks) if left else 'lossdrill progress')}",
        highlight=False,
        soft_wrap=True,
    )
    return 130 if interrupted.hit else 0


def step_args(step: Any, blank: str | None, banks: list[str], home: str | None) -> list[str]:
    """The drill's command line for one step of the plan."""
    common = [a for b in banks for a in ("--bank", b)] + (["--home", home] if home else [])
    if step.drill == "flashcards":
        new = sum(1 for p in step.picks if p.candidate.memory is None)
        return ["flashcards", "--new", str(new), *common]
    if step.drill == "quiz":
        items = [a for i in step.item_ids for a in ("--item", i)]
        return ["quiz", "-n", str(len(step.picks)), *items, *common]
    if step.drill == "implement":
        return ["implement", step.item_ids[0], *(["--file", blank] if blank else []), *common]
    return ["interview", *common]


def _run_step(step: Any, blank: str | None, banks: list[str], home: str | None) -> int:
    """Run one drill as its own command in this terminal (so Ctrl-C reaches it as usual)."""
    import subprocess
    import sys

    return subprocess.call(
        [sys.executable, "-m", "lossdrill", *step_args(step, blank, banks, home)]
    )
