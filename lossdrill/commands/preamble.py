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

    from lossdrill.bank.schema import Bank, ImplementItem


def banks_with_warnings(banks: list[str], err: Console) -> Bank:
    """The built-in and the user's banks; every problem printed as a warning."""
    from rich.markup import escape

    from lossdrill.bank.loader import load_banks

    bank = load_banks(banks)
    for e in bank.errors:
        err.print(f"[yellow]warning:[/] {escape(str(e))}", soft_wrap=True, highlight=False)
    return bank


def print_notice(recorder: Recorder, err: Console) -> None:
    """The store's notice (a damaged file moved aside, a read-only folder), if it has one."""
    from rich.markup import escape

    notice = getattr(recorder, "notice", None)
    if notice:
        err.print(f"[yellow]{escape(notice)}[/]", soft_wrap=True, highlight=False)


def recorder_with_notice(home: str | None, err: Console) -> Recorder:
    recorder = open_recorder(home)
    print_notice(recorder, err)
    return recorder


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


def open_recorder(home: str | Path | None = None) -> Recorder:
    """The progress store in ``home`` (or the default data directory)."""
    from lossdrill.store import open_store

    return open_store(home)
