"""The console every command prints with."""

from __future__ import annotations

import io

from lossdrill.ui.console import make_console


def test_emoji_codes_in_text_are_printed_as_written():
    """``:x:`` in a learner's code or a bank's text is text, not a cross mark; markup still
    styles."""
    console = make_console()
    console.file = io.StringIO()
    console.print("[bold]ratio :x: of dy:dx: and :+1:[/]")
    out = console.file.getvalue()
    assert "ratio :x: of dy:dx: and :+1:" in out
    assert "❌" not in out and "👍" not in out and "[bold]" not in out
