"""A mock interview being run: the engine behind ``lossdrill interview``.

:class:`InterviewSession` walks the plan's steps: it asks each question through the view,
writes the starter of an implement step, reads the prompt's commands (``c`` check, ``q``
give up, ``file PATH``, an empty line for the time left) until a pass, giving up or the end
of the time box, runs the checks, records answers and attempts, and gathers the evidence
for the score sheet. It prints nothing: an :class:`InterviewView` shows what happened and
reads the learner's lines (the command layer renders it). The end of input (the view
returns None) or Ctrl-C ends the interview with a partial sheet; during an implement step
the code written since the last check is checked once first.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lossdrill.bank.schema import Bank, NumericItem
from lossdrill.implement import digest, read_source, record_attempt, starter
from lossdrill.interview.plan import (
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
    ScoreSheet,
    implement_evidence,
    score_sheet,
)
from lossdrill.paths import work_dir
from lossdrill.recording import QuizAnswer, Recorder

if TYPE_CHECKING:
    from lossdrill.bank.schema import ImplementItem, Item
    from lossdrill.checker.protocols import SandboxLike
    from lossdrill.checker.result import CheckResult
    from lossdrill.checker.tasks import TaskSpec

QUESTION_STEPS = ("warm-up", "scenario", "production")


class InterviewView(Protocol):
    """Where an interview shows what happened and reads the learner's lines.

    The two reading methods return None at the end of input (Ctrl-C, Ctrl-D, the end of
    scripted input): the interview then ends with a partial sheet.
    """

    def intro(self, plan: InterviewPlan, function: str, reason: str) -> None:
        """The plan; ``reason`` is the evidence behind a choice of the weakest task."""

    def step(self, n: int, total: int, step: Step, session_left: float) -> None:
        """Step ``n`` of ``total`` starts, ``session_left`` seconds before the end."""

    def ended_early(self) -> None: ...

    def worker_failed(self, error: str) -> None:
        """The checker's worker did not start (each check will retry)."""

    def broken_item(self, item_id: str, error: str) -> None:
        """A numeric question whose formula cannot be evaluated is skipped."""

    def ask_question(
        self, item: Item, rng: random.Random, expected: float | None, session_id: str
    ) -> QuizAnswer | None:
        """Ask one question; its graded answer, or None at the end of input."""

    def task(
        self,
        spec: TaskSpec,
        item: ImplementItem | None,
        path: Path,
        minutes: float,
        framework: str = "numpy",
    ) -> None:
        """The implement task (no hints) as written for ``framework``, its starter's path and
        the step's minutes."""

    def timed(self, task: str, deadline: float) -> AbstractContextManager[object]:
        """The clock of an implement step, running while the step lasts."""

    def command(self, left: float) -> str | None:
        """One line typed at the implement prompt (``left`` seconds remain), None at the end."""

    def no_such_file(self, path: Path) -> None: ...

    def unknown_command(self) -> None: ...

    def time_up_in_question(self) -> None:
        """The interview's time ran out while a question waits (said at once, from a timer)."""

    def time_up(self, will_check: bool) -> None:
        """The step's time box is over; ``will_check``: the file is checked as it stands
        (it is not when it is still the untouched starter)."""

    def final_check(self) -> None:
        """The interview ended during the step: the file is checked once as it stands."""

    def checking(self) -> AbstractContextManager[object]:
        """A check is running."""

    def unreadable(self, path: Path, error: str) -> None: ...

    def check_failed(self, error: str) -> None:
        """The checker could not run (the interview goes on)."""

    def result(self, result: CheckResult, lines: int) -> None:
        """A check's result, without diagnosis or hints."""

    def sheet(self, sheet: ScoreSheet) -> None:
        """The closing score sheet."""


class Ended(Exception):
    """The learner ended the interview (the view's input ended)."""


class TimeUp(Exception):
    """The interview's time ran out while a question waited for its answer."""


def resolve_task(bank: Bank, name: str) -> str | None:
    """The task id for an id or a function name, in any case (``FOCAL``, ``focal_loss``)."""
    key = name.strip().lower()
    for t in bank.tasks():
        if (
            key in (t.id, t.function.lower(), t.function.lower().replace("_", "-"))
            or key.replace("_", "-") == t.id
        ):
            return t.id
    return None


