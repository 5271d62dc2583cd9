"""What a reader of the banks may rely on, whether it holds every record
(:class:`lossdrill.bank.schema.Bank`) or only their summary
(:class:`lossdrill.bank.summary.BankSummary`, which ``lossdrill progress`` reads)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class ItemView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def prompt(self) -> str: ...


class CardView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def topic(self) -> str: ...


class BankView(Protocol):
    @property
    def items(self) -> Sequence[ItemView]: ...
    @property
    def errors(self) -> Sequence[object]:
        """The problems found while loading, each printable (``str``)."""

    def get(self, item_id: str) -> ItemView | None: ...
    def quiz_items(self) -> Sequence[ItemView]: ...
    def tasks(self) -> Sequence[ItemView]: ...
    def cards(self) -> Sequence[CardView]: ...
    def task_roles(self) -> Mapping[str, Sequence[tuple[str, int]]]:
        """Each task's readiness roles (its record's), by task id, for the tasks with a record."""
