"""The progress store: durable records, migrations, concurrency, crashes, damaged files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from lossdrill.bank.schema import Card
from lossdrill.recording import ImplementAttempt, QuizAnswer
from lossdrill.store import open_store
from lossdrill.store.migrations import LATEST, MIGRATIONS, _statements


def raw_rows(store, sql, params=()):
    """Raw rows of the store's file, for asserting on what was written (read as the store
    reads: a damaged file is moved aside and the read runs again on a fresh store)."""
    return store._rows(sql, params)


STORE = "lossdrill.sqlite3"


def answer(
    session: str, item: str = "q1", correct: bool = True, at: float | None = None
) -> QuizAnswer:
    return QuizAnswer(
        session,
        item,
        1,
        "choice",
        "regression",
        correct,
        float(correct),
        "b",
        1200,
        at=at if at is not None else time.time(),
    )


def attempt(session: str, task: str = "focal", passed: bool = False, **kw) -> ImplementAttempt:
    fields = dict(
        score=1.0 if passed else 0.5,
        groups=(("random", 200, 0), ("stability", 12, 0 if passed else 5)),
        diagnoses=() if passed else ("unstable",),
        elapsed_s=300.0,
        hints_used=0,
        lines=6,
    )
    fields.update(kw)
    return ImplementAttempt(session, task, passed, **fields)


def rows(home: Path, table: str) -> int:
    conn = sqlite3.connect(home / STORE)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_every_record_is_kept_across_a_restart(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    assert store.notice is None
    session = store.start_session("quiz")
    store.record_quiz_answer(answer(session, correct=False))
    store.record_quiz_answer(answer(session, item="q2"))
    store.record_implement_attempt(attempt(session))
    store.record_implement_attempt(attempt(session, passed=True))
    store.record_hint("focal", 1)
    store.record_hint("focal", 2)
    store.end_session(session, {"answered": 2})
    store.close()

    store = open_store(tmp_path)
    assert store.counts()["quiz_answers"] == 2
    assert store.counts()["implement_attempts"] == 2
    assert store.hints_shown("focal") == 2
    assert store.hints_shown("mse") == 0
    assert store.has_passed("focal") is True
    assert store.has_passed("mse") is False
    groups, diagnoses = raw_rows(
        store, "SELECT groups, diagnoses FROM implement_attempts WHERE passed = 0"
    )[0]
    assert json.loads(groups) == [["random", 200, 0], ["stability", 12, 5]]
    assert json.loads(diagnoses) == ["unstable"]
    (summary,) = raw_rows(store, "SELECT summary FROM sessions")[0]
    assert json.loads(summary) == {"answered": 2}
    store.close()


def test_items_are_keyed_by_id_and_version(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    s = store.start_session("quiz")
    store.record_quiz_answer(answer(s))
    store.record_quiz_answer(answer(s))
    store.record_quiz_answer(QuizAnswer(s, "q1", 2, "choice", "regression", True, 1.0, "a", 900))
    seen = raw_rows(store, "SELECT item_id, version, times FROM items_seen ORDER BY version")
    assert seen == [("q1", 1, 2), ("q1", 2, 1)]
    store.close()


def test_interview_sheets_round_trip(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first = {
        "task": "focal",
        "score": 7.5,
        "started": "2026-11-20T10:00:00+00:00",
        "finished": "2026-11-20T10:20:00+00:00",
        "notes": ["forgot alpha_t"],
    }
    second = {"task": "bce", "score": 9, "started": 1_800_000_000.0}
    store.record_interview(second)
    store.record_interview(first)
    store.close()
    store = open_store(tmp_path)
    assert store.interviews() == [first, second]  # oldest first
    assert raw_rows(store, "SELECT task, score FROM interviews ORDER BY started") == [
        ("focal", 7.5),
        ("bce", 9.0),
    ]
    store.close()


V1_SCHEMA = """
CREATE TABLE sessions (id TEXT PRIMARY KEY, drill TEXT NOT NULL, started REAL NOT NULL,
    ended REAL, summary TEXT);
