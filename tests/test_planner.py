"""The planner, the forecast and the calibration figures: pure functions, hand-checked."""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime, timezone

import numpy as np
import pytest

from lossdrill.schedule.calibration import MIN_REVIEWS, calibrate
from lossdrill.schedule.forecast import at_least, forecast
from lossdrill.schedule.memory import REVIEW, Memory
from lossdrill.schedule.planner import Candidate, Settings, plan_day

DAY = 86400.0
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc).timestamp()


def seen(stability: float, days_ago: float, due_in_days: float, lapses: int = 0) -> Memory:
    return Memory(
        state=REVIEW,
        stability=stability,
        difficulty=5.0,
        due=NOW + due_in_days * DAY,
        last_review=NOW - days_ago * DAY,
        reps=2,
        lapses=lapses,
    )


def bank(n_new: int = 30) -> list[Candidate]:
    items = [
        Candidate("choice", f"new-{i:02d}", ["regression", "ranking", "stability"][i % 3])
        for i in range(n_new)
    ]
    items += [Candidate("card", f"card-{i}", "regression") for i in range(20)]
    items += [
        Candidate("implement", "mse", "regression"),
        Candidate("implement", "bce", "classification"),
    ]
    return items


def ids(plan, drill: str) -> list[str]:  # noqa: ANN001
    step = plan.step(drill)
    return list(step.item_ids) if step else []


def test_due_items_come_first_and_the_day_fits_the_minutes() -> None:
    missed = Candidate("choice", "missed", "regression", seen(0.2, 1, -0.01, lapses=1))
    fresh = Candidate("choice", "fresh", "regression", seen(30, 1, 29))
    plan = plan_day(NOW, [*bank(), missed, fresh], Settings(None, 20))
    assert ids(plan, "quiz")[0] == "missed"
    assert "fresh" not in ids(plan, "quiz")
    assert plan.minutes <= 20
    assert plan.due_total == 1
    assert len(ids(plan, "implement")) <= 1
    assert plan_day(NOW, [*bank(), missed, fresh], Settings(None, 20)) == plan  # deterministic


def test_a_passed_task_due_again_is_the_days_implement_step() -> None:
    passed = Candidate("implement", "mse", "regression", seen(3, 4, -0.5))
    others = [c for c in bank() if c.item_id != "mse"]
    plan = plan_day(NOW, [*others, passed], Settings(None, 30))
    assert ids(plan, "implement") == ["mse"]
    assert plan.step("implement").picks[0].reason == "due"


def test_new_material_stops_before_the_interview_and_the_last_days_are_reviews_and_mocks() -> None:
    due = Candidate("choice", "due", "regression", seen(2, 3, -0.1))
    items = [*bank(), due]
    build = plan_day(NOW, items, Settings(date(2026, 3, 20), 40))
    assert build.phase == "build" and any(i.startswith("new-") for i in ids(build, "quiz"))
    assert not build.mock
    review = plan_day(NOW, items, Settings(date(2026, 3, 5), 40))
    assert review.phase == "review"
    assert ids(review, "quiz") == ["due"] and not ids(review, "flashcards")
    assert not ids(review, "implement")  # no new task either
    assert review.mock  # within a week of the day, none done yet
    final = plan_day(NOW, items, Settings(date(2026, 3, 3), 40), last_interview=NOW - 3 * DAY)
    assert final.phase == "final" and final.mock
    assert final.steps[0].drill == "interview"
    recent = plan_day(NOW, items, Settings(date(2026, 3, 3), 40), last_interview=NOW - 3600)
    assert not recent.mock


def test_reviews_are_pulled_in_so_recall_is_high_on_the_day() -> None:
    # Next due 6 days away, after the interview in 4 days: by the day its recall would be
    # under 90% (8 days since the review at stability 5).
    late = Candidate("choice", "late", "regression", seen(5, 4, 6))
    early = Candidate("choice", "early", "regression", seen(50, 4, 40))
    plan = plan_day(NOW, [late, early], Settings(date(2026, 3, 6), 20))
    assert ids(plan, "quiz") == ["late"]
    assert plan.step("quiz").picks[0].reason == "deadline"
    assert ids(plan_day(NOW, [late, early], Settings(None, 20)), "quiz") == []


def test_a_misconception_brings_forward_the_items_that_repair_it() -> None:
    half = Candidate("choice", "half", "regression", seen(40, 2, 30), ("half-convention",))
    half_card = Candidate("card", "half-card", "regression", None, ("half-convention",))
    other = Candidate("choice", "other", "regression", seen(40, 2, 30), ("kl-direction",))
    plan = plan_day(
        NOW,
        [half, half_card, other],
        Settings(date(2026, 3, 4), 20),
        misconceptions={"half-convention": 1.0},
    )
    assert ids(plan, "quiz") == ["half"]
    assert ids(plan, "flashcards") == ["half-card"]  # new, though the review phase admits none
    assert plan.misconceptions == (("half-convention", 1.0),)


def test_at_least_matches_enumeration() -> None:
    ps = [0.9, 0.5, 0.3, 0.75, 0.6]
    for k in range(7):
        brute = sum(
            math.prod(p if hit else 1 - p for p, hit in zip(ps, outcome, strict=True))
            for outcome in itertools.product([0, 1], repeat=len(ps))
            if sum(outcome) >= k
        )
        assert at_least(ps, k) == pytest.approx(brute)


def test_forecast_uses_retrievability_on_the_day() -> None:
    a = Candidate("choice", "a", "regression", seen(10, 0, 9))
    b = Candidate("choice", "b", "regression", None)
    at = NOW + 10 * DAY
    fc = forecast([a, b], at, lines=[("both", "all", ["a", "b"]), ("a", "all", ["a"])])
    decay = 0.1542
    r_a = (1 + (0.9 ** (-1 / decay) - 1) * 10 / 10) ** -decay  # = 0.9 at t = S
    assert r_a == pytest.approx(0.9)
    assert fc.topics[0].recall == pytest.approx(r_a / 2)
    assert fc.topics[0].practised == 1
    assert [line.probability for line in fc.lines] == [0.0, pytest.approx(r_a)]


def test_calibration_against_an_independent_computation() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0.3, 0.99, 400)
    y = (rng.uniform(size=400) < p).astype(int)
    pairs = list(zip(p.tolist(), y.tolist(), strict=True))
    assert calibrate(pairs[: MIN_REVIEWS - 1]) is None
    cal = calibrate(pairs)
    assert cal is not None
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert cal.log_loss == pytest.approx(expected)
    rate = y.mean()
    assert cal.baseline_log_loss == pytest.approx(
        -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))
    )
    bins = np.minimum((p * 20).astype(int), 19)
    sq = sum(
        (bins == b).sum() * (p[bins == b].mean() - y[bins == b].mean()) ** 2
        for b in np.unique(bins)
    )
    assert cal.rmse_bins == pytest.approx(np.sqrt(sq / len(p)))
    sq_base = sum((bins == b).sum() * (rate - y[bins == b].mean()) ** 2 for b in np.unique(bins))
    assert cal.baseline_rmse_bins == pytest.approx(np.sqrt(sq_base / len(p)))
    assert cal.rmse_bins < cal.baseline_rmse_bins
    # Outcomes drawn from the predictions: the predictions beat the constant baseline.
    assert cal.log_loss < cal.baseline_log_loss
