"""The unified schedule in the store: one FSRS state per (kind, item id), and its log.

Tables (schema version 4, :mod:`lossdrill.store.migrations`):

- ``schedule``: the current FSRS state of every item that has evidence; ``kind`` is the
  bank kind of a quiz item (``choice``, ``multi``, ``numeric``, ``recall``, ``scenario``,
  ``bug-hunt``), ``implement`` for a task, ``card`` for a flashcard.
- ``schedule_log``: one row per graded piece of evidence, in the shape of Anki's revlog
  plus ``retrievability``, the probability of recall the scheduler predicted just before
  (None for a first review) and ``elapsed_days`` since the item's previous review: what
  ``progress --calibration`` scores (reviews a day or more apart, as srs-benchmark does:
  FSRS-6 counts whole days, so it predicts 1.0 for a same-day repeat).
- ``plan_settings``: the interview date and the daily minutes (``lossdrill plan``;
  :mod:`lossdrill.store.plan`).

Every ``record_*`` of :class:`lossdrill.store.db.Store` calls one hook here inside its
transaction, so an answer and its schedule change are committed together. Queries return
dataclasses; nothing here prints.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lossdrill.schedule import clock
from lossdrill.schedule.grades import card_grade, implement_grade, quiz_grade
from lossdrill.schedule.memory import Memory, is_lapse, item_scheduler, review

if TYPE_CHECKING:
    from lossdrill.recording import ImplementAttempt, QuizAnswer
    from lossdrill.store.db import Review

CARD, IMPLEMENT = "card", "implement"
DAY = 86400.0


@dataclass(frozen=True)
class ScheduledItem:
    kind: str
    item_id: str
    topic: str
    memory: Memory


@dataclass(frozen=True)
class LoggedGrade:
    """One row of ``schedule_log``."""

    kind: str
    item_id: str
    at: float
    rating: int
    source: str
    """``quiz``, ``implement``, ``review`` (a flashcard) or ``migrated-*``."""
    retrievability: float | None


# -- hooks called by Store.record_* ------------------------------------------------------


def on_quiz_answer(conn: sqlite3.Connection, answer: QuizAnswer) -> None:
    """Grade a recorded quiz answer and reschedule its item."""
    rating = quiz_grade(bool(answer.correct), float(answer.score))
    _grade(
        conn,
        answer.kind,
        answer.item_id,
        answer.topic,
        rating,
        _at(answer.at),
        "quiz",
    )


def on_implement_attempt(
    conn: sqlite3.Connection, attempt: ImplementAttempt, topic: str = ""
) -> None:
    """Grade a recorded implement attempt and reschedule its task."""
    a = attempt
    rating = implement_grade(
        bool(a.passed),
        float(a.elapsed_s),
        int(a.hints_used),
        kind=str(getattr(a, "kind", "timed")),
    )
    if rating is None:  # a re-check's pass: no evidence
        return
    _grade(conn, IMPLEMENT, a.task, topic, rating, _at(a.at), "implement")


def on_review(conn: sqlite3.Connection, r: Review) -> None:
    """Mirror a flashcard review (scheduled by the flashcard session) into the schedule."""
    if getattr(r, "cram", False):
        return
    card_grade(int(r.rating))
    row = conn.execute("SELECT topic FROM cards WHERE card_id = ?", (r.card_id,)).fetchone()
    before = scheduled(conn, CARD, r.card_id)
    predicted = None
    if before is not None and before.memory.state != 0:
        from lossdrill.schedule.memory import Curve

        predicted = Curve.of(_parameters(conn)).retrievability(
            before.memory.stability, before.memory.last_review, r.at
        )
    old = before.memory if before else Memory()
    memory = Memory(
        state=r.state_after,
        step=r.step,
        stability=r.stability,
        difficulty=r.difficulty,
        due=r.due,
        last_review=r.at,
        reps=old.reps + 1,
        lapses=old.lapses + is_lapse(int(r.rating), r.state_before),
    )
    _save(conn, CARD, r.card_id, row[0] if row else "", memory)
    elapsed = None if old.last_review is None else (r.at - old.last_review) / DAY
    _log(conn, CARD, r.card_id, r.at, int(r.rating), "review", predicted, memory, elapsed)


def _at(recorded: float) -> float:
    return clock.now() if clock.is_set() else float(recorded)


def _grade(
    conn: sqlite3.Connection,
    kind: str,
    item_id: str,
    topic: str,
    rating: int,
    at: float,
    source: str,
    scheduler: object | None = None,
) -> None:
    before = scheduled(conn, kind, item_id)
    memory = before.memory if before else Memory()
    if memory.last_review is not None and at < memory.last_review:
        at = memory.last_review  # evidence out of order (a clock set back): keep time monotone
    sched = scheduler or item_scheduler(_parameters(conn))
    after, predicted = review(sched, memory, rating, at)  # type: ignore[arg-type]
    _save(conn, kind, item_id, topic or (before.topic if before else ""), after)
    elapsed = None if memory.last_review is None else (at - memory.last_review) / DAY
    _log(conn, kind, item_id, at, rating, source, predicted, after, elapsed)


def _save(conn: sqlite3.Connection, kind: str, item_id: str, topic: str, m: Memory) -> None:
    conn.execute(
        "INSERT INTO schedule (kind, item_id, topic, state, step, stability, difficulty, due,"
        " last_review, reps, lapses) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (kind, item_id) DO UPDATE SET topic = excluded.topic,"
        " state = excluded.state, step = excluded.step, stability = excluded.stability,"
        " difficulty = excluded.difficulty, due = excluded.due,"
        " last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses",
        (
            kind,
            item_id,
            topic,
            m.state,
            m.step,
            m.stability,
            m.difficulty,
            m.due,
            m.last_review,
            m.reps,
            m.lapses,
        ),
    )


def _log(
    conn: sqlite3.Connection,
    kind: str,
    item_id: str,
    at: float,
    rating: int,
    source: str,
    predicted: float | None,
    m: Memory,
    elapsed: float | None,
) -> None:
    conn.execute(
        "INSERT INTO schedule_log (kind, item_id, at, rating, source, retrievability,"
        " elapsed_days, state_after, stability_after, difficulty_after, due)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            kind,
            item_id,
            at,
            rating,
            source,
            predicted,
            elapsed,
            m.state,
            m.stability,
            m.difficulty,
            m.due,
        ),
    )


def _parameters(conn: sqlite3.Connection) -> dict | None:
    row = conn.execute("SELECT parameters FROM scheduler WHERE id = 1").fetchone()
    return json.loads(row[0]) if row else None


# -- queries -----------------------------------------------------------------------------


def scheduled(conn: sqlite3.Connection, kind: str, item_id: str) -> ScheduledItem | None:
    row = conn.execute(
        "SELECT kind, item_id, topic, state, step, stability, difficulty, due, last_review,"
        " reps, lapses FROM schedule WHERE kind = ? AND item_id = ?",
        (kind, item_id),
    ).fetchone()
    return _item(row) if row else None


def all_scheduled(conn: sqlite3.Connection) -> list[ScheduledItem]:
    rows = conn.execute(
        "SELECT kind, item_id, topic, state, step, stability, difficulty, due, last_review,"
        " reps, lapses FROM schedule"
    ).fetchall()
    return [_item(r) for r in rows]


def graded_log(conn: sqlite3.Connection) -> list[LoggedGrade]:
    """Every logged grade, oldest first."""
    rows = conn.execute(
        "SELECT kind, item_id, at, rating, source, retrievability FROM schedule_log ORDER BY at, id"
    ).fetchall()
    return [LoggedGrade(*r) for r in rows]


def predictions(conn: sqlite3.Connection) -> list[tuple[float, int]]:
    """(predicted retrievability, recalled 0/1) of every graded review that had a prediction
    and came a day or more after the item's previous review."""
    rows = conn.execute(
        "SELECT retrievability, rating > 1 FROM schedule_log WHERE retrievability IS NOT NULL"
        " AND elapsed_days >= 1"
    ).fetchall()
    return [(float(p), int(y)) for p, y in rows]


