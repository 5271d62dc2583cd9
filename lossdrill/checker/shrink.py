"""Shrink a failing case to a small input that still fails the same way.

In the spirit of hypothesis: propose simpler candidates (fewer rows, fewer dimensions,
rounder values), keep the first one that fails *the same way*, repeat until nothing
simpler fails. Candidates honour the task's contract: label arrays are only ever cut
along the batch axis, never rounded, and every argument sharing the batch axis is cut
together. Each round is one round trip to the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lossdrill.checker.cases import HAZARDS, Case, Run
from lossdrill.checker.compare import as_real_array, exception_type
from lossdrill.checker.families import (
    COSINE,
    DIST,
    EMBED,
    LABEL,
    ONEHOT,
    PROB,
    ROUNDABLE,
    VIEWS,
)
from lossdrill.checker.tasks import TaskSpec

MAX_ROUNDS = 12
MAX_CANDIDATES = 24

NORMALISED = (VIEWS, COSINE)
"""Families whose embeddings are L2-normalised (a zero vector is not a valid input)."""

BASE_NDIM = {ONEHOT: 2, EMBED: 2, DIST: 2, LABEL: 1}
"""The fewest dimensions an argument of each kind may have (others: 1)."""


def signature(run: Run) -> tuple:
    """How a case fails: the verdict kind, and for wrong numbers, what sort of numbers."""
    kind = run.verdict.kind
    if kind == "exception":
        return (kind, exception_type(run.outcome.message))
    if kind != "mismatch":
        return (kind,)
    got = as_real_array(run.outcome.value)
    return (kind, _finiteness(got), _finiteness(run.expected))


VISIBLE_GAP = 1e-3
"""A shrunk mismatch keeps expected and got at least this far apart (or as far as the
original case had them): 9.7e-06 against 4.7e-14 fails, but reads as two zeros."""


def _gap(run: Run) -> float:
    """The largest finite |got − expected| of a mismatch (inf for other failures)."""
    if run.verdict.kind != "mismatch":
        return float("inf")
    got = as_real_array(run.outcome.value)
    if got is None or got.shape != run.expected.shape:
        return float("inf")
    both = np.isfinite(got) & np.isfinite(run.expected)
    if not both.all():
        return float("inf")  # nan/inf against a number: plain to see
    return float(np.max(np.abs(got - run.expected))) if got.size else 0.0


def _finiteness(values: np.ndarray | None) -> str:
    if values is None:
        return "none"
    if np.isnan(values).any():
        return "nan"
    if np.isinf(values).any():
        return "inf"
    return "finite"


def shrink(
    spec: TaskSpec,
    run: Run,
    evaluate: Callable[[Sequence[Case]], list[Run]],
) -> tuple[Run, bool]:
    """The smallest simplification of ``run`` that fails the same way; True if it changed."""
    if run.case.is_empty or run.verdict.kind in HAZARDS:
        return run, False
    target = signature(run)
    visible = min(_gap(run), VISIBLE_GAP)
    current = run
    changed = False
    for _ in range(MAX_ROUNDS):
        candidates = _candidates(spec, current.case)[:MAX_CANDIDATES]
        if not candidates:
            break
        found = None
        for candidate in evaluate(candidates):
            if candidate.failed and signature(candidate) == target and _gap(candidate) >= visible:
                found = candidate
                break
        if found is None:
            break
        current, changed = found, True
    return current, changed


def _candidates(spec: TaskSpec, case: Case) -> list[Case]:
    out: list[Case] = []
    seen: set[bytes] = {_key(case)}

    def add(args: tuple[Any, ...] | None) -> None:
        if args is None:
            return
        c = Case(case.group, case.name, args, case.kwargs, case.rules)
        k = _key(c)
        if spec.family.valid is not None and not spec.family.valid(args, case.kwargs):
            return  # the family's contract rules this simplification out
        if k not in seen and not c.is_empty:
            seen.add(k)
            out.append(c)

    n = _rows(spec, case)
    if n is not None and n > 1:
        for i in range(min(n, 8)):
            add(_take(spec, case, [i]))
        add(_take(spec, case, list(range(n // 2))))
        add(_take(spec, case, list(range(n // 2, n))))
        for i in range(min(n, 8)):
            add(_take(spec, case, [j for j in range(n) if j != i]))
    add(_collapse(spec, case))
    add(_fewer_columns(spec, case, 1))
    add(_fewer_columns(spec, case, 2))
    for step in (1.0, 0.5, 0.1):
        add(_rounded(spec, case, step))
    add(_rescaled(spec, case))  # last: when rounding alone would leave a zero vector
    return out


def _rescaled(spec: TaskSpec, case: Case) -> tuple[Any, ...] | None:
    """Embeddings that are L2-normalised anyway, each divided by its largest |value|, so
    rounding leaves a readable direction (0.00934 becomes 1)."""
    if spec.family not in NORMALISED:
        return None
    out = []
    for a, kind in zip(case.args, spec.family.kinds, strict=False):
        arr = np.asarray(a)
        if kind == EMBED and arr.dtype.kind == "f" and arr.size:
            peak = np.max(np.abs(arr), axis=-1, keepdims=True)
            arr = np.where(peak > 0, arr / np.where(peak > 0, peak, 1), arr).astype(arr.dtype)
        out.append(arr)
    return tuple(out)


def _zero_rows(a: np.ndarray) -> int:
    """How many vectors (along the last axis) are all zeros."""
    if a.ndim == 0 or a.size == 0:
        return 0
    return int(np.sum(~np.any(a != 0, axis=-1)))


def _key(case: Case) -> bytes:
    parts = []
    for a in case.args:
        arr = np.asarray(a)
        parts.append(str(arr.shape).encode() + str(arr.dtype).encode() + arr.tobytes())
    return b"|".join(parts)


def _batched(spec: TaskSpec, case: Case) -> list[int]:
    """Indices of the arguments that share the batch (first) axis."""
    out = []
    n = None
    for i, (a, kind) in enumerate(zip(case.args, spec.family.kinds, strict=False)):
        arr = np.asarray(a)
        if arr.ndim == 0 or (kind == DIST and arr.ndim == 1):
            continue
        if n is None:
            n = arr.shape[0]
        if arr.shape[0] == n:
            out.append(i)
    return out


def _rows(spec: TaskSpec, case: Case) -> int | None:
    idx = _batched(spec, case)
    if not idx or len(idx) != len(case.args):
        return None
    return int(np.asarray(case.args[idx[0]]).shape[0])


def _take(spec: TaskSpec, case: Case, rows: list[int]) -> tuple[Any, ...] | None:
    if not rows:
        return None
    return tuple(np.asarray(a)[rows] for a in case.args)


def _collapse(spec: TaskSpec, case: Case) -> tuple[Any, ...] | None:
    """Drop the leading axis (keep the first slice) when every argument has one to spare."""
    arrays = [np.asarray(a) for a in case.args]
    for a, kind in zip(arrays, spec.family.kinds, strict=False):
        if a.ndim <= BASE_NDIM.get(kind, 1):
            return None
    if len({a.shape[0] for a in arrays}) != 1:
        return None
    return tuple(a[0] for a in arrays)


def _fewer_columns(spec: TaskSpec, case: Case, d: int) -> tuple[Any, ...] | None:
    """Keep the first ``d`` embedding dimensions."""
    kinds = spec.family.kinds
    if EMBED not in kinds:
        return None
    out = []
    for a, kind in zip(case.args, kinds, strict=False):
        arr = np.asarray(a)
        if kind == EMBED:
            if arr.ndim != 2 or arr.shape[1] <= d:
                return None
            arr = arr[:, :d]
        out.append(arr)
    return tuple(out)


def _rounded(spec: TaskSpec, case: Case, step: float) -> tuple[Any, ...] | None:
    out = []
    changed = False
    for a, kind in zip(case.args, spec.family.kinds, strict=False):
        arr = np.asarray(a)
        if (kind in ROUNDABLE or kind == PROB) and arr.dtype.kind == "f":
            r = (np.round(arr / step) * step + 0.0).astype(arr.dtype)  # + 0.0: no -0.0
            if kind == PROB:
                r = np.clip(r, 0.0, 1.0).astype(arr.dtype)
            if kind == EMBED and spec.family in NORMALISED and _zero_rows(r) > _zero_rows(arr):
                return None  # a zero embedding has no direction: not a valid input here
            changed = changed or not np.array_equal(r, arr)
            arr = r
        out.append(arr)
    return tuple(out) if changed else None
