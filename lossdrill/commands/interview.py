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
an implement step, code written since the last check is checked once first.
"""

from __future__ import annotations

import difflib
import random
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.markup import escape

from lossdrill.bank.schema import Bank, NumericItem
from lossdrill.commands.preamble import banks_with_warnings, recorder_with_notice
from lossdrill.interview.plan import (
    MAX_MINUTES,
    InterviewPlan,
    Step,
    TaskRecord,
    interview_tasks,
    plan_interview,
    weakest_task,
    weakness_reason,
)
from lossdrill.interview.rubric import (
    ImplementEvidence,
    QuestionEvidence,
    implement_evidence,
    score_sheet,
)
from lossdrill.paths import work_dir
from lossdrill.recording import ImplementAttempt
from lossdrill.ui.console import AnswerSource, EndOfInput, make_console

QUESTION_STEPS = ("warm-up", "scenario", "production")


def run(task: str | None, minutes: int, seed: int | None, banks: list[str], home: str | None,
        framework: str | None = None) -> int:
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
            known = sorted(t.id for t in interview_tasks(bank))
            close = difflib.get_close_matches(task.strip().lower(), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            err.print(f"[red]error:[/] unknown task {escape(repr(task))}.{hint} "
                      f"Tasks: {', '.join(known)}", soft_wrap=True, highlight=False)
            return 2
        task = resolved
    if minutes > MAX_MINUTES:
        err.print(f"[red]error:[/] --minutes {minutes}: a mock interview lasts at most "
                  f"{MAX_MINUTES} minutes (the default is 20)", soft_wrap=True, highlight=False)
        return 2
    if seed is None:
        seed = random.SystemRandom().randrange(1, 10**6)

    recorder = recorder_with_notice(home, err)
    try:
        chosen_by, reason = "asked", ""
        if task is None:
            task, chosen_by, reason = _choose_task(bank, recorder, random.Random(seed))
        plan = plan_interview(bank, task, minutes, seed, chosen_by)
        session = Session(plan, bank, recorder, console, err, seed, home, reason)
        session.framework = track
        sheet = session.run()
        from lossdrill.ui.interview_view import render_sheet

        render_sheet(console, sheet)
        record = getattr(recorder, "record_interview", None)
        data = sheet.to_dict()
        data["seed"] = seed
        if callable(record):
            record(data)
        recorder.end_session(session.session_id, {"task": plan.task, "score": data["score"],
                                                  "verdict": data["verdict"],
                                                  "complete": data["complete"]})
    finally:
        recorder.close()
    return 0


def resolve_task(bank: Bank, name: str) -> str | None:
    """The task id for an id or a function name, in any case (``FOCAL``, ``focal_loss``)."""
    key = name.strip().lower()
    for t in bank.tasks():
        if key in (t.id, t.function.lower(), t.function.lower().replace("_", "-")) or \
                key.replace("_", "-") == t.id:
            return t.id
    return None


def _choose_task(bank: Bank, recorder: Any, rng: random.Random) -> tuple[str, str, str]:
    """(task, how it was chosen, the evidence behind the choice)."""
    tasks = interview_tasks(bank)
    records = _task_records(recorder, bank)
    weakest = weakest_task(records, rng)
    if weakest is not None:
        record = next(r for r in records if r.task == weakest)
        item = bank.implement(weakest)
        return weakest, "weakest", weakness_reason(record, item.topic if item else "")
    return rng.choice(sorted(t.id for t in tasks)), "random", ""


def _task_records(recorder: Any, bank: Bank) -> list[TaskRecord]:
    """Implement attempts per task and quiz accuracy per topic, from the store if it has them."""
    from lossdrill.store import Store, queries

    if not isinstance(recorder, Store):
        return []  # no store, no evidence: a fine answer
    import sqlite3

    try:
        attempts = queries.attempts_by_task(recorder)
        topics = queries.correct_by_topic(recorder)
    except sqlite3.Error:  # a store that cannot be read: no evidence is a fine answer
        return []
    records = []
    none = queries.Tally(0, 0)
    for t in interview_tasks(bank):
        a = attempts.get(t.id, none)
        q = topics.get(t.topic, none)
        records.append(TaskRecord(t.id, a.total, a.good, q.total, q.good))
    return records


@dataclass
class _Attempt:
    """The state of one implement step."""

    task: str
    spec: Any
    current: Path
    """The file being checked (the starter, or the last ``file PATH``)."""
    start: float
    deadline: float
    starter: str
    last: Any = None
    """The last check result."""
    checks: int = 0
    lines: int = 0
    gave_up: bool = False
    time_up: bool = False
    passed_at: float | None = None
    checked_source: str | None = None
    """The file's text at the last check."""
    check_cut_short: bool = False


