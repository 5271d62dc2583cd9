"""Standard streams made safe before any command runs (kept free of rich: ``--help`` stays fast)."""

from __future__ import annotations

import atexit
import os
import sys


def prepare_streams() -> None:
    """Make the standard streams safe to use whatever the caller gave.

    A closed stdin or stdout (``<&-``, ``>&-``) becomes ``/dev/null`` (end of input, output
    discarded); an output encoding that cannot show every character (``PYTHONIOENCODING=ascii``,
    a non-UTF-8 locale) replaces what it cannot show instead of failing.
    """
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115
            continue
        if mode == "w":
            try:
                "·✗−ŷ✓".encode(stream.encoding or "ascii")
            except (UnicodeEncodeError, LookupError):
                try:
                    stream.reconfigure(errors="replace")
                except (AttributeError, ValueError):
                    pass
    atexit.register(_late_notices)


def _late_notices() -> None:
    """Store notices raised after a command printed its own (damage found mid-session)."""
    store_db = sys.modules.get("lossdrill.store.db")
    if store_db is None:
        return
    try:
        for notice in store_db.unshown_notices():
            sys.stderr.write(f"lossdrill: {notice}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
