"""Saving figures as a PNG image with matplotlib (the optional ``plot`` extra)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from lossdrill.plotting.curves import Figure

INSTALL_HINT = "pip install 'lossdrill[plot]'"


LINE_STYLES = ("-", "--", ":", "-.")

FORMATS = (".png", ".svg", ".pdf")
"""File types ``--save`` writes; a name without one gets ``.png``."""


class MatplotlibMissing(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""


class BadImagePath(ValueError):
    """``--save`` names something that cannot be written; the message says why."""


def image_path(name: str) -> Path:
    """The file ``--save NAME`` writes, checked before anything is drawn.

    A name without a suffix gets ``.png`` (the path reported is the one written). A folder,
    a missing parent folder or an unknown suffix raise :class:`BadImagePath`.
    """
    path = Path(name).expanduser()
    if not name.strip():
        raise BadImagePath("--save needs a file name, e.g. --save curves.png")
    if path.is_dir():
        raise BadImagePath(
            f"{name} is a folder; give a file name, e.g. --save {path / 'curves.png'}"
        )
    if not path.suffix:
        path = path.with_name(path.name + ".png")
    if path.suffix.lower() not in FORMATS:
        raise BadImagePath(
            f"--save writes {', '.join(FORMATS)} files, not {path.suffix}: e.g. --save {path.with_suffix('.png')}"
        )
    if not path.parent.is_dir():
        raise BadImagePath(f"cannot write {path}: the folder {path.parent} does not exist")
    return path


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
        raise MatplotlibMissing(f"Saving a PNG needs matplotlib: {INSTALL_HINT}") from None
    out = Path(path).expanduser()
    n = max(1, len(figures))
    fig, axes = plt.subplots(1, n, figsize=(6 * n, 4.5), squeeze=False)
    try:
        for ax, figure in zip(axes[0], figures, strict=False):
            styles: dict[str, str] = {}
            for curve in figure.curves:
                ys = [y if y is not None and math.isfinite(y) else math.nan for y in curve.ys]
                # One line style per loss, so equal curves of two losses (bce and
                # weighted-bce at pos_weight 1) stay visible on top of each other.
                task = curve.label.split(" ")[0]
                style = styles.setdefault(task, LINE_STYLES[len(styles) % len(LINE_STYLES)])
                ax.plot(curve.xs, ys, linewidth=2, linestyle=style, label=curve.label)
            ax.set_xlabel(figure.x_label)
            ax.set_ylabel(figure.y_label)
            ax.set_title(figure.title, fontsize=10)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
            if figure.notes:
                ax.text(
                    0.0,
                    -0.2,
                    "\n".join(figure.notes),
                    transform=ax.transAxes,
                    fontsize=7,
                    va="top",
                    color="dimgray",
                )
        fig.tight_layout()
        fig.savefig(out, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return out
