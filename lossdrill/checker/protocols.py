"""The checker's seams, typed: what the engine and the diagnosis need of a sandbox and of
its outcomes, and where a check's mutants come from.

:class:`lossdrill.checker.sandbox.Sandbox` is the implementation; these Protocols let the
engine, the diagnosis and the shrinker be checked against it without importing it (the
sandbox module starts processes and is imported only when a check runs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from lossdrill.bank.schema import Mutant


class Outcome(Protocol):
    """What one call (or the load) of the learner's code did, as the sandbox reports it."""

    @property
    def status(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def output(self) -> str: ...

    @property
    def line(self) -> int | None: ...


class CallOutcomeLike(Outcome, Protocol):
    """One call of the learner's function."""

    @property
    def value(self) -> object: ...

    @property
    def value_type(self) -> str: ...

    @property
    def mutated(self) -> tuple[str, ...]: ...


class SandboxLike(Protocol):
    """Loads learner code into named slots and calls it, each call bounded in time and memory."""

    def start(self) -> None: ...

    def close(self) -> None: ...

    def load(
        self, slot: str, source: str, function: str, filename: str = "solution.py"
    ) -> Outcome: ...

    def call_many(
        self, slot: str, calls: list[tuple[tuple, dict]], timeout: float | None = None
    ) -> Sequence[CallOutcomeLike]: ...


MutantSource = Callable[[], Sequence["Mutant"]]
"""Gives the task's bank mutants when a diagnosis needs them (fetching may load the banks)."""
