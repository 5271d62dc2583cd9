"""The FSRS memory state of one scheduled item, reviewed and read with the ``fsrs`` package.

Cards are scheduled by the flashcard session with the store's scheduler (learning steps in
minutes). Every other item (quiz items of every kind, bug hunts, implement tasks) is
practised at most once a day, so it is scheduled by the same FSRS parameters *without*
intraday learning steps (:func:`item_scheduler`): a miss comes back the next day, a pass
after FSRS's interval.

Retrievability is FSRS-6's power forgetting curve
``R(t) = (1 + F·t/S)^(-w20)`` with ``F = 0.9^(-1/w20) - 1`` and ``t`` in whole days since
the last review, exactly as ``fsrs.Scheduler.get_card_retrievability`` computes it;
:class:`Curve` evaluates it for many items without building ``fsrs.Card`` objects (the
planner reads ten thousand of them), and a test holds it to the library's value.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from fsrs import Scheduler
    from fsrs.scheduler import SchedulerDict

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
DAY = 86400.0
DEFAULT_DECAY = 0.1542
"""w20 of FSRS-6's default parameters."""
DEFAULT_INITIAL = (0.212, 1.2931, 2.3065, 8.2956)
"""w0-w3 of FSRS-6's default parameters."""


class FsrsFields(Protocol):
    """What FSRS reads of an item: a :class:`Memory`, or a flashcard's stored schedule."""

    @property
    def state(self) -> int: ...
    @property
    def step(self) -> int | None: ...
    @property
    def stability(self) -> float | None: ...
    @property
    def difficulty(self) -> float | None: ...
    @property
    def due(self) -> float | None: ...
    @property
    def last_review(self) -> float | None: ...


def is_lapse(rating: int, state_before: int) -> bool:
    """FSRS's lapse: an Again (1) on an item in the Review state."""
    return rating == 1 and state_before == REVIEW


@dataclass(frozen=True)
class Memory:
    """FSRS state of one item; ``state`` 0 is an item never reviewed."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: float | None = None
    last_review: float | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class Curve:
    """FSRS-6's forgetting curve for one set of parameters."""

    decay: float = DEFAULT_DECAY
    initial: tuple[float, float, float, float] = DEFAULT_INITIAL
    """FSRS's initial stabilities (w0-w3): days after a first Again, Hard, Good, Easy."""

    @classmethod
    def of(cls, parameters: dict | None) -> Curve:
        weights = (parameters or {}).get("parameters")
        if not weights or len(weights) <= 20:
            return cls()
        return cls(float(weights[20]), tuple(float(w) for w in weights[:4]))  # type: ignore[arg-type]

    def after_days(self, stability: float, days: float) -> float:
        """Retrievability ``days`` (continuous) after a review that left ``stability``."""
        return (1 + self.factor * max(0.0, days) / stability) ** (-self.decay)

    def retrievability(
        self, stability: float | None, last_review: float | None, at: float
    ) -> float:
        """Probability of recall at ``at``; 0 for an item never reviewed."""
        if stability is None or last_review is None or stability <= 0:
            return 0.0
        days = max(0, math.floor((at - last_review) / DAY))
        return (1 + self.factor * days / stability) ** (-self.decay)

    @functools.cached_property
    def factor(self) -> float:
        """F = 0.9^(-1/w20) - 1, so that R = 0.9 when t = S."""
        return 0.9 ** (-1 / self.decay) - 1


def item_scheduler(parameters: dict | None) -> Scheduler:
    """The store's FSRS parameters, without intraday steps (for everything but cards)."""
    from fsrs import Scheduler

    base = dict(parameters or Scheduler().to_dict())
    base["learning_steps"] = []
    base["relearning_steps"] = []
    return Scheduler.from_dict(cast("SchedulerDict", base))  # a Scheduler.to_dict(), as stored


def review(
    scheduler: Scheduler, memory: Memory, rating: int, at: float
) -> tuple[Memory, float | None]:
    """``memory`` after a review graded ``rating`` at ``at``, and the retrievability the
    scheduler predicted just before it (None for a first review)."""
    from fsrs import Rating

    when = utc(at)
    card = to_fsrs(memory, when)
    predicted = (
        None if memory.state == NEW else float(scheduler.get_card_retrievability(card, when))
    )
    after, _ = scheduler.review_card(card, Rating(rating), review_datetime=when)
    return Memory(
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due.timestamp(),
        last_review=at,
        reps=memory.reps + 1,
        lapses=memory.lapses + is_lapse(rating, memory.state),
    ), predicted


def to_fsrs(memory: FsrsFields, when: datetime, card_id: int = 0):  # noqa: ANN201 - fsrs.Card, imported lazily
    """``memory`` as an ``fsrs.Card`` at ``when``: a new item is one just starting to learn."""
    from fsrs import Card, State

    if memory.state == NEW:
        return Card(card_id=card_id, state=State.Learning, step=0, due=when)
    return Card(
        card_id=card_id,
        state=State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=utc(memory.due if memory.due is not None else when.timestamp()),
        last_review=None if memory.last_review is None else utc(memory.last_review),
    )


def utc(epoch: float) -> datetime:
    """Epoch seconds as the aware UTC datetime ``fsrs`` works in."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


DEFAULT_CURVE = Curve()
"""The forgetting curve of FSRS-6's default parameters."""
