"""Parse and grade quiz answers. Pure functions: text in, result records out.

Conventions for typed answers (the same at a terminal and in scripted input):

* choice / scenario step: the option's number (``2``) or letter (``b``);
* multi: several numbers or letters separated by commas or spaces (``1,3`` or ``a c``);
* numeric: a number (``0.693``, ``6.93e-1``, ``-2``; a comma decimal ``0,5`` is accepted);
* recall: free text, graded by key points;
* bug hunt: a line number.

``?`` gives up on any question (graded wrong, the answer is shown). Anything that cannot
be parsed returns ``None`` from the ``parse_*`` functions, and the caller asks again.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass

from lossdrill.bank.schema import KeyPoint

GIVE_UP = "?"


@dataclass(frozen=True)
class Grade:
    """The grade of one answer."""

    correct: bool
    score: float
    """0..1, partial credit for multi, recall and scenario."""


def parse_choice(text: str, n_options: int) -> int | None:
    """0-based option index from ``"2"`` or ``"b"``; None when out of range or not an option."""
    text = text.strip().lower().rstrip(".)")
    if text.isdigit():
        index = int(text) - 1
    elif len(text) == 1 and text in string.ascii_lowercase:
        index = string.ascii_lowercase.index(text)
    else:
        return None
    return index if 0 <= index < n_options else None


def parse_multi(text: str, n_options: int) -> frozenset[int] | None:
    """Several options separated by commas or spaces; None if any part is not an option."""
    parts = [p for p in re.split(r"[,\s;]+", text.strip()) if p]
    if not parts:
        return None
    if len(parts) == 1 and parts[0].isalpha() and len(parts[0]) > 1:
        parts = list(parts[0])  # "ac" means a and c
    chosen = set()
    for part in parts:
        index = parse_choice(part, n_options)
        if index is None:
            return None
        chosen.add(index)
    return frozenset(chosen)


def parse_number(text: str) -> float | None:
    """A finite number, or None."""
    text = text.strip().replace(" ", "")
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_line_number(text: str, n_lines: int) -> int | None:
    text = text.strip().lower().removeprefix("line").strip()
    if not text.isdigit():
        return None
    line = int(text)
    return line if 1 <= line <= n_lines else None


def grade_choice(chosen: int, correct: int) -> Grade:
    ok = chosen == correct
    return Grade(ok, 1.0 if ok else 0.0)


def grade_multi(chosen: frozenset[int], correct: frozenset[int]) -> Grade:
    """Exact set for full marks; partial score = (right picks − wrong picks) / number right."""
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    score = max(0.0, (right - wrong) / len(correct)) if correct else 0.0
    return Grade(chosen == correct, score)


def grade_numeric(value: float, expected: float, tolerance: float) -> Grade:
    ok = abs(value - expected) <= tolerance
    return Grade(ok, 1.0 if ok else 0.0)


@dataclass(frozen=True)
class RecallGrade(Grade):
    hit: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()


def grade_recall(text: str, key_points: tuple[KeyPoint, ...], min_points: int) -> RecallGrade:
    """A key point is hit when any of its patterns matches (case-insensitive)."""
    hit, missed = [], []
    for kp in key_points:
        matched = any(re.search(p, text, re.IGNORECASE) for p in kp.patterns)
        (hit if matched else missed).append(kp.point)
    score = len(hit) / len(key_points) if key_points else 0.0
    return RecallGrade(len(hit) >= min_points, score, tuple(hit), tuple(missed))