CREATE TABLE items_seen (item_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL,
    topic TEXT NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
    times INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (item_id, version));
CREATE TABLE quiz_answers (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL,
    item_id TEXT NOT NULL, item_version INTEGER NOT NULL, kind TEXT NOT NULL,
    topic TEXT NOT NULL, correct INTEGER NOT NULL, score REAL NOT NULL, response TEXT NOT NULL,
    elapsed_ms INTEGER NOT NULL, overruled INTEGER NOT NULL DEFAULT 0, at REAL NOT NULL);
CREATE INDEX quiz_answers_item ON quiz_answers (item_id, at);
CREATE TABLE implement_attempts (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL,
    task TEXT NOT NULL, passed INTEGER NOT NULL, score REAL NOT NULL, groups TEXT NOT NULL,
    diagnoses TEXT NOT NULL, elapsed_s REAL NOT NULL, hints_used INTEGER NOT NULL,
    lines INTEGER NOT NULL, at REAL NOT NULL);
CREATE INDEX implement_attempts_task ON implement_attempts (task, at);
CREATE TABLE hints (id INTEGER PRIMARY KEY, task TEXT NOT NULL, level INTEGER NOT NULL,
    at REAL NOT NULL);
CREATE TABLE cards (key INTEGER PRIMARY KEY, card_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL, topic TEXT NOT NULL, source_item TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '|', state INTEGER NOT NULL DEFAULT 0, step INTEGER,
    stability REAL, difficulty REAL, due REAL, last_review REAL,
    reps INTEGER NOT NULL DEFAULT 0, lapses INTEGER NOT NULL DEFAULT 0);
CREATE TABLE reviews (id INTEGER PRIMARY KEY, session_id TEXT, card_id TEXT NOT NULL,
    card_version INTEGER NOT NULL, at REAL NOT NULL, rating INTEGER NOT NULL,
    state_before INTEGER NOT NULL, state_after INTEGER NOT NULL, stability_after REAL,
    difficulty_after REAL, interval_s REAL NOT NULL, last_interval_s REAL,
    answer_ms INTEGER NOT NULL);
