"""Rich rendering of a mock interview: the plan, the step headers, check results without
hints, and the closing score sheet."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lossdrill.interview.plan import InterviewPlan, Step
from lossdrill.interview.rubric import MAX_POINTS, ScoreSheet

CHOSEN_BY = {
    "asked": "the loss you asked for",
    "weakest": "your weakest area in the progress store",
    "random": "a random loss (no progress recorded yet)",
}


def clock(seconds: float) -> str:
    """``mm:ss`` (never negative)."""
    m, s = divmod(max(0, int(seconds)), 60)
    return f"{m:02d}:{s:02d}"


def render_intro(console: Console, plan: InterviewPlan, function: str) -> None:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_column(justify="right", style="dim")
    for n, step in enumerate(plan.steps, 1):
        table.add_row(str(n), f"{step.kind}: {step.title}", f"{step.minutes:g} min")
    body = Group(
        Text(f"Today's loss: {plan.task} ({function}) — {CHOSEN_BY.get(plan.chosen_by, plan.chosen_by)}."),
        Text(f"About {plan.minutes} minutes. No hints. Ctrl-C ends the interview with the sheet so far."),
        Text(""),
        table,
    )
    console.print(Panel(body, title="mock interview", title_align="left", border_style="magenta"))


def render_step(console: Console, n: int, total: int, step: Step, session_left: float) -> None:
    console.rule(f"[bold]step {n}/{total} · {escape(step.kind)}: {escape(step.title)}[/] "
                 f"[dim]· {clock(session_left)} left in the interview[/]")


def render_implement_help(console: Console, path: str, minutes: float) -> None:
    console.print(
        f"Edit [bold]{escape(path)}[/] in your editor. You have [bold]{minutes:g} minutes[/].\n"
        "At the prompt: [bold]c[/] checks the file · [bold]q[/] gives up · "
        "[bold]file PATH[/] checks another file · Enter shows the time left."
    )


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
        table.add_row(g.name, str(g.total), str(g.failed), "[green]✓[/]" if g.passed else "[red]✗[/]")
    if result.passed:
        console.print(f"[bold green]PASS[/] all {result.cases} cases match the reference "
                      f"({lines} line{'' if lines == 1 else 's'})")
    else:
        console.print(f"[bold red]FAIL[/] {result.failed_cases} of {result.cases} cases fail")
    if result.groups:
        console.print(table)
    if not result.passed and result.first_failure is not None:
        render_failure(console, result.first_failure)


def render_time_up(console: Console) -> None:
    console.print("[yellow]Time is up for this step.[/] The file is checked as it stands.")


def render_sheet(console: Console, sheet: ScoreSheet) -> None:
    """The closing score sheet: each criterion with its score, evidence and what to practise."""
    table = Table(title=None, show_lines=True, expand=True)
    table.add_column("criterion", style="bold", no_wrap=True)
    table.add_column("score", justify="center", no_wrap=True)
    table.add_column("evidence", ratio=3)
    table.add_column("practise next", ratio=2)
    for c in sheet.criteria:
        if c.points is None:
            score = "[dim]n/a[/]"
        else:
            style = "green" if c.points >= 3 else ("yellow" if c.points == 2 else "red")
            score = f"[{style}]{c.points}/{MAX_POINTS}[/]"
        evidence = Text("\n".join(f"• {e}" for e in c.evidence))
        practise = Text.assemble((c.practise.command, "bold cyan"), "\n", (c.practise.why, "dim"))
        table.add_row(c.name, score, evidence, practise)
    total = sheet.score
    head = Text()
    if total is None:
        head.append("Nothing was assessed.", style="yellow")
    else:
        head.append(f"Overall {total:.0%} · {sheet.verdict}", style="bold")
    minutes = (sheet.finished - sheet.started) / 60
    head.append(f"   ({sheet.task}, {minutes:.1f} of {sheet.minutes} minutes, "
                f"{sheet.steps_done}/{sheet.steps_planned} steps)", style="dim")
    parts: list[Any] = [head, table]
    parts += [Text(f"note: {n}", style="yellow") for n in sheet.notes]
    if not sheet.complete:
        parts.append(Text("Partial sheet: the interview ended early; criteria marked n/a were not reached.",
                          style="yellow"))
    console.print(Panel(Group(*parts), title="score sheet", title_align="left", border_style="magenta"))
