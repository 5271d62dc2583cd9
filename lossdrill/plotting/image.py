"""Saving figures as a PNG image with matplotlib (the optional ``plot`` extra)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from lossdrill.plotting.curves import Figure

INSTALL_HINT = "pip install 'lossdrill[plot]'"


class MatplotlibMissing(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""


def save_png(figures: Sequence[Figure], path: str | Path) -> Path:
    """Write the figures side by side to ``path``; returns the path written.

    Raises :class:`MatplotlibMissing` without matplotlib, ``OSError`` when the file cannot
    be written.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MatplotlibMissing(
            f"Saving a PNG needs matplotlib: {INSTALL_HINT}"
        ) from None
    out = Path(path).expanduser()
    n = max(1, len(figures))
    fig, axes = plt.subplots(1, n, figsize=(6 * n, 4.5), squeeze=False)
    try:
        for ax, figure in zip(axes[0], figures, strict=False):
            for curve in figure.curves:
                ys = [y if y is not None and math.isfinite(y) else math.nan for y in curve.ys]
                ax.plot(curve.xs, ys, linewidth=2, label=curve.label)
            ax.set_xlabel(figure.x_label)
            ax.set_ylabel(figure.y_label)
            ax.set_title(figure.title, fontsize=10)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
            if figure.notes:
                ax.text(0.0, -0.2, "\n".join(figure.notes), transform=ax.transAxes,
                        fontsize=7, va="top", color="dimgray")
        fig.tight_layout()
        fig.savefig(out, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return out
