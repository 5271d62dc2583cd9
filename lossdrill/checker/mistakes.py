"""A catalogue of generic mistakes, applied to a task's model solution to make mutants.

Beyond each task's hand-written mutants (the bank's ``mutants``), these are the mistakes
anyone makes on any task where they make sense: a falsy default (``alpha = alpha or
0.25``), a clamped hyperparameter, a global instead of a per-row max-shift, a reduction
along the wrong axis, one argument cast to another's dtype, ``np.isclose`` for equality,
``exp`` capped below overflow, NaN at a zero case the contract states, a dropped
empty-batch guard. :func:`mutants_of` makes every applicable one for a task, each with
the diagnosis codes that name it fittingly; the mutation audit
(``tests/test_mutation_audit.py``, ``benchmarks/bench_mutation_audit.py``) requires the
checker to fail each and name one of those codes.

Each mistake is source code: the model solution kept as ``_solution`` (or rewritten in
place), wrapped by a function with the task's signature that makes the mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lossdrill.checker.families import BINARY, COUNT, DIST, EMBED, LABEL, ONEHOT, PM1, PROB, REAL
from lossdrill.checker.tasks import Param, TaskSpec


@dataclass(frozen=True)
class GenericMutant:
    """One generic mistake made on one task."""

    task: str
    mistake: str
    """The catalogue entry (``falsy-default``, ``global-shift``, ...)."""
    name: str
    """What exactly was changed (``falsy-default: alpha``)."""
    code: str
    """Full source defining the task's function, with the mistake in it."""
    fitting: frozenset[str]
    """Diagnosis codes that name this mistake fittingly."""


def _wrap(spec: TaskSpec, solution: str, body: str) -> str:
    """The solution renamed ``_solution`` and a function with the task's signature whose
    body is ``body`` (it may call ``_solution`` with the same arguments)."""
    renamed = re.sub(rf"\bdef {spec.function}\(", "def _solution(", solution)
    params = ", ".join([*spec.args, *(f"{p.name}={p.default!r}" for p in spec.params)])
    call_args = ", ".join([*spec.args, *(f"{p.name}={p.name}" for p in spec.params)])
    lines = "\n".join("    " + ln for ln in body.strip("\n").splitlines())
    return (
        f"import numpy as np\n\n{renamed}\n\ndef {spec.function}({params}):\n{lines}\n"
    ).replace("CALL", f"_solution({call_args})")


