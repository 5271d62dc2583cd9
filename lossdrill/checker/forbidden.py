"""The ``forbidden-import`` diagnosis: a submission that imports lossdrill itself.

The worker refuses every ``lossdrill`` module (see :mod:`lossdrill.checker.confine`) with a
``ForbiddenImport`` error; here that error, from loading the file or from a call, becomes
its own diagnosis naming the import and the line, instead of a generic ``exception``.
"""

from __future__ import annotations

import re
from typing import Any

from lossdrill.checker.result import Diagnosis

_MARK = "ForbiddenImport: import of "
_NAME = re.compile(r"ForbiddenImport: import of ([\w.]+)")


def forbidden_import(outcome: Any, source: str) -> Diagnosis | None:
    """The diagnosis when ``outcome`` (a load or call outcome) is a refused lossdrill import."""
    message = getattr(outcome, "message", "") or ""
    if _MARK not in message:
        return None
    match = _NAME.search(message)
    name = match.group(1) if match else "lossdrill"
    line = getattr(outcome, "line", None)
    text = ""
    lines = source.splitlines()
    if line and 1 <= line <= len(lines):
        text = lines[line - 1].strip()
        text = text if len(text) <= 80 else text[:77] + "..."
    where = f"line {line} (“{text}”)" if line and text else (f"line {line}" if line else "the file")
    return Diagnosis(
        "forbidden-import",
        f"{where} imports {name}: a submission may not use lossdrill's own code (its hidden"
        " references or its checker); write the loss yourself",
    )


def forbidden_in_calls(outcomes: list[Any], source: str) -> list[Diagnosis]:
    """``[diagnosis]`` for the first call that tried a lossdrill import, else ``[]``."""
    for outcome in outcomes:
        found = forbidden_import(outcome, source)
        if found is not None:
            return [found]
    return []