def choose_task(bank: Bank, recorder: Recorder, rng: random.Random) -> tuple[str, str, str]:
    """(task, how it was chosen, the evidence behind the choice)."""
    tasks = interview_tasks(bank)
    records = task_records(recorder, bank)
    weakest = weakest_task(records, rng)
    if weakest is not None:
        record = next(r for r in records if r.task == weakest)
        item = bank.implement(weakest)
        return weakest, "weakest", weakness_reason(record, item.topic if item else "")
    return rng.choice(sorted(t.id for t in tasks)), "random", ""


def task_records(recorder: Recorder, bank: Bank) -> list[TaskRecord]:
    """Implement attempts per task and quiz accuracy per topic, from the store if it has them."""
    from lossdrill.store import Store, queries

    if not isinstance(recorder, Store):
        return []  # no store, no evidence: a fine answer
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


def run_interview(
    bank: Bank,
    task: str | None,
    minutes: int,
    seed: int,
    recorder: Recorder,
    view: InterviewView,
    home: str | None,
    framework: str = "numpy",
) -> ScoreSheet:
    """Choose the task (the weakest, else a random one, when ``task`` is None), plan the
    interview, run it, show and record its score sheet. ``task`` is a task id; the implement
    steps are written and checked on the ``framework`` track."""
    chosen_by, reason = "asked", ""
    if task is None:
        task, chosen_by, reason = choose_task(bank, recorder, random.Random(seed))
    plan = plan_interview(bank, task, minutes, seed, chosen_by)
    session = InterviewSession(plan, bank, recorder, view, seed, home, reason, framework)
    sheet = session.run()
    view.sheet(sheet)
    session.record(sheet)
    return sheet


@dataclass
class Attempt:
    """The state of one implement step."""

    task: str
    spec: TaskSpec
    current: Path
    """The file being checked (the starter, or the last ``file PATH``)."""
    start: float
    deadline: float
    starter: str
    last: CheckResult | None = None
    """The last check result."""
    checks: int = 0
    lines: int = 0
    gave_up: bool = False
    time_up: bool = False
    passed_at: float | None = None
    checked_source: str | None = None
    """The file's text at the last check."""
    check_cut_short: bool = False
    started_wall: float = field(default_factory=time.time)
    """Wall-clock start of the step (file times are compared with it)."""


