"""``lossdrill hint TASK``: the next hint of an implement task, remembered across sessions."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from lossdrill.bank.loader import load_banks
from lossdrill.recording import Recorder, open_recorder
from lossdrill.ui.console import make_console


def next_hint(item: Any, recorder: Recorder) -> tuple[int, str, bool]:
    """(level, text, repeated): the next unseen hint, recorded; the last one again when all are seen."""
    hints = item.hints
    shown = recorder.hints_shown(item.id)
    if shown >= len(hints):
        return len(hints), hints[-1], True
    level = shown + 1
    recorder.record_hint(item.id, level)
    return level, hints[level - 1], False


def run(task: str, banks: list[str], home: str | None) -> int:
    from lossdrill.ui.implement_view import render_hint

    console = make_console()
    err = make_console(stderr=True)
    bank = load_banks(banks)
    item = bank.implement(task)
    if item is None:
        from lossdrill.commands.implement import unknown_task_message

        err.print(f"[red]error:[/] {escape(unknown_task_message(task, [t.id for t in bank.tasks()]))}",
                  soft_wrap=True, highlight=False)
        return 2
    recorder = open_recorder(home)
    try:
        notice = getattr(recorder, "notice", None)
        if notice:
            err.print(f"[yellow]{notice}[/]")
        level, text, repeated = next_hint(item, recorder)
        render_hint(console, item.id, level, len(item.hints), text, repeated=repeated)
    finally:
        recorder.close()
    return 0
