"""Evidence to an FSRS grade: the one rule every drill's record goes through.

========================================  =========
Evidence                                  Grade
========================================  =========
quiz answer right, full credit            Good (3)
quiz answer right with partial credit     Hard (2)
quiz answer wrong                         Again (1)
implement: fail, or the solution revealed Again (1)
implement: pass with hints                Hard (2)
implement: pass, untimed (``--check``)    Hard (2)
implement: pass of a re-check             none: no evidence (not graded)
implement: timed pass over the target     Hard (2)
implement: timed pass within the target   Good (3)
implement: timed pass in ≤ half of it     Easy (4)
flashcard                                 the learner's own rating
========================================  =========

The implement target is :data:`TARGET_S` (10 minutes, the readiness checklist's line).
A *re-check* (a watch session that opened a file which already passed) is no evidence of
a timed pass, nor of recall: its pass is not graded at all, and only its failure (the
learner broke a working file) is graded Again.
"""

from __future__ import annotations

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
TARGET_S = 600.0
FULL_CREDIT = 0.999


def quiz_grade(correct: bool, score: float) -> int:
    """Grade of one quiz answer (any kind, bug hunts included)."""
    if not correct:
        return AGAIN
    return GOOD if score >= FULL_CREDIT else HARD


def implement_grade(
    passed: bool,
    elapsed_s: float,
    hints_used: int,
    revealed: bool = False,
    target_s: float = TARGET_S,
    kind: str = "timed",
) -> int | None:
    """Grade of one implement check; ``kind`` is ``timed`` (a re-implementation from a blank
    or failing file), ``check`` (untimed) or ``recheck`` (None for its pass: no evidence)."""
    if not passed or revealed:
        return AGAIN
    if kind == "recheck":
        return None
    if kind != "timed" or hints_used > 0 or elapsed_s <= 0 or elapsed_s > target_s:
        return HARD
    return EASY if elapsed_s <= target_s / 2 else GOOD


def card_grade(rating: int) -> int:
    """A flashcard keeps the learner's self-rating (1-4)."""
    if rating not in (AGAIN, HARD, GOOD, EASY):
        raise ValueError(f"rating must be 1-4, not {rating!r}")
    return rating
