"""The engine's clock: wall time, or the time ``$LOSSDRILL_NOW`` names.

``LOSSDRILL_NOW`` (ISO 8601 such as ``2026-03-02T09:00``, UTC when no offset is given, or
epoch seconds) sets "now" for the schedule, the plan and the forecast, so a test or a
learner replaying a history can drive the planner day by day. Time still runs from the
given instant while the process lives, so two answers of one session stay in order.
The drills' own logs (answers, attempts, reviews) keep wall-clock time.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timezone

ENV = "LOSSDRILL_NOW"
_START = time.time()


def parse_instant(text: str) -> float:
    """Epoch seconds of ``text`` (ISO 8601 date/time or a number); ValueError otherwise."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def now() -> float:
    """Epoch seconds: ``$LOSSDRILL_NOW`` (plus the time this process has run) or wall time."""
    text = os.environ.get(ENV)
    if text:
        try:
            return parse_instant(text) + (time.time() - _START)
        except ValueError:
            pass
    return time.time()


def is_set() -> bool:
    return bool(os.environ.get(ENV))


def day_of(epoch: float) -> date:
    """The UTC calendar day of ``epoch`` (the plan's days are UTC days)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).date()
