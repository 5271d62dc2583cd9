"""The adaptive quiz selection and the Next command."""

from __future__ import annotations

from datetime import date, datetime, timezone

from lossdrill.bank.schema import ChoiceItem, Option
from lossdrill.quiz.select import adaptive_items, select_items
from lossdrill.schedule.memory import REVIEW, Memory
from lossdrill.schedule.next_step import next_command
from lossdrill.schedule.planner import Candidate, Settings, plan_day

DAY = 86400.0
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc).timestamp()


def item(item_id: str, topic: str) -> ChoiceItem:
    return ChoiceItem(
        item_id,
        1,
        "choice",
        topic,
        (),
        1,
        "p",
        "e",
        "test",
        "f.yaml",
        1,
        options=(Option("a", True), Option("b", False, "f")),
    )


def test_due_then_weak_then_unseen_spread_over_topics() -> None:
    items = [item(f"r{i}", "regression") for i in range(4)] + [
        item(f"c{i}", "classification") for i in range(4)
    ]
    memory = {
        ("choice", "r0"): Memory(REVIEW, None, 3.0, 5.0, NOW - 3600, NOW - 2 * DAY, 2, 1),  # due
        ("choice", "c0"): Memory(
            REVIEW, None, 0.5, 5.0, NOW + 5 * DAY, NOW - 6 * DAY, 2, 0
        ),  # weak
        ("choice", "c1"): Memory(
            REVIEW, None, 90.0, 5.0, NOW + 60 * DAY, NOW - DAY, 3, 0
        ),  # strong
    }
    chosen = [i.id for i in adaptive_items(items, memory, NOW, count=8)]
    assert chosen[:2] == ["r0", "c0"]
    unseen = chosen[2:7]
    assert sorted(unseen) == ["c2", "c3", "r1", "r2", "r3"]
    topics = ["r" if i.startswith("r") else "c" for i in unseen[:4]]
    assert topics.count("r") == 2 and topics.count("c") == 2  # round-robin over topics
    assert chosen[-1] == "c1"  # the well-remembered item comes last
    assert [i.id for i in adaptive_items(items, memory, NOW, count=8)] == chosen
    only = [i.id for i in adaptive_items(items, memory, NOW, count=3, topics=["classification"])]
    assert only[0] == "c0" and sorted(only[1:]) == ["c2", "c3"]


def test_a_seed_keeps_the_reproducible_selection() -> None:
    items = [item(f"r{i}", "regression") for i in range(6)]
    first = select_items(items, count=4, seed=5)
    assert select_items(items, count=4, seed=5) == first


def test_next_command_follows_the_plan() -> None:
    cands = [
        Candidate(
            "choice",
            "q",
            "regression",
            Memory(REVIEW, None, 2.0, 5.0, NOW - 60, NOW - 3 * DAY, 2, 0),
        ),
        Candidate(
            "implement",
            "mse",
            "regression",
            Memory(REVIEW, None, 2.0, 5.0, NOW - 60, NOW - 3 * DAY, 1, 0),
        ),
    ]
    plan = plan_day(NOW, cands, Settings(date(2026, 3, 20), 30))
    assert [s.drill for s in plan.steps] == ["quiz", "implement"]
    assert next_command(plan) == "lossdrill quiz -n 1"
    assert (
        next_command(plan, after="quiz", blank_file="/w/mse-20260302.py")
        == "lossdrill implement mse --file /w/mse-20260302.py"
    )
    empty = plan_day(NOW, [], Settings(None, 20))
    assert next_command(empty) == "lossdrill quiz"
    assert next_command(empty, after="quiz") == "lossdrill today"
