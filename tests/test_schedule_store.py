"""The unified schedule in the store: grades, the record hooks, and the v3 -> v4 migration."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler, State

from lossdrill.recording import ImplementAttempt, QuizAnswer
from lossdrill.schedule.grades import implement_grade, quiz_grade
from lossdrill.schedule.memory import Curve
from lossdrill.store import open_store
from lossdrill.store import schedule as unified
from lossdrill.store.migrations import V1, V2, V3, _statements

DAY = 86400.0
T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc).timestamp()
NO_FUZZ = Scheduler(enable_fuzzing=False).to_dict()


@pytest.mark.parametrize(
    ("correct", "score", "grade"),
    [(True, 1.0, 3), (True, 0.5, 2), (False, 0.0, 1), (False, 0.5, 1)],
)
def test_quiz_grades(correct: bool, score: float, grade: int) -> None:
    assert quiz_grade(correct, score) == grade


@pytest.mark.parametrize(
    ("passed", "elapsed", "hints", "revealed", "grade"),
    [
        (True, 240.0, 0, False, 4),  # well under the 10-minute target
        (True, 300.0, 0, False, 4),  # exactly half
        (True, 420.0, 0, False, 3),  # within it
        (True, 600.0, 0, False, 3),
        (True, 720.0, 0, False, 2),  # over it
        (True, 240.0, 1, False, 2),  # with hints
        (True, 0.0, 0, False, 2),  # untimed (--check)
        (False, 200.0, 0, False, 1),
        (True, 200.0, 0, True, 1),  # the solution was revealed
    ],
)
def test_implement_grades(
    passed: bool, elapsed: float, hints: int, revealed: bool, grade: int
) -> None:
    assert implement_grade(passed, elapsed, hints, revealed) == grade


def test_curve_matches_the_fsrs_library() -> None:
    scheduler = Scheduler()
    curve = Curve.of(scheduler.to_dict())
    last = datetime(2026, 3, 1, tzinfo=timezone.utc)
    for stability in (0.3, 2.0, 17.5):
        for hours in (0, 5, 30, 24 * 9 + 3, 24 * 60):
            card = Card(
                card_id=1,
                state=State.Review,
                step=None,
                stability=stability,
                difficulty=5.0,
                due=last,
                last_review=last,
            )
            when = datetime.fromtimestamp(last.timestamp() + hours * 3600, tz=timezone.utc)
            assert curve.retrievability(
                stability, last.timestamp(), when.timestamp()
            ) == pytest.approx(scheduler.get_card_retrievability(card, when), rel=1e-12)


def _replay(ratings: list[tuple[float, int]]) -> Card:
    """The library's own replay, with the learning steps the unified schedule drops."""
    scheduler = Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())
    card = Card(card_id=7)
    for at, rating in ratings:
        card, _ = scheduler.review_card(
            card, Rating(rating), datetime.fromtimestamp(at, tz=timezone.utc)
        )
    return card


