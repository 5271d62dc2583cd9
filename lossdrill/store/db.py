"""The progress store: one SQLite file of every answer, attempt, hint, review and interview.

:class:`Store` implements :class:`lossdrill.recording.Recorder`. Every ``record_*`` call
is committed before it returns (WAL journal, autocommit), so a killed process loses at
most the record in flight, and two sessions writing at once wait for each other
(busy timeout) instead of failing. Nothing here prints: a message for the learner
(a damaged file moved aside, a store that could not be opened) is left in
:attr:`Store.notice` for the command layer to show.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lossdrill.recording import ImplementAttempt, QuizAnswer
from lossdrill.store import migrations
from lossdrill.store.migrations import DamagedStore

if TYPE_CHECKING:  # the bank schema is not needed to open a store (implement --check stays light)
    from lossdrill.bank.schema import Card

T = TypeVar("T")

FILENAME = "lossdrill.sqlite3"
BUSY_TIMEOUT_MS = 15_000

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
"""Card states as stored: 0 is a card never reviewed; 1-3 are ``fsrs.State`` values."""


@dataclass(frozen=True)
class CardSchedule:
    """A card's scheduling state, one row of ``cards``."""

    card_id: str
    key: int
    """Integer key of the card (the ``fsrs.Card.card_id``)."""
    version: int
    topic: str
    source_item: str
    tags: tuple[str, ...]
    state: int
    """:data:`NEW`, :data:`LEARNING`, :data:`REVIEW` or :data:`RELEARNING`."""
    step: int | None
    stability: float | None
    """Days until recall probability falls to 90% (FSRS)."""
    difficulty: float | None
    due: float | None
    """Epoch seconds; None for a new card."""
    last_review: float | None
    reps: int
    lapses: int
    boosted_at: float | None = None
    """When a failed quiz answer or implement attempt last brought this card forward."""

    @property
    def is_new(self) -> bool:
        return self.state == NEW


@dataclass(frozen=True)
class Review:
    """One flashcard review: the revlog row and the card's new state."""

    card_id: str
    card_version: int
    session_id: str | None
    at: float
    rating: int
    """1 Again, 2 Hard, 3 Good, 4 Easy."""
    state_before: int
    state_after: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: float
    interval_s: float
    """Seconds from this review to the next due time."""
    last_interval_s: float | None
    """Seconds since the previous review of this card (None for its first)."""
    answer_ms: int
    cram: bool = False
    """A cram review: logged, but the card's schedule is left as it was (its ``state_*``,
    ``stability``, ``difficulty`` and ``due`` are the unchanged ones; ``interval_s`` is 0)."""


