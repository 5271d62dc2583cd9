"""Curve data: the numbers behind every plot, computed from the hidden references.

Pure functions, no drawing: :func:`build_figures` turns ``lossdrill plot`` arguments into
:class:`Figure` records (one per x axis), which the terminal, table and PNG renderers draw.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossdrill.plotting.slices import AXES, PARAM_SYMBOLS, TASKS, Slice, Task, resolve


class PlotError(ValueError):
    """Arguments that cannot be plotted; the message says why, for the user."""


@dataclass(frozen=True)
class Curve:
    """One line of a figure."""

    label: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    """NaN where the value is undefined."""


@dataclass(frozen=True)
class Figure:
    """Curves sharing one x axis, with what the axes mean."""

    title: str
    x_label: str
    y_label: str
    curves: tuple[Curve, ...]
    notes: tuple[str, ...]
    """One line per task: what x means for it."""


def _reference(task: Task) -> Callable[..., Any]:
    from lossdrill.references import REFERENCES

    return REFERENCES[task.function]


def param_defaults(task_id: str) -> dict[str, float]:
    """Keyword-only hyperparameters of the task's reference, with their defaults."""
    fn = _reference(TASKS[task_id])
    return {
        name: p.default
        for name, p in inspect.signature(fn).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty
    }


def _first(out: Any) -> float:
    arr = np.asarray(out, dtype=np.float64).reshape(-1)
    return float(arr[0]) if arr.size else math.nan


def slice_value(
    task_id: str, slc: Slice, x: float, conditions: dict[str, Any], hyper: dict[str, float]
) -> float:
    """The reference's value at point ``x`` of a slice (first element for element-wise outputs)."""
    fn = _reference(TASKS[task_id])
    kwargs = dict(hyper)
    kwargs.update({k: conditions[k] for k in slc.fixed})
    try:
        with np.errstate(all="ignore"):
            return _first(fn(*slc.inputs(x, conditions), **kwargs))
    except (ValueError, ZeroDivisionError, FloatingPointError):
        return math.nan


def _derivative(f: Callable[[float], float], x: float, lo: float, hi: float) -> float:
    """Central difference, one-sided at the ends of the axis."""
    h = 1e-5 * max(1.0, abs(x))
    a, b = max(lo, x - h), min(hi, x + h)
    return (f(b) - f(a)) / (b - a)


def _snap(v: float) -> float:
    return 0.0 if abs(v) < 1e-8 else v


def _slice_for(task: Task, axis: str, gradient: bool) -> Slice:
    if gradient and task.gradient_task:
        task = TASKS[task.gradient_task]
    for slc in task.slices:
        if slc.axis == axis:
            return slc
    raise KeyError(axis)


def _axes_of(task: Task, gradient: bool) -> list[str]:
    axes = [s.axis for s in task.slices]
    # Gradients are taken with respect to logits, so a probability axis is a last resort.
    if gradient and len(axes) > 1:
        axes = [a for a in axes if a != "probability"] or axes
    return axes


def group_by_axis(task_ids: Sequence[str], gradient: bool = False) -> list[tuple[str, list[str]]]:
    """Tasks grouped so that each group shares an x axis, in the order given.

    A task joins the first group it has an axis in common with; a group's axis is the
    first of its first task's preferred axes that every member can be drawn against.
    """
    groups: list[tuple[list[str], list[str]]] = []  # (common axes in preference order, ids)
    for tid in task_ids:
        axes = _axes_of(TASKS[tid], gradient)
        for i, (common, members) in enumerate(groups):
            shared = [a for a in common if a in axes]
            if shared:
                groups[i] = (shared, [*members, tid])
                break
        else:
            groups.append((axes, [tid]))
    return [(common[0], members) for common, members in groups]


def _fmt(v: float) -> str:
    return f"{v:g}"


MAX_PARAM_SETS = 8
"""Curves per condition at most (the product of the values asked for each option)."""


def _values(value: float | Sequence[float]) -> list[float]:
    """An option's values: one number, or several from a repeated option (duplicates dropped)."""
    values = [value] if isinstance(value, (int, float)) else list(value)
    return list(dict.fromkeys(float(v) for v in values))


def _param_sets(
    task: Task, params: Mapping[str, float | Sequence[float]]
) -> list[tuple[str, dict[str, float]]]:
    """(label, hyperparameters) per curve.

    Every value asked for (a repeated option gives one curve per value, several options
    their product); a single asked value that is not the default gets the default beside
    it. Labels name every hyperparameter of the task, so a curve never hides one (focal's
    α stays visible when only γ is asked).
    """
    if not task.params:
        return [("", {})]
    defaults = param_defaults(task.id)
    asked = {k: _values(params[k]) for k in task.params if k in params}
    combos: list[dict[str, float]] = [{}]
    for key, values in asked.items():
        combos = [{**c, key: v} for c in combos for v in values]
    default_extra = (
        len(combos) == 1 and bool(asked) and any(defaults.get(k) != v for k, v in combos[0].items())
    )

    def label(hyper: dict[str, float], suffix: str = "") -> str:
        shown = ", ".join(
            f"{PARAM_SYMBOLS[k]}={_fmt(hyper.get(k, defaults[k]))}" for k in task.params
        )
        return shown + suffix

    out = [(label(c), c) for c in combos]
    if default_extra:
        out.append((label({}, ", default"), {}))
    return out