CREATE INDEX reviews_card ON reviews (card_id, at);
CREATE TABLE scheduler (id INTEGER PRIMARY KEY CHECK (id = 1), parameters TEXT NOT NULL);
PRAGMA user_version = 1;
"""


def test_a_version_1_store_is_migrated_and_keeps_its_history(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / STORE)
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO sessions VALUES ('s1', 'quiz', 1.0, 2.0, '{}')")
    conn.execute(
        "INSERT INTO quiz_answers (session_id, item_id, item_version, kind, topic,"
        " correct, score, response, elapsed_ms, at)"
        " VALUES ('s1', 'q1', 1, 'choice', 'regression', 0, 0.0, 'b', 800, 1.5)"
    )
    conn.execute(
        "INSERT INTO implement_attempts (session_id, task, passed, score, groups,"
        " diagnoses, elapsed_s, hints_used, lines, at)"
        " VALUES ('s1', 'mse', 1, 1.0, '[]', '[]', 120.0, 0, 4, 1.6)"
    )
    # A pass by `implement --check`, which records no time (0 s).
    conn.execute(
        "INSERT INTO implement_attempts (session_id, task, passed, score, groups,"
        " diagnoses, elapsed_s, hints_used, lines, at)"
        " VALUES ('s1', 'mae', 1, 1.0, '[]', '[]', 0.0, 0, 3, 1.65)"
    )
    conn.execute(
        "INSERT INTO cards (card_id, version, topic, source_item, state, stability,"
        " due, last_review, reps) VALUES ('fc-mse', 1, 'regression', 'fc-mse', 2, 12.5,"
        " 4000000000.0, 1.7, 3)"
    )
    conn.execute(
        "INSERT INTO reviews (card_id, card_version, at, rating, state_before,"
        " state_after, interval_s, answer_ms) VALUES ('fc-mse', 1, 1.7, 3, 1, 2, 86400, 900)"
    )
    conn.commit()
    conn.close()

    store = open_store(tmp_path)
    assert store.notice is None
    assert store.previous_version == 1
    assert raw_rows(store, "PRAGMA user_version") == [(LATEST,)]
    # Version 6 records each attempt's framework track; every older attempt was NumPy.
    assert raw_rows(store, "SELECT task, framework FROM implement_attempts ORDER BY at") == [
        ("mse", "numpy"),
        ("mae", "numpy"),
    ]
    # Version 3 marks cram reviews; every older review was a scheduled one.
    assert raw_rows(store, "SELECT card_id, rating, cram FROM reviews") == [("fc-mse", 3, 0)]
    assert store.counts()["quiz_answers"] == 1
    assert store.has_passed("mse")
    # Running totals added by version 2 are filled from the version 1 history.
    assert raw_rows(store, "SELECT item_id, answers, score_sum, last_correct FROM item_stats") == [
        ("q1", 1, 0.0, 0)
    ]
    assert raw_rows(
        store,
        "SELECT task, attempts, passes, best_time_s, fewest_lines FROM task_stats ORDER BY task",
    ) == [("mae", 1, 1, None, 3), ("mse", 1, 1, 120.0, 4)]
    card = store.card_schedule("fc-mse")
    assert card is not None and card.stability == 12.5 and card.reps == 3
    assert card.boosted_at is None
    # What version 2 added works on the migrated file.
    store.record_interview({"task": "mse", "score": 8})
    assert store.interviews() == [{"task": "mse", "score": 8}]
    store.close()


def test_a_version_4_store_gains_the_framework_column_and_keeps_its_schedule(
    tmp_path: Path,
) -> None:
    # A store as the release with the unified schedule (migrations 1-4) wrote it.
    conn = sqlite3.connect(tmp_path / STORE, isolation_level=None)
    for step in MIGRATIONS[:4]:
        script = step if isinstance(step, str) else step[0]
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(implement_attempts)")]
    assert "framework" not in columns
    conn.execute(
        "INSERT INTO implement_attempts (session_id, task, passed, score, groups,"
        " diagnoses, elapsed_s, hints_used, lines, at)"
        " VALUES ('s1', 'focal', 1, 1.0, '[]', '[]', 90.0, 0, 5, 1.5)"
    )
    conn.execute(
        "INSERT INTO schedule (kind, item_id, topic, state, stability, difficulty, due,"
        " last_review, reps) VALUES ('implement', 'focal', 'classification', 2, 7.5, 5.0,"
        " 4000000000.0, 1.0, 1)"
    )
    conn.close()

    store = open_store(tmp_path)
    assert store.notice is None and store.previous_version == 4
    assert raw_rows(store, "PRAGMA user_version") == [(LATEST,)]
    assert raw_rows(store, "SELECT task, framework FROM implement_attempts") == [("focal", "numpy")]
    # The schedule written by version 4 is kept as it was (no replay).
    assert raw_rows(store, "SELECT kind, item_id, stability, reps FROM schedule") == [
        ("implement", "focal", 7.5, 1)
    ]
    s = store.start_session("implement")
    store.record_implement_attempt(attempt(s, task="focal", passed=True, framework="torch"))
    assert raw_rows(store, "SELECT framework FROM implement_attempts ORDER BY id") == [
        ("numpy",),
        ("torch",),
    ]
    store.close()


def test_a_store_from_a_newer_lossdrill_is_left_untouched(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / STORE)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = (tmp_path / STORE).read_bytes()
    store = open_store(tmp_path)
    assert store.notice is not None and "newer" in store.notice
    store.record_hint("mse", 1)  # an in-memory stand-in keeps the drill running
    store.close()
    assert (tmp_path / STORE).read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_damaged_file_is_moved_aside_and_a_fresh_store_started(tmp_path: Path) -> None:
    garbage = b"this is not an SQLite database\n" * 200
    (tmp_path / STORE).write_bytes(garbage)
    store = open_store(tmp_path)
    (aside,) = tmp_path.glob(f"{STORE}.corrupt-*")
    assert aside.read_bytes() == garbage  # kept, never deleted
    assert store.notice is not None
    assert str(aside) in store.notice
    assert "fresh store" in store.notice
    store.record_hint("focal", 1)
    store.close()
    assert rows(tmp_path, "hints") == 1


def test_a_store_with_a_damaged_page_is_moved_aside_when_the_page_is_read(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    s = store.start_session("quiz")
    for i in range(300):
        store.record_quiz_answer(answer(s, item=f"q{i}"))
    store.close()
    path = tmp_path / STORE
    conn = sqlite3.connect(path)
    (root,) = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'quiz_answers'"
    ).fetchone()
    (page,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    # Overwrite the root page of the answers table with noise.
    data[(root - 1) * page : root * page] = bytes((i * 37) % 251 for i in range(page))
    path.write_bytes(bytes(data))
    store = open_store(tmp_path)
    # The damage shows when the page is first read: the file is moved aside then, and the
    # call runs again on a fresh store.
    assert raw_rows(store, "SELECT count(response) FROM quiz_answers") == [(0,)]
    assert store.notice is not None and "moved to" in store.notice
    (aside,) = tmp_path.glob(f"{STORE}.corrupt-*")
    assert str(aside) in store.notice
    store.record_hint("mse", 1)
    store.close()
    assert rows(tmp_path, "hints") == 1


WRITER = textwrap.dedent(
    """
    import sys, time
    from lossdrill.recording import ImplementAttempt, QuizAnswer
    from lossdrill.store import open_store

    home, name, n, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    store = open_store(home)
    assert store.notice is None, store.notice
    while time.time() < start_at:
        time.sleep(0.001)
    session = store.start_session("quiz")
    for i in range(n):
        store.record_quiz_answer(QuizAnswer(session, f"{name}-{i}", 1, "choice", "regression",
                                            i % 3 == 0, 1.0, "a", 10))
        if i % 4 == 0:
            store.record_implement_attempt(ImplementAttempt(
                session, "focal", i % 8 == 0, 0.5, (("stability", 12, 1),), ("unstable",),
                1.0, 0, 5))
        print(i, flush=True)
    store.end_session(session, {})
    store.close()
    """
)


def test_two_writers_at_once_lose_no_record(tmp_path: Path) -> None:
    open_store(tmp_path).close()  # both writers find a migrated store
    n = 250
    start_at = time.time() + 1.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), name, str(n), str(start_at)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert rows(tmp_path, "quiz_answers") == 2 * n
    assert rows(tmp_path, "implement_attempts") == 2 * len(range(0, n, 4))
    assert rows(tmp_path, "sessions") == 2
    store = open_store(tmp_path)
    ids = {r[0] for r in raw_rows(store, "SELECT item_id FROM quiz_answers")}
    assert ids == {f"{w}-{i}" for w in "ab" for i in range(n)}
    # The running totals agree with the rows.
    assert raw_rows(store, "SELECT sum(answers) FROM item_stats") == [(2 * n,)]
    assert raw_rows(store, "SELECT attempts, passes FROM task_stats") == [
        (2 * len(range(0, n, 4)), 2 * len(range(0, n, 8)))
    ]
    store.close()


OPENER = textwrap.dedent(
    """
    import sys, time
    from lossdrill.store import open_store

    home, start_at = sys.argv[1], float(sys.argv[2])
    while time.time() < start_at:
        pass
    store = open_store(home)
    assert store.notice is None, store.notice
    store.record_hint("focal", 1)
    store.close()
    """
)


def test_processes_creating_the_store_at_once_all_use_it(tmp_path: Path) -> None:
    for attempt_no in range(5):
        home = tmp_path / str(attempt_no)
        start_at = time.time() + 0.5
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPENER, str(home), str(start_at)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for _ in range(3)
        ]
        for p in procs:
            _, err = p.communicate(timeout=60)
            assert p.returncode == 0, err.decode()
        assert rows(home, "hints") == 3
        assert not list(home.glob("*.corrupt-*"))


def test_a_killed_session_loses_at_most_the_record_in_flight(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), "k", "100000", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acknowledged = -1
    assert proc.stdout is not None
    while acknowledged < 120:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        acknowledged = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    for line in proc.stdout:  # answers committed before the kill, printed but not yet read
        acknowledged = int(line)
    kept = rows(tmp_path, "quiz_answers")
    # Every acknowledged answer (0..acknowledged) is there; at most the one in flight beyond.
    assert acknowledged + 1 <= kept <= acknowledged + 2
    store = open_store(tmp_path)
    assert store.notice is None
    store.close()


def card(card_id: str, source_item: str, tags: tuple[str, ...], version: int = 1) -> Card:
    return Card(
        id=card_id,
        version=version,
        topic="classification",
        front=f"{card_id}?",
        back="answer",
        source_item=source_item,
        tags=tags,
    )


def cards() -> list[Card]:
    return [
        card("fc-focal-alpha", "fc-focal-alpha", ("focal", "imbalance")),
        card("focal#1", "focal", ("focal",)),
        card("fc-mse", "fc-mse", ("mse",)),
    ]


def test_a_failed_attempt_brings_related_cards_forward(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.sync_cards(cards())
    later = time.time() + 30 * 86400
    store.conn.execute(
        "UPDATE cards SET state = 2, stability = 30, due = ?, last_review = ?",
        (later, time.time() - 86400),
    )
    s = store.start_session("implement")
    store.record_implement_attempt(attempt(s, passed=True))
    assert all(c.due == later for c in store.card_schedules().values())  # a pass leaves them

    failed_at = time.time()
    store.record_implement_attempt(attempt(s, passed=False, at=failed_at))
    due = {c.card_id: c.due for c in store.card_schedules().values()}
    assert due == {"fc-focal-alpha": failed_at, "focal#1": failed_at, "fc-mse": later}
    store.close()


def test_a_wrong_quiz_answer_brings_the_items_own_cards_forward(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.sync_cards([card("q-mse#1", "q-mse", ("mse",)), card("fc-mae", "fc-mae", ("mae",))])
    s = store.start_session("quiz")
    store.record_quiz_answer(answer(s, item="q-mse", correct=False))
    boosted = {c.card_id: c.boosted_at is not None for c in store.card_schedules().values()}
    assert boosted == {"q-mse#1": True, "fc-mae": False}
    store.close()


def test_syncing_a_new_card_version_keeps_its_schedule(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.sync_cards(cards())
    store.conn.execute("UPDATE cards SET state = 2, stability = 9.0 WHERE card_id = 'fc-mse'")
    store.sync_cards([card("fc-mse", "fc-mse", ("mse",), version=2)])
    mse = store.card_schedule("fc-mse")
    assert mse is not None and (mse.version, mse.state, mse.stability) == (2, 2, 9.0)
    store.close()


def test_a_foreign_sqlite_file_is_moved_aside(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / STORE)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.execute("INSERT INTO photos VALUES ('cat.jpg')")
    conn.commit()
    conn.close()
    store = open_store(tmp_path)
    assert store.notice is not None and "moved to" in store.notice
    (aside,) = tmp_path.glob(f"{STORE}.corrupt-*")
    conn = sqlite3.connect(aside)
    assert conn.execute("SELECT name FROM photos").fetchall() == [("cat.jpg",)]
    conn.close()
    store.close()


def test_a_store_in_a_folder_that_cannot_be_created_still_runs_the_drill(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = open_store(blocker / "home")
    assert store.notice is not None and "not being saved" in store.notice
    session = store.start_session("quiz")
    store.record_quiz_answer(answer(session))
    assert store.counts()["quiz_answers"] == 1
    store.close()


def test_a_data_folder_that_is_a_file_is_named_in_the_notice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    store = open_store(home)
    assert store.notice == (
        f"the data folder {home} is a file, not a folder (set LOSSDRILL_HOME"
        " or --home to a folder); progress is not being saved this time"
    )
    session = store.start_session("quiz")
    store.record_quiz_answer(answer(session))
    assert store.counts()["quiz_answers"] == 1
    store.close()
    assert home.read_text() == "not a folder"
