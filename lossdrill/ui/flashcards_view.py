"""Showing flashcards, ratings and the session summary with rich."""

from __future__ import annotations

import time

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lossdrill.bank.schema import Card
from lossdrill.flashcards.session import Rated, SessionSummary
from lossdrill.ui.text import Prose, reflow

RATING_PROMPT = "1 Again · 2 Hard · 3 Good · 4 Easy > "
REVEAL_PROMPT = "answer, or Enter to reveal > "
KEYS_HELP = (
    "Type your answer and Enter (it is shown next to the back), or just Enter to reveal;"
    " then rate with one key, 1–4. u undoes the last rating, q stops."
)
RATING_STYLE = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}
RATING_NAME = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _in_units(seconds: int) -> tuple[str, float]:
    """A whole minute or more in the largest unit it reaches: ``("min" | "h" | "d" | "mo" |
    "y", amount)``, with a month of 30.44 days and a year of 365.25."""
    minutes = seconds / 60
    if minutes < 60:
        return "min", minutes
    hours = minutes / 60
    if hours < 24:
        return "h", hours
    days = hours / 24
    if days < 31:
        return "d", days
    months = days / 30.44
    if months < 12:
        return "mo", months
    return "y", days / 365.25


def interval_text(seconds: float) -> str:
    """A short human interval: 'now', '10 min', '3 h', '4 days', '2.5 months'."""
    seconds = round(seconds)  # as the rating line rounds it: the same card says the same
    if seconds < 60:
        return "now" if seconds <= 0 else "1 min"
    unit, amount = _in_units(seconds)
    if unit in ("mo", "y"):
        return f"{amount:.1f} {'months' if unit == 'mo' else 'years'}"
    n = round(amount)
    if unit == "d":
        return f"{n} day" if n == 1 else f"{n} days"
    return f"{n} {unit}"


def short_interval(seconds: float) -> str:
    """A rating button's interval, as Anki shows it: '<1m', '10m', '3h', '4d', '2.5mo', '1.2y'."""
    seconds = round(seconds)  # a due time read back from a datetime can be a hair short
    if seconds < 60:
        return "<1m"
    unit, amount = _in_units(seconds)
    if unit in ("mo", "y"):
        return f"{amount:.1f}{unit}"
    return f"{round(amount)}{unit[0]}"


def rating_prompt(intervals: dict[int, float] | None, can_undo: bool, width: int = 80) -> str:
    """``1 Again · <1m   2 Hard · 6m   3 Good · 10m   4 Easy · 8d   u undo > ``.

    ``intervals`` (seconds, from the scheduler) is None in cram mode. On a narrow
    terminal the same line without the spaces around the dots, so that it stays one line.
    """
    if intervals is None:
        parts = [f"{r} {RATING_NAME[r]}" for r in RATING_NAME]
        return " · ".join(parts + (["u undo"] if can_undo else [])) + " > "
    for dot, gap in ((" · ", "   "), ("·", "  ")):
        parts = [f"{r} {RATING_NAME[r]}{dot}{short_interval(intervals[r])}" for r in RATING_NAME]
        text = gap.join(parts + (["u undo"] if can_undo else [])) + " > "
        if len(text) < width:
            break
    return text


def show_header(console: Console, due: int, new: int, cram: bool, brought_forward: int = 0) -> None:
    if cram:
        console.print(f"[bold]Cram[/]: {due} cards, the schedule is not changed.")
        return
    extra = ""
    if brought_forward:
        extra = (
            f" {brought_forward} of them {'is' if brought_forward == 1 else 'are'} brought"
            " forward by a recent wrong answer or failed check."
        )
    console.print(f"[bold]Flashcards[/]: {due} due, {new} new.{extra}")


def show_front(console: Console, card: Card, n: int, brought_forward: bool = False) -> None:
    console.print()
    why = " · [yellow]after a recent mistake[/]" if brought_forward else ""
    console.print(
        Panel(Prose(card.front), title=f"#{n} · {card.topic}{why}", title_align="left")
    )  # no id on the front: many ids name the answer (fc-mae-laplace); the back shows it


