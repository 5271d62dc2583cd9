"""Parse and grade quiz answers. Pure functions: text in, result records out.

Conventions for typed answers (the same at a terminal and in scripted input):

* choice / scenario step: the option's number (``2``) or letter (``b``);
* multi: several numbers or letters separated by commas or spaces (``1,3`` or ``a c``);
* numeric: a number (``0.693``, ``6.93e-1``, ``-2``; a comma decimal ``0,5`` is accepted)
  or simple arithmetic (``ln(5)/2``, ``exp(-1)``, ``sqrt(2)/2``, ``1 - 0.25**2``), evaluated by
  the bank's safe formula evaluator;
* recall: free text, graded by key points (a point whose ``contradicts`` pattern matches
  is failed, even when its keywords appear);
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
from lossdrill.quiz.patterns import MAX_ANSWER_CHARS

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


_ARITHMETIC = re.compile(r"[0-9a-z_.+\-*/()^ ,]+")
_ARITHMETIC_NAMES = {"log", "exp", "sqrt", "log2", "log10", "log1p", "tanh", "pi", "e"}


def parse_number(text: str) -> float | None:
    """A finite number, or a short arithmetic expression's finite value; None otherwise.

    Expressions use ``+ - * / ** ^`` and parentheses over numbers, ``log``/``ln``, ``exp``,
    ``sqrt``, ``log2``, ``log10``, ``tanh`` and the constants ``pi`` and ``e``; they are
    evaluated by :func:`lossdrill.bank.formula.evaluate`, which refuses anything else.
    """
    text = text.strip().replace(" ", "").replace("−", "-").replace("×", "*").replace("π", "pi")
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        text = text.replace(",", ".")
    value: float | None
    try:
        value = float(text)
    except ValueError:
        value = _arithmetic(text)
        if value is None:
            return None
    return value if math.isfinite(value) else None


def _arithmetic(text: str) -> float | None:
    expr = re.sub(r"\bln\b", "log", text.lower()).replace("^", "**")
    if not expr or len(expr) > 80 or not _ARITHMETIC.fullmatch(expr):
        return None
    # One power at most, with a small exponent: 10**10**10 would run for ever.
    if expr.count("**") > 1 or re.search(r"\*\*[-+(]*\d{4,}", expr):
        return None
    # Only the names a hand calculation needs (not the reference functions formulas may use).
    names = re.findall(r"[a-z_][a-z_0-9]*", re.sub(r"(\d|\.)e[-+]?\d", "", expr))
    if not set(names) <= _ARITHMETIC_NAMES:
        return None
    import warnings

    from lossdrill.bank.formula import FormulaError, evaluate

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = evaluate(expr)
    except (FormulaError, ArithmeticError, ValueError, TypeError):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


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

    contradicted: tuple[str, ...] = ()
    """Points whose keywords appeared but in a negated or reversed claim (also in ``missed``)."""


def normalise_answer(text: str) -> str:
    """The answer as patterns see it: bounded length, one kind of minus, single spaces."""
    text = text[:MAX_ANSWER_CHARS]
    for dash in ("−", "–", "—"):
        text = text.replace(dash, "-")
    return re.sub(r"\s+", " ", text)


def _matches(pattern: str, text: str) -> bool:
    # Patterns are written with either minus; the answer has only "-" after normalising.
    return re.search(pattern.replace("−", "-"), text, re.IGNORECASE) is not None


def grade_recall(text: str, key_points: tuple[KeyPoint, ...], min_points: int) -> RecallGrade:
    """A key point is hit when one of its patterns matches and none of its ``contradicts``
    patterns does (case-insensitive). The answer passes with at least ``min_points`` hits
    that include every ``required`` point."""
    text = normalise_answer(text)
    hit, missed, contradicted = [], [], []
    passed_required = True
    for kp in key_points:
        said = any(_matches(p, text) for p in kp.patterns)
        against = any(_matches(p, text) for p in kp.contradicts)
        if said and not against:
            hit.append(kp.point)
            continue
        missed.append(kp.point)
        if against:
            contradicted.append(kp.point)
        passed_required = passed_required and not kp.required
    score = len(hit) / len(key_points) if key_points else 0.0
    ok = len(hit) >= min_points and passed_required and not contradicted
    return RecallGrade(ok, score, tuple(hit), tuple(missed), tuple(contradicted))
