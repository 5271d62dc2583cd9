"""Checks of the contract every reference keeps, run by tests/test_references_contract.py on
every registered reference and by tests/test_references_contract_2026.py on the issue-15 ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def read_only_copies(args: tuple) -> tuple:
    """Copies of ``args`` that raise on any write: a reference that edits its input fails."""
    copies = []
    for a in args:
        c = np.array(a, copy=True)
        c.setflags(write=False)
        copies.append(c)
    return tuple(copies)


def assert_never_writes(fn: Callable, args: tuple) -> None:
    """``fn`` runs on read-only copies of ``args`` (an in-place write would raise) and leaves
    ``args`` themselves as they were."""
    before = tuple(np.array(a, copy=True) for a in args)
    fn(*read_only_copies(args))
    fn(*args)
    for a, b in zip(args, before, strict=True):
        np.testing.assert_array_equal(a, b)


def assert_float32_gives_float64_value(fn: Callable, args: tuple) -> None:
    """The float32 numbers of ``args``, widened exactly to float64, give the same result: the
    reference computes in float64 whatever the input dtype."""
    narrow = tuple(a.astype(np.float32) if np.asarray(a).dtype.kind == "f" else a for a in args)
    widened = tuple(
        np.asarray(a).astype(np.float64) if np.asarray(a).dtype.kind == "f" else a for a in narrow
    )
    np.testing.assert_array_equal(fn(*narrow), fn(*widened))