class InterviewSession:
    """One interview being run: asks each step and gathers the evidence for the sheet."""

    def __init__(
        self,
        plan: InterviewPlan,
        bank: Bank,
        recorder: Recorder,
        view: InterviewView,
        seed: int,
        home: str | None,
        reason: str = "",
        framework: str = "numpy",
    ) -> None:
        self.plan = plan
        self.framework = framework
        """The track the implement steps are written and checked on."""
        self.reason = reason
        self.bank = bank
        self.recorder = recorder
        self.view = view
        self.seed = seed
        self.home = home
        self.session_id = recorder.start_session("interview")
        self.questions: list[QuestionEvidence] = []
        self.implement: ImplementEvidence | None = None
        self.gradient: ImplementEvidence | None = None
        self.notes: list[str] = []
        self.steps_done = 0
        self.sandbox: SandboxLike | None = None
        self.start = 0.0
        self.deadline = 0.0

    def run(self) -> ScoreSheet:
        plan = self.plan
        started_wall = time.time()
        self.start = time.monotonic()
        self.deadline = self.start + plan.minutes * 60
        task_item = self.bank.implement(plan.task)
        if task_item is None:  # the plan was made from this bank: cannot happen
            raise KeyError(plan.task)
        self.view.intro(plan, task_item.function, self.reason)
        try:
            self._start_sandbox()
            for n, step in enumerate(plan.steps, 1):
                left = self.deadline - time.monotonic()
                if left <= 0:
                    self.notes.append(f"the time ran out before step {n}")
                    break
                self.view.step(n, len(plan.steps), step, left)
                if step.kind in QUESTION_STEPS:
                    self._question(step)
                else:
                    self._implement(step)
                self.steps_done += 1
        except TimeUp:
            pass  # noted where it happened
        except (Ended, KeyboardInterrupt):
            self.view.ended_early()
            self.notes.append(f"ended early, during step {self.steps_done + 1}")
        finally:
            if self.sandbox is not None:
                self.sandbox.close()
        return score_sheet(
            plan.task,
            task_item.topic,
            self.implement,
            self.gradient,
            self.questions,
            started=started_wall,
            finished=time.time(),
            minutes=plan.minutes,
            steps_done=self.steps_done,
            steps_planned=len(plan.steps),
            notes=self.notes,
            questions_planned=sum(1 for s in plan.steps if s.kind in QUESTION_STEPS),
        )

    def record(self, sheet: ScoreSheet) -> None:
        """Store the sheet (where the recorder keeps interviews) and end the recorder's session."""
        data = sheet.to_dict()
        data["seed"] = self.seed
        record = getattr(self.recorder, "record_interview", None)
        if callable(record):
            record(data)
        self.recorder.end_session(
            self.session_id,
            {
                "task": self.plan.task,
                "score": data["score"],
                "verdict": data["verdict"],
                "complete": data["complete"],
            },
        )

    # -- questions ----------------------------------------------------------------------

    def _question(self, step: Step) -> None:
        from lossdrill.quiz.select import item_rng

        item = self.bank.get(step.item_id) if step.item_id else None
        if item is None:  # the plan takes its questions from this bank: nothing to ask
            self.notes.append(f"step “{step.title}” had no question")
            return
        expected = None
        if isinstance(item, NumericItem):
            from lossdrill.bank.formula import evaluate

            try:
                expected = evaluate(item.formula)
            except Exception as exc:  # noqa: BLE001 - a broken item is skipped, not fatal
                self.view.broken_item(item.id, str(exc))
                return
        # The clock can run out while the question waits: say so at once (a timer), and
        # an answer given after that does not count.
        timer = threading.Timer(
            max(0.0, self.deadline - time.monotonic()), self.view.time_up_in_question
        )
        timer.daemon = True
        timer.start()
        try:
            result = self.view.ask_question(
                item, item_rng(self.seed, item.id), expected, self.session_id
            )
        finally:
            timer.cancel()
        if result is None:
            raise Ended
        if time.monotonic() > self.deadline:
            self.notes.append(f"the time ran out during “{step.title}”: its answer does not count")
            raise TimeUp
        self.questions.append(
            QuestionEvidence(
                step.title, item.id, item.topic, result.correct, result.score, result.response
            )
        )
        self.recorder.record_quiz_answer(result)

    # -- implement ----------------------------------------------------------------------

    def _start_sandbox(self) -> None:
        try:
            from lossdrill.checker.frameworks import sandbox_options
            from lossdrill.checker.sandbox import Sandbox

            sandbox = Sandbox(**sandbox_options(self.framework))
            sandbox.start()
            self.sandbox = sandbox
        except Exception as exc:  # noqa: BLE001 - reported, and each check will retry
            self.view.worker_failed(str(exc))
            self.sandbox = None

    def _check(self, task: str, path: Path) -> CheckResult | None:
        from lossdrill.checker import run_check

        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.view.unreadable(path, str(exc))
            return None
        try:
            return run_check(
                task,
                source,
                seed=self.seed,
                bank=self.bank,
                sandbox=self.sandbox,
                filename=str(path),
                sweep=False,
                framework=self.framework,
            )
        except Exception as exc:  # noqa: BLE001 - a checker failure must not end the interview
            self.view.check_failed(str(exc))
            return None

    def _implement(self, step: Step) -> None:
        from lossdrill.checker.tasks import TASKS

        spec = TASKS[step.task]
        item = self.bank.implement(step.task)
        wall = time.time() - 1.0  # a second's margin for file systems with coarse times
        if self.framework != "numpy":
            from lossdrill.checker.frameworks.content import track_item

            item = track_item(item, self.framework, spec.signature())
        path = self._write_starter(step.task, spec, item)
        start = time.monotonic()
        box = max(60.0, min(step.minutes * 60, self.deadline - start))
        self.view.task(spec, item, path, round(box / 60, 1), self.framework)
        state = Attempt(
            task=step.task,
            spec=spec,
            current=path,
            start=start,
            deadline=start + box,
            starter=path.read_text(encoding="utf-8"),
            started_wall=wall,
        )
        interrupted = True
        try:
            with self.view.timed(step.task, state.deadline):
                self._implement_loop(state)
            interrupted = False
        except (Ended, KeyboardInterrupt):
            self._final_check(state)
            raise
        finally:
            # Cut short before any check, the step was not really taken: not assessed.
            if not (interrupted and state.checks == 0):
                seconds = (state.passed_at or time.monotonic()) - start
                evidence = implement_evidence(
                    step.task,
                    state.last,
                    seconds=seconds,
                    lines=state.lines,
                    checks=state.checks,
                    gave_up=state.gave_up,
                    time_up=state.time_up,
                )
                if step.kind == "gradient":
                    self.gradient = evidence
                else:
                    self.implement = evidence

    def _implement_loop(self, state: Attempt) -> None:
        """Read commands until a pass, giving up, or the end of the time box."""
        while state.passed_at is None:
            left = state.deadline - time.monotonic()
            if left <= 0:
                state.time_up = True
                will_check = read_source(state.current) != state.starter
                self.view.time_up(will_check)
                if will_check:
                    self._check_and_record(state)
                return
            command = self.view.command(left)
            if command is None:
                raise Ended
            lowered = command.lower()
            if lowered in ("q", "quit", "give up"):
                state.gave_up = True
                return
            if lowered.startswith("file "):
                candidate = Path(command[5:].strip()).expanduser()
                if not candidate.is_file():
                    self.view.no_such_file(candidate)
                    continue
                state.current = candidate
            elif lowered not in ("c", "check"):
                if command:
                    self.view.unknown_command()
                continue
            self._check_and_record(state)

    def _final_check(self, state: Attempt) -> None:
        """Ended during the step: the code written so far is checked once, as an interviewer
        would read it, unless it is the starter or was checked as it stands (a second
        Ctrl-C skips it)."""
        source = read_source(state.current)
        if (
            state.passed_at is not None
            or state.check_cut_short
            or source in (state.starter, state.checked_source)
        ):
            return
        self.view.final_check()
        try:
            self._check_and_record(state)
        except KeyboardInterrupt:
            pass

    def _check_and_record(self, state: Attempt) -> None:
        from lossdrill.checker.source import solution_lines

        try:
            with self.view.checking():
                result = self._check(state.task, state.current)
        except KeyboardInterrupt:
            state.check_cut_short = True  # Ctrl-C during a check: the learner wants out
            raise
        if result is None:
            return
        state.checks += 1
        state.last = result
        state.checked_source = read_source(state.current)
        state.lines = solution_lines(state.checked_source, state.spec.function)
        self.view.result(result, state.lines)
        # A file last changed before the step began (``file PATH`` to an old solution) was
        # not written in this step: a re-check, not a timed pass.
        try:
            written_before = state.current.stat().st_mtime < state.started_wall
        except OSError:
            written_before = False
        kind = "recheck" if written_before else "timed"
        record_attempt(
            self.recorder,
            self.session_id,
            state.task,
            result,
            time.monotonic() - state.start if kind == "timed" else 0.0,
            state.lines,
            hints_used=0,
            kind=kind,
            watch_id=f"{self.session_id}:{state.task}",
            digest=digest(state.checked_source),
        )
        if result.passed:
            state.passed_at = time.monotonic()

    def _write_starter(self, task: str, spec: TaskSpec, item: ImplementItem | None) -> Path:
        folder = work_dir(self.home)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"interview-{task}-{stamp}.py"
        n = 1
        while path.exists():  # never overwrite a file
            n += 1
            path = folder / f"interview-{task}-{stamp}-{n}.py"
        path.write_text(starter(spec, item, self.framework), encoding="utf-8")
        return path
