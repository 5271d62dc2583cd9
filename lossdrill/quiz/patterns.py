"""Recall patterns that cannot hang the quiz: bounds checked when a bank is validated.

Python's ``re`` backtracks, so a pattern such as ``^(a+)+$`` takes exponential time on
``aaaa…a!``. A recall pattern is refused unless it is short and free of the constructs
that cause catastrophic backtracking: a repeat nested inside another unbounded repeat,
alternatives longer than one character inside such a repeat, and back-references. Answers are also cut to :data:`MAX_ANSWER_CHARS` before grading, so even
a polynomial pattern (``.*.*x``) works on bounded input.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _p

MAX_PATTERN_CHARS = 200
MAX_ANSWER_CHARS = 2000
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not allowed in a recall item, or None when it is fine."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"longer than {MAX_PATTERN_CHARS} characters"
    try:
        re.compile(pattern)
        tree = _p.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a regular expression: {exc}"
    return _walk(tree, inside_unbounded=False)


def _walk(tree, inside_unbounded: bool) -> str | None:
    for op, arg in tree:
        if op == _c.GROUPREF or op == getattr(_c, "GROUPREF_EXISTS", None):
            return "back-references are not allowed"
        if op in _REPEATS:
            lo, hi, sub = arg
            unbounded = hi == _c.MAXREPEAT or hi > 50
            if inside_unbounded and (hi > 1):
                return "a repeat inside a repeat (e.g. (a+)+) can take exponential time"
            problem = _walk(sub, inside_unbounded or unbounded)
            if problem:
                return problem
        elif op == _c.SUBPATTERN:
            problem = _walk(arg[-1], inside_unbounded)
            if problem:
                return problem
        elif op == _c.BRANCH:
            if inside_unbounded and any(len(b) != 1 for b in arg[1]):
                return "alternatives inside a repeat (e.g. (a|aa)*) can take exponential time"
            for branch in arg[1]:
                problem = _walk(branch, inside_unbounded)
                if problem:
                    return problem
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            problem = _walk(arg[1], inside_unbounded)
            if problem:
                return problem
    return None