def scheduler_parameters(conn: sqlite3.Connection) -> dict | None:
    return _parameters(conn)


@dataclass(frozen=True)
class Evidence:
    """Recent evidence the planner weighs: misses and diagnoses since ``since``."""

    wrong_answers: tuple[tuple[str, str, float], ...]
    """(item id, response, at) of wrong quiz answers."""
    right_items: tuple[tuple[str, float], ...]
    """(item id, last right answer's time)."""
    diagnoses: tuple[tuple[str, str, float], ...]
    """(task, diagnosis code, at) of failed implement attempts."""
    interviews_since: int
    """Mock interviews recorded since ``since``."""
    last_interview: float | None


def recent_evidence(conn: sqlite3.Connection, since: float) -> Evidence:
    wrong = conn.execute(
        "SELECT item_id, response, at FROM quiz_answers WHERE correct = 0 AND at >= ? ORDER BY at",
        (since,),
    ).fetchall()
    right = conn.execute(
        "SELECT item_id, max(at) FROM quiz_answers WHERE correct = 1 AND at >= ? GROUP BY item_id",
        (since,),
    ).fetchall()
    diag = conn.execute(
        "SELECT a.task, d.value, a.at FROM implement_attempts AS a, json_each(a.diagnoses) AS d"
        " WHERE a.at >= ? AND a.passed = 0",
        (since,),
    ).fetchall()
    n, last = conn.execute(
        "SELECT count(*), max(started) FROM interviews WHERE started >= ?", (since,)
    ).fetchone()
    last_any = conn.execute("SELECT max(started) FROM interviews").fetchone()[0]
    return Evidence(tuple(wrong), tuple(right), tuple(diag), int(n), last_any)


