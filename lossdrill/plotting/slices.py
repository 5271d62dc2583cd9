"""One-dimensional slices through every loss: what the x axis of a plot means.

A loss takes arrays; a plot needs one number on the x axis. Each task id gets one or more
:class:`Slice`: the axis it is drawn against, the inputs built from a point ``x`` of that
axis, and the fixed conditions of each curve (``y=1``, ``y=0``, ...). The value at ``x`` is
the hidden reference (:data:`lossdrill.references.REFERENCES`) applied to those inputs, so a
plot shows exactly what the checker grades against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossdrill.bank.schema import ImplementItem


@dataclass(frozen=True)
class Axis:
    """The quantity on the x axis, its plotted range and the points of its value table."""

    name: str
    label: str
    lo: float
    hi: float
    table_xs: tuple[float, ...]
    """The x values printed in the table fallback (round numbers)."""

    def samples(self, n: int = 241) -> list[float]:
        return [float(v) for v in np.linspace(self.lo, self.hi, n)]


def _steps(lo: float, hi: float, step: float) -> tuple[float, ...]:
    n = round((hi - lo) / step)
    return tuple(round(lo + i * step, 10) for i in range(n + 1))


AXES: dict[str, Axis] = {
    a.name: a
    for a in (
        Axis("error", "error ŷ − y", -3.0, 3.0, _steps(-3.0, 3.0, 0.5)),
        Axis(
            "probability",
            "predicted probability p = σ(z)",
            0.01,
            0.99,
            (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99),
        ),
        Axis("logit", "logit (score) z of the true class", -5.0, 5.0, _steps(-5.0, 5.0, 1.0)),
        Axis(
            "score-gap",
            "score difference s⁺ − s⁻ (preferred minus other)",
            -5.0,
            5.0,
            _steps(-5.0, 5.0, 1.0),
        ),
        Axis("log-rate", "log rate z = log λ", -3.0, 3.0, _steps(-3.0, 3.0, 0.5)),
        Axis(
            "cosine", "cosine similarity of the positive pair", -1.0, 1.0, _steps(-1.0, 1.0, 0.25)
        ),
        Axis("distance", "Euclidean distance D between the pair", 0.0, 3.0, _steps(0.0, 3.0, 0.25)),
        Axis(
            "distance-gap",
            "d(a,n) − d(a,p), squared distances",
            -3.0,
            3.0,
            _steps(-3.0, 3.0, 0.5),
        ),
        Axis(
            "distribution",
            "q₁ of the model distribution q = (q₁, 1 − q₁)",
            0.01,
            0.99,
            (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99),
        ),
    )
}

Inputs = Callable[[float, dict[str, Any]], tuple[np.ndarray, ...]]
"""Builds the reference's positional arguments from x and the curve's conditions."""


@dataclass(frozen=True)
class Slice:
    """How one task is drawn against one axis."""

    axis: str
    inputs: Inputs
    variants: tuple[tuple[str, dict[str, Any]], ...] = (("", {}),)
    """(label suffix, conditions) of each curve; conditions reach ``inputs``, and those named
    in ``fixed`` reach the reference as keyword arguments."""
    note: str = ""
    """What x is for this task, shown under the plot."""
    fixed: tuple[str, ...] = ()
    """Condition names passed to the reference as hyperparameters (e.g. ``pos_weight``)."""


@dataclass(frozen=True)
class Task:
    """A plottable task: its reference function and its slices in order of preference."""

    id: str
    function: str
    slices: tuple[Slice, ...]
    params: tuple[str, ...] = ()
    """Hyperparameters that a command-line option may set (delta, q, alpha, gamma, margin)."""
    gradient_task: str | None = None
    """The task whose reference is this loss's gradient, where one exists."""
    kind: str = "loss"
    """``loss``, ``gradient`` (already a derivative) or ``function`` (sigmoid, softmax, ...)."""


