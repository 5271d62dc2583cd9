"""``lossdrill flashcards``: a spaced-repetition session (FSRS) over the banks' cards."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import datetime

from rich.console import Console
from rich.markup import escape

from lossdrill.bank.schema import Card
from lossdrill.commands.preamble import banks_with_warnings, print_notice, unknown_topic
from lossdrill.flashcards.evidence import apply_recent_failures
from lossdrill.flashcards.scheduling import RATINGS, load_scheduler
from lossdrill.flashcards.session import FlashcardSession
from lossdrill.store import Store, open_store
from lossdrill.ui import flashcards_view as view
from lossdrill.ui.console import AnswerSource, EndOfInput, make_console
from lossdrill.ui.keys import is_terminal, read_key, read_key_or_line, sigint_deferred, single_keys

_RATING_WORDS = {"again": 1, "a": 1, "hard": 2, "h": 2, "good": 3, "g": 3, "easy": 4, "e": 4}
_QUIT = {"q", "quit", "exit"}
_UNDO = {"u", "undo"}


def run(new: int, topics: list[str], cram: bool, banks: list[str], home: str | None) -> int:
    """The session, then the ``Next:`` line (one real command from today's plan)."""
    console = make_console()
    code = _session(console, new, topics, cram, banks, home)
    if code == 0:
        from lossdrill.schedule.choose import next_line

        console.print(
            f"Next: {escape(next_line(home, banks, after='flashcards'))}",
            highlight=False,
            soft_wrap=True,
        )
    return code


def _session(
    console: Console, new: int, topics: list[str], cram: bool, banks: list[str], home: str | None
) -> int:
    err = make_console(stderr=True)
    bank = banks_with_warnings(banks, err)
    cards = bank.cards()
    if unknown_topic(topics, cards, err):
        return 2
    if not cards:
        console.print("No flashcards in the banks.")
        return 0

    store = open_store(home)
    shown_notice = print_notice(store, err)
    try:
        store.sync_cards(cards)
        scheduler = load_scheduler(store)
        now = time.time()
        if not cram:
            apply_recent_failures(store, bank, now)
        new_today = store.new_cards_reviewed_since(start_of_day(now))
        session = FlashcardSession(
            cards,
            store.card_schedules(),
            scheduler=scheduler,
            now=now,
            new_limit=new - new_today,
            topics=topics,
            cram=cram,
        )
        first = session.next_card(now)
        if first is None:
            summary = session.summary(now)
            waiting = sum(1 for s in session.schedules.values() if s.is_new)
            view.show_nothing_due(
                console,
                summary.next_due,
                now,
                len(session.cards),
                new_waiting=waiting,
                new_today=new_today,
                new_per_day=new,
            )
            return 0
        session.session_id = store.start_session("flashcards-cram" if cram else "flashcards")
        if cram:
            view.show_header(console, len(session.cards), 0, cram=True)
        else:
            new_count = min(
                session.new_left, sum(1 for s in session.schedules.values() if s.is_new)
            )
            view.show_header(
                console,
                session.due_now(now),
                new_count,
                cram=False,
                brought_forward=session.brought_forward(now, new_count),
            )
        _review(session, first, store, console)
        summary = session.summary(time.time())
        store.end_session(session.session_id, asdict(summary))
        view.show_summary(console, summary, time.time())
    finally:
        print_notice(store, err, shown=shown_notice)  # damage found mid-session
        store.close()
    return 0


class _Keys:
    """The learner's input: single keys in a terminal, whole lines from a pipe or a file."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.lines = AnswerSource(console)
        self.single = is_terminal(self.lines.stream)

    def _echo(self, text: str) -> None:
        self.console.file.write(text)
        self.console.file.flush()

    def _prompt(self, text: str) -> None:
        with sigint_deferred():
            self.console.print(f"[bold cyan]{text}[/]", end="", soft_wrap=True)

    def reveal(self) -> str:
        """What the learner typed before revealing ("" for a bare Enter or space)."""
        if not self.single:
            return self.lines.ask(view.REVEAL_PROMPT)
        try:
            with single_keys(self.lines.stream):
                self._prompt(view.REVEAL_PROMPT)
                kind, text = read_key_or_line(self._echo, self.lines.stream)
        except (EOFError, KeyboardInterrupt):
            self.console.print()
            raise EndOfInput from None
        self.console.print()
        return "" if kind == "key" else text.strip()

    def rating(self, prompt: str) -> str:
        """One key (a terminal) or one line (a script), lower-cased."""
        if not self.single:
            return self.lines.ask(prompt).lower()
        try:
            with single_keys(self.lines.stream):
                self._prompt(prompt)
                key = read_key(self.lines.stream)
        except (EOFError, KeyboardInterrupt):
            self.console.print()
            raise EndOfInput from None
        self._echo(key if key.isprintable() else "")
        self.console.print()
        return key.lower()


class _Undo(Exception):
    """The learner asked to take back the last rating."""


def _review(session: FlashcardSession, card: Card | None, store: Store, console: Console) -> None:
    keys = _Keys(console)
    view.keys_help(console)
    n = 0
    try:
        while card is not None:
            n += 1
            view.show_front(console, card, n, brought_forward=session.is_brought_forward(card))
            shown = time.monotonic()
            try:
                attempt = keys.reveal()
                if attempt.lower() in _QUIT:
                    raise EndOfInput
                if attempt.lower() in _UNDO:
                    raise _Undo
                view.show_back(console, card, attempt)
                preview = session.preview(card, time.time())
                intervals = None if preview is None else {r: preview.interval_s(r) for r in RATINGS}
                rating = _ask_rating(
                    keys, console, view.rating_prompt(intervals, session.can_undo, console.width)
                )
            except _Undo:
                if not session.can_undo:
                    view.nothing_to_undo(console)
                    n -= 1
                    continue
                undone, before = session.undo()
                store.undo_review(undone.id, before)
                view.show_undone(console, undone)
                n -= 2
                card = session.next_card(time.time())
                continue
            answer_ms = int((time.monotonic() - shown) * 1000)
            at = time.time()
            rated = session.rate(card, rating, at=at, answer_ms=answer_ms, preview=preview)
            store.record_review(rated.review)
            view.show_rated(console, rated, at)
            card = session.next_card(time.time())
    except (EndOfInput, KeyboardInterrupt):
        console.print()


def _ask_rating(keys: _Keys, console: Console, prompt: str) -> int:
    while True:
        reply = keys.rating(prompt)
        if reply in ("1", "2", "3", "4"):
            return int(reply)
        if reply in _RATING_WORDS:
            return _RATING_WORDS[reply]
        if reply in _QUIT:
            raise EndOfInput
        if reply in _UNDO:
            raise _Undo
        view.rating_help(console)


def start_of_day(now: float) -> float:
    """Local midnight before ``now``: the new-card quota is per calendar day."""
    day = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.timestamp()