class Session:
    """One interview being run: asks each step and gathers the evidence for the sheet."""

    def __init__(self, plan: InterviewPlan, bank: Bank, recorder: Any, console: Any, err: Any,
                 seed: int, home: str | None, reason: str = "") -> None:
        self.plan = plan
        self.reason = reason
        self.bank = bank
        self.recorder = recorder
        self.console = console
        self.err = err
        self.seed = seed
        self.home = home
        self.answers = AnswerSource(console)
        self.session_id = recorder.start_session("interview")
        self.questions: list[QuestionEvidence] = []
        self.implement: ImplementEvidence | None = None
        self.gradient: ImplementEvidence | None = None
        self.notes: list[str] = []
        self.steps_done = 0
        self.sandbox: Any = None
        self.framework = "numpy"
        """The track the implement steps are written and checked on."""

    def run(self) -> Any:
        from lossdrill.ui.interview_view import render_intro, render_step

        plan = self.plan
        started_wall = time.time()
        self.start = time.monotonic()
        self.deadline = self.start + plan.minutes * 60
        task_item = self.bank.implement(plan.task)
        render_intro(self.console, plan, task_item.function, self.reason)
        try:
            self._start_sandbox()
            for n, step in enumerate(plan.steps, 1):
                left = self.deadline - time.monotonic()
                if left <= 0:
                    self.notes.append(f"the time ran out before step {n}")
                    break
                render_step(self.console, n, len(plan.steps), step, left)
                if step.kind in QUESTION_STEPS:
                    self._question(step)
                else:
                    self._implement(step)
                self.steps_done += 1
        except (EndOfInput, KeyboardInterrupt):
            self.console.print("\n[yellow]Interview ended early.[/]")
            self.notes.append(f"ended early, during step {self.steps_done + 1}")
        finally:
            if self.sandbox is not None:
                self.sandbox.close()
        return score_sheet(
            plan.task, task_item.topic, self.implement, self.gradient, self.questions,
            started=started_wall, finished=time.time(), minutes=plan.minutes,
            steps_done=self.steps_done, steps_planned=len(plan.steps), notes=self.notes,
        )

    # -- questions ----------------------------------------------------------------------

    def _question(self, step: Step) -> None:
        from lossdrill.quiz.select import item_rng
        from lossdrill.ui.quiz_view import ask_item

        item = self.bank.get(step.item_id)
        expected = None
        if isinstance(item, NumericItem):
            from lossdrill.bank.formula import evaluate

            try:
                expected = evaluate(item.formula)
            except Exception as exc:  # noqa: BLE001 - a broken item is skipped, not fatal
                self.err.print(f"[yellow]skipping broken item {item.id}: {exc}[/]")
                return
        result = ask_item(item, self.console, self.answers, item_rng(self.seed, item.id),
                          expected=expected, session_id=self.session_id)
        self.questions.append(QuestionEvidence(step.title, item.id, item.topic, result.correct,
                                               result.score, result.response))
        self.recorder.record_quiz_answer(result)

    # -- implement ----------------------------------------------------------------------

    def _start_sandbox(self) -> None:
        try:
            from lossdrill.checker.frameworks import sandbox_options
            from lossdrill.checker.sandbox import Sandbox

            self.sandbox = Sandbox(**sandbox_options(self.framework))
            self.sandbox.start()
        except Exception as exc:  # noqa: BLE001 - reported, and each check will retry
            self.err.print(f"[yellow]the checker's worker did not start: {exc}[/]")
            self.sandbox = None

    def _check(self, task: str, path: Path) -> Any | None:
        from lossdrill.checker import run_check

        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.console.print(f"[red]cannot read {path}: {exc}[/]")
            return None
        try:
            return run_check(task, source, seed=self.seed, bank=self.bank, sandbox=self.sandbox,
                             filename=str(path), sweep=False, framework=self.framework)
        except Exception as exc:  # noqa: BLE001 - a checker failure must not end the interview
            self.console.print(f"[red]the check could not run: {exc}[/]")
            return None

    def _implement(self, step: Step) -> None:
        from lossdrill.checker.tasks import TASKS
        from lossdrill.ui.interview_view import (
            Countdown,
            render_implement_help,
            render_interview_task,
        )

        spec = TASKS[step.task]
        item = self.bank.implement(step.task)
        if self.framework != "numpy":
            from lossdrill.checker.frameworks.content import track_item

            item = track_item(item, self.framework, spec.signature())
        path = self._write_starter(step.task, spec, item)
        render_interview_task(self.console, spec, item, str(path))
        if self.framework != "numpy":
            from lossdrill.checker.frameworks.content import track_lines

            for line in track_lines(item, self.framework):
                self.console.print(line, markup=False, highlight=False)
        start = time.monotonic()
        box = max(60.0, min(step.minutes * 60, self.deadline - start))
        render_implement_help(self.console, str(path), round(box / 60, 1))
        state = _Attempt(task=step.task, spec=spec, current=path, start=start,
                         deadline=start + box, starter=path.read_text(encoding="utf-8"))
        interrupted = True
        try:
            with Countdown(self.console, f"lossdrill interview · {step.task}", state.deadline):
                self._implement_loop(state)
            interrupted = False
        except (EndOfInput, KeyboardInterrupt):
            self._final_check(state)
            raise
        finally:
            # Cut short before any check, the step was not really taken: not assessed.
            if not (interrupted and state.checks == 0):
                seconds = (state.passed_at or time.monotonic()) - start
                evidence = implement_evidence(step.task, state.last, seconds=seconds,
                                              lines=state.lines, checks=state.checks,
                                              gave_up=state.gave_up, time_up=state.time_up)
                if step.kind == "gradient":
                    self.gradient = evidence
                else:
                    self.implement = evidence

    def _implement_loop(self, state: _Attempt) -> None:
        """Read commands until a pass, giving up, or the end of the time box."""
        from lossdrill.ui.interview_view import clock, render_time_up

        while state.passed_at is None:
            left = state.deadline - time.monotonic()
            if left <= 0:
                state.time_up = True
                render_time_up(self.console)
                if _read_or_empty(state.current) != state.starter:
                    self._check_and_record(state)
                return
            command = self.answers.ask(f"[{clock(left)} left] c check · q give up> ")
            lowered = command.lower()
            if lowered in ("q", "quit", "give up"):
                state.gave_up = True
                return
            if lowered.startswith("file "):
                candidate = Path(command[5:].strip()).expanduser()
                if not candidate.is_file():
                    self.console.print(f"[yellow]no such file: {candidate}[/]")
                    continue
                state.current = candidate
            elif lowered not in ("c", "check"):
                if command:
                    self.console.print("Type [bold]c[/] to check, [bold]q[/] to give up, "
                                       "or [bold]file PATH[/].")
                continue
            self._check_and_record(state)

    def _final_check(self, state: _Attempt) -> None:
        """Ended during the step: the code written so far is checked once, as an interviewer
        would read it, unless it is the starter or was checked as it stands (a second
        Ctrl-C skips it)."""
        source = _read_or_empty(state.current)
        if state.passed_at is not None or state.check_cut_short or \
                source in (state.starter, state.checked_source):
            return
        self.console.print("\n[dim]Checking the file as it stands…[/]")
        try:
            self._check_and_record(state)
        except KeyboardInterrupt:
            pass

    def _check_and_record(self, state: _Attempt) -> None:
        from lossdrill.checker.source import solution_lines
        from lossdrill.ui.interview_view import render_check

        try:
            with self.console.status("checking…"):
                result = self._check(state.task, state.current)
        except KeyboardInterrupt:
            state.check_cut_short = True  # Ctrl-C during a check: the learner wants out
            raise
        if result is None:
            return
        state.checks += 1
        state.last = result
        state.checked_source = _read_or_empty(state.current)
        state.lines = solution_lines(state.checked_source, state.spec.function)
        render_check(self.console, result, state.lines)
        self._record_attempt(state.task, result, time.monotonic() - state.start, state.lines)
        if result.passed:
            state.passed_at = time.monotonic()

    def _record_attempt(self, task: str, result: Any, elapsed: float, lines: int) -> None:
        self.recorder.record_implement_attempt(
            ImplementAttempt(
                session_id=self.session_id, task=task, passed=result.passed, score=result.score,
                groups=tuple((g.name, g.total, g.failed) for g in result.groups),
                diagnoses=result.codes, elapsed_s=elapsed, hints_used=0, lines=lines,
            )
        )

    def _write_starter(self, task: str, spec: Any, item: Any) -> Path:
        folder = work_dir(self.home)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"interview-{task}-{stamp}.py"
        n = 1
        while path.exists():  # never overwrite a file
            n += 1
            path = folder / f"interview-{task}-{stamp}-{n}.py"
        starter = item.starter if item is not None and item.starter.strip() else (
            f"import numpy as np\n\n\ndef {spec.signature()}:\n    raise NotImplementedError\n"
        )
        path.write_text(starter if starter.endswith("\n") else starter + "\n", encoding="utf-8")
        return path


def _read_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
