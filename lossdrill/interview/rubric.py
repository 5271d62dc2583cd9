"""The interviewer's rubric: evidence in, a score sheet out (pure data, no printing).

Five criteria, each scored 0–4 with the evidence behind the score and one concrete thing
to practise next, as a command:

* correctness — the functional case groups (edge, dtypes, params, random) and the gradient;
* numerical stability — the ``stability`` group and the ``unstable`` diagnosis;
* edge cases — the ``edge`` and ``dtypes`` groups and the contract diagnoses;
* speed — time to the first pass against the lecture's target (under 10 minutes) and the
  solution's length (5–8 lines);
* concepts — the quiz answers (warm-ups, scenario, production).

A step that was not reached or not answered scores 0: the implement criteria of an
implement step never reached (or never checked), and each planned question left unanswered
counts as a wrong answer in ``concepts``. An interview that ended before its last step is
*incomplete*: the sheet says "incomplete: k of n steps" and its verdict is ``incomplete``
(never better). Stability and edge cases are *not assessed* (and do not count towards the
total) when the ordinary random cases fail too and no stability or contract mistake was
diagnosed: a wrong formula fails the extreme and edge cases as well, and says nothing about
either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from lossdrill.implement import TARGET_LINES, TARGET_MINUTES

MAX_POINTS = 4

FUNCTIONAL_GROUPS = ("edge", "dtypes", "params", "random")
EDGE_GROUPS = ("edge", "dtypes")
EDGE_CODES = ("empty-batch", "mutates-input", "wrong-shape", "wrong-type", "label-convention")


def next_task(task: str) -> str:
    """A related loss to practise once ``task`` is mastered (from its record; "" if none)."""
    from lossdrill.bank.tasks import record

    rec = record(task)
    return rec.next_task if rec is not None else ""


@dataclass(frozen=True)
class GroupEvidence:
    name: str
    total: int
    failed: int

    @property
    def passed(self) -> bool:
        return self.failed == 0


@dataclass(frozen=True)
class ImplementEvidence:
    """How an implement (or gradient) step went: the last check of the submission."""

    task: str
    checked: bool
    """At least one check ran."""
    passed: bool = False
    groups: tuple[GroupEvidence, ...] = ()
    diagnoses: tuple[tuple[str, str], ...] = ()
    """(code, message) of the last failing check."""
    seconds: float = 0.0
    """From the start of the step to the first pass (or to the end of the step)."""
    lines: int = 0
    checks: int = 0
    gave_up: bool = False
    time_up: bool = False

    def group(self, name: str) -> GroupEvidence | None:
        return next((g for g in self.groups if g.name == name), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.diagnoses)


@dataclass(frozen=True)
class QuestionEvidence:
    """One quiz question of the interview."""

    step: str
    """``when to use it``, ``how it fails``, ``a scenario``, ``in production``."""
    item_id: str
    topic: str
    correct: bool
    score: float
    response: str = ""


@dataclass(frozen=True)
class Practice:
    command: str
    why: str


@dataclass(frozen=True)
class Criterion:
    name: str
    points: int | None
    """0–4, or None when not assessed."""
    evidence: tuple[str, ...]
    practise: Practice


@dataclass(frozen=True)
class ScoreSheet:
    task: str
    criteria: tuple[Criterion, ...]
    complete: bool
    """Every step was reached."""
    started: float
    finished: float
    minutes: int
    steps_done: int
    steps_planned: int
    notes: tuple[str, ...] = field(default=())

    @property
    def assessed(self) -> list[Criterion]:
        return [c for c in self.criteria if c.points is not None]

    @property
    def score(self) -> float | None:
        """0..1 over the assessed criteria; None when nothing was assessed."""
        assessed = self.assessed
        if not assessed:
            return None
        return sum(c.points or 0 for c in assessed) / (MAX_POINTS * len(assessed))

    @property
    def verdict(self) -> str:
        """``strong`` / ``pass`` / ``borderline`` / ``not yet`` from the score of a complete
        interview; ``incomplete`` for one that ended before its last step, whatever its score
        (the score itself counts the steps not reached as 0)."""
        s = self.score
        if not self.complete:
            return "incomplete"
        if s is None:
            return "not assessed"
        if s >= 0.85:
            return "strong"
        if s >= 0.65:
            return "pass"
        if s >= 0.45:
            return "borderline"
        return "not yet"

    @property
    def status(self) -> str:
        """``"incomplete: 1 of 6 steps"`` for an interview that ended early, else ``""``."""
        if self.complete:
            return ""
        return f"incomplete: {self.steps_done} of {self.steps_planned} steps"

    def to_dict(self) -> dict:
        """The sheet as JSON-ready data (what the progress store keeps)."""
        out = asdict(self)
        out["score"] = None if self.score is None else round(self.score, 4)
        out["verdict"] = self.verdict
        out["status"] = self.status
        out["elapsed_s"] = round(self.finished - self.started, 1)
        out["max_points"] = MAX_POINTS
        return out


def implement_evidence(
    task: str,
    result: Any | None,
    *,
    seconds: float,
    lines: int = 0,
    checks: int = 0,
    gave_up: bool = False,
    time_up: bool = False,
) -> ImplementEvidence:
    """Evidence from the last check of a step (a ``CheckResult`` or anything shaped like it)."""
    if result is None:
        return ImplementEvidence(
            task, False, seconds=seconds, lines=lines, gave_up=gave_up, time_up=time_up
        )
    groups = tuple(GroupEvidence(g.name, int(g.total), int(g.failed)) for g in result.groups)
    diagnoses = tuple((d.code, d.message) for d in result.diagnoses)
    return ImplementEvidence(
        task, True, bool(result.passed), groups, diagnoses, seconds, lines, checks, gave_up, time_up
    )


def _fmt_time(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}m {s:02d}s"


def _groups_line(ev: ImplementEvidence) -> str:
    return "groups: " + ", ".join(
        f"{g.name} {'✓' if g.passed else f'✗ {g.failed}/{g.total} failed'}" for g in ev.groups
    )


def _not_checked(name: str, task: str) -> Criterion:
    return Criterion(
        name,
        0,
        ("the implement step was not reached",),
        Practice(f"lossdrill implement {task}", "write it from scratch against the checker"),
    )


def _case_share(ev: ImplementEvidence, names: Sequence[str]) -> float | None:
    groups = [g for g in ev.groups if g.name in names]
    total = sum(g.total for g in groups)
    if not total:
        return None
    return 1.0 - sum(g.failed for g in groups) / total


def _ordinary_failures(ev: ImplementEvidence) -> str:
    """``"12 of 200 random cases"`` when the ordinary (random) cases fail too, else ``""``."""
    group = ev.group("random")
    if group is None or group.passed:
        return ""
    return f"{group.failed} of {group.total} ordinary random cases"


def correctness(
    task: str, ev: ImplementEvidence | None, grad: ImplementEvidence | None
) -> Criterion:
    name = "correctness"
    if ev is None:
        return _not_checked(name, task)
    if not ev.checked:
        return Criterion(
            name,
            0,
            ("no check was run on the submission",),
            Practice(f"lossdrill implement {task}", "get a first version to pass the checker"),
        )
    evidence = [_groups_line(ev)]
    share = _case_share(ev, FUNCTIONAL_GROUPS)
    functional_ok = all(g.passed for g in ev.groups if g.name in FUNCTIONAL_GROUPS)
    if functional_ok:
        points = MAX_POINTS
    else:
        points = min(MAX_POINTS - 1, int(MAX_POINTS * (share or 0.0)))
        evidence.append(f"{share or 0.0:.0%} of the functional cases right")
    evidence += [
        f"diagnosis {code}: {message}" for code, message in ev.diagnoses if code != "unstable"
    ]
    practise = Practice(f"lossdrill implement {task}", "until every case group passes")
    if grad is not None:
        if grad.passed:
            evidence.append(f"gradient follow-up {grad.task}: passed")
        else:
            what = "not attempted" if not grad.checked else "failed"
            if grad.codes:
                what += f" ({', '.join(grad.codes)})"
            evidence.append(f"gradient follow-up {grad.task}: {what}")
            points = max(0, points - 1)
            if functional_ok:
                practise = Practice(
                    f"lossdrill implement {grad.task}", "derive and code the gradient"
                )
    if points == MAX_POINTS:
        nxt = next_task(task)
        practise = (
            Practice(f"lossdrill implement {nxt}", f"the next loss to master after {task}")
            if nxt
            else Practice("lossdrill interview", "another loss")
        )
    return Criterion(name, points, tuple(evidence), practise)


def stability(task: str, ev: ImplementEvidence | None) -> Criterion:
    name = "numerical stability"
    cards = Practice(
        "lossdrill flashcards --topic stability",
        "the max-shift, logaddexp/softplus and log-sigmoid tricks",
    )
    if ev is None:
        return _not_checked(name, task)
    if not ev.checked:
        return Criterion(name, 0, ("no check was run on the submission",), cards)
    group = ev.group("stability")
    evidence = []
    unstable = [m for c, m in ev.diagnoses if c == "unstable"]
    ordinary = _ordinary_failures(ev)
    if group is not None and not group.passed and not unstable and ordinary:
        # The extreme cases fail, but so do ordinary ones: the formula is wrong before
        # it is unstable, and a stable wrong formula must not score 0 here.
        return Criterion(
            name,
            None,
            (
                f"stability group: {group.failed} of {group.total} extreme cases failed, "
                f"but so did {ordinary}: not judged until the ordinary cases pass",
            ),
            Practice(f"lossdrill implement {task}", "get the formula right, then the extremes"),
        )
    if group is None:
        points = MAX_POINTS if ev.passed else None
        evidence.append("this task has no stability group")
    elif group.passed:
        points = MAX_POINTS
        evidence.append(f"stability group: all {group.total} extreme cases right")
    else:
        points = 1 if group.failed < group.total else 0
        evidence.append(f"stability group: {group.failed} of {group.total} extreme cases failed")
    evidence += [f"diagnosis unstable: {m}" for m in unstable]
    if points == MAX_POINTS:
        cards = Practice(
            "lossdrill quiz --topic stability", "keep the tricks fresh under questions"
        )
    return Criterion(name, points, tuple(evidence), cards)


def edge_cases(task: str, ev: ImplementEvidence | None) -> Criterion:
    name = "edge cases"
    if ev is None:
        return _not_checked(name, task)
    practise = Practice(
        f"lossdrill implement {task}",
        "read the contract first: empty batch, integer and float32 inputs, shapes",
    )
    if not ev.checked:
        return Criterion(name, 0, ("no check was run on the submission",), practise)
    groups = [g for g in ev.groups if g.name in EDGE_GROUPS]
    evidence = [
        f"{g.name} group: " + ("all right" if g.passed else f"{g.failed} of {g.total} failed")
        for g in groups
    ]
    codes = [(c, m) for c, m in ev.diagnoses if c in EDGE_CODES]
    evidence += [f"diagnosis {c}: {m}" for c, m in codes]
    ordinary = _ordinary_failures(ev)
    if not codes and ordinary and not all(g.passed for g in groups):
        # No contract mistake was found: the edge cases fail for the same reason as the rest.
        evidence.append(
            f"so did {ordinary}, and no edge-case mistake was diagnosed: "
            "not judged until the ordinary cases pass"
        )
        return Criterion(
            name,
            None,
            tuple(evidence),
            Practice(f"lossdrill implement {task}", "get the formula right, then the edges"),
        )
    if all(g.passed for g in groups) and not codes:
        points = MAX_POINTS
        practise = Practice("lossdrill bughunt", "spot edge-case bugs in other people's code")
    else:
        share = _case_share(ev, EDGE_GROUPS)
        points = min(2, int(MAX_POINTS * (share or 0.0)))
        if any(c in ("empty-batch", "mutates-input") for c, _ in codes):
            practise = Practice(
                "lossdrill bughunt", "the empty batch and in-place edits, in real bugs"
            )
    return Criterion(name, points, tuple(evidence), practise)


def speed(task: str, ev: ImplementEvidence | None) -> Criterion:
    name = "speed"
    if ev is None:
        return _not_checked(name, task)
    lo, hi = TARGET_LINES
    target = TARGET_MINUTES * 60
    again = Practice(
        f"lossdrill implement {task}", f"again, until it takes under {TARGET_MINUTES} minutes"
    )
    if not ev.passed:
        how = "gave up" if ev.gave_up else ("time ran out" if ev.time_up else "not passed")
        return Criterion(name, 0, (f"no pass after {_fmt_time(ev.seconds)} ({how})",), again)
    evidence = [
        f"first pass after {_fmt_time(ev.seconds)} (target under {TARGET_MINUTES}m)",
        f"solution: {ev.lines} lines (target {lo}–{hi})",
        f"checks run: {ev.checks}",
    ]
    if ev.seconds <= target:
        points = MAX_POINTS if ev.lines <= hi else MAX_POINTS - 1
    elif ev.seconds <= 1.5 * target:
        points = 2
    else:
        points = 1
    if points == MAX_POINTS:
        nxt = next_task(task) or task
        practise = Practice(f"lossdrill implement {nxt}", "the same pace on a neighbouring loss")
    elif ev.seconds <= target:
        practise = Practice(
            f"lossdrill reveal {task}", f"compare with a {lo}–{hi} line vectorised solution"
        )
    else:
        practise = again
    return Criterion(name, points, tuple(evidence), practise)


def concepts(
    task: str, topic: str, questions: Sequence[QuestionEvidence], planned: int | None = None
) -> Criterion:
    """The mean credit over the ``planned`` questions (default: those answered); a planned
    question left unanswered scores 0."""
    name = "concepts"
    planned = len(questions) if planned is None else max(planned, len(questions))
    if not planned:
        return Criterion(
            name,
            None,
            ("no question was planned",),
            Practice(f"lossdrill quiz --topic {topic}", "when to use it and how it fails"),
        )
    if not questions:
        return Criterion(
            name,
            0,
            (f"none of the {planned} questions was answered",),
            Practice(f"lossdrill quiz --topic {topic}", "when to use it and how it fails"),
        )
    mean = sum(q.score for q in questions) / planned
    points = int(round(MAX_POINTS * mean))
    evidence = tuple(
        f"{'✓' if q.correct else '✗'} {q.step}: {q.item_id}{_answered(q)}" for q in questions
    )
    if planned > len(questions):
        unanswered = planned - len(questions)
        evidence += (f"✗ {unanswered} of {planned} questions not reached or not answered (0 each)",)
    missed = [q for q in questions if not q.correct]
    if missed:
        practise = Practice(
            f"lossdrill quiz --topic {missed[0].topic}", f"you missed {missed[0].item_id}"
        )
    else:
        practise = Practice(f"lossdrill flashcards --topic {topic}", "keep it in long-term memory")
    return Criterion(name, points, evidence, practise)


def _answered(q: QuestionEvidence) -> str:
    if q.correct:
        return ""
    if 0 < q.score < 1:
        return f" ({q.score:.0%} credit)"  # a scenario's steps or a multi-select, partly right
    if q.response.strip() in ("?", "? | ?", "") or set(q.response.replace("|", "").split()) == {
        "?"
    }:
        return " (gave up)"
    return f" (answered {q.response!r})"


def score_sheet(
    task: str,
    topic: str,
    implement: ImplementEvidence | None,
    gradient: ImplementEvidence | None,
    questions: Sequence[QuestionEvidence],
    *,
    started: float,
    finished: float,
    minutes: int,
    steps_done: int,
    steps_planned: int,
    notes: Sequence[str] = (),
    questions_planned: int | None = None,
) -> ScoreSheet:
    """The closing score sheet from the evidence gathered in the session.

    ``questions_planned``: the quiz questions the plan holds (unanswered ones score 0);
    None counts only those answered.
    """
    criteria = (
        correctness(task, implement, gradient),
        stability(task, implement),
        edge_cases(task, implement),
        speed(task, implement),
        concepts(task, topic, questions, questions_planned),
    )
    return ScoreSheet(
        task,
        criteria,
        steps_done >= steps_planned,
        started,
        finished,
        minutes,
        steps_done,
        steps_planned,
        tuple(notes),
    )
