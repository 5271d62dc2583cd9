"""One fact, one card: no two cards share a front, and merged cards keep their history."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from fsrs import Scheduler

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import Card
from lossdrill.flashcards.session import FlashcardSession
from lossdrill.store import open_store

NOW = 1_800_000_000.0
DAY = 86400.0


def normalised(front: str) -> str:
    text = unicodedata.normalize("NFKC", front).lower()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def test_no_two_cards_in_the_builtin_banks_share_a_front():
    cards = load_banks([]).cards()
    seen: dict[str, str] = {}
    for c in cards:
        key = normalised(c.front)
        assert key not in seen, f"{c.id} repeats the front of {seen[key]}: {c.front!r}"
        seen[key] = c.id


def test_replaced_ids_are_gone_from_the_deck_and_named_by_one_survivor():
    cards = load_banks([]).cards()
    ids = {c.id for c in cards}
    owners: dict[str, str] = {}
    for c in cards:
        for old in c.replaces:
            assert old not in ids, f"{old} is both replaced and still in the deck"
            assert old not in owners, f"{old} is replaced by {owners[old]} and {c.id}"
            owners[old] = c.id
    # The duplicates found in the content review are merged (e.g. the three BCE-gradient cards).
    assert owners["bce#2"] == owners["bce-grad#1"] == "fc-bce-gradient"
    assert owners["huber#2"] == owners["huber-grad#1"] == "fc-huber-gradient"
    assert len(owners) >= 65


def test_a_merged_survivor_is_still_brought_forward_by_its_task():
    cards = {c.id: c for c in load_banks([]).cards()}
    assert "bce" in cards["fc-bce-gradient"].tags and "bce-grad" in cards["fc-bce-gradient"].tags


def card(card_id: str, replaces: tuple[str, ...] = ()) -> Card:
    return Card(
        id=card_id,
        version=1,
        topic="t",
        front=f"front {card_id}",
        back="b",
        source_item=card_id,
        replaces=replaces,
    )


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path)
    yield s
    s.close()


def review(store, c: Card, rating: int, at: float) -> None:
    store.sync_cards([c])
    s = FlashcardSession(
        [c], store.card_schedules(), scheduler=Scheduler(enable_fuzzing=False), now=at
    )
    shown = s.next_card(at)
    assert shown is not None and shown.id == c.id
    store.record_review(s.rate(shown, rating, at=at, answer_ms=900).review)


def test_the_survivor_takes_over_the_schedule_and_reviews_of_a_replaced_id(store):
    old = card("bce#2")
    review(store, old, 4, NOW)  # Easy: out of learning, due in 8 days
    before = store.card_schedule("bce#2")
    survivor = card("fc-bce-gradient", replaces=("bce#2",))
    store.sync_cards([survivor])
    assert store.card_schedule("bce#2") is None
    after = store.card_schedule("fc-bce-gradient")
    assert (after.key, after.state, after.reps, after.due) == (
        before.key,
        before.state,
        1,
        before.due,
    )
    assert store.conn.execute("SELECT card_id, rating FROM reviews").fetchall() == [
        ("fc-bce-gradient", 4)
    ]
    # Syncing again changes nothing.
    store.sync_cards([survivor])
    assert store.card_schedule("fc-bce-gradient") == after


def test_when_both_were_reviewed_the_latest_schedule_wins_and_all_reviews_are_kept(store):
    review(store, card("huber#2"), 1, NOW)  # reviewed first
    review(store, card("fc-huber-gradient"), 4, NOW + DAY)  # reviewed last
    latest = store.card_schedule("fc-huber-gradient")
    store.sync_cards([card("fc-huber-gradient", replaces=("huber#2",))])
    assert store.card_schedule("huber#2") is None
    assert store.card_schedule("fc-huber-gradient") == latest
    assert sorted(store.conn.execute("SELECT card_id, rating FROM reviews").fetchall()) == [
        ("fc-huber-gradient", 1),
        ("fc-huber-gradient", 4),
    ]


def test_an_unreviewed_survivor_adopts_the_reviewed_old_schedule(store):
    store.sync_cards([card("fc-x")])  # known to the store, never reviewed
    review(store, card("x#1"), 3, NOW)
    old = store.card_schedule("x#1")
    store.sync_cards([replace(card("fc-x"), replaces=("x#1",))])
    new = store.card_schedule("fc-x")
    assert (new.key, new.reps, new.due) == (old.key, old.reps, old.due)
