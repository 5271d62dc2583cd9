"""A checker case: one call of the learner's function, named and grouped.

Cases are plain data built in the CLI's process; the sandbox receives ``args`` and
``kwargs`` pickled and calls the learner's function with them. Hyperparameters at their
default are *not* passed, so a wrong default fails too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from lossdrill.checker.protocols import CallOutcomeLike
    from lossdrill.checker.result import Verdict

GROUPS = ("edge", "dtypes", "params", "random", "stability")
"""Case groups in the order they are reported; the first failure is taken in this order."""


@dataclass(frozen=True)
class Case:
    """One input to the learner's function."""

    group: str
    """One of :data:`GROUPS`."""
    name: str
    """What the case probes, e.g. ``empty batch`` or ``logits of -800``."""
    args: tuple[Any, ...]
    """Positional arguments (NumPy arrays), in the order of the task's signature."""
    kwargs: dict[str, Any] = field(default_factory=dict)
    """Hyperparameters that differ from their defaults."""
    rules: tuple[str, ...] = ()
    """Ids of the contract rules (the record's ``rules``) this case exercises."""

    @property
    def is_empty(self) -> bool:
        """The batch has no rows (the contract says the loss is 0.0): the first argument, which
        carries the batch, is empty. An empty second argument alone (a CTC target with no
        labels, no negatives per row) is an ordinary case with its own expected value."""
        return bool(self.args) and getattr(self.args[0], "size", 1) == 0

    def float32(self) -> bool:
        """Any float32 input: the float32 tolerance applies."""
        return any(getattr(getattr(a, "dtype", None), "name", "") == "float32" for a in self.args)


HAZARDS = ("timeout", "memory", "crash", "exit", "not-run")
"""Outcomes after which a case is not run again (mutant matching, shrinking, sweeps)."""


@dataclass(frozen=True)
class Run:
    """One case as it went: the case, the reference's value, the sandbox outcome, the verdict."""

    case: Case
    expected: np.ndarray
    outcome: CallOutcomeLike
    verdict: Verdict

    @property
    def failed(self) -> bool:
        return not self.verdict.ok
