"""Drawing curves in the terminal with plotext, as a string (nothing is printed here).

plotext 6 exposes a figure object (``plotext.figure``); plotext 5 a module of functions
(``plotext.plot``, ``plotext.build``). Both are supported, since the dependency allows
either.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lossdrill.plotting.curves import Figure

MIN_WIDTH = 60
"""Below this many columns a plot is unreadable; callers print a table instead."""

MARKERS = ("dot", "x", "+", "o", "*", "#", "@", "%", "&", "$", "=", "~", "^", "?", "!", "s")
"""Distinct characters, so curves stay apart without colour."""

_GLYPHS = {"dot": "•"}


@dataclass(frozen=True)
class Line:
    """One drawable series: points with a finite y only."""

    label: str
    xs: list[float]
    ys: list[float]
    connect: bool = True
    """Join the points with lines (False: scattered marks)."""


def finite_points(
    xs: Sequence[float], ys: Sequence[float | None]
) -> tuple[list[float], list[float]]:
    """The points whose y is a finite number (None, NaN and ±inf are left out)."""
    keep = [(x, y) for x, y in zip(xs, ys, strict=False) if y is not None and math.isfinite(y)]
    return [p[0] for p in keep], [float(p[1]) for p in keep]


def render_lines(
    lines: Sequence[Line],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int,
    height: int,
    color: bool = True,
) -> str:
    """The plot of ``lines`` as text of ``width`` columns (ANSI colours when ``color``)."""
    import plotext

    drawable = [ln for ln in lines if ln.xs]
    if hasattr(plotext, "build"):  # plotext 5
        text = _render_v5(plotext, drawable, title, x_label, y_label, width, height, color)
    else:
        text = _render_v6(plotext, drawable, title, x_label, y_label, width, height, color)
    # With or without colour, every curve has a marker of its own and the key goes underneath:
    # a legend box inside the plot would hide curves, and colour alone fails colour-blind users.
    return text.rstrip("\n") + "\n" + legend_text(drawable, width)


def legend_text(lines: Sequence[Line], width: int) -> str:
    """The key of a colourless plot: each curve's marker and label, wrapped to ``width``."""
    entries = [
        f"{_GLYPHS.get(MARKERS[i % len(MARKERS)], MARKERS[i % len(MARKERS)])} {ln.label}"
        for i, ln in enumerate(lines)
    ]
    rows, row = [], ""
    for entry in entries:
        candidate = f"{row}   {entry}" if row else entry
        if row and len(candidate) > width:
            rows.append(row)
            row = entry
        else:
            row = candidate
    if row:
        rows.append(row)
    return "\n".join(rows)


def _render_v6(plotext, lines, title, x_label, y_label, width, height, color) -> str:  # noqa: ANN001
    fig = plotext.figure
    fig.clear()
    fig.plot_size(width, height)
    fig.theme("simple" if color else "colorless")
    for i, ln in enumerate(lines):
        signal = fig.signal(ln.xs, ln.ys, marker=MARKERS[i % len(MARKERS)])
        signal.lines(ln.connect)
        fig.draw(signal)
    fig.title(title)
    fig.label(x_label, axis=0)
    fig.label(y_label, axis=1)
    text = fig.build().string()
    fig.clear()
    return text if color else plotext.uncolorize(text)


def _render_v5(plotext, lines, title, x_label, y_label, width, height, color) -> str:  # noqa: ANN001
    plotext.clf()
    plotext.plotsize(width, height)
    plotext.theme("pro" if color else "clear")
    for i, ln in enumerate(lines):
        draw = plotext.plot if ln.connect else plotext.scatter
        draw(ln.xs, ln.ys, label="", marker=MARKERS[i % len(MARKERS)])
    plotext.title(title)
    plotext.xlabel(x_label)
    plotext.ylabel(y_label)
    text = plotext.build()
    plotext.clf()
    return text if color else plotext.uncolorize(text)


def render_figure(figure: Figure, width: int, height: int = 22, color: bool = True) -> str:
    """One figure of curves as text, sized to ``width`` columns."""
    lines = [Line(c.label, *finite_points(c.xs, c.ys)) for c in figure.curves]
    return render_lines(
        lines,
        title=figure.title,
        x_label=figure.x_label,
        y_label=figure.y_label,
        width=width,
        height=height,
        color=color,
    )
