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

The framework tracks have their own catalogue (:data:`FRAMEWORK_CATALOGUE`), made on the
task's PyTorch or JAX solution: the mistakes an interviewer probes in framework code
(``.item()``, ``.detach()``, re-wrapping with ``torch.tensor``, ``float()`` under
``jax.jit``, a float64 result, a tensor made on the CPU, an in-place change of an input, a
half-stopped or NaN gradient), plus the hyperparameter mistakes above, which are the same in
any framework. ``mutants_of(spec, solution, framework)`` makes them.
"""

from __future__ import annotations

import functools
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


_IMPORTS = {
    "numpy": "import numpy as np\n",
    "torch": "import numpy as np\nimport torch\n",
    "jax": "import numpy as np\nimport jax\nimport jax.numpy as jnp\n",
}


def _wrap(spec: TaskSpec, solution: str, body: str, framework: str = "numpy") -> str:
    """The solution renamed ``_solution`` and a function with the task's signature whose
    body is ``body`` (it may call ``_solution`` with the same arguments)."""
    renamed = re.sub(rf"\bdef {spec.function}\(", "def _solution(", solution)
    params = ", ".join([*spec.args, *(f"{p.name}={p.default!r}" for p in spec.params)])
    call_args = ", ".join([*spec.args, *(f"{p.name}={p.name}" for p in spec.params)])
    lines = "\n".join("    " + ln for ln in body.strip("\n").splitlines())
    return (
        f"{_IMPORTS[framework]}\n{renamed}\n\ndef {spec.function}({params}):\n{lines}\n"
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


# ----------------------------------------------------------------------- framework tracks

FrameworkMaker = Callable[[TaskSpec, str, str], list[tuple[str, str]]]


def _first_differentiable(spec: TaskSpec) -> str:
    return spec.differentiable[0] if spec.differentiable else spec.args[-1]


def _body(body: str) -> Callable[[TaskSpec, str, str], list[tuple[str, str]]]:
    """A mistake that wraps the call: ``body`` may name ``CALL``, ``{d}`` (the first
    differentiable argument) and ``{a0}`` (the first argument)."""

    def make(spec: TaskSpec, solution: str, framework: str) -> list[tuple[str, str]]:
        text = body.format(a0=spec.args[0], d=_first_differentiable(spec))
        return [("", _wrap(spec, solution, text, framework))]

    return make


@functools.cache
def _has_gradient(task: str) -> bool:
    """Whether the task's gradient is anywhere non-zero: finite differences of the float64
    reference on its random cases, stopping at the first non-zero one. A task whose output
    is piecewise constant in its inputs (``mae-grad``: sign(pred − y)/n) has gradient 0
    almost everywhere, so scaling its gradient changes nothing (an equivalent mutant)."""
    from lossdrill.checker.frameworks.track import MAX_GRADIENT_SIZE, fd_gradient
    from lossdrill.checker.tasks import TASKS

    spec = TASKS[task]
    for case in spec.cases(spec.default_seed()):
        if case.group != "random" or case.is_empty:
            continue
        for name in spec.differentiable:
            position = spec.args.index(name)
            x = np.asarray(case.args[position])
            if x.dtype.kind != "f" or x.size > MAX_GRADIENT_SIZE:
                continue
            g, _ = fd_gradient(spec.reference(), case, position)
            if np.any(np.abs(g) > 1e-9):
                return True
    return False


def _gradient_moves(make: FrameworkMaker) -> FrameworkMaker:
    """``make`` on a task whose gradient is not identically zero (scaling or stopping a zero
    gradient leaves it right)."""

    def only(spec: TaskSpec, solution: str, framework: str) -> list[tuple[str, str]]:
        return make(spec, solution, framework) if _has_gradient(spec.id) else []

    return only


def _loss_only(make: FrameworkMaker) -> FrameworkMaker:
    """``make`` on a task whose output is a scalar loss (``.item()`` of an array raises)."""

    def only(spec: TaskSpec, solution: str, framework: str) -> list[tuple[str, str]]:
        return make(spec, solution, framework) if spec.output == "loss" else []

    return only


def _framework_wrong_axis(spec: TaskSpec, solution: str, framework: str) -> list[tuple[str, str]]:
    """Classes along the first axis: every ``dim=-1`` (PyTorch) or ``axis=-1`` (JAX) of a
    task whose rows are classes moved to the first axis."""
    token = "dim=-1" if framework == "torch" else "axis=-1"
    if spec.id not in _CLASS_TASKS or token not in solution:
        return []
    return [("", solution.replace(token, token.replace("-1", "0")))]


def _hyperparameter(make: Maker) -> FrameworkMaker:
    """A hyperparameter mistake: the same in every framework (the values are Python numbers)."""

    def any_framework(spec: TaskSpec, solution: str, framework: str) -> list[tuple[str, str]]:
        return make(spec, solution)

    return any_framework


_NAN_BACKWARD = {
    # sqrt at 0 in a term that adds nothing: its derivative is inf, times 0 is nan
    "torch": (
        "_out = CALL\n_d = torch.nan_to_num({d})\nreturn _out + 0.0 * torch.sqrt(_d - _d.detach()).sum()"
    ),
    "jax": (
        "_out = CALL\n_d = jnp.nan_to_num({d})\n"
        "return _out + 0.0 * jnp.sum(jnp.sqrt(_d - jax.lax.stop_gradient(_d)))"
    ),
}

_SHARED: dict[str, tuple[FrameworkMaker, frozenset[str]]] = {
    "falsy-default": (_hyperparameter(_falsy_default), frozenset({"ignores-parameter"})),
    "clamped-hyperparameter": (_hyperparameter(_clamped), frozenset({"ignores-parameter"})),
    "clamped-index": (
        _hyperparameter(_clamped_index),
        frozenset({"ignores-parameter", "exception"}),
    ),
    "wrong-axis": (_framework_wrong_axis, frozenset({"wrong-axis", "wrong-reduction"})),
}

FRAMEWORK_CATALOGUE: dict[str, dict[str, tuple[FrameworkMaker, frozenset[str]]]] = {
    "torch": {
        **_SHARED,
        "item": (_loss_only(_body("return CALL.item()")), frozenset({"graph-broken"})),
        "detach": (_body("return CALL.detach()"), frozenset({"graph-broken"})),
        "rewrapped": (
            _body("_out = CALL\nreturn torch.tensor(_out.tolist(), dtype=_out.dtype)"),
            frozenset({"graph-broken"}),
        ),
        "float64-result": (_body("return CALL.double()"), frozenset({"dtype-changed"})),
        "cpu-tensor": (
            _body("{a0} = {a0} + torch.zeros({a0}.shape, dtype={a0}.dtype)\nreturn CALL"),
            frozenset({"device-mismatch"}),
        ),
        "in-place-input": (
            _body("{d}.clamp_(-1e6, 1e6)\nreturn CALL"),
            frozenset({"in-place-on-input"}),
        ),
        "half-detached": (
            _gradient_moves(_body("_out = CALL\nreturn 0.5 * _out + 0.5 * _out.detach()")),
            frozenset({"wrong-gradient"}),
        ),
        "nan-backward": (_body(_NAN_BACKWARD["torch"]), frozenset({"non-finite-gradient"})),
    },
    "jax": {
        **_SHARED,
        "float": (_loss_only(_body("return float(CALL)")), frozenset({"graph-broken"})),
        "numpy-round-trip": (
            _body("return jnp.asarray(np.asarray(CALL))"),
            frozenset({"not-jittable", "graph-broken"}),
        ),
        "python-branch": (
            _body("_out = CALL\nif jnp.all(jnp.isfinite(_out)):\n    return _out\nreturn _out"),
            frozenset({"not-jittable"}),
        ),
        "float64-result": (
            _body("return CALL.astype(jnp.float64)"),
            frozenset({"dtype-changed"}),
        ),
        "stop-gradient": (
            _gradient_moves(_body("return jax.lax.stop_gradient(CALL)")),
            frozenset({"wrong-gradient", "graph-broken"}),
        ),
        "half-stopped": (
            _gradient_moves(
                _body("_out = CALL\nreturn 0.5 * _out + 0.5 * jax.lax.stop_gradient(_out)")
            ),
            frozenset({"wrong-gradient"}),
        ),
        "nan-backward": (_body(_NAN_BACKWARD["jax"]), frozenset({"non-finite-gradient"})),
    },
}
"""Each framework's mistakes: how to make one on a task's track solution, and the codes that
name it. ``{d}`` in a body is the task's first differentiable argument, ``{a0}`` its first."""


def mutants_of(spec: TaskSpec, solution: str, framework: str = "numpy") -> list[GenericMutant]:
    """Every applicable generic mistake made on ``solution`` (the task's model solution in
    ``framework``: the record's solution, or its track's)."""
    out = []
    if framework == "numpy":
        makers = [
            (m, (lambda s, sol, f=make: f(s, sol)), fit) for m, (make, fit) in CATALOGUE.items()
        ]
    else:
        makers = [
            (m, (lambda s, sol, f=make: f(s, sol, framework)), fit)
            for m, (make, fit) in FRAMEWORK_CATALOGUE[framework].items()
        ]
    for mistake, make, fitting in makers:
        for what, code in make(spec, solution):
            name = f"{mistake}: {what}" if what else mistake
            out.append(GenericMutant(spec.id, mistake, name, code, fitting))
    return out
