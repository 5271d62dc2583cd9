"""What ``lossdrill progress`` needs of the banks, read without building a single record.

The report asks the banks only which items, cards and tasks there are, with their kinds,
topics, tags and prompts, and which tasks are evidence for which readiness line. The parse
cache keeps exactly that for each bank file, on a line of plain JSON between its key and its
items (:func:`summarize` writes it from the parsed items). Reading it takes ``json`` alone:
no record is built and :mod:`lossdrill.bank.schema` is not imported, which is most of what
loading every bank costs.

:func:`load_summary` answers only when its answer is the one
:func:`lossdrill.bank.loader.load_banks` would give: every file has a fresh cache entry, no
file has a problem, no id repeats and every bug hunt names a task. Otherwise it returns
None, and the caller loads the banks, which reports each problem and writes the entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from lossdrill.bank.files import bank_dirs, bank_files, cache_file, cache_key
from lossdrill.bank.kinds import QUIZ_KINDS
from lossdrill.paths import caches_enabled

if TYPE_CHECKING:
    from lossdrill.bank.schema import Item


class CardSummary(NamedTuple):
    id: str
    topic: str


class ItemSummary(NamedTuple):
    id: str
    version: int
    kind: str
    topic: str
    tags: tuple[str, ...]
    prompt: str
    cards: tuple[CardSummary, ...]
    """The flashcards it gives (:meth:`lossdrill.bank.schema.Bank.cards`), in order."""
    readiness: tuple[tuple[str, int], ...] | None
    """An implement task's readiness roles; None for other items and a task without a record."""
    task: str
    """A bug hunt's implement task; empty for other items."""


class BankSummary:
    """The summary of every loaded item, in load order; answers as a
    :class:`lossdrill.bank.schema.Bank` does (:class:`lossdrill.bank.view.BankView`)."""

    errors: tuple[()] = ()
    """Always empty: a bank with a problem is loaded, and reported, in full."""

    def __init__(self, items: list[ItemSummary], files: list[str]) -> None:
        self.items = items
        self.files = files
        self._by_id = {item.id: item for item in items}

    def get(self, item_id: str) -> ItemSummary | None:
        return self._by_id.get(item_id)

    def quiz_items(self) -> list[ItemSummary]:
        return [item for item in self.items if item.kind in QUIZ_KINDS]

    def tasks(self) -> list[ItemSummary]:
        return [item for item in self.items if item.kind == "implement"]

    def cards(self) -> list[CardSummary]:
        return [card for item in self.items for card in item.cards]

    def task_roles(self) -> dict[str, tuple[tuple[str, int], ...]]:
        return {t.id: t.readiness for t in self.tasks() if t.readiness is not None}


def summarize(items: Iterable[Item]) -> list[list[Any]]:
    """One file's items as plain JSON values, one list per item (the fields of
    :class:`ItemSummary`, in order)."""
    from lossdrill.bank.schema import Bank, BugHuntItem, ImplementItem

    out: list[list[Any]] = []
    for item in items:
        record = item.record if isinstance(item, ImplementItem) else None
        out.append(
            [
                item.id,
                item.version,
                item.kind,
                item.topic,
                list(item.tags),
                item.prompt,
                [[c.id, c.topic] for c in Bank(items=[item]).cards()],
                None if record is None else [[r, n] for r, n in record.readiness],
                item.task if isinstance(item, BugHuntItem) else "",
            ]
        )
    return out


def load_summary(extra_dirs: Sequence[str | Path] = ()) -> BankSummary | None:
    """The summary of the banks :func:`lossdrill.bank.loader.load_banks` would load, or
    None when it cannot be given as that load would give it (see the module's text)."""
    if not caches_enabled():
        return None
    files, errors = bank_files(bank_dirs(extra_dirs))
    if errors:
        return None
    items: list[ItemSummary] = []
    for path in files:
        read = _read(path)
        if read is None:
            return None
        items.extend(read)
    ids = {item.id for item in items}
    tasks = {item.id for item in items if item.kind == "implement"}
    if len(ids) != len(items) or any(
        item.kind == "bug-hunt" and item.task not in tasks for item in items
    ):
        return None
    return BankSummary(items, [str(f) for f in files])


def _read(path: Path) -> list[ItemSummary] | None:
    """One file's summary from its fresh cache entry; None for anything else."""
    key = cache_key(path)
    if key is None:
        return None
    try:
        with open(cache_file(path), encoding="utf-8") as fh:
            head = fh.readline()
            line = fh.readline()
        if json.loads(head) != key:
            return None
        return [_item(entry) for entry in json.loads(line)]
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: the banks are loaded instead
        return None


def _item(entry: list[Any]) -> ItemSummary:
    """One checked entry; ValueError for one of another shape."""
    item_id, version, kind, topic, tags, prompt, cards, readiness, task = entry
    if not (
        isinstance(item_id, str)
        and type(version) is int
        and isinstance(kind, str)
        and isinstance(topic, str)
        and isinstance(prompt, str)
        and isinstance(task, str)
        and all(isinstance(t, str) for t in tags)
    ):
        raise ValueError("bad summary entry")
    return ItemSummary(
        item_id,
        version,
        kind,
        topic,
        tuple(tags),
        prompt,
        tuple(_card(c) for c in cards),
        None if readiness is None else tuple(_role(r) for r in readiness),
        task,
    )


def _card(entry: list[Any]) -> CardSummary:
    card_id, topic = entry
    if not (isinstance(card_id, str) and isinstance(topic, str)):
        raise ValueError("bad card entry")
    return CardSummary(card_id, topic)


def _role(entry: list[Any]) -> tuple[str, int]:
    role, position = entry
    if not (isinstance(role, str) and type(position) is int):
        raise ValueError("bad readiness entry")
    return role, position
