"""The learner's plan in the store: the interview date and the daily minutes
(``lossdrill plan``; the ``plan_settings`` table, schema version 4)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from lossdrill.schedule import clock


@dataclass(frozen=True)
class PlanSettings:
    interview_date: str | None
    """ISO date (YYYY-MM-DD) or None."""
    minutes: int


DEFAULT_MINUTES = 20


def plan_settings(conn: sqlite3.Connection) -> PlanSettings:
    row = conn.execute("SELECT interview_date, minutes FROM plan_settings WHERE id = 1").fetchone()
    return PlanSettings(row[0], int(row[1])) if row else PlanSettings(None, DEFAULT_MINUTES)


def set_plan_settings(conn: sqlite3.Connection, settings: PlanSettings) -> None:
    conn.execute(
        "INSERT INTO plan_settings (id, interview_date, minutes, updated) VALUES (1, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET interview_date = excluded.interview_date,"
        " minutes = excluded.minutes, updated = excluded.updated",
        (settings.interview_date, int(settings.minutes), clock.now()),
    )
