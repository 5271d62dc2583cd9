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
import itertools
import json
import shutil
import sqlite3
import struct
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

    def since_review(self, at: float) -> float | None:
        """Seconds from the last review to ``at``; None for a card never reviewed."""
        return None if self.last_review is None else at - self.last_review


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


_KEYS = itertools.count()
_UNSHOWN: dict[int, str] = {}
"""Notices no command has read yet, by store: they outlive the store objects themselves."""


def unshown_notices() -> list[str]:
    """Notices of stores that no command has read (damage found mid-session, answers that
    could not be written when the store was closed).

    The console prints these when the process ends, so damage found after a command
    printed its opening notice is never passed over in silence.
    """
    return list(_UNSHOWN.values())


def is_unwritable(exc: BaseException) -> bool:
    """A store that is read-only or held by another process for longer than the busy timeout."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith(
        ("SQLITE_READONLY", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN")
    ) or ("readonly" in text or "read-only" in text or "locked" in text)


def _recovering(method: Callable[..., T]) -> Callable[..., T]:
    """Run ``method``; if the file turns out damaged, move it aside and run it on a fresh store.

    Opening only checks the file's header and schema (a full check would cost a read of
    the whole file on every start); damage in a data page shows up on first use instead.
    Sessions started in the damaged file are started again in the fresh one, so no row
    points to a session left in the moved file. A store that cannot be written (read-only,
    or locked by another process past the busy timeout) goes on in memory: the writes of
    this session are kept and written to the file when the store is closed, if it can be
    written by then; the notice says which happened.
    """

    @functools.wraps(method)
    def run(self: Store, *args: Any, **kwargs: Any) -> T:
        try:
            result = method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if self.path is not None and not self._recovered and is_damage(exc):
                self._recover(exc)
            elif self.path is not None and self._fallback is None and is_unwritable(exc):
                self._go_to_memory(exc)
            else:
                raise
            result = method(self, *args, **kwargs)
        if self._fallback is not None and method.__name__ in _WRITES:
            self._fallback.append((method.__name__, args, kwargs, result))
        return result

    return run


_WRITES = frozenset(
    {
        "start_session",
        "end_session",
        "record_quiz_answer",
        "record_implement_attempt",
        "record_hint",
        "record_interview",
        "sync_cards",
        "record_review",
        "set_scheduler_parameters",
        "bring_forward",
    }
)


class Store:
    """The SQLite progress store. Use :func:`open_store` rather than the constructor."""

    def __init__(self, path: Path | str, notice: str | None = None) -> None:
        self.path = Path(path) if path != ":memory:" else None
        self._key = next(_KEYS)
        self._notice: str | None = None
        self._notice_read = True
        self.notice = notice
        self._recovered = False
        self._fallback: list[tuple[str, tuple, dict, Any]] | None = None
        self._sessions: dict[str, tuple[str, float]] = {}
        if self.path is not None:
            wal_note = check_wal(self.path)
            if wal_note:
                self.notice = wal_note
        self.conn, self.previous_version = _connect(path)

    @property
    def notice(self) -> str | None:
        """A message for the learner (damage, read-only, locked), or None; reading it marks it shown."""
        self._notice_read = True
        _UNSHOWN.pop(self._key, None)
        return self._notice

    @notice.setter
    def notice(self, text: str | None) -> None:
        if text and self._notice and text != self._notice and not self._notice_read:
            text = f"{self._notice}\n{text}"  # an earlier notice nobody has read yet stays
        self._notice = text
        self._notice_read = not text
        if text:
            _UNSHOWN[self._key] = text

    def _go_to_memory(self, problem: BaseException) -> None:
        """Continue on an in-memory copy of the store; see :func:`_recovering`."""
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        try:
            self.conn.backup(memory)
            _check_tables(memory)
        except sqlite3.Error:
            memory.close()
            memory, _ = _connect(":memory:")
        self.conn.close()
        self.conn = memory
        self._fallback = []
        why = (
            "is read-only"
            if "readonly" in str(problem).lower()
            else f"cannot be written ({problem})"
        )
        self.notice = (
            f"The progress store {self.path} {why}: this session's answers are kept in"
            " memory and will be written when the session ends, if the store can be"
            " written by then."
        )

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
            self.notice = (
                f"The progress store {self.path} is damaged ({damage}) and could not"
                f" be replaced ({exc}); progress is not being saved this time."
            )
            self.path = None
            self._restart_sessions()
            return
        self.notice = damaged_notice(self.path, damage, aside)
        self._restart_sessions()

    def _restart_sessions(self) -> None:
        """Start again, in the fresh store, the sessions this process began in the moved file."""
        for session_id, (drill, started) in self._sessions.items():
            try:
                self.conn.execute(
                    "INSERT OR IGNORE INTO sessions (id, drill, started) VALUES (?, ?, ?)",
                    (session_id, drill, started),
                )
            except sqlite3.Error:
                pass

    # -- Recorder ---------------------------------------------------------------------

    @_recovering
    def start_session(self, drill: str, _session_id: str | None = None) -> str:
        session_id = _session_id or uuid.uuid4().hex
        started = self._sessions.get(session_id, (drill, time.time()))[1]
        self._sessions[session_id] = (drill, started)
        self.conn.execute(
            "INSERT OR IGNORE INTO sessions (id, drill, started) VALUES (?, ?, ?)",
            (session_id, drill, started),
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
        from lossdrill.store import schedule as unified  # the scheduler: imported to write

        with self._transaction():
            self.conn.execute(
                "INSERT INTO quiz_answers (session_id, item_id, item_version, kind, topic, correct,"
                " score, response, elapsed_ms, overruled, at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    answer.session_id,
                    answer.item_id,
                    answer.item_version,
                    answer.kind,
                    answer.topic,
                    int(answer.correct),
                    float(answer.score),
                    answer.response,
                    int(answer.elapsed_ms),
                    int(answer.overruled),
                    answer.at,
                ),
            )
            self.conn.execute(
                "INSERT INTO items_seen (item_id, version, kind, topic, first_seen, last_seen)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (item_id, version) DO UPDATE SET"
                " last_seen = excluded.last_seen, times = times + 1",
                (
                    answer.item_id,
                    answer.item_version,
                    answer.kind,
                    answer.topic,
                    answer.at,
                    answer.at,
                ),
            )
            self.conn.execute(
                "INSERT INTO item_stats (item_id, topic, kind, answers, score_sum, last_at,"
                " last_correct) VALUES (?,?,?,1,?,?,?) ON CONFLICT (item_id) DO UPDATE SET"
                " topic = excluded.topic, kind = excluded.kind, answers = answers + 1,"
                " score_sum = score_sum + excluded.score_sum,"
                " last_correct = CASE WHEN excluded.last_at >= last_at"
                "   THEN excluded.last_correct ELSE last_correct END,"
                " last_at = max(last_at, excluded.last_at)",
                (
                    answer.item_id,
                    answer.topic,
                    answer.kind,
                    float(answer.score),
                    answer.at,
                    int(answer.correct),
                ),
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
            unified.on_quiz_answer(self.conn, answer)

    @_recovering
    def record_implement_attempt(self, attempt: ImplementAttempt) -> None:
        from lossdrill.store import schedule as unified  # the scheduler: imported to write

        groups = [[str(name), int(total), int(failed)] for name, total, failed in attempt.groups]
        watch = attempt.watch_id or None
        with self._transaction():
            # The checks of one watch session are one attempt: only its first counts as a new
            # attempt, and each diagnosis counts once per attempt.
            seen: set[str] = set()
            new_attempt = True
            if watch is not None:
                rows = self.conn.execute(
                    "SELECT diagnoses FROM implement_attempts WHERE watch_id = ? AND task = ?",
                    (watch, attempt.task),
                ).fetchall()
                new_attempt = not rows
                seen = {code for (codes,) in rows for code in json.loads(codes)}
            self.conn.execute(
                "INSERT INTO implement_attempts (session_id, task, passed, score, groups,"
                " diagnoses, elapsed_s, hints_used, lines, at, kind, watch_id, digest, framework)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    attempt.session_id,
                    attempt.task,
                    int(attempt.passed),
                    float(attempt.score),
                    json.dumps(groups),
                    json.dumps(list(attempt.diagnoses)),
                    float(attempt.elapsed_s),
                    int(attempt.hints_used),
                    int(attempt.lines),
                    attempt.at,
                    attempt.kind,
                    watch,
                    attempt.digest or None,
                    attempt.framework,
                ),
            )
            # Only a timed pass has a time: `implement --check` records 0 s, and a re-check
            # of a file that already passed is no timed pass.
            timed = attempt.passed and attempt.kind == "timed" and float(attempt.elapsed_s) > 0
            passed_time = float(attempt.elapsed_s) if timed else None
            passed_lines = int(attempt.lines) if attempt.passed else None
            self.conn.execute(
                "INSERT INTO task_stats (task, attempts, passes, best_time_s, fewest_lines,"
                " last_at) VALUES (?,?,?,?,?,?) ON CONFLICT (task) DO UPDATE SET"
                " attempts = attempts + excluded.attempts, passes = passes + excluded.passes,"
                " best_time_s = coalesce(min(best_time_s, excluded.best_time_s),"
                "   best_time_s, excluded.best_time_s),"
                " fewest_lines = coalesce(min(fewest_lines, excluded.fewest_lines),"
                "   fewest_lines, excluded.fewest_lines),"
                " last_at = max(last_at, excluded.last_at)",
                (
                    attempt.task,
                    int(new_attempt),
                    int(attempt.passed),
                    passed_time,
                    passed_lines,
                    attempt.at,
                ),
            )
            self.conn.executemany(
                "INSERT INTO diagnosis_counts (task, code, n) VALUES (?,?,1)"
                " ON CONFLICT (task, code) DO UPDATE SET n = n + 1",
                [
                    (attempt.task, code)
                    for code in dict.fromkeys(attempt.diagnoses)
                    if code not in seen
                ],
            )
            if not attempt.passed:
                self._bring_forward([attempt.task], attempt.at)
            unified.on_implement_attempt(self.conn, attempt)

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
    def last_digest(self, task: str) -> str | None:
        row = self.conn.execute(
            "SELECT digest FROM implement_attempts WHERE task = ? ORDER BY at DESC, id DESC"
            " LIMIT 1",
            (task,),
        ).fetchone()
        return row[0] if row else None

    @_recovering
    def has_passed(self, task: str) -> bool:
        row = self.conn.execute("SELECT passes FROM task_stats WHERE task = ?", (task,)).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None  # type: ignore[assignment]
        if getattr(self, "_fallback", None):
            self._write_back()

    def _write_back(self) -> None:
        """Write the writes kept in memory to the file, now that the session is over."""
        pending, self._fallback = self._fallback or [], None
        try:
            target = Store(self.path) if self.path is not None else None
            if target is None:
                raise sqlite3.OperationalError("no file")
            with target:
                for name, args, kwargs, result in pending:
                    if name == "start_session":
                        kwargs = dict(kwargs, _session_id=result)
                    getattr(type(target), name).__wrapped__(target, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            self.notice = (
                f"The answers of this session could not be written to {self.path} ({exc});"
                f" {len(pending)} records were lost."
            )
            return
        self.notice = f"The answers of this session were written to {self.path} after all."

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
            (
                started if started is not None else time.time(),
                _epoch(sheet.get("finished")),
                sheet.get("task"),
                _number(sheet.get("score")),
                json.dumps(sheet, default=str),
            ),
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
        from lossdrill.store.card_ids import adopt_replaced_ids

        cards = list(cards)
        rows = [(c.id, c.version, c.topic, c.source_item, _tags_text(c.tags)) for c in cards]
        with self._transaction():
            adopt_replaced_ids(self.conn, cards)  # merged duplicates keep their history
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
        rows = self.conn.execute(_SELECT_SCHEDULE).fetchall()
        return {r[0]: _schedule(r) for r in rows}

    @_recovering
    def card_schedule(self, card_id: str) -> CardSchedule | None:
        r = self.conn.execute(_SELECT_SCHEDULE + " WHERE card_id = ?", (card_id,)).fetchone()
        return _schedule(r) if r else None

    @_recovering
    def record_review(self, review: Review) -> None:
        """Log a review and store the card's new state, in one transaction.

        A cram review is only logged: the card's schedule does not change.
        """
        from lossdrill.store import schedule as unified  # the scheduler: imported to write

        lapse = int(review.rating == 1 and review.state_before == REVIEW)
        with self._transaction():
            self.conn.execute(
                "INSERT INTO reviews (session_id, card_id, card_version, at, rating, state_before,"
                " state_after, stability_after, difficulty_after, interval_s, last_interval_s,"
                " answer_ms, cram) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    review.session_id,
                    review.card_id,
                    review.card_version,
                    review.at,
                    review.rating,
                    review.state_before,
                    review.state_after,
                    review.stability,
                    review.difficulty,
                    review.interval_s,
                    review.last_interval_s,
                    review.answer_ms,
                    int(review.cram),
                ),
            )
            unified.on_review(self.conn, review)
            if review.cram:
                return
            self.conn.execute(
                "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?,"
                " last_review = ?, reps = reps + 1, lapses = lapses + ?, boosted_at = NULL"
                " WHERE card_id = ?",
                (
                    review.state_after,
                    review.step,
                    review.stability,
                    review.difficulty,
                    review.due,
                    review.at,
                    lapse,
                    review.card_id,
                ),
            )

    @_recovering
    def undo_review(self, card_id: str, before: CardSchedule) -> bool:
        """Undo the last review of ``card_id``: delete its review row and put the card's
        schedule back to ``before`` (its state when that review was made), in one
        transaction. False when the card has no review."""
        with self._transaction():
            row = self.conn.execute(
                "SELECT max(id) FROM reviews WHERE card_id = ?", (card_id,)
            ).fetchone()
            if row is None or row[0] is None:
                return False
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (row[0],))
            self.conn.execute(
                "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?,"
                " last_review = ?, reps = ?, lapses = ?, boosted_at = ? WHERE card_id = ?",
                (
                    before.state,
                    before.step,
                    before.stability,
                    before.difficulty,
                    before.due,
                    before.last_review,
                    before.reps,
                    before.lapses,
                    before.boosted_at,
                    card_id,
                ),
            )
        return True

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
        tables = (
            "sessions",
            "quiz_answers",
            "implement_attempts",
            "hints",
            "reviews",
            "interviews",
            "cards",
        )
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
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
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


def _wal_checksum(data: bytes, big: bool, s0: int = 0, s1: int = 0) -> tuple[int, int]:
    """SQLite's WAL checksum (a Fibonacci-weighted sum of 32-bit words)."""
    words = struct.unpack(f"{'>' if big else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def wal_damage(wal: Path) -> str | None:
    """What is wrong with a write-ahead log that still holds frames, or None when it is sound.

    SQLite drops a WAL whose header is damaged, and every frame from the first damaged
    one on, without a word; committed records would vanish. Frames of an older
    generation (other salts) at the end of the file are normal and not damage.
    """
    try:
        size = wal.stat().st_size
        if size == 0:
            return None
        with open(wal, "rb") as fh:
            header = fh.read(32)
            if len(header) < 32:
                return "its header is cut short"
            magic, version, page_size, _, salt1, salt2, c0, c1 = struct.unpack(">8I", header)
            if magic not in (0x377F0682, 0x377F0683):
                return "its header is damaged"
            big = magic & 1 == 1
            s0, s1 = _wal_checksum(header[:24], big)
            if (
                (s0, s1) != (c0, c1)
                or page_size < 512
                or page_size > 65536
                or page_size & (page_size - 1)
            ):
                return "its header is damaged"
            while True:
                frame = fh.read(24)
                if len(frame) < 24:
                    return None
                page = fh.read(page_size)
                if len(page) < page_size:
                    return (
                        None  # a frame cut short by a crash: SQLite ignores it, nothing committed
                    )
                _, _, f_salt1, f_salt2, f0, f1 = struct.unpack(">6I", frame)
                if (f_salt1, f_salt2) != (salt1, salt2):
                    return None  # an older generation of frames: not part of the log
                s0, s1 = _wal_checksum(frame[:8], big, s0, s1)
                s0, s1 = _wal_checksum(page, big, s0, s1)
                if (s0, s1) != (f0, f1):
                    return f"a frame at byte {fh.tell() - page_size - 24} is damaged"
    except OSError:
        return None


def check_wal(path: Path) -> str | None:
    """Keep a copy of a damaged write-ahead log before SQLite discards it; the notice, if any."""
    wal = path.with_name(path.name + "-wal")
    problem = wal_damage(wal)
    if problem is None:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    copy = wal.with_name(f"{wal.name}.damaged-{stamp}")
    try:
        shutil.copy2(wal, copy)
        shutil.copy2(path, path.with_name(f"{path.name}.before-wal-damage-{stamp}"))
    except OSError as exc:
        return (
            f"The journal {wal} of the progress store is damaged ({problem}) and could not be"
            f" copied aside ({exc}); records written since the last checkpoint may be missing."
        )
    return (
        f"The journal {wal} of the progress store is damaged ({problem}): records written"
        f" since the last checkpoint may be missing. A copy of it is kept at {copy}"
        f" (and of the store beside it) for recovery."
    )


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
    needed = {
        "sessions",
        "items_seen",
        "quiz_answers",
        "implement_attempts",
        "hints",
        "cards",
        "reviews",
        "scheduler",
        "interviews",
        "item_stats",
        "topic_sessions",
        "task_stats",
        "diagnosis_counts",
    }
    missing = needed - names
    if missing:
        raise DamagedStore(f"not a lossdrill store: missing tables {sorted(missing)}")


_SELECT_SCHEDULE = (
    "SELECT card_id, key, version, topic, source_item, tags, state, step, stability,"
    " difficulty, due, last_review, reps, lapses, boosted_at FROM cards"
)
"""A card's schedule row, in the order :func:`_schedule` reads it."""


def _schedule(r: tuple) -> CardSchedule:
    return CardSchedule(
        card_id=r[0],
        key=r[1],
        version=r[2],
        topic=r[3],
        source_item=r[4],
        tags=tuple(t for t in r[5].split("|") if t),
        state=r[6],
        step=r[7],
        stability=r[8],
        difficulty=r[9],
        due=r[10],
        last_review=r[11],
        reps=r[12],
        lapses=r[13],
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
