"""The store's schema, as the list of migrations that build it.

``PRAGMA user_version`` holds the schema version: the number of migrations applied.
Migration *n* (1-based) takes a version *n-1* store to version *n*. A migration is
never edited once released; a change of schema is a new migration at the end.

Times are Unix epoch seconds (UTC, REAL). Lists are JSON text, except card tags which
are stored as ``|tag|tag|`` so a related-card lookup is a plain ``instr``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

V1 = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    drill TEXT NOT NULL,
    started REAL NOT NULL,
    ended REAL,
    summary TEXT
);
CREATE TABLE items_seen (
    item_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    times INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (item_id, version)
);
CREATE TABLE quiz_answers (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    item_version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    correct INTEGER NOT NULL,
    score REAL NOT NULL,
    response TEXT NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    overruled INTEGER NOT NULL DEFAULT 0,
    at REAL NOT NULL
);
CREATE INDEX quiz_answers_item ON quiz_answers (item_id, at);
CREATE TABLE implement_attempts (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    task TEXT NOT NULL,
    passed INTEGER NOT NULL,
    score REAL NOT NULL,
    groups TEXT NOT NULL,
    diagnoses TEXT NOT NULL,
    elapsed_s REAL NOT NULL,
    hints_used INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX implement_attempts_task ON implement_attempts (task, at);
CREATE TABLE hints (
    id INTEGER PRIMARY KEY,
    task TEXT NOT NULL,
    level INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE cards (
    key INTEGER PRIMARY KEY,
    card_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    topic TEXT NOT NULL,
    source_item TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '|',
    state INTEGER NOT NULL DEFAULT 0,
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due REAL,
    last_review REAL,
    reps INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    session_id TEXT,
    card_id TEXT NOT NULL,
    card_version INTEGER NOT NULL,
    at REAL NOT NULL,
    rating INTEGER NOT NULL,
    state_before INTEGER NOT NULL,
    state_after INTEGER NOT NULL,
    stability_after REAL,
    difficulty_after REAL,
    interval_s REAL NOT NULL,
    last_interval_s REAL,
    answer_ms INTEGER NOT NULL
);
CREATE INDEX reviews_card ON reviews (card_id, at);
CREATE TABLE scheduler (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    parameters TEXT NOT NULL
);
"""
"""Version 1: sessions, items seen, answers, attempts, hints, cards and their review log."""

V2 = """
CREATE TABLE interviews (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL,
    task TEXT,
    score REAL,
    sheet TEXT NOT NULL
);
ALTER TABLE cards ADD COLUMN boosted_at REAL;
CREATE INDEX cards_due ON cards (due);
CREATE INDEX reviews_at ON reviews (at);
CREATE INDEX quiz_answers_at ON quiz_answers (at);
CREATE INDEX quiz_answers_topic ON quiz_answers (topic, at);
CREATE INDEX implement_attempts_at ON implement_attempts (at);
CREATE TABLE item_stats (
    item_id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL,
    answers INTEGER NOT NULL,
    score_sum REAL NOT NULL,
    last_at REAL NOT NULL,
    last_correct INTEGER NOT NULL
);
INSERT INTO item_stats
    SELECT item_id, topic, kind, count(*), sum(score), max(at), correct
    FROM quiz_answers GROUP BY item_id;
CREATE TABLE topic_sessions (
    topic TEXT NOT NULL,
    session_id TEXT NOT NULL,
    answers INTEGER NOT NULL,
    score_sum REAL NOT NULL,
    first_at REAL NOT NULL,
    PRIMARY KEY (topic, session_id)
);
INSERT INTO topic_sessions
    SELECT topic, session_id, count(*), sum(score), min(at)
    FROM quiz_answers GROUP BY topic, session_id;
CREATE INDEX topic_sessions_first ON topic_sessions (topic, first_at);
CREATE TABLE task_stats (
    task TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    passes INTEGER NOT NULL,
    best_time_s REAL,
    fewest_lines INTEGER,
    last_at REAL NOT NULL
);
INSERT INTO task_stats
    SELECT task, count(*), sum(passed), min(CASE WHEN passed THEN elapsed_s END),
        min(CASE WHEN passed THEN lines END), max(at)
    FROM implement_attempts GROUP BY task;
CREATE TABLE diagnosis_counts (
    task TEXT NOT NULL,
    code TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (task, code)
);
INSERT INTO diagnosis_counts
    SELECT a.task, d.value, count(*) FROM implement_attempts AS a, json_each(a.diagnoses) AS d
    GROUP BY a.task, d.value;
"""
"""Version 2: mock interviews; cards brought forward by failed answers and attempts; running
totals per item, topic session and task (kept by every record, so the progress view reads a
few small tables however long the history)."""

V3 = """
ALTER TABLE reviews ADD COLUMN cram INTEGER NOT NULL DEFAULT 0;
UPDATE task_stats SET best_time_s = (
    SELECT min(elapsed_s) FROM implement_attempts AS a
    WHERE a.task = task_stats.task AND a.passed = 1 AND a.elapsed_s > 0);
"""
"""Version 3: cram reviews are logged (``cram = 1``, like Anki's filtered/cram revlog type)
without changing the card's schedule; a best time counts only timed passes (``implement
--check`` records 0 s)."""

