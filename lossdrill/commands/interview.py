"""``lossdrill interview``: a timed mock interview on one loss, closed by a score sheet.

Steps: two warm-up questions (when to use the loss, how it fails), the implement task
(no hints), its gradient where that is a task of its own, a scenario and a production
question. At an implement step the starter is written to the work folder and these
commands are read at the prompt (from a terminal or, one per line, from scripted stdin):

* ``c`` — check the file;
* ``q`` — give up on the step;
* ``file PATH`` — check the file at PATH instead (and keep checking it with ``c``);
* an empty line — show the time left.

Ctrl-C (or the end of scripted input) ends the interview with a partial sheet, exit 0; during
an implement step, code written since the last check is checked once first. The interview
itself runs in :mod:`lossdrill.interview.session`; this module parses, calls and renders.
"""

from __future__ import annotations

import random
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from lossdrill.commands.preamble import banks_with_warnings, recorder_with_notice
from lossdrill.interview.plan import MAX_MINUTES, InterviewPlan, Step, interview_tasks
from lossdrill.interview.rubric import ScoreSheet
from lossdrill.interview.session import resolve_task, run_interview
from lossdrill.recording import QuizAnswer
from lossdrill.ui import interview_view as ui
from lossdrill.ui.console import AnswerSource, EndOfInput, make_console
from lossdrill.ui.errors import report_unknown

if TYPE_CHECKING:
    from lossdrill.bank.schema import ImplementItem, Item
    from lossdrill.checker.result import CheckResult
    from lossdrill.checker.tasks import TaskSpec


def run(
    task: str | None,
    minutes: int,
    seed: int | None,
    banks: list[str],
    home: str | None,
    framework: str | None = None,
) -> int:
    console = make_console()
    err = make_console(stderr=True)
    from lossdrill.checker.frameworks.choice import TrackUnavailable, chosen, require

    track = chosen(framework, home)
    try:
        require(track, "cpu")
    except TrackUnavailable as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True, highlight=False)
        return 2
    bank = banks_with_warnings(banks, err)
    if not interview_tasks(bank):
        err.print("[red]error:[/] the banks hold no implement task to be interviewed on")
        return 1
    if task is not None:
        resolved = resolve_task(bank, task)
        if resolved is None:
            return report_unknown("task", task, [t.id for t in interview_tasks(bank)])
        task = resolved
    if minutes > MAX_MINUTES:
        err.print(
            f"[red]error:[/] --minutes {minutes}: a mock interview lasts at most "
            f"{MAX_MINUTES} minutes (the default is 20)",
            soft_wrap=True,
            highlight=False,
        )
        return 2
    if seed is None:
        seed = random.SystemRandom().randrange(1, 10**6)

    recorder = recorder_with_notice(home, err)
    try:
        run_interview(
            bank, task, minutes, seed, recorder, TerminalView(console, err), home, framework=track
        )
    finally:
        recorder.close()
    from lossdrill.schedule.choose import next_line

    console.print(
        f"Next: {escape(next_line(home, banks, after='interview'))}",
        highlight=False,
        soft_wrap=True,
    )
    return 0


class TerminalView:
    """Renders an interview with the interview view and reads the learner's lines."""

    def __init__(self, console: Console, err: Console) -> None:
        self.console = console
        self.err = err
        self.answers = AnswerSource(console)

    def intro(self, plan: InterviewPlan, function: str, reason: str) -> None:
        ui.render_intro(self.console, plan, function, reason)

    def step(self, n: int, total: int, step: Step, session_left: float) -> None:
        ui.render_step(self.console, n, total, step, session_left)

    def ended_early(self) -> None:
        self.console.print("\n[yellow]Interview ended early.[/]")

    def worker_failed(self, error: str) -> None:
        self.err.print(f"[yellow]the checker's worker did not start: {error}[/]")

    def broken_item(self, item_id: str, error: str) -> None:
        self.err.print(f"[yellow]skipping broken item {item_id}: {error}[/]")

    def ask_question(
        self, item: Item, rng: random.Random, expected: float | None, session_id: str
    ) -> QuizAnswer | None:
        from lossdrill.ui.quiz_view import ask_item

        try:
            return ask_item(
                item, self.console, self.answers, rng, expected=expected, session_id=session_id
            )
        except EndOfInput:
            return None

    def task(
        self,
        spec: TaskSpec,
        item: ImplementItem | None,
        path: Path,
        minutes: float,
        framework: str = "numpy",
    ) -> None:
        ui.render_interview_task(self.console, spec, item, str(path))
        if framework != "numpy":
            from lossdrill.checker.frameworks.content import track_lines

            for line in track_lines(item, framework):
                self.console.print(line, markup=False, highlight=False)
        ui.render_implement_help(self.console, str(path), minutes)

    def timed(self, task: str, deadline: float) -> AbstractContextManager[object]:
        return ui.Countdown(self.console, f"lossdrill interview · {task}", deadline)

    def command(self, left: float) -> str | None:
        try:
            return self.answers.ask(f"[{ui.clock(left)} left] c check · q give up> ")
        except EndOfInput:
            return None

    def no_such_file(self, path: Path) -> None:
        self.console.print(f"[yellow]no such file: {path}[/]")

    def unknown_command(self) -> None:
        self.console.print(
            "Type [bold]c[/] to check, [bold]q[/] to give up, or [bold]file PATH[/]."
        )

    def time_up_in_question(self) -> None:
        ui.render_time_up_in_question(self.console)

    def time_up(self, will_check: bool) -> None:
        ui.render_time_up(self.console, will_check)

    def final_check(self) -> None:
        self.console.print("\n[dim]Checking the file as it stands…[/]")

    def checking(self) -> AbstractContextManager[object]:
        return self.console.status("checking…")

    def unreadable(self, path: Path, error: str) -> None:
        self.console.print(f"[red]cannot read {path}: {error}[/]")

    def check_failed(self, error: str) -> None:
        self.console.print(f"[red]the check could not run: {error}[/]")

    def result(self, result: CheckResult, lines: int) -> None:
        ui.render_check(self.console, result, lines)

    def sheet(self, sheet: ScoreSheet) -> None:
        ui.render_sheet(self.console, sheet)
