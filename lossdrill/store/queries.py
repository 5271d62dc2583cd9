"""The store's read side: named questions with typed answers.

Every read of the progress store outside :mod:`lossdrill.store` goes through one of these
functions; none of them writes. They take a :class:`~lossdrill.store.db.Store` and return
typed records (NamedTuples: read-only, and a tenth of a dataclass's import cost, which every
``lossdrill progress`` pays) or plain values, so a change of the schema is checked against
this module alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from lossdrill.store.db import Store

# --------------------------------------------------------------------------- implement


class SpeedEvidence(NamedTuple):
    """A task's passing attempts in a window, for the "10 minutes" checklist line."""

    best_s: float | None
    """The fastest timed pass without hints (None: there is none)."""
    passes: int
    untimed: int
    """Passes with no time: ``--check``, or a re-check of a file that already passed."""
    helped: int
    """Passes after hints."""


def speed_evidence(store: Store, task: str, since: float) -> SpeedEvidence:
    ((best, passes, untimed, helped),) = store._rows(
        "SELECT min(CASE WHEN hints_used = 0 AND kind = 'timed' AND elapsed_s > 0"
        " THEN elapsed_s END), count(*), sum(kind != 'timed' OR elapsed_s <= 0),"
        " sum(hints_used > 0)"
        " FROM implement_attempts WHERE task = ? AND passed = 1 AND at >= ?",
        (task, since),
    )
    return SpeedEvidence(best, int(passes), int(untimed or 0), int(helped or 0))


class StabilityEvidence(NamedTuple):
    tried: bool
    """An attempt in the window ran the stability group."""
    passed: bool
    """One of them passed every stability case."""


def stability_evidence(store: Store, task: str, since: float) -> StabilityEvidence:
    ((tried, ok),) = store._rows(
        "SELECT count(*), coalesce(max(json_extract(g.value, '$[2]') = 0"
        " AND json_extract(g.value, '$[1]') > 0), 0)"
        " FROM implement_attempts AS a, json_each(a.groups) AS g"
        " WHERE a.task = ? AND a.at >= ? AND json_extract(g.value, '$[0]') = 'stability'",
        (task, since),
    )
    return StabilityEvidence(bool(tried), bool(ok))


def passes_since(store: Store, task: str, since: float) -> int:
    """Passing attempts of ``task`` at or after ``since``."""
    ((passed,),) = store._rows(
        "SELECT count(*) FROM implement_attempts WHERE task = ? AND passed = 1 AND at >= ?",
        (task, since),
    )
    return int(passed)


def tasks_passed_since(store: Store, since: float) -> int:
    """How many distinct tasks passed at or after ``since``."""
    ((tasks,),) = store._rows(
        "SELECT count(DISTINCT task) FROM implement_attempts WHERE passed = 1 AND at >= ?",
        (since,),
    )
    return int(tasks)


class Slip(NamedTuple):
    task: str
    code: str


def recent_slips(store: Store, codes: Sequence[str], last: int = 10) -> list[Slip]:
    """Diagnoses among ``codes`` in the ``last`` attempts, newest first; an attempt of a
    watch session is judged by its final check, not by the saves made while working."""
    marks = ",".join("?" * len(codes))
    rows = store._rows(
        "SELECT a.task, d.value FROM (SELECT task, diagnoses, at FROM implement_attempts AS x"
        " WHERE x.watch_id IS NULL OR NOT EXISTS (SELECT 1 FROM implement_attempts AS y"
        " WHERE y.watch_id = x.watch_id AND y.task = x.task AND y.id > x.id)"
        f" ORDER BY x.at DESC LIMIT ?) AS a, json_each(a.diagnoses) AS d"
        f" WHERE d.value IN ({marks}) ORDER BY a.at DESC",
        (last, *codes),
    )
    return [Slip(task, code) for task, code in rows]


class TaskStats(NamedTuple):
    attempts: int
    passes: int
    best_time_s: float | None
    fewest_lines: int | None


