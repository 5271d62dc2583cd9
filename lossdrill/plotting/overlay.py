"""The failing-check overlay: the submission against the reference along a 1-D sweep.

The checker's result carries a sweep for regression and binary tasks (error or logit on
the x axis). Drawn together, the two curves show where a submission parts from the
reference: a missing ½ doubles the parabola, a clipped BCE flattens at 34.5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from lossdrill.plotting.terminal import Line, finite_points, render_lines

MIN_OVERLAY_WIDTH = 40


class Sweep(Protocol):
    """What the overlay needs: any object with these attributes will do."""

    @property
    def x_label(self) -> str: ...

    @property
    def y_label(self) -> str:
        """What the y axis shows: ``loss``, or ``gradient`` for the gradient tasks."""

    @property
    def xs(self) -> Sequence[float]: ...

    @property
    def expected(self) -> Sequence[float]: ...

    @property
    def got(self) -> Sequence[float | None]: ...

    """None or NaN where the submission gave no value (an exception, a wrong type)."""


def overlay_lines(sweep: Sweep) -> list[Line]:
    """The drawable series: reference, submission, and the points with no finite value."""
    xs = [float(x) for x in sweep.xs]
    expected = [None if e is None else float(e) for e in sweep.expected]
    got = [None if g is None else float(g) for g in sweep.got]
    lines = [
        Line("reference", *finite_points(xs, expected)),
        Line("your function", *finite_points(xs, got)),
    ]
    missing = [
        (x, e)
        for x, e, g in zip(xs, expected, got, strict=False)
        if (g is None or not math.isfinite(g)) and e is not None and math.isfinite(e)
    ]
    if missing:
        lines.append(
            Line("yours: no finite value", [m[0] for m in missing], [m[1] for m in missing], False)
        )
    return lines


def render_overlay(
    sweep: Sweep, width: int, *, height: int = 16, color: bool = False
) -> str | None:
    """The overlay as text ``width`` columns wide, or None when that is too narrow to read.

    Plain text by default (distinct marker characters per curve); ``color=True`` adds ANSI
    colours (wrap with ``rich.text.Text.from_ansi`` to print through rich).
    """
    if width < MIN_OVERLAY_WIDTH or not sweep.xs:
        return None
    return render_lines(
        overlay_lines(sweep),
        title="your function against the reference",
        x_label=sweep.x_label,
        y_label=getattr(sweep, "y_label", "") or "loss",
        width=width,
        height=height,
        color=color,
    )