def test_recording_updates_the_schedule(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.set_scheduler_parameters(NO_FUZZ)
    store.record_quiz_answer(
        QuizAnswer("s", "q-miss", 1, "choice", "regression", False, 0.0, "b", 900, at=T0)
    )
    store.record_quiz_answer(
        QuizAnswer("s", "q-half", 1, "multi", "regression", True, 0.5, "a,b", 900, at=T0)
    )
    store.record_implement_attempt(
        ImplementAttempt("s", "mse", True, 1.0, (), (), 200.0, 0, 4, at=T0 + 60)
    )
    miss = unified.scheduled(store.conn, "choice", "q-miss")
    assert miss is not None and miss.memory.reps == 1
    assert miss.memory.due == pytest.approx(_replay([(T0, 1)]).due.timestamp())
    assert miss.memory.due - T0 == pytest.approx(DAY)  # a miss comes back the next day
    half = unified.scheduled(store.conn, "multi", "q-half")
    assert half is not None
    assert half.memory.stability == pytest.approx(_replay([(T0, 2)]).stability)
    task = unified.scheduled(store.conn, "implement", "mse")
    assert task is not None
    assert task.memory.stability == pytest.approx(_replay([(T0 + 60, 4)]).stability)
    log = unified.graded_log(store.conn)
    assert [(g.item_id, g.rating, g.source) for g in log] == [
        ("q-miss", 1, "quiz"),
        ("q-half", 2, "quiz"),
        ("mse", 4, "implement"),
    ]
    store.close()


def _v3_store(path: Path) -> None:
    """A store as the release before the unified schedule wrote it (its migrations 1-3)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for script in (V1, V2, V3):
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO scheduler (id, parameters) VALUES (1, ?)", (json.dumps(NO_FUZZ),))
    answers = [
        ("q1", "choice", 0, 0.0, T0),
        ("q1", "choice", 1, 1.0, T0 + 2 * DAY),
        ("q2", "recall", 1, 0.5, T0 + DAY),
        ("bh1", "bug-hunt", 1, 1.0, T0 + 3 * DAY),
    ]
    for item, kind, correct, score, at in answers:
        conn.execute(
            "INSERT INTO quiz_answers (session_id, item_id, item_version, kind, topic,"
            " correct, score, response, elapsed_ms, at) VALUES ('s', ?, 1, ?,"
            " 'regression', ?, ?, 'x', 900, ?)",
            (item, kind, correct, score, at),
        )
    attempts = [
        ("mse", 0, 300.0, 0, T0 + DAY),
        ("mse", 1, 400.0, 0, T0 + DAY + 60),
        ("bce", 1, 0.0, 0, T0 + 2 * DAY),
    ]
    for task, passed, elapsed, hints, at in attempts:
        conn.execute(
            "INSERT INTO implement_attempts (session_id, task, passed, score, groups,"
            " diagnoses, elapsed_s, hints_used, lines, at) VALUES ('s', ?, ?, 1.0,"
            " '[]', '[]', ?, ?, 4, ?)",
            (task, passed, elapsed, hints, at),
        )
    conn.execute(
        "INSERT INTO cards (card_id, version, topic, source_item, state, step,"
        " stability, difficulty, due, last_review, reps, lapses) VALUES ('fc-mse', 1,"
        " 'regression', 'fc-mse', 2, NULL, 12.5, 4.2, ?, ?, 2, 0)",
        (T0 + 14 * DAY, T0 + 2 * DAY),
    )
    conn.execute(
        "INSERT INTO cards (card_id, version, topic, source_item) VALUES"
        " ('fc-new', 1, 'regression', 'fc-new')"
    )
    reviews = [(T0, 3, 0, 2.3), (T0 + 2 * DAY, 3, 0, 12.5), (T0 + 3 * DAY, 1, 1, 12.5)]
    for at, rating, cram, stability in reviews:
        conn.execute(
            "INSERT INTO reviews (card_id, card_version, at, rating, state_before,"
            " state_after, stability_after, interval_s, answer_ms, cram)"
            " VALUES ('fc-mse', 1, ?, ?, 2, 2, ?, 0, 900, ?)",
            (at, rating, stability, cram),
        )
    conn.close()


def test_a_version_3_store_migrates_into_the_schedule_without_loss(tmp_path: Path) -> None:
    _v3_store(tmp_path / "lossdrill.sqlite3")
    store = open_store(tmp_path)
    assert store.notice is None and store.previous_version == 3
    conn = store.conn
    # Every answer, attempt and scheduled review is in the log; the cram review is not.
    log = unified.graded_log(conn)
    assert len(log) == 4 + 3 + 2
    assert [(g.item_id, g.rating) for g in log if g.source == "migrated-quiz"] == [
        ("q1", 1),
        ("q2", 2),
        ("q1", 3),
        ("bh1", 3),
    ]
    assert [(g.item_id, g.rating) for g in log if g.source == "migrated-implement"] == [
        ("mse", 1),
        ("mse", 3),
        ("bce", 2),
    ]
    # Replayed through FSRS exactly as the library does it.
    q1 = unified.scheduled(conn, "choice", "q1")
    assert q1 is not None and q1.memory.reps == 2
    expected = _replay([(T0, 1), (T0 + 2 * DAY, 3)])
    assert q1.memory.stability == pytest.approx(expected.stability)
    assert q1.memory.due == pytest.approx(expected.due.timestamp())
    mse = unified.scheduled(conn, "implement", "mse")
    assert mse is not None
    assert mse.memory.stability == pytest.approx(
        _replay([(T0 + DAY, 1), (T0 + DAY + 60, 3)]).stability
    )
    # Cards keep the state the cards table held; a never-reviewed card stays out.
    card = unified.scheduled(conn, "card", "fc-mse")
    assert card is not None
    assert (card.memory.stability, card.memory.difficulty, card.memory.reps) == (12.5, 4.2, 2)
    assert card.memory.due == T0 + 14 * DAY
    assert unified.scheduled(conn, "card", "fc-new") is None
    # The second review's prediction comes from the first one's stability, two days later.
    card_log = [g for g in log if g.kind == "card"]
    assert card_log[0].retrievability is None
    decay = 0.1542
    factor = 0.9 ** (-1 / decay) - 1
    assert card_log[1].retrievability == pytest.approx((1 + factor * 2 / 2.3) ** -decay)
    # The old tables are untouched.
    assert store.counts()["quiz_answers"] == 4
    assert store.counts()["reviews"] == 3
    store.close()


def test_the_misconception_field_is_validated_against_the_taxonomy(tmp_path: Path) -> None:
    from lossdrill.bank.parse import parse_file
    from lossdrill.schedule.misconceptions import load

    bank = tmp_path / "b.yaml"
    bank.write_text(
        "items:\n"
        "  - id: t-ok\n    version: 1\n    kind: choice\n    topic: regression\n"
        "    misconceptions: [half-convention]\n    prompt: p\n    explanation: e\n"
        "    options:\n      - {text: a, correct: true}\n"
        "      - {text: b, feedback: f, misconceptions: [reduction-confusion]}\n"
        "  - id: t-bad\n    version: 1\n    kind: choice\n    topic: regression\n"
        "    misconceptions: [no-such-thing]\n    prompt: p\n    explanation: e\n"
        "    options:\n      - {text: a, correct: true}\n      - {text: b, feedback: f}\n"
    )
    errors: list = []
    items = parse_file(bank, errors)
    assert [i.id for i in items] == ["t-ok"]
    assert items[0].misconceptions == ("half-convention",)
    assert items[0].options[1].misconceptions == ("reduction-confusion",)
    assert len(errors) == 1 and "no-such-thing" in errors[0].message
    assert errors[0].field == "misconceptions"
    taxonomy = load()
    # Every diagnosis code the taxonomy names exists in the checker's vocabulary.
    from lossdrill.checker.codes import CODES

    assert {c for m in taxonomy.entries for c in m.codes} <= set(CODES)
    assert taxonomy.by_code["constant-alpha"] == ("constant-alpha",)


def test_evidence_raises_a_misconception_and_a_right_answer_repairs_it() -> None:
    from lossdrill.schedule.misconceptions import active, load

    tax = load()
    named = {"q-half": ("half-convention",), "q-kl": ("kl-direction",)}
    now = T0 + 7 * DAY
    weights = active(
        tax,
        named,
        wrong=[("q-half", "x", T0)],
        right=[],
        diagnoses=[("focal", "constant-alpha", now)],
        now=now,
        option_misconceptions={("q-kl", "KL(q||p)"): ("kl-direction",)},
    )
    assert weights == {"half-convention": pytest.approx(0.5), "constant-alpha": 1.0}
    weights = active(
        tax,
        named,
        wrong=[("q-half", "x", T0), ("q-kl", "KL(q||p)", T0)],
        right=[("q-half", T0 + DAY)],
        diagnoses=[],
        now=T0,
    )
    assert weights == {"kl-direction": 1.0}


def test_calibration_pairs_skip_same_day_repeats(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.set_scheduler_parameters(NO_FUZZ)
    for at, correct in ((T0, True), (T0 + 3600, False), (T0 + 3 * DAY, True)):
        store.record_quiz_answer(
            QuizAnswer(
                "s", "q", 1, "choice", "regression", correct, float(correct), "a", 900, at=at
            )
        )
    pairs = unified.predictions(store.conn)
    # The first review has no prediction; the same-day repeat is not scored.
    assert len(pairs) == 1 and pairs[0][1] == 1
    assert 0 < pairs[0][0] < 1
    store.close()
