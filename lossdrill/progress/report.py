"""The progress report as data: mastery per topic, implement tasks, cards, interviews.

Everything is aggregated in SQL (the store may hold tens of thousands of rows) and then
joined with the bank in Python. :func:`build_report` is the only entry point; the rich
view (:mod:`lossdrill.ui.progress_view`) and ``--json`` both render its result.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from lossdrill.progress.readiness import ChecklistLine, evaluate_checklist
from lossdrill.store import queries
from lossdrill.store.db import Store

if TYPE_CHECKING:
    from lossdrill.bank.view import BankView

DAY = 86400.0
RECENT_ANSWERS = 20
"""Quiz accuracy of a topic is the mean score of its last this-many answers."""
TREND_SESSIONS = 10
MATURE_DAYS = 21.0
"""A card whose stability reaches this many days counts as fully learned."""

ADVICE = {
    # how to fix the mistakes whose code alone does not say it; any other code is advised
    # in the words of checker.codes
    "unstable": "you keep forgetting the max-shift / log-sum-exp trick for extreme inputs",
    "wrong-reduction": "you keep reducing wrongly: the contract wants the mean over the batch",
    "empty-batch": "you keep forgetting that an empty batch returns 0.0",
    "missing-function": "you keep naming the function differently from the contract"
    " (the starter from `lossdrill implement {task}` has the right signature)",
    "syntax-error": "your files keep failing to parse: run them once before checking",
    "exception": "your function keeps raising on some inputs (empty batches, extreme values?)",
    "timeout": "your function keeps running too long: vectorise with NumPy instead of looping",
    "memory": "your function keeps building arrays far larger than the inputs",
}


@dataclass
class TopicMastery:
    topic: str
    mastery: float | None
    """Mean of the components that have evidence (0..1); None without any."""
    quiz_answered: int
    quiz_accuracy: float | None
    """Mean score of the last answers (see :data:`RECENT_ANSWERS`)."""
    tasks: int
    tasks_passed: int
    implement: float | None
    """Share of the topic's implement tasks passed (None when none was attempted)."""
    cards: int
    cards_reviewed: int
    card_strength: float | None
    """Mean over the topic's cards of min(1, stability / 21 days); new cards count 0."""
    trend: list[float] = field(default_factory=list)
    """Quiz score per session, oldest first, over the last sessions."""


@dataclass
class WeakItem:
    item_id: str
    topic: str
    kind: str
    prompt: str
    answered: int
    accuracy: float
    last_correct: bool


@dataclass
class TaskProgress:
    task: str
    topic: str
    status: str
    """'passed', 'failing' or 'not started'."""
    attempts: int
    passes: int
    best_time_s: float | None
    """Fastest timed pass; None if never passed, or passed only by ``implement --check``."""
    fewest_lines: int | None
    hints: int
    diagnoses: list[tuple[str, int]]
    """Most frequent diagnosis codes, with counts."""
    advice: str | None


@dataclass
class CardsProgress:
    total: int
    reviewed: int
    new: int
    due_now: int
    due_by_day: list[tuple[str, int]]
    """Cards falling due on each of the next 7 days (today first), not counting those due now."""
    retention: float | None
    """Share of reviews of mature cards (review state) not rated Again, last 30 days."""
    retention_reviews: int
    reviews_total: int
    new_started_today: int = 0
    """New cards given their first review today (the flashcards command shows 10 a day)."""
    """Every logged review, cram reviews included."""


@dataclass
class InterviewResult:
    started: float
    task: str | None
    score: float | None
    """As the score sheet gave it (``lossdrill interview``: 0..1)."""
    finished: float | None
    verdict: str | None = None


@dataclass
class FrameworkProgress:
    framework: str
    tried: int
    passed: int
    total: int
    """Tasks available on the track."""


@dataclass
class ProgressReport:
    generated: float
    empty: bool
    topics: list[TopicMastery]
    weakest: list[WeakItem]
    tasks: list[TaskProgress]
    cards: CardsProgress
    checklist: list[ChecklistLine]
    interviews: list[InterviewResult]
    frameworks: list[FrameworkProgress] = field(default_factory=list)
    """Per framework track tried: tasks tried and passed (the NumPy track included)."""

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def build_report(store: Store, bank: BankView, now: float | None = None) -> ProgressReport:
    now = time.time() if now is None else now
    empty = queries.is_empty(store)
    tasks = _tasks(store, bank)
    cards = _cards(store, bank, now)
    return ProgressReport(
        generated=now,
        empty=empty,
        topics=_topics(store, bank, tasks, now),
        weakest=_weakest(store, bank),
        tasks=tasks,
        cards=cards,
        checklist=evaluate_checklist(store, bank, now),
        interviews=_interviews(store),
        frameworks=_frameworks(store, len(tasks)),
    )


def _frameworks(store: Store, total: int) -> list[FrameworkProgress]:
    """Evidence per track, NumPy first; a track appears once an attempt was made on it."""
    tallies = queries.framework_passes(store)
    order = ["numpy", "torch", "jax"]
    names = [f for f in order if f in tallies] + sorted(set(tallies) - set(order))
    return [FrameworkProgress(f, tallies[f].total, tallies[f].good, total) for f in names]