def _curve_label(task: Task, gradient: bool, variant: str, params: str) -> str:
    suffix = {"loss": " gradient", "function": " derivative"}.get(task.kind, "") if gradient else ""
    name = task.id + suffix
    extra = ", ".join(s for s in (variant, params) if s)
    return f"{name} ({extra})" if extra else name


def task_curves(
    task_id: str,
    axis: str,
    xs: Sequence[float],
    *,
    gradient: bool = False,
    params: Mapping[str, float | Sequence[float]] | None = None,
) -> list[Curve]:
    """The curves of one task on one axis: one per condition (y=1, y=0 ...) and parameter set."""
    task = TASKS[task_id]
    params = params or {}
    ax = AXES[axis]
    source_task = task
    differentiate = gradient and task.kind != "gradient"
    if differentiate and task.gradient_task:
        source_task = TASKS[task.gradient_task]
        differentiate = False
    slc = _slice_for(source_task, axis, False)
    curves = []
    for variant, conditions in slc.variants:
        drawn: list[Curve] = []
        for plabel, hyper in _param_sets(task, params):

            def f(x: float, _c: dict[str, Any] = conditions, _h: dict[str, float] = hyper) -> float:
                return slice_value(source_task.id, slc, x, _c, _h)

            if differentiate:
                # Snap the finite-difference noise at flat points to a clean zero.
                ys = tuple(_snap(_derivative(f, x, ax.lo, ax.hi)) for x in xs)
            else:
                ys = tuple(f(x) for x in xs)
            drawn.append(Curve(_curve_label(task, gradient, variant, plabel), tuple(xs), ys))
        if len(drawn) > 1 and all(np.allclose(c.ys, drawn[0].ys, equal_nan=True) for c in drawn):
            # The parameter does not change this curve (margin and y=0 in contrastive):
            # one line says so better than several on top of each other.
            drawn = [Curve(_curve_label(task, gradient, variant, ""), tuple(xs), drawn[0].ys)]
        curves += drawn
    return curves


PARAM_RULES: dict[str, tuple[Callable[[float], bool], str]] = {
    "delta": (lambda v: v > 0, "Huber's δ is a positive number"),
    "q": (lambda v: 0 < v < 1, "the quantile level q is between 0 and 1"),
    "alpha": (lambda v: 0 <= v <= 1, "focal α is between 0 and 1"),
    "gamma": (lambda v: v >= 0, "focal γ is 0 or more"),
    "margin": (lambda v: True, ""),
}


def check_arguments(
    names: Sequence[str], params: Mapping[str, float | Sequence[float]]
) -> list[str]:
    """Task ids for ``names``; raises :class:`PlotError` for unknown names or unused options."""
    if not names:
        raise PlotError("Name at least one loss to plot, e.g. `lossdrill plot mse mae huber`.")
    ids, unknown = [], []
    for name in names:
        tid = resolve(name)
        if tid is None:
            unknown.append(name)
        elif tid not in ids:
            ids.append(tid)
    if unknown:
        raise PlotError(
            f"Unknown loss {', '.join(repr(u) for u in unknown)}. Valid names: {', '.join(TASKS)}."
        )
    for key, value in params.items():
        ok, rule = PARAM_RULES.get(key, (lambda v: True, ""))
        for v in _values(value):
            if not (math.isfinite(v) and ok(v)):
                raise PlotError(f"--{key} {v:g} is out of range: {rule}.")
        takers = [t.id for t in TASKS.values() if key in t.params]
        if not any(key in TASKS[t].params for t in ids):
            raise PlotError(
                f"--{key} changes {', '.join(takers)}; none of the plotted losses takes it."
            )
    sets = math.prod(len(_values(v)) for v in params.values())
    if sets > MAX_PARAM_SETS:
        raise PlotError(
            f"That is {sets} curves per loss (every combination of the values asked); "
            f"{MAX_PARAM_SETS} at most keep a plot readable."
        )
    return ids


def build_figures(
    names: Sequence[str],
    *,
    gradient: bool = False,
    params: Mapping[str, float | Sequence[float]] | None = None,
    table: bool = False,
    points: int = 241,
) -> list[Figure]:
    """The figures for ``lossdrill plot NAMES``: one per x axis the losses need.

    ``table`` computes the values at the axis's round table points instead of a fine grid.
    """
    params = params or {}
    ids = check_arguments(names, params)
    figures = []
    for axis_name, members in group_by_axis(ids, gradient):
        axis = AXES[axis_name]
        xs = list(axis.table_xs) if table else axis.samples(points)
        curves: list[Curve] = []
        by_note: dict[str, list[str]] = {}
        for tid in members:
            curves += task_curves(tid, axis_name, xs, gradient=gradient, params=params)
            note = _slice_for(TASKS[tid], axis_name, False).note
            if note:
                by_note.setdefault(note, []).append(tid)
        notes = [f"{', '.join(tids)}: {note}" for note, tids in by_note.items()]
        kinds = {TASKS[t].kind for t in members}
        if gradient:
            y_label = "derivative d/dx" if kinds == {"function"} else "d loss / d x"
        elif kinds == {"function"}:
            y_label = "value"
        elif kinds == {"gradient"}:
            y_label = "gradient"
        else:
            y_label = "loss"
        title = f"{y_label} against {axis.label}"
        figures.append(Figure(title, axis.label, y_label, tuple(curves), tuple(notes)))
    return figures