def _recovering(method: Callable[..., T]) -> Callable[..., T]:
    """Run ``method``; if the file turns out damaged, move it aside and run it on a fresh store.

    Opening only checks the file's header and schema (a full check would cost a read of
    the whole file on every start); damage in a data page shows up on first use instead.
    """

    @functools.wraps(method)
    def run(self: Store, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if self.path is None or self._recovered or not is_damage(exc):
                raise
            self._recover(exc)
            return method(self, *args, **kwargs)

    return run


class Store:
    """The SQLite progress store. Use :func:`open_store` rather than the constructor."""

    def __init__(self, path: Path | str, notice: str | None = None) -> None:
        self.path = Path(path) if path != ":memory:" else None
        self.notice = notice
        self._recovered = False
        self.conn, self.previous_version = _connect(path)

    def _recover(self, damage: BaseException) -> None:
        self._recovered = True
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
        assert self.path is not None
        try:
            aside = move_aside(self.path)
            self.conn, self.previous_version = _connect(self.path)
        except (OSError, sqlite3.Error) as exc:
            self.conn, _ = _connect(":memory:")
            self.notice = (f"The progress store {self.path} is damaged ({damage}) and could not"
                           f" be replaced ({exc}); progress is not being saved this time.")
            self.path = None
            return
        self.notice = damaged_notice(self.path, damage, aside)

    # -- Recorder ---------------------------------------------------------------------

    @_recovering
    def start_session(self, drill: str) -> str:
        session_id = uuid.uuid4().hex
        self.conn.execute(
            "INSERT INTO sessions (id, drill, started) VALUES (?, ?, ?)",
            (session_id, drill, time.time()),
        )
        return session_id

    @_recovering
    def end_session(self, session_id: str, summary: dict) -> None:
        self.conn.execute(
            "UPDATE sessions SET ended = ?, summary = ? WHERE id = ?",
            (time.time(), json.dumps(summary, default=str), session_id),
        )

    @_recovering
    def record_quiz_answer(self, answer: QuizAnswer) -> None:
        with self._transaction():
            self.conn.execute(
                "INSERT INTO quiz_answers (session_id, item_id, item_version, kind, topic, correct,"
                " score, response, elapsed_ms, overruled, at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (answer.session_id, answer.item_id, answer.item_version, answer.kind,
                 answer.topic, int(answer.correct), float(answer.score), answer.response,
                 int(answer.elapsed_ms), int(answer.overruled), answer.at),
            )
            self.conn.execute(
                "INSERT INTO items_seen (item_id, version, kind, topic, first_seen, last_seen)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (item_id, version) DO UPDATE SET"
                " last_seen = excluded.last_seen, times = times + 1",
                (answer.item_id, answer.item_version, answer.kind, answer.topic,
                 answer.at, answer.at),
            )
            self.conn.execute(
                "INSERT INTO item_stats (item_id, topic, kind, answers, score_sum, last_at,"
                " last_correct) VALUES (?,?,?,1,?,?,?) ON CONFLICT (item_id) DO UPDATE SET"
                " topic = excluded.topic, kind = excluded.kind, answers = answers + 1,"
                " score_sum = score_sum + excluded.score_sum,"
                " last_correct = CASE WHEN excluded.last_at >= last_at"
                "   THEN excluded.last_correct ELSE last_correct END,"
                " last_at = max(last_at, excluded.last_at)",
                (answer.item_id, answer.topic, answer.kind, float(answer.score), answer.at,
                 int(answer.correct)),
            )
            self.conn.execute(
                "INSERT INTO topic_sessions (topic, session_id, answers, score_sum, first_at)"
                " VALUES (?,?,1,?,?) ON CONFLICT (topic, session_id) DO UPDATE SET"
                " answers = answers + 1, score_sum = score_sum + excluded.score_sum,"
                " first_at = min(first_at, excluded.first_at)",
                (answer.topic, answer.session_id, float(answer.score), answer.at),
            )
            if not answer.correct:
                self._bring_forward([answer.item_id], answer.at)

    @_recovering
    def record_implement_attempt(self, attempt: ImplementAttempt) -> None:
        groups = [[str(name), int(total), int(failed)] for name, total, failed in attempt.groups]
        with self._transaction():
            self.conn.execute(
                "INSERT INTO implement_attempts (session_id, task, passed, score, groups,"
                " diagnoses, elapsed_s, hints_used, lines, at, framework)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (attempt.session_id, attempt.task, int(attempt.passed), float(attempt.score),
                 json.dumps(groups), json.dumps(list(attempt.diagnoses)),
                 float(attempt.elapsed_s), int(attempt.hints_used), int(attempt.lines),
                 attempt.at, attempt.framework),
            )
            # `implement --check` records 0 s: a file graded without a clock has no time.
            timed = attempt.passed and float(attempt.elapsed_s) > 0
            passed_time = float(attempt.elapsed_s) if timed else None
            passed_lines = int(attempt.lines) if attempt.passed else None
            self.conn.execute(
                "INSERT INTO task_stats (task, attempts, passes, best_time_s, fewest_lines,"
                " last_at) VALUES (?,1,?,?,?,?) ON CONFLICT (task) DO UPDATE SET"
                " attempts = attempts + 1, passes = passes + excluded.passes,"
                " best_time_s = coalesce(min(best_time_s, excluded.best_time_s),"
                "   best_time_s, excluded.best_time_s),"
                " fewest_lines = coalesce(min(fewest_lines, excluded.fewest_lines),"
                "   fewest_lines, excluded.fewest_lines),"
                " last_at = max(last_at, excluded.last_at)",
                (attempt.task, int(attempt.passed), passed_time, passed_lines, attempt.at),
            )
            self.conn.executemany(
                "INSERT INTO diagnosis_counts (task, code, n) VALUES (?,?,1)"
                " ON CONFLICT (task, code) DO UPDATE SET n = n + 1",
                [(attempt.task, code) for code in dict.fromkeys(attempt.diagnoses)],
            )
            if not attempt.passed:
                self._bring_forward([attempt.task], attempt.at)

    @_recovering
    def record_hint(self, task: str, level: int) -> None:
        self.conn.execute(
            "INSERT INTO hints (task, level, at) VALUES (?, ?, ?)", (task, int(level), time.time())
        )

    @_recovering
    def hints_shown(self, task: str) -> int:
        row = self.conn.execute("SELECT max(level) FROM hints WHERE task = ?", (task,)).fetchone()
        return int(row[0] or 0)

    @_recovering
    def has_passed(self, task: str) -> bool:
        row = self.conn.execute("SELECT passes FROM task_stats WHERE task = ?", (task,)).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None  # type: ignore[assignment]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- interviews -------------------------------------------------------------------

    @_recovering
    def record_interview(self, sheet: dict) -> None:
        """Keep a mock interview's score sheet.

        The whole ``sheet`` is stored as JSON. Its ``started`` and ``finished`` (epoch
        seconds or ISO 8601 text), ``task`` and ``score`` (a number) are also kept as
        columns for the progress view; any of them may be missing.
        """
        started = _epoch(sheet.get("started"))
        self.conn.execute(
            "INSERT INTO interviews (started, finished, task, score, sheet) VALUES (?,?,?,?,?)",
            (started if started is not None else time.time(), _epoch(sheet.get("finished")),
             sheet.get("task"), _number(sheet.get("score")), json.dumps(sheet, default=str)),
        )

    @_recovering
    def interviews(self) -> list[dict]:
        """Every recorded score sheet, oldest first, as it was given to :meth:`record_interview`."""
        rows = self.conn.execute("SELECT sheet FROM interviews ORDER BY started, id").fetchall()
        return [json.loads(sheet) for (sheet,) in rows]

    # -- flashcards -------------------------------------------------------------------

    @_recovering
    def sync_cards(self, cards: Iterable[Card]) -> None:
        """Add the bank's cards not yet in the store; refresh version, topic and tags.

        A card's schedule is never reset: a new version of a card keeps its history.
        """
        rows = [
            (c.id, c.version, c.topic, c.source_item, _tags_text(c.tags)) for c in cards
        ]
        with self._transaction():
            self.conn.executemany(
                "INSERT INTO cards (card_id, version, topic, source_item, tags) VALUES (?,?,?,?,?)"
                " ON CONFLICT (card_id) DO UPDATE SET version = excluded.version,"
                " topic = excluded.topic, source_item = excluded.source_item,"
                " tags = excluded.tags WHERE version != excluded.version"
                " OR topic != excluded.topic OR source_item != excluded.source_item"
                " OR tags != excluded.tags",
                rows,
            )

    @_recovering
    def card_schedules(self) -> dict[str, CardSchedule]:
        """Every card's schedule, by card id."""
        rows = self.conn.execute(
            "SELECT card_id, key, version, topic, source_item, tags, state, step, stability,"
            " difficulty, due, last_review, reps, lapses, boosted_at FROM cards"
        ).fetchall()
        return {r[0]: _schedule(r) for r in rows}

    @_recovering
    def card_schedule(self, card_id: str) -> CardSchedule | None:
        r = self.conn.execute(
            "SELECT card_id, key, version, topic, source_item, tags, state, step, stability,"
            " difficulty, due, last_review, reps, lapses, boosted_at FROM cards WHERE card_id = ?",
            (card_id,),
        ).fetchone()
        return _schedule(r) if r else None

    @_recovering
    def record_review(self, review: Review) -> None:
        """Log a review and store the card's new state, in one transaction.

        A cram review is only logged: the card's schedule does not change.
        """
        lapse = int(review.rating == 1 and review.state_before == REVIEW)
        with self._transaction():
            self.conn.execute(
                "INSERT INTO reviews (session_id, card_id, card_version, at, rating, state_before,"
                " state_after, stability_after, difficulty_after, interval_s, last_interval_s,"
                " answer_ms, cram) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (review.session_id, review.card_id, review.card_version, review.at,
                 review.rating, review.state_before, review.state_after, review.stability,
                 review.difficulty, review.interval_s, review.last_interval_s,
                 review.answer_ms, int(review.cram)),
            )
            if review.cram:
                return
            self.conn.execute(
                "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?,"
                " last_review = ?, reps = reps + 1, lapses = lapses + ?, boosted_at = NULL"
                " WHERE card_id = ?",
                (review.state_after, review.step, review.stability, review.difficulty,
                 review.due, review.at, lapse, review.card_id),
            )

    @_recovering
    def new_cards_reviewed_since(self, since: float) -> int:
        """How many cards had their first review at or after ``since``."""
        row = self.conn.execute(
            "SELECT count(DISTINCT card_id) FROM reviews"
            " WHERE state_before = 0 AND cram = 0 AND at >= ?",
            (since,),
        ).fetchone()
        return int(row[0])

    @_recovering
    def scheduler_parameters(self) -> dict | None:
        """The FSRS scheduler's parameters (``fsrs.Scheduler.to_dict()``), stored once."""
        row = self.conn.execute("SELECT parameters FROM scheduler WHERE id = 1").fetchone()
        return json.loads(row[0]) if row else None

    @_recovering
    def set_scheduler_parameters(self, parameters: dict) -> None:
        self.conn.execute(
            "INSERT INTO scheduler (id, parameters) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET parameters = excluded.parameters",
            (json.dumps(parameters),),
        )

    @_recovering
    def bring_forward(self, keys: Iterable[str], at: float | None = None) -> int:
        """Make the cards related to ``keys`` (item or task ids, tags) due now; returns how many.

        A card is related when its source item or one of its tags is a key. Reviewed
        cards become due at ``at`` (unless due earlier); new ones are marked so a session
        introduces them before other new cards.
        """
        with self._transaction():
            return self._bring_forward(list(keys), time.time() if at is None else at)

    def _bring_forward(self, keys: list[str], at: float) -> int:
        changed = 0
        for key in keys:
            # Only cards not reviewed since the failure: a later review already answered it.
            cur = self.conn.execute(
                "UPDATE cards SET boosted_at = max(coalesce(boosted_at, 0), ?),"
                " due = CASE WHEN state != 0 AND due > ? THEN ? ELSE due END"
                " WHERE (source_item = ? OR instr(tags, ?) > 0)"
                " AND (last_review IS NULL OR last_review < ?)",
                (at, at, at, key, f"|{key}|", at),
            )
            changed += cur.rowcount
        return changed

    # -- the read side: lossdrill.store.queries -----------------------------------------

    @_recovering
    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        """Rows of a read-only query; only :mod:`lossdrill.store.queries` asks."""
        return self.conn.execute(sql, tuple(params)).fetchall()

    @_recovering
    def counts(self) -> dict[str, int]:
        """Rows per table: what a fresh store lacks."""
        tables = ("sessions", "quiz_answers", "implement_attempts", "hints", "reviews",
                  "interviews", "cards")
        sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
        return {name: int(n) for name, n in self.conn.execute(sql).fetchall()}

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock up front, so a concurrent writer waits on
        # the busy timeout instead of failing on a stale read snapshot.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        self.conn.execute("COMMIT")


