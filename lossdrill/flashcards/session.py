"""A flashcard session as data: which card comes next, what a rating does, the summary.

Due cards come first (most overdue first), then up to the day's remaining quota of new
cards (those brought forward by a failed quiz answer or implement attempt first, then in
bank order). A card rated in the session comes back when it is due again (learning
steps of a few minutes). In cram mode every selected card is shown once, weakest first,
and nothing is scheduled: each rating is logged as a cram review only.

No I/O here: the command stores each :class:`Rated.review` and renders the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from lossdrill.bank.schema import Card
from lossdrill.flashcards.scheduling import RATINGS, cram_review, review
from lossdrill.schedule.memory import is_lapse
from lossdrill.store.db import NEW, CardSchedule, Review

if TYPE_CHECKING:
    from fsrs import Scheduler

NEW_PER_DAY = 10


@dataclass(frozen=True)
class Rated:
    """What one rating did."""

    card: Card
    rating: int
    due: float | None
    """When the card is due next (epoch seconds); None in cram mode."""
    interval_s: float | None
    review: Review
    """The review to store (in cram mode a cram review, which leaves the schedule alone)."""


@dataclass
class SessionSummary:
    cram: bool
    reviewed: int = 0
    new: int = 0
    ratings: dict[str, int] = field(default_factory=dict)
    """Count of each rating name (Again, Hard, Good, Easy)."""
    again: list[str] = field(default_factory=list)
    """Fronts of the cards rated Again."""
    due_left: int = 0
    """Cards due now that were not reviewed."""
    next_due: float | None = None
    """Earliest due time of the session's cards afterwards (None in cram mode or if none)."""
    seconds: float = 0.0


@dataclass(frozen=True)
class Preview:
    """What each rating would do to a card, computed by the scheduler when the back is shown.

    The rating then applies the previewed review (moved to the moment of rating), so the
    interval shown next to a rating is the interval given, fuzz included.
    """

    at: float
    reviews: dict[int, Review]

    def interval_s(self, rating: int) -> float:
        return self.reviews[rating].interval_s


@dataclass(frozen=True)
class _Undo:
    """Everything one rating changed in the session, to put back."""

    card: Card
    schedule: CardSchedule
    rating: int
    new_left: int
    new_queue: tuple[str, ...]
    again: int
    new_seen: int
    cram_pos: int


