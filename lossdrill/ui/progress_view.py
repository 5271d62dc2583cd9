"""Rendering a :class:`~lossdrill.progress.report.ProgressReport` with rich."""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from lossdrill.progress.report import ProgressReport

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """One block character per value in 0..1."""
    return "".join(SPARKS[min(len(SPARKS) - 1, max(0, int(v * (len(SPARKS) - 1) + 0.5)))]
                   for v in values)


def bar(fraction: float, width: int = 10) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "█" * filled + "·" * (width - filled)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def _mastery_style(value: float | None) -> str:
    if value is None:
        return "dim"
    return "green" if value >= 0.8 else "yellow" if value >= 0.5 else "red"


def render(console: Console, report: ProgressReport) -> None:
    if report.empty:
        _empty(console, report)
        _checklist(console, report)
        return
    _topics(console, report)
    _weakest(console, report)
    _tasks(console, report)
    _cards(console, report)
    _checklist(console, report)
    _interviews(console, report)


def _empty(console: Console, report: ProgressReport) -> None:
    tasks = len(report.tasks)
    console.print("[bold]Nothing recorded yet.[/] Your progress appears here once you practise:")
    console.print("  lossdrill quiz              answer questions")
    console.print(f"  lossdrill implement mse     write a loss ({tasks} tasks)")
    console.print(f"  lossdrill flashcards        review cards ({report.cards.total} cards)")
    console.print()


def _topics(console: Console, report: ProgressReport) -> None:
    table = Table(title="Mastery by topic", title_justify="left", show_edge=False)
    table.add_column("topic")
    table.add_column("mastery")
    table.add_column("quiz", justify="right")
    table.add_column("tasks", justify="right")
    table.add_column("cards", justify="right")
    table.add_column("trend")
    for t in report.topics:
        style = _mastery_style(t.mastery)
        mastery = (f"[{style}]{bar(t.mastery)} {_pct(t.mastery):>4}[/]"
                   if t.mastery is not None else "[dim]—[/]")
        quiz = f"{_pct(t.quiz_accuracy)} of {t.quiz_answered}" if t.quiz_answered else "—"
        tasks = f"{t.tasks_passed}/{t.tasks}" if t.tasks else "—"
        cards = f"{t.cards_reviewed}/{t.cards}" if t.cards else "—"
        table.add_row(t.topic, mastery, quiz, tasks, cards, sparkline(t.trend))
    console.print(table)
    console.print("[dim]mastery = mean of recent quiz score, share of tasks passed and card "
                  "strength (stability / 21 days), over what has evidence[/]")
    console.print()


def _weakest(console: Console, report: ProgressReport) -> None:
    if not report.weakest:
        return
    table = Table(title="Weakest questions", title_justify="left", show_edge=False)
    table.add_column("item")
    table.add_column("topic")
    table.add_column("right", justify="right")
    table.add_column("last")
    table.add_column("question", overflow="ellipsis", no_wrap=True, max_width=50)
    for w in report.weakest:
        last = "[green]right[/]" if w.last_correct else "[red]wrong[/]"
        table.add_row(w.item_id, w.topic, f"{w.accuracy:.0%} of {w.answered}", last, w.prompt)
    console.print(table)
    console.print()


def _tasks(console: Console, report: ProgressReport) -> None:
    tried = [t for t in report.tasks if t.attempts]
    untried = [t.task for t in report.tasks if not t.attempts]
    if tried:
        table = Table(title="Implement", title_justify="left", show_edge=False)
        for name, justify in (("task", "left"), ("status", "left"), ("passes", "right"),
                              ("best time", "right"), ("lines", "right"), ("hints", "right"),
                              ("frequent mistakes", "left")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for t in tried:
            status = "[green]passed[/]" if t.status == "passed" else "[red]failing[/]"
            mistakes = ", ".join(f"{code} ×{n}" for code, n in t.diagnoses) or "—"
            table.add_row(t.task, status, f"{t.passes}/{t.attempts}", _minutes(t.best_time_s),
                          "—" if t.fewest_lines is None else str(t.fewest_lines), str(t.hints),
                          mistakes)
        console.print(table)
        for t in tried:
            if t.advice:
                console.print(f"  [yellow]{t.task}[/]: {t.advice}")
    if untried:
        console.print(f"[dim]Not started ({len(untried)}): {', '.join(untried)}[/]")
    console.print()


def _cards(console: Console, report: ProgressReport) -> None:
    c = report.cards
    console.print(f"[bold]Flashcards[/]: {c.reviewed} of {c.total} seen, "
                  f"[bold]{c.due_now} due now[/]"
                  + (f", retention {c.retention:.0%} over {c.retention_reviews} mature reviews"
                     if c.retention is not None else ""))
    peak = max([n for _, n in c.due_by_day] + [1])
    for label, n in c.due_by_day:
        console.print(f"  {label:>8} {'█' * round(20 * n / peak):<20} {n}")
    console.print()


def _checklist(console: Console, report: ProgressReport) -> None:
    met = sum(1 for line in report.checklist if line.met)
    console.print(f"[bold]Interview readiness[/]: {met}/{len(report.checklist)}")
    for line in report.checklist:
        mark = "[green]✓[/]" if line.met else "[red]✗[/]"
        console.print(f" {mark} {line.text}")
        console.print(f"     [dim]rule: {line.rule}[/]")
        if line.evidence:
            console.print(f"     {'; '.join(line.evidence)}")
    console.print()


def _interviews(console: Console, report: ProgressReport) -> None:
    if not report.interviews:
        return
    console.print("[bold]Mock interviews[/]")
    for i in report.interviews:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(i.started))
        score = "—" if i.score is None else f"{i.score:g}"
        console.print(f"  {when}  {i.task or '?':<12} score {score}")
    console.print()
