"""Terminal control characters made visible: text from a learner's code or a bank file is
shown, never obeyed by the terminal."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
"""C0 and C1 control characters except newline and tab."""


def inert(text: str) -> str:
    """``text`` with terminal control characters (ESC, CSI, BEL, CR...) written as ``^[``,
    ``^M``... (C1 ones as ``\\x9b``), so no screen-clearing or title-changing sequence reaches
    the terminal. Newlines and tabs stay."""
    return _CONTROL.sub(
        lambda m: (
            f"^{chr(ord(m.group()) ^ 0x40)}"
            if ord(m.group()) < 0x80
            else f"\\x{ord(m.group()):02x}"
        ),
        text,
    )
