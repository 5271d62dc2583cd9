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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from lossdrill.checker.cases import Case
    from lossdrill.checker.tasks import TaskSpec

Raw = tuple[str, tuple[Any, ...], dict[str, Any]]
"""A case before it gets its group: (name, args, kwargs)."""

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
        ("near-ties: errors of ±1e-9 and ±1e-12",
         (_f([1.0, 2.0, 3.0, 0.0, 5.0]), _f([1.0 + 1e-9, 2.0 - 1e-12, 3.0, 1e-12, 5.0 - 1e-9])), {}),
        ("3-D batch", (np.arange(12.0).reshape(2, 3, 2), np.arange(12.0).reshape(2, 3, 2) ** 0.5), {}),
    ]


def _regression_stability(spec: TaskSpec) -> list[Raw]:
    return [
        (f"errors of ±{m:g}", (_f([0.0, 0.0, 1.0, -2.0]), _f([m, -m, 1.5, -2.5])), {})
        for m in (50.0, 800.0, 1e4)
    ] + [
        ("float32 errors of ±100", (_f([0.0, 0.0], np.float32), _f([100.0, -100.0], np.float32)), {}),
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
        ("log-rates of 700 and 709 (finite, near overflow)", (_f([1.0, 3.0]), _f([700.0, 709.0])), {}),
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
        ("float32 logits near 88.7", (_f([[88.7, 0.0, -1.0], [89.0, 88.0, 100.0]], np.float32),), {}),
        # rows whose maxima differ far beyond the float range: only a per-row shift survives
        ("row maxima 1e3 apart", (_f([[1000.0, 0.0], [-1000.0, -1001.0]]),), {}),
        ("row maxima 2e4 apart (3-D)", (_f([[[1e4, 0.0, 1.0], [-1e4, -1e4 - 2.0, -1e4 + 1.0]]]),), {}),
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
    out: list[Raw] = [(f"logits of ±{m:g}", (y, _f([m, -m, -m, m])), {}) for m in (50.0, 800.0, 1e4)]
    out.append((
        "float32 logits near ±88.7",
        (_f([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], np.float32),
         _f([-88.7, 88.7, 89.0, -89.0, -100.0, 100.0], np.float32)),
        {},
    ))
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
        out.append((f"logits of ±{m:g}", (y([0, 1, 2], 3), _f([[m, 0.0, -m], [m, 0.0, -m], [0.0, m, -m]])), {}))
    out.append(("all logits near -800", (y([1], 3), _f([[-800.0, -801.0, -802.0]])), {}))
    # rows whose maxima differ far beyond the float range: a global shift underflows a row
    out.append(("row maxima 1e3 apart", (y([0, 1], 3), _f([[1000.0, 0.0, 1.0], [-1000.0, -1001.0, -1000.5]])), {}))
    out.append(("row maxima 2e4 apart", (y([2, 0], 2 + 1), _f([[1e4, 0.0, 5.0], [-1e4, -1e4 - 3.0, -1e4 + 1.0]])), {}))
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
        ("int32 labels", (np.array([1, 0], dtype=np.int32), _f([[0.2, 0.9, -0.3], [1.5, 0.1, 0.0]])), {}),
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
    out.append(("float32 differences near ±88.7",
                (_f([0.0, 0.0, 100.0], np.float32), _f([89.0, -89.0, 0.0], np.float32)), {}))
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
        ("one-dimensional embeddings", (_f([[0.0], [1.0], [2.0]]), _f([[0.5], [3.0], [2.0]]), _f([0.0, 1.0, 1.0])), {}),
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
        ("parallel and opposite vectors", (x1[:2], _f([[3.0, 0.0], [0.0, -1.0]]), _f([-1.0, 1.0])), {}),
        ("one-dimensional embeddings", (_f([[2.0], [-1.0], [0.5]]), _f([[3.0], [4.0], [-2.0]]), _f([1.0, -1.0, -1.0])), {}),
        ("huge norms (1e30)", (x1 * 1e30, _f([[1.0, 1.0], [0.0, 1.0], [-1.0, 2.0]]) * 1e30, _f([1.0, -1.0, -1.0])), {}),
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
        ("unnormalised embeddings (norms 10 and 0.1)", (x * 10.0, _f([[0.1, 0.02], [0.0, 0.1], [-0.1, 0.05]])), {}),
        ("two rows", (_f([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0]]), _f([[1.0, 1.0, 0.0], [0.0, -1.0, 2.0]])), {}),
        ("one-dimensional embeddings", (_f([[1.0], [-2.0], [0.5]]), _f([[3.0], [-1.0], [-1.0]])), {}),
        ("huge norms (1e30)", (x * 1e30, _f([[2.0, 1.0], [0.0, 3.0], [1.0, -1.0]]) * 1e30), {}),
    ]


def _views_stability(spec: TaskSpec) -> list[Raw]:
    x = _f([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.6, 0.8, 0.0]])
    k = _f([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.6, 0.8, 0.1]])
    tau = spec.params[0].name
    return [
        ("temperature 0.001 (logits of ±1000)", (x, k), {tau: 0.001}),
        ("temperature 1e-4 (logits of ±1e4)", (x, k), {tau: 1e-4}),
        ("float32, temperature 0.01 (logits of ±100)", (x.astype(np.float32), k.astype(np.float32)), {tau: 0.01}),
        # rows whose best matches differ: row 0 peaks at 1/τ, row 1 at 0 (a global shift
        # subtracts 1e4 from row 1 too, and e^(−1e4) = 0)
        ("temperature 1e-4, rows' maxima 1e4 apart",
         (_f([[1.0, 0.0], [0.0, 1.0]]), _f([[1.0, 0.0], [-1.0, 0.0]])), {tau: 1e-4}),
        ("temperature 1e-3, rows' maxima 1e3 apart",
         (_f([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
          _f([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])), {tau: 1e-3}),
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
        ("p and q both zero in a class", (_f([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]]), _f([[0.0, 0.4, 0.6], [0.5, 0.5, 0.0]])), {}),
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
