"""Rich rendering of a mock interview: the plan, the step headers, check results without
hints, and the closing score sheet."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lossdrill.interview.plan import InterviewPlan, Step
from lossdrill.interview.rubric import MAX_POINTS, ScoreSheet
from lossdrill.ui.text import Prose

CHOSEN_BY = {
    "asked": "the loss you asked for",
    "weakest": "your weakest area in the progress store",
    "random": "a random loss (no progress recorded yet)",
}


def minutes_text(minutes: float) -> str:
    return f"{minutes:g} minute{'' if minutes == 1 else 's'}"


def clock(seconds: float) -> str:
    """``mm:ss`` (never negative)."""
    m, s = divmod(max(0, int(seconds)), 60)
    return f"{m:02d}:{s:02d}"


class Countdown:
    """The clock of a timed step at a terminal, ticking while the learner edits.

    The terminal's title shows the time left, updated every second (the prompt shows it
    too); when the time runs out, one line says so. The title is restored afterwards
    (xterm's title stack; other terminals ignore the codes). Does nothing when the
    console is not a terminal.
    """

    def __init__(self, console: Console, label: str, deadline: float) -> None:
        self.console = console
        self.label = label
        self.deadline = deadline
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Countdown:
        if self.console.is_terminal:
            self._write("\x1b[22;2t")  # push the current title
            self._thread = threading.Thread(
                target=self._tick, name="lossdrill-countdown", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=2)
            self._write("\x1b[23;2t")  # pop it back

    def _write(self, code: str) -> None:
        try:
            self.console.file.write(code)
            self.console.file.flush()
        except (OSError, ValueError):
            pass

    def _tick(self) -> None:
        while not self._stop.is_set():
            left = self.deadline - time.monotonic()
            self._write(f"\x1b]2;{self.label} · {clock(left)} left\x07")
            if left <= 0:
                self.console.print(
                    "\n[bold yellow]⏰ Time is up.[/] Press Enter for the final check."
                )
                return
            self._stop.wait(1.0)


def render_intro(console: Console, plan: InterviewPlan, function: str, reason: str = "") -> None:
    """The plan of the interview; ``reason`` is the evidence behind a choice of the weakest task."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_column(justify="right", style="dim")
    for n, step in enumerate(plan.steps, 1):
        table.add_row(str(n), f"{step.kind}: {step.title}", f"{step.minutes:g} min")
    body = Group(
        Text(
            f"Today's loss: {plan.task} ({function}) — {CHOSEN_BY.get(plan.chosen_by, plan.chosen_by)}"
            + (f": {reason}." if reason else ".")
        ),
        Text(
            f"About {minutes_text(plan.minutes)}. No hints. Ctrl-C ends the interview with the sheet so far."
        ),
        Text(""),
        table,
    )
    console.print(Panel(body, title="mock interview", title_align="left", border_style="magenta"))


def render_step(console: Console, n: int, total: int, step: Step, session_left: float) -> None:
    """The step's header: a rule with the step and the time left, wrapped below the rule
    when the terminal is too narrow to hold it in one line."""
    head = f"step {n}/{total} · {step.kind}: {step.title}"
    tail = f"· {clock(session_left)} left in the interview"
    if len(head) + len(tail) + 7 <= console.width:
        console.rule(f"[bold]{escape(head)}[/] [dim]{escape(tail)}[/]")
        return
    console.rule()
    console.print(Text.assemble((head, "bold"), " ", (tail, "dim")))


def task_statement(prompt: str) -> str:
    """The task as an interviewer states it: the first two paragraphs of the prompt (what to
    write and its formula), without the later paragraphs that teach the tricks."""
    paragraphs = [p for p in prompt.strip().split("\n\n") if p.strip()]
    return "\n\n".join(paragraphs[:2])


def render_interview_task(console: Console, spec: Any, item: Any | None, path: str) -> None:
    """The implement task without hints: statement, formula, contract, grading, targets."""
    from lossdrill.ui.implement_view import TARGET_LINES, TARGET_MINUTES, tolerance_line

    parts: list[Any] = [Text(spec.signature(), style="bold"), Text("")]
    parts.append(
        Prose(task_statement(item.prompt))
        if item is not None
        else Text(f"Write {spec.signature()}.")
    )
    if item is not None and item.contract.strip():
        parts += [Text("\nContract", style="bold"), Prose(item.contract.rstrip())]
    parts += [
        Text("\nGraded", style="bold"),
        Text(tolerance_line(spec.tol64, spec.tol32)),
        Text(f"Target: {TARGET_LINES[0]}–{TARGET_LINES[1]} lines, under {TARGET_MINUTES} minutes."),
    ]
    console.print(
        Panel(
            Group(*parts),
            title=escape(f"implement · {spec.id}"),
            title_align="left",
            border_style="cyan",
        )
    )
    console.print(f"Starter written to: [bold]{escape(path)}[/]")


def render_implement_help(console: Console, path: str, minutes: float) -> None:
    console.print(
        f"Edit [bold]{escape(path)}[/] in your editor. You have [bold]{minutes_text(minutes)}[/].\n"
        "At the prompt: [bold]c[/] checks the file · [bold]q[/] gives up · "
        "[bold]file PATH[/] checks another file · Enter shows the time left."
    )


RUN_FACTS = ("syntax-error", "missing-function")
"""Diagnoses shown at once at an interview check: the code could not be run at all."""


def render_check(console: Console, result: Any, lines: int) -> None:
    """What an interviewer's test run shows: which groups fail and the first failing case.

    No diagnosis and no hint: those wait for the score sheet.
    """
    from lossdrill.ui.implement_view import render_failure

    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column("group")
    table.add_column("cases", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("")
    for g in result.groups:
        table.add_row(
            g.name, str(g.total), str(g.failed), "[green]✓[/]" if g.passed else "[red]✗[/]"
        )
    if result.passed:
        console.print(
            f"[bold green]PASS[/] all {result.cases} cases match the reference "
            f"({lines} line{'' if lines == 1 else 's'})"
        )
    else:
        console.print(f"[bold red]FAIL[/] {result.failed_cases} of {result.cases} cases fail")
    if result.groups:
        console.print(table)
    if not result.passed:
        # What running the code shows an interviewer too (it does not parse, the function is
        # missing): facts, not hints. Named mistakes wait for the score sheet.
        for d in result.diagnoses:
            if d.code in RUN_FACTS:
                console.print(
                    f"[red]{escape(d.code)}:[/] {escape(d.message)}",
                    soft_wrap=True,
                    highlight=False,
                )
    if not result.passed and result.first_failure is not None:
        render_failure(console, result.first_failure)


def render_time_up(console: Console, will_check: bool = True) -> None:
    what = (
        "The file is checked as it stands."
        if will_check
        else "The file is still the starter: there is nothing to check."
    )
    console.print(f"[yellow]Time is up for this step.[/] {what}")


def render_time_up_in_question(console: Console) -> None:
    """The interview's clock ran out while a question waits for its answer."""
    console.print(
        "\n[bold yellow]Time is up for the interview.[/] An answer now does not count;"
        " press Enter for the score sheet.",
        soft_wrap=True,
    )


WIDE_SHEET = 120
"""From this many columns the sheet is a table (wide enough for every command on one line
beside readable evidence); narrower, one block per criterion."""


def _score_markup(points: int | None) -> str:
    if points is None:
        return "[dim]n/a[/]"
    style = "green" if points >= 3 else ("yellow" if points == 2 else "red")
    return f"[{style}]{points}/{MAX_POINTS}[/]"


def _advised(sheet: ScoreSheet) -> list[bool]:
    """Per criterion: whether its advice is new (the same command and reason is said once)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for c in sheet.criteria:
        key = (c.practise.command, c.practise.why)
        out.append(key not in seen)
        seen.add(key)
    return out


def _criteria_blocks(sheet: ScoreSheet) -> list[Any]:
    """The criteria one under the other, each command whole on its own line (narrow terminals)."""
    parts: list[Any] = []
    for c, new in zip(sheet.criteria, _advised(sheet), strict=True):
        parts.append(Text(""))
        parts.append(Text.from_markup(f"[bold]{escape(c.name)}[/]  {_score_markup(c.points)}"))
        for e in c.evidence:
            parts.append(Padding(Text(f"• {e}"), (0, 0, 0, 2)))
        if new:
            parts.append(Text.assemble("  → ", (c.practise.command, "bold cyan"), overflow="fold"))
            parts.append(Padding(Text(c.practise.why, style="dim"), (0, 0, 0, 4)))
        else:
            parts.append(Padding(Text("→ as above", style="dim"), (0, 0, 0, 2)))
    return parts


def render_sheet(console: Console, sheet: ScoreSheet) -> None:
    """The closing score sheet: each criterion with its score, evidence and what to practise."""
    table = Table(title=None, show_lines=True, expand=True)
    table.add_column("criterion", style="bold", no_wrap=True)
    table.add_column("score", justify="center", no_wrap=True)
    table.add_column("evidence", ratio=3)
    longest = max((len(c.practise.command) for c in sheet.criteria), default=0)
    table.add_column("practise next", min_width=longest, max_width=max(longest, 36))
    for c, new in zip(sheet.criteria, _advised(sheet), strict=True):
        score = _score_markup(c.points)
        evidence = Text("\n".join(f"• {e}" for e in c.evidence))
        practise = (
            Text.assemble((c.practise.command, "bold cyan"), "\n", (c.practise.why, "dim"))
            if new
            else Text("as above", style="dim")
        )
        table.add_row(c.name, score, evidence, practise)
    total = sheet.score
    head = Text()
    if sheet.status:
        head.append(f"{sheet.status}\n", style="bold yellow")
    if total is None:
        head.append("Nothing was assessed.", style="yellow")
    else:
        head.append(f"Overall {total:.0%} · {sheet.verdict}", style="bold")
    minutes = (sheet.finished - sheet.started) / 60
    head.append(
        f"   ({sheet.task}, {minutes:.1f} of {minutes_text(sheet.minutes)}, "
        f"{sheet.steps_done}/{sheet.steps_planned} steps)",
        style="dim",
    )
    parts: list[Any] = (
        [head, table] if console.width >= WIDE_SHEET else [head, *_criteria_blocks(sheet)]
    )
    parts += [Text(f"note: {n}", style="yellow") for n in sheet.notes]
    if not sheet.complete:
        parts.append(
            Text(
                "Partial sheet: steps not reached or not answered score 0, and the"
                " verdict is at best incomplete.",
                style="yellow",
            )
        )
    console.print(
        Panel(Group(*parts), title="score sheet", title_align="left", border_style="magenta")
    )
