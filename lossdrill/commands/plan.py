"""``lossdrill plan``: set the interview date and daily minutes; show the day's forecast."""

from __future__ import annotations

from datetime import date

from rich.markup import escape

from lossdrill.commands.preamble import banks_with_warnings
from lossdrill.schedule import clock, state
from lossdrill.schedule.planner import FINAL_DAYS, NEW_STOP_DAYS, new_stop_day
from lossdrill.ui.console import make_console

MAX_MINUTES = 600


def run(
    interview: str | None, minutes: int | None, clear: bool, banks: list[str], home: str | None
) -> int:
    console = make_console()
    err = make_console(stderr=True)
    today = clock.day_of(clock.now())
    when: date | None = None
    if interview is not None:
        try:
            when = date.fromisoformat(interview.strip())
        except ValueError:
            err.print(
                f"[red]error:[/] {escape(interview)!r} is not a date; write it as"
                " YYYY-MM-DD, e.g. --interview 2026-03-14"
            )
            return 2
        if when < today:
            err.print(f"[red]error:[/] {when} is in the past (today is {today})")
            return 2
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        err.print(f"[red]error:[/] --minutes must be between 1 and {MAX_MINUTES}")
        return 2
    bank = banks_with_warnings(banks, err)
    from lossdrill.store import open_store
    from lossdrill.store import plan as saved

    store = open_store(home)
    if store.notice:
        err.print(f"[yellow]{escape(store.notice)}[/]", soft_wrap=True)
    try:
        old = saved.plan_settings(store.conn)
        if interview is not None or minutes is not None or clear:
            new = saved.PlanSettings(
                None if clear else (when.isoformat() if when else old.interview_date),
                minutes if minutes is not None else old.minutes,
            )
            saved.set_plan_settings(store.conn, new)
        engine = state.gather(store, bank, clock.now())
    finally:
        store.close()
    s = engine.settings
    if s.interview is None:
        console.print(f"No interview date set · {s.minutes} minutes a day.")
        console.print("Set one: lossdrill plan --interview YYYY-MM-DD [--minutes N]")
        return 0
    days = (s.interview - today).days
    console.print(
        f"[bold]Interview[/] {s.interview:%a %d %b %Y} · in {days} day"
        f"{'s' if days != 1 else ''} · {s.minutes} minutes a day",
        highlight=False,
    )
    console.print(
        f"New material until {new_stop_day(s.interview):%a %d %b} (stops"
        f" {NEW_STOP_DAYS} days before); the last {FINAL_DAYS + 1} days are reviews"
        " and a mock interview; reviews are pulled in so recall is high on the day.",
        highlight=False,
    )
    fc = state.forecast_for(engine, bank)
    if fc is None:
        return 0
    from rich.table import Table

    table = Table(
        title="Forecast for the interview day (FSRS retrievability)", title_justify="left"
    )
    table.add_column("topic")
    table.add_column("practised", justify="right")
    table.add_column("P(recall)", justify="right")
    for t in fc.topics:
        table.add_row(t.topic, f"{t.practised}/{t.items}", f"{t.recall:.0%}")
    console.print(table)
    lines = Table(title="Readiness lines", title_justify="left")
    lines.add_column("line")
    lines.add_column("P(pass)", justify="right")
    for line in fc.lines:
        lines.add_row(escape(line.text), f"{line.probability:.0%}")
    console.print(lines)
    console.print("Next: lossdrill today", highlight=False)
    return 0
