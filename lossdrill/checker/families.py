"""Input families: what a valid input of each argument structure looks like.

A :class:`Family` knows how to sample a valid random batch for a group of tasks with the same
argument structure (0/1 labels and logits, one-hot rows and logits, embeddings, probability
rows, ...), which named edge cases and extreme (``stability``) inputs to add, and how extreme a
case is for the stability messages. The argument *kinds* decide how a case is converted to
another dtype and how the shrinker may simplify it while keeping it valid.

This is the part of a task that cannot be data; everything declarative about a task lives in
its record (the implement item in ``questions/implement/*.yaml``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from lossdrill.checker.cases import Case
    from lossdrill.checker.tasks import TaskSpec

Raw = tuple[Any, ...]
"""A generated case before it gets its group: (name, positional arguments, hyperparameters)
and, optionally, the ids of the record's rules it exercises (they become
:attr:`Case.rules`). Typed loosely: the families build both shapes in list literals."""

# --------------------------------------------------------------------------- kinds
# What an argument holds; it decides how a case is converted to another dtype and how
# the shrinker may simplify it while keeping it valid.
REAL = "real"  # any real values (targets, predictions, logits, scores)
EMBED = "embed"  # rows of real embeddings (n, d)
BINARY = "binary"  # 0/1 labels
PM1 = "pm1"  # -1/+1 labels
ONEHOT = "onehot"  # one-hot rows (n, k)
LABEL = "label"  # integer class indices (n,)
DIST = "dist"  # probability rows along the last axis
PROB = "prob"  # values in [0, 1]
COUNT = "count"  # non-negative counts

FLOATY = {REAL, EMBED, DIST, PROB}
"""Kinds converted to float32 in the float32 cases."""
INTY = {BINARY, PM1, ONEHOT, COUNT}
"""Kinds given as integer arrays in the integer-input case."""
ROUNDABLE = {REAL, EMBED}
"""Kinds the shrinker may round to simpler values."""


@dataclass(frozen=True)
class Family:
    """How to make valid inputs for a group of tasks with the same argument structure."""

    kinds: tuple[str, ...]
    sample: Callable[[np.random.Generator, int, float, bool], tuple[Any, ...]]
    """(rng, rows, scale, two_d) -> a valid random batch."""
    empty: Callable[[], tuple[Any, ...]]
    scales: tuple[float, ...]
    two_d: bool = False
    """The contract allows 2-D batches (the loss averages over all elements)."""
    edge: Callable[[TaskSpec], list[Raw]] | None = None
    stability: Callable[[TaskSpec], list[Raw]] | None = None
    int_inputs: Callable[[np.random.Generator], tuple[Any, ...]] | None = None
    """A hand-made integer-valued batch (default: rounding a random batch)."""
    magnitude: Callable[[Case], float] | None = None
    """How extreme a case is, in the words of the record's ``magnitude`` (default: the
    largest |scale_arg|)."""
    valid: Callable[[tuple[Any, ...], Mapping[str, Any]], bool] | None = None
    """Whether positional arguments with these hyperparameters are a valid input (the
    generator and the shrinker keep only valid ones: an ``index`` hyperparameter such as
    CTC's ``blank`` must name a class the inputs have); None: whatever keeps the kinds is
    valid."""


# --------------------------------------------------------------------------- helpers


def _f(values: Any, dtype: Any = np.float64) -> np.ndarray:
    return np.asarray(values, dtype=dtype)


def as_int(args: tuple[Any, ...], kinds: tuple[str, ...]) -> tuple[Any, ...]:
    out = []
    for a, k in zip(args, kinds, strict=False):
        if k in INTY or k in (REAL, EMBED, PROB):  # integer-valued embeddings, 0/1 probabilities
            out.append(np.rint(np.asarray(a)).astype(np.int64))
        else:
            out.append(a)
    return tuple(out)


def as_float32(args: tuple[Any, ...], kinds: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(
        np.asarray(a).astype(np.float32) if k in FLOATY or k in (BINARY, PM1, ONEHOT) else a
        for a, k in zip(args, kinds, strict=False)
    )


def _shape(rng: np.random.Generator, n: int, two_d: bool) -> tuple[int, ...]:
    return (n, int(rng.integers(2, 5))) if two_d else (n,)


def error_size(case: Case) -> float:
    """The largest |second − first| argument (errors ŷ − y, score differences s⁺ − s⁻)."""
    a, b = (np.asarray(x, dtype=np.float64) for x in case.args[:2])
    return float(np.max(np.abs(b - a))) if a.size else 0.0


def inverse_temperature(case: Case) -> float:
    return 1.0 / float(next(iter(case.kwargs.values()), 1.0))


# --------------------------------------------------------------------------- regression


def _regression_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    shape = _shape(rng, n, two_d)
    y = rng.normal(0.0, scale, shape)
    spread = float(rng.choice((0.3, 1.0, 2.0)))
    return y, y + rng.normal(0.0, scale * spread, shape)


def _regression_edge(spec: TaskSpec) -> list[Raw]:
    y = _f([0.5, -1.0, 2.0, 3.0])
    return [
        ("perfect predictions", (y, y.copy()), {}),
        ("all targets equal", (_f([2.0, 2.0, 2.0, 2.0]), _f([1.0, 2.5, 4.0, -1.0])), {}),
        ("some errors exactly zero", (_f([1.0, 2.0, 3.0]), _f([1.0, 2.5, 3.0])), {}),
        # equality is exact: differences of 1e-9 and 1e-12 are not ties (np.isclose would say so)
        (
            "near-ties: errors of ±1e-9 and ±1e-12",
            (_f([1.0, 2.0, 3.0, 0.0, 5.0]), _f([1.0 + 1e-9, 2.0 - 1e-12, 3.0, 1e-12, 5.0 - 1e-9])),
            {},
        ),
        (
            "3-D batch",
            (np.arange(12.0).reshape(2, 3, 2), np.arange(12.0).reshape(2, 3, 2) ** 0.5),
            {},
        ),
    ]


def _regression_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (f"errors of ±{m:g}", (_f([0.0, 0.0, 1.0, -2.0]), _f([m, -m, 1.5, -2.5])), {})
        for m in (50.0, 800.0, 1e4)
    ] + [
        (
            "float32 errors of ±100",
            (_f([0.0, 0.0], np.float32), _f([100.0, -100.0], np.float32)),
            {},
        ),
    ]


REGRESSION = Family(
    kinds=(REAL, REAL),
    sample=_regression_sample,
    empty=lambda: (np.zeros(0), np.zeros(0)),
    scales=(0.1, 1.0, 3.0, 10.0, 100.0),
    two_d=True,
    edge=_regression_edge,
    stability=_regression_stability,
    magnitude=error_size,
)


# log cosh overflows in the naive form beyond |e| ≈ 710: random errors stay well below, the
# stability group goes beyond
LOG_COSH = dataclasses.replace(REGRESSION, scales=(0.1, 1.0, 3.0, 10.0, 30.0))


def _huber_edge(spec: TaskSpec) -> list[Raw]:
    # |e| = delta exactly, on both sides, with the default and a non-default delta
    return [
        ("errors exactly at ±delta", (_f([0.0, 0.0, 1.0]), _f([1.0, -1.0, 0.5])), {}),
        ("errors exactly at ±delta=2", (_f([0.0, 0.0, 3.0]), _f([2.0, -2.0, 0.0])), {"delta": 2.0}),
    ]


HUBER = dataclasses.replace(
    REGRESSION, edge=lambda spec: _regression_edge(spec) + _huber_edge(spec)
)
"""Regression inputs plus errors exactly at ±delta."""


def _poisson_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    shape = _shape(rng, n, two_d)
    return rng.poisson(3.0, shape).astype(np.float64), rng.normal(0.5, min(scale, 2.0), shape)


def _poisson_edge(spec: TaskSpec) -> list[Raw]:
    return [
        ("all counts zero", (_f([0.0, 0.0, 0.0]), _f([-1.0, 0.0, 1.0])), {}),
        ("log-rate zero", (_f([0.0, 1.0, 4.0]), _f([0.0, 0.0, 0.0])), {}),
    ]


def _poisson_stability(spec: TaskSpec) -> list[Raw]:
    return [
        ("log-rates of -800", (_f([0.0, 1.0, 3.0]), _f([-800.0, -800.0, -800.0])), {}),
        ("log-rates of -1e4 and 50", (_f([2.0, 0.0]), _f([-1e4, 50.0])), {}),
        (
            "log-rates of 700 and 709 (finite, near overflow)",
            (_f([1.0, 3.0]), _f([700.0, 709.0])),
            {},
        ),
        ("log-rate of 800 (the true loss is inf)", (_f([1.0, 2.0]), _f([800.0, 0.0])), {}),
    ]


POISSON = Family(
    kinds=(COUNT, REAL),
    sample=_poisson_sample,
    empty=lambda: (np.zeros(0), np.zeros(0)),
    scales=(0.5, 1.0, 2.0),
    two_d=True,
    edge=_poisson_edge,
    stability=_poisson_stability,
)

# --------------------------------------------------------------------------- element-wise


def _any_shape_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    if two_d:
        shape: tuple[int, ...] = (n, int(rng.integers(2, 5)))
        if rng.random() < 0.3:
            shape = (*shape, int(rng.integers(1, 4)))
    else:
        shape = (n,)
    return (rng.normal(0.0, scale, shape),)


def _sigmoid_edge(spec: TaskSpec) -> list[Raw]:
    return [
        ("a 0-d array", (_f(0.5),), {}),
        ("zero", (_f([0.0]),), {}),
        ("3-D input", (np.linspace(-3, 3, 24).reshape(2, 3, 4),), {}),
    ]


def _sigmoid_stability(spec: TaskSpec) -> list[Raw]:
    return [
        ("x of ±50", (_f([-50.0, 50.0, 0.0]),), {}),
        ("x of ±800", (_f([-800.0, 800.0, 1.0]),), {}),
        ("x of ±1e4", (_f([-1e4, 1e4]),), {}),
        ("float32 x near ±88.7", (_f([-88.7, 88.7, -89.0, 89.0, -100.0, 100.0], np.float32),), {}),
    ]


SIGMOID = Family(
    kinds=(REAL,),
    sample=_any_shape_sample,
    empty=lambda: (np.zeros(0),),
    scales=(0.5, 1.0, 3.0, 6.0),
    two_d=True,
    edge=_sigmoid_edge,
    stability=_sigmoid_stability,
)


def _softmax_edge(spec: TaskSpec) -> list[Raw]:
    return [
        ("one class", (_f([[3.0], [-1.0]]),), {}),
        ("a 1-D vector", (_f([1.0, 2.0, 3.0]),), {}),
        ("equal logits", (_f([[2.0, 2.0, 2.0, 2.0]]),), {}),
        ("3-D input", (np.linspace(-3, 3, 24).reshape(2, 3, 4),), {}),
        ("non-square 2-D", (_f([[1.0, 2.0], [0.5, -0.5], [3.0, 0.0]]),), {}),
    ]


def _softmax_stability(spec: TaskSpec) -> list[Raw]:
    return [
        ("logits of ±50", (_f([[50.0, 0.0, -50.0], [50.0, 49.0, 48.0]]),), {}),
        ("logits of ±800", (_f([[800.0, 0.0, -800.0], [800.0, 799.0, 798.0]]),), {}),
        ("all logits near -800", (_f([[-800.0, -801.0, -802.0]]),), {}),
        ("logits of ±1e4", (_f([[1e4, 0.0], [1e4, 1e4 - 1.0]]),), {}),
        (
            "float32 logits near 88.7",
            (_f([[88.7, 0.0, -1.0], [89.0, 88.0, 100.0]], np.float32),),
            {},
        ),
        # rows whose maxima differ far beyond the float range: only a per-row shift survives
        ("row maxima 1e3 apart", (_f([[1000.0, 0.0], [-1000.0, -1001.0]]),), {}),
        (
            "row maxima 2e4 apart (3-D)",
            (_f([[[1e4, 0.0, 1.0], [-1e4, -1e4 - 2.0, -1e4 + 1.0]]]),),
            {},
        ),
    ]


def _softmax_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    k = int(rng.integers(2, 7))
    shape: tuple[int, ...] = (n, k)
    if two_d:
        shape = (int(rng.integers(1, 4)), n, k)
    return (rng.normal(0.0, scale, shape),)


SOFTMAX = Family(
    kinds=(REAL,),
    sample=_softmax_sample,
    empty=lambda: (np.zeros((0, 3)),),
    scales=(0.5, 1.0, 3.0, 5.0),
    two_d=True,
    edge=_softmax_edge,
    stability=_softmax_stability,
)

# --------------------------------------------------------------------------- binary


def _binary_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    shape = _shape(rng, n, two_d)
    return rng.integers(0, 2, shape).astype(np.float64), rng.normal(0.0, scale, shape)


def _binary_edge(spec: TaskSpec) -> list[Raw]:
    z = _f([-2.0, -0.5, 0.0, 0.7, 3.0])
    return [
        ("all labels 0", (np.zeros(5), z), {}),
        ("all labels 1", (np.ones(5), z), {}),
        ("logits exactly 0", (_f([0.0, 1.0]), _f([0.0, 0.0])), {}),
    ]


def _binary_stability(spec: TaskSpec) -> list[Raw]:
    y = _f([1.0, 0.0, 1.0, 0.0])
    out: list[Raw] = [
        (f"logits of ±{m:g}", (y, _f([m, -m, -m, m])), {}) for m in (50.0, 800.0, 1e4)
    ]
    out.append(
        (
            "float32 logits near ±88.7",
            (
                _f([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], np.float32),
                _f([-88.7, 88.7, 89.0, -89.0, -100.0, 100.0], np.float32),
            ),
            {},
        )
    )
    return out


BINARY_LOGITS = Family(
    kinds=(BINARY, REAL),
    sample=_binary_sample,
    empty=lambda: (np.zeros(0), np.zeros(0)),
    scales=(0.5, 1.0, 2.0, 4.0),
    two_d=True,
    edge=_binary_edge,
    stability=_binary_stability,
)

# --------------------------------------------------------------------------- multi-class


def _onehot_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    k = int(rng.integers(2, 7))
    labels = rng.integers(0, k, n)
    return np.eye(k)[labels], rng.normal(0.0, scale, (n, k))


def _onehot_edge(spec: TaskSpec) -> list[Raw]:
    z = _f([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0], [2.0, 2.0, 2.0]])
    return [
        ("every row the same class", (np.eye(3)[[1, 1, 1]], z), {}),
        ("two classes", (np.eye(2)[[0, 1, 1]], _f([[0.5, -0.5], [1.0, 2.0], [0.0, 0.0]])), {}),
        ("equal logits", (np.eye(4)[[0, 3]], np.zeros((2, 4))), {}),
        ("one class (k = 1)", (np.ones((3, 1)), _f([[2.0], [-1.0], [0.0]])), {}),
    ]


def _multiclass_stability(spec: TaskSpec, labels_as: str) -> list[Raw]:
    def y(idx: list[int], k: int) -> np.ndarray:
        return np.eye(k)[idx] if labels_as == ONEHOT else np.asarray(idx, dtype=np.int64)

    out: list[Raw] = []
    for m in (50.0, 800.0, 1e4):
        out.append(
            (
                f"logits of ±{m:g}",
                (y([0, 1, 2], 3), _f([[m, 0.0, -m], [m, 0.0, -m], [0.0, m, -m]])),
                {},
            )
        )
    out.append(("all logits near -800", (y([1], 3), _f([[-800.0, -801.0, -802.0]])), {}))
    # rows whose maxima differ far beyond the float range: a global shift underflows a row
    out.append(
        (
            "row maxima 1e3 apart",
            (y([0, 1], 3), _f([[1000.0, 0.0, 1.0], [-1000.0, -1001.0, -1000.5]])),
            {},
        )
    )
    out.append(
        (
            "row maxima 2e4 apart",
            (y([2, 0], 2 + 1), _f([[1e4, 0.0, 5.0], [-1e4, -1e4 - 3.0, -1e4 + 1.0]])),
            {},
        )
    )
    z32 = _f([[89.0, 0.0, -1.0], [88.7, 100.0, 0.0]], np.float32)
    y32 = y([1, 0], 3)
    if labels_as == ONEHOT:
        y32 = y32.astype(np.float32)
    out.append(("float32 logits near 88.7", (y32, z32), {}))
    return out


ONEHOT_LOGITS = Family(
    kinds=(ONEHOT, REAL),
    sample=_onehot_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3))),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_onehot_edge,
    stability=lambda spec: _multiclass_stability(spec, ONEHOT),
)


def _label_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    k = int(rng.integers(2, 7))
    return rng.integers(0, k, n), rng.normal(0.0, scale, (n, k))


def _label_edge(spec: TaskSpec) -> list[Raw]:
    z = _f([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0], [2.0, 2.0, 2.0]])
    return [
        ("every row the same class", (np.array([2, 2, 2]), z), {}),
        ("two classes", (np.array([0, 1, 1]), _f([[0.5, -0.5], [1.0, 2.0], [0.0, 0.0]])), {}),
        ("equal scores", (np.array([0, 3]), np.zeros((2, 4))), {}),
        (
            "int32 labels",
            (np.array([1, 0], dtype=np.int32), _f([[0.2, 0.9, -0.3], [1.5, 0.1, 0.0]])),
            {},
        ),
    ]


LABEL_LOGITS = Family(
    kinds=(LABEL, REAL),
    sample=_label_sample,
    empty=lambda: (np.zeros(0, dtype=np.int64), np.zeros((0, 3))),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_label_edge,
    stability=lambda spec: _multiclass_stability(spec, LABEL),
)

# --------------------------------------------------------------------------- margins


def _pm1_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    shape = _shape(rng, n, two_d)
    return rng.choice(_f([-1.0, 1.0]), shape), rng.normal(0.0, scale, shape)


def _pm1_edge(spec: TaskSpec) -> list[Raw]:
    s = _f([-2.0, -0.5, 0.0, 0.7, 3.0])
    return [
        ("all labels +1", (np.ones(5), s), {}),
        ("all labels -1", (-np.ones(5), s), {}),
        ("y·s exactly at the margin", (_f([1.0, -1.0, 1.0]), _f([1.0, -1.0, 0.0])), {}),
    ]


PM1_SCORES = Family(
    kinds=(PM1, REAL),
    sample=_pm1_sample,
    empty=lambda: (np.zeros(0), np.zeros(0)),
    scales=(0.5, 1.0, 2.0, 4.0),
    two_d=True,
    edge=_pm1_edge,
)


def _ranking_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    return rng.normal(0.0, scale, n), rng.normal(0.0, scale, n), rng.choice(_f([-1.0, 1.0]), n)


def _ranking_edge(spec: TaskSpec) -> list[Raw]:
    return [
        ("ties x1 == x2", (_f([1.0, 2.0]), _f([1.0, 2.0]), _f([1.0, -1.0])), {}),
        ("all y = +1", (_f([1.0, -1.0, 0.5]), _f([0.0, 0.0, 2.0]), _f([1.0, 1.0, 1.0])), {}),
        ("all y = -1", (_f([1.0, -1.0, 0.5]), _f([0.0, 0.0, 2.0]), -_f([1.0, 1.0, 1.0])), {}),
    ]


RANKING = Family(
    kinds=(REAL, REAL, PM1),
    sample=_ranking_sample,
    empty=lambda: (np.zeros(0), np.zeros(0), np.zeros(0)),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_ranking_edge,
)


def _bpr_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    return rng.normal(0.5, scale, n), rng.normal(0.0, scale, n)


def _bpr_edge(spec: TaskSpec) -> list[Raw]:
    return [("equal scores", (_f([1.0, -2.0]), _f([1.0, -2.0])), {})]


def _bpr_stability(spec: TaskSpec) -> list[Raw]:
    out: list[Raw] = [
        (f"differences of ±{m:g}", (_f([m, 0.0, 0.0]), _f([0.0, m, -m])), {})
        for m in (50.0, 800.0, 1e3, 1e4)
    ]
    out.append(
        (
            "float32 differences near ±88.7",
            (_f([0.0, 0.0, 100.0], np.float32), _f([89.0, -89.0, 0.0], np.float32)),
            {},
        )
    )
    return out


BPR = Family(
    kinds=(REAL, REAL),
    sample=_bpr_sample,
    empty=lambda: (np.zeros(0), np.zeros(0)),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_bpr_edge,
    stability=_bpr_stability,
    magnitude=error_size,
)

# --------------------------------------------------------------------------- embeddings


def _embed(rng: np.random.Generator, n: int, d: int, scale: float) -> np.ndarray:
    return rng.normal(0.0, scale, (n, d))


def _triplet_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    d = int(rng.integers(1, 9))
    a = _embed(rng, n, d, scale)
    return a, a + _embed(rng, n, d, scale * 0.5), a + _embed(rng, n, d, scale)


def _triplet_edge(spec: TaskSpec) -> list[Raw]:
    a = _f([[0.0, 0.0], [1.0, 1.0]])
    return [
        ("one dimension", (_f([[0.0], [1.0]]), _f([[0.5], [1.0]]), _f([[0.2], [3.0]])), {}),
        ("positive equals anchor", (a, a.copy(), _f([[0.5, 0.0], [1.0, 0.0]])), {}),
        ("negatives far away (zero loss)", (a, a + 0.1, a + 10.0), {}),
        ("negative closer than positive", (a, a + 2.0, a + 0.5), {}),
    ]


TRIPLET = Family(
    kinds=(EMBED, EMBED, EMBED),
    sample=_triplet_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3))),
    scales=(0.3, 0.6, 1.0, 2.0),
    edge=_triplet_edge,
)


def _pair_sample(labels: tuple[float, float]) -> Callable[..., tuple]:
    def sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
        d = int(rng.integers(1, 9))
        x1 = _embed(rng, n, d, scale)
        x2 = x1 + _embed(rng, n, d, scale * float(rng.choice((0.2, 0.7, 1.5))))
        return x1, x2, rng.choice(_f(labels), n)

    return sample


def _contrastive_edge(spec: TaskSpec) -> list[Raw]:
    x1 = _f([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    x2 = _f([[0.3, 0.4], [1.0, 1.0], [5.0, 4.0]])
    return [
        ("all pairs similar (y=0)", (x1, x2, np.zeros(3)), {}),
        ("all pairs dissimilar (y=1)", (x1, x2, np.ones(3)), {}),
        ("identical dissimilar pair", (x1[:1], x1[:1].copy(), _f([1.0])), {}),
        ("distance exactly at the margin", (_f([[0.0, 0.0]]), _f([[0.6, 0.8]]), _f([1.0])), {}),
        (
            "one-dimensional embeddings",
            (_f([[0.0], [1.0], [2.0]]), _f([[0.5], [3.0], [2.0]]), _f([0.0, 1.0, 1.0])),
            {},
        ),
    ]


CONTRASTIVE = Family(
    kinds=(EMBED, EMBED, BINARY),
    sample=_pair_sample((0.0, 1.0)),
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0)),
    scales=(0.3, 0.6, 1.0, 2.0),
    edge=_contrastive_edge,
)


def _cosine_edge(spec: TaskSpec) -> list[Raw]:
    x1 = _f([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    return [
        ("all y = +1", (x1, _f([[1.0, 1.0], [0.0, 1.0], [-1.0, 2.0]]), np.ones(3)), {}),
        ("all y = -1", (x1, _f([[1.0, 1.0], [0.0, 1.0], [-1.0, 2.0]]), -np.ones(3)), {}),
        (
            "parallel and opposite vectors",
            (x1[:2], _f([[3.0, 0.0], [0.0, -1.0]]), _f([-1.0, 1.0])),
            {},
        ),
        (
            "one-dimensional embeddings",
            (_f([[2.0], [-1.0], [0.5]]), _f([[3.0], [4.0], [-2.0]]), _f([1.0, -1.0, -1.0])),
            {},
        ),
        (
            "huge norms (1e30)",
            (x1 * 1e30, _f([[1.0, 1.0], [0.0, 1.0], [-1.0, 2.0]]) * 1e30, _f([1.0, -1.0, -1.0])),
            {},
        ),
    ]


def _cosine_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    d = int(rng.integers(2, 9))
    x1 = _embed(rng, n, d, scale)
    x2 = x1 * float(rng.choice((-1.0, 1.0))) + _embed(rng, n, d, scale)
    return x1, x2, rng.choice(_f([-1.0, 1.0]), n)


COSINE = Family(
    kinds=(EMBED, EMBED, PM1),
    sample=_cosine_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0)),
    scales=(0.3, 1.0, 3.0),
    edge=_cosine_edge,
)


def _views_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    d = int(rng.integers(2, 9))
    n = min(n, 24)  # an (n, n) similarity matrix: keep the random batches small
    x = _embed(rng, n, d, scale)
    return x, x + _embed(rng, n, d, scale * float(rng.choice((0.3, 1.0))))


def _views_edge(spec: TaskSpec) -> list[Raw]:
    x = _f([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    return [
        ("identical views", (x, x.copy()), {}),
        (
            "unnormalised embeddings (norms 10 and 0.1)",
            (x * 10.0, _f([[0.1, 0.02], [0.0, 0.1], [-0.1, 0.05]])),
            {},
        ),
        (
            "two rows",
            (_f([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0]]), _f([[1.0, 1.0, 0.0], [0.0, -1.0, 2.0]])),
            {},
        ),
        (
            "one-dimensional embeddings",
            (_f([[1.0], [-2.0], [0.5]]), _f([[3.0], [-1.0], [-1.0]])),
            {},
        ),
        ("huge norms (1e30)", (x * 1e30, _f([[2.0, 1.0], [0.0, 3.0], [1.0, -1.0]]) * 1e30), {}),
    ]


def _views_stability(spec: TaskSpec) -> list[Raw]:
    x = _f([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.6, 0.8, 0.0]])
    k = _f([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.6, 0.8, 0.1]])
    tau = spec.params[0].name
    return [
        ("temperature 0.001 (logits of ±1000)", (x, k), {tau: 0.001}),
        ("temperature 1e-4 (logits of ±1e4)", (x, k), {tau: 1e-4}),
        (
            "float32, temperature 0.01 (logits of ±100)",
            (x.astype(np.float32), k.astype(np.float32)),
            {tau: 0.01},
        ),
        # rows whose best matches differ: row 0 peaks at 1/τ, row 1 at 0 (a global shift
        # subtracts 1e4 from row 1 too, and e^(−1e4) = 0)
        (
            "temperature 1e-4, rows' maxima 1e4 apart",
            (_f([[1.0, 0.0], [0.0, 1.0]]), _f([[1.0, 0.0], [-1.0, 0.0]])),
            {tau: 1e-4},
        ),
        (
            "temperature 1e-3, rows' maxima 1e3 apart",
            (
                _f([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
                _f([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]),
            ),
            {tau: 1e-3},
        ),
    ]


VIEWS = Family(
    kinds=(EMBED, EMBED),
    sample=_views_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3))),
    scales=(0.3, 1.0, 3.0),
    edge=_views_edge,
    stability=_views_stability,
    magnitude=inverse_temperature,
)

# --------------------------------------------------------------------------- distributions


def _kl_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    k = int(rng.integers(2, 7))
    # no exact zeros here: 0·log 0 has its own edge case
    p = rng.dirichlet(np.full(k, float(scale)), n) * 0.99 + 0.01 / k
    return p, rng.dirichlet(np.full(k, max(float(scale), 0.5)), n) * 0.98 + 0.02 / k


def _kl_edge(spec: TaskSpec) -> list[Raw]:
    q = _f([[0.25, 0.25, 0.5], [0.2, 0.3, 0.5]])
    return [
        ("zero probabilities in p", (_f([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]), q), {}),
        ("p equals q", (q, q.copy()), {}),
        ("a single 1-D distribution", (_f([0.1, 0.6, 0.3]), _f([0.3, 0.3, 0.4])), {}),
        ("tiny q", (_f([[0.5, 0.5]]), _f([[1e-300, 1.0 - 1e-300]])), {}),
        (
            "p and q both zero in a class",
            (_f([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]]), _f([[0.0, 0.4, 0.6], [0.5, 0.5, 0.0]])),
            {},
            ("zeros",),
        ),
    ]


KL = Family(
    kinds=(DIST, DIST),
    sample=_kl_sample,
    empty=lambda: (np.zeros((0, 3)), np.full((0, 3), 1 / 3)),
    scales=(0.5, 1.0, 3.0),
    edge=_kl_edge,
)

# --------------------------------------------------------------------------- dice


def _dice_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    shape = _shape(rng, n, two_d)
    return rng.integers(0, 2, shape).astype(np.float64), rng.random(shape)


def _dice_edge(spec: TaskSpec) -> list[Raw]:
    y = _f([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    return [
        ("perfect prediction", (y, y.copy()), {}),
        ("all labels 0", (np.zeros(4), _f([0.1, 0.5, 0.0, 0.9])), {}),
        ("3-D masks", (np.eye(4).reshape(2, 2, 4), np.full((2, 2, 4), 0.3)), {}),
    ]


DICE = Family(
    kinds=(BINARY, PROB),
    sample=_dice_sample,
    empty=lambda: (np.zeros(0), np.zeros(0)),
    scales=(1.0,),
    two_d=True,
    edge=_dice_edge,
)


FAMILIES: dict[str, Family] = {
    "regression": REGRESSION,
    "log-cosh": LOG_COSH,
    "huber": HUBER,
    "poisson": POISSON,
    "sigmoid": SIGMOID,
    "softmax": SOFTMAX,
    "binary-logits": BINARY_LOGITS,
    "onehot-logits": ONEHOT_LOGITS,
    "label-logits": LABEL_LOGITS,
    "pm1-scores": PM1_SCORES,
    "ranking": RANKING,
    "bpr": BPR,
    "triplet": TRIPLET,
    "contrastive": CONTRASTIVE,
    "cosine": COSINE,
    "views": VIEWS,
    "kl": KL,
    "dice": DICE,
}
"""Every input family by the name a task record gives in ``family``."""


# =========================================================================== 2026 tasks
# Language models, preference tuning, metric learning, sequences, listwise ranking. Each
# edge or stability case that exercises a contract rule carries the rule's id as its fourth
# element (``("every token ignored", args, {}, ("all-ignored",))``): it becomes the case's
# ``rules``, so the rule-coverage test sees that every rule of every record has a case.


def _log_softmax_rows(z: np.ndarray) -> np.ndarray:
    m = np.max(z, axis=-1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def _finite(*arrays: Any) -> bool:
    return all(np.all(np.isfinite(np.asarray(a, dtype=np.float64))) for a in arrays)


# --------------------------------------------------------------------------- masked CE


def _tokens_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    # no ignored tokens at the default: the params group tries ignore_index = 0 on the same
    # sampler, and a -100 there would be an out-of-vocabulary target
    t, v = int(rng.integers(1, 5)), int(rng.integers(2, 7))
    return rng.normal(0.0, scale, (n, t, v)), rng.integers(0, v, (n, t))


def _tokens_edge(spec: TaskSpec) -> list[Raw]:
    z = _f(
        [
            [[2.0, 0.0, -1.0], [0.5, 0.5, 0.0], [1.0, -2.0, 3.0]],
            [[0.0, 1.0, 0.0], [4.0, 0.0, 0.0], [-1.0, -1.0, 2.0]],
        ]
    )
    return [
        (
            "padding at the end of each sequence",
            (z, np.array([[0, 2, -100], [1, -100, -100]])),
            {},
            ("mean-over-kept",),
        ),
        (
            "one kept token among many",
            (z, np.array([[-100, -100, 2], [-100, -100, -100]])),
            {},
            ("mean-over-kept",),
        ),
        ("every token ignored", (z, np.full((2, 3), -100)), {}, ("all-ignored",)),
        (
            "sequences of length 0",
            (np.zeros((2, 0, 3)), np.zeros((2, 0), dtype=np.int64)),
            {},
            ("empty-batch",),
        ),
        (
            "ignore_index = -1",
            (z, np.array([[0, -1, 2], [-1, 1, 1]])),
            {"ignore_index": -1},
            ("ignore-index-any",),
        ),
        (
            "ignore_index = 2, a vocabulary id",
            (z, np.array([[0, 2, 2], [1, 2, 0]])),
            {"ignore_index": 2},
            ("ignore-index-any",),
        ),
        (
            "ignore_index = -200",
            (z, np.array([[0, 1, 2], [2, 1, 0]])),
            {"ignore_index": -200},
            ("ignore-index-any",),
        ),
        (
            "ignore_index = 0, every token ignored",
            (z, np.zeros((2, 3), dtype=np.int64)),
            {"ignore_index": 0},
            ("ignore-index-any",),
        ),
        (
            "ignore_index = 1000000, the top of its domain",
            (z, np.array([[0, 10**6, 2], [10**6, 1, 1]])),
            {"ignore_index": 10**6},
            ("ignore-index-any",),
        ),
        (
            "ignore_index = -1000000, the bottom of its domain",
            (z, np.array([[-(10**6), 1, 2], [2, -(10**6), 0]])),
            {"ignore_index": -(10**6)},
            ("ignore-index-any",),
        ),
    ]


def _tokens_stability(spec: TaskSpec) -> list[Raw]:
    out: list[Raw] = []
    for m in (50.0, 800.0, 1e4):
        z = _f([[[m, 0.0, -m], [0.0, m, -m]], [[-m, -m, m], [m, m, 0.0]]])
        out.append((f"logits of ±{m:g}", (z, np.array([[2, 1], [2, -100]])), {}, ("stable",)))
    out.append(
        (
            "float32 logits near 88.7",
            (_f([[[89.0, 0.0, -1.0], [88.7, 100.0, 0.0]]], np.float32), np.array([[1, 0]])),
            {},
            ("stable",),
        )
    )
    # each row shifted by its own max: the maxima differ by far more than exp's range
    z = _f([[[1000.0, 0.0, -1.0], [0.0, 1.0, 2.0]], [[-1000.0, -1001.0, -1002.0], [5.0, 4.0, 3.0]]])
    out.append(("row maxima from -1000 to 1000", (z, np.array([[0, 2], [1, 0]])), {}, ("stable",)))
    return out


def _tokens_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    z, t = (np.asarray(a) for a in args)
    # targets are vocabulary ids or the ignore value
    ignore = (kwargs or {}).get("ignore_index", -100)
    kept = ((t >= 0) & (t < z.shape[-1])) | (t == ignore)
    return z.ndim == 3 and t.shape == z.shape[:2] and bool(np.all(kept))


MASKED_TOKENS = Family(
    kinds=(REAL, LABEL),
    sample=_tokens_sample,
    empty=lambda: (np.zeros((0, 3, 4)), np.zeros((0, 3), dtype=np.int64)),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_tokens_edge,
    stability=_tokens_stability,
    valid=_tokens_valid,
)

# --------------------------------------------------------------------------- logit rows


def _logit_rows_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    return (rng.normal(0.0, scale, (n, int(rng.integers(2, 7)))),)


def _rows_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    return all(np.ndim(a) == 2 for a in args) and len({np.shape(a) for a in args}) == 1


def _zloss_edge(spec: TaskSpec) -> list[Raw]:
    return [
        ("equal logits (logsumexp = log k)", (np.zeros((2, 4)),), {}, ("square-of-lse",)),
        (
            "negative logsumexp",
            (_f([[-3.0, -4.0, -5.0], [-2.0, -2.5, -6.0]]),),
            {},
            ("square-of-lse",),
        ),
        (
            "rows of different size",
            (_f([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0], [2.0, 2.0, 2.0]]),),
            {"weight": 1.0},
            ("mean-over-rows",),
        ),
        ("no rows", (np.zeros((0, 5)),), {}, ("empty-batch",)),
    ]


def _zloss_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (f"logits of ±{m:g}", (_f([[m, 0.0, -m], [m, m, m]]),), {"weight": 1.0}, ("stable",))
        for m in (50.0, 800.0, 1e4)
    ] + [
        (
            "float32 logits near 88.7",
            (_f([[89.0, 0.0], [100.0, 88.7]], np.float32),),
            {"weight": 1.0},
            ("stable",),
        ),
        (
            "row maxima from -1000 to 1000",
            (_f([[1000.0, 0.0, -1.0], [-1000.0, -1001.0, -1003.0], [0.0, 1.0, 2.0]]),),
            {"weight": 1.0},
            ("stable",),
        ),
    ]


Z_LOSS_ROWS = Family(
    kinds=(REAL,),
    sample=_logit_rows_sample,
    empty=lambda: (np.zeros((0, 4)),),
    scales=(0.5, 1.0, 3.0, 6.0),
    edge=_zloss_edge,
    stability=_zloss_stability,
    valid=_rows_valid,
)


def _router_edge(spec: TaskSpec) -> list[Raw]:
    return [
        (
            "every token to expert 1",
            (_f([[0.0, 3.0, 1.0], [1.0, 2.0, 0.0], [0.0, 5.0, -1.0]]),),
            {},
            ("top1-fraction",),
        ),
        (
            "tied router logits",
            (_f([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0], [0.0, 0.0, 0.0]]),),
            {},
            ("ties-lowest",),
        ),
        (
            "balanced top-1, unbalanced probabilities",
            (_f([[3.0, 0.0], [0.0, 0.5], [2.0, 0.0], [0.0, 0.1]]),),
            {},
            ("mean-probability",),
        ),
        (
            "balanced routing gives 1",
            (np.where(np.eye(4, dtype=bool), 3.0, 0.0),),
            {},
            ("factor-n",),
        ),
        ("no tokens", (np.zeros((0, 4)),), {}, ("no-tokens",)),
    ]


def _router_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (
            f"router logits of ±{m:g}",
            (_f([[m, -m, 0.0], [-m, m, 0.0], [0.0, -m, m]]),),
            {},
            ("stable",),
        )
        for m in (50.0, 800.0, 1e4)
    ] + [
        (
            "float32 router logits near 88.7",
            (_f([[89.0, 0.0], [0.0, 100.0]], np.float32),),
            {},
            ("stable",),
        ),
        (
            "row maxima from -1000 to 1000",
            (_f([[1000.0, 0.0, -1.0], [-1000.0, -999.0, -1001.0], [0.0, 1.0, 2.0]]),),
            {},
            ("stable",),
        ),
    ]


ROUTER_LOGITS = Family(
    kinds=(REAL,),
    sample=_logit_rows_sample,
    empty=lambda: (np.zeros((0, 4)),),
    scales=(0.5, 1.0, 3.0),
    edge=_router_edge,
    stability=_router_stability,
    valid=_rows_valid,
)

# --------------------------------------------------------------------------- distillation


def _kd_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    k = int(rng.integers(2, 7))
    teacher = rng.normal(0.0, scale, (n, k))
    return teacher + rng.normal(0.0, scale, (n, k)), teacher


def _kd_edge(spec: TaskSpec) -> list[Raw]:
    s = _f([[0.0, 0.0, 0.0], [1.0, -1.0, 0.5]])
    t = _f([[4.0, 0.0, -2.0], [0.0, 3.0, 0.0]])
    return [
        ("temperature 1", (s, t), {"temperature": 1.0}, ("same-temperature",)),
        ("temperature 4", (s, t), {"temperature": 4.0}, ("t-squared",)),
        (
            "a peaked teacher, a flat student",
            (np.zeros((1, 4)), _f([[6.0, 0.0, 0.0, 0.0]])),
            {},
            ("direction",),
        ),
        (
            "five classes, three rows",
            (_f([[1.0, 2.0, 0.0, 0.0, 1.0]] * 3), _f([[0.0, 2.0, 1.0, 0.0, -1.0]] * 3)),
            {},
            ("batchmean",),
        ),
        ("no rows", (np.zeros((0, 3)), np.zeros((0, 3))), {}, ("empty-batch",)),
        ("student equals teacher", (t, t.copy()), {}),
    ]


def _kd_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (
            f"logits of ±{m:g}, T = 1",
            (_f([[m, -m, 0.0]]), _f([[-m, m, 0.0]])),
            {"temperature": 1.0},
            ("stable",),
        )
        for m in (50.0, 800.0, 1e4)
    ] + [
        (
            "float32 logits near 88.7, T = 1",
            (_f([[89.0, 0.0, -1.0]], np.float32), _f([[0.0, 100.0, 0.0]], np.float32)),
            {"temperature": 1.0},
            ("stable",),
        ),
        (
            "row maxima from -1000 to 1000, T = 1",
            (
                _f([[1000.0, 0.0, -1.0], [-1000.0, -999.0, -1002.0]]),
                _f([[0.0, 1000.0, 2.0], [-1001.0, -1000.0, -999.0]]),
            ),
            {"temperature": 1.0},
            ("stable",),
        ),
    ]


KD_LOGITS = Family(
    kinds=(REAL, REAL),
    sample=_kd_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3))),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_kd_edge,
    stability=_kd_stability,
    valid=_rows_valid,
)

# --------------------------------------------------------------------------- DPO


def _dpo_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    ref_c, ref_r = -np.abs(rng.normal(0.0, 10.0 * scale, (2, n)))
    return (ref_c + rng.normal(0.0, scale, n), ref_r + rng.normal(0.0, scale, n), ref_c, ref_r)


def _dpo_edge(spec: TaskSpec) -> list[Raw]:
    pc, pr = _f([-10.0, -3.0, -20.0]), _f([-12.0, -2.0, -15.0])
    rc, rr = _f([-11.0, -3.5, -18.0]), _f([-11.5, -2.5, -16.0])
    return [
        ("chosen gains, rejected loses", (pc, pr, rc, rr), {}, ("log-ratios",)),
        (
            "reference prefers the rejected answer",
            (_f([-5.0]), _f([-5.0]), _f([-8.0]), _f([-2.0])),
            {},
            ("log-ratios",),
        ),
        ("beta = 1", (pc, pr, rc, rr), {"beta": 1.0}, ("beta-scales-margin",)),
        (
            "four pairs",
            (pc[[0, 1, 2, 0]], pr[[0, 1, 2, 2]], rc[[0, 1, 2, 0]], rr[[0, 1, 2, 2]]),
            {},
            ("mean",),
        ),
        ("log 2 per pair", (pc, pr, pc.copy(), pr.copy()), {}, ("policy-equals-reference",)),
    ]


def _dpo_stability(spec: TaskSpec) -> list[Raw]:
    out: list[Raw] = []
    for m in (50.0, 800.0, 2e4):
        out.append(
            (
                f"margins of ±{m:g}",
                (_f([0.0, -m]), _f([-m, 0.0]), np.zeros(2), np.zeros(2)),
                {"beta": 1.0},
                ("stable",),
            )
        )
    z = np.zeros(2, dtype=np.float32)
    out.append(
        (
            "float32 margins of ±100",
            (_f([0.0, -100.0], np.float32), _f([-100.0, 0.0], np.float32), z, z),
            {"beta": 1.0},
            ("stable",),
        )
    )
    return out


def _same_shapes(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    return len({np.shape(a) for a in args}) == 1 and np.ndim(args[0]) == 1


def _dpo_margin(case: Case) -> float:
    pc, pr, rc, rr = (np.asarray(a, dtype=np.float64) for a in case.args)
    beta = float(case.kwargs.get("beta", 0.1))
    return float(np.max(np.abs(beta * ((pc - rc) - (pr - rr))))) if pc.size else 0.0


DPO_LOGPS = Family(
    kinds=(REAL, REAL, REAL, REAL),
    sample=_dpo_sample,
    empty=lambda: tuple(np.zeros(0) for _ in range(4)),
    scales=(0.5, 1.0, 3.0, 10.0),
    edge=_dpo_edge,
    stability=_dpo_stability,
    magnitude=_dpo_margin,
    valid=_same_shapes,
)

# --------------------------------------------------------------------------- PPO


def _ppo_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    old = -np.abs(rng.normal(0.0, 2.0, n))
    return old + rng.normal(0.0, scale, n), old, rng.normal(0.0, 1.0, n)


def _ppo_edge(spec: TaskSpec) -> list[Raw]:
    lr = np.log(_f([1.5, 0.5, 1.1, 1.5, 0.5, 0.9]))
    a = _f([1.0, 1.0, 1.0, -1.0, -1.0, -2.0])
    return [
        (
            "old log-probs not zero",
            (_f([-1.0, -3.0]), _f([-1.5, -2.0]), _f([1.0, -1.0])),
            {},
            ("ratio-from-logs",),
        ),
        (
            "ratios inside and outside the clip range",
            (lr, np.zeros(6), a),
            {},
            ("pessimistic-min",),
        ),
        (
            "positive advantages, ratio 1.5",
            (np.log(_f([1.5, 1.5])), np.zeros(2), _f([1.0, 2.0])),
            {},
            ("pessimistic-min",),
        ),
        (
            "ratio 0.5 and 3, A < 0",
            (np.log(_f([0.5, 3.0])), np.zeros(2), _f([-1.0, -1.0])),
            {},
            ("negative-advantage",),
        ),
        (
            "ratio 1, the loss is −mean(A)",
            (np.zeros(3), np.zeros(3), _f([1.0, -2.0, 4.0])),
            {},
            ("negated-mean",),
        ),
        ("ratios of e^±20", (_f([20.0, -20.0, 20.0]), np.zeros(3), _f([1.0, -1.0, -1.0])), {}),
    ]


PPO_LOGPS = Family(
    kinds=(REAL, REAL, REAL),
    sample=_ppo_sample,
    empty=lambda: (np.zeros(0), np.zeros(0), np.zeros(0)),
    scales=(0.1, 0.3, 1.0),
    edge=_ppo_edge,
    valid=_same_shapes,
)

# --------------------------------------------------------------------------- GRPO


def _grpo_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    g = int(rng.integers(2, 9))
    binary = rng.integers(0, 2, (n, g)).astype(np.float64)
    return (binary + rng.normal(0.0, scale, (n, g)),)


def _grpo_edge(spec: TaskSpec) -> list[Raw]:
    r = _f([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.5], [3.0, -1.0, 2.0, 0.0]])
    return [
        ("groups on different scales", (r * _f([[1.0], [10.0], [0.1]]),), {}, ("per-group",)),
        ("one correct answer of four", (_f([[1.0, 0.0, 0.0, 0.0]]),), {}, ("ddof-0",)),
        ("eps = 1", (r,), {"eps": 1.0}, ("eps-on-std",)),
        (
            "every answer the same reward",
            (_f([[3.0, 3.0, 3.0, 3.0], [1.0, 0.0, 1.0, 0.0]]),),
            {},
            ("constant-group",),
        ),
        ("groups of one answer", (_f([[2.0], [-1.0]]),), {}, ("constant-group",)),
        ("one group of eight", (_f([[0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]]),), {}, ("shape",)),
    ]


def _grpo_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    return np.ndim(args[0]) == 2


def _grpo_stability(spec: TaskSpec) -> list[Raw]:
    return [
        ("rewards of 1e8 ± 1", (_f([[1e8 + 1.0, 1e8, 1e8 - 1.0, 1e8]]),), {}),
        ("rewards of ±1e150", (_f([[1e150, -1e150, 0.0, 1e150]]),), {}),
        ("float32 rewards of 1e4 ± 1", (_f([[1e4 + 1.0, 1e4, 1e4 - 1.0, 1e4]], np.float32),), {}),
    ]


GRPO_REWARDS = Family(
    kinds=(REAL,),
    sample=_grpo_sample,
    empty=lambda: (np.zeros((0, 4)),),
    scales=(0.0, 0.1, 1.0, 3.0),
    edge=_grpo_edge,
    stability=_grpo_stability,
    valid=_grpo_valid,
)

# --------------------------------------------------------------------------- GAN discriminator


def _gan_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    # different numbers of real and fake samples, so two means differ from one
    return rng.normal(1.0, scale, n), rng.normal(-1.0, scale, n + int(rng.integers(1, 4)))


def _gan_edge(spec: TaskSpec) -> list[Raw]:
    return [
        (
            "confident real samples, one fake at 0",
            (_f([6.0, 4.0, -1.0]), _f([0.0])),
            {},
            ("real-is-one",),
        ),
        (
            "confident fake samples, one real at 0",
            (_f([0.0]), _f([-6.0, -4.0, 1.0])),
            {},
            ("fake-is-zero",),
        ),
        ("no fake samples", (_f([2.0, -1.0, 0.5]), np.zeros(0)), {}),
        ("1 real sample, 4 fake ones", (_f([0.5]), _f([-1.0, 0.0, 1.0, 2.0])), {}, ("two-means",)),
        ("no samples at all", (np.zeros(0), np.zeros(0)), {}, ("empty",)),
        ("logits exactly 0", (_f([0.0]), _f([0.0])), {}),
    ]


def _gan_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (f"logits of ±{m:g}", (_f([m, -m]), _f([-m, m, 0.0])), {}, ("stable",))
        for m in (50.0, 800.0, 1e4)
    ] + [
        (
            "float32 logits near ±88.7",
            (_f([-89.0, 100.0], np.float32), _f([88.7, -100.0, 89.0], np.float32)),
            {},
            ("stable",),
        )
    ]


def _vectors_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    return all(np.ndim(a) == 1 for a in args)


GAN_LOGITS = Family(
    kinds=(REAL, REAL),
    sample=_gan_sample,
    empty=lambda: (np.zeros(0), np.zeros(0)),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_gan_edge,
    stability=_gan_stability,
    valid=_vectors_valid,
)

# --------------------------------------------------------------------------- Gaussian NLL


def _gnll_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    shape = _shape(rng, n, two_d)
    y = rng.normal(0.0, scale, shape)
    return y, y + rng.normal(0.0, scale, shape), np.exp(rng.normal(0.0, 1.0, shape)) * scale


def _gnll_edge(spec: TaskSpec) -> list[Raw]:
    return [
        ("variances 0 and 1e-9", (_f([0.5, 1.0]), np.zeros(2), _f([0.0, 1e-9])), {}, ("clamp",)),
        (
            "variances below eps = 0.5",
            (_f([0.5, 1.0, -1.0]), np.zeros(3), _f([0.1, 0.49, 2.0])),
            {"eps": 0.5},
            ("clamp",),
        ),
        (
            "exact predictions",
            (_f([1.0, 2.0]), _f([1.0, 2.0]), _f([4.0, 0.25])),
            {},
            ("half-log-var",),
        ),
        (
            "full = True",
            (_f([1.0, -2.0, 0.0]), _f([0.0, 0.0, 0.0]), _f([1.0, 2.0, 0.5])),
            {"full": True},
            ("full",),
        ),
        (
            "2-D batch",
            (np.arange(6.0).reshape(2, 3), np.ones((2, 3)), np.full((2, 3), 2.0)),
            {},
            ("mean",),
        ),
    ]


def _gnll_stability(spec: TaskSpec) -> list[Raw]:
    return [
        ("errors of 2e4 with variance 1e-3", (_f([1e4]), _f([-1e4]), _f([1e-3])), {}),
        ("variances of 1e300", (_f([1.0, 0.0]), _f([0.0, 0.0]), _f([1e300, 1e300])), {}),
    ]


def _gnll_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    return len({np.shape(a) for a in args}) == 1 and bool(np.all(np.asarray(args[2]) >= 0))


GAUSSIAN_NLL = Family(
    kinds=(REAL, REAL, REAL),
    sample=_gnll_sample,
    empty=lambda: (np.zeros(0), np.zeros(0), np.zeros(0)),
    scales=(0.3, 1.0, 3.0),
    two_d=True,
    edge=_gnll_edge,
    stability=_gnll_stability,
    valid=_gnll_valid,
)

# --------------------------------------------------------------------------- VAE KL


def _vae_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    d = int(rng.integers(1, 9))
    return rng.normal(0.0, scale, (n, d)), rng.normal(0.0, scale, (n, d))


def _vae_edge(spec: TaskSpec) -> list[Raw]:
    return [
        ("the prior itself (KL 0)", (np.zeros((2, 3)), np.zeros((2, 3))), {}, ("closed-form",)),
        (
            "μ = 1, log σ² = log 2",
            (_f([[1.0, 0.0]]), _f([[0.0, float(np.log(2.0))]])),
            {},
            ("closed-form",),
        ),
        (
            "eight latent dimensions",
            (np.full((2, 8), 0.5), np.full((2, 8), -1.0)),
            {},
            ("sum-latents",),
        ),
        (
            "five rows, one latent",
            (_f([[0.0], [1.0], [2.0], [-1.0], [0.5]]), _f([[0.0], [1.0], [-1.0], [0.0], [2.0]])),
            {},
            ("mean-batch",),
        ),
    ]


def _vae_stability(spec: TaskSpec) -> list[Raw]:
    return [
        ("log-variances of ±50", (_f([[1.0, 0.0]]), _f([[50.0, -50.0]])), {}),
        ("means of 1e4", (_f([[1e4, -1e4]]), np.zeros((1, 2))), {}),
    ]


VAE_LATENTS = Family(
    kinds=(REAL, REAL),
    sample=_vae_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3))),
    scales=(0.3, 1.0, 2.0),
    edge=_vae_edge,
    stability=_vae_stability,
    valid=_rows_valid,
)

# --------------------------------------------------------------------------- Tversky


def _tversky_edge(spec: TaskSpec) -> list[Raw]:
    y = _f([1.0, 1.0, 0.0, 0.0, 1.0])
    p = _f([0.9, 0.2, 0.6, 0.0, 0.5])
    return _dice_edge(spec) + [
        ("soft probabilities", (y, p), {"smooth": 0.0}, ("soft-counts",)),
        (
            "false positives only",
            (_f([1.0, 0.0, 0.0]), _f([1.0, 1.0, 0.5])),
            {"smooth": 0.0},
            ("alpha-fp-beta-fn",),
        ),
        (
            "false negatives only",
            (_f([1.0, 1.0, 1.0]), _f([1.0, 0.0, 0.5])),
            {"smooth": 0.0},
            ("alpha-fp-beta-fn",),
        ),
        ("no foreground, no prediction", (np.zeros(3), np.zeros(3)), {}, ("smooth-both",)),
        ("smooth = 10", (y, p), {"smooth": 10.0}, ("smooth-both",)),
        ("no pixels", (np.zeros(0), np.zeros(0)), {}, ("empty",)),
    ]


TVERSKY = dataclasses.replace(DICE, edge=_tversky_edge)

# --------------------------------------------------------------------------- SGNS


def _sgns_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    d, k = int(rng.integers(1, 7)), int(rng.integers(1, 6))
    u = _embed(rng, n, d, scale)
    return u, u + _embed(rng, n, d, scale), rng.normal(0.0, scale, (n, k, d))


def _sgns_edge(spec: TaskSpec) -> list[Raw]:
    return [
        (
            "no negatives (K = 0)",
            (_f([[1.0, 2.0], [0.0, -1.0]]), _f([[0.5, 0.5], [1.0, 1.0]]), np.zeros((2, 0, 2))),
            {},
            ("positive-term",),
        ),
        (
            "context orthogonal, negatives aligned",
            (_f([[1.0, 0.0]]), _f([[0.0, 1.0]]), _f([[[2.0, 0.0], [1.0, 0.0], [-1.0, 0.0]]])),
            {},
            ("negative-terms",),
        ),
        (
            "long vectors",
            (_f([[3.0, 4.0]]), _f([[0.6, 0.8]]), _f([[[-3.0, 0.0]]])),
            {},
            ("dot-products",),
        ),
        (
            "three rows",
            (
                _f([[1.0], [2.0], [-1.0]]),
                _f([[1.0], [0.5], [1.0]]),
                _f([[[1.0]], [[-1.0]], [[0.5]]]),
            ),
            {},
            ("mean-batch",),
        ),
    ]


def _sgns_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (
            f"scores of ±{m:g}",
            (_f([[m, 0.0]]), _f([[-1.0, 0.0]]), _f([[[1.0, 0.0], [-1.0, 0.0]]])),
            {},
            ("stable",),
        )
        for m in (50.0, 800.0, 1e4)
    ] + [
        (
            "float32 scores near 100",
            (
                _f([[10.0, 0.0]], np.float32),
                _f([[-10.0, 0.0]], np.float32),
                _f([[[10.0, 0.0]]], np.float32),
            ),
            {},
            ("stable",),
        )
    ]


def _sgns_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    u, v, neg = (np.asarray(a) for a in args)
    return (
        u.ndim == 2
        and v.shape == u.shape
        and neg.ndim == 3
        and neg.shape[0] == u.shape[0]
        and neg.shape[2] == u.shape[1]
    )


SGNS = Family(
    kinds=(EMBED, EMBED, EMBED),
    sample=_sgns_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 2, 3))),
    scales=(0.3, 1.0, 2.0),
    edge=_sgns_edge,
    stability=_sgns_stability,
    valid=_sgns_valid,
)

# --------------------------------------------------------------------------- ArcFace


def _arcface_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    d, c = int(rng.integers(2, 7)), int(rng.integers(2, 6))
    w = rng.normal(0.0, 1.0, (c, d))
    labels = rng.integers(0, c, n)
    return w[labels] + rng.normal(0.0, scale, (n, d)), w, labels


def _arcface_edge(spec: TaskSpec) -> list[Raw]:
    theta = 0.9 * np.pi
    return [
        (
            "embeddings and weights of norms 0.1 to 50",
            (_f([[0.1, 0.0], [0.0, 50.0]]), _f([[20.0, 0.0], [0.0, 0.5]]), np.array([0, 0])),
            {},
            ("normalise-both",),
        ),
        (
            "embedding on its class centre",
            (_f([[1.0, 0.0]]), _f([[2.0, 0.0], [0.0, 1.0]]), np.array([0])),
            {"scale": 4.0},
            ("angular-margin",),
        ),
        (
            "θ_y + m beyond π",
            (_f([[1.0, 0.0]]), _f([[np.cos(theta), np.sin(theta)], [0.0, 1.0]]), np.array([0])),
            {"scale": 4.0},
            ("no-easy-margin",),
        ),
        (
            "scale = 1",
            (
                _f([[1.0, 1.0], [1.0, -1.0]]),
                _f([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]),
                np.array([0, 2]),
            ),
            {"scale": 1.0},
            ("scale",),
        ),
        (
            "four rows, three classes",
            (
                _f([[1.0, 0.2], [0.0, 1.0], [-1.0, 0.1], [0.5, 0.5]]),
                _f([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]),
                np.array([0, 1, 2, 1]),
            ),
            {"scale": 8.0},
            ("mean-ce",),
        ),
        (
            "int32 labels",
            (_f([[1.0, 0.5]]), _f([[1.0, 0.0], [0.0, 1.0]]), np.array([1], dtype=np.int32)),
            {},
        ),
    ]


def _arcface_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    x, w, y = (np.asarray(a) for a in args)
    if x.ndim != 2 or w.ndim != 2 or y.ndim != 1 or x.shape[1] != w.shape[1] or len(y) != len(x):
        return False
    return bool(np.all((y >= 0) & (y < len(w))) and _zero_rows(x) == 0 and _zero_rows(w) == 0)


def _zero_rows(a: np.ndarray) -> int:
    return int(np.sum(~np.any(a != 0, axis=-1))) if a.size else 0


def _arcface_stability(spec: TaskSpec) -> list[Raw]:
    x = _f([[1.0, 0.2], [-0.3, 1.0], [0.5, -1.0]])
    w = _f([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    y = np.array([0, 1, 2])
    return [(f"scale {s:g} (logits of ±{s:g})", (x, w, y), {"scale": s}) for s in (800.0, 1e4)] + [
        ("float32, scale 100", (x.astype(np.float32), w.astype(np.float32), y), {"scale": 100.0}),
    ]


def _arcface_magnitude(case: Case) -> float:
    return float(case.kwargs.get("scale", 64.0))


ARCFACE = Family(
    kinds=(EMBED, EMBED, LABEL),
    sample=_arcface_sample,
    empty=lambda: (np.zeros((0, 3)), np.eye(3), np.zeros(0, dtype=np.int64)),
    scales=(0.1, 0.5, 1.0, 2.0),
    edge=_arcface_edge,
    stability=_arcface_stability,
    magnitude=_arcface_magnitude,
    valid=_arcface_valid,
)

# --------------------------------------------------------------------------- batch-hard triplet


def _batch_hard_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    d, c = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    centres = rng.normal(0.0, 1.0, (c, d))
    labels = rng.integers(0, c, n)
    return centres[labels] + rng.normal(0.0, scale, (n, d)), labels


def _batch_hard_edge(spec: TaskSpec) -> list[Raw]:
    x = _f([[0.0, 0.0], [0.0, 1.0], [3.0, 0.0], [3.0, 2.0], [0.5, 0.5]])
    return [
        (
            "two classes on a line",
            (_f([[0.0], [1.0], [1.5], [4.0]]), np.array([0, 0, 1, 1])),
            {},
            ("plain-distance",),
        ),
        (
            "a duplicate point",
            (_f([[0.0, 0.0], [0.0, 0.0], [0.5, 0.0]]), np.array([0, 0, 1])),
            {},
            ("not-own-positive",),
        ),
        ("three positives, two negatives", (x, np.array([0, 0, 1, 1, 0])), {}, ("hardest",)),
        (
            "a singleton class",
            (_f([[0.0], [1.0], [3.0]]), np.array([0, 1, 1])),
            {"margin": 2.0},
            ("valid-anchors",),
        ),
        ("every label different", (x[:4], np.array([0, 1, 2, 3])), {}, ("none-valid",)),
        ("every label the same", (x[:4], np.array([5, 5, 5, 5])), {}, ("none-valid",)),
    ]


def _labelled_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    x, y = (np.asarray(a) for a in args)
    return x.ndim == 2 and y.ndim == 1 and len(x) == len(y)


BATCH_HARD = Family(
    kinds=(EMBED, LABEL),
    sample=_batch_hard_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros(0, dtype=np.int64)),
    scales=(0.1, 0.5, 1.0, 2.0),
    edge=_batch_hard_edge,
    stability=lambda spec: [
        (
            "coordinates of 1e6",
            (
                _f([[1e6, 0.0], [1e6 + 1.0, 0.0], [1e6 + 3.0, 0.0], [1e6 + 3.5, 0.0]]),
                np.array([0, 0, 1, 1]),
            ),
            {},
        ),
        (
            "float32 coordinates of 1e3",
            (_f([[1e3, 0.0], [1e3 + 1.0, 0.0], [1e3 + 3.0, 0.0]], np.float32), np.array([0, 0, 1])),
            {},
        ),
    ],
    valid=_labelled_valid,
)

# --------------------------------------------------------------------------- CTC


def _ctc_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    # n frames; labels from 3 up, so blank may be 0, 1 or 2 (the params group tries them)
    c = int(rng.integers(4, 8))
    s = int(rng.integers(0, min(n, 6) + 1))
    targets = rng.integers(3, c, s)
    return _log_softmax_rows(rng.normal(0.0, scale, (n, c))), targets


def _ctc_rows(z: list[list[float]]) -> np.ndarray:
    return _log_softmax_rows(_f(z))


def _ctc_edge(spec: TaskSpec) -> list[Raw]:
    lp = _ctc_rows(
        [
            [1.0, 0.5, 0.0, -1.0],
            [0.0, 2.0, 0.0, 0.5],
            [0.5, 0.0, 1.5, 0.0],
            [1.0, 0.0, 0.0, 2.0],
            [0.0, 1.0, 1.0, 0.0],
        ]
    )
    return [
        ("three frames, one label", (lp[:3], np.array([2])), {}, ("all-alignments",)),
        (
            "repeated label 'aa' in three frames",
            (lp[:3], np.array([1, 1])),
            {},
            ("repeat-needs-blank",),
        ),
        (
            "'aa' in two frames (impossible)",
            (lp[:2], np.array([1, 1])),
            {},
            ("repeat-needs-blank",),
        ),
        ("more labels than frames", (lp[:2], np.array([1, 2, 3])), {}, ("no-alignment-inf",)),
        ("ending on a label or a blank", (lp, np.array([1, 3])), {}, ("two-end-states",)),
        ("no labels: every frame blank", (lp, np.zeros(0, dtype=np.int64)), {}, ("empty-target",)),
        ("blank is the last class", (lp, np.array([0, 2, 2])), {"blank": 3}, ("blank-index",)),
        ("blank = 1", (lp, np.array([0, 2])), {"blank": 1}, ("blank-index",)),
        (
            "blank = 9 of 10 classes",
            (
                _ctc_rows(
                    np.tile([0.5, 0.0, 1.0, 0.0, -1.0, 0.5, 0.0, 2.0, 0.0, 1.0], (4, 1))
                    + np.arange(4)[:, None] * 0.1 * np.arange(10)
                ),
                np.array([7, 3]),
            ),
            {"blank": 9},
            ("blank-index",),
        ),
    ]


def _ctc_stability(spec: TaskSpec) -> list[Raw]:
    rng = np.random.default_rng(7)
    out: list[Raw] = []
    out.append(
        (
            "400 frames",
            (_log_softmax_rows(rng.normal(0.0, 2.0, (400, 5))), np.array([1, 2, 3, 4] * 20)),
            {},
            ("log-space",),
        )
    )
    # the blank is likely in every frame, the labels are not: p(target) ≈ e^-1000, below the
    # smallest float64, while −log p is an ordinary number
    z = rng.normal(0.0, 1.0, (150, 5))
    z[:, 0] += 12.0
    out.append(
        (
            "150 frames, p(target) below 1e-308",
            (_log_softmax_rows(z), np.array([1, 2, 3, 4] * 25)),
            {},
            ("log-space",),
        )
    )
    flat = np.full((4, 3), -1e4)
    flat[[0, 1, 2, 3], [0, 1, 2, 0]] = 0.0
    out.append(("log-probabilities of -1e4", (flat, np.array([1, 2])), {}, ("log-space",)))
    out.append(
        (
            "float32, 300 frames",
            (
                _log_softmax_rows(rng.normal(0.0, 2.0, (300, 4))).astype(np.float32),
                np.array([1, 2, 3] * 10),
            ),
            {},
            ("log-space",),
        )
    )
    return out


def _ctc_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    lp, t = (np.asarray(a) for a in args)
    if lp.ndim != 2 or t.ndim != 1 or (t.size and (t.min() < 0 or t.max() >= lp.shape[1])):
        return False
    blank = (kwargs or {}).get("blank", 0)
    if not 0 <= blank < lp.shape[1] or np.any(t == blank):  # a class index, never a label
        return False
    with np.errstate(all="ignore"):
        total = np.log(np.sum(np.exp(lp.astype(np.float64)), axis=1))
    return bool(np.all(np.abs(total) < 1e-3))


def _ctc_magnitude(case: Case) -> float:
    return float(np.shape(case.args[0])[0])


CTC = Family(
    kinds=(REAL, LABEL),
    sample=_ctc_sample,
    empty=lambda: (np.zeros((0, 4)), np.zeros(0, dtype=np.int64)),
    scales=(0.5, 1.0, 2.0, 4.0),
    edge=_ctc_edge,
    stability=_ctc_stability,
    int_inputs=lambda rng: (np.zeros((3, 1), dtype=np.int64), np.zeros(0, dtype=np.int64)),
    magnitude=_ctc_magnitude,
    valid=_ctc_valid,
)

# --------------------------------------------------------------------------- listwise


def _lists_sample(rng: np.random.Generator, n: int, scale: float, two_d: bool) -> tuple:
    length = int(rng.integers(2, 7))
    return rng.normal(0.0, scale, (n, length)), rng.integers(0, 4, (n, length)).astype(np.float64)


def _lists_edge(spec: TaskSpec) -> list[Raw]:
    s = _f([[2.0, 0.0, 1.0, -1.0], [0.5, 0.5, 3.0, 0.0]])
    rel = _f([[0.0, 3.0, 1.0, 1.0], [2.0, 0.0, 0.0, 1.0]])
    return [
        ("graded relevance", (s, rel), {}, ("softmax-target", "ideal-permutation")),
        (
            "a single list",
            (_f([1.0, 2.0, 3.0]), _f([3.0, 2.0, 1.0])),
            {},
            ("cross-entropy", "suffix-lse"),
        ),
        (
            "tied relevance",
            (_f([0.3, -1.0, 2.0, 0.0]), _f([1.0, 1.0, 0.0, 1.0])),
            {},
            ("ties-by-index",),
        ),
        (
            "three lists",
            (np.vstack([s, s[:1] * 2.0]), np.vstack([rel, rel[1:]])),
            {},
            ("per-list", "mean-lists"),
        ),
        ("no lists", (np.zeros((0, 4)), np.zeros((0, 4))), {}, ("empty",)),
        ("equal scores", (np.zeros((1, 3)), _f([[2.0, 0.0, 1.0]])), {}),
        # fractional relevance read as such, whatever the dtype of the scores
        (
            "integer scores, fractional relevance",
            (np.array([[2, 0, 1, -1]]), _f([[0.25, 0.75, 1.5, 0.0]])),
            {},
            ("softmax-target", "ideal-permutation"),
        ),
    ]


def _lists_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (
            f"scores of ±{m:g}",
            (_f([[m, -m, 0.0], [0.0, m, -m]]), _f([[0.0, 2.0, 1.0], [1.0, 0.0, 2.0]])),
            {},
            ("stable",),
        )
        for m in (50.0, 800.0, 1e4)
    ] + [
        (
            "float32 scores near 100",
            (_f([[100.0, -100.0, 89.0]], np.float32), _f([[0.0, 2.0, 1.0]], np.float32)),
            {},
            ("stable",),
        ),
        (
            "row maxima from -1000 to 1000",
            (
                _f([[1000.0, 0.0, -1.0], [-1000.0, -999.0, -1002.0]]),
                _f([[0.0, 2.0, 1.0], [1.0, 0.0, 2.0]]),
            ),
            {},
            ("stable",),
        ),
    ]


def _lists_valid(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> bool:
    s, r = (np.asarray(a) for a in args)
    return s.shape == r.shape and s.ndim in (1, 2) and s.shape[-1] >= 1


LISTS = Family(
    kinds=(REAL, REAL),
    sample=_lists_sample,
    empty=lambda: (np.zeros((0, 3)), np.zeros((0, 3))),
    scales=(0.5, 1.0, 3.0),
    edge=_lists_edge,
    stability=_lists_stability,
    valid=_lists_valid,
)

FAMILIES.update(
    {
        "lm-tokens": MASKED_TOKENS,
        "z-loss-logits": Z_LOSS_ROWS,
        "router-logits": ROUTER_LOGITS,
        "kd-logits": KD_LOGITS,
        "dpo-logps": DPO_LOGPS,
        "ppo-logps": PPO_LOGPS,
        "reward-groups": GRPO_REWARDS,
        "gan-logits": GAN_LOGITS,
        "gaussian-nll": GAUSSIAN_NLL,
        "vae-latents": VAE_LATENTS,
        "tversky": TVERSKY,
        "sgns": SGNS,
        "arcface": ARCFACE,
        "batch-hard": BATCH_HARD,
        "ctc": CTC,
        "lists": LISTS,
    }
)