def _connect(path: Path | str) -> tuple[sqlite3.Connection, int]:
    """Open, check and migrate; returns the connection and the schema version it had."""
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        version = migrations.schema_version(conn)
        if version > migrations.LATEST:
            raise migrations.NewerSchemaError(
                f"the store has schema version {version}; this lossdrill knows up to"
                f" {migrations.LATEST}"
            )
        if str(path) != ":memory:":
            _use_wal(conn)
            # In WAL mode NORMAL survives a killed process; only power loss can undo
            # the last commits.
            conn.execute("PRAGMA synchronous = NORMAL")
        before = migrations.migrate(conn)
        _check_tables(conn)
    except BaseException:
        conn.close()
        raise
    return conn, before


def is_damage(exc: BaseException) -> bool:
    """A damaged or foreign file, as opposed to one that is locked, read-only or unopenable."""
    if isinstance(exc, DamagedStore):
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", None)
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(exc) is sqlite3.DatabaseError  # Python 3.10: no error names


def move_aside(path: Path) -> Path:
    """Rename ``path`` (and its WAL files) to ``<name>.corrupt-<timestamp>``; never deletes."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.rename(aside.with_name(aside.name + suffix))
    return aside


def damaged_notice(path: Path, damage: BaseException, aside: Path) -> str:
    return (
        f"The progress store {path} could not be read ({damage}). It was moved to {aside} "
        "and a fresh store was started."
    )


def _use_wal(conn: sqlite3.Connection) -> None:
    # Switching a fresh file to WAL can fail at once with "locked" while another process
    # does the same (the busy handler is not consulted there), so retry for a while.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() == "wal":
                return
            error: sqlite3.Error = sqlite3.OperationalError(f"journal mode is {mode}, not wal")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            error = exc
        if time.monotonic() > deadline:
            raise error
        time.sleep(0.01)


def _check_tables(conn: sqlite3.Connection) -> None:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    needed = {"sessions", "items_seen", "quiz_answers", "implement_attempts", "hints", "cards",
              "reviews", "scheduler", "interviews", "item_stats", "topic_sessions", "task_stats",
              "diagnosis_counts"}
    missing = needed - names
    if missing:
        raise DamagedStore(f"not a lossdrill store: missing tables {sorted(missing)}")


def _schedule(r: tuple) -> CardSchedule:
    return CardSchedule(
        card_id=r[0], key=r[1], version=r[2], topic=r[3], source_item=r[4],
        tags=tuple(t for t in r[5].split("|") if t), state=r[6], step=r[7], stability=r[8],
        difficulty=r[9], due=r[10], last_review=r[11], reps=r[12], lapses=r[13],
        boosted_at=r[14],
    )


def _tags_text(tags: Iterable[str]) -> str:
    return "|" + "".join(f"{t}|" for t in tags)


def _epoch(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    from datetime import datetime, timezone

    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _number(value: object) -> float | None:
    try:
        return None if value is None else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