class FlashcardSession:
    """Chooses cards and applies ratings; the caller stores the reviews."""

    def __init__(
        self,
        cards: Sequence[Card],
        schedules: dict[str, CardSchedule],
        *,
        scheduler: Scheduler | None,
        now: float,
        new_limit: int = NEW_PER_DAY,
        topics: Sequence[str] = (),
        cram: bool = False,
        session_id: str | None = None,
    ) -> None:
        wanted = set(topics)
        self.cards = [c for c in cards if c.id in schedules and (not wanted or c.topic in wanted)]
        self.by_id = {c.id: c for c in self.cards}
        self.schedules = {c.id: schedules[c.id] for c in self.cards}
        self.scheduler = scheduler
        self.cram = cram
        self.session_id = session_id
        self.started = now
        self.new_left = max(0, new_limit)
        self._ratings: Counter[int] = Counter()
        self._again: list[str] = []
        self._new_seen = 0
        self._reviewed = 0
        self._undo: list[_Undo] = []
        self._again_next: Card | None = None
        self._cram_pos = 0
        order = {c.id: i for i, c in enumerate(self.cards)}
        new = [c.id for c in self.cards if self.schedules[c.id].is_new]
        # New cards related to a recent failure first (latest first), then bank order.
        self._new = sorted(new, key=lambda i: (-(self.schedules[i].boosted_at or 0.0), order[i]))
        if cram:
            seen = [c.id for c in self.cards if not self.schedules[c.id].is_new]
            seen.sort(key=lambda i: (self.schedules[i].stability or 0.0, order[i]))
            self._cram_queue = seen + self._new
            self._cram_pos = 0

    def _scheduler(self) -> Scheduler:
        """The FSRS scheduler; a cram session (no scheduler) never reschedules."""
        if self.scheduler is None:
            raise RuntimeError("a cram session does not schedule cards")
        return self.scheduler

    def next_card(self, now: float) -> Card | None:
        """The next card to show, or None when the session is done."""
        if self._again_next is not None:  # an undone rating: the same card again
            card, self._again_next = self._again_next, None
            return card
        if self.cram:
            if self._cram_pos >= len(self._cram_queue):
                return None
            card_id = self._cram_queue[self._cram_pos]
            self._cram_pos += 1
            return self.by_id[card_id]
        best: CardSchedule | None = None
        for s in self.schedules.values():
            if s.state != NEW and s.due is not None and s.due <= now:
                if best is None or s.due < best.due:  # type: ignore[operator]
                    best = s
        if best is not None:
            return self.by_id[best.card_id]
        while self.new_left > 0 and self._new:
            card_id = self._new[0]
            if self.schedules[card_id].is_new:
                return self.by_id[card_id]
            self._new.pop(0)
        return None

    def preview(self, card: Card, at: float) -> Preview | None:
        """What each rating would do to ``card`` at ``at``; None in cram mode (no scheduling)."""
        if self.cram:
            return None
        schedule = self.schedules[card.id]
        return Preview(
            at,
            {
                r: review(
                    self._scheduler(),
                    schedule,
                    r,
                    at=at,
                    answer_ms=0,
                    session_id=self.session_id,
                )
                for r in RATINGS
            },
        )

    def rate(
        self, card: Card, rating: int, *, at: float, answer_ms: int, preview: Preview | None = None
    ) -> Rated:
        """Apply ``rating`` (1 Again .. 4 Easy) to ``card``, the card last returned.

        With a ``preview`` (from :meth:`preview` for this card), the previewed review is
        applied, moved to ``at``: the card gets exactly the interval that was shown.
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        schedule = self.schedules[card.id]
        self._undo.append(
            _Undo(
                card,
                schedule,
                rating,
                self.new_left,
                tuple(self._new),
                len(self._again),
                self._new_seen,
                self._cram_pos,
            )
        )
        self._ratings[rating] += 1
        self._reviewed += 1
        if rating == 1:
            self._again.append(card.front)
        if schedule.is_new:
            self._new_seen += 1
        if self.cram:
            return Rated(
                card,
                rating,
                None,
                None,
                cram_review(
                    schedule, rating, at=at, answer_ms=answer_ms, session_id=self.session_id
                ),
            )
        if preview is not None:
            planned = preview.reviews[rating]
            rev = replace(
                planned,
                at=at,
                due=planned.due + (at - preview.at),
                answer_ms=answer_ms,
                last_interval_s=schedule.since_review(at),
            )
        else:
            rev = review(
                self._scheduler(),
                schedule,
                rating,
                at=at,
                answer_ms=answer_ms,
                session_id=self.session_id,
            )
        if schedule.is_new:
            self.new_left -= 1
            if self._new and self._new[0] == card.id:
                self._new.pop(0)
        self.schedules[card.id] = replace(
            schedule,
            state=rev.state_after,
            step=rev.step,
            stability=rev.stability,
            difficulty=rev.difficulty,
            due=rev.due,
            last_review=at,
            reps=schedule.reps + 1,
            lapses=schedule.lapses + is_lapse(rating, schedule.state),
            boosted_at=None,
        )
        return Rated(card, rating, rev.due, rev.interval_s, rev)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> tuple[Card, CardSchedule]:
        """Take back the last rating: the session is as it was, and that card comes next.

        Returns the card and its schedule before the rating, for the store to restore.
        Raises IndexError when nothing was rated.
        """
        last = self._undo.pop()
        self.schedules[last.card.id] = last.schedule
        self._ratings[last.rating] -= 1
        self._reviewed -= 1
        del self._again[last.again :]
        self._new_seen = last.new_seen
        self.new_left = last.new_left
        self._new = list(last.new_queue)
        self._cram_pos = last.cram_pos
        self._again_next = last.card
        return last.card, last.schedule

    def brought_forward(self, now: float, new_count: int) -> int:
        """Cards of this session brought forward by a recent failed answer or attempt:
        those due now, and the new ones among the first ``new_count`` new cards."""
        due = sum(
            1
            for s in self.schedules.values()
            if s.boosted_at is not None and not s.is_new and s.due is not None and s.due <= now
        )
        new = sum(1 for i in self._new[:new_count] if self.schedules[i].boosted_at is not None)
        return due + new

    def is_brought_forward(self, card: Card) -> bool:
        return self.schedules[card.id].boosted_at is not None

    def due_now(self, now: float) -> int:
        """Reviewed cards due at ``now``."""
        return sum(
            1
            for s in self.schedules.values()
            if s.state != NEW and s.due is not None and s.due <= now
        )

    def summary(self, now: float) -> SessionSummary:
        dues = [s.due for s in self.schedules.values() if s.state != NEW and s.due is not None]
        return SessionSummary(
            cram=self.cram,
            reviewed=self._reviewed,
            new=self._new_seen,
            ratings={RATINGS[r]: self._ratings[r] for r in RATINGS if self._ratings[r]},
            again=list(self._again),
            due_left=0 if self.cram else self.due_now(now),
            next_due=None if self.cram or not dues else min(dues),
            seconds=max(0.0, now - self.started),
        )