def task_stats(store: Store) -> dict[str, TaskStats]:
    """Per task: attempts, passes, best time and fewest lines of a pass."""
    return {
        task: TaskStats(int(attempts), int(passes or 0), best, fewest)
        for task, attempts, passes, best, fewest in store._rows(
            "SELECT task, attempts, passes, best_time_s, fewest_lines FROM task_stats"
        )
    }


def hint_levels(store: Store) -> dict[str, int]:
    """Per task: the highest hint shown."""
    return {
        task: int(level)
        for task, level in store._rows("SELECT task, max(level) FROM hints GROUP BY task")
    }


def diagnosis_counts(store: Store) -> dict[str, list[tuple[str, int]]]:
    """Per task: (diagnosis code, times) most frequent first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for task, code, n in store._rows(
        "SELECT task, code, n FROM diagnosis_counts ORDER BY task, n DESC, code"
    ):
        out.setdefault(task, []).append((code, int(n)))
    return out


class Tally(NamedTuple):
    total: int
    good: int
    """Passed attempts or correct answers."""


def attempts_by_task(store: Store) -> dict[str, Tally]:
    """Per task: attempts and passes, over the whole history."""
    return {
        t: Tally(int(n), int(p or 0))
        for t, n, p in store._rows(
            "SELECT task, count(*), sum(passed) FROM implement_attempts GROUP BY task"
        )
    }


def framework_passes(store: Store) -> dict[str, Tally]:
    """Per framework track: tasks tried and tasks passed (distinct tasks)."""
    return {
        fw: Tally(int(n), int(p or 0))
        for fw, n, p in store._rows(
            "SELECT framework, count(DISTINCT task), count(DISTINCT CASE WHEN passed = 1 THEN task END)"
            " FROM implement_attempts GROUP BY framework"
        )
    }


def failed_tasks_since(store: Store, since: float) -> list[tuple[str, float]]:
    """(task, time of its last failed attempt) for tasks that failed at or after ``since``."""
    return [
        (t, at)
        for t, at in store._rows(
            "SELECT task, max(at) FROM implement_attempts WHERE passed = 0 AND at >= ? GROUP BY task",
            (since,),
        )
    ]


# --------------------------------------------------------------------------- quiz


class QuizShare(NamedTuple):
    answers: int
    accuracy: float | None
    """Mean score; None when there are no answers."""


def quiz_share(store: Store, item_ids: Sequence[str], since: float) -> QuizShare:
    """Answers to ``item_ids`` at or after ``since`` and their mean score."""
    if not item_ids:
        return QuizShare(0, None)
    marks = ",".join("?" * len(item_ids))
    ((n, acc),) = store._rows(
        f"SELECT count(*), avg(score) FROM quiz_answers WHERE at >= ? AND item_id IN ({marks})",
        (since, *item_ids),
    )
    return QuizShare(int(n), acc)


def answers_by_topic(store: Store) -> dict[str, int]:
    return {
        t: int(n)
        for t, n in store._rows("SELECT topic, sum(answers) FROM item_stats GROUP BY topic")
    }


def correct_by_topic(store: Store) -> dict[str, Tally]:
    """Per topic: answers and correct answers, over the whole history."""
    return {
        t: Tally(int(n), int(c or 0))
        for t, n, c in store._rows(
            "SELECT topic, count(*), sum(correct) FROM quiz_answers GROUP BY topic"
        )
    }


def recent_accuracy(store: Store, topic: str, last: int) -> float | None:
    """Mean score of the ``last`` answers of ``topic`` (an index range scan)."""
    ((acc,),) = store._rows(
        "SELECT avg(score) FROM (SELECT score FROM quiz_answers WHERE topic = ?"
        " ORDER BY at DESC LIMIT ?)",
        (topic, last),
    )
    return acc


def topic_trend(store: Store, topic: str, sessions: int) -> list[float]:
    """Accuracy of ``topic`` in each of its last ``sessions`` sessions, oldest first."""
    rows = store._rows(
        "SELECT score_sum / answers FROM topic_sessions WHERE topic = ?"
        " ORDER BY first_at DESC LIMIT ?",
        (topic, sessions),
    )
    return [r[0] for r in reversed(rows)]


class ItemStats(NamedTuple):
    item_id: str
    topic: str
    kind: str
    answers: int
    accuracy: float
    last_correct: bool


def weakest_items(store: Store, limit: int) -> list[ItemStats]:
    """Items answered wrong at least once, lowest accuracy first."""
    rows = store._rows(
        "SELECT item_id, topic, kind, answers, score_sum / answers, last_correct FROM item_stats"
        " WHERE score_sum < answers ORDER BY score_sum / answers, answers DESC LIMIT ?",
        (limit,),
    )
    return [ItemStats(i, t, k, int(n), float(a), bool(last)) for i, t, k, n, a, last in rows]


def failed_items_since(store: Store, since: float) -> list[tuple[str, float]]:
    """(item id, time of its last wrong answer) for items answered wrong at or after ``since``."""
    return [
        (i, at)
        for i, at in store._rows(
            "SELECT item_id, max(at) FROM quiz_answers WHERE correct = 0 AND at >= ? GROUP BY item_id",
            (since,),
        )
    ]


# --------------------------------------------------------------------------- cards


class CardState(NamedTuple):
    card_id: str
    state: int
    """0 new, then the FSRS states."""
    stability: float | None
    due: float | None


def card_states(store: Store) -> list[CardState]:
    return [
        CardState(c, int(s), st, d)
        for c, s, st, d in store._rows("SELECT card_id, state, stability, due FROM cards")
    ]


class Retention(NamedTuple):
    reviews: int
    """Reviews of cards in the review state (not cram) in the window."""
    kept: int
    """Of those, the ones recalled (rating above Again)."""


def retention(store: Store, since: float) -> Retention:
    ((n, kept),) = store._rows(
        "SELECT count(*), sum(rating > 1) FROM reviews"
        " WHERE state_before = 2 AND cram = 0 AND at >= ?",
        (since,),
    )
    return Retention(int(n), int(kept or 0))


def reviews_total(store: Store) -> int:
    ((total,),) = store._rows("SELECT max(id) FROM reviews")  # rows are never deleted
    return int(total or 0)


# --------------------------------------------------------------------------- the whole store


def is_empty(store: Store) -> bool:
    """Nothing answered, attempted, reviewed or interviewed yet."""
    ((empty,),) = store._rows(
        "SELECT NOT (EXISTS (SELECT 1 FROM quiz_answers) OR EXISTS (SELECT 1 FROM"
        " implement_attempts) OR EXISTS (SELECT 1 FROM reviews) OR EXISTS (SELECT 1 FROM"
        " interviews))"
    )
    return bool(empty)


class InterviewRow(NamedTuple):
    started: float
    task: str | None
    score: float | None
    finished: float | None
    verdict: str | None


def recent_interviews(store: Store, limit: int = 10) -> list[InterviewRow]:
    return [
        InterviewRow(started, task, score, finished, verdict)
        for started, task, score, finished, verdict in store._rows(
            # a sheet of an interview that ended early reads "incomplete", also when an
            # older lossdrill stored a better verdict for it
            "SELECT started, task, score, finished, CASE WHEN json_extract(sheet, '$.complete')"
            " = 0 THEN 'incomplete' ELSE json_extract(sheet, '$.verdict') END"
            " FROM interviews ORDER BY started DESC LIMIT ?",
            (limit,),
        )
    ]


def task_passed(store: Store) -> dict[str, bool]:
    """Each task tried: whether any attempt at it passed."""
    rows = store.conn.execute("SELECT task, max(passed) FROM implement_attempts GROUP BY task")
    return {task: bool(passed) for task, passed in rows}
