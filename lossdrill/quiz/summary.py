"""The closing summary of a quiz session, as data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TopicScore:
    topic: str
    asked: int
    correct: int
    score: float
    """Sum of item scores (partial credit included)."""


@dataclass
class QuizSummary:
    """Score, time, per-topic results and the missed items of one session."""

    seed: int
    planned: int
    results: list = field(default_factory=list)
    """:class:`~lossdrill.recording.QuizAnswer` records, in the order asked."""
    elapsed_s: float = 0.0
    ended_early: bool = False
    replay: str = ""
    """The command that asks the same questions in the same order again."""
    skipped: list[str] = field(default_factory=list)
    """Ids of items that could not be asked (e.g. a numeric formula that failed)."""

    @property
    def asked(self) -> int:
        return len(self.results)

    @property
    def correct(self) -> int:
        return sum(r.correct for r in self.results)

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    def by_topic(self) -> list[TopicScore]:
        topics: dict[str, list] = {}
        for r in self.results:
            topics.setdefault(r.topic, []).append(r)
        return [
            TopicScore(t, len(rs), sum(r.correct for r in rs), sum(r.score for r in rs))
            for t, rs in sorted(topics.items())
        ]

    def missed(self) -> list:
        return [r for r in self.results if not r.correct]

    def _totals(self) -> dict:
        """The session's counts and score, as both the stored summary and ``--json`` begin."""
        return {
            "seed": self.seed,
            "planned": self.planned,
            "asked": self.asked,
            "correct": self.correct,
            "score": round(self.score, 3),
        }

    def to_dict(self) -> dict:
        return {
            **self._totals(),
            "elapsed_s": round(self.elapsed_s, 1),
            "ended_early": self.ended_early,
            "topics": [t.__dict__ for t in self.by_topic()],
            "missed": [r.item_id for r in self.missed()],
        }

    def to_json(self) -> dict:
        """The session for scripts (``lossdrill quiz --json``): the score and every answer."""
        return {
            **self._totals(),
            "score_fraction": round(self.score / self.asked, 3) if self.asked else 0.0,
            "elapsed_s": round(self.elapsed_s, 1),
            "ended_early": self.ended_early,
            "skipped": list(self.skipped),
            "replay": self.replay,
            "items": [
                {
                    "id": r.item_id,
                    "version": r.item_version,
                    "kind": r.kind,
                    "topic": r.topic,
                    "correct": bool(r.correct),
                    "partial_credit": round(r.score, 3),
                    "answer": r.response,
                    "overruled": bool(r.overruled),
                }
                for r in self.results
            ],
        }
