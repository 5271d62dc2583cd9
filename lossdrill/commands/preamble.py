"""What most commands do first: load the banks and open the store, saying what went wrong.

Bank problems are warnings (the other banks still load); a store that had to be moved
aside or could not be opened leaves a notice. Both go to standard error, escaped so that
a path with brackets prints as it is.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from lossdrill.recording import Recorder

# rich is imported inside the functions: implement --check --json imports this module and
# must stay light.
if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from lossdrill.bank.schema import Bank, Card, ImplementItem
    from lossdrill.bank.view import BankView


def banks_with_warnings(banks: list[str], err: Console) -> Bank:
    """The built-in and the user's banks; every problem printed as a warning."""
    from lossdrill.bank.loader import load_banks

    bank = load_banks(banks)
    print_bank_warnings(bank, err)
    return bank


def print_bank_warnings(bank: BankView, err: Console) -> None:
    """Each problem the banks' loader found (the other items still load), as a warning."""
    from rich.markup import escape

    for e in bank.errors:
        err.print(f"[yellow]warning:[/] {escape(str(e))}", soft_wrap=True, highlight=False)


def print_notice(
    recorder: Recorder, err: Console | None = None, *, shown: str | None = None
) -> str | None:
    """Print the store's notice (a damaged file moved aside, a read-only folder) unless it is
    ``shown`` already; returns the notice, to pass as ``shown`` at the end of a session (the
    store may find damage while it reads). Without ``err`` a standard-error console is made,
    only when there is something to print (rich stays unimported otherwise)."""
    notice = getattr(recorder, "notice", None)
    if notice and notice != shown:
        from rich.markup import escape

        if err is None:
            from lossdrill.ui.console import make_console

            err = make_console(stderr=True)
        err.print(f"[yellow]{escape(notice)}[/]", soft_wrap=True, highlight=False)
    return notice


def recorder_with_notice(home: str | None, err: Console) -> Recorder:
    recorder = open_recorder(home)
    print_notice(recorder, err)
    return recorder


def unknown_topic(topics: Iterable[str], cards: Iterable[Card], err: Console) -> bool:
    """True after saying that a topic in ``topics`` has no flashcard in the banks."""
    from lossdrill.ui.errors import report_unknown

    known = sorted({c.topic for c in cards})
    bad = [t for t in topics if t not in known]
    if bad:
        report_unknown("topic", bad[0], known, plural="flashcard topics")
    return bool(bad)


def unknown_task_message(task: str, known: Iterable[str]) -> str:
    """``unknown task 'focl' (did you mean focal?); implement tasks: ...``."""
    names = sorted(known)
    close = difflib.get_close_matches(task, names, n=1, cutoff=0.6)
    guess = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown task {task!r}{guess}; implement tasks: {', '.join(names)}"


def implement_item(bank: Bank, task: str, err: Console) -> ImplementItem | None:
    """The implement item of ``task``, or None after saying the task is unknown."""
    from rich.markup import escape

    item = bank.implement(task)
    if item is None:
        message = unknown_task_message(task, [t.id for t in bank.tasks()])
        err.print(f"[red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
    return item


def saved_track_item(
    task: str, banks: list[str], home: str | None, err: Console
) -> ImplementItem | None:
    """``task``'s implement item as written for the learner's saved framework, or None after
    saying the task is unknown (bank problems are printed as warnings)."""
    from lossdrill.checker.frameworks.content import default_track_item

    item = implement_item(banks_with_warnings(banks, err), task, err)
    return None if item is None else default_track_item(item, home)


def open_recorder(home: str | Path | None = None) -> Recorder:
    """The progress store in ``home`` (or the default data directory)."""
    from lossdrill.store import open_store

    return open_store(home)