def last_session_misses(conn: sqlite3.Connection) -> list[str]:
    """Item ids answered wrong in the latest quiz or bug-hunt session that has answers."""
    row = conn.execute(
        "SELECT session_id FROM quiz_answers ORDER BY at DESC, id DESC LIMIT 1"
    ).fetchone()
    if not row:
        return []
    rows = conn.execute(
        "SELECT item_id FROM quiz_answers WHERE session_id = ? AND correct = 0 ORDER BY id",
        (row[0],),
    ).fetchall()
    return list(dict.fromkeys(r[0] for r in rows))


# -- building the schedule from the history (migration to version 4) ---------------------


def rebuild(conn: sqlite3.Connection) -> None:
    """Fill ``schedule`` and ``schedule_log`` from a version 3 history, losing nothing.

    Cards keep the FSRS state the ``cards`` table holds, and every scheduled review is
    logged with the retrievability predicted from the review before it. Quiz answers and
    implement attempts are graded (:mod:`lossdrill.schedule.grades`) and replayed in time
    order through FSRS. Runs inside the migration's transaction.
    """
    from lossdrill.schedule.memory import Curve

    params = _parameters(conn)
    sched = item_scheduler(params)
    curve = Curve.of(params)
    events: list[tuple[float, int, str, str, str, int, str]] = []
    for item_id, kind, topic, correct, score, at, rowid in conn.execute(
        "SELECT item_id, kind, topic, correct, score, at, id FROM quiz_answers"
    ):
        events.append(
            (at, rowid, kind, item_id, topic, quiz_grade(bool(correct), score), "migrated-quiz")
        )
    for task, passed, elapsed, hints, at, rowid in conn.execute(
        "SELECT task, passed, elapsed_s, hints_used, at, id FROM implement_attempts"
    ):
        rating = implement_grade(bool(passed), elapsed, hints)
        if rating is not None:  # a version 3 history has no re-checks: always graded
            events.append((at, rowid, IMPLEMENT, task, "", rating, "migrated-implement"))
    events.sort(key=lambda e: (e[0], e[6], e[1]))
    for at, _, kind, item_id, topic, rating, source in events:
        _grade(conn, kind, item_id, topic, rating, at, source, sched)

    previous: dict[str, tuple[float, float | None]] = {}
    for card_id, at, rating, stability in conn.execute(
        "SELECT card_id, at, rating, stability_after FROM reviews WHERE cram = 0 ORDER BY at, id"
    ).fetchall():
        before = previous.get(card_id)
        predicted = curve.retrievability(before[1], before[0], at) if before and before[1] else None
        conn.execute(
            "INSERT INTO schedule_log (kind, item_id, at, rating, source, retrievability,"
            " elapsed_days, stability_after) VALUES (?,?,?,?,?,?,?,?)",
            (
                CARD,
                card_id,
                at,
                rating,
                "migrated-review",
                predicted,
                (at - before[0]) / DAY if before else None,
                stability,
            ),
        )
        previous[card_id] = (at, stability)
    conn.execute(
        "INSERT INTO schedule (kind, item_id, topic, state, step, stability, difficulty, due,"
        " last_review, reps, lapses) SELECT 'card', card_id, topic, state, step, stability,"
        " difficulty, due, last_review, reps, lapses FROM cards WHERE state != 0"
    )


def _item(r: tuple) -> ScheduledItem:
    return ScheduledItem(r[0], r[1], r[2], Memory(*r[3:]))
