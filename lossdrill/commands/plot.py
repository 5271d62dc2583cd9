"""``lossdrill plot``: draw losses or their gradients in the terminal, or as a table."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from rich.markup import escape
from rich.text import Text

from lossdrill.plotting.curves import PlotError, build_figures
from lossdrill.plotting.image import BadImagePath, image_path
from lossdrill.plotting.slices import TASKS, resolve
from lossdrill.plotting.table import figure_table
from lossdrill.plotting.terminal import MIN_WIDTH, render_figure
from lossdrill.ui.console import make_console
from lossdrill.ui.errors import report_unknown


def _plot_height(console_height: int) -> int:
    return max(14, min(28, console_height - 8))


def run(
    losses: list[str],
    gradient: bool = False,
    params: Mapping[str, float | Sequence[float]] | None = None,
    save: str | None = None,
) -> int:
    """Draw ``losses``: a plot on a wide terminal, a table of values otherwise (exit 2 on bad names)."""
    params = params or {}
    unknown = [name for name in losses if resolve(name) is None]
    if unknown:
        return report_unknown("loss", unknown[0], TASKS, plural="losses")
    console = make_console()
    err = make_console(stderr=True)
    try:
        figures = build_figures(losses, gradient=gradient, params=params)
        target = image_path(save) if save is not None else None
    except (PlotError, BadImagePath) as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return 2

    width = console.width
    if sys.stdout.isatty() and width >= MIN_WIDTH:
        color = console.color_system is not None and not console.no_color
        for figure in figures:
            text = render_figure(figure, width, _plot_height(console.height), color=color)
            console.print(Text.from_ansi(text), soft_wrap=True)
            for note in figure.notes:
                console.print(f"[dim]{escape(note)}[/]")
            console.print()
    else:
        for figure in build_figures(losses, gradient=gradient, params=params, table=True):
            console.print(figure_table(figure))
            console.print()

    if target is not None and save is not None:  # target is the path ``save`` names
        from lossdrill.plotting.image import MatplotlibMissing, save_png

        try:
            path = save_png(figures, target)
        except MatplotlibMissing as exc:
            err.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
            return 1
        except (OSError, ValueError) as exc:
            err.print(
                f"[red]error:[/] cannot write {escape(save)}: {escape(str(exc))}", soft_wrap=True
            )
            return 1
        console.print(f"saved {escape(str(path))}")
    return 0
