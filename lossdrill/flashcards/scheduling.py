"""FSRS scheduling of one card: the stored schedule in, a :class:`Review` out.

The scheduler is ``fsrs.Scheduler`` (py-fsrs 6). Its parameters are stored once in the
store (:meth:`Store.scheduler_parameters`) so every session schedules alike; tests store
``enable_fuzzing=False`` to get exact intervals.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from lossdrill.schedule import memory
from lossdrill.store.db import CardSchedule, Review, Store

if TYPE_CHECKING:
    from fsrs.scheduler import SchedulerDict

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def load_scheduler(store: Store) -> Scheduler:
    """The store's scheduler; a default one (fuzzing on) is stored on first use."""
    params = store.scheduler_parameters()
    if params is None:
        scheduler = Scheduler()
        store.set_scheduler_parameters(scheduler.to_dict())
        return scheduler
    return Scheduler.from_dict(cast("SchedulerDict", params))  # stored from Scheduler.to_dict()


def review(
    scheduler: Scheduler,
    schedule: CardSchedule,
    rating: int,
    *,
    at: float,
    answer_ms: int,
    session_id: str | None = None,
) -> Review:
    """Rate ``schedule``'s card ``rating`` (1-4) at ``at`` (epoch seconds)."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 1-4, not {rating!r}")
    when = memory.utc(at)
    card = to_fsrs(schedule, when)
    after, _ = scheduler.review_card(
        card, Rating(rating), review_datetime=when, review_duration=answer_ms
    )
    return _logged(
        schedule,
        rating,
        after,
        at=at,
        due=after.due.timestamp(),
        answer_ms=answer_ms,
        session_id=session_id,
    )


def cram_review(
    schedule: CardSchedule, rating: int, *, at: float, answer_ms: int, session_id: str | None = None
) -> Review:
    """The log entry of a cram rating: the card's state before and after is its current one."""
    due = schedule.due if schedule.due is not None else at
    return _logged(
        schedule,
        rating,
        schedule,
        at=at,
        due=due,
        answer_ms=answer_ms,
        session_id=session_id,
        cram=True,
    )


def _logged(
    schedule: CardSchedule,
    rating: int,
    landed: FsrsCard | CardSchedule,
    *,
    at: float,
    due: float,
    answer_ms: int,
    session_id: str | None,
    cram: bool = False,
) -> Review:
    """The log entry of rating ``schedule``'s card at ``at``: ``landed`` is the FSRS state it
    lands in (a cram rating leaves it where it was, so its interval is 0)."""
    return Review(
        card_id=schedule.card_id,
        card_version=schedule.version,
        session_id=session_id,
        at=at,
        rating=rating,
        state_before=schedule.state,
        state_after=int(landed.state),
        step=landed.step,
        stability=landed.stability,
        difficulty=landed.difficulty,
        due=due,
        interval_s=0.0 if cram else due - at,
        last_interval_s=schedule.since_review(at),
        answer_ms=answer_ms,
        cram=cram,
    )


def to_fsrs(schedule: CardSchedule, now: datetime) -> FsrsCard:
    """The card's schedule as an ``fsrs.Card`` keyed by the card's integer key."""
    return cast("FsrsCard", memory.to_fsrs(schedule, now, card_id=schedule.key))
