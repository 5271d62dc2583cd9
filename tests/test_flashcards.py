"""Flashcard sessions: what comes next, what a rating schedules, cram mode.

Expected intervals are derived from the FSRS-6 definition, not read off the code:
learning steps are 1 min and 10 min (py-fsrs defaults); a new card rated Easy leaves
learning with the initial stability S0(Easy) = w[3] = 8.2956 days, and at 90% desired
retention the interval equals the stability, rounded to whole days: 8 days.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fsrs import Scheduler

from lossdrill.bank.schema import Card
from lossdrill.flashcards.session import FlashcardSession
from lossdrill.store import open_store


def raw_rows(store, sql, params=()):
    """Raw rows of the store's file, for asserting on what was written (read as the store
    reads: a damaged file is moved aside and the read runs again on a fresh store)."""
    return store._rows(sql, params)


DAY = 86400.0
NOW = 1_800_000_000.0


def card(card_id: str, topic: str = "regression", tags: tuple[str, ...] = ()) -> Card:
    return Card(
        id=card_id,
        version=1,
        topic=topic,
        front=f"front of {card_id}",
        back=f"back of {card_id}",
        source_item=card_id,
        tags=tags,
    )


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path)
    yield s
    s.close()


def session(store, cards, now=NOW, **kw) -> FlashcardSession:
    store.sync_cards(cards)
    return FlashcardSession(
        cards, store.card_schedules(), scheduler=Scheduler(enable_fuzzing=False), now=now, **kw
    )


@pytest.mark.parametrize(
    ("rating", "interval_s"), [(1, 60.0), (2, 330.0), (3, 600.0), (4, 8 * DAY)]
)
def test_a_new_cards_first_rating_schedules_it(store, rating: int, interval_s: float) -> None:
    # Hard on the first learning step waits halfway between the 1 and 10 minute steps: 5.5 min.
    s = session(store, [card("a")])
    c = s.next_card(NOW)
    assert c is not None and c.id == "a"
    rated = s.rate(c, rating, at=NOW, answer_ms=1500)
    assert rated.interval_s == pytest.approx(interval_s)
    assert rated.due == pytest.approx(NOW + interval_s)


def test_due_cards_come_first_most_overdue_first_then_new(store) -> None:
    cards = [card("new1"), card("due-late"), card("due-early"), card("future")]
    store.sync_cards(cards)
    for card_id, due in (
        ("due-late", NOW - 3600),
        ("due-early", NOW - 5 * DAY),
        ("future", NOW + DAY),
    ):
        store.conn.execute(
            "UPDATE cards SET state = 2, stability = 3, difficulty = 5, due = ?,"
            " last_review = ? WHERE card_id = ?",
            (due, due - 3 * DAY, card_id),
        )
    s = session(store, cards)
    order = []
    while (c := s.next_card(NOW)) is not None:
        order.append(c.id)
        s.rate(c, 3, at=NOW, answer_ms=1000)
    assert order == ["due-early", "due-late", "new1"]


def test_new_cards_are_limited_to_the_days_quota(store) -> None:
    cards = [card(f"c{i}") for i in range(5)]
    s = session(store, cards, new_limit=2)
    shown = []
    while (c := s.next_card(NOW)) is not None:
        shown.append(c.id)
        s.rate(c, 3, at=NOW, answer_ms=1000)
    assert shown == ["c0", "c1"]
    summary = s.summary(NOW)
    assert (summary.reviewed, summary.new, summary.ratings) == (2, 2, {"Good": 2})


def test_a_card_rated_again_returns_once_its_step_has_passed(store) -> None:
    s = session(store, [card("a"), card("b")], new_limit=1)
    c = s.next_card(NOW)
    s.rate(c, 1, at=NOW, answer_ms=1000)
    assert s.next_card(NOW + 30) is None  # not yet: the step is one minute
    again = s.next_card(NOW + 61)
    assert again is not None and again.id == "a"


def test_topic_filter_keeps_only_that_topics_cards(store) -> None:
    cards = [card("r1"), card("c1", topic="classification"), card("r2")]
    s = session(store, cards, topics=["classification"])
    assert [c.id for c in s.cards] == ["c1"]


def test_cards_related_to_a_failed_attempt_are_introduced_first(store) -> None:
    cards = [card("fc-mse"), card("fc-focal", tags=("focal",)), card("fc-mae")]
    store.sync_cards(cards)
    sid = store.start_session("implement")
    from lossdrill.recording import ImplementAttempt

    store.record_implement_attempt(
        ImplementAttempt(sid, "focal", False, 0.3, (), ("unstable",), 60.0, 0, 8)
    )
    s = session(store, cards, new_limit=1)
    first = s.next_card(NOW)
    assert first is not None and first.id == "fc-focal"


def test_cram_shows_every_card_once_and_schedules_nothing(store) -> None:
    cards = [card("a"), card("b")]
    store.sync_cards(cards)
    store.conn.execute(
        "UPDATE cards SET state = 2, stability = 40, difficulty = 5, due = ?,"
        " last_review = ? WHERE card_id = 'b'",
        (NOW + 30 * DAY, NOW - DAY),
    )
    before = store.card_schedules()
    s = session(store, cards, cram=True, new_limit=0)
    shown = []
    while (c := s.next_card(NOW)) is not None:
        shown.append(c.id)
        rated = s.rate(c, 1, at=NOW, answer_ms=500)
        assert rated.due is None
        store.record_review(rated.review)
    assert shown == ["b", "a"]  # seen cards first (weakest first), then new ones
    assert store.card_schedules() == before
    assert s.summary(NOW).cram is True
    # Logged as cram reviews, each with the card's unchanged state and due time.
    assert raw_rows(
        store,
        "SELECT card_id, rating, cram, state_before, state_after, stability_after, interval_s"
        " FROM reviews ORDER BY id",
    ) == [("b", 1, 1, 2, 2, 40.0, 0.0), ("a", 1, 1, 0, 0, None, 0.0)]


def test_a_new_card_crammed_today_leaves_the_days_new_card_quota_alone(store) -> None:
    cards = [card("a"), card("b")]
    s = session(store, cards, cram=True)
    c = s.next_card(NOW)
    store.record_review(s.rate(c, 3, at=NOW, answer_ms=700).review)
    assert store.new_cards_reviewed_since(NOW - 60) == 0
    assert store.card_schedule(c.id).is_new


def test_a_stored_review_updates_the_card_and_the_log(store) -> None:
    s = session(store, [card("a")])
    c = s.next_card(NOW)
    rated = s.rate(c, 4, at=NOW, answer_ms=2100)
    store.record_review(rated.review)
    sched = store.card_schedule("a")
    assert sched is not None
    assert (sched.state, sched.reps, sched.due) == (2, 1, pytest.approx(NOW + 8 * DAY))
    assert sched.stability == pytest.approx(8.2956)
    log = raw_rows(
        store,
        "SELECT card_id, rating, state_before, state_after, interval_s, answer_ms FROM reviews",
    )
    assert log == [("a", 4, 0, 2, pytest.approx(8 * DAY), 2100)]
    assert store.new_cards_reviewed_since(NOW - 1) == 1


def test_a_rating_outside_1_to_4_is_refused(store) -> None:
    s = session(store, [card("a")])
    c = s.next_card(time.time())
    with pytest.raises(ValueError):
        s.rate(c, 5, at=NOW, answer_ms=1)


def test_a_wrong_answer_to_a_question_about_focal_brings_the_focal_cards_forward(tmp_path) -> None:
    from lossdrill.bank.loader import bank_files, load_files
    from lossdrill.flashcards.evidence import apply_recent_failures
    from lossdrill.recording import QuizAnswer

    files, errors = bank_files([Path(__file__).parent / "data" / "progress_bank"])
    bank = load_files(files, errors=errors)
    store = open_store(tmp_path)
    store.sync_cards(bank.cards())
    week = 7 * DAY
    # focal#1 (carried by the focal task) and bce#1 were reviewed a day ago, due in a week.
    store.conn.execute(
        "UPDATE cards SET state = 2, stability = 7, difficulty = 5, due = ?,"
        " last_review = ? WHERE card_id IN ('focal#1', 'bce#1')",
        (NOW + week, NOW - DAY),
    )
    s = store.start_session("quiz")
    store.record_quiz_answer(
        QuizAnswer(s, "q-focal", 1, "choice", "classification", False, 0.0, "2", 1000, at=NOW - 60)
    )
    assert store.card_schedule("focal#1").due == NOW + week  # the store alone cannot link them
    apply_recent_failures(store, bank, NOW)
    assert store.card_schedule("focal#1").due == NOW - 60
    assert store.card_schedule("bce#1").due == NOW + week
    # Reviewed after the failure: a second pass leaves the new schedule alone.
    store.conn.execute(
        "UPDATE cards SET due = ?, last_review = ? WHERE card_id = 'focal#1'", (NOW + week, NOW)
    )
    apply_recent_failures(store, bank, NOW)
    assert store.card_schedule("focal#1").due == NOW + week
    store.close()


def test_the_previewed_interval_is_the_one_given_even_with_fuzzing(store) -> None:
    # A review card (stability 20 days) gets fuzzed intervals: the rating must give exactly
    # what the rating line showed, moved by the seconds the learner took to choose.
    cards = [card("r")]
    store.sync_cards(cards)
    store.conn.execute(
        "UPDATE cards SET state = 2, stability = 20, difficulty = 5, due = ?,"
        " last_review = ? WHERE card_id = 'r'",
        (NOW, NOW - 20 * DAY),
    )
    fuzzy = Scheduler(enable_fuzzing=True)
    for _ in range(5):
        s = FlashcardSession(cards, store.card_schedules(), scheduler=fuzzy, now=NOW)
        c = s.next_card(NOW)
        preview = s.preview(c, NOW)
        shown = {r: preview.interval_s(r) for r in (1, 2, 3, 4)}
        assert shown[1] < shown[2] < shown[3] < shown[4]
        assert shown[3] > 10 * DAY
        rated = s.rate(c, 3, at=NOW + 7, answer_ms=7000, preview=preview)
        assert rated.interval_s == shown[3]
        assert rated.due == pytest.approx(NOW + 7 + shown[3])


def test_undo_puts_the_session_and_the_store_back_and_shows_the_card_again(store) -> None:
    s = session(store, [card("a"), card("b")])
    before = store.card_schedule("a")
    a = s.next_card(NOW)
    rated = s.rate(a, 1, at=NOW, answer_ms=900)
    store.record_review(rated.review)
    assert s.next_card(NOW).id == "b"
    undone, schedule = s.undo()
    assert undone.id == "a" and schedule == before
    assert store.undo_review("a", schedule)
    assert store.card_schedule("a") == before
    assert raw_rows(store, "SELECT count(*) FROM reviews") == [(0,)]
    assert s.next_card(NOW).id == "a"  # the undone card comes back first
    summary = s.summary(NOW)
    assert (summary.reviewed, summary.new, summary.ratings, summary.again) == (0, 0, {}, [])
    assert not s.can_undo
    rated = s.rate(a, 3, at=NOW, answer_ms=900)
    assert s.summary(NOW).ratings == {"Good": 1}
    assert not store.undo_review("b", store.card_schedule("b"))  # nothing to undo for b