V4 = """
CREATE TABLE schedule (
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    topic TEXT NOT NULL DEFAULT '',
    state INTEGER NOT NULL DEFAULT 0,
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due REAL,
    last_review REAL,
    reps INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX schedule_due ON schedule (due);
CREATE TABLE schedule_log (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    at REAL NOT NULL,
    rating INTEGER NOT NULL,
    source TEXT NOT NULL,
    retrievability REAL,
    elapsed_days REAL,
    state_after INTEGER,
    stability_after REAL,
    difficulty_after REAL,
    due REAL
);
CREATE INDEX schedule_log_item ON schedule_log (kind, item_id, at);
CREATE TABLE plan_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    interview_date TEXT,
    minutes INTEGER NOT NULL,
    updated REAL NOT NULL
);
"""
"""Version 4: the unified schedule (:mod:`lossdrill.store.schedule`): one FSRS state per
(kind, item id) for quiz items, bug hunts, implement tasks and cards, its graded log, and
the plan's settings. The history of a version 3 store is graded and replayed into it by
:func:`_fill_schedule`."""


V5 = """
ALTER TABLE implement_attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'timed';
ALTER TABLE implement_attempts ADD COLUMN watch_id TEXT;
ALTER TABLE implement_attempts ADD COLUMN digest TEXT;
UPDATE implement_attempts SET kind = 'check' WHERE elapsed_s <= 0;
UPDATE implement_attempts SET watch_id = session_id WHERE kind = 'timed';
CREATE INDEX implement_attempts_watch ON implement_attempts (watch_id, task);
UPDATE implement_attempts SET kind = 'recheck' WHERE kind = 'timed' AND watch_id IN (
    SELECT a.watch_id FROM implement_attempts AS a
    WHERE a.passed = 1 AND a.elapsed_s < 5 AND a.id = (SELECT min(b.id) FROM implement_attempts AS b
                                   WHERE b.watch_id = a.watch_id AND b.task = a.task));
UPDATE task_stats SET
    best_time_s = (SELECT min(elapsed_s) FROM implement_attempts AS a
                   WHERE a.task = task_stats.task AND a.passed = 1 AND a.kind = 'timed'),
    attempts = (SELECT count(DISTINCT coalesce(watch_id, 'check-' || id))
                FROM implement_attempts AS a WHERE a.task = task_stats.task)
"""
"""Version 5: honest timings. Each check records its ``kind``: ``timed`` (a watch session
that started from the starter or from a failing file), ``recheck`` (a watch session that
opened a file which already passed: no timed pass) or ``check`` (``implement --check``,
untimed); the ``watch_id`` of its watch session, whose checks are one attempt
(``task_stats.attempts`` counts attempts, not checks); and the SHA-256 ``digest`` of the
source, so checking an unchanged file again records nothing. History is classified: 0 s
checks are ``check``, the other checks of a recorder session are one watch session, and a
watch session whose first check passed within 5 s of opening (the check of a file that
already passed, run as the session opened it) is ``recheck``; best times are recomputed
from timed passes only."""


def _fill_schedule(conn: sqlite3.Connection) -> None:
    from lossdrill.store.schedule import rebuild

    rebuild(conn)


V_FRAMEWORK = """
ALTER TABLE implement_attempts ADD COLUMN framework TEXT NOT NULL DEFAULT 'numpy';
CREATE INDEX implement_attempts_framework ON implement_attempts (framework, task, passed)
"""
"""The framework tracks: which track (numpy, torch, jax) each implement attempt was on.
Earlier attempts were all NumPy. Version 6, after the unified schedule (4) and the honest
timings (5)."""

MIGRATIONS: tuple[str | tuple[str, Callable[[sqlite3.Connection], None]], ...] = (
    V1,
    V2,
    V3,
    (V4, _fill_schedule),
    V5,
    V_FRAMEWORK,
)
LATEST = len(MIGRATIONS)


class DamagedStore(sqlite3.DatabaseError):
    """The file is not a readable lossdrill store."""


class NewerSchemaError(Exception):
    """The store was written by a newer lossdrill."""


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the store to :data:`LATEST`; returns the version it had before.

    Runs in one immediate transaction, so two processes opening a fresh store at once
    apply each migration once. ``conn`` must be in autocommit mode.
    """
    version = schema_version(conn)
    if version == LATEST:
        return version
    if version > LATEST:
        raise NewerSchemaError(
            f"the store has schema version {version}; this lossdrill knows up to {LATEST}"
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = version = schema_version(conn)  # another process may have migrated meanwhile
        if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise DamagedStore("an SQLite file that is not a lossdrill store")
        for n in range(version, LATEST):
            step = MIGRATIONS[n]
            script, fill = (step, None) if isinstance(step, str) else step
            for statement in _statements(script):
                conn.execute(statement)
            if fill is not None:  # data a migration computes in Python (FSRS replay)
                fill(conn)
            conn.execute(f"PRAGMA user_version = {n + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before


def _statements(script: str) -> list[str]:
    # executescript() would commit the open transaction; run the statements one by one.
    return [s.strip() for s in script.split(";") if s.strip()]