def show_back(console: Console, card: Card, attempt: str = "") -> None:
    """The back of the card, with what the learner typed before revealing, if anything."""
    back = Prose(card.back)
    shown: RenderableType = back
    if attempt:
        mine = Text("you: ", style="bold cyan")
        mine.append(attempt, style="cyan")
        shown = Group(mine, back)
    console.print(
        Panel(
            shown,
            border_style="green",
            subtitle=f"[dim]{escape(card.id)}[/]",
            subtitle_align="right",
        )
    )


def keys_help(console: Console) -> None:
    console.print(f"[dim]{KEYS_HELP}[/]")


def show_undone(console: Console, card: Card) -> None:
    first = card.front.strip().splitlines()[0] if card.front.strip() else card.id
    console.print(f"[yellow]Undone[/]: the last rating ({escape(first)}) is taken back.")


def nothing_to_undo(console: Console) -> None:
    console.print("[yellow]Nothing to undo in this session.[/]")


def rating_help(console: Console) -> None:
    console.print(
        "[yellow]Rate with 1, 2, 3 or 4 (Again, Hard, Good, Easy); u to undo the last"
        " rating; q to stop.[/]"
    )


def show_rated(console: Console, rated: Rated, now: float) -> None:
    style = RATING_STYLE[rated.rating]
    name = RATING_NAME[rated.rating]
    if rated.due is None:
        console.print(f"[{style}]{name}[/] [dim](cram: schedule unchanged)[/]")
        return
    when = time.strftime("%a %d %b %H:%M", time.localtime(rated.due))
    console.print(f"[{style}]{name}[/] · next due in {interval_text(rated.due - now)} ({when})")


def show_nothing_due(
    console: Console,
    next_due: float | None,
    now: float,
    matched: int,
    new_waiting: int = 0,
    new_today: int = 0,
    new_per_day: int = 10,
) -> None:
    """Nothing to review: say why (quota used, all seen) and what can be done."""
    if matched == 0:
        console.print("No flashcards to review.")
        return
    when = "" if next_due is None else f" The next card is due in {interval_text(next_due - now)}."
    if new_waiting and new_per_day > 0:
        started = "1 new card" if new_today == 1 else f"{new_today} new cards"
        console.print(
            f"Nothing is due.{when} You started {started} today, the day's limit "
            f"(--new {new_per_day}); {new_waiting} more wait."
        )
        console.print(
            f"[dim]More today: `lossdrill flashcards --new {new_today + 10}`; "
            "or review anything with `--cram`.[/]"
        )
    elif new_waiting:
        console.print(f"Nothing is due.{when} {new_waiting} new cards wait; --new 0 shows none.")
        console.print("[dim]Try `lossdrill flashcards --new 10` or `--cram`.[/]")
    else:
        console.print(f"Nothing is due and every card has been seen.{when}")
        console.print("[dim]Review anything anyway with `lossdrill flashcards --cram`.[/]")


def show_summary(console: Console, summary: SessionSummary, now: float) -> None:
    console.print()
    if summary.reviewed == 0:
        console.print("[bold]Session over[/]: no card was rated.")
    else:
        parts = ", ".join(f"{n} {name}" for name, n in summary.ratings.items())
        new = f" ({summary.new} new)" if summary.new else ""
        cards = "1 card" if summary.reviewed == 1 else f"{summary.reviewed} cards"
        took = (
            f"{summary.seconds / 60:.1f} min"
            if summary.seconds >= 60
            else f"{summary.seconds:.0f} s"
        )
        console.print(f"[bold]Session over[/]: {cards}{new} in {took} — {parts}.")
    if summary.again:  # a wrapped front hangs under its own text, not under "again"
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="red", no_wrap=True)
        grid.add_column()
        for front in summary.again[:5]:
            first = reflow(front)[0].text if front.strip() else ""  # the first paragraph, whole
            grid.add_row("again", first)
        console.print(Padding(grid, (0, 0, 0, 2)))
    if summary.cram:
        console.print("[dim]Cram session: the schedule was not changed.[/]")
        return
    if summary.due_left:
        still = "1 card is" if summary.due_left == 1 else f"{summary.due_left} cards are"
        console.print(f"{still} still due.")
    if summary.next_due is not None and summary.next_due > now:
        console.print(f"Next card due in {interval_text(summary.next_due - now)}.")
