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


def finite_points(xs: Sequence[float], ys: Sequence[float | None]) -> tuple[list[float], list[float]]:
    """The points whose y is a finite number (None, NaN and ±inf are left out)."""
    keep = [(x, y) for x, y in zip(xs, ys, strict=False) if y is not None and math.isfinite(y)]
    return [p[0] for p in keep], [float(p[1]) for p in keep]


def render_lines(lines: Sequence[Line], *, title: str, x_label: str, y_label: str,
                 width: int, height: int, color: bool = True) -> str:
    """The plot of ``lines`` as text of ``width`` columns (ANSI colours when ``color``)."""
    import plotext

    drawable = [ln for ln in lines if ln.xs]
    if color and not legend_fits(len(drawable), height):
        # plotext drops an in-plot legend taller than the plot: distinct markers and the key
        # underneath keep every curve named.
        color = False
    if hasattr(plotext, "build"):  # plotext 5
        text = _render_v5(plotext, drawable, title, x_label, y_label, width, height, color)
    else:
        text = _render_v6(plotext, drawable, title, x_label, y_label, width, height, color)
    if color:
        return text
    # Without colour the in-plot legend box would hide curves: the key goes underneath.
    return text.rstrip("\n") + "\n" + legend_text(drawable, width)


def legend_fits(curves: int, height: int) -> bool:
    """Whether the in-plot legend box (two rows a curve) fits a plot ``height`` rows high."""
    return 2 * curves + 1 <= height - 6


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


LEGEND_SPOTS = (
    ("center", "top"), ("right", "top"), ("left", "top"),
    ("center", "bottom"), ("right", "bottom"), ("left", "bottom"),
)
"""Where the in-plot legend may go, in order of preference (most loss curves are low in
the middle of their range, so top centre first)."""


def legend_corner(lines: Sequence[Line], width: int, height: int) -> tuple[str, str]:
    """(ha, va) of the legend spot that covers the fewest points of the curves.

    The legend box is about the longest label plus 6 columns wide and two rows per curve
    high; each spot's box is mapped onto the data range and the points inside it counted.
    """
    pts = [(x, y) for ln in lines for x, y in zip(ln.xs, ln.ys, strict=False)]
    if not pts:
        return LEGEND_SPOTS[0]
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    fw = min(1.0, (max(len(ln.label) for ln in lines) + 6) / max(1, width - 8))
    fh = min(1.0, (2 * len(lines) + 1) / max(1, height - 4))
    spans_x = {"left": (0.0, fw), "center": (0.5 - fw / 2, 0.5 + fw / 2), "right": (1.0 - fw, 1.0)}
    spans_y = {"top": (1.0 - fh, 1.0), "bottom": (0.0, fh)}
    norm = [((x - x0) / sx, (y - y0) / sy) for x, y in pts]

    def covered(spot: tuple[str, str]) -> int:
        (a, b), (c, d) = spans_x[spot[0]], spans_y[spot[1]]
        return sum(1 for u, v in norm if a <= u <= b and c <= v <= d)

    return min(LEGEND_SPOTS, key=covered)  # min keeps the first of equal counts


def _render_v6(plotext, lines, title, x_label, y_label, width, height, color) -> str:  # noqa: ANN001
    fig = plotext.figure
    fig.clear()
    fig.plot_size(width, height)
    fig.theme("simple" if color else "colorless")
    for i, ln in enumerate(lines):
        marker = None if color else MARKERS[i % len(MARKERS)]
        signal = fig.signal(ln.xs, ln.ys, marker=marker)
        if color:
            signal.label(ln.label)
        signal.lines(ln.connect)
        fig.draw(signal)
    ys = [y for ln in lines for y in ln.ys]
    xs = [x for ln in lines for x in ln.xs]
    if ys and color:
        ha, va = legend_corner(lines, width, height)
        x = {"left": min(xs), "center": (min(xs) + max(xs)) / 2, "right": max(xs)}[ha]
        fig.legend(x=x, y=max(ys) if va == "top" else min(ys), ha=ha, va=va, relative=True)
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
        marker = "hd" if color else MARKERS[i % len(MARKERS)]
        draw = plotext.plot if ln.connect else plotext.scatter
        draw(ln.xs, ln.ys, label=ln.label if color else "", marker=marker)
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
