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
from dataclasses import dataclass, field

from lossdrill.bank.schema import Card
from lossdrill.flashcards.scheduling import RATINGS, review
from lossdrill.store.db import NEW, CardSchedule, Review

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


class FlashcardSession:
    """Chooses cards and applies ratings; the caller stores the reviews."""

    def __init__(
        self,
        cards: Sequence[Card],
        schedules: dict[str, CardSchedule],
        *,
        scheduler: object | None,
        now: float,
        new_limit: int = NEW_PER_DAY,
        topics: Sequence[str] = (),
        cram: bool = False,
        session_id: str | None = None,
    ) -> None:
        wanted = set(topics)
        self.cards = [
            c for c in cards if c.id in schedules and (not wanted or c.topic in wanted)
        ]
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
        order = {c.id: i for i, c in enumerate(self.cards)}
        new = [c.id for c in self.cards if self.schedules[c.id].is_new]
        # New cards related to a recent failure first (latest first), then bank order.
        self._new = sorted(new, key=lambda i: (-(self.schedules[i].boosted_at or 0.0), order[i]))
        if cram:
            seen = [c.id for c in self.cards if not self.schedules[c.id].is_new]
            seen.sort(key=lambda i: (self.schedules[i].stability or 0.0, order[i]))
            self._cram_queue = seen + self._new
            self._cram_pos = 0

    def next_card(self, now: float) -> Card | None:
        """The next card to show, or None when the session is done."""
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

    def rate(self, card: Card, rating: int, *, at: float, answer_ms: int) -> Rated:
        """Apply ``rating`` (1 Again .. 4 Easy) to ``card``, the card last returned."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        self._ratings[rating] += 1
        self._reviewed += 1
        if rating == 1:
            self._again.append(card.front)
        schedule = self.schedules[card.id]
        if schedule.is_new:
            self._new_seen += 1
        if self.cram:
            return Rated(card, rating, None, None, cram_review(schedule, rating, at=at,
                                                               answer_ms=answer_ms,
                                                               session_id=self.session_id))
        rev = review(self.scheduler, schedule, rating, at=at, answer_ms=answer_ms,  # type: ignore[arg-type]
                     session_id=self.session_id)
        if schedule.is_new:
            self.new_left -= 1
            if self._new and self._new[0] == card.id:
                self._new.pop(0)
        self.schedules[card.id] = CardSchedule(
            card_id=schedule.card_id, key=schedule.key, version=schedule.version,
            topic=schedule.topic, source_item=schedule.source_item, tags=schedule.tags,
            state=rev.state_after, step=rev.step, stability=rev.stability,
            difficulty=rev.difficulty, due=rev.due, last_review=at, reps=schedule.reps + 1,
            lapses=schedule.lapses + int(rating == 1 and schedule.state == 2),
        )
        return Rated(card, rating, rev.due, rev.interval_s, rev)

    def brought_forward(self, now: float, new_count: int) -> int:
        """Cards of this session brought forward by a recent failed answer or attempt:
        those due now, and the new ones among the first ``new_count`` new cards."""
        due = sum(1 for s in self.schedules.values()
                  if s.boosted_at is not None and not s.is_new and s.due is not None
                  and s.due <= now)
        new = sum(1 for i in self._new[:new_count] if self.schedules[i].boosted_at is not None)
        return due + new

    def is_brought_forward(self, card: Card) -> bool:
        return self.schedules[card.id].boosted_at is not None

    def due_now(self, now: float) -> int:
        """Reviewed cards due at ``now``."""
        return sum(
            1 for s in self.schedules.values()
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


def cram_review(schedule: CardSchedule, rating: int, *, at: float, answer_ms: int,
                session_id: str | None = None) -> Review:
    """The log entry of a cram rating: the card's state before and after is its current one."""
    return Review(
        card_id=schedule.card_id, card_version=schedule.version, session_id=session_id, at=at,
        rating=rating, state_before=schedule.state, state_after=schedule.state,
        step=schedule.step, stability=schedule.stability, difficulty=schedule.difficulty,
        due=schedule.due if schedule.due is not None else at, interval_s=0.0,
        last_interval_s=None if schedule.last_review is None else at - schedule.last_review,
        answer_ms=answer_ms, cram=True,
    )