def _topics(
    store: Store, bank: BankView, tasks: list[TaskProgress], now: float
) -> list[TopicMastery]:
    answered = queries.answers_by_topic(store)
    topics = sorted({i.topic for i in bank.items} | set(answered))
    recent: dict[str, float | None] = {}
    trends: dict[str, list[float]] = {}
    for topic in answered:
        # Index range scans (topic, at): a handful of rows whatever the history's length.
        recent[topic] = queries.recent_accuracy(store, topic, RECENT_ANSWERS)
        trends[topic] = queries.topic_trend(store, topic, TREND_SESSIONS)

    bank_cards = {c.id: c.topic for c in bank.cards()}
    strength: dict[str, list[float]] = defaultdict(list)
    reviewed: dict[str, int] = defaultdict(int)
    for card in queries.card_states(store):
        card_topic = bank_cards.get(card.card_id)
        if card_topic is None:
            continue
        if card.state != 0:
            reviewed[card_topic] += 1
        strength[card_topic].append(
            min(1.0, (card.stability or 0.0) / MATURE_DAYS) if card.state else 0.0
        )
    card_total: dict[str, int] = defaultdict(int)
    for topic in bank_cards.values():
        card_total[topic] += 1

    task_by_topic: dict[str, list[TaskProgress]] = defaultdict(list)
    for t in tasks:
        task_by_topic[t.topic].append(t)

    out = []
    for topic in topics:
        accuracy = recent.get(topic)
        topic_tasks = task_by_topic.get(topic, [])
        attempted = [t for t in topic_tasks if t.attempts]
        passed = sum(1 for t in topic_tasks if t.status == "passed")
        implement = passed / len(topic_tasks) if attempted else None
        strengths = strength.get(topic, [])
        n_cards = card_total.get(topic, 0)
        card_strength = sum(strengths) / n_cards if reviewed.get(topic) and n_cards else None
        parts = [p for p in (accuracy, implement, card_strength) if p is not None]
        trend = trends.get(topic, [])
        out.append(
            TopicMastery(
                topic=topic,
                mastery=sum(parts) / len(parts) if parts else None,
                quiz_answered=int(answered.get(topic, 0)),
                quiz_accuracy=accuracy,
                tasks=len(topic_tasks),
                tasks_passed=passed,
                implement=implement,
                cards=n_cards,
                cards_reviewed=reviewed.get(topic, 0),
                card_strength=card_strength,
                trend=trend,
            )
        )
    return out


def _weakest(store: Store, bank: BankView, limit: int = 5) -> list[WeakItem]:
    out = []
    for row in queries.weakest_items(store, limit):
        item = bank.get(row.item_id)
        prompt = item.prompt.strip().splitlines()[0] if item and item.prompt.strip() else ""
        out.append(
            WeakItem(
                row.item_id,
                row.topic,
                row.kind,
                prompt,
                row.answers,
                row.accuracy,
                row.last_correct,
            )
        )
    return out[:limit]


def _tasks(store: Store, bank: BankView) -> list[TaskProgress]:
    stats = queries.task_stats(store)
    hints = queries.hint_levels(store)
    diagnoses = queries.diagnosis_counts(store)
    bank_tasks = bank.tasks()
    ids = [t.id for t in bank_tasks] + sorted(set(stats) - {t.id for t in bank_tasks})
    topic = {t.id: t.topic for t in bank_tasks}
    out = []
    for task in ids:
        st = stats.get(task, queries.TaskStats(0, 0, None, None))
        attempts, passes, best, fewest = st.attempts, st.passes, st.best_time_s, st.fewest_lines
        status = "passed" if passes else ("failing" if attempts else "not started")
        top = diagnoses.get(task, [])[:3]
        advice = None
        if top and top[0][1] >= 2:
            code = top[0][0]
            advice = _advice(code).replace("{task}", task)
        out.append(
            TaskProgress(
                task=task,
                topic=topic.get(task, ""),
                status=status,
                attempts=int(attempts),
                passes=int(passes or 0),
                best_time_s=best,
                fewest_lines=fewest,
                hints=int(hints.get(task, 0)),
                diagnoses=top,
                advice=advice,
            )
        )
    return out


def _advice(code: str) -> str:
    from lossdrill.checker.codes import CODES

    if code in ADVICE:
        return ADVICE[code]
    if code in CODES:
        return f"you keep making one mistake: {CODES[code]}"
    return f"your most frequent mistake: {code}"


def _cards(store: Store, bank: BankView, now: float) -> CardsProgress:
    bank_ids = {c.id for c in bank.cards()}
    today = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
    edges = [(today + timedelta(days=d)).timestamp() for d in range(8)]
    by_day = [0] * 7
    reviewed = due_now = 0
    for card in queries.card_states(store):
        card_id, due = card.card_id, card.due
        if card.state == 0 or card_id not in bank_ids:
            continue
        reviewed += 1
        if due is None:
            continue
        if due <= now:
            due_now += 1
            continue
        for d in range(7):
            if edges[d] <= due < edges[d + 1]:
                by_day[d] += 1
                break
    labels = ["today", "tomorrow"] + [
        (today + timedelta(days=d)).strftime("%a") for d in range(2, 7)
    ]
    kept = queries.retention(store, now - 30 * DAY)
    return CardsProgress(
        total=len(bank_ids),
        reviewed=reviewed,
        new=len(bank_ids) - reviewed,
        due_now=due_now,
        due_by_day=list(zip(labels, by_day, strict=True)),
        retention=(kept.kept / kept.reviews) if kept.reviews else None,
        retention_reviews=kept.reviews,
        reviews_total=queries.reviews_total(store),
        new_started_today=store.new_cards_reviewed_since(today.timestamp()),
    )


def _interviews(store: Store) -> list[InterviewResult]:
    return [
        InterviewResult(r.started, r.task, r.score, r.finished, r.verdict)
        for r in queries.recent_interviews(store, 10)
    ]
