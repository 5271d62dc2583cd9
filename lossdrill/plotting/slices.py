"""One-dimensional slices through every loss: what the x axis of a plot means.

A loss takes arrays; a plot needs one number on the x axis. Each task id gets one or more
:class:`Slice`: the axis it is drawn against, the inputs built from a point ``x`` of that
axis, and the fixed conditions of each curve (``y=1``, ``y=0``, ...). The value at ``x`` is
the hidden reference (:data:`lossdrill.references.REFERENCES`) applied to those inputs, so a
plot shows exactly what the checker grades against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


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
        Axis("cosine", "cosine similarity of the positive pair", -1.0, 1.0, _steps(-1.0, 1.0, 0.25)),
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
    aliases: tuple[str, ...] = field(default=())


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


_BINARY_VARIANTS = (("y=1", {"y": 1.0}), ("y=0", {"y": 0.0}))
_PROB_NOTE = "x = σ(z), the predicted probability of class 1"
_MULTI_NOTE = "3 classes, logits (x, 0, 0), true class first"
_ERROR_NOTE = "x = ŷ − y (one sample)"


def _error(note: str = _ERROR_NOTE) -> Slice:
    return Slice("error", _regression, note=note)


TASKS: dict[str, Task] = {
    t.id: t
    for t in (
        # regression
        Task("mse", "mse_loss", (_error(),), gradient_task="mse-grad"),
        Task("mae", "mae_loss", (_error(),), gradient_task="mae-grad"),
        Task("huber", "huber_loss", (_error(),), ("delta",), gradient_task="huber-grad"),
        Task(
            "quantile",
            "quantile_loss",
            (_error("x = ŷ − y; over-prediction (x > 0) costs 1 − q per unit, under-prediction q"),),
            ("q",),
        ),
        Task("log-cosh", "log_cosh_loss", (_error(),)),
        Task(
            "poisson-nll",
            "poisson_nll_with_log_input",
            (
                Slice(
                    "log-rate",
                    lambda x, c: (_a(c["y"]), _a(x)),
                    (("y=0", {"y": 0.0}), ("y=1", {"y": 1.0}), ("y=3", {"y": 3.0})),
                    "x = log λ for one count y; the minimum is at λ = y",
                ),
            ),
        ),
        # classification
        Task(
            "sigmoid",
            "sigmoid",
            (Slice("logit", lambda x, c: (_a(x),), note="σ(x)"),),
            kind="function",
        ),
        Task(
            "softmax",
            "softmax",
            (Slice("logit", lambda x, c: (_a(x, 0.0, 0.0),), note="first entry of softmax(x, 0, 0)"),),
            kind="function",
        ),
        Task(
            "log-softmax",
            "log_softmax",
            (
                Slice(
                    "logit",
                    lambda x, c: (_a(x, 0.0, 0.0),),
                    note="first entry of log_softmax(x, 0, 0)",
                ),
            ),
            kind="function",
        ),
        Task(
            "bce",
            "binary_ce_with_logits",
            (
                Slice("probability", _binary_prob, _BINARY_VARIANTS, _PROB_NOTE),
                Slice("logit", _binary_logit, _BINARY_VARIANTS, "x = logit z"),
            ),
            gradient_task="bce-grad",
        ),
        Task(
            "weighted-bce",
            "weighted_bce_with_logits",
            tuple(
                Slice(
                    axis,
                    inputs,
                    (
                        ("y=1, pos_weight=1", {"y": 1.0, "pos_weight": 1.0}),
                        ("y=1, pos_weight=3", {"y": 1.0, "pos_weight": 3.0}),
                        ("y=0", {"y": 0.0, "pos_weight": 3.0}),
                    ),
                    note,
                    fixed=("pos_weight",),
                )
                for axis, inputs, note in (
                    ("probability", _binary_prob, _PROB_NOTE),
                    ("logit", _binary_logit, "x = logit z"),
                )
            ),
        ),
        Task(
            "focal",
            "focal_loss",
            (
                Slice(
                    "probability",
                    _binary_prob,
                    (("y=1", {"y": 1.0}),),
                    "x = p_t, the probability given to the true class (y=1)",
                ),
                Slice("logit", _binary_logit, (("y=1", {"y": 1.0}),), "x = logit z, y=1"),
            ),
            ("alpha", "gamma"),
        ),
        Task(
            "cce",
            "categorical_ce_with_logits",
            (Slice("logit", _one_hot_first, note=_MULTI_NOTE),),
            gradient_task="cce-grad",
        ),
        Task(
            "smooth-ce",
            "label_smoothing_ce",
            (Slice("logit", _label_first, note=_MULTI_NOTE + ", ε = 0.1"),),
        ),
        Task(
            "hinge",
            "hinge_loss",
            (Slice("logit", lambda x, c: (_a(1.0), _a(x)), note="x = score s, y = +1"),),
            ("margin",),
        ),
        Task(
            "multiclass-hinge",
            "multiclass_hinge_loss",
            (Slice("logit", _label_first, note="3 classes, scores (x, 0, 0), true class first"),),
            ("margin",),
        ),
        Task(
            "dice",
            "dice_loss",
            (
                Slice(
                    "probability",
                    lambda x, c: (_a(c["y"]), _a(x)),
                    (("y=1", {"y": 1.0}), ("y=0", {"y": 0.0})),
                    "one pixel of predicted probability x, smooth = 1",
                ),
            ),
        ),
        # information theory
        Task(
            "kl",
            "kl_divergence",
            (
                Slice(
                    "distribution",
                    lambda x, c: (np.array([c["p"]]), np.array([[x, 1.0 - x]])),
                    (("p=(0.5, 0.5)", {"p": [0.5, 0.5]}), ("p=(0.9, 0.1)", {"p": [0.9, 0.1]})),
                    "KL(p ‖ q) with q = (x, 1 − x); zero where q = p",
                ),
            ),
        ),
        # embeddings
        Task(
            "triplet",
            "triplet_loss",
            (
                Slice(
                    "distance-gap",
                    lambda x, c: (
                        np.array([[0.0, 0.0]]),
                        np.array([[2.0, 0.0]]),
                        np.array([[math.sqrt(4.0 + x), 0.0]]),
                    ),
                    note="x = d(a,n) − d(a,p) (squared distances, d(a,p) = 4)",
                ),
            ),
            ("margin",),
        ),
        Task(
            "contrastive",
            "contrastive_loss",
            (
                Slice(
                    "distance",
                    lambda x, c: (np.array([[0.0, 0.0]]), np.array([[x, 0.0]]), _a(c["y"])),
                    (("y=0 similar", {"y": 0.0}), ("y=1 dissimilar", {"y": 1.0})),
                    "x = Euclidean distance D of one pair",
                ),
            ),
            ("margin",),
        ),
        Task(
            "cosine-embedding",
            "cosine_embedding_loss",
            (
                Slice(
                    "cosine",
                    lambda x, c: (*_pair_at_cosine(x), _a(c["y"])),
                    (("y=1", {"y": 1.0}), ("y=−1", {"y": -1.0})),
                    "x = cos(x1, x2) of one pair",
                ),
            ),
            ("margin",),
        ),
        Task(
            "infonce",
            "info_nce_loss",
            (
                Slice(
                    "cosine",
                    lambda x, c: _batch_at_cosine(x),
                    note="batch of 4, each positive at cosine x, negatives at 0, τ = 0.1",
                ),
            ),
        ),
        Task(
            "clip",
            "clip_loss",
            (
                Slice(
                    "cosine",
                    lambda x, c: _batch_at_cosine(x),
                    note="batch of 4, matching pairs at cosine x, others at 0, τ = 0.07",
                ),
            ),
        ),
        Task(
            "nt-xent",
            "nt_xent_loss",
            (
                Slice(
                    "cosine",
                    lambda x, c: _batch_at_cosine(x),
                    note="4 pairs of views, each positive at cosine x, the 6 negatives at 0, τ = 0.5",
                ),
            ),
        ),
        # ranking
        Task(
            "margin-ranking",
            "margin_ranking_loss",
            (Slice("score-gap", lambda x, c: (_a(x), _a(0.0), _a(1.0)), note="x = x1 − x2, y = 1 (x1 should rank higher)"),),
            ("margin",),
        ),
        Task(
            "bpr",
            "bpr_loss",
            (Slice("score-gap", lambda x, c: (_a(x), _a(0.0)), note="x = s⁺ − s⁻, positive item minus negative"),),
        ),
        # gradients (already derivatives: drawn as they are)
        Task("mse-grad", "mse_gradient", (_error("d/dŷ of ½(ŷ − y)², x = ŷ − y"),), kind="gradient"),
        Task("mae-grad", "mae_gradient", (_error("d/dŷ of |ŷ − y|, x = ŷ − y"),), kind="gradient"),
        Task(
            "huber-grad",
            "huber_gradient",
            (_error("d/dŷ of the Huber loss, x = ŷ − y"),),
            ("delta",),
            kind="gradient",
        ),
        Task(
            "bce-grad",
            "binary_ce_gradient",
            (Slice("logit", _binary_logit, _BINARY_VARIANTS, "σ(z) − y, x = logit z"),),
            kind="gradient",
        ),
        Task(
            "cce-grad",
            "categorical_ce_gradient",
            (Slice("logit", _one_hot_first, note="first entry of softmax(z) − y, " + _MULTI_NOTE),),
            kind="gradient",
        ),
    )
}
"""Every plottable task id (the DESIGN table and the tasks beyond the lecture)."""

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
