"""Honest timings in the store: a re-check is no timed pass, the checks of one watch session
are one attempt, slips are judged by each attempt's final check, and old histories are
classified by the migration to version 5 (a real SQLite file)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from lossdrill.recording import ImplementAttempt
from lossdrill.schedule.grades import AGAIN, GOOD, HARD, implement_grade
from lossdrill.store import open_store, queries
from lossdrill.store.migrations import MIGRATIONS, _statements

STORE = "lossdrill.sqlite3"


def attempt(
    task: str,
    passed: bool,
    elapsed: float,
    *,
    kind: str = "timed",
    watch: str = "",
    diagnoses: tuple[str, ...] = (),
    at: float | None = None,
) -> ImplementAttempt:
    return ImplementAttempt(
        "s",
        task,
        passed,
        1.0 if passed else 0.5,
        (("random", 200, 0),),
        diagnoses,
        elapsed,
        0,
        6,
        at=at if at is not None else time.time(),
        kind=kind,
        watch_id=watch,
    )


def test_a_recheck_pass_is_not_a_timed_pass(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.record_implement_attempt(attempt("bce", True, 0.0, kind="recheck", watch="w1"))
    ev = queries.speed_evidence(store, "bce", 0.0)
    assert (ev.best_s, ev.passes, ev.untimed) == (None, 1, 1)
    assert queries.task_stats(store)["bce"].best_time_s is None
    # the schedule has no grade for it: no evidence of recall
    assert store.conn.execute("SELECT count(*) FROM schedule_log").fetchone()[0] == 0
    store.record_implement_attempt(attempt("bce", True, 240.0, watch="w2"))
    assert queries.speed_evidence(store, "bce", 0.0).best_s == 240.0
    assert queries.task_stats(store)["bce"].best_time_s == 240.0
    store.close()


def test_the_grade_of_a_recheck_is_no_evidence() -> None:
    assert implement_grade(True, 120.0, 0, kind="recheck") is None
    assert implement_grade(False, 120.0, 0, kind="recheck") == AGAIN
    assert implement_grade(True, 400.0, 0, kind="timed") == GOOD
    assert implement_grade(True, 400.0, 0, kind="check") == HARD


def test_the_checks_of_one_watch_session_are_one_attempt(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for n, passed in enumerate((False, False, True)):
        store.record_implement_attempt(
            attempt(
                "focal",
                passed,
                60.0 * (n + 1),
                watch="w1",
                diagnoses=() if passed else ("unstable",),
            )
        )
    stats = queries.task_stats(store)["focal"]
    assert (stats.attempts, stats.passes, stats.best_time_s) == (1, 1, 180.0)
    # the same mistake saved twice in one session counts once
    assert queries.diagnosis_counts(store)["focal"] == [("unstable", 1)]
    # checks on their own (--check) are an attempt each
    store.record_implement_attempt(
        attempt("focal", False, 0.0, kind="check", diagnoses=("unstable",))
    )
    assert queries.task_stats(store)["focal"].attempts == 2
    store.close()


def test_slips_are_judged_by_the_final_check_of_each_session(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    t = time.time() - 100
    store.record_implement_attempt(
        attempt("focal", False, 60, watch="w1", at=t, diagnoses=("unstable",))
    )
    store.record_implement_attempt(
        attempt("focal", False, 90, watch="w1", at=t + 1, diagnoses=("empty-batch",))
    )
    store.record_implement_attempt(attempt("focal", True, 120, watch="w1", at=t + 2))
    assert queries.recent_slips(store, ("empty-batch", "unstable")) == []
    # a session that ends failing is judged by its final check only
    store.record_implement_attempt(
        attempt("bce", False, 60, watch="w2", at=t + 3, diagnoses=("unstable",))
    )
    store.record_implement_attempt(
        attempt("bce", False, 90, watch="w2", at=t + 4, diagnoses=("empty-batch",))
    )
    assert [(s.task, s.code) for s in queries.recent_slips(store, ("empty-batch", "unstable"))] == [
        ("bce", "empty-batch")
    ]
    store.close()


def test_version_4_history_is_classified_by_the_migration(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / STORE, isolation_level=None)
    for step in MIGRATIONS[:4]:
        script = step if isinstance(step, str) else step[0]
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    rows = [  # session, task, passed, elapsed_s, at
        ("a", "mse", 0, 100.0, 1.0),
        ("a", "mse", 1, 300.0, 2.0),  # a timed session
        ("b", "mse", 1, 0.4, 3.0),
        ("b", "mse", 1, 30.0, 4.0),  # re-opened, already passing
        ("c", "mse", 1, 0.0, 5.0),  # implement --check
    ]
    for session, task, passed, elapsed, at in rows:
        conn.execute(
            "INSERT INTO implement_attempts (session_id, task, passed, score, groups,"
            " diagnoses, elapsed_s, hints_used, lines, at)"
            " VALUES (?, ?, ?, 1.0, '[]', '[]', ?, 0, 5, ?)",
            (session, task, passed, elapsed, at),
        )
    conn.execute("INSERT INTO task_stats VALUES ('mse', 5, 4, 0.4, 5, 5.0)")
    conn.close()
    store = open_store(tmp_path)
    kinds = store.conn.execute("SELECT session_id, kind FROM implement_attempts ORDER BY id")
    assert [tuple(r) for r in kinds] == [
        ("a", "timed"),
        ("a", "timed"),
        ("b", "recheck"),
        ("b", "recheck"),
        ("c", "check"),
    ]
    stats = queries.task_stats(store)["mse"]
    assert (stats.attempts, stats.best_time_s) == (3, 300.0)  # sessions a, b and one check
    store.close()
