"""Today's plan: what to practise, in which drill, for how many minutes.

Pure and deterministic: everything it reads is an argument (the clock included), so a
test, the benchmark (``benchmarks/bench_planner.py``) and ``lossdrill today`` get the same
plan from the same state.

Candidates are scored and taken greedily, highest first, while the day's minutes last.

1. **A mock interview** when the interview is at most :data:`MOCK_WITHIN_DAYS` days away,
   none was done in the last :data:`MOCK_EVERY_DAYS` days, and the day's minutes leave
   :data:`MOCK_SPARE_MINUTES` for reviews besides (in the final days it may fill the day).
2. **With an interview date (deadline mode)** every item is scored by its expected gain in
   retrievability *on the interview day* per minute (:func:`expected_gain`): due items,
   items whose recall on the day would fall under :data:`TARGET_R` (pulled in, so the
   review carries to the day), new items (whose first exposure gains most early on), and
   items that repair an active misconception (:data:`REPAIR_VALUE` extra). An implement
   task weighs :data:`TASK_VALUE` questions. New material stops :data:`NEW_STOP_DAYS` days
   before the date; the last :data:`FINAL_DAYS` + 1 days are reviews and a mock.
3. **Without a date (open mode)**: FSRS's due items first (the most forgotten first), then
   items repairing an active misconception, then new material spread over topics, at most
   :func:`new_quota` items and :data:`NEW_CARDS_PER_DAY` cards a day.

At most one implement task a day (a re-implementation from a blank starter when it was
passed before).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zlib import crc32

from lossdrill.schedule.memory import DEFAULT_CURVE, NEW, Curve, Memory

DAY = 86400.0
TARGET_R = 0.9
NEW_STOP_DAYS = 3
"""No new material enters in the last this-many days before the interview."""
FINAL_DAYS = 1
"""The interview's eve and day: reviews and a mock only."""
MOCK_WITHIN_DAYS = 7
MOCK_EVERY_DAYS = 2
MOCK_MINUTES = 20.0
MOCK_SPARE_MINUTES = 10.0
"""Before the final days a mock is planned only when this much time is left for reviews."""
NEW_CARDS_PER_DAY = 10
GROWTH = 30.0
MAX_RANKED = 2000
"""Deadline mode keeps the best this-many candidates (a day holds far fewer)."""
TASK_VALUE = 6.0
"""An implement task written from memory weighs as much as this many questions (it is a
readiness line of its own and the core of the interview)."""
REPAIR_VALUE = 0.3
"""Extra gain credited to an item that repairs an active misconception (at full weight):
repairing it lifts every item that names it."""

MINUTES = {
    "card": 0.5,
    "choice": 1.0,
    "multi": 1.5,
    "numeric": 2.0,
    "recall": 2.5,
    "scenario": 3.0,
    "bug-hunt": 3.0,
    "implement": 12.0,
}
"""Estimated minutes per item, by kind (an implement includes reading the verdict)."""

DRILLS = ("interview", "flashcards", "quiz", "implement")


@dataclass(frozen=True)
class Candidate:
    """One schedulable item as the planner sees it."""

    kind: str
    """Bank kind of a quiz item (choice ... bug-hunt), ``implement`` or ``card``."""
    item_id: str
    topic: str
    memory: Memory | None = None
    """None: never practised."""
    misconceptions: tuple[str, ...] = ()

    @property
    def minutes(self) -> float:
        return MINUTES.get(self.kind, 2.0)

    @property
    def drill(self) -> str:
        return {"card": "flashcards", "implement": "implement"}.get(self.kind, "quiz")


@dataclass(frozen=True)
class Settings:
    interview: date | None = None
    minutes: int = 20


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    reason: str
    """``due``, ``misconception``, ``deadline`` or ``new``."""
    score: float


@dataclass(frozen=True)
class Step:
    drill: str
    picks: tuple[Pick, ...]
    minutes: float

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(p.candidate.item_id for p in self.picks)


@dataclass(frozen=True)
class Plan:
    today: date
    settings: Settings
    days_left: int | None
    phase: str
    """``open`` (no interview date), ``build``, ``review`` (no new material) or ``final``."""
    steps: tuple[Step, ...]
    due_total: int
    """Items due today, whether or not they fit."""
    misconceptions: tuple[tuple[str, float], ...] = ()
    """Active misconceptions, strongest first."""
    mock: bool = False

    @property
    def minutes(self) -> float:
        return sum(s.minutes for s in self.steps)

    def step(self, drill: str) -> Step | None:
        return next((s for s in self.steps if s.drill == drill), None)


@dataclass
class _Budget:
    left: float
    new_left: int
    new_cards_left: int
    implement_taken: bool = False
    chosen: list[Pick] = field(default_factory=list)