def _falsy_default(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    out = []
    for p in spec.params:
        if p.default != 0 and 0.0 in p.ends:
            out.append(
                (
                    p.name,
                    _wrap(spec, solution, f"{p.name} = {p.name} or {p.default!r}\nreturn CALL"),
                )
            )
    return out


def _clamp_bounds(p: Param) -> tuple[float | None, float]:
    lo = p.lo + 0.05 * (p.default - p.lo) if np.isfinite(p.lo) and p.default > p.lo else None
    hi = p.hi - 0.05 * (p.hi - p.default) if np.isfinite(p.hi) else 5 * max(abs(p.default), 1.0)
    if p.type == "index":  # an index stays an int (blank = min(blank, 5))
        return (None if lo is None else int(np.ceil(lo))), int(hi)
    return lo, hi


def _clamped(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    return _clamp_each(spec, solution, index=False)


def _clamped_index(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    return _clamp_each(spec, solution, index=True)


def _clamp_each(spec: TaskSpec, solution: str, *, index: bool) -> list[tuple[str, str]]:
    out = []
    for p in spec.params:
        if p.type == "bool":  # a flag has no interior to clamp into
            continue
        if (p.type == "index") != index:
            continue
        lo, hi = _clamp_bounds(p)
        body = f"{p.name} = min({p.name}, {hi!r})\n"
        if lo is not None:
            body += f"{p.name} = max({p.name}, {lo!r})\n"
        out.append((p.name, _wrap(spec, solution, body + "return CALL")))
    return out


_ROW_MAX = re.compile(r"np\.max\((\w+), axis=(?:-1|1), keepdims=True\)")


def _global_shift(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    if not _ROW_MAX.search(solution):
        return []
    return [("", _ROW_MAX.sub(r"np.max(\1)", solution))]


def _wrong_axis(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    """Classes along the first axis: every ``axis=-1`` of a task whose inputs are rows of
    classes (softmax, log-softmax, cce, cce-grad, smooth-ce, kl)."""
    if spec.family.kinds[-1] not in (REAL, DIST) or "axis=-1" not in solution:
        return []
    if spec.id not in _CLASS_TASKS:
        return []
    return [("", solution.replace("axis=-1", "axis=0"))]


_CLASS_TASKS = {"softmax", "log-softmax", "cce", "cce-grad", "kl"}
"""Tasks where every ``axis=-1`` moved to ``axis=0`` still runs (smooth-ce's labels index the
rows, so there the change raises instead of computing along the wrong axis)."""

_INTEGRAL = {BINARY, PM1, ONEHOT, COUNT, LABEL, REAL}
_FRACTIONAL = {REAL, EMBED, PROB}


def _dtype_cast(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    kinds = spec.family.kinds
    if len(kinds) < 2 or not spec.int_ok:
        return []
    for i, ki in enumerate(kinds):
        for j, kj in enumerate(kinds):
            if i != j and ki in _INTEGRAL and kj in _FRACTIONAL:
                a, b = spec.args[i], spec.args[j]
                body = (
                    f"if np.asarray({a}).dtype.kind in 'iu':\n"
                    f"    {b} = np.asarray({b}).astype(np.asarray({a}).dtype)\nreturn CALL"
                )
                return [(f"{b} as {a}'s dtype", _wrap(spec, solution, body))]
    return []


def _isclose(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    """Equality with a tolerance where a rule defines behaviour at exact equality (``ties``,
    a zero denominator)."""
    if spec.id in _ISCLOSE_ZERO:
        return [("", _wrap(spec, solution, _ISCLOSE_ZERO[spec.id]))]
    if "ties" not in {rid for rid, _ in spec.rules} or len(spec.args) != 2:
        return []
    a, b = spec.args
    body = (
        f"out = np.asarray(CALL, dtype=float)\n"
        f"return np.where(np.isclose(np.asarray({a}, dtype=float), np.asarray({b}, dtype=float)), 0.0, out)"
    )
    return [("", _wrap(spec, solution, body))]


def _capped_exp(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    """exp capped just below overflow, where the contract says overflow gives inf."""
    if "overflow" not in {rid for rid, _ in spec.rules} or "np.exp(" not in solution:
        return []
    capped = solution.replace("np.exp(", "_capped_exp(")
    return [
        (
            "",
            "import numpy as np\n\n\ndef _capped_exp(x):\n    return np.exp(np.minimum(x, 700.0))\n\n\n"
            + capped,
        )
    ]


_ISCLOSE_ZERO: dict[str, str] = {
    "dice": (
        "den = np.sum(np.asarray(y_true, dtype=float)) + np.sum(np.asarray(probs, dtype=float)) + smooth\n"
        "if np.isclose(den, 0.0):\n    return 0.0\nreturn CALL"
    ),
}
"""``np.isclose(x, 0)`` where the contract's zero case means exactly zero."""

_NAN_AT_ZERO: dict[str, str] = {
    "dice": (
        "if np.sum(np.asarray(y_true, dtype=float)) + np.sum(np.asarray(probs, dtype=float)) "
        "+ smooth == 0 and np.size(y_true):\n    return float('nan')\nreturn CALL"
    ),
    "cosine-embedding": (
        "a, b = np.asarray(x1, dtype=float), np.asarray(x2, dtype=float)\n"
        "if a.size and np.any((np.linalg.norm(a, axis=-1) == 0) | (np.linalg.norm(b, axis=-1) == 0)):\n"
        "    return float('nan')\nreturn CALL"
    ),
    "kl": (
        "pp, qq = np.asarray(p, dtype=float), np.asarray(q, dtype=float)\n"
        "if np.any((pp == 0) & (qq == 0)):\n    return float('nan')\nreturn CALL"
    ),
}
"""NaN where the contract states a zero case (a zero denominator, a zero vector, p = q = 0)."""


def _nan_at_zero(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    body = _NAN_AT_ZERO.get(spec.id)
    return [("", _wrap(spec, solution, body))] if body else []


def _dropped_empty_guard(spec: TaskSpec, solution: str) -> list[tuple[str, str]]:
    """The empty-batch branch dropped: np.mean of nothing (nan) instead of 0.0."""
    if spec.output != "loss":
        return []
    first = spec.args[0]
    body = f"if np.size({first}) == 0:\n    return float(np.mean(np.zeros(0)))\nreturn CALL"
    return [("", _wrap(spec, solution, body))]


Maker = Callable[[TaskSpec, str], list[tuple[str, str]]]

CATALOGUE: dict[str, tuple[Maker, frozenset[str]]] = {
    "falsy-default": (_falsy_default, frozenset({"ignores-parameter"})),
    "clamped-hyperparameter": (_clamped, frozenset({"ignores-parameter"})),
    # A clamped index (ignore_index, blank) turns a valid input into an out-of-range index:
    # the learner's code raises on the domain-end case, which the verdict names.
    "clamped-index": (_clamped_index, frozenset({"ignores-parameter", "exception"})),
    "global-shift": (_global_shift, frozenset({"unstable"})),
    "wrong-axis": (_wrong_axis, frozenset({"wrong-axis", "wrong-reduction"})),
    "dtype-cast": (_dtype_cast, frozenset({"dtype-cast"})),
    "isclose-equality": (_isclose, frozenset({"approximate-equality", "ignores-rule"})),
    "capped-exp": (_capped_exp, frozenset({"unstable", "ignores-rule"})),
    "nan-at-zero-case": (_nan_at_zero, frozenset({"ignores-rule", "unstable"})),
    "dropped-empty-guard": (_dropped_empty_guard, frozenset({"empty-batch"})),
}
"""Each generic mistake: how to make it on a task (none where it does not apply) and the
codes that name it."""


def mutants_of(spec: TaskSpec, solution: str) -> list[GenericMutant]:
    """Every applicable generic mistake made on ``solution`` (the task's model solution)."""
    out = []
    for mistake, (make, fitting) in CATALOGUE.items():
        for what, code in make(spec, solution):
            name = f"{mistake}: {what}" if what else mistake
            out.append(GenericMutant(spec.id, mistake, name, code, fitting))
    return out
