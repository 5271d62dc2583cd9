"""The one small interface through which every drill records what the learner did.

Drills call a :class:`Recorder`; they never know how records are kept. The progress
store (:mod:`lossdrill.store`) implements it with SQLite; :class:`NullRecorder` keeps
nothing. Each ``record_*`` call must be durable when it returns (committed), so a
session killed mid-way loses at most the answer in flight.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class QuizAnswer:
    """One answered quiz item (any quiz kind, bug hunts included)."""

    session_id: str
    item_id: str
    item_version: int
    kind: str
    topic: str
    correct: bool
    score: float
    """0..1: partial credit for multi, recall and scenario items."""
    response: str
    """What the learner answered, as text."""
    elapsed_ms: int
    overruled: bool = False
    """The learner overruled the automatic grade of a recall answer."""
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class ImplementAttempt:
    """One check of an implement submission."""

    session_id: str
    task: str
    passed: bool
    score: float
    groups: tuple[tuple[str, int, int], ...]
    """(group name, cases, failed cases) per case group."""
    diagnoses: tuple[str, ...]
    """Diagnosis codes, most specific first."""
    elapsed_s: float
    """Seconds since the task was started in this session."""
    hints_used: int
    lines: int
    """Non-blank, non-comment lines of the solution."""
    at: float = field(default_factory=time.time)
    kind: str = "timed"
    """``timed`` (a watch session that started from the starter or a failing file),
    ``recheck`` (a watch session that opened a file which already passed: never a timed pass)
    or ``check`` (``implement --check``: untimed)."""
    watch_id: str = ""
    """The watch session the check belongs to: its checks are one attempt ("" for a
    check on its own)."""
    digest: str = ""
    """SHA-256 of the checked source ("" when unknown)."""
    framework: str = "numpy"
    """The track the attempt was on: ``numpy``, ``torch`` or ``jax``."""


class Recorder(Protocol):
    """Where drills send their records."""

    def start_session(self, drill: str) -> str:
        """Begin a session of ``drill`` (quiz, implement, flashcards, ...); returns its id."""
        ...

    def end_session(self, session_id: str, summary: dict) -> None: ...

    def record_quiz_answer(self, answer: QuizAnswer) -> None: ...

    def record_implement_attempt(self, attempt: ImplementAttempt) -> None: ...

    def record_hint(self, task: str, level: int) -> None:
        """The learner was shown hint number ``level`` (1-based) of ``task``."""
        ...

    def hints_shown(self, task: str) -> int:
        """How many hints of ``task`` have been shown so far (0 for a fresh store)."""
        ...

    def has_passed(self, task: str) -> bool: ...

    def last_digest(self, task: str) -> str | None:
        """The source digest of the last recorded check of ``task`` (None: none known)."""
        ...

    def close(self) -> None: ...


class NullRecorder:
    """Records nothing; used when no store is available."""

    def __init__(self) -> None:
        self._hints: dict[str, int] = {}

    def start_session(self, drill: str) -> str:
        import uuid

        return uuid.uuid4().hex

    def end_session(self, session_id: str, summary: dict) -> None:
        return None

    def record_quiz_answer(self, answer: QuizAnswer) -> None:
        return None

    def record_implement_attempt(self, attempt: ImplementAttempt) -> None:
        return None

    def record_hint(self, task: str, level: int) -> None:
        self._hints[task] = max(self._hints.get(task, 0), level)

    def hints_shown(self, task: str) -> int:
        return self._hints.get(task, 0)

    def has_passed(self, task: str) -> bool:
        return False

    def last_digest(self, task: str) -> str | None:
        return None

    def close(self) -> None:
        return None