def phase_of(days_left: int | None) -> str:
    if days_left is None:
        return "open"
    if days_left <= FINAL_DAYS:
        return "final"
    if days_left <= NEW_STOP_DAYS:
        return "review"
    return "build"


def new_quota(minutes: float) -> int:
    """New (non-card) items a day: about one per four minutes of practice."""
    return max(2, int(minutes // 4))


def interview_instant(day: date) -> float:
    """The interview is taken to be at noon UTC of its day."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc).timestamp()


def plan_day(
    now: float,
    candidates: Sequence[Candidate],
    settings: Settings,
    *,
    curve: Curve = DEFAULT_CURVE,
    misconceptions: Mapping[str, float] | None = None,
    last_interview: float | None = None,
    new_cards_today: int = 0,
) -> Plan:
    today = datetime.fromtimestamp(now, tz=timezone.utc).date()
    end_of_today = interview_instant(today) + 12 * 3600
    days_left = (settings.interview - today).days if settings.interview else None
    if days_left is not None and days_left < 0:
        days_left = None  # the date has passed: plan as if none was set
    phase = phase_of(days_left)
    target = (
        interview_instant(settings.interview)
        if days_left is not None and settings.interview is not None
        else None
    )
    active = dict(misconceptions or {})
    budget = _Budget(
        float(settings.minutes),
        new_quota(settings.minutes),
        max(0, NEW_CARDS_PER_DAY - new_cards_today),
    )

    mock = (
        days_left is not None
        and days_left <= MOCK_WITHIN_DAYS
        and (last_interview is None or now - last_interview >= MOCK_EVERY_DAYS * DAY - 3600)
        and budget.left >= MOCK_MINUTES + (0 if phase == "final" else MOCK_SPARE_MINUTES)
    )
    if mock:
        budget.left -= MOCK_MINUTES

    new_allowed = phase in ("open", "build")
    if target is not None:
        budget.new_left = budget.new_cards_left = len(candidates)  # the gain decides
        scored, due_total = _deadline_scores(
            now, end_of_today, target, candidates, curve, active, new_allowed
        )
    else:
        scored, due_total = _open_scores(now, end_of_today, candidates, curve, active)
    scored.sort(key=lambda p: -p.score)  # stable: keeps the tie order of the scoring
    for pick in scored:
        if budget.left < 0.5:
            break
        _take(pick, budget)
    steps = _steps(budget.chosen, mock)
    ranked = tuple(sorted(active.items(), key=lambda kv: (-kv[1], kv[0])))
    return Plan(today, settings, days_left, phase, steps, due_total, ranked, mock)


def expected_gain(
    curve: Curve, memory: Memory | None, now: float, target: float, r_day: float | None = None
) -> float:
    """Expected rise in retrievability on the interview day from practising the item now.

    A ranking heuristic, not the schedule (FSRS schedules every graded answer). A first
    exposure is taken to succeed half the time, leaving FSRS's initial stability for Good
    or Again. A review succeeds with the current retrievability R and multiplies stability
    by ``1 + 30·(e^(0.8·(1-R)) - 1)`` (the shape of FSRS-6's stability increase for a
    medium difficulty: large when the item is half forgotten, near 1 when it is fresh); a
    lapse leaves 0.3 of it (at least the initial Again stability).
    """
    days = max(0.0, (target - now) / DAY)
    again, _, good, _ = curve.initial
    if memory is None or memory.state == NEW or memory.stability is None:
        return 0.5 * curve.after_days(good, days) + 0.5 * curve.after_days(again, days)
    s = memory.stability
    r_now = curve.retrievability(s, memory.last_review, now)
    if r_day is None:
        r_day = curve.retrievability(s, memory.last_review, target)
    grown = s * (1 + GROWTH * (math.exp(0.8 * (1 - r_now)) - 1))
    lapsed = max(again, 0.3 * s)
    after = r_now * curve.after_days(grown, days) + (1 - r_now) * curve.after_days(lapsed, days)
    return after - r_day


def _deadline_scores(
    now: float,
    end_of_today: float,
    target: float,
    candidates: Sequence[Candidate],
    curve: Curve,
    active: Mapping[str, float],
    new_allowed: bool,
) -> tuple[list[Pick], int]:
    """Deadline mode: expected gain on the day per minute, plus misconception repair.

    The arithmetic of :func:`expected_gain` and :meth:`Curve.retrievability`, inlined: this
    loop runs over every item of the banks each time a plan is made.
    """
    rows: list[tuple[float, int, str, Candidate]] = []
    due_total = 0
    new_gain = expected_gain(curve, None, now, target)
    factor, decay = curve.factor, -curve.decay
    again = curve.initial[0]
    days = max(0.0, (target - now) / DAY)
    exp, floor = math.exp, math.floor
    for c in candidates:
        boost = 0.0
        if active and c.misconceptions:
            boost = min(1.0, max(active.get(m, 0.0) for m in c.misconceptions))
        m = c.memory
        if m is None or m.state == NEW or m.stability is None or m.last_review is None:
            if not new_allowed and not boost:
                continue
            reason, gain = ("misconception" if boost else "new"), new_gain
        else:
            due = m.due is not None and m.due <= end_of_today
            due_total += due
            s = m.stability
            r_day = (1 + factor * max(0, floor((target - m.last_review) / DAY)) / s) ** decay
            if not due and not boost and r_day >= TARGET_R:
                continue  # already recalled on the day as FSRS aims: no pull-in needed
            reason = "misconception" if boost else "due" if due else "deadline"
            r_now = (1 + factor * max(0, floor((now - m.last_review) / DAY)) / s) ** decay
            grown = s * (1 + GROWTH * (exp(0.8 * (1 - r_now)) - 1))
            lapsed = max(again, 0.3 * s)
            gain = (
                r_now * (1 + factor * days / grown) ** decay
                + (1 - r_now) * (1 + factor * days / lapsed) ** decay
                - r_day
            )
        gain += REPAIR_VALUE * boost
        if gain > 0:
            value = TASK_VALUE if c.kind == "implement" else 1.0
            # Ties (new items all gain alike) broken in a fixed pseudo-random order, so
            # new material is not taken alphabetically (one topic, one kind at a time).
            rows.append(
                (-value * gain / MINUTES.get(c.kind, 2.0), crc32(c.item_id.encode()), reason, c)
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    return [Pick(c, reason, -score) for score, _, reason, c in rows[:MAX_RANKED]], due_total


def _open_scores(
    now: float,
    end_of_today: float,
    candidates: Sequence[Candidate],
    curve: Curve,
    active: Mapping[str, float],
) -> tuple[list[Pick], int]:
    """No interview date: FSRS's due items first, then misconception repair, then new."""
    scored: list[Pick] = []
    due_total = 0
    topic_rank: dict[str, int] = {}
    for c in sorted(candidates, key=lambda c: _tiebreak(c.item_id)):
        boost = max((active.get(m, 0.0) for m in c.misconceptions), default=0.0)
        boost = min(1.0, boost)
        m = c.memory
        if m is None or m.state == NEW:
            rank = topic_rank.get(c.topic, 0)
            topic_rank[c.topic] = rank + 1
            if boost:
                scored.append(Pick(c, "misconception", 40 + 30 * boost - 0.001 * rank))
            else:
                scored.append(Pick(c, "new", 20 - 0.01 * rank))
            continue
        r_now = curve.retrievability(m.stability, m.last_review, now)
        if m.due is not None and m.due <= end_of_today:
            due_total += 1
            scored.append(Pick(c, "due", 100 + 50 * (1 - r_now) + 30 * boost))
        elif boost:
            scored.append(Pick(c, "misconception", 60 + 30 * boost))
    return scored, due_total


def _take(pick: Pick, budget: _Budget) -> None:
    c = pick.candidate
    if c.minutes > budget.left:
        return
    if c.kind == "implement":
        if budget.implement_taken:
            return
        budget.implement_taken = True
    elif pick.reason in ("new", "misconception") and (c.memory is None or c.memory.state == NEW):
        if c.kind == "card":
            if budget.new_cards_left <= 0:
                return
            budget.new_cards_left -= 1
        else:
            if budget.new_left <= 0:
                return
            budget.new_left -= 1
    budget.left -= c.minutes
    budget.chosen.append(pick)


def _steps(chosen: list[Pick], mock: bool) -> tuple[Step, ...]:
    by_drill: dict[str, list[Pick]] = {}
    for p in chosen:
        by_drill.setdefault(p.candidate.drill, []).append(p)
    steps = []
    if mock:
        steps.append(Step("interview", (), MOCK_MINUTES))
    for drill in DRILLS[1:]:
        picks = by_drill.get(drill)
        if picks:
            steps.append(Step(drill, tuple(picks), sum(p.candidate.minutes for p in picks)))
    return tuple(steps)


def _tiebreak(item_id: str) -> int:
    """A fixed pseudo-random order (so new items are not taken alphabetically)."""
    return crc32(item_id.encode())


def days_until(today: date, interview: date | None) -> int | None:
    return None if interview is None else (interview - today).days


def new_stop_day(interview: date) -> date:
    """The first day on which no new material enters."""
    return interview - timedelta(days=NEW_STOP_DAYS)


def clamp_minutes(minutes: float) -> float:
    return max(1.0, math.floor(minutes))
