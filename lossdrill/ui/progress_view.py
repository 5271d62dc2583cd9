"""Rendering a :class:`~lossdrill.progress.report.ProgressReport` for the terminal.

The page is built as lines of rich markup and printed once: aligned columns are padded
here rather than laid out by ``rich.table`` (which costs tens of milliseconds for a
page of tables, and ``lossdrill progress`` has to start about as fast as ``--help``).
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from lossdrill.progress.report import ProgressReport

if TYPE_CHECKING:
    from datetime import date

    from lossdrill.schedule.forecast import Forecast

NEW_PER_DAY = 10
"""``lossdrill flashcards``' default --new (kept here so the progress view does not import the
flashcard session and FSRS)."""

SPARKS = "▁▂▃▄▅▆▇█"

Cell = tuple[str, str]
"""(plain text, rich style or '')."""


def sparkline(values: Sequence[float]) -> str:
    """One block character per value in 0..1."""
    top = len(SPARKS) - 1
    return "".join(SPARKS[min(top, max(0, int(v * top + 0.5)))] for v in values)


def bar(fraction: float, width: int = 10) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "█" * filled + "·" * (width - filled)


def columns(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    right: AbstractSet[int] = frozenset(),
    max_width: int | None = None,
    drop: Sequence[int] = (),
    min_last: int = 8,
) -> list[str]:
    """Rows of cells as aligned lines of markup that fit ``max_width``.

    While the lines are too wide, the columns in ``drop`` (indexes, in that order) are left
    out, then the last column is cut to what is left (it is left out too when under
    ``min_last`` characters would remain and it is in ``drop``).
    """
    keep = list(range(len(header)))

    def natural(i: int) -> int:
        return max([len(header[i])] + [len(row[i][0]) for row in rows])

    def total(cols: list[int], last_min: bool) -> int:
        widths = [natural(i) for i in cols]
        if last_min:
            widths[-1] = min(widths[-1], min_last)
        return 1 + sum(widths) + 2 * (len(cols) - 1)

    if max_width is not None:
        for i in drop:
            if total(keep, last_min=i != keep[-1]) <= max_width:
                break
            if i in keep and len(keep) > 1:
                keep.remove(i)
    header = [header[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    right = {n for n, i in enumerate(keep) if i in right}
    widths = [len(h) for h in header]
    for row in rows:
        for i, (text, _) in enumerate(row):
            widths[i] = max(widths[i], len(text))
    if max_width is not None:
        used = sum(widths[:-1]) + 2 * (len(widths) - 1) + 1
        widths[-1] = max(min(min_last, widths[-1]), min(widths[-1], max_width - used))

    def fmt(i: int, text: str, style: str) -> str:
        if len(text) > widths[i]:
            text = text[: widths[i] - 1] + "…"
        last = i == len(widths) - 1
        padded = text.rjust(widths[i]) if i in right else text if last else text.ljust(widths[i])
        return f"[{style}]{escape(padded)}[/]" if style and padded.strip() else escape(padded)

    lines = [" " + "  ".join(fmt(i, h, "bold") for i, h in enumerate(header)).rstrip()]
    for row in rows:
        lines.append(" " + "  ".join(fmt(i, t, s) for i, (t, s) in enumerate(row)).rstrip())
    return lines


def para(
    text: str,
    width: int,
    indent: int = 0,
    style: str = "",
    first: str | None = None,
    hang: int | None = None,
) -> list[str]:
    """Plain ``text`` wrapped to ``width`` at word boundaries, as lines of markup.

    ``first`` is markup put before the first line (its plain length is ``hang``, which
    also indents the following lines, so the text lines up after a bullet or a label).
    """
    lead = hang if hang is not None else indent
    wrapped = textwrap.wrap(
        text, width=max(20, width - 1 - lead), break_on_hyphens=False, break_long_words=True
    ) or [""]
    out = []
    for i, line in enumerate(wrapped):
        body = f"[{style}]{escape(line)}[/]" if style else escape(line)
        if i == 0 and first is not None:
            out.append(" " * indent + first + body)
        else:
            out.append(" " * lead + body)
    return out


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
    width = console.width
    if report.empty:
        lines = _empty(report) + _checklist(report, width, evidence=False)
    else:
        lines = (
            _topics(report, width)
            + _weakest(report, width)
            + _tasks(report, width)
            + _frameworks(report)
            + _cards(report, width)
            + _checklist(report, width)
            + _interviews(report)
        )
    console.print("\n".join(lines), soft_wrap=True, highlight=False)


def _frameworks(report: ProgressReport) -> list[str]:
    """One line of evidence per framework track, once a PyTorch or JAX attempt exists."""
    tracks = getattr(report, "frameworks", [])
    if not any(f.framework != "numpy" for f in tracks):
        return []
    parts = [f"{f.framework} {f.passed}/{f.total} passed ({f.tried} tried)" for f in tracks]
    return ["[bold]Tracks[/]  " + " · ".join(parts), ""]


def _empty(report: ProgressReport) -> list[str]:
    return [
        "[bold]Nothing recorded yet.[/] Your progress appears here once you practise:",
        "  lossdrill quiz              answer questions",
        f"  lossdrill implement mse     write a loss ({len(report.tasks)} tasks)",
        f"  lossdrill flashcards        review cards ({report.cards.total} cards)",
        "  lossdrill interview         a timed mock interview",
        "",
    ]


def _topics(report: ProgressReport, width: int) -> list[str]:
    rows = []
    bar_width = 10 if width >= 70 else 5  # a narrow terminal: a shorter bar, then fewer columns
    for t in report.topics:
        style = _mastery_style(t.mastery)
        mastery = (
            f"{bar(t.mastery, bar_width)} {_pct(t.mastery):>4}" if t.mastery is not None else "—"
        )
        rows.append(
            [
                (t.topic, ""),
                (mastery, style),
                (f"{_pct(t.quiz_accuracy)} of {t.quiz_answered}" if t.quiz_answered else "—", ""),
                (f"{t.tasks_passed}/{t.tasks}" if t.tasks else "—", ""),
                (f"{t.cards_reviewed}/{t.cards}" if t.cards else "—", ""),
                (sparkline(t.trend), "cyan"),
            ]
        )
    return [
        "[bold]Mastery by topic[/]",
        *columns(
            ["topic", "mastery", "quiz", "tasks", "cards", "trend"],
            rows,
            right={2, 3, 4},
            max_width=width,
            drop=(5, 2),
        ),
        *para(
            "mastery: the mean of the quiz score (last 20 answers), the share of the topic's"
            " tasks passed and card strength (FSRS stability / 21 days, unseen cards 0),"
            " over those with evidence; quiz: right of answered; cards: seen of all;"
            " trend: quiz score per session, oldest first",
            width,
            1,
            "dim",
        ),
        "",
    ]


def _weakest(report: ProgressReport, width: int) -> list[str]:
    if not report.weakest:
        return []
    rows = [
        [
            (w.item_id, ""),
            (w.topic, ""),
            (f"{w.accuracy:.0%} of {w.answered}", ""),
            ("right", "green") if w.last_correct else ("wrong", "red"),
            (w.prompt, "dim"),
        ]
        for w in report.weakest
    ]
    return [
        "[bold]Weakest questions[/]",
        *columns(
            ["item", "topic", "right", "last", "question"],
            rows,
            right={2},
            max_width=width,
            drop=(1, 4),
            min_last=16,
        ),
        "",
    ]


def _tasks(report: ProgressReport, width: int) -> list[str]:
    tried = [t for t in report.tasks if t.attempts]
    untried = [t.task for t in report.tasks if not t.attempts]
    lines: list[str] = []
    if tried:
        rows = [
            [
                (t.task, ""),
                ("passed", "green") if t.status == "passed" else ("failing", "red"),
                (f"{t.passes}/{t.attempts}", ""),
                ("untimed" if t.best_time_s is None and t.passes else _minutes(t.best_time_s), ""),
                ("—" if t.fewest_lines is None else str(t.fewest_lines), ""),
                (str(t.hints), ""),
                (", ".join(f"{code} ×{n}" for code, n in t.diagnoses) or "—", ""),
            ]
            for t in tried
        ]
        lines += [
            "[bold]Implement[/]",
            *columns(
                ["task", "status", "passed", "best time", "lines", "hints", "frequent mistakes"],
                rows,
                right={2, 3, 4, 5},
                max_width=width,
                drop=(4, 5, 2),
                min_last=14,
            ),
        ]
        advised = sorted((t for t in tried if t.advice), key=lambda t: t.status == "passed")
        for t in advised[:5]:
            lines += para(
                t.advice or "",
                width,
                2,
                first=f"[yellow]{escape(t.task)}[/]: ",
                hang=4 + len(t.task),
            )
        if any(t.passes and t.best_time_s is None for t in tried):
            lines += para(
                "untimed: passed only with `implement --check`, which grades a file"
                " without a clock",
                width,
                1,
                "dim",
            )
    if untried:
        lines += para(f"not started ({len(untried)}): {', '.join(untried)}", width, 1, "dim")
    return lines + [""] if lines else []


def _cards(report: ProgressReport, width: int) -> list[str]:
    c = report.cards
    new_left = min(c.new, max(0, NEW_PER_DAY - c.new_started_today))
    lines = para(
        f"Flashcards: {c.reviewed} of {c.total} seen, {c.due_now} due now, {new_left} new"
        f" left today (of {NEW_PER_DAY} a day)",
        width,
        0,
        first="",
        hang=1,
    )
    lines[0] = lines[0].replace("Flashcards:", "[bold]Flashcards[/]:", 1)
    if c.retention is not None:
        lines += para(
            f"retention {c.retention:.0%}: share of the {c.retention_reviews} reviews of"
            " mature cards in the last 30 days not rated Again",
            width,
            1,
        )
    if not any(n for _, n in c.due_by_day):
        return lines + [" [dim]nothing falls due in the next 7 days[/]", ""]
    peak = max(n for _, n in c.due_by_day)
    bar_width = max(10, min(40, width - 20))
    lines.append(" due in the next 7 days (not counting those due now):")
    lines += [
        f"  {label:>8} [cyan]{'█' * round(bar_width * n / peak):<{bar_width}}[/] {n}"
        for label, n in c.due_by_day
    ]
    return lines + [""]


def _checklist(report: ProgressReport, width: int, evidence: bool = True) -> list[str]:
    met = sum(1 for line in report.checklist if line.met)
    lines = [f"[bold]Interview readiness[/]: {met} of {len(report.checklist)} lines met"]
    if not evidence:
        lines.append(" [dim]the lecture's checklist; each line is ticked by this rule:[/]")
    for line in report.checklist:
        mark = "[green]✓[/] " if line.met else "[red]✗[/] "
        lines += para(line.text, width, 1, "bold" if line.met else "", first=mark, hang=3)
        lines += para(line.rule, width, 3, "dim", first="[dim]rule: [/]", hang=9)
        for fact in line.evidence if evidence else ():
            lines += para(fact, width, 3, first="· ", hang=5)
    return lines + [""]


def _interviews(report: ProgressReport) -> list[str]:
    if not report.interviews:
        return []
    lines = ["[bold]Mock interviews[/] [dim](newest first; score over the assessed criteria)[/]"]
    for i in report.interviews:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(i.started))
        if i.score is None:
            score = "—"
        else:
            score = f"{i.score:.0%}" if 0 <= i.score <= 1 else f"{i.score:g}"
        verdict = f"  {escape(i.verdict)}" if i.verdict else ""
        lines.append(f"  {when}  {escape(i.task or '?'):<16} {score:>5}{verdict}")
    return lines + [""]


def render_forecast(console: Console, interview: date, forecast: Forecast, today: date) -> None:
    """Beside today's state, the forecast for the interview day: each readiness line's
    probability of passing then, and each topic's probability of recall (FSRS
    retrievability on the day, if nothing more is practised)."""
    days = (interview - today).days
    when = f"{interview:%a %d %b %Y}" + (f", in {days} days" if days > 0 else "")
    lines = [f"[bold]Forecast for the interview day[/] ({when}; if nothing more is practised):"]
    for line in forecast.lines:
        lines.append(f"  {line.probability:>4.0%}  {escape(line.text)}")
    weak = sorted(forecast.topics, key=lambda t: t.recall)[:3]
    if weak:
        lines.append(
            "  lowest recall: " + ", ".join(f"{escape(t.topic)} {t.recall:.0%}" for t in weak)
        )
    lines.append("  the plan toward it: lossdrill today · the full forecast: lossdrill plan")
    console.print("\n".join(lines), soft_wrap=True, highlight=False)
