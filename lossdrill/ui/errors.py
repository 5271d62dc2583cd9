"""One format for every error a command reports: ``error: …`` on standard error.

Names a user types (a task, a topic, a kind, a loss to plot, a bug-hunt id) that are not
known get a did-you-mean from :mod:`difflib` and the list of names that are. Plain text,
no rich import: ``implement --check --json`` uses it and must stay light.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable
from typing import TextIO


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (case and surrounding spaces ignored), if any is close."""
    names = list(known)
    key = name.strip().lower()
    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(key, list(lowered), n=1, cutoff=0.6)
    if not close:  # a cut or partial id: ``bug-weighted-bce-everywhe``
        starts = [n for low, n in lowered.items() if key and low.startswith(key)]
        return starts[0] if len(starts) == 1 else None
    return lowered[close[0]]


def unknown_name(what: str, name: str, known: Iterable[str], *, plural: str | None = None) -> str:
    """``unknown topic 'clasification' (did you mean classification?); topics: a, b, c``."""
    names = sorted(set(known))
    guess = did_you_mean(name, names)
    hint = f" (did you mean {guess}?)" if guess else ""
    listing = (
        f"; {plural or what + 's'}: {', '.join(names)}"
        if names
        else f"; there are no {plural or what + 's'}"
    )
    return f"unknown {what} {name!r}{hint}{listing}"


def report(message: str, stream: TextIO | None = None) -> None:
    """Write ``error: message`` to standard error (``error:`` in red on a colour terminal)."""
    stream = stream if stream is not None else sys.stderr
    try:
        colour = stream.isatty() and not os.environ.get("NO_COLOR")
    except (AttributeError, ValueError):
        colour = False
    label = "\x1b[31merror:\x1b[0m" if colour else "error:"
    stream.write(f"{label} {message}\n")
    stream.flush()


def report_unknown(what: str, name: str, known: Iterable[str], *, plural: str | None = None) -> int:
    """Report an unknown name; returns 2, the usage-error exit status."""
    report(unknown_name(what, name, known, plural=plural))
    return 2
