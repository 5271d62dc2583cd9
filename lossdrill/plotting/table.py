"""The table fallback: a figure's values at round x points, for narrow or piped output."""

from __future__ import annotations

import math

from rich.console import Group
from rich.table import Table
from rich.text import Text

from lossdrill.plotting.curves import Figure


def format_value(v: float | None) -> str:
    """A value for the table: 4 significant digits, ``—`` where undefined."""
    if v is None or not math.isfinite(v):
        return "—"
    if abs(v) < 5e-10:
        return "0"
    return f"{v:.4g}"


def figure_rows(figure: Figure) -> list[list[str]]:
    """One row per x value: x, then each curve's value (the table's cells, as text)."""
    if not figure.curves:
        return []
    xs = figure.curves[0].xs
    return [
        [format_value(x), *(format_value(c.ys[i]) for c in figure.curves)] for i, x in enumerate(xs)
    ]


def figure_table(figure: Figure) -> Group:
    """The figure's title, a rich table (x down the first column, one column per curve), and
    its notes. Title and notes wrap at spaces to the console's width, not the table's."""
    table = Table()
    table.add_column(figure.x_label, justify="right", style="bold")
    for curve in figure.curves:
        table.add_column(curve.label, justify="right")
    for row in figure_rows(figure):
        table.add_row(*row)
    notes = [Text(note, style="dim") for note in figure.notes]
    return Group(Text(figure.title, style="bold"), table, *notes)