def _a(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def _regression(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    return _a(0.0), _a(x)


def _logit_of_p(p: float) -> float:
    return math.log(p) - math.log1p(-p)


def _binary_prob(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    return _a(c["y"]), _a(_logit_of_p(x))


def _binary_logit(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    return _a(c["y"]), _a(x)


def _three_logits(x: float) -> np.ndarray:
    return np.array([[x, 0.0, 0.0]])


def _one_hot_first(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    return np.array([[1.0, 0.0, 0.0]]), _three_logits(x)


def _label_first(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    return np.array([0]), _three_logits(x)


def _pair_at_cosine(x: float) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors in the plane whose cosine is x."""
    s = math.sqrt(max(0.0, 1.0 - x * x))
    return np.array([[1.0, 0.0]]), np.array([[x, s]])


def _batch_at_cosine(x: float, n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """n pairs: row i of each is a unit vector; pair i has cosine x, all other pairs 0.

    Rows live in 2n dimensions: u_i = e_i and v_i = x·e_i + √(1−x²)·e_{n+i}, so
    u_i·v_j = x·[i = j], u_i·u_j = v_i·v_j = 0 for i ≠ j.
    """
    s = math.sqrt(max(0.0, 1.0 - x * x))
    u = np.zeros((n, 2 * n))
    v = np.zeros((n, 2 * n))
    for i in range(n):
        u[i, i] = 1.0
        v[i, i] = x
        v[i, n + i] = s
    return u, v


BUILDERS: dict[str, Inputs] = {
    "error": _regression,
    "binary-probability": _binary_prob,
    "binary-logit": _binary_logit,
    "one-hot-first": _one_hot_first,
    "label-first": _label_first,
    "count-and-log-rate": lambda x, c: (_a(c["y"]), _a(x)),
    "x": lambda x, c: (_a(x),),
    "first-of-three": lambda x, c: (_a(x, 0.0, 0.0),),
    "positive-score": lambda x, c: (_a(1.0), _a(x)),
    "one-pixel": lambda x, c: (_a(c["y"]), _a(x)),
    "two-class-q": lambda x, c: (np.array([c["p"]]), np.array([[x, 1.0 - x]])),
    "distance-gap": lambda x, c: (
        np.array([[0.0, 0.0]]),
        np.array([[2.0, 0.0]]),
        np.array([[math.sqrt(4.0 + x), 0.0]]),
    ),
    "pair-distance": lambda x, c: (np.array([[0.0, 0.0]]), np.array([[x, 0.0]]), _a(c["y"])),
    "pair-at-cosine": lambda x, c: (*_pair_at_cosine(x), _a(c["y"])),
    "batch-at-cosine": lambda x, c: _batch_at_cosine(x),
    "score-gap-pair": lambda x, c: (_a(x), _a(0.0), _a(1.0)),
    "score-gap": lambda x, c: (_a(x), _a(0.0)),
}
"""Input builders by the name a task record's plot slice gives in ``inputs``: what cannot be
data (a pair of unit vectors at a given cosine, a logit from a probability, ...)."""


def task_of(item: ImplementItem) -> Task:
    """The plottable task of an implement item, from its record."""
    record = item.record
    if record is None:
        raise ValueError(f"implement item {item.id!r} has no task record")
    slices = tuple(
        Slice(
            axis=s.axis,
            inputs=BUILDERS[s.inputs],
            variants=tuple((v.label, dict(v.conditions)) for v in s.variants),
            note=s.note,
            fixed=s.fixed,
        )
        for s in record.slices
    )
    return Task(
        id=item.id,
        function=item.function,
        slices=slices,
        params=tuple(p.name for p in record.params if p.name in PARAM_SYMBOLS),
        gradient_task=record.gradient_task or None,
        kind=record.plot_kind,
    )


class _Tasks(Mapping[str, Task]):
    """Every plottable task by id, derived from the task records on first use."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] | None = None

    def _all(self) -> dict[str, Task]:
        if self._tasks is None:
            from lossdrill.bank.tasks import builtin_tasks

            self._tasks = {tid: task_of(item) for tid, item in builtin_tasks().items()}
        return self._tasks

    def __getitem__(self, task_id: str) -> Task:
        return self._all()[task_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


TASKS: Mapping[str, Task] = _Tasks()
"""Every plottable task id (every implement task), derived from the task records."""

PARAM_SYMBOLS = {"delta": "δ", "q": "q", "alpha": "α", "gamma": "γ", "margin": "margin"}


def resolve(name: str) -> str | None:
    """The task id for a task id or a function name (``huber`` or ``huber_loss``)."""
    key = name.strip().lower()
    if key in TASKS:
        return key
    for task in TASKS.values():
        if key == task.function or key.replace("_", "-") == task.id:
            return task.id
    return None


# --------------------------------------------------------------------------- 2026 tasks
# Axes and input builders of the language-model, preference, metric-learning, sequence and
# listwise tasks (questions/implement/language-models.yaml and the files beside it).

AXES.update(
    {
        a.name: a
        for a in (
            Axis(
                "reward-margin",
                "implicit reward margin h = (π_c − ref_c) − (π_r − ref_r)",
                -30.0,
                30.0,
                _steps(-30.0, 30.0, 5.0),
            ),
            Axis("ratio", "probability ratio r = π_new / π_old", 0.2, 2.0, _steps(0.2, 2.0, 0.1)),
            Axis("logit-shift", "shift c added to every logit", -5.0, 5.0, _steps(-5.0, 5.0, 1.0)),
            Axis(
                "router-gap",
                "router logit of expert 0 minus expert 1",
                -5.0,
                5.0,
                _steps(-5.0, 5.0, 1.0),
            ),
            Axis(
                "reward",
                "reward r₁ of answer 1 (others 0, 0, 1)",
                -2.0,
                3.0,
                _steps(-2.0, 3.0, 0.5),
            ),
            Axis(
                "latent-mean",
                "posterior mean μ (one latent dimension)",
                -3.0,
                3.0,
                _steps(-3.0, 3.0, 0.5),
            ),
            Axis(
                "negative-offset",
                "offset x of the negative (anchor at 0, positive at 1, negative at 1 + x)",
                -2.0,
                2.0,
                _steps(-2.0, 2.0, 0.5),
            ),
            Axis(
                "frame-log-prob",
                "log-probability of label 'a' in every frame",
                -6.0,
                -0.05,
                (-6.0, -5.0, -4.0, -3.0, -2.0, -1.5, -1.0, -0.5, -0.25, -0.1, -0.05),
            ),
        )
    }
)


def _two_tokens(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Two tokens with the same logits (x, 0, 0), target 0; the second's target is ``k``."""
    return np.array([[[x, 0.0, 0.0], [x, 0.0, 0.0]]]), np.array([[0, int(c["k"])]])


def _router(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Four tokens, two experts: all with logits (x, 0), or half of them mirrored to (0, x)."""
    rows = [[x, 0.0], [x, 0.0], [0.0, x], [0.0, x]] if c.get("mirror") else [[x, 0.0]] * 4
    return (np.array(rows),)


def _arcface_at_cosine(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """One embedding e₁, its class centre at cosine x, another class centre orthogonal to both."""
    s = math.sqrt(max(0.0, 1.0 - x * x))
    return np.array([[1.0, 0.0, 0.0]]), np.array([[x, s, 0.0], [0.0, 0.0, 1.0]]), np.array([0])


def _ctc_frames(x: float, c: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """Four frames over (blank, a, b): log P(a) = x, P(b) = 1e-3, blank the rest; target 'a'·k."""
    row = [math.log(max(1.0 - math.exp(x) - 1e-3, 1e-300)), x, math.log(1e-3)]
    return np.array([row] * 4), np.array([1] * int(c["k"]))


BUILDERS.update(
    {
        "two-tokens": _two_tokens,
        "student-logit": lambda x, c: (np.array([[x, 0.0]]), np.array([[2.0, 0.0]])),
        "shifted-logits": lambda x, c: (np.array([[x, x + 1.0, x + 2.0]]),),
        "router": _router,
        "reward-margin": lambda x, c: (_a(x), _a(0.0), _a(0.0), _a(0.0)),
        "ratio-and-advantage": lambda x, c: (_a(math.log(x)), _a(0.0), _a(c["A"])),
        "first-reward": lambda x, c: (np.array([[x, 0.0, 0.0, 1.0]]),),
        "real-or-fake": lambda x, c: (_a(x), _a()) if c["real"] else (_a(), _a(x)),
        "error-with-variance": lambda x, c: (_a(x), _a(0.0), _a(c["var"])),
        "latent-mean": lambda x, c: (np.array([[x]]), np.array([[c["logvar"]]])),
        "four-and-four-pixels": lambda x, c: (
            _a(1, 1, 1, 1, 0, 0, 0, 0),
            _a(*([x] * 4 + [1.0 - x] * 4)),
        ),
        "sgns-positive-score": lambda x, c: (
            np.array([[x, 0.0]]),
            np.array([[1.0, 0.0]]),
            np.array([[[0.0, 1.0]]]),
        ),
        "embedding-at-cosine": _arcface_at_cosine,
        "negative-on-a-line": lambda x, c: (
            np.array([[0.0], [1.0], [1.0 + x]]),
            np.array([0, 0, 1]),
        ),
        "ctc-frames": _ctc_frames,
        "top-item-gap": lambda x, c: (_a(x, 0.0, 0.0), _a(2.0, 0.0, 0.0)),
        "two-item-gap": lambda x, c: (_a(x, 0.0), _a(1.0, 0.0)),
    }
)
